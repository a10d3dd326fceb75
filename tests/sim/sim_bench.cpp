// Simulator benchmarks (Google Benchmark). See docs/sim.md for figures.
//   BM_BareQueue        the event queue alone: events that reschedule themselves
//   BM_CoroutineTimers  coroutines awaiting sim timers (keepalive-like), with the
//                       bare queue measured in the same run and the ratio reported
//   BM_KeepaliveDay     24 simulated hours of 1,000 idle sessions sending
//                       KEEPALIVEs every ~30 s; reports wall time and events
#include <benchmark/benchmark.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "sim/sim_runtime.hpp"

namespace asio = boost::asio;
using namespace bgpsim::sim;
using namespace std::chrono_literals;

namespace {

// CPU time of this thread: the 2 cores are shared, so wall time is noisy.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

constexpr auto tok = asio::use_awaitable_t<Executor>{};

// A self-rescheduling event: the cheapest thing the queue can run.
struct Tick final : Event {
  World* world = nullptr;
  std::int64_t period_ns = 0;
  std::uint64_t* left = nullptr;
  void fire() override {
    if (*left == 0) return;
    --*left;
    world->schedule_at(*this, world->now_ns() + period_ns);
  }
  void discard() override {}
};

// Runs `total` events spread over `actors` ticks; returns events per second.
double bare_queue(std::size_t actors, std::uint64_t total) {
  World world(1);
  std::vector<Tick> ticks(actors);
  std::uint64_t left = total;
  for (std::size_t i = 0; i < actors; ++i) {
    ticks[i].world = &world;
    ticks[i].period_ns = 1'000'000 + static_cast<std::int64_t>(i % 997);
    ticks[i].left = &left;
    world.schedule_at(ticks[i], static_cast<std::int64_t>(i));
  }
  const double t0 = cpu_seconds();
  const std::size_t n = world.run();
  return static_cast<double>(n) / (cpu_seconds() - t0);
}

asio::awaitable<void, Executor> timer_loop(std::int64_t period_ns, std::uint64_t& left) {
  Timer t(co_await asio::this_coro::executor);
  while (left > 0) {
    --left;
    t.expires_after(Nanos(period_ns));
    co_await t.async_wait(asio::deferred);
  }
}

double coroutine_timers(std::size_t actors, std::uint64_t total) {
  World world(1);
  std::uint64_t left = total;
  for (std::size_t i = 0; i < actors; ++i)
    asio::co_spawn(world.get_executor(),
                   timer_loop(1'000'000 + static_cast<std::int64_t>(i % 997), left),
                   asio::detached);
  world.poll();  // start them all
  const double t0 = cpu_seconds();
  world.run();
  return static_cast<double>(total) / (cpu_seconds() - t0);
}

void BM_BareQueue(benchmark::State& state) {
  const auto actors = static_cast<std::size_t>(state.range(0));
  constexpr std::uint64_t kEvents = 2'000'000;
  double rate = 0;
  for (auto _ : state) rate = bare_queue(actors, kEvents);
  state.counters["events_per_s"] = rate;
}
BENCHMARK(BM_BareQueue)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// The ratio compares the best of several alternating runs of each loop. At
// 100,000 actors both loops are bound by memory, which the machine's
// neighbours share: a slow phase would otherwise land on one side only.
void BM_CoroutineTimers(benchmark::State& state) {
  const auto actors = static_cast<std::size_t>(state.range(0));
  constexpr std::uint64_t kWaits = 2'000'000;
  double rate = 0, bare = 0;
  for (auto _ : state) {
    rate = std::max(rate, coroutine_timers(actors, kWaits));
    state.PauseTiming();
    bare = std::max(bare, bare_queue(actors, kWaits));
    state.ResumeTiming();
  }
  state.counters["waits_per_s"] = rate;
  state.counters["bare_events_per_s"] = bare;
  state.counters["ratio"] = rate / bare;
}
BENCHMARK(BM_CoroutineTimers)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond);

// ---- 24 simulated hours of idle sessions ----

