// Simulated TCP: echo over both runtimes from one templated coroutine,
// failures a real stack gives, faults, crash/restart, and the properties.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <string>
#include <vector>

#include "sim/sim_runtime.hpp"
#include "speaker/runtime/asio_runtime.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using bgpsim::runtime::AsioRuntime;
using bgpsim::runtime::Runtime;
using namespace bgpsim::sim;

static_assert(Runtime<AsioRuntime>);
static_assert(Runtime<SimRuntime>);

// ---- one templated echo, run on both runtimes ----

template <Runtime R>
using Aw = asio::awaitable<void, typename R::executor_type>;

template <Runtime R>
Aw<R> echo_server(R& rt, typename R::acceptor_type& acceptor) {
  constexpr auto tok = asio::use_awaitable_t<typename R::executor_type>{};
  typename R::socket_type s = co_await acceptor.async_accept(tok);
  std::vector<char> buf(64);
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(tok));
    if (ec) break;  // eof: the client half-closed
    co_await asio::async_write(s, asio::buffer(buf.data(), n), tok);
  }
  s.shutdown_send();
  (void)rt;
}

template <Runtime R>
Aw<R> echo_client(R& rt, bgpsim::runtime::Endpoint server, std::string message,
                  std::string& reply) {
  constexpr auto tok = asio::use_awaitable_t<typename R::executor_type>{};
  typename R::socket_type s = co_await rt.async_connect(server, tok);
  co_await asio::async_write(s, asio::buffer(message), tok);
  s.shutdown_send();
  std::vector<char> buf(message.size());
  auto [ec, n] = co_await asio::async_read(s, asio::buffer(buf), asio::as_tuple(tok));
  reply.assign(buf.data(), n);
  auto timer = rt.make_timer();
  timer.expires_after(1ms);
  co_await timer.async_wait(tok);
}

const std::string kMessage = std::string(5000, 'x') + "hello, echo";

TEST(Echo, OverSimulatedTcp) {
  World world(7);
  Network& net = Network::install(world);
  const NodeId a = net.add_node("a", {Address::from_string("10.0.0.1")});
  const NodeId b = net.add_node("b", {Address::from_string("10.0.0.2")});
  SimRuntime ra(net, a), rb(net, b);
  Endpoint ep(Address::from_string("10.0.0.2"), 179);
  auto acceptor = rb.listen(ep);
  std::string reply;
  net.spawn(b, echo_server(rb, acceptor));
  net.spawn(a, echo_client(ra, ep, kMessage, reply));
  world.run();
  EXPECT_EQ(reply, kMessage);
  EXPECT_TRUE(net.failures().empty()) << net.failures().front();
  EXPECT_GT(world.now(), 2ms);  // at least a handshake and a round trip
}

TEST(Echo, OverLoopbackSockets) {
  asio::io_context io;
  AsioRuntime rt(io);
  auto acceptor = rt.listen(Endpoint(Address::from_string("127.0.0.1"), 0));
  const Endpoint ep = acceptor.local_endpoint();
  std::string reply;
  std::exception_ptr failure;
  auto done = [&](std::exception_ptr e) {
    if (e) failure = e;
  };
  asio::co_spawn(io, echo_server(rt, acceptor), done);
  asio::co_spawn(io, echo_client(rt, ep, kMessage, reply), done);
  io.run_for(10s);
  EXPECT_FALSE(failure);
  EXPECT_EQ(reply, kMessage);
}

// ---- failures a real stack gives ----

struct TwoNodes {
  World world;
  Network& net;
  NodeId a, b;
  Endpoint ep{Address::from_string("10.0.0.2"), 179};
  explicit TwoNodes(std::uint64_t seed, NetConfig cfg = {})
      : world(seed), net(Network::install(world, cfg)) {
    a = net.add_node("a", {Address::from_string("10.0.0.1")});
    b = net.add_node("b", {Address::from_string("10.0.0.2"), Address::from_string("2001:db8::2")});
  }
};

constexpr auto tuple_tok = asio::as_tuple(asio::use_awaitable_t<Executor>{});
constexpr auto aw_tok = asio::use_awaitable_t<Executor>{};

