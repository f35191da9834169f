// The result file's last step: Google Benchmark's bare NaN and Infinity
// become null and concbench's context is inserted, so the file is strict
// JSON; every other line stays as written.
#include "concbench/result_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace concbench {
namespace {

TEST(ResultFileTest, FinishWritesNonFiniteValuesAsNull) {
  char dir[] = "/tmp/concbench-result-file-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/run.json";
  {
    ResultFile file(path);
    std::ofstream(file.partial_path()) << R"({
  "context": {
    "date": "today"
  },
  "benchmarks": [
    {
      "name": "a\": NaN",
      "label": "NaN",
      "cv": NaN,
      "low": -Infinity,
      "high": Infinity
    }
  ]
}
)";
    file.Finish("concbench", {{"mode", "smoke"}});
  }
  const auto json = nlohmann::json::parse(std::ifstream(path));
  const auto& bench = json["benchmarks"][0];
  EXPECT_TRUE(bench["cv"].is_null());
  EXPECT_TRUE(bench["low"].is_null());
  EXPECT_TRUE(bench["high"].is_null());
  EXPECT_EQ(bench["name"], "a\": NaN");
  EXPECT_EQ(bench["label"], "NaN");
  EXPECT_EQ(json["context"]["concbench"]["mode"], "smoke");
  EXPECT_EQ(json["context"]["date"], "today");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace concbench
