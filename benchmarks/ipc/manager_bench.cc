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

void Request(benchmark::State& state, const std::string& op, Pin pin,
             Transport transport) {
  MainPlacement placement(pin);
  std::optional<Manager> manager;
  std::optional<ManagerClient> client;
  if (!FailOnException(state, [&] {
        ManagerOptions options{.cpu = placement.peer_cpu()};
        if (transport == Transport::kTcp) options.tcp_address = "127.0.0.1:0";
        manager.emplace(std::move(options));
        client.emplace(*manager, transport);
        if (op == "get") {
          for (std::int64_t i = 0; i < kListSize; ++i) client->append(3 * i);
        }
      }))
    return;
  std::int64_t done = 0;
  const bool ran = TimedLoop(state, [&] {
    if (op == "append") {
      Check(client->append(done), done + 1, "append");
    } else if (op == "get") {
      const std::int64_t index = done % kListSize;
      Check(client->get(index), 3 * index, "get");
    } else if (op == "set") {
      client->set(done % 64, done);
    } else {
      Check(client->len(), 0, "len");
    }
    ++done;
  });
  if (!ran) return;
  if (op == "append" && !Verify(state, "list length", client->len(), done))
    return;
  if (op == "set" && !Verify(state, "last value set",
                             client->lookup((done - 1) % 64), done - 1))
    return;
  state.SetItemsProcessed(state.iterations());
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  const std::vector<Pin> pins = Placements();
  // Full mode keeps one read and one write (about 3.5 s each): every request
  // costs the same round trip, which set and len would only repeat.
  std::vector<std::string> ops = {"append", "get", "set", "len"};
  if (config.mode == SuiteMode::kFull) ops = {"append", "get"};
  for (const TransportRow& row : kTransports) {
    const std::vector<std::string> row_ops =
        row.every_request || config.mode == SuiteMode::kSmoke
            ? ops
            : std::vector<std::string>{"get"};
    for (const std::string& op : row_ops) {
      for (Pin pin : pins) {
        specs.push_back(
            {.name = Name("ipc", fmt::format("manager/{}", op))
                         .Param("peer", "process")
                         .Param("transport", row.name)
                         .Param("pin", PinName(pin)),
             .run =
                 [op, pin, transport = row.transport](benchmark::State& state) {
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
