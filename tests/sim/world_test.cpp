// World, executor and timer tests.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <string>
#include <vector>

#include "sim/timer.hpp"
#include "sim/world.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using bgpsim::sim::Executor;
using bgpsim::sim::Nanos;
using bgpsim::sim::Timer;
using bgpsim::sim::World;

template <class T = void>
using Task = asio::awaitable<T, Executor>;
constexpr auto use_aw = asio::use_awaitable_t<Executor>{};
constexpr auto tuple_aw = asio::as_tuple(asio::use_awaitable_t<Executor>{});

TEST(World, PostRunsInOrderAtCurrentTime) {
  World w(1);
  std::vector<int> seen;
  for (int i = 0; i < 5; ++i) asio::post(w.get_executor(), [&, i] { seen.push_back(i); });
  EXPECT_EQ(w.run(), 5u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(w.now(), Nanos(0));
}

TEST(World, TimerWaitInCoroutine) {
  World w(1);
  Nanos woke{-1};
  asio::co_spawn(
      w.get_executor(),
      [&]() -> Task<> {
        Timer t(co_await asio::this_coro::executor);
        t.expires_after(1500ms);
        co_await t.async_wait(use_aw);
        woke = w.now();
      },
      asio::detached);
  w.run();
  EXPECT_EQ(woke, Nanos(1500ms));
}

TEST(World, TimerCancelCompletesWithAborted) {
  World w(1);
  boost::system::error_code got;
  Nanos at{-1};
  Timer t(w.get_executor());
  t.expires_after(10s);
  t.async_wait([&](boost::system::error_code ec) {
    got = ec;
    at = w.now();
  });
  Timer canceller(w.get_executor());
  canceller.expires_after(2s);
  canceller.async_wait([&](boost::system::error_code) { t.cancel(); });
  w.run();
  EXPECT_EQ(got, asio::error::operation_aborted);
  EXPECT_EQ(at, Nanos(2s));
}

// The timer's state is inline (no allocation of its own); its pending waits
// point back at it, so a move must carry them along.
TEST(World, TimerMovedWhileWaitingKeepsItsWaits) {
  World w(1);
  std::vector<std::pair<boost::system::error_code, Nanos>> seen;
  auto record = [&](boost::system::error_code ec) { seen.emplace_back(ec, w.now()); };
  Timer first(w.get_executor());
  first.expires_after(5s);
  first.async_wait(record);
  Timer moved(std::move(first));  // move-construct with a wait pending
  Timer cancelled(w.get_executor());
  cancelled.expires_after(7s);
  cancelled.async_wait(record);
  Timer target(w.get_executor());
  target.expires_after(9s);
  target.async_wait(record);
  target = std::move(cancelled);  // target's own wait is cancelled, cancelled's moves in
  w.run_until(Nanos(1s));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0],
            std::make_pair(boost::system::error_code(asio::error::operation_aborted), Nanos(0)));
  EXPECT_EQ(moved.cancel() + target.cancel(), 2u);  // both waits are found where they moved to
  w.run();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].first, asio::error::operation_aborted);
  EXPECT_EQ(seen[2].first, asio::error::operation_aborted);
  EXPECT_EQ(w.now(), Nanos(1s));  // nothing was left in the queue to wait for
}

TEST(World, TimerMovedWhileWaitingFiresAtItsExpiry) {
  World w(1);
  std::vector<Timer> timers;
  std::vector<std::int64_t> fired;
  for (int i = 0; i < 3; ++i) {
    timers.emplace_back(w.get_executor());  // reallocations move the pending waits
    timers.back().expires_after(Nanos(10 - i));
    timers.back().async_wait([&, i](boost::system::error_code ec) {
      if (!ec) fired.push_back(i * 100 + w.now().count());
    });
  }
  w.run();
  EXPECT_EQ(fired, (std::vector<std::int64_t>{208, 109, 10}));
}

