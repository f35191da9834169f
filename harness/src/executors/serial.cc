// serial: one thread, a plain loop; the reference every speedup divides.
#include "concbench/executor.h"

namespace concbench::internal {
namespace {

class SerialExecutor final : public Executor {
 public:
  void Run(const MapCall& call, std::byte* results) override {
    RunItems(call, results, 0, call.count);
  }
};

}  // namespace

std::unique_ptr<Executor> MakeSerial(const ExecutorOptions&) {
  return std::make_unique<SerialExecutor>();
}

}  // namespace concbench::internal
