// A dynamic set of coroutines that are joined, never detached: each task's
// completion (and exception) is observed, join() waits for all of them and
// rethrows the first failure, and cancel() cancels every task still running.
// The reactor uses it for peers, which come and go with reloads.
#pragma once

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <list>

#include "speaker/session/notifier.hpp"

namespace bgpsim::reactor {

template <class Executor>
class TaskGroup {
 public:
  explicit TaskGroup(Executor ex) : ex_(ex), done_(ex) {}
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  void spawn(boost::asio::awaitable<void, Executor> task) {
    auto signal = signals_.emplace(signals_.end());
    ++running_;
    boost::asio::co_spawn(
        ex_, std::move(task),
        boost::asio::bind_cancellation_slot(signal->slot(), [this, signal](std::exception_ptr e) {
          if (e && !first_error_ && !is_cancellation(e)) first_error_ = e;
          signals_.erase(signal);
          --running_;
          done_.notify();
        }));
  }

  void cancel() {
    for (auto& s : signals_) s.emit(boost::asio::cancellation_type::terminal);
  }

  std::size_t running() const { return running_; }

  // Waits until no task runs; rethrows the first task failure.
  boost::asio::awaitable<void, Executor> join() {
    while (running_ > 0) {
      auto [ec] = co_await done_.async_wait(
          boost::asio::as_tuple(boost::asio::use_awaitable_t<Executor>{}));
      if (ec) {
        cancel();  // we were cancelled: cancel the tasks and keep waiting for them
        continue;
      }
    }
    if (first_error_) std::rethrow_exception(first_error_);
  }

 private:
  // A task that ends because we cancelled it is not a failure.
  static bool is_cancellation(std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const boost::system::system_error& error) {
      return error.code() == boost::asio::error::operation_aborted;
    } catch (...) {
      return false;
    }
  }

  Executor ex_;
  session::Notifier<Executor> done_;
  std::list<boost::asio::cancellation_signal> signals_;
  std::size_t running_ = 0;
  std::exception_ptr first_error_;
};

}  // namespace bgpsim::reactor
