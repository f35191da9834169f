// shm_ring: a lock-free single-producer single-consumer byte ring per
// direction in one shared-memory segment. No system call on the fast path:
// a waiting side spins briefly (a peer on another CPU answers within a
// microsecond), then sleeps on a futex so a peer on the same CPU can run.
// The spin adapts to which of the two the placement turns out to be.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>

#include "concbench/cache_line.h"
#include "concbench/channel.h"
#include "concbench/shared_memory.h"
#include "concbench/sync.h"

namespace concbench::internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kRingBytes = std::size_t{256} << 10;
static_assert((kRingBytes & (kRingBytes - 1)) == 0, "a power of two");
// How long a waiting side spins before it sleeps adapts, like glibc's
// adaptive mutex: a spin that ended in data (the peer runs on another CPU and
// answers within a microsecond) doubles the next spin up to kMaxSpin; a spin
// that ended in sleep (the peer shares this CPU, and spinning only delays it)
// halves it down to kMinSpin. Bounded by time, not by count: a pause costs
// from a few to 140 cycles depending on the CPU.
constexpr std::int64_t kMinSpinNs = 500;
constexpr std::int64_t kMaxSpinNs = 50'000;
constexpr auto kSleepSlice = std::chrono::milliseconds(10);

// Positions count bytes ever written/read; each index sits on its own cache
// line, next to the futex word its owner sleeps on, so the producer and the
// consumer never write the same line.
struct Ring {
  alignas(kCacheLine) std::atomic<std::uint64_t> tail{0};  // producer's
  std::atomic<std::uint32_t> consumer_waiting{0};
  alignas(kCacheLine) std::atomic<std::uint64_t> head{0};  // consumer's
  std::atomic<std::uint32_t> producer_waiting{0};
  alignas(kCacheLine) std::byte data[kRingBytes];
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

// Spins, then sleeps on `waiting` in slices until `ready()`; the other side
// clears `waiting` and wakes it after publishing. Seq_cst on both sides
// orders "publish, then look for a sleeper" against "announce sleep, then
// look for data", so no wake-up is lost.
//
// The fence in Notify stays, though ThreadSanitizer cannot model fences (the
// tsan preset builds with -Wno-tsan): it orders only the flag against the
// index, a wake-up protocol between atomics, while the bytes in the ring are
// ordered by the index's release and acquire, which TSan does model, so it
// can miss no race on them and report none falsely. The replacements TSan
// models cost more in the 8-byte ping-pong between two CPUs (the gate
// against this version, 2026-12-07): exchanges on the flag +10 to 12%, and
// seq_cst index stores +12 to 19% (judged slower).
template <class Ready>
void Await(Ready ready, std::atomic<std::uint32_t>& waiting,
           std::int64_t& spin_ns,
           const std::function<void(Clock::time_point)>& check) {
  if (ready()) return;
  const auto spin_until = Clock::now() + std::chrono::nanoseconds(spin_ns);
  do {
    for (int i = 0; i < 8; ++i) {
      CpuRelax();
      if (ready()) {
        spin_ns = std::min(kMaxSpinNs, spin_ns * 2);
        return;
      }
    }
  } while (Clock::now() < spin_until);
  spin_ns = std::max(kMinSpinNs, spin_ns / 2);
  const auto since = Clock::now();
  for (;;) {
    waiting.store(1, std::memory_order_seq_cst);
    if (ready()) break;
    FutexWait(waiting, 1, kSleepSlice);
    if (ready()) break;
    check(since);
  }
  waiting.store(0, std::memory_order_relaxed);
}

// Wakes the other side if it announced that it sleeps on `waiting`.
void Notify(std::atomic<std::uint32_t>& waiting) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (waiting.load(std::memory_order_relaxed) != 0 &&
      waiting.exchange(0, std::memory_order_seq_cst) != 0)
    FutexWake(waiting, 1);
}

