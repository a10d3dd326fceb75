// Notifier (speaker/session/notifier.hpp): the one-waiter wake-up signal the
// peer's coroutines wait on. Its waiter lives inline when it fits and on the
// heap when not; both paths, cancellation and teardown are checked here (the
// sanitized build checks that nothing leaks).
#include "speaker/session/notifier.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <memory>
#include <optional>

namespace {

using Ex = boost::asio::io_context::executor_type;
using bgpsim::session::Notifier;
using boost::system::error_code;

TEST(Notifier, NotifyBeforeWaitCompletesTheNextWait) {
  boost::asio::io_context io;
  Notifier<Ex> n(io.get_executor());
  n.notify();
  std::optional<error_code> got;
  n.async_wait([&](error_code ec) { got = ec; });
  EXPECT_FALSE(got);  // posted, not run inline
  io.run();
  ASSERT_TRUE(got);
  EXPECT_FALSE(*got);
}

TEST(Notifier, WaitThenNotifyCompletesOnce) {
  boost::asio::io_context io;
  Notifier<Ex> n(io.get_executor());
  int calls = 0;
  n.async_wait([&](error_code ec) {
    EXPECT_FALSE(ec);
    ++calls;
  });
  io.poll();
  EXPECT_EQ(calls, 0);
  n.notify();
  io.restart();
  io.poll();
  EXPECT_EQ(calls, 1);
  // The notification was consumed: a new wait waits.
  n.async_wait([&](error_code) { ++calls; });
  io.restart();
  io.poll();
  EXPECT_EQ(calls, 1);
  n.notify();
  io.restart();
  io.poll();
  EXPECT_EQ(calls, 2);
}

TEST(Notifier, AHandlerTooLargeForTheInlineBufferWorks) {
  boost::asio::io_context io;
  Notifier<Ex> n(io.get_executor());
  std::array<std::uint64_t, 32> big{};  // 256 bytes: over the inline size
  big[31] = 7;
  std::uint64_t seen = 0;
  n.async_wait([&, big](error_code ec) {
    EXPECT_FALSE(ec);
    seen = big[31];
  });
  n.notify();
  io.run();
  EXPECT_EQ(seen, 7u);
}

TEST(Notifier, CancellationCompletesWithAborted) {
  boost::asio::io_context io;
  Notifier<Ex> n(io.get_executor());
  boost::asio::cancellation_signal signal;
  std::optional<error_code> got;
  n.async_wait(
      boost::asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) { got = ec; }));
  signal.emit(boost::asio::cancellation_type::terminal);
  io.run();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, boost::asio::error::operation_aborted);
  // A later notify is kept for the next wait and touches no stale handler.
  n.notify();
  std::optional<error_code> next;
  n.async_wait(
      boost::asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) { next = ec; }));
  io.restart();
  io.run();
  ASSERT_TRUE(next);
  EXPECT_FALSE(*next);
}

TEST(Notifier, DestroyedWithAPendingWaiterReleasesIt) {
  boost::asio::io_context io;
  auto owned = std::make_shared<int>(1);
  std::weak_ptr<int> watch = owned;
  bool called = false;
  {
    Notifier<Ex> small(io.get_executor());
    small.async_wait([&called, owned](error_code) { called = true; });
    Notifier<Ex> large(io.get_executor());
    std::array<char, 200> pad{};
    large.async_wait([&called, owned, pad](error_code) { called = pad[0] == 0; });
    owned.reset();
    EXPECT_FALSE(watch.expired());  // the waiters hold it
  }
  EXPECT_TRUE(watch.expired());  // both waiters were destroyed, not leaked
  io.run();
  EXPECT_FALSE(called);
}

}  // namespace
