// thread_pool: a Boost.Asio thread_pool made once; each run posts chunks of
// the pool's auto size and waits for all of them.
//
// The pool's threads are this executor's, attached to the pool, not made by
// Asio's thread_pool(n): when its k-th thread cannot be created, that
// constructor joins the threads it made, which never stop, and hangs. Here a
// thread that cannot be created stops the partial pool, joins its threads and
// fails the set-up with the reason. Asio's scheduler takes its multi-thread
// hint for one worker too; the one-thread shortcut it would otherwise take
// serves only posts made from inside the pool, which a map never makes.
#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "concbench/executor.h"
#include "thread_start.h"

namespace concbench::internal {
namespace {

class ThreadPoolExecutor final : public Executor {
 public:
  explicit ThreadPoolExecutor(int workers) : workers_(workers), pool_(0) {
    threads_.reserve(static_cast<std::size_t>(workers));
    try {
      for (int i = 0; i < workers; ++i)
        threads_.emplace_back([this] { pool_.attach(); });
    } catch (const std::exception& error) {
      const std::size_t started = threads_.size();
      Stop();
      throw ThreadStartError(
          "thread_pool", started, static_cast<std::size_t>(workers), error,
          fmt::format("the {} started were stopped and joined", started));
    }
  }
  // Every run has waited for its tasks, so nothing is pending.
  ~ThreadPoolExecutor() override { Stop(); }

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
  // Ends the threads' attach() (also one not yet entered) and joins them.
  void Stop() {
    pool_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  int workers_;
  boost::asio::thread_pool pool_;     // no threads of its own
  std::vector<std::thread> threads_;  // each runs pool_.attach()
};

}  // namespace

std::unique_ptr<Executor> MakeThreadPool(const ExecutorOptions& options) {
  return std::make_unique<ThreadPoolExecutor>(options.workers);
}

}  // namespace concbench::internal