TEST(Net, ConnectionRefusedWithoutListener) {
  TwoNodes t(1);
  boost::system::error_code got;
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    auto [ec, s] = co_await async_connect(co_await asio::this_coro::executor, t.ep, tuple_tok);
    got = ec;
  });
  t.world.run();
  EXPECT_EQ(got, asio::error::connection_refused);
  EXPECT_EQ(t.world.now(), 2ms);  // SYN there, RST back
}

TEST(Net, ConnectTimesOutWhenPartitioned) {
  NetConfig cfg;
  cfg.connect_timeout = 20s;
  TwoNodes t(1, cfg);
  auto acc = t.net.listen(t.b, t.ep);
  auto partition = t.net.add_fault({Match{t.a, t.b}, FaultAction::partition});
  boost::system::error_code got;
  Nanos at{};
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    auto [ec, s] = co_await async_connect(co_await asio::this_coro::executor, t.ep, tuple_tok);
    got = ec;
    at = t.world.now();
  });
  t.world.run();
  EXPECT_EQ(got, asio::error::timed_out);
  EXPECT_EQ(at, 20s);
}

TEST(Net, ConnectSucceedsWhenPartitionLiftsInTime) {
  TwoNodes t(1);
  auto acc = t.net.listen(t.b, Endpoint(asio::ip::address_v6::any(), 179));
  auto partition = t.net.add_fault({Match{t.a, t.b}, FaultAction::partition});
  boost::system::error_code got = asio::error::fault;
  Nanos at{};
  const Endpoint v6(Address::from_string("2001:db8::2"), 179);
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    auto [ec, s] = co_await async_connect(co_await asio::this_coro::executor, v6, tuple_tok);
    got = ec;
    at = t.world.now();
  });
  t.world.run_for(2500ms);  // SYNs at 0s, 1s lost
  partition.release();
  t.world.run();
  EXPECT_FALSE(got) << got.message();
  EXPECT_EQ(at, Nanos(3s) + 2ms);  // third SYN at 3s, then one round trip
}

TEST(Net, CrashResetsPeerAndCancelsCoroutines) {
  TwoNodes t(1);
  auto acc = t.net.listen(t.b, t.ep);
  boost::system::error_code client_ec;
  bool server_cancelled = false;
  int boots = 0;
  t.net.set_boot(t.b, [&] {
    ++boots;
    t.net.spawn(
        t.b,
        [&]() -> asio::awaitable<void, Executor> {
          auto s = co_await acc.async_accept(aw_tok);
          Timer forever(co_await asio::this_coro::executor);
          forever.expires_after(24h);
          co_await forever.async_wait(aw_tok);
        },
        [&](std::exception_ptr e) { server_cancelled = e != nullptr; });
  });
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await async_connect(co_await asio::this_coro::executor, t.ep, aw_tok);
    char c;
    auto [ec, n] = co_await s.async_read_some(asio::buffer(&c, 1), tuple_tok);
    client_ec = ec;
  });
  t.world.run_for(1s);
  {
    auto crashed = t.net.crash(t.b);
    t.world.run_for(1s);
    EXPECT_TRUE(server_cancelled);
    EXPECT_EQ(client_ec, asio::error::connection_reset);
    EXPECT_FALSE(acc.is_open());
  }
  EXPECT_EQ(boots, 2);  // restarted when the guard was released
  EXPECT_TRUE(t.net.failures().empty());
}

TEST(Net, HalfCloseKeepsOtherDirection) {
  TwoNodes t(3);
  auto acc = t.net.listen(t.b, t.ep);
  std::string server_got, client_got;
  t.net.spawn(t.b, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await acc.async_accept(aw_tok);
    char buf[16];
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tuple_tok);
      if (ec == asio::error::eof) break;
      server_got.append(buf, n);
    }
    co_await asio::async_write(s, asio::buffer(std::string("after-fin")), aw_tok);
    s.close();
  });
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await async_connect(co_await asio::this_coro::executor, t.ep, aw_tok);
    co_await asio::async_write(s, asio::buffer(std::string("ping")), aw_tok);
    s.shutdown_send();
    char buf[16];
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tuple_tok);
      if (ec) break;
      client_got.append(buf, n);
    }
  });
  t.world.run();
  EXPECT_EQ(server_got, "ping");
  EXPECT_EQ(client_got, "after-fin");
  EXPECT_TRUE(t.net.failures().empty());
}

