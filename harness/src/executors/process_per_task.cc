// process_per_task: the seed's Process + Array. Each run starts one new
// Process per part of a static partition and the children write their results
// into shared memory. Forked children read their inputs from the
// copy-on-write image; the forkserver's children share nothing of this
// process, so their inputs are copied into the segment first (inside the run,
// as CPython pickles a Process's arguments) and each child maps the segment
// by name. Past the timeout, if one is set, the children are killed.
#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "concbench/executor.h"
#include "concbench/process.h"
#include "concbench/process_pool.h"
#include "concbench/shared_memory.h"
#include "map_by_name.h"

namespace concbench::internal {
namespace {

// No result of a workload is made of this byte repeated.
constexpr int kPoisonByte = 0xa5;

// One forkserver child's part: the kernel and function (addresses valid in
// the server, a fork of this image), and where in the named segment its
// inputs and results lie.
struct Part {
  RangeKernel kernel;
  void (*fn)();
  std::size_t segment_bytes;
  std::size_t inputs;   // offset of input 0
  std::size_t results;  // offset of result 0
  std::size_t begin;
  std::size_t end;
  char segment[NAME_MAX + 1];
};

// The forkserver child's entry: maps the segment and runs its part.
void RunPart(std::span<const std::byte> args) {
  Part part;
  if (args.size() != sizeof(part))
    throw std::invalid_argument("a part of the wrong size");
  std::memcpy(&part, args.data(), sizeof(part));
  std::byte* base = MapByName(part.segment, part.segment_bytes);
  part.kernel(part.fn, base + part.inputs, base + part.results, part.begin,
              part.end);
  munmap(base, part.segment_bytes);
}

class ProcessPerTaskExecutor final : public Executor {
 public:
  ProcessPerTaskExecutor(int workers, StartMethod start)
      : workers_(workers), start_(start) {}

  void Run(const MapCall& call, std::byte* results) override {
    const bool forkserver = start_ == StartMethod::kForkserver;
    const std::size_t in_bytes =
        forkserver ? (call.count * call.input_size + 63) / 64 * 64 : 0;
    const std::size_t bytes = call.count * call.result_size;
    // Kept across runs: the segment is set-up cost, not per-run cost.
    if (!segment_ || segment_->size() < in_bytes + bytes) {
      segment_ = std::make_unique<SharedSegment>(
          std::max<std::size_t>(in_bytes + bytes, 64));
    }
    auto* base = static_cast<std::byte*>(segment_->data());
    std::byte* shared_results = base + in_bytes;
    if (forkserver && call.count > 0)
      std::memcpy(base, call.inputs, call.count * call.input_size);
    // Poisoned before every run: the segment is reused, and a child that
    // wrote nothing must not leave the previous run's correct values behind.
    // About 10 us for 10,000 results, against a fork of a millisecond.
    std::memset(shared_results, kPoisonByte, bytes);
    std::vector<Process> children;
    children.reserve(workers_);
    for (int i = 0; i < workers_; ++i) {
      const Range range = StaticPartition(call.count, workers_, i);
      if (forkserver) {
        children.emplace_back(ForkserverTarget(call, in_bytes, range),
                              StartMethod::kForkserver);
      } else {
        children.emplace_back([&call, shared_results, range] {
          RunItems(call, shared_results, range.begin, range.end);
        });
      }
      children.back().start();
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          timeout().value_or(std::chrono::milliseconds(0));
    for (Process& child : children) {
      if (!timeout()) {
        child.join();
      } else if (!child.join(std::chrono::ceil<std::chrono::milliseconds>(
                     std::max(deadline - std::chrono::steady_clock::now(),
                              std::chrono::steady_clock::duration::zero())))) {
        // Leaving the scope kills and reaps every child still running.
        throw PoolTimeout(fmt::format("{} (pid {}) still ran after {} ms",
                                      child.name(), child.pid(),
                                      timeout()->count()));
      }
      if (child.exitcode() != 0) {
        throw PoolError(fmt::format("{} (pid {}) {}", child.name(), child.pid(),
                                    DescribeExitCode(*child.exitcode())));
      }
    }
    if (bytes > 0) std::memcpy(results, shared_results, bytes);
  }

 private:
  PortableTarget ForkserverTarget(const MapCall& call, std::size_t in_bytes,
                                  const Range& range) const {
    Part part{call.kernel, call.fn,     segment_->size(), 0,
              in_bytes,    range.begin, range.end,        {}};
    std::snprintf(part.segment, sizeof(part.segment), "%s",
                  segment_->name().c_str());
    std::vector<std::byte> args(sizeof(part));
    std::memcpy(args.data(), &part, sizeof(part));
    return {&RunPart, std::move(args)};
  }

  int workers_;
  StartMethod start_;
  std::unique_ptr<SharedSegment> segment_;
};

}  // namespace

std::unique_ptr<Executor> MakeProcessPerTask(const ExecutorOptions& options) {
  return std::make_unique<ProcessPerTaskExecutor>(options.workers,
                                                  options.start);
}

}  // namespace concbench::internal
