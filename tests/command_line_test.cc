// The command-line parser: every option in both value forms, the negative
// filter, Google Benchmark's flags passed through (and checked), and one
// clear UsageError for each kind of bad input, hostile filters included;
// --help lists every setting and exit status.
#include "command_line.h"

#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "benchmark_flags.h"
#include "name_filter.h"

namespace concbench {
namespace {

Options Parse(std::vector<std::string> args) { return ParseCommandLine(args); }

TEST(CommandLineTest, DefaultsAreTheFullRunOfEverything) {
  const Options options = Parse({});
  EXPECT_EQ(options.mode, SuiteMode::kFull);
  EXPECT_TRUE(options.filter.empty());
  EXPECT_FALSE(options.exclude);
  EXPECT_TRUE(options.out.empty());
  EXPECT_FALSE(options.repetitions);
  EXPECT_EQ(options.list, ListFormat::kNone);
  EXPECT_FALSE(options.help);
  EXPECT_EQ(DefaultRepetitions(SuiteMode::kFull), 15);
  EXPECT_EQ(DefaultRepetitions(SuiteMode::kQuick), 8);
}

TEST(CommandLineTest, ValueOptionsTakeBothForms) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--quick", "--filter=serial", "--out=a.json", "--repetitions=3",
            "--workers=1,2,8", "--set=sleep_io.tasks=5"},
           {"--quick", "--filter", "serial", "--out", "a.json", "--repetitions",
            "3", "--workers", "1,2,8", "--set", "sleep_io.tasks=5"}}) {
    const Options options = Parse(args);
    EXPECT_EQ(options.mode, SuiteMode::kQuick);
    EXPECT_EQ(options.filter, "serial");
    EXPECT_EQ(options.out, "a.json");
    EXPECT_EQ(options.repetitions, 3);
    EXPECT_EQ(options.workers, (std::vector<int>{1, 2, 8}));
    EXPECT_EQ(options.settings.at("sleep_io.tasks"), "5");
  }
}

TEST(CommandLineTest, ALeadingMinusNegatesEitherFilter) {
  for (const char* flag : {"--filter=-ipc", "--benchmark_filter=-ipc"}) {
    const Options options = Parse({flag});
    EXPECT_TRUE(options.exclude) << flag;
    EXPECT_EQ(options.filter, "ipc") << flag;
  }
  const Options plain = Parse({"--benchmark_filter=ipc/pipe"});
  EXPECT_FALSE(plain.exclude);
  EXPECT_EQ(plain.filter, "ipc/pipe");
  EXPECT_THROW(Parse({"--filter=-"}), UsageError);
}

TEST(CommandLineTest, ListsAndHelp) {
  EXPECT_EQ(Parse({"--list"}).list, ListFormat::kNames);
  EXPECT_EQ(Parse({"--list=json"}).list, ListFormat::kJson);
  EXPECT_TRUE(Parse({"--help"}).help);
  EXPECT_TRUE(Parse({"-h"}).help);
  EXPECT_EQ(Parse({"--smoke"}).mode, SuiteMode::kSmoke);
}

TEST(CommandLineTest, GoogleBenchmarkFlagsPassThrough) {
  const Options options =
      Parse({"--benchmark_min_time=0.1", "--benchmark_format=json"});
  EXPECT_EQ(options.passthrough,
            (std::vector<std::string>{"--benchmark_min_time=0.1",
                                      "--benchmark_format=json"}));
  EXPECT_EQ(Parse({"--benchmark_out=b.json"}).passthrough.size(), 1u);
}

TEST(CommandLineTest, TheLastBenchmarkFormatIsTheDisplay) {
  EXPECT_EQ(Parse({}).display_format, "console");
  EXPECT_EQ(Parse({"--benchmark_format=json"}).display_format, "json");
  EXPECT_EQ(Parse({"--benchmark_format=json", "--benchmark_format=csv"})
                .display_format,
            "csv");
  EXPECT_THROW(Parse({"--benchmark_format_x=1"}), UsageError);
}

