// The command-line parser: every option in both value forms, the negative
// filter, Google Benchmark's flags passed through, and one clear UsageError
// for each kind of bad input; --help lists every setting and exit status.
#include "command_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
  EXPECT_EQ(DefaultRepetitions(SuiteMode::kQuick), 10);
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
}

TEST(CommandLineTest, TheLastBenchmarkFormatIsTheDisplay) {
  EXPECT_EQ(Parse({}).display_format, "console");
  EXPECT_EQ(Parse({"--benchmark_format=json"}).display_format, "json");
  EXPECT_EQ(Parse({"--benchmark_format=json", "--benchmark_format=csv"})
                .display_format,
            "csv");
  EXPECT_EQ(Parse({"--benchmark_format_x=1"}).display_format, "console");
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
                                             {"--list=yaml"},
                                             {"--out"},
                                             {"--out="},
                                             {"--out", ""}}) {
    EXPECT_THROW(Parse(args), UsageError) << args.front();
  }
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
