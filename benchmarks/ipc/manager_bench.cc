// ipc/manager: what one request to a manager server costs (the seed's
// Manager().list() and .dict() used through proxies): a round trip to a
// Boost.Asio server process over its Unix socket or TCP on the loopback
// (transport:unix, transport:tcp), by placement. The client authenticates
// before the loop; the timed requests are the protocol's plain lines.
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "concbench/manager.h"
#include "concbench/peer.h"
#include "concbench/suite.h"
#include "concbench/verify.h"

namespace concbench::ipc {
namespace {

constexpr std::int64_t kListSize = 1000;

// The requests, one benchmark each.
enum class Op { kAppend, kGet, kSet, kLen };
struct OpInfo {
  Op op;
  const char* name;
  bool in_full_mode;  // full mode keeps one read and one write
};
constexpr OpInfo kOps[] = {{Op::kAppend, "append", true},
                           {Op::kGet, "get", true},
                           {Op::kSet, "set", false},
                           {Op::kLen, "len", false}};

void Check(std::int64_t got, std::int64_t expected, const char* what) {
  if (got != expected) {
    throw std::runtime_error(fmt::format(
        "{}: the manager answered {}, expected {}", what, got, expected));
  }
}

// TCP beside the Unix socket: one request's round trip is the question, so
// past smoke mode TCP runs `get` alone.
struct TransportRow {
  Transport transport;
  const char* name;    // the transport: parameter
  bool every_request;  // every request of the mode, or `get` alone
};
constexpr TransportRow kTransports[] = {{Transport::kUnix, "unix", true},
                                        {Transport::kTcp, "tcp", false}};

// Every request's reply is checked in the loop. A set's reply is only "OK",
// so each set writes its own key, and after the loop every key is looked up.
void Request(benchmark::State& state, Op op, Pin pin, Transport transport) {
  MainPlacement placement(pin);
  std::optional<Manager> manager;
  std::optional<ManagerClient> client;
  if (!FailOnException(state, [&] {
        ManagerOptions options{.cpu = placement.peer_cpu()};
        if (transport == Transport::kTcp) options.tcp_address = "127.0.0.1:0";
        manager.emplace(std::move(options));
        client.emplace(*manager, transport);
        if (op == Op::kGet) {
          for (std::int64_t i = 0; i < kListSize; ++i) client->append(3 * i);
        }
      }))
    return;
  std::int64_t done = 0;
  const bool ran = TimedLoop(state, [&] {
    switch (op) {
      case Op::kAppend:
        Check(client->append(done), done + 1, "append");
        break;
      case Op::kGet:
        Check(client->get(done % kListSize), 3 * (done % kListSize), "get");
        break;
      case Op::kSet:
        client->set(done, 7 * done);
        break;
      case Op::kLen:
        Check(client->len(), 0, "len");
        break;
    }
    ++done;
  });
  if (!ran) return;
  if (op == Op::kAppend && !Verify(state, "list length", client->len(), done))
    return;
  if (op == Op::kSet) {
    std::int64_t wrong = 0;
    for (std::int64_t key = 0; key < done; ++key)
      wrong += client->lookup(key) != 7 * key ? 1 : 0;
    if (!Verify(state, "keys set to a wrong value", wrong, std::int64_t{0}))
      return;
  }
  state.SetItemsProcessed(state.iterations());
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  const std::vector<Pin> pins = Placements();
  // Full mode keeps one read and one write: every request costs the same
  // round trip, which set and len would only repeat.
  for (const TransportRow& row : kTransports) {
    for (const OpInfo& info : kOps) {
      if (config.mode == SuiteMode::kFull && !info.in_full_mode) continue;
      if (!row.every_request && config.mode != SuiteMode::kSmoke &&
          info.op != Op::kGet)
        continue;
      for (Pin pin : pins) {
        specs.push_back(
            {.name = Name("ipc", fmt::format("manager/{}", info.name))
                         .Param("peer", "process")
                         .Param("transport", row.name)
                         .Param("pin", PinName(pin)),
             .run =
                 [op = info.op, pin,
                  transport = row.transport](benchmark::State& state) {
                   Request(state, op, pin, transport);
                 },
             .metric = Metric::RealTime(MetricKind::kLatency),
             .unit = benchmark::kMicrosecond});
      }
    }
  }
}

CONCBENCH_WORKLOAD(ipc_manager, Register);

}  // namespace
}  // namespace concbench::ipc
