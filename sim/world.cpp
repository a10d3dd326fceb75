#include "sim/world.hpp"

#include <boost/asio/detail/thread_context.hpp>
#include <boost/asio/detail/thread_info_base.hpp>

#include <algorithm>

namespace bgpsim::sim {

// Asio allocates awaitable frames and small handler memory through the
// thread_info_base on top of the thread's call stack, recycling blocks; with
// nothing pushed it falls back to operator new on every co_await. io_context
// pushes one in run(); the world does the same. Detail API, Boost 1.81 (the
// version is pinned in the root CMakeLists.txt).
struct World::ThreadInfo : boost::asio::detail::thread_info_base {};

namespace {
struct CallStack : boost::asio::detail::thread_context {
  using thread_context::thread_call_stack;
};
}  // namespace

World::World(std::uint64_t seed, TraceOptions trace_options)
    : seed_(seed),
      rng_(sim::derive_seed(seed, "world")),
      trace_(trace_options),
      thread_info_(std::make_unique<ThreadInfo>()) {}

World::~World() {
  shutting_down_ = true;
  // Services (the network) first drop operations parked on sockets, so the
  // coroutine frames they hold are destroyed while the network still exists.
  context_.shutdown();
  // Queued handlers may own coroutine frames; destroying them unwinds those
  // frames, which may queue or unschedule further events, so pop one at a time
  // (removing the last element keeps the heap valid).
  while (!heap_.empty() || now_live_ > 0) {
    if (now_live_ == 0) {
      remove_at(heap_.size() - 1)->discard();
      continue;
    }
    Event* e = now_queue_.back().event;
    now_queue_.pop_back();
    if (!e) continue;
    --now_live_;
    e->ticket_ = Event::kNotQueued;
    e->discard();
  }
  context_.destroy();
  for (FreeBlock* b : pool_)
    while (b) {
      FreeBlock* next = b->next;
      b->~FreeBlock();
      ::operator delete(b);
      b = next;
    }
}

std::uint64_t World::derive_seed(std::string_view name) const {
  return sim::derive_seed(seed_, name);
}

void World::set_node_state(NodeId node, bool up) {
  if (node >= node_up_.size()) {
    node_up_.resize(node + 1, true);
    node_epochs_.resize(node + 1, 0);
  }
  if (node_up_[node] && !up) ++node_epochs_[node];
  node_up_[node] = up;
}

void World::schedule_at(Event& e, std::int64_t at_ns) {
  if (e.queued()) unschedule(e);
  if (at_ns <= now_ns_) {
    e.ticket_ = kNowBit | static_cast<std::uint32_t>(now_queue_.size());
    now_queue_.push_back(NowEntry{&e, next_seq_++});
    ++now_live_;
    return;
  }
  if (free_tickets_.empty()) {
    free_tickets_.push_back(static_cast<std::uint32_t>(tickets_.size()));
    tickets_.push_back(Ticket{nullptr, 0});
  }
  const std::uint32_t t = free_tickets_.back();
  free_tickets_.pop_back();
  tickets_[t].event = &e;
  e.ticket_ = t;
  heap_.push_back(Slot{at_ns, next_seq_++, t});
  heap_up(heap_.size() - 1);
}

void World::unschedule(Event& e) {
  if (!e.queued()) return;
  if (e.ticket_ & kNowBit) {
    now_queue_[e.ticket_ & ~kNowBit].event = nullptr;
    --now_live_;
    e.ticket_ = Event::kNotQueued;
    return;
  }
  remove_at(tickets_[e.ticket_].pos);
}

void World::skip_cancelled_now() {
  while (now_head_ < now_queue_.size() && !now_queue_[now_head_].event) ++now_head_;
  if (now_head_ == now_queue_.size()) {
    now_queue_.clear();
    now_head_ = 0;
  }
}

Event* World::pop_due(std::int64_t limit_ns) {
  skip_cancelled_now();
  if (now_live_ > 0 && (heap_.empty() || heap_.front().at_ns > now_ns_ ||
                        now_queue_[now_head_].seq < heap_.front().seq)) {
    if (now_ns_ > limit_ns) return nullptr;
    Event* e = now_queue_[now_head_++].event;
    --now_live_;
    e->ticket_ = Event::kNotQueued;
    skip_cancelled_now();
    return e;
  }
  if (heap_.empty() || heap_.front().at_ns > limit_ns) return nullptr;
  now_ns_ = heap_.front().at_ns;
  return remove_at(0);
}

Event* World::remove_at(std::size_t i) {
  const std::uint32_t t = heap_[i].ticket;
  Event* e = tickets_[t].event;
  e->ticket_ = Event::kNotQueued;
  free_tickets_.push_back(t);
  const std::size_t last = heap_.size() - 1;
  if (i != last) {
    const Slot moved = heap_[last];
    heap_.pop_back();
    place(i, moved);
    heap_down(i);
    heap_up(tickets_[moved.ticket].pos);
  } else {
    heap_.pop_back();
  }
  return e;
}

void World::heap_up(std::size_t i) {
  const Slot s = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!before(s, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, s);
}

void World::heap_down(std::size_t i) {
  const std::size_t n = heap_.size();
  const Slot s = heap_[i];
  for (;;) {
    const std::size_t first = kArity * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = std::min(first + kArity, n);
    for (std::size_t c = first + 1; c < end; ++c)
      if (before(heap_[c], heap_[best])) best = c;
    if (!before(heap_[best], s)) break;
    place(i, heap_[best]);
    i = best;
  }
  place(i, s);
}

bool World::step(std::int64_t limit_ns) {
  if (stopped_) return false;
  if (settler_) settler_->settle(next_event_ns(), limit_ns);
  Event* e = pop_due(limit_ns);
  if (!e) return false;
  prefetch_next();
  ++events_run_;
  e->fire();
  return true;
}

// With thousands of actors every event's memory (a pending operation, the
// coroutine frames it resumes) is cold. A two-stage pipeline hides part of
// that latency: while event k runs, the one after next (the earliest child of
// the root) has its own lines fetched, and the next one, fetched during the
// previous step, fetches what it will touch (Event::prefetch). An operation
// of 128 bytes that starts mid-line spans three lines, hence the third hint.
// Hints only: nothing here changes which event runs when.
void World::prefetch_next() const {
  if (now_live_ > 0) {
    // The next event is most likely the FIFO's (tombstones were skipped).
    now_queue_[now_head_].event->prefetch();
    if (now_head_ + 1 < now_queue_.size())
      if (const auto* after = reinterpret_cast<const char*>(now_queue_[now_head_ + 1].event)) {
        __builtin_prefetch(after);
        __builtin_prefetch(after + 64);
        __builtin_prefetch(after + 127);
      }
    return;
  }
  const std::size_t n = heap_.size();
  if (n == 0) return;
  tickets_[heap_[0].ticket].event->prefetch();
  if (n == 1) return;
  std::size_t best = 1;
  for (std::size_t c = 2; c < std::min<std::size_t>(kArity + 1, n); ++c)
    if (before(heap_[c], heap_[best])) best = c;
  const auto* after = reinterpret_cast<const char*>(tickets_[heap_[best].ticket].event);
  __builtin_prefetch(after);
  __builtin_prefetch(after + 64);
  __builtin_prefetch(after + 127);
}

namespace {
// Marks the world as running for the duration of a run call (re-entrant)
// and makes its memory cache the thread's.
struct RunningScope {
  bool& flag;
  bool saved;
  CallStack::thread_call_stack::context ctx;
  RunningScope(bool& f, boost::asio::detail::thread_info_base& info)
      : flag(f), saved(f), ctx(nullptr, info) {
    flag = true;
  }
  ~RunningScope() { flag = saved; }
};
}  // namespace

std::size_t World::run() {
  RunningScope scope(running_, *thread_info_);
  stopped_ = false;
  std::size_t n = 0;
  while (step(std::numeric_limits<std::int64_t>::max())) ++n;
  return n;
}

std::size_t World::run_until(Nanos t) {
  RunningScope scope(running_, *thread_info_);
  stopped_ = false;
  std::size_t n = 0;
  while (step(t.count())) ++n;
  if (!stopped_ && now_ns_ < t.count()) now_ns_ = t.count();
  return n;
}

std::size_t World::poll() {
  RunningScope scope(running_, *thread_info_);
  stopped_ = false;
  std::size_t n = 0;
  while (step(now_ns_)) ++n;
  return n;
}

}  // namespace bgpsim::sim
