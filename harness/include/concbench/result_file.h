// The result JSON of a run: Google Benchmark writes it as it goes to a
// partial file beside the final path, unique to this run, which an interrupt
// or a failure removes, and Finish completes and renames into place, so no
// half file is ever left at the final path, and two runs on one path each
// write a whole file (the last rename wins).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "concbench/cleanup.h"

namespace concbench {

class ResultFile {
 public:
  // Checks `path` before any benchmark runs: its directory exists and is
  // writable, and the path is absent or a regular file (never a symbolic
  // link, directory, FIFO, socket or device, which would be replaced or
  // lost). Then creates `<path>.<random>.partial` exclusively (the name
  // shortened to fit NAME_MAX). Throws std::runtime_error naming the path
  // and the reason.
  explicit ResultFile(std::string path);
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  // Where Google Benchmark writes (--benchmark_out).
  const std::string& partial_path() const;

  // Inserts "key": value as the first member of the JSON's "context" object,
  // writes Google Benchmark's bare NaN and Infinity (e.g. the CV of a counter
  // that is zero in every repetition) as null so that the file is strict
  // JSON, and renames it to the final path. Google Benchmark writes its
  // context first and one value per line, so both edits are textual and
  // every other number stays as it wrote it. Throws std::runtime_error.
  void Finish(const std::string& key, const nlohmann::ordered_json& value);

 private:
  std::string path_;
  std::optional<OwnedName> partial_;
};

}  // namespace concbench