std::vector<std::uint8_t> keepalive() {
  std::vector<std::uint8_t> m(19, 0xff);
  m[16] = 0;
  m[17] = 19;
  m[18] = 4;
  return m;
}

// One side of an idle session: a KEEPALIVE every 22.5-30 s (RFC 4271 jitter),
// and a reader draining what the peer sends.
asio::awaitable<void, Executor> keepalive_writer(SimRuntime rt, Socket& s, Nanos until) {
  Timer t = rt.make_timer();
  const auto msg = keepalive();
  while (rt.now() < until) {
    t.expires_after(Nanos(22'500'000'000 + static_cast<std::int64_t>(rt.random() % 7'500'000'000)));
    co_await t.async_wait(asio::deferred);
    co_await asio::async_write(s, asio::buffer(msg), asio::deferred);
  }
  s.shutdown_send();
}

asio::awaitable<void, Executor> reader(Socket& s, std::uint64_t& messages) {
  std::vector<std::uint8_t> buf(19);
  for (;;) {
    auto [ec, n] = co_await asio::async_read(s, asio::buffer(buf), asio::as_tuple(asio::deferred));
    if (ec) co_return;
    ++messages;
  }
}

asio::awaitable<void, Executor> session_side(SimRuntime rt, Socket s, Nanos until,
                                             std::uint64_t& messages) {
  using namespace asio::experimental::awaitable_operators;
  // Both halves end by themselves: the writer at `until`, the reader at the
  // peer's FIN.
  co_await (reader(s, messages) && keepalive_writer(rt, s, until));
}

asio::awaitable<void, Executor> server(SimRuntime rt, Acceptor& acc, std::size_t sessions,
                                       Nanos until, std::uint64_t& messages) {
  for (std::size_t i = 0; i < sessions; ++i) {
    Socket s = co_await acc.async_accept(tok);
    asio::co_spawn(rt.get_executor(), session_side(rt, std::move(s), until, messages),
                   asio::detached);
  }
}

asio::awaitable<void, Executor> client(SimRuntime rt, Endpoint server_ep, Nanos until,
                                       std::uint64_t& messages) {
  Socket s = co_await rt.async_connect(server_ep, tok);
  co_await session_side(rt, std::move(s), until, messages);
}

void BM_KeepaliveDay(benchmark::State& state) {
  const auto sessions = static_cast<std::size_t>(state.range(0));
  std::uint64_t messages = 0, events = 0;
  double wall_s = 0, cpu_s = 0;
  for (auto _ : state) {
    messages = 0;
    World world(7, TraceOptions{.keep_events = false});
    Network& net = Network::install(world);
    const NodeId hub = net.add_node("hub", {Address::from_string("10.255.255.254")});
    const Endpoint ep(Address::from_string("10.255.255.254"), 179);
    Acceptor acc = net.listen(hub, ep);
    const Nanos until = 24h;
    asio::co_spawn(world.executor_for(hub),
                   server(SimRuntime(net, hub), acc, sessions, until, messages), asio::detached);
    for (std::size_t i = 0; i < sessions; ++i) {
      const auto addr = asio::ip::address_v4(0x0a000000u + static_cast<std::uint32_t>(i) + 1);
      const NodeId n = net.add_node("peer" + std::to_string(i), {Address(addr)});
      asio::co_spawn(world.executor_for(n), client(SimRuntime(net, n), ep, until, messages),
                     asio::detached);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    world.run();
    cpu_s = cpu_seconds() - c0;
    wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    events = world.events_run();
  }
  state.counters["keepalives"] = static_cast<double>(messages);
  state.counters["events"] = static_cast<double>(events);
  state.counters["wall_s"] = wall_s;
  state.counters["cpu_s"] = cpu_s;
  state.counters["events_per_cpu_s"] = static_cast<double>(events) / cpu_s;
  state.counters["sim_s_per_cpu_s"] = 86400.0 / cpu_s;
}
BENCHMARK(BM_KeepaliveDay)->Arg(1000)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
