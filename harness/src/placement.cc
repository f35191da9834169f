#include "concbench/placement.h"

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

MainPlacement::Cpus MainPlacement::Choose(Pin pin) {
  if (pin == Pin::kNone) return {-1, -1};
  const std::vector<int> cpus = AllowedCpus();
  if (pin == Pin::kSplit && cpus.size() < 2)
    throw std::runtime_error("pin:split needs two CPUs; this process has one");
  return {cpus.front(), pin == Pin::kSame ? cpus.front() : cpus.at(1)};
}

MainPlacement::MainPlacement(Pin pin) : MainPlacement(Choose(pin)) {}

MainPlacement::MainPlacement(Cpus cpus)
    : pin_(cpus.main), peer_cpu_(cpus.peer) {}

}  // namespace concbench