// A speaker's last words: it writes a NOTIFICATION and closes while the
// peer's data is still unread (or arrives after the close). The RST that
// close draws travels behind the bytes already sent, so the peer reads them
// first and only then sees the reset (RFC 4271 6: the NOTIFICATION must
// reach the peer). Both orders: the peer's data arrives before the close
// (unread data, RST at close) and after it (data for a closed socket).
TEST(Net, BytesSentBeforeAnAbortiveCloseArriveBeforeTheReset) {
  for (const bool peer_writes_first : {true, false}) {
    TwoNodes t(5);
    auto acc = t.net.listen(t.b, t.ep);
    std::string peer_got;
    boost::system::error_code peer_ec;
    t.net.spawn(t.b, [&]() -> asio::awaitable<void, Executor> {
      auto s = co_await acc.async_accept(aw_tok);
      if (peer_writes_first) {
        co_await asio::async_write(s, asio::buffer(std::string("keepalive")), aw_tok);
        auto timer = SimRuntime(t.net, t.b).make_timer();
        timer.expires_after(5ms);  // the data lands unread before the close
        co_await timer.async_wait(aw_tok);
      }
      char buf[64];
      for (;;) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tuple_tok);
        if (ec) {
          peer_ec = ec;
          break;
        }
        peer_got.append(buf, n);
        if (!peer_writes_first && peer_got == "notification") {
          // Data for the closed socket: its RST comes back behind nothing.
          co_await asio::async_write(s, asio::buffer(std::string("keepalive")), tuple_tok);
        }
      }
    });
    t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
      auto s = co_await async_connect(co_await asio::this_coro::executor, t.ep, aw_tok);
      if (peer_writes_first) {
        auto timer = SimRuntime(t.net, t.a).make_timer();
        timer.expires_after(3ms);
        co_await timer.async_wait(aw_tok);
      }
      co_await asio::async_write(s, asio::buffer(std::string("notification")), aw_tok);
      s.close();
    });
    t.world.run();
    EXPECT_EQ(peer_got, "notification") << "peer writes first: " << peer_writes_first;
    const boost::system::error_code expected =
        peer_writes_first ? boost::system::error_code(asio::error::connection_reset)
                          : boost::system::error_code(asio::error::eof);
    EXPECT_EQ(peer_ec, expected) << "peer writes first: " << peer_writes_first << ": "
                                 << peer_ec.message();
  }
}

// ---- properties ----

struct Schedule {
  std::uint64_t seed;
  std::vector<std::vector<std::uint8_t>> writes;
  std::size_t seg_max;
  std::int64_t latency_us;
  std::size_t window;
  std::size_t read_buf;
  std::vector<std::pair<int, int>> faults;  // (kind, start ms) each lasts some ms
};

// Runs a client writing `writes` (with small pauses) and a server reading
// everything; returns what the server read and whether it saw eof.
struct Outcome {
  std::vector<std::uint8_t> written, read;
  bool eof = false;
  boost::system::error_code client_ec, server_ec;
  std::uint64_t hash = 0;
};

Outcome run_schedule(const Schedule& sc) {
  NetConfig cfg;
  cfg.link.latency = std::chrono::microseconds(sc.latency_us);
  cfg.link.segment_bytes_max = sc.seg_max;
  cfg.link.send_window_bytes = sc.window;
  TwoNodes t(sc.seed, cfg);
  Outcome out;
  auto acc = t.net.listen(t.b, t.ep);
  t.net.spawn(t.b, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await acc.async_accept(aw_tok);
    std::vector<std::uint8_t> buf(sc.read_buf);
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tuple_tok);
      if (ec) {
        out.eof = ec == asio::error::eof;
        out.server_ec = ec;
        break;
      }
      out.read.insert(out.read.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    }
  });
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    auto ex = co_await asio::this_coro::executor;
    auto s = co_await async_connect(ex, t.ep, aw_tok);
    Timer pause(ex);
    for (const auto& w : sc.writes) {
      auto [ec, n] = co_await asio::async_write(s, asio::buffer(w), tuple_tok);
      if (ec) {
        out.client_ec = ec;
        co_return;
      }
      out.written.insert(out.written.end(), w.begin(), w.end());
      pause.expires_after(std::chrono::microseconds(w.size() % 700));
      co_await pause.async_wait(aw_tok);
    }
    s.shutdown_send();
  });
  std::vector<FaultGuard> guards;
  for (auto [kind, start_ms] : sc.faults) {
    t.world.run_until(t.world.now() + std::chrono::milliseconds(start_ms));
    const FaultAction action = kind == 0   ? FaultAction::delay
                               : kind == 1 ? FaultAction::stall
                                           : FaultAction::partition;
    guards.push_back(t.net.add_fault({Match{t.a, t.b}, action, std::chrono::milliseconds(3)}));
    if (guards.size() > 2) guards.erase(guards.begin());  // lifts the oldest
  }
  guards.clear();
  t.world.run();
  out.hash = t.world.trace().hash();
  return out;
}

