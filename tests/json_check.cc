// Parses a result JSON with nlohmann_json (strict JSON: no NaN, no trailing
// commas) and checks that context.concbench is the object the contract
// names, with the benchmarks that `--list=json` printed.
//   json_check RESULT.json LIST.json
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: json_check RESULT.json LIST.json\n");
    return 2;
  }
  try {
    std::ifstream result_file(argv[1]);
    std::ifstream list_file(argv[2]);
    const auto result = nlohmann::json::parse(result_file);
    const auto list = nlohmann::json::parse(list_file);
    const auto& own = result.at("context").at("concbench");
    if (own.at("schema") != 2) throw std::runtime_error("schema is not 2");
    if (own.at("benchmarks") != list)
      throw std::runtime_error("benchmarks differ from --list=json");
    if (own.at("load_avg_end").size() != 3)
      throw std::runtime_error("load_avg_end is not 3 numbers");
    std::printf("%s: valid JSON, %zu benchmarks described\n", argv[1],
                list.size());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "json_check: %s: %s\n", argv[1], e.what());
    return 1;
  }
}
