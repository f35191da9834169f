// asio_async for sleep_io: every task on one thread's io_context, its sleep a
// steady_timer, written once with completion callbacks and once with C++20
// coroutines (co_spawn, awaitable). The loop waits on all timers at once, so
// the ideal makespan is d whatever the number of tasks.
#pragma once

// clang-format off: Asio 1.74's awaitable.hpp uses std::exchange without
// including <utility>, so it must come first.
#include <utility>
// clang-format on
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sleep_io/runner.h"
#include "sleep_io/workload.h"

namespace concbench::sleep_io {

enum class Style { kCallbacks, kCoroutines };

constexpr std::string_view StyleName(Style style) {
  return style == Style::kCallbacks ? "callbacks" : "coroutines";
}

namespace internal_loop {

// The io_context's own executor rather than Asio's default any_io_executor:
// the type-erased executor costs every timer and every resumption a few
// hundred nanoseconds more, which at 10,000 tasks is milliseconds.
using LoopExecutor = boost::asio::io_context::executor_type;
using Timer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock,
    boost::asio::wait_traits<std::chrono::steady_clock>, LoopExecutor>;

inline boost::asio::awaitable<void, LoopExecutor> SleepThenCompute(
    Task task, std::uint64_t* result, std::uint64_t* done) {
  Timer timer(co_await boost::asio::this_coro::executor,
              std::chrono::microseconds(task.sleep_us));
  co_await timer.async_wait(boost::asio::use_awaitable_t<LoopExecutor>());
  *result = Power(task.value, task.power);
  ++*done;
}

}  // namespace internal_loop

// Runs every task on the calling thread in a fresh io_context and stops at
// `limit`: the io_context's destruction then drops the timers and coroutine
// frames still pending, so nothing outlives the call.
inline Outcome RunOnEventLoop(Style style, std::span<const Task> tasks,
                              std::span<std::uint64_t> results,
                              std::chrono::nanoseconds limit) {
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  {
    boost::asio::io_context io(1);  // one thread: no locking inside Asio
    std::vector<boost::asio::steady_timer> timers;
    if (style == Style::kCallbacks) {
      timers.reserve(tasks.size());
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        const Task task = tasks[i];
        timers.emplace_back(io, std::chrono::microseconds(task.sleep_us));
        timers.back().async_wait(
            [&outcome, &results, task, i](boost::system::error_code error) {
              if (error) return;
              results[i] = Power(task.value, task.power);
              ++outcome.done;
            });
      }
    } else {
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        boost::asio::co_spawn(io.get_executor(),
                              internal_loop::SleepThenCompute(
                                  tasks[i], &results[i], &outcome.done),
                              boost::asio::detached);
      }
    }
    io.run_for(limit);
    outcome.overran = outcome.done != tasks.size();
  }
  outcome.elapsed = std::chrono::steady_clock::now() - start;
  return outcome;
}

}  // namespace concbench::sleep_io
