#include "concbench/result_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

namespace concbench {

ResultFile::ResultFile(std::string path) : path_(std::move(path)) {
  partial_.emplace(NameKind::kFile, path_ + ".partial");
  std::ofstream probe(partial_->str());
  if (!probe) {
    throw std::runtime_error(
        fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
  }
}

const std::string& ResultFile::partial_path() const { return partial_->str(); }

void ResultFile::Finish(const std::string& key,
                        const nlohmann::ordered_json& value) {
  std::ifstream in(partial_->str());
  std::string json;
  bool inserted = false;
  static const std::regex kNonFinite(R"(^(\s*"[^"]*": )-?(NaN|Infinity)(,?)$)");
  for (std::string line; std::getline(in, line);) {
    json += std::regex_replace(line, kNonFinite, "$1null$3");
    json += '\n';
    if (!inserted && line.ends_with("\"context\": {")) {
      json += fmt::format("    \"{}\": {},\n", key, value.dump());
      inserted = true;
    }
  }
  if (!inserted) {
    throw std::runtime_error(fmt::format("{} has no context object", path_));
  }
  std::ofstream out(partial_->str(), std::ios::trunc);
  out << json;
  if (!out.flush()) {
    throw std::runtime_error(fmt::format("cannot write {}", path_));
  }
  out.close();
  std::filesystem::rename(partial_->str(), path_);
  partial_->release();
}

}  // namespace concbench
