// Asynchronous operations of the simulator as Asio sees them: each pending
// operation owns its completion handler, honours the handler's cancellation
// slot (needed by the awaitable operators `||`/`&&` and by node crashes) and
// completes through the handler's associated executor.
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/system/error_code.hpp>

#include <new>
#include <tuple>
#include <type_traits>

#include "sim/world.hpp"

namespace bgpsim::sim::detail {

// Invokes h(args...) as a completion. When the handler runs on this world's
// executor we are already inside it, so a direct call is what dispatch() would
// do anyway, minus the type-erasure cost.
template <class Handler, class... Args>
void complete(const Executor& ex, Handler&& h, Args&&... args) {
  auto hex = boost::asio::get_associated_executor(h, ex);
  if constexpr (std::is_same_v<decltype(hex), Executor>) {
    std::move(h)(std::forward<Args>(args)...);
  } else {
    boost::asio::dispatch(hex, boost::asio::append(std::move(h), std::forward<Args>(args)...));
  }
}

// A pending operation with result type Args. Owners (timers, sockets) keep a
// pointer while the operation is parked; `owner_cancel` lets a cancellation
// request reach the owner, which detaches the op and completes it.
template <class... Args>
class Op : public Event {
 public:
  using result_type = std::tuple<Args...>;
  result_type result;
  // complete == true: detach and complete with operation_aborted;
  // complete == false: only detach (the op is being destroyed).
  using OwnerFn = void (*)(void* owner, Op* op, bool complete);
  OwnerFn owner_fn = nullptr;
  void* owner = nullptr;

  void park(void* who, OwnerFn fn) {
    owner = who;
    owner_fn = fn;
  }
  void unpark() {
    owner = nullptr;
    owner_fn = nullptr;
  }
  void request_cancel() {
    if (owner_fn) owner_fn(owner, this, true);
  }
  void forget() {
    if (owner_fn) owner_fn(owner, this, false);
  }
};

template <class Base, class Handler>
class HandlerOp final : public Base {
 public:
  template <class H>
  HandlerOp(H&& h, const Executor& ex) : handler_(std::forward<H>(h)), ex_(ex) {
    slot_ = boost::asio::get_associated_cancellation_slot(handler_);
    if (slot_.is_connected()) slot_.template emplace<Canceller>(this);
  }

  void fire() override {
    this->forget();  // a timer wait that expired is still listed in its timer
    if (slot_.is_connected()) slot_.clear();
    Handler h(std::move(handler_));
    auto values = std::move(this->result);
    const Executor ex = ex_;
    destroy();
    std::apply([&](auto&&... a) { complete(ex, std::move(h), std::move(a)...); },
               std::move(values));
  }
  void prefetch() const override {
    __builtin_prefetch(this->owner);
    if constexpr (requires(Handler & h) { h.entry_point(); })
      __builtin_prefetch(const_cast<Handler&>(handler_).entry_point());
  }
  void discard() override {
    if (slot_.is_connected()) slot_.clear();
    this->forget();
    destroy();
  }

 private:
  struct Canceller {
    HandlerOp* op;
    void operator()(boost::asio::cancellation_type type) const {
      if ((type &
           (boost::asio::cancellation_type::terminal | boost::asio::cancellation_type::partial |
            boost::asio::cancellation_type::total)) != boost::asio::cancellation_type::none)
        op->request_cancel();
    }
  };
  // Memory comes from Asio's per-thread recycling cache (the world pushes one
  // while it runs), so steady-state waits do not touch malloc.
  void destroy() {
    using Alloc = boost::asio::recycling_allocator<HandlerOp>;
    Alloc alloc;
    this->~HandlerOp();
    alloc.deallocate(this, 1);
  }
  Handler handler_;
  Executor ex_;
  boost::asio::cancellation_slot slot_;
};

template <class Base, class Handler>
HandlerOp<Base, std::decay_t<Handler>>* make_op(Handler&& h, const Executor& ex) {
  using Op = HandlerOp<Base, std::decay_t<Handler>>;
  boost::asio::recycling_allocator<Op> alloc;
  Op* p = alloc.allocate(1);
  try {
    return new (p) Op(std::forward<Handler>(h), ex);
  } catch (...) {
    alloc.deallocate(p, 1);
    throw;
  }
}

}  // namespace bgpsim::sim::detail
