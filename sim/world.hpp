// The simulated world: one event queue ordered by (virtual time, sequence), a
// virtual nanosecond clock, the root PRNG and the trace. Single-threaded: all
// work runs inside run()/run_until()/poll() on the caller's thread.
//
// Depends on: Boost.Asio headers (executor concepts only), sim/trace.hpp.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/execution_context.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/random.hpp"
#include "sim/trace.hpp"

namespace bgpsim::sim {

using Nanos = std::chrono::nanoseconds;
using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();

// Something scheduled in the world's queue. While queued it holds a ticket:
// an index into the world's dense table of heap positions, so a timer can be
// cancelled in O(log n) without the heap writing into the event (events live
// in scattered coroutine frames; see World::Ticket).
class Event {
 public:
  static constexpr std::uint32_t kNotQueued = std::numeric_limits<std::uint32_t>::max();
  bool queued() const { return ticket_ != kNotQueued; }
  // Runs the event. It is already out of the queue and may delete itself.
  virtual void fire() = 0;
  // The world is being destroyed with this event still queued.
  virtual void discard() = 0;
  // A hint that the event runs soon: start loading the memory fire() will
  // touch. Must not change any state.
  virtual void prefetch() const {}

 protected:
  ~Event() = default;

 private:
  friend class World;
  std::uint32_t ticket_ = kNotQueued;
};

class World;
class Network;
class ProcessTable;

// Asio executor (standard executor concept) over a world. It carries the node
// so that timers and sockets created from `co_await this_coro::executor` belong
// to the node and die with it on a crash.
class Executor {
 public:
  Executor() = default;
  Executor(World* world, NodeId node, bool blocking_possibly = false) noexcept
      : world_(world), node_(node), blocking_possibly_(blocking_possibly) {}

  World& world() const noexcept { return *world_; }
  NodeId node() const noexcept { return node_; }

  // Queues f at the current virtual time, or runs it inline when the caller
  // allowed blocking.possibly (dispatch) and the world is already running.
  template <class F>
  void execute(F&& f) const;

  boost::asio::execution_context& query(boost::asio::execution::context_t) const noexcept;
  constexpr boost::asio::execution::blocking_t query(
      boost::asio::execution::blocking_t) const noexcept {
    return blocking_possibly_
               ? boost::asio::execution::blocking_t(boost::asio::execution::blocking.possibly)
               : boost::asio::execution::blocking_t(boost::asio::execution::blocking.never);
  }
  Executor require(boost::asio::execution::blocking_t::never_t) const noexcept {
    return {world_, node_, false};
  }
  Executor require(boost::asio::execution::blocking_t::possibly_t) const noexcept {
    return {world_, node_, true};
  }

  // Only the world and node matter: a dispatch and a post executor are the same place.
  friend bool operator==(const Executor& a, const Executor& b) noexcept {
    return a.world_ == b.world_ && a.node_ == b.node_;
  }
  friend bool operator!=(const Executor& a, const Executor& b) noexcept { return !(a == b); }

 private:
  World* world_ = nullptr;
  NodeId node_ = kNoNode;
  bool blocking_possibly_ = false;
};

static_assert(boost::asio::execution::is_executor<Executor>::value);

class World {
 public:
  explicit World(std::uint64_t seed, TraceOptions trace_options = {});
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  std::uint64_t seed() const { return seed_; }
  Nanos now() const { return Nanos(now_ns_); }
  std::int64_t now_ns() const { return now_ns_; }

  // Executor for work that belongs to no node (the test harness, the network).
  Executor get_executor() noexcept { return {this, kNoNode}; }
  Executor executor_for(NodeId node) noexcept { return {this, node}; }
  boost::asio::execution_context& context() noexcept { return context_; }

  // Runs until the queue is empty (the world is idle) or stop() is called.
  std::size_t run();
  std::size_t run_until_idle() { return run(); }
  // Runs every event due at or before t, then sets the clock to exactly t.
  std::size_t run_until(Nanos t);
  std::size_t run_for(Nanos d) { return run_until(now() + d); }
  // Runs only the events due now, without advancing the clock.
  std::size_t poll();
  void stop() { stopped_ = true; }
  bool running() const { return running_; }
  bool shutting_down() const { return shutting_down_; }
  std::size_t queued_events() const { return heap_.size() + now_live_; }
  std::uint64_t events_run() const { return events_run_; }