class RingEnd : public ChannelEnd {
 public:
  RingEnd(Ring* out, Ring* in) : out_(out), in_(in) {}

  void Write(std::span<const std::byte> bytes) override {
    const std::uint64_t tail = out_->tail.load(std::memory_order_relaxed);
    std::uint64_t written = 0;
    while (written < bytes.size()) {
      const std::uint64_t pos = tail + written;
      if (pos - head_cache_ == kRingBytes) {
        Await(
            [&] {
              head_cache_ = out_->head.load(std::memory_order_acquire);
              return pos - head_cache_ < kRingBytes;
            },
            out_->producer_waiting, spin_ns_, Checker("write"));
      }
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(
          bytes.size() - written, kRingBytes - (pos - head_cache_)));
      Copy(out_->data, pos, bytes.data() + written, n);
      written += n;
      out_->tail.store(tail + written, std::memory_order_release);
      Notify(out_->consumer_waiting);
    }
  }

  void Read(std::span<std::byte> bytes) override {
    const std::uint64_t head = in_->head.load(std::memory_order_relaxed);
    std::uint64_t done = 0;
    while (done < bytes.size()) {
      const std::uint64_t pos = head + done;
      if (tail_cache_ == pos) {
        Await(
            [&] {
              tail_cache_ = in_->tail.load(std::memory_order_acquire);
              return tail_cache_ != pos;
            },
            in_->consumer_waiting, spin_ns_, Checker("read"));
      }
      const std::size_t n = static_cast<std::size_t>(
          std::min<std::uint64_t>(bytes.size() - done, tail_cache_ - pos));
      CopyOut(in_->data, pos, bytes.data() + done, n);
      done += n;
      in_->head.store(head + done, std::memory_order_release);
      Notify(in_->producer_waiting);
    }
  }

 private:
  std::function<void(Clock::time_point)> Checker(const char* doing) {
    return [this, doing](Clock::time_point since) { CheckPeer(since, doing); };
  }
  static void Copy(std::byte* ring, std::uint64_t pos, const std::byte* from,
                   std::size_t n) {
    const std::size_t at = pos & (kRingBytes - 1);
    const std::size_t first = std::min(n, kRingBytes - at);
    std::memcpy(ring + at, from, first);
    std::memcpy(ring, from + first, n - first);
  }
  static void CopyOut(const std::byte* ring, std::uint64_t pos, std::byte* to,
                      std::size_t n) {
    const std::size_t at = pos & (kRingBytes - 1);
    const std::size_t first = std::min(n, kRingBytes - at);
    std::memcpy(to, ring + at, first);
    std::memcpy(to + first, ring, n - first);
  }

  Ring* out_;
  Ring* in_;
  // Each side's last view of the other's index: re-read only when it blocks.
  std::uint64_t head_cache_ = 0;
  std::uint64_t tail_cache_ = 0;
  std::int64_t spin_ns_ = kMaxSpinNs;  // this end's adaptive spin (see Await)
};

class ShmRingChannel : public Channel {
 public:
  ShmRingChannel()
      : segment_(2 * sizeof(Ring)),
        rings_(ConstructRings(segment_.data())),
        ends_{RingEnd(&rings_[0], &rings_[1]),
              RingEnd(&rings_[1], &rings_[0])} {}
  ChannelEnd& end(int side) override { return ends_[side]; }

 private:
  // One by one rather than new[], which may put a size cookie first.
  static Ring* ConstructRings(void* memory) {
    auto* rings = static_cast<Ring*>(memory);
    new (&rings[0]) Ring();
    new (&rings[1]) Ring();
    return rings;
  }

  SharedSegment segment_;  // page-aligned, so the Rings' alignment holds
  Ring* rings_;            // [0]: side 0 to side 1; [1]: back
  RingEnd ends_[2];
};

}  // namespace

std::unique_ptr<Channel> MakeShmRingChannel() {
  return std::make_unique<ShmRingChannel>();
}

}  // namespace concbench::internal