// `co_await op(deferred)` resumes the caller without Asio's initiation frame;
// the speaker waits this way, so cancellation must reach such a wait too.
TEST(World, DeferredWaitsCompleteAndCancel) {
  using namespace asio::experimental::awaitable_operators;
  World w(1);
  std::vector<std::string> seen;
  asio::co_spawn(
      w.get_executor(),
      [&]() -> Task<> {
        auto ex = co_await asio::this_coro::executor;
        Timer t(ex);
        t.expires_after(1500ms);
        co_await t.async_wait(asio::deferred);
        seen.push_back("woke " + std::to_string(w.now().count()));
        Timer other(ex);
        other.expires_after(1s);
        other.async_wait([&](boost::system::error_code) { t.cancel(); });
        t.expires_after(1h);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::deferred));
        seen.push_back("cancelled " + ec.message());
        try {
          t.expires_after(1h);
          other.expires_after(1s);
          other.async_wait([&](boost::system::error_code) { t.cancel(); });
          co_await t.async_wait(asio::deferred);
        } catch (const boost::system::system_error& e) {
          seen.push_back("threw " +
                         std::string(e.code() == asio::error::operation_aborted ? "aborted" : "?"));
        }
        // A deferred wait inside a coroutine that loses an `||` race is
        // cancelled through the thread's cancellation slot.
        auto slow = [](Executor on) -> Task<int> {
          Timer s(on);
          s.expires_after(1h);
          auto [sec] = co_await s.async_wait(asio::as_tuple(asio::deferred));
          co_return sec ? 1 : 2;
        };
        Timer fast(ex);
        fast.expires_after(2s);
        auto r = co_await (fast.async_wait(use_aw) || slow(ex));
        seen.push_back("winner " + std::to_string(r.index()));
      },
      asio::detached);
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"woke 1500000000", "cancelled Operation canceled",
                                            "threw aborted", "winner 0"}));
  EXPECT_EQ(w.now(), Nanos(5500ms));  // the loser's hour was never waited for
}

TEST(World, EqualDeadlinesFireInCreationOrder) {
  World w(1);
  std::vector<int> order;
  std::vector<Timer> timers;
  for (int i = 0; i < 1000; ++i) timers.emplace_back(w.get_executor());
  for (int i = 0; i < 1000; ++i) {
    timers[i].expires_at(Nanos(5s));
    timers[i].async_wait([&, i](boost::system::error_code ec) {
      if (!ec) order.push_back(i);
    });
  }
  w.run();
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[i], i);
}

TEST(World, RunUntilStopsExactlyAtDeadline) {
  World w(1);
  std::vector<std::int64_t> fired;
  std::vector<Timer> timers;
  for (int i = 0; i < 3; ++i) timers.emplace_back(w.get_executor());
  const Nanos deadlines[] = {Nanos(999), Nanos(1000), Nanos(1001)};
  for (int i = 0; i < 3; ++i) {
    timers[i].expires_at(deadlines[i]);
    timers[i].async_wait([&, i](boost::system::error_code) { fired.push_back(i); });
  }
  w.run_until(Nanos(1000));
  EXPECT_EQ(w.now(), Nanos(1000));
  EXPECT_EQ(fired, (std::vector<std::int64_t>{0, 1}));
  w.run_for(Nanos(1));
  EXPECT_EQ(fired.size(), 3u);
  EXPECT_EQ(w.now(), Nanos(1001));
  w.run_until(Nanos(5000));
  EXPECT_EQ(w.now(), Nanos(5000));
}

TEST(World, AwaitableOrCancelsTheLoser) {
  using namespace asio::experimental::awaitable_operators;
  World w(1);
  int winner = -1;
  Nanos at{-1};
  asio::co_spawn(
      w.get_executor(),
      [&]() -> Task<> {
        auto ex = co_await asio::this_coro::executor;
        Timer fast(ex), slow(ex);
        fast.expires_after(1s);
        slow.expires_after(1h);
        auto r = co_await (fast.async_wait(use_aw) || slow.async_wait(use_aw));
        winner = static_cast<int>(r.index());
        at = w.now();
      },
      asio::detached);
  w.run();
  EXPECT_EQ(winner, 0);
  EXPECT_EQ(at, Nanos(1s));
  EXPECT_EQ(w.now(), Nanos(1s));  // the slow timer was cancelled, not waited for
}

