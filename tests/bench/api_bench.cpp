// The text API's command path without processes or sockets: `announce route`
// and `withdraw route` lines through api::Dispatcher into a configured (not
// running) Reactor, each command a distinct prefix so the Adj-RIB-Out grows
// as it does when a helper announces a million routes. Commands per second
// is the dispatcher's ceiling; a live run adds the pipe and the writer.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "speaker/api/dispatcher.hpp"
#include "speaker/runtime/asio_runtime.hpp"

namespace bgpsim {
namespace {

using Runtime = runtime::AsioRuntime;

config::Config bench_config() {
  config::Config c;
  config::Process p;
  p.name = "helper";
  p.run = {"true"};
  c.processes.push_back(p);
  config::Neighbor n;
  n.peer_address = *wire::IpAddress::parse("127.0.0.2");
  n.local_address = wire::IpAddress::parse("127.0.0.1");
  n.local_as = 65001;
  n.peer_as = 65002;
  n.router_id = 0x7f000001;
  config::ApiBinding b;
  b.processes = {"helper"};
  n.api.push_back(b);
  c.neighbors.push_back(n);
  return c;
}

std::string prefix(std::uint64_t i) {
  return fmt::format("{}.{}.{}.0/24", 10 + (i >> 16) % 200, (i >> 8) & 255, i & 255);
}

void BM_ApiAnnounceRoute(benchmark::State& state) {
  boost::asio::io_context io;
  Runtime rt(io);
  session::PeerObserver none;
  reactor::Reactor<Runtime> reactor(rt, none);
  const auto config = bench_config();
  reactor.configure(config);
  std::uint64_t answers = 0;
  api::Dispatcher<Runtime> api(reactor, config,
                               [&](const std::string&, const std::string&) { ++answers; });
  std::uint64_t i = 0;
  for (auto _ : state) {
    api.command("helper",
                "announce route " + prefix(i++) + " next-hop 127.0.0.1 med 5 community [65001:1]");
  }
  if (answers != i) state.SkipWithError("a command was not answered");
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
  state.counters["routes"] =
      static_cast<double>(reactor.find_peer("127.0.0.2")->adj_rib_out().size());
}
BENCHMARK(BM_ApiAnnounceRoute)->Iterations(200000)->Unit(benchmark::kMicrosecond);

void BM_ApiAnnounceThenWithdraw(benchmark::State& state) {
  boost::asio::io_context io;
  Runtime rt(io);
  session::PeerObserver none;
  reactor::Reactor<Runtime> reactor(rt, none);
  const auto config = bench_config();
  reactor.configure(config);
  api::Dispatcher<Runtime> api(reactor, config, [](const std::string&, const std::string&) {});
  std::uint64_t i = 0;
  for (auto _ : state) {
    const auto p = prefix(i++ % 4096);
    api.command("helper", "announce route " + p + " next-hop 127.0.0.1");
    api.command("helper", "withdraw route " + p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(2 * i));
}
BENCHMARK(BM_ApiAnnounceThenWithdraw)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace bgpsim
