#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace concbench {

Progress::Progress(std::size_t benchmarks, int repetitions)
    : total_runs_(benchmarks * static_cast<std::size_t>(repetitions)),
      repetitions_(repetitions),
      terminal_(isatty(STDERR_FILENO) != 0) {}

std::function<void(benchmark::State&)> Progress::Wrap(
    std::string name, std::function<void(benchmark::State&)> run) {
  // Google Benchmark calls a function several times in its first repetition,
  // with strictly growing iteration counts, then once per further repetition
  // with the count it settled on. So a call starts a repetition when it is
  // the first, or when its count equals the previous call's.
  return [this, name = std::move(name), run = std::move(run), calls = 0,
          repetition = 0, last_iterations = benchmark::IterationCount{0}](
             benchmark::State& state) mutable {
    if (calls++ == 0 || state.max_iterations == last_iterations) {
      Started(name, ++repetition);
    }
    last_iterations = state.max_iterations;
    run(state);
  };
}

void Progress::Started(const std::string& name, int repetition) {
  ++started_;
  repetition_ = repetition;
  std::fprintf(stderr, "%s[%zu/%zu] %s (repetition %d/%d)%s",
               terminal_ ? "\r\033[K" : "", started_, total_runs_, name.c_str(),
               repetition, repetitions_, terminal_ ? "" : "\n");
  std::fflush(stderr);
}

void Progress::Finish() {
  if (terminal_) std::fputs("\r\033[K", stderr);
}

DisplayReporter::DisplayReporter(std::string_view format) {
  if (format == "json") {
    display_ = std::make_unique<benchmark::JSONReporter>();
  } else {
    display_ = std::make_unique<benchmark::ConsoleReporter>();
  }
}

bool DisplayReporter::ReportContext(const Context& context) {
  display_->SetOutputStream(&GetOutputStream());
  display_->SetErrorStream(&GetErrorStream());
  return display_->ReportContext(context);
}

void DisplayReporter::ReportRuns(const std::vector<Run>& runs) {
  display_->ReportRuns(runs);
}

void DisplayReporter::Finalize() { display_->Finalize(); }

}  // namespace concbench