rc::Gen<Schedule> gen_schedule() {
  return rc::gen::build<Schedule>(
      rc::gen::set(&Schedule::seed, rc::gen::arbitrary<std::uint64_t>()),
      rc::gen::set(&Schedule::writes, rc::gen::container<std::vector<std::vector<std::uint8_t>>>(
                                          rc::gen::arbitrary<std::vector<std::uint8_t>>())),
      rc::gen::set(&Schedule::seg_max, rc::gen::inRange<std::size_t>(1, 2000)),
      rc::gen::set(&Schedule::latency_us, rc::gen::inRange<std::int64_t>(0, 50'000)),
      rc::gen::set(&Schedule::window, rc::gen::inRange<std::size_t>(1, 100'000)),
      rc::gen::set(&Schedule::read_buf, rc::gen::inRange<std::size_t>(1, 3000)),
      rc::gen::set(&Schedule::faults,
                   rc::gen::container<std::vector<std::pair<int, int>>>(
                       rc::gen::pair(rc::gen::inRange(0, 3), rc::gen::inRange(0, 40)))));
}

RC_GTEST_PROP(NetProperty, BytesReadEqualBytesWrittenInOrder, ()) {
  const Schedule sc = *gen_schedule();
  const Outcome out = run_schedule(sc);
  RC_ASSERT(!out.client_ec);
  RC_ASSERT(out.eof);
  RC_ASSERT(out.read == out.written);
  std::size_t total = 0;
  for (const auto& w : sc.writes) total += w.size();
  RC_ASSERT(out.written.size() == total);
}

RC_GTEST_PROP(NetProperty, SameSeedSameTrace, ()) {
  const Schedule sc = *gen_schedule();
  RC_ASSERT(run_schedule(sc).hash == run_schedule(sc).hash);
}

RC_GTEST_PROP(NetProperty, ResetIsSeenByBothEnds, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto reset_after_us = *rc::gen::inRange<std::int64_t>(0, 20'000);
  const auto by_rule = *rc::gen::arbitrary<bool>();
  TwoNodes t(seed);
  auto acc = t.net.listen(t.b, t.ep);
  boost::system::error_code ec_a, ec_b;
  std::uint64_t conn = 0;
  auto pump = [&](Socket& s, boost::system::error_code& out) -> asio::awaitable<void, Executor> {
    std::vector<std::uint8_t> buf(100, 0x55);
    for (;;) {
      auto [ec, n] = co_await s.async_write_some(asio::buffer(buf), tuple_tok);
      if (!ec) std::tie(ec, n) = co_await s.async_read_some(asio::buffer(buf), tuple_tok);
      if (ec) {
        out = ec;
        co_return;
      }
    }
  };
  t.net.spawn(t.b, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await acc.async_accept(aw_tok);
    co_await pump(s, ec_b);
  });
  std::optional<Socket> client;
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    client = co_await async_connect(co_await asio::this_coro::executor, t.ep, aw_tok);
    conn = client->connection_id();
    co_await pump(*client, ec_a);
  });
  t.world.run_for(std::chrono::microseconds(2000 + reset_after_us));
  RC_ASSERT(conn != 0);
  FaultGuard g;
  if (by_rule)
    g = t.net.add_fault({Match{}, FaultAction::reset});
  else
    client->reset();
  t.world.run_for(1s);
  RC_ASSERT(ec_a == asio::error::connection_reset || ec_a == asio::error::operation_aborted);
  RC_ASSERT(ec_b == asio::error::connection_reset);
}

TEST(Net, WorldDestroyedWithParkedCoroutines) {
  // Spawned coroutines parked on accept, read and a timer when the world goes:
  // teardown must destroy their frames without touching freed memory (ASan).
  auto t = std::make_unique<TwoNodes>(11);
  auto acc = std::make_unique<Acceptor>(t->net.listen(t->b, t->ep));
  t->net.spawn(t->b, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await acc->async_accept(aw_tok);
    char c;
    co_await s.async_read_some(asio::buffer(&c, 1), aw_tok);
  });
  t->net.spawn(t->b, [&]() -> asio::awaitable<void, Executor> {
    Acceptor own = t->net.listen(t->b, Endpoint(Address::from_string("10.0.0.2"), 180));
    auto s2 = co_await own.async_accept(aw_tok);  // nobody connects
  });
  t->net.spawn(t->a, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await async_connect(co_await asio::this_coro::executor, t->ep, aw_tok);
    Timer forever(co_await asio::this_coro::executor);
    forever.expires_after(24h);
    co_await forever.async_wait(aw_tok);
  });
  t->world.run_for(1s);
  acc.reset();  // objects outside coroutines must go before the world
  t.reset();
}