  // Queue management for sim objects.
  void schedule_at(Event& e, std::int64_t at_ns);
  void schedule_now(Event& e) { schedule_at(e, now_ns_); }
  void unschedule(Event& e);

  template <class F>
  void post(F&& f);

  // Memory for the world's own events (pending operations, posted
  // functions): free lists by size class, reused last-in first-out, so a
  // block freed by one event is still in cache for the next. Asio's
  // per-thread cache is a few blocks per kind, first fit over all sizes (two
  // by default, 16 here: CMakeLists.txt); with the mix of sizes thousands of
  // sessions have pending, a third of the operations went to malloc through
  // it at 1,000 speakers. The free lists are intrusive (a freed block
  // holds the next one's address): a freed block is hot, a separate array
  // of pointers is one more line to touch. Blocks return to the system with
  // the world.
  void* allocate(std::size_t size) {
    const std::size_t c = size_class(size);
    if (c >= pool_.size()) return ::operator new(size);
    FreeBlock* b = pool_[c];
    if (!b) return ::operator new((c + 1) * kPoolGrain);
    pool_[c] = b->next;
    return b;
  }
  void deallocate(void* p, std::size_t size) {
    const std::size_t c = size_class(size);
    if (c >= pool_.size()) return ::operator delete(p);
    pool_[c] = new (p) FreeBlock{pool_[c]};
  }

  // Root PRNG and seeds derived from (root seed, name): stable across runs,
  // independent of how much the root stream has been used.
  Rng& rng() { return rng_; }
  std::uint64_t derive_seed(std::string_view name) const;

  Trace& trace() { return trace_; }
  void record(NodeId node, TraceKind kind, std::uint64_t aux = 0,
              std::span<const std::uint8_t> bytes = {}) {
    trace_.record(now_ns_, node, kind, aux, bytes);
  }

  // Hooks called by the node registry (sim/net.hpp) so crash/restart can be
  // observed by objects that know only the world.
  std::uint32_t node_epoch(NodeId node) const {
    return node < node_epochs_.size() ? node_epochs_[node] : 0;
  }
  bool node_up(NodeId node) const { return node >= node_up_.size() || node_up_[node]; }
  void set_node_state(NodeId node, bool up);

  // Something outside the queue that must come to rest before each event:
  // helper processes (sim/process.hpp). settle() runs before every step, with
  // the time of the next queued event (max when none) and the run's limit; it
  // may queue events at now and move the clock with advance_clock().
  class Settler {
   public:
    virtual void settle(std::int64_t next_ns, std::int64_t limit_ns) = 0;

   protected:
    ~Settler() = default;
  };
  void set_settler(Settler* settler) { settler_ = settler; }
  // For the settler only: moves the clock to t, never past the next queued event.
  void advance_clock(std::int64_t t) {
    t = std::min(t, next_event_ns());
    if (t > now_ns_) now_ns_ = t;
  }
  std::int64_t next_event_ns() const {
    if (now_live_ > 0) return now_ns_;
    return heap_.empty() ? std::numeric_limits<std::int64_t>::max() : heap_.front().at_ns;
  }

  // The network service installed in this world (sim/net.hpp), if any.
  Network* network() const { return network_; }
  void set_network(Network* net) { network_ = net; }
  // The helper processes' table (sim/process.hpp), if any.
  ProcessTable* processes() const { return processes_; }
  void set_processes(ProcessTable* table) { processes_ = table; }

