// The one place that turns a timeout into the absolute UTC deadline that
// Boost.Interprocess's timed waits take.
#pragma once

#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <chrono>

namespace concbench {

// The UTC time `wait` from now, as Boost.Interprocess's timed_wait,
// timed_lock, timed_send and timed_receive take it (Boost 1.74).
inline boost::posix_time::ptime UtcDeadlineAfter(
    std::chrono::milliseconds wait) {
  return boost::posix_time::microsec_clock::universal_time() +
         boost::posix_time::milliseconds(wait.count());
}

}  // namespace concbench
