#include "concbench/placement.h"

#include <pthread.h>

#include <stdexcept>

#include "concbench/affinity.h"

namespace concbench {

const char* PinName(Pin pin) {
  return pin == Pin::kSame ? "same" : pin == Pin::kSplit ? "split" : "none";
}

std::vector<Pin> Placements() {
  if (AllowedCpus().size() < 2) return {Pin::kSame, Pin::kNone};
  return {Pin::kSame, Pin::kSplit, Pin::kNone};
}

MainPlacement::MainPlacement(Pin pin) {
  pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_);
  // Read before pinning: afterwards the mask holds one CPU.
  const std::vector<int> cpus = AllowedCpus();
  if (pin == Pin::kNone) return;
  if (pin == Pin::kSplit && cpus.size() < 2)
    throw std::runtime_error("pin:split needs two CPUs; this process has one");
  peer_cpu_ = pin == Pin::kSame ? cpus.front() : cpus.at(1);
  PinThisThread(cpus.front());
}

MainPlacement::~MainPlacement() {
  pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
}

}  // namespace concbench