 private:
  bool step(std::int64_t limit_ns);
  void heap_up(std::size_t i);
  void heap_down(std::size_t i);
  // Keys live in the heap array so sifting compares without chasing pointers
  // into events scattered over coroutine frames; 4-ary halves the depth.
  // Ties on time go by sequence: events due at the same instant run in the
  // order they were scheduled.
  struct Slot {
    std::int64_t at_ns;
    std::uint64_t seq;
    std::uint32_t ticket;
  };
  // A queued event and its heap position. Sifting updates positions here, in
  // one dense array, instead of in the events (with 10,000 pending timers
  // that write was a cache miss per level: 1/3 of the time in heap_down).
  struct Ticket {
    Event* event;
    std::uint32_t pos;
  };
  static constexpr std::size_t kArity = 4;
  static constexpr std::size_t kPoolGrain = 32;
  static std::size_t size_class(std::size_t size) { return (size - 1) / kPoolGrain; }
  struct FreeBlock {
    FreeBlock* next;
  };
  std::array<FreeBlock*, 32> pool_{};  // free blocks of 32, 64, ... 1024 bytes
  static bool before(const Slot& a, const Slot& b) {
    return a.at_ns != b.at_ns ? a.at_ns < b.at_ns : a.seq < b.seq;
  }
  void place(std::size_t i, const Slot& s) {
    heap_[i] = s;
    tickets_[s.ticket].pos = static_cast<std::uint32_t>(i);
  }
  void prefetch_next() const;
  // Takes the slot at heap position i out of the heap; returns its event.
  Event* remove_at(std::size_t i);
  // Takes the next event out of the queue if it is due by limit_ns.
  Event* pop_due(std::int64_t limit_ns);
  void skip_cancelled_now();

  // Events due at the current instant (posted functions, completions: about
  // half of all events) wait in a FIFO beside the heap instead of in it: they
  // are due before everything in the heap but the heap's own events at this
  // instant with smaller sequences, so taking the smaller (time, sequence) of
  // the two fronts keeps the order exactly, and they cost no sift. The clock
  // never moves while this queue holds a live event. An event here has
  // ticket_ = kNowBit | its index; unscheduling leaves a null entry.
  struct NowEntry {
    Event* event;
    std::uint64_t seq;
  };
  static constexpr std::uint32_t kNowBit = 0x80000000U;
  std::vector<NowEntry> now_queue_;
  std::size_t now_head_ = 0;
  std::size_t now_live_ = 0;

  std::uint64_t seed_;
  std::int64_t now_ns_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_run_ = 0;
  bool running_ = false;
  bool stopped_ = false;
  bool shutting_down_ = false;
  std::vector<Slot> heap_;
  std::vector<Ticket> tickets_;
  std::vector<std::uint32_t> free_tickets_;  // reused last-in first-out (stays in cache)
  Rng rng_;
  Trace trace_;
  std::vector<std::uint32_t> node_epochs_;
  std::vector<bool> node_up_;
  Network* network_ = nullptr;
  Settler* settler_ = nullptr;
  ProcessTable* processes_ = nullptr;
  // Asio's per-thread memory cache for coroutine frames and handlers; pushed
  // while the world runs, as io_context does (see world.cpp).
  struct ThreadInfo;
  std::unique_ptr<ThreadInfo> thread_info_;
  // Exposes shutdown()/destroy() so the world can order its teardown.
  struct Context : boost::asio::execution_context {
    using boost::asio::execution_context::destroy;
    using boost::asio::execution_context::shutdown;
  };
  Context context_;
};

namespace detail {
// A posted function, in the world's pool (every coroutine wake-up posts one).
template <class F>
class FnEvent final : public Event {
 public:
  template <class G>
  FnEvent(World& w, G&& g) : world_(w), f_(std::forward<G>(g)) {}
  void fire() override {
    F f(std::move(f_));
    destroy();
    f();
  }
  void discard() override { destroy(); }

  template <class G>
  static FnEvent* make(World& w, G&& g) {
    void* p = w.allocate(sizeof(FnEvent));
    try {
      return new (p) FnEvent(w, std::forward<G>(g));
    } catch (...) {
      w.deallocate(p, sizeof(FnEvent));
      throw;
    }
  }

 private:
  void destroy() {
    World& w = world_;
    this->~FnEvent();
    w.deallocate(this, sizeof(FnEvent));
  }
  World& world_;
  F f_;
};
}  // namespace detail

template <class F>
void World::post(F&& f) {
  schedule_now(*detail::FnEvent<std::decay_t<F>>::make(*this, std::forward<F>(f)));
}

template <class F>
void Executor::execute(F&& f) const {
  if (blocking_possibly_ && world_->running()) {
    std::decay_t<F> g(std::forward<F>(f));
    g();
    return;
  }
  world_->post(std::forward<F>(f));
}

inline boost::asio::execution_context& Executor::query(
    boost::asio::execution::context_t) const noexcept {
  return world_->context();
}

}  // namespace bgpsim::sim