TEST(CommandLineTest, TestSlowdownTakesRegexAndFactor) {
  const Options options = Parse({"--test_slowdown=sum_squares/serial:1.5"});
  EXPECT_EQ(options.slowdown_filter, "sum_squares/serial");
  EXPECT_DOUBLE_EQ(options.slowdown, 1.5);
}

TEST(CommandLineTest, TestFailTakesRegexAndRepetition) {
  const Options options = Parse({"--test_fail", "^sum_squares/serial/:2"});
  EXPECT_EQ(options.fail_filter, "^sum_squares/serial/");
  EXPECT_EQ(options.fail_repetition, 2);
}

TEST(CommandLineTest, BadInputIsAUsageError) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--frobnicate"},
                                             {"quick"},
                                             {"--workers=0"},
                                             {"--workers=-2"},
                                             {"--workers=two"},
                                             {"--workers=1,,2"},
                                             {"--workers=2000"},
                                             {"--repetitions=0"},
                                             {"--repetitions=1001"},
                                             {"--repetitions=x"},
                                             {"--set=tasks"},
                                             {"--set==5"},
                                             {"--test_slowdown=serial"},
                                             {"--test_slowdown=serial:0.5"},
                                             {"--test_fail=serial"},
                                             {"--test_fail=serial:0"},
                                             {"--test_fail=serial:x"},
                                             {"--test_fail=:2"},
                                             {"--test_fail=serial: 2"},
                                             {"--test_fail=((:2"},
                                             {"--list=yaml"},
                                             {"--out"},
                                             {"--out="},
                                             {"--out", ""},
                                             {"--workers= 2"},
                                             {"--workers=2 "},
                                             {"--workers=+2"},
                                             {"--workers=1, 2"},
                                             {"--workers="},
                                             {"--repetitions= 3"},
                                             {"--test_slowdown=x:nan"},
                                             {"--test_slowdown=x: 2"},
                                             {"--test_slowdown=((:2"}}) {
    EXPECT_THROW(Parse(args), UsageError) << args.front();
  }
}

// The message of the UsageError that parsing `args` throws.
std::string UsageMessage(std::vector<std::string> args) {
  try {
    Parse(std::move(args));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no UsageError)";
}

