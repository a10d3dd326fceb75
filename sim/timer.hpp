// Virtual-time timer with the shape of boost::asio::steady_timer. Asio's own
// basic_waitable_timer reads a static clock, so it cannot serve several
// worlds; this one reads the world's clock and belongs to a node (a crash
// cancels it).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/container/small_vector.hpp>

#include "sim/ops.hpp"

namespace bgpsim::sim {

// The timer's state lives inline (in the awaiting coroutine's frame, usually):
// a separately allocated state was one more cold cache line per wait with
// 100,000 timers. Pending waits point back at the timer, so a move re-points
// them.
class Timer {
 public:
  using executor_type = Executor;
  using WaitOp = detail::Op<boost::system::error_code>;

  explicit Timer(const Executor& ex) : ex_(ex), epoch_(ex.world().node_epoch(ex.node())) {}
  Timer(Timer&& o) noexcept
      : ex_(o.ex_), epoch_(o.epoch_), expiry_ns_(o.expiry_ns_), waits_(std::move(o.waits_)) {
    o.waits_.clear();
    for (WaitOp* op : waits_) op->park(this, &Timer::on_owner);
  }
  Timer& operator=(Timer&& o) noexcept {
    if (this == &o) return *this;
    cancel();
    ex_ = o.ex_;
    epoch_ = o.epoch_;
    expiry_ns_ = o.expiry_ns_;
    waits_ = std::move(o.waits_);
    o.waits_.clear();
    for (WaitOp* op : waits_) op->park(this, &Timer::on_owner);
    return *this;
  }
  ~Timer() { cancel(); }

  executor_type get_executor() const noexcept { return ex_; }

  // Like Asio: setting the expiry cancels pending waits. Returns how many.
  std::size_t expires_after(Nanos d) {
    const std::size_t n = cancel();
    expiry_ns_ = ex_.world().now_ns() + d.count();
    return n;
  }
  std::size_t expires_at(Nanos t) {
    const std::size_t n = cancel();
    expiry_ns_ = t.count();
    return n;
  }
  Nanos expiry() const { return Nanos(expiry_ns_); }
  std::size_t cancel() {
    const std::size_t n = waits_.size();
    if (n == 0) return 0;  // the common case: rearming an expired timer
    for (WaitOp* op : waits_) {
      op->unpark();
      std::get<0>(op->result) = boost::asio::error::operation_aborted;
      ex_.world().schedule_now(*op);
    }
    waits_.clear();  // keeps capacity: no allocation per wait
    return n;
  }

  // Completes with no error at the expiry, or operation_aborted when
  // cancelled (cancel(), expires_*, a cancellation slot, a node crash).
  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, Timer* self) {
          self->start(detail::make_op<WaitOp>(std::move(handler), self->ex_));
        },
        token, this);
  }

 private:
  bool node_gone() const {
    World& w = ex_.world();
    return !w.node_up(ex_.node()) || w.node_epoch(ex_.node()) != epoch_;
  }
  void start(WaitOp* op) {
    World& w = ex_.world();
    if (node_gone()) {
      std::get<0>(op->result) = boost::asio::error::operation_aborted;
      w.schedule_now(*op);
      return;
    }
    op->park(this, &Timer::on_owner);
    waits_.push_back(op);
    w.schedule_at(*op, expiry_ns_);
  }
  void detach(WaitOp* op) {
    op->unpark();
    for (std::size_t i = 0; i < waits_.size(); ++i)
      if (waits_[i] == op) {
        waits_.erase(waits_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
  }
  static void on_owner(void* self, WaitOp* op, bool complete) {
    auto* t = static_cast<Timer*>(self);
    t->detach(op);
    if (complete) {
      std::get<0>(op->result) = boost::asio::error::operation_aborted;
      t->ex_.world().schedule_now(*op);
    }
  }

  Executor ex_;
  std::uint32_t epoch_;
  std::int64_t expiry_ns_ = 0;
  // In start order. Inline storage: a fired wait detaches itself here, and a
  // separately allocated list was one more cold cache line per fire.
  boost::container::small_vector<WaitOp*, 2> waits_;
};

}  // namespace bgpsim::sim
