// A one-waiter wake-up signal for coroutines on any Asio executor (the real
// one or the simulator's). notify() wakes the waiter, or makes the next wait
// return at once. The wait honours cancellation slots, so it can sit inside
// the awaitable operators (`||`) and be cancelled by them.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <memory>

namespace bgpsim::session {

template <class Executor>
class Notifier {
 public:
  explicit Notifier(Executor ex) : ex_(std::move(ex)) {}
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  ~Notifier() {
    if (slot_.is_connected()) slot_.clear();
  }

  void notify() {
    if (waiter_)
      complete({});
    else
      pending_ = true;
  }

  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          if (pending_) {
            pending_ = false;
            boost::asio::post(ex_, [h = std::move(handler)]() mutable {
              std::move(h)(boost::system::error_code{});
            });
            return;
          }
          slot_ = boost::asio::get_associated_cancellation_slot(handler);
          if (slot_.is_connected())
            slot_.assign([this](boost::asio::cancellation_type) {
              // Runs inside the slot's handler: leave the slot alone.
              if (waiter_) complete(boost::asio::error::operation_aborted, false);
            });
          waiter_ = std::make_unique<Waiter<decltype(handler)>>(std::move(handler));
        },
        token);
  }

 private:
  void complete(boost::system::error_code ec, bool clear_slot = true) {
    if (clear_slot && slot_.is_connected()) slot_.clear();
    slot_ = {};
    auto waiter = std::move(waiter_);
    waiter->complete(ex_, ec);
  }

  // Type erasure for the one pending handler. (Asio's any_completion_handler
  // would do, but in Boost 1.81 it installs its own handler in the
  // cancellation slot, replacing ours.)
  struct WaiterBase {
    virtual ~WaiterBase() = default;
    virtual void complete(const Executor& ex, boost::system::error_code ec) = 0;
  };
  template <class Handler>
  struct Waiter final : WaiterBase {
    explicit Waiter(Handler h) : handler(std::move(h)) {}
    void complete(const Executor& ex, boost::system::error_code ec) override {
      boost::asio::post(ex, [h = std::move(handler), ec]() mutable { std::move(h)(ec); });
    }
    Handler handler;
  };

  Executor ex_;
  bool pending_ = false;
  std::unique_ptr<WaiterBase> waiter_;
  boost::asio::cancellation_slot slot_;
};

}  // namespace bgpsim::session