TEST(CommandLineTest, HostileFiltersAreRefusedInOneShortLine) {
  for (const std::string& pattern :
       {std::string(100'000, 'a'), std::string(5'000, '('),
        std::string(NameFilter::kMaxPatternLength + 1, 'a'), std::string("(("),
        std::string("(?=lookahead)"), std::string("((a{100}){100}){100}"),
        std::string("\\pL{1000}")}) {
    // The message names the flag as the user spelled it.
    for (const std::string flag : {"--filter", "--benchmark_filter"}) {
      for (const char* sign : {"", "-"}) {
        const std::string message = UsageMessage({flag + "=" + sign + pattern});
        EXPECT_TRUE(message.starts_with(flag + "='" + sign)) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_LT(message.size(), 300u) << message;
      }
    }
  }
  EXPECT_NE(UsageMessage({"--filter=" + std::string(100'000, 'a')})
                .find("100000 characters"),
            std::string::npos);
  // Too large for RE2's memory bound.
  EXPECT_NE(UsageMessage({"--filter=\\pL{1000}"}).find("1 MiB"),
            std::string::npos);
}

TEST(CommandLineTest, FiltersMatchInLinearTime) {
  // std::regex backtracked for ever on this one, and overflowed the stack
  // on deep nesting; RE2 does neither.
  const NameFilter backtracking("(.*.*)*Z");
  EXPECT_FALSE(backtracking.Matches(std::string(10'000, 'a')));
  EXPECT_TRUE(backtracking.Matches(std::string(10'000, 'a') + "Z"));
  const std::string nested =
      std::string(2'000, '(') + "serial" + std::string(2'000, ')');
  ASSERT_LE(nested.size(), NameFilter::kMaxPatternLength);
  EXPECT_TRUE(NameFilter(nested).Matches("sum_squares/serial/tasks:40"));
  EXPECT_TRUE(NameFilter("").Matches("anything"));
  EXPECT_TRUE(NameFilter("^sum_squares/(serial|threads)/")
                  .Matches("sum_squares/threads/workers:2"));
  EXPECT_FALSE(NameFilter("^ipc").Matches("sum_squares/ipc"));
}

// One valid value of every flag concbench passes on.
const std::vector<std::string> kGoodBenchmarkFlags = {
    "--benchmark_list_tests=false",
    "--benchmark_min_time=0.5",
    "--benchmark_min_warmup_time=0",
    "--benchmark_repetitions=3",
    "--benchmark_enable_random_interleaving",
    "--benchmark_report_aggregates_only=TRUE",
    "--benchmark_display_aggregates_only=no",
    "--benchmark_format=json",
    "--benchmark_out=/tmp/concbench-command-line-test.json",
    "--benchmark_out_format=csv",
    "--benchmark_color=auto",
    "--benchmark_counters_tabular=1",
    "--benchmark_perf_counters=",
    "--benchmark_context=host=a,run=b",
    "--benchmark_time_unit=us",
};

TEST(CommandLineTest, GoodBenchmarkFlagsAreGoogleBenchmarks) {
  for (const std::string& flag : kGoodBenchmarkFlags)
    EXPECT_EQ(BenchmarkFlagError(flag), "") << flag;
  // The linked Google Benchmark takes every one of them.
  std::vector<std::string> flags = {"command_line_test"};
  flags.insert(flags.end(), kGoodBenchmarkFlags.begin(),
               kGoodBenchmarkFlags.end());
  std::vector<char*> argv;
  for (std::string& flag : flags) argv.push_back(flag.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  EXPECT_EQ(argc, 1) << "Google Benchmark left " << argv[1];
}

TEST(CommandLineTest, BadBenchmarkFlagsAreOneUsageError) {
  for (const char* flag :
       {"--benchmark_min_time=abc", "--benchmark_min_time=-1",
        "--benchmark_min_time=nan", "--benchmark_min_time= 1",
        "--benchmark_min_time", "--benchmark_format=foo",
        "--benchmark_out_format=xml", "--benchmark_repetitions=0",
        "--benchmark_repetitions=1.5", "--benchmark_color=",
        "--benchmark_list_tests=maybe", "--benchmark_context=nokey",
        "--benchmark_context==v", "--benchmark_time_unit=min",
        "--benchmark_format=JSON", "--benchmark_time_unit=MS",
        "--benchmark_out=", "--benchmark_frobnicate=1", "--benchmark_"}) {
    const std::string message = UsageMessage({flag});
    EXPECT_TRUE(message.starts_with(flag)) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_NE(UsageMessage({"--benchmark_format=foo"}).find("console|json|csv"),
            std::string::npos);
  // --out writes the JSON through Google Benchmark's file flags.
  EXPECT_THROW(Parse({"--out=a.json", "--benchmark_out=b.json"}), UsageError);
  EXPECT_THROW(Parse({"--out=a.json", "--benchmark_out_format=csv"}),
               UsageError);
}

TEST(CommandLineTest, HelpListsEverySettingOptionAndExitStatus) {
  const SettingInfo settings[] = {
      {"alpha.size", 10, 5, 1, 0, 100, "the alpha size"},
      {"beta.count", 7, 3, 2, 1, 9, "how many betas"},
  };
  const std::string help = HelpText(settings);
  for (const char* wanted : {"alpha.size",
                             "10 / 5 / 1; 0 to 100",
                             "the alpha size",
                             "beta.count",
                             "7 / 3 / 2; 1 to 9",
                             "--quick",
                             "--smoke",
                             "--filter=-REGEX",
                             "--out",
                             "--repetitions",
                             "--workers",
                             "--set",
                             "--list=json",
                             "--help",
                             "--benchmark_",
                             "Exit status",
                             "0  every",
                             "1  a benchmark failed",
                             "2  bad input",
                             "results/latest/concbench.json"}) {
    EXPECT_NE(help.find(wanted), std::string::npos) << wanted;
  }
}

}  // namespace
}  // namespace concbench