// Sends "x" from a to b at t=0; `got` becomes the time b read it (-1: not yet).
void one_byte_arrival(TwoNodes& t, const std::function<void()>& install_faults, Nanos run_for,
                      Nanos& got) {
  auto acc = t.net.listen(t.b, t.ep);
  got = Nanos(-1);
  t.net.spawn(t.b, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await acc.async_accept(aw_tok);
    char c;
    auto [ec, n] = co_await s.async_read_some(asio::buffer(&c, 1), tuple_tok);
    if (!ec) got = t.world.now();
  });
  t.net.spawn(t.a, [&]() -> asio::awaitable<void, Executor> {
    auto s = co_await async_connect(co_await asio::this_coro::executor, t.ep, aw_tok);
    co_await asio::async_write(s, asio::buffer("x", 1), aw_tok);
    Timer hold(co_await asio::this_coro::executor);
    hold.expires_after(1h);
    co_await hold.async_wait(aw_tok);
  });
  install_faults();
  t.world.run_for(run_for);
}

TEST(Faults, StallHoldsDataButNotHandshakes) {
  TwoNodes t(5);
  FaultGuard stall;
  Nanos at{};
  one_byte_arrival(
      t,
      [&] {
        stall = t.net.add_fault({Match{t.a, t.b}, FaultAction::stall});
      },
      10s, at);
  EXPECT_EQ(at, Nanos(-1));  // connected (stall lets SYNs through) but data held
  stall.release();
  t.world.run_for(1s);
  EXPECT_EQ(at, Nanos(10s) + 1ms);  // re-sent when lifted, one latency later
  EXPECT_TRUE(t.net.failures().empty());
}

TEST(Faults, EarlierPassExemptsFromLaterRules) {
  TwoNodes t(5);
  std::vector<FaultGuard> guards;
  Nanos at{};
  one_byte_arrival(
      t,
      [&] {
        guards.push_back(t.net.add_fault({Match{t.a, t.b}, FaultAction::pass}));
        guards.push_back(t.net.add_fault({Match{}, FaultAction::partition}));
      },
      10s, at);
  EXPECT_GT(at, Nanos(0));  // the pass came first: a<->b is not partitioned
  EXPECT_LT(at, 10ms);
}

TEST(Faults, DelayAddsLatencyToEverySegment) {
  TwoNodes t(5);
  FaultGuard delay;
  Nanos at{};
  one_byte_arrival(
      t,
      [&] {
        delay =
            t.net.add_fault({Match{t.a, t.b}, FaultAction::delay, std::chrono::milliseconds(40)});
      },
      10s, at);
  // SYN, SYN-ACK and the data each take 1 ms + 40 ms.
  EXPECT_GE(at, Nanos(123ms));
  EXPECT_LT(at, Nanos(124ms));
}
