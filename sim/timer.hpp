// Virtual-time timer with the shape of boost::asio::steady_timer. Asio's own
// basic_waitable_timer reads a static clock, so it cannot serve several
// worlds; this one reads the world's clock and belongs to a node (a crash
// cancels it).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/container/small_vector.hpp>

#include <memory>

#include "sim/ops.hpp"

namespace bgpsim::sim {

class Timer {
 public:
  using executor_type = Executor;
  using WaitOp = detail::Op<boost::system::error_code>;

  explicit Timer(const Executor& ex) : impl_(std::make_unique<Impl>(ex)) {}
  Timer(Timer&&) noexcept = default;
  Timer& operator=(Timer&&) noexcept = default;
  ~Timer() = default;

  executor_type get_executor() const noexcept { return impl_->ex; }

  // Like Asio: setting the expiry cancels pending waits. Returns how many.
  std::size_t expires_after(Nanos d) {
    const std::size_t n = cancel();
    impl_->expiry_ns = impl_->ex.world().now_ns() + d.count();
    return n;
  }
  std::size_t expires_at(Nanos t) {
    const std::size_t n = cancel();
    impl_->expiry_ns = t.count();
    return n;
  }
  Nanos expiry() const { return Nanos(impl_->expiry_ns); }
  std::size_t cancel() { return impl_->cancel_all(); }

  // Completes with no error at the expiry, or operation_aborted when
  // cancelled (cancel(), expires_*, a cancellation slot, a node crash).
  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [](auto handler, Impl* impl) {
          auto* op = detail::make_op<WaitOp>(std::move(handler), impl->ex);
          impl->start(op);
        },
        token, impl_.get());
  }

 private:
  struct Impl {
    explicit Impl(const Executor& e) : ex(e), epoch(e.world().node_epoch(e.node())) {}
    ~Impl() { cancel_all(); }
    Executor ex;
    std::uint32_t epoch;
    std::int64_t expiry_ns = 0;
    // In start order. Inline storage: a fired wait detaches itself here, and a
    // separately allocated list was one more cold cache line per fire.
    boost::container::small_vector<WaitOp*, 2> waits;

    bool node_gone() const {
      World& w = ex.world();
      return !w.node_up(ex.node()) || w.node_epoch(ex.node()) != epoch;
    }
    void start(WaitOp* op) {
      World& w = ex.world();
      if (node_gone()) {
        std::get<0>(op->result) = boost::asio::error::operation_aborted;
        w.schedule_now(*op);
        return;
      }
      op->park(this, &Impl::on_owner);
      waits.push_back(op);
      w.schedule_at(*op, expiry_ns);
    }
    void detach(WaitOp* op) {
      op->unpark();
      for (std::size_t i = 0; i < waits.size(); ++i)
        if (waits[i] == op) {
          waits.erase(waits.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
    }
    static void on_owner(void* self, WaitOp* op, bool complete) {
      auto* impl = static_cast<Impl*>(self);
      impl->detach(op);
      if (complete) {
        std::get<0>(op->result) = boost::asio::error::operation_aborted;
        impl->ex.world().schedule_now(*op);
      }
    }
    std::size_t cancel_all() {
      const std::size_t n = waits.size();
      if (n == 0) return 0;  // the common case: rearming an expired timer
      for (WaitOp* op : waits) {
        op->unpark();
        std::get<0>(op->result) = boost::asio::error::operation_aborted;
        ex.world().schedule_now(*op);
      }
      waits.clear();  // keeps capacity: no allocation per wait
      return n;
    }
  };

  std::unique_ptr<Impl> impl_;
};

}  // namespace bgpsim::sim
