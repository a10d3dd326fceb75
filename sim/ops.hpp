// Asynchronous operations of the simulator as Asio sees them: each pending
// operation owns its completion handler, honours the handler's cancellation
// slot (needed by the awaitable operators `||`/`&&` and by node crashes) and
// completes through the handler's associated executor.
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <new>
#include <tuple>
#include <type_traits>

#include "sim/world.hpp"
#include "speaker/runtime/prefetch.hpp"

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

// ---- where a completion will land, for Event::prefetch ----
// With thousands of coroutines pending, every completion resumes cold
// memory: the coroutine frames of the awaiting thread (Asio's initiation
// frame on top, the caller's frame below it) and the cancellation handler
// the operation installed. Their addresses are read when the operation
// starts, while they are hot, through Asio's protected members (Boost 1.81,
// as world.cpp's thread_info_base), and only ever used as prefetch hints.
namespace asio_detail = boost::asio::detail;
template <class E, class T>
struct HandlerPeek : asio_detail::awaitable_handler_base<E, T> {
  static asio_detail::awaitable_frame_base<E>* top(asio_detail::awaitable_handler_base<E, T>& h) {
    return (h.*(&HandlerPeek::frame))();
  }
};
template <class E>
struct FramePeek : asio_detail::awaitable_frame_base<E> {
  static asio_detail::awaitable_frame_base<E>* caller(asio_detail::awaitable_frame_base<E>& f) {
    return f.*(&FramePeek::caller_);
  }
  static void* address(asio_detail::awaitable_frame_base<E>& f) {
    return (f.*(&FramePeek::coro_)).address();
  }
};
struct Landing {
  const void* lines[3] = {nullptr, nullptr, nullptr};
};
template <class E, class T>
Landing landing_base(asio_detail::awaitable_handler_base<E, T>& h) {
  auto* top = HandlerPeek<E, T>::top(h);
  if (!top) return {};
  auto* caller = FramePeek<E>::caller(*top);
  return {{top, caller, caller ? FramePeek<E>::address(*caller) : nullptr}};
}
// A handler that resumes the awaiting frame itself, with no initiation frame
// between: `co_await op(deferred)` (Asio's awaitable_async_op_handler). The
// awaiting frame is the top of the thread's stack, which the entry frame
// keeps in a private member; an explicit instantiation may name it
// ([temp.spec.general]/6), which is how its pointer-to-member is read. The
// lines: the frame's promise, its start (the resume pointer) and the
// promise's second line.
using EntryFrame =
    asio_detail::awaitable_frame<asio_detail::awaitable_thread_entry_point, Executor>;
struct TopOfStack {
  using Member = asio_detail::awaitable_frame_base<Executor>* EntryFrame::*;
  friend Member top_of_stack_member(TopOfStack);
};
template <TopOfStack::Member M>
struct TopOfStackAccess {
  friend TopOfStack::Member top_of_stack_member(TopOfStack) { return M; }
};
template struct TopOfStackAccess<&EntryFrame::top_of_stack_>;
inline Landing landing_thread(asio_detail::awaitable_thread<Executor>& t) {
  auto* top = t.entry_point()->*top_of_stack_member(TopOfStack{});
  if (!top) return {};
  return {{top, FramePeek<Executor>::address(*top), reinterpret_cast<const char*>(top) + 64}};
}
// The handlers our operations see: an awaitable's, maybe inside as_tuple or
// async_write's composed operation (their handler_ members are public).
template <class H>
Landing landing_of(H& h) {
  if constexpr (requires { landing_base(h); })
    return landing_base(h);
  else if constexpr (requires { landing_thread(h); })
    return landing_thread(h);
  else if constexpr (requires { h.handler_; })
    return landing_of(h.handler_);
  else
    return {};
}

template <class Base, class Handler>
class HandlerOp final : public Base {
 public:
  template <class H>
  HandlerOp(H&& h, const Executor& ex) : handler_(std::forward<H>(h)), ex_(ex) {
    slot_ = boost::asio::get_associated_cancellation_slot(handler_);
    if (slot_.is_connected()) canceller_ = &slot_.template emplace<Canceller>(this);
    landing_ = landing_of(handler_);
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
    runtime::prefetch_cancellation(slot_, canceller_);
    for (const void* p : landing_.lines) __builtin_prefetch(p);
    if constexpr (requires(Handler & h) { h.entry_point(); }) {
      // The thread's bookkeeping (top of stack, cancellation state) lies past
      // the first line of the entry frame's promise.
      const auto* entry =
          reinterpret_cast<const char*>(const_cast<Handler&>(handler_).entry_point());
      __builtin_prefetch(entry);
      __builtin_prefetch(entry + 64);
    }
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
  // Memory comes from the world's pool (World::allocate), so steady-state
  // waits do not touch malloc.
  void destroy() {
    World& w = ex_.world();
    this->~HandlerOp();
    w.deallocate(this, sizeof(HandlerOp));
  }
  Handler handler_;
  Executor ex_;
  boost::asio::cancellation_slot slot_;
  const void* canceller_ = nullptr;  // what slot_.clear() will touch
  Landing landing_;
};

template <class Base, class Handler>
HandlerOp<Base, std::decay_t<Handler>>* make_op(Handler&& h, const Executor& ex) {
  using Op = HandlerOp<Base, std::decay_t<Handler>>;
  static_assert(alignof(Op) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  void* p = ex.world().allocate(sizeof(Op));
  try {
    return new (p) Op(std::forward<Handler>(h), ex);
  } catch (...) {
    ex.world().deallocate(p, sizeof(Op));
    throw;
  }
}

}  // namespace bgpsim::sim::detail
