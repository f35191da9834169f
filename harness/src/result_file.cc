#include "concbench/result_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "concbench/reclaim.h"

namespace concbench {
namespace {

// What a non-regular file is, for the message that refuses it.
const char* FileTypeName(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// Throws unless `path` is absent or a regular file (the link itself is
// examined, never what it points to).
void CheckTarget(const std::string& path) {
  struct stat target;
  if (lstat(path.c_str(), &target) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error(
        fmt::format("cannot use {}: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(target.st_mode)) {
    throw std::runtime_error(
        fmt::format("{} is {}; give a new path or a regular file to replace",
                    path, FileTypeName(target.st_mode)));
  }
}

// The directory of `path` ("." when it has none) and its last component.
std::pair<std::string, std::string> Split(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

void CheckPath(const std::string& path) {
  if (path.empty()) throw std::runtime_error("the path is empty");
  if (path.size() >= PATH_MAX) {
    throw std::runtime_error(fmt::format("path too long ({} bytes, at most {})",
                                         path.size(), PATH_MAX - 1));
  }
  const auto [directory, base] = Split(path);
  if (base.empty() || base == "." || base == "..") {
    throw std::runtime_error(fmt::format("{} names a directory", path));
  }
  struct stat dir;
  if (stat(directory.c_str(), &dir) != 0) {
    throw std::runtime_error(fmt::format("cannot write {}: directory {}: {}",
                                         path, directory,
                                         std::strerror(errno)));
  }
  if (!S_ISDIR(dir.st_mode)) {
    throw std::runtime_error(
        fmt::format("cannot write {}: {} is not a directory", path, directory));
  }
  if (access(directory.c_str(), W_OK | X_OK) != 0) {
    throw std::runtime_error(fmt::format("cannot write {}: directory {}: {}",
                                         path, directory,
                                         std::strerror(errno)));
  }
  CheckTarget(path);
}

// Creates a new file `<path>.<object name>.partial` (O_EXCL: never an
// existing one, never through a link) and returns its name. The object name
// (UniqueObjectName) says who owns it, so that a later run can remove it if
// this one is killed; the last component is shortened to fit NAME_MAX.
std::string CreatePartial(const std::string& path) {
  const auto [directory, base] = Split(path);
  const std::size_t base_at = path.size() - base.size();
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string suffix =
        fmt::format(".{}{}", UniqueObjectName(), kPartialSuffix);
    const std::size_t keep = std::min(
        base.size(), static_cast<std::size_t>(NAME_MAX) - suffix.size());
    std::string partial = path.substr(0, base_at + keep) + suffix;
    const int fd =
        open(partial.c_str(),
             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) {
      close(fd);
      return partial;
    }
    if (errno != EEXIST) {
      throw std::runtime_error(
          fmt::format("cannot write {}: {}", partial, std::strerror(errno)));
    }
  }
  throw std::runtime_error(
      fmt::format("cannot create a unique partial file beside {}", path));
}

}  // namespace

ResultFile::ResultFile(std::string path) : path_(std::move(path)) {
  CheckPath(path_);
  ReclaimPartialsAtStart(path_);
  partial_.emplace(NameKind::kFile, CreatePartial(path_));
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
  // Whatever appeared at the path during the run is checked again: rename
  // would replace a link, a FIFO or a device as readily as a file.
  CheckTarget(path_);
  if (std::rename(partial_->c_str(), path_.c_str()) != 0) {
    throw std::runtime_error(
        fmt::format("cannot rename into {}: {}", path_, std::strerror(errno)));
  }
  partial_->release();
}

}  // namespace concbench
