// A one-waiter wake-up signal for coroutines on any Asio executor (the real
// one or the simulator's). notify() wakes the waiter, or makes the next wait
// return at once. The wait honours cancellation slots, so it can sit inside
// the awaitable operators (`||`) and be cancelled by them.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <new>

#include "speaker/runtime/prefetch.hpp"

namespace bgpsim::session {

template <class Executor>
class Notifier {
 public:
  explicit Notifier(Executor ex) : ex_(std::move(ex)) {}
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  ~Notifier() {
    if (slot_.is_connected()) slot_.clear();
    release();
  }

  // A hint that notify() comes soon: starts loading the lines it touches (the
  // waiter, the slot and the handler installed in it), which are cold when a
  // writer has waited for seconds among thousands of sessions. Changes nothing.
  void prefetch() const {
    __builtin_prefetch(this);
    if (!waiter_) return;
    runtime::prefetch_cancellation(slot_, installed_);
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
            installed_ = &slot_.assign([this](boost::asio::cancellation_type) {
              // Runs inside the slot's handler: leave the slot alone.
              if (waiter_) complete(boost::asio::error::operation_aborted, false);
            });
          store(std::move(handler));
        },
        token);
  }

 private:
  void complete(boost::system::error_code ec, bool clear_slot = true) {
    if (clear_slot && slot_.is_connected()) slot_.clear();
    slot_ = {};
    installed_ = nullptr;
    // complete() posts the handler (never runs it inline), so no new wait
    // can reuse the storage before release().
    waiter_->complete(ex_, ec);
    release();
  }

  // The waiter lives in the notifier itself when it fits (an awaitable's
  // handler is a few pointers): a notifier is waited on once per message a
  // writer sends, and a heap allocation per wait showed in the profiles.
  template <class Handler>
  void store(Handler handler) {
    using W = Waiter<Handler>;
    constexpr bool fits = sizeof(W) <= sizeof(inline_) && alignof(W) <= alignof(std::max_align_t);
    waiter_inline_ = fits;
    if constexpr (fits)
      waiter_ = new (inline_) W(std::move(handler));
    else
      waiter_ = new W(std::move(handler));
  }
  void release() {
    if (!waiter_) return;
    if (waiter_inline_)
      waiter_->~WaiterBase();
    else
      delete waiter_;
    waiter_ = nullptr;
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
  WaiterBase* waiter_ = nullptr;
  bool waiter_inline_ = false;
  alignas(std::max_align_t) std::byte inline_[64];
  boost::asio::cancellation_slot slot_;
  const void* installed_ = nullptr;  // the handler in slot_ (for prefetch)
};

}  // namespace bgpsim::session
