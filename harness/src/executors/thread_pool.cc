// thread_pool: a Boost.Asio thread_pool made once; each run posts chunks of
// the pool's auto size and waits for all of them.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <latch>
#include <mutex>

#include "concbench/executor.h"

namespace concbench::internal {
namespace {

class ThreadPoolExecutor final : public Executor {
 public:
  explicit ThreadPoolExecutor(int workers)
      : workers_(workers), pool_(static_cast<std::size_t>(workers)) {}
  ~ThreadPoolExecutor() override { pool_.join(); }

  void Run(const MapCall& call, std::byte* results) override {
    const std::size_t chunk = AutoChunk(call.count, workers_);
    const std::size_t tasks = (call.count + chunk - 1) / chunk;
    std::latch done(static_cast<std::ptrdiff_t>(tasks));
    std::exception_ptr failure;
    std::mutex failure_mutex;
    for (std::size_t begin = 0; begin < call.count; begin += chunk) {
      const std::size_t end = std::min(call.count, begin + chunk);
      boost::asio::post(pool_, [&, begin, end] {
        try {
          RunItems(call, results, begin, end);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
        done.count_down();
      });
    }
    done.wait();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  int workers_;
  boost::asio::thread_pool pool_;
};

}  // namespace

std::unique_ptr<Executor> MakeThreadPool(const ExecutorOptions& options) {
  return std::make_unique<ThreadPoolExecutor>(options.workers);
}

}  // namespace concbench::internal
