// The table of map variants: adding a variant is one file in this folder and
// one line (plus its declaration) here.
#include <stdexcept>
#include <string>

#include "concbench/executor.h"

namespace concbench {
namespace internal {

std::unique_ptr<Executor> MakeSerial(const ExecutorOptions&);
std::unique_ptr<Executor> MakeThreads(const ExecutorOptions&);
std::unique_ptr<Executor> MakeThreadPool(const ExecutorOptions&);
std::unique_ptr<Executor> MakeTbb(const ExecutorOptions&);
std::unique_ptr<Executor> MakeStdAsync(const ExecutorOptions&);
std::unique_ptr<Executor> MakeProcessPerTask(const ExecutorOptions&);
std::unique_ptr<Executor> MakeProcessPoolMap(const ExecutorOptions&);
std::unique_ptr<Executor> MakeProcessPoolApplyAsync(const ExecutorOptions&);
std::unique_ptr<Executor> MakeTaskQueue(const ExecutorOptions&);

Range StaticPartition(std::size_t count, std::size_t parts, std::size_t index) {
  const std::size_t base = count / parts;
  const std::size_t extra = count % parts;
  const std::size_t begin = index * base + std::min(index, extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

}  // namespace internal

namespace {

constexpr VariantInfo kVariants[] = {
    {"serial", false, false, &internal::MakeSerial},
    {"threads", true, false, &internal::MakeThreads},
    {"thread_pool", true, false, &internal::MakeThreadPool},
    {"tbb", true, false, &internal::MakeTbb},
    {"std_async", true, false, &internal::MakeStdAsync},
    {"process_per_task", true, false, &internal::MakeProcessPerTask},
    {"process_pool_map", true, true, &internal::MakeProcessPoolMap},
    {"process_pool_apply_async", true, false,
     &internal::MakeProcessPoolApplyAsync},
    {"task_queue", true, false, &internal::MakeTaskQueue},
};

}  // namespace

std::span<const VariantInfo> MapVariants() { return kVariants; }

std::unique_ptr<Executor> MakeExecutor(const VariantInfo& variant,
                                       const ExecutorOptions& options) {
  if (options.workers < 1) {
    throw std::invalid_argument("workers must be at least 1, got " +
                                std::to_string(options.workers));
  }
  return variant.make(options);
}

void ForEachMapBenchmark(
    const std::function<Name(std::string_view variant)>& base,
    const std::function<std::vector<int>(const VariantInfo&)>& workers_for,
    const std::function<void(const Name&, const VariantInfo&,
                             const ExecutorOptions&)>& add) {
  for (const VariantInfo& variant : MapVariants()) {
    const std::vector<int> counts = workers_for(variant);
    if (!variant.takes_workers) {
      if (!counts.empty()) add(base(variant.name), variant, {});
      continue;
    }
    for (int workers : counts) {
      Name name = base(variant.name);
      name.Param("workers", workers);
      if (!variant.takes_chunk) {
        add(name, variant, {workers, 0});
        continue;
      }
      add(Name(name).Param("chunk", "auto"), variant, {workers, 0});
      add(Name(name).Param("chunk", 1), variant, {workers, 1});
    }
  }
}

const VariantInfo& FindVariant(std::string_view name) {
  std::string known;
  for (const VariantInfo& variant : kVariants) {
    if (variant.name == name) return variant;
    known += known.empty() ? "" : ", ";
    known += variant.name;
  }
  throw std::invalid_argument("unknown variant '" + std::string(name) +
                              "' (known: " + known + ")");
}

}  // namespace concbench
