#include "concbench/reclaim.h"

#include <fmt/format.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

#include "owner_tag.h"

namespace concbench {
namespace {

namespace fs = std::filesystem;

// The owner fields of a run-scoped name "concbench-<run>-<pid>-<n>-<start>-
// <pidns>-<boot><random>", or empty for any other name.
struct ParsedName {
  pid_t pid = 0;
  std::string start;
  std::string pid_ns;
  std::string boot;
};

std::optional<ParsedName> Parse(std::string_view name) {
  constexpr std::string_view kPrefix = "concbench-";
  if (!name.starts_with(kPrefix)) return std::nullopt;
  name.remove_prefix(kPrefix.size());
  std::vector<std::string_view> fields;
  for (std::size_t dash; (dash = name.find('-')) != std::string_view::npos;) {
    fields.push_back(name.substr(0, dash));
    name.remove_prefix(dash + 1);
  }
  fields.push_back(name);
  // run, pid, n, start, pidns, boot + random
  if (fields.size() != 6 || fields[5].size() != 14) return std::nullopt;
  ParsedName parsed;
  const auto [end, error] = std::from_chars(
      fields[1].data(), fields[1].data() + fields[1].size(), parsed.pid);
  if (error != std::errc() || end != fields[1].data() + fields[1].size() ||
      parsed.pid <= 0)
    return std::nullopt;
  parsed.start = fields[3];
  parsed.pid_ns = fields[4];
  parsed.boot = fields[5].substr(0, 6);
  return parsed;
}

bool OwnerIsGone(const ParsedName& owner, const internal::OwnerMark& self) {
  if (owner.boot != self.boot) return true;
  if (owner.pid_ns != self.pid_ns) return false;  // not ours to judge
  const auto start = internal::StartTimeOf(owner.pid);
  return !start || *start != owner.start;
}

bool Remove(const fs::path& path, bool is_shm) {
  const std::string file = path.filename().string();
  if (!is_shm) return unlink(path.c_str()) == 0;
  if (file.starts_with("sem.")) return sem_unlink(file.c_str() + 4) == 0;
  return shm_unlink(file.c_str()) == 0;
}

bool KeepStale() { return std::getenv("CONCBENCH_KEEP_STALE") != nullptr; }

void NoteRemoved(const std::vector<std::string>& removed, const char* what) {
  if (removed.empty()) return;
  std::fprintf(stderr,
               "concbench: note: removed %zu %s left by dead runs, e.g. %s\n",
               removed.size(), what, removed.front().c_str());
}

}  // namespace

std::vector<std::string> ReclaimStaleObjects() {
  const internal::OwnerMark self = internal::SelfMark();
  std::vector<std::string> removed;
  const auto sweep = [&](const fs::path& dir, bool is_shm) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
      std::string name = entry.path().filename().string();
      if (is_shm && name.starts_with("sem.")) name.erase(0, 4);
      if (!is_shm) {
        if (!name.ends_with(".sock")) continue;
        name.resize(name.size() - 5);
      }
      const auto owner = Parse(name);
      if (!owner || !OwnerIsGone(*owner, self)) continue;
      if (Remove(entry.path(), is_shm)) removed.push_back(entry.path());
    }
  };
  sweep("/dev/shm", true);
  std::error_code error;
  const fs::path temp = fs::temp_directory_path(error);
  if (!error) sweep(temp, false);
  return removed;
}

void ReclaimAtStart() {
  if (!KeepStale()) NoteRemoved(ReclaimStaleObjects(), "object(s)");
}

std::vector<std::string> ReclaimStalePartials(const std::string& output) {
  const fs::path out(output);
  const std::string base = out.filename().string();
  const fs::path dir = out.has_parent_path() ? out.parent_path() : ".";
  const internal::OwnerMark self = internal::SelfMark();
  std::vector<std::string> removed;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string file = entry.path().filename().string();
    std::string_view name = file;
    if (!name.ends_with(kPartialSuffix)) continue;
    name.remove_suffix(std::string_view(kPartialSuffix).size());
    // "<output's name, maybe shortened>.<object name>"
    const std::size_t mark = name.rfind(".concbench-");
    if (mark == std::string_view::npos || mark == 0 ||
        !std::string_view(base).starts_with(name.substr(0, mark)))
      continue;
    const auto owner = Parse(name.substr(mark + 1));
    if (!owner || !OwnerIsGone(*owner, self)) continue;
    if (entry.symlink_status(error).type() == fs::file_type::regular &&
        Remove(entry.path(), false))
      removed.push_back(entry.path());
  }
  return removed;
}

void ReclaimPartialsAtStart(const std::string& output) {
  if (!KeepStale())
    NoteRemoved(ReclaimStalePartials(output), "partial file(s)");
}

int CleanShmMain() {
  const std::vector<std::string> removed = ReclaimStaleObjects();
  for (const std::string& path : removed)
    std::printf("removed %s\n", path.c_str());
  std::printf("concbench: removed %zu object(s) left by dead runs\n",
              removed.size());
  return 0;
}

}  // namespace concbench