TEST(World, DerivedSeedsAreStableAndDistinct) {
  World a(42), b(42), c(43);
  EXPECT_EQ(a.derive_seed("net"), b.derive_seed("net"));
  EXPECT_NE(a.derive_seed("net"), a.derive_seed("node/a"));
  EXPECT_NE(a.derive_seed("net"), c.derive_seed("net"));
  EXPECT_EQ(a.rng().next(), b.rng().next());
}

TEST(World, DestroyWithPendingCoroutines) {
  auto w = std::make_unique<World>(1);
  asio::co_spawn(
      w->get_executor(),
      [&]() -> Task<> {
        Timer t(co_await asio::this_coro::executor);
        t.expires_after(1h);
        co_await t.async_wait(use_aw);
      },
      asio::detached);
  w->run_for(1s);
  w.reset();  // must not leak (ASan) or crash
}

// Events due at the current instant wait in a FIFO beside the heap
// (world.hpp): the order must stay (time, sequence) across the two.
namespace {
struct Recorder final : bgpsim::sim::Event {
  std::vector<std::string>* seen = nullptr;
  std::string name;
  std::function<void()> then;
  void fire() override {
    seen->push_back(name);
    if (then) then();
  }
  void discard() override {}
};
}  // namespace

TEST(World, EventsDueNowKeepSequenceOrderWithTheHeap) {
  World w(1);
  std::vector<std::string> seen;
  Recorder a, b, c, d, e;
  for (auto [r, n] : std::vector<std::pair<Recorder*, const char*>>{
           {&a, "a"}, {&b, "b"}, {&c, "c"}, {&d, "d"}, {&e, "e"}}) {
    r->seen = &seen;
    r->name = n;
  }
  // a and b are in the heap for t=10; a, when it runs, queues c and d at
  // its instant and cancels e (queued now, never run). b was scheduled
  // before c and d, so it runs before them.
  w.schedule_at(a, 10);
  w.schedule_at(b, 10);
  a.then = [&] {
    w.schedule_now(c);
    w.schedule_at(d, 3);  // in the past: due now, after c
    w.schedule_now(e);
    EXPECT_EQ(w.queued_events(), 4u);
    w.unschedule(e);
    EXPECT_FALSE(e.queued());
    EXPECT_EQ(w.queued_events(), 3u);
    EXPECT_EQ(w.next_event_ns(), 10);
  };
  EXPECT_EQ(w.run_until(Nanos(20)), 4u);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(w.now(), Nanos(20));
  EXPECT_EQ(w.queued_events(), 0u);
}

TEST(World, EventsDueNowRunBeforeTheClockMoves) {
  World w(1);
  std::vector<std::string> seen;
  Recorder later, now1, now2;
  later.seen = now1.seen = now2.seen = &seen;
  later.name = "later";
  now1.name = "now1";
  now2.name = "now2";
  now1.then = [&] { w.schedule_now(now2); };
  w.schedule_at(later, 5);
  w.schedule_now(now1);
  EXPECT_EQ(w.poll(), 2u);  // only what is due at t=0
  EXPECT_EQ(seen, (std::vector<std::string>{"now1", "now2"}));
  EXPECT_EQ(w.now(), Nanos(0));
  EXPECT_EQ(w.run(), 1u);
  EXPECT_EQ(w.now(), Nanos(5));
  // A queued event rescheduled moves from the FIFO to the heap and back.
  w.schedule_now(now1);
  now1.then = nullptr;
  w.schedule_at(now1, 7);
  EXPECT_EQ(w.next_event_ns(), 7);
  w.schedule_now(now1);
  EXPECT_EQ(w.next_event_ns(), 5);
  EXPECT_EQ(w.run(), 1u);
  EXPECT_EQ(seen.back(), "now1");
}
