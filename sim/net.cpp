#include "sim/net.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <stdexcept>

namespace bgpsim::sim {

namespace asio = boost::asio;
using boost::system::error_code;

namespace detail {

struct Conn;

struct SocketImpl {
  Network* net = nullptr;
  Conn* conn = nullptr;
  int side = 0;  // index into Conn::side
  NodeId node = kNoNode;
  std::uint64_t id = 0;
  bool open = true;
  bool send_shut = false;
  bool rx_eof = false;
  error_code err;
  std::vector<std::uint8_t> rx;
  std::size_t rx_head = 0;
  ReadOp* read_op = nullptr;
  WriteOp* write_op = nullptr;
  Endpoint local, remote;

  std::size_t rx_size() const { return rx.size() - rx_head; }
  ~SocketImpl();
};

// A segment in flight. Its bytes are the next `length` bytes of its
// direction's `bytes` (segments arrive in order), so sending one allocates
// nothing (a vector per segment was a malloc per message at scale).
struct Segment {
  std::int64_t at_ns = 0;
  std::uint32_t length = 0;
  bool fin = false;
  bool rst = false;  // an abortive close: behind the data its sender already sent
};

struct Conn;
struct DeliverEvent final : Event {
  Conn* conn = nullptr;
  int dir = 0;
  void fire() override;
  void discard() override {}
};

struct Direction {
  std::deque<Segment> flight;
  std::vector<std::uint8_t> bytes;  // the payload of `flight`, from `head` on
  std::size_t head = 0;
  std::span<const std::uint8_t> take(std::uint32_t n) {
    std::span<const std::uint8_t> out(bytes.data() + head, n);
    head += n;
    return out;
  }
  // After the taken bytes are used: reclaim the space (keeping the capacity).
  void compact() {
    if (head == bytes.size()) {
      bytes.clear();
      head = 0;
    } else if (head > 64 * 1024 && head * 2 > bytes.size()) {
      bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(head));
      head = 0;
    }
  }
  void clear() {
    flight.clear();
    bytes.clear();
    head = 0;
  }
  std::int64_t tx_free_ns = 0;
  std::int64_t last_arrival_ns = 0;
  std::size_t outstanding = 0;  // written, not yet read by the receiver
  bool held = false;
  DeliverEvent deliver;
};

struct Conn {
  std::uint64_t id = 0;
  Network* net = nullptr;
  SocketImpl* side[2] = {nullptr, nullptr};
  NodeId node[2] = {kNoNode, kNoNode};
  Endpoint ep[2];
  Direction dir[2];  // dir[i] carries bytes from side i to side 1 - i
  LinkConfig link;
  // The connecting side's SYN-ACK is still in flight: its socket does not
  // exist yet, so the connection must outlive the accepting side's close.
  bool client_pending = false;
  bool reset = false;
  bool rst_sent[2] = {false, false};  // side i has put an RST on the wire
};

struct AcceptorImpl {
  Network* net = nullptr;
  NodeId node = kNoNode;
  std::uint64_t id = 0;
  Endpoint local;
  bool open = true;
  std::deque<std::unique_ptr<SocketImpl>> backlog;
  std::deque<AcceptOp*> waiters;
  ~AcceptorImpl();
};

// A connect in progress: SYN (with retries), SYN arrival, SYN-ACK arrival.
struct Attempt final : Event {
  enum class Stage { syn, syn_arrive, syn_ack, fail } stage = Stage::syn;
  Network* net = nullptr;
  std::uint64_t id = 0;
  NodeId node = kNoNode;
  NodeId target = kNoNode;
  Endpoint local, remote;
  ConnectOp* op = nullptr;
  Conn* conn = nullptr;
  std::int64_t started_ns = 0;
  std::int64_t syn_sent_ns = 0;
  std::int64_t rto_ns = 0;
  error_code fail_ec;
  void fire() override;
  void discard() override;
};

}  // namespace detail

using detail::AcceptorImpl;
using detail::Attempt;
using detail::Conn;
using detail::Direction;
using detail::Segment;
using detail::SocketImpl;

struct Network::Impl {
  Network& net;
  World& world;
  Rng rng;  // segment sizes and ISNs
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::unique_ptr<Conn>> conns;
  std::map<std::uint64_t, SocketImpl*> sockets;
  std::map<std::uint64_t, AcceptorImpl*> acceptors;
  std::map<std::uint64_t, Attempt*> attempts;
  // Owners of each address: one node, or several for a shared loopback
  // address (see Network::add_node), in the order they were added.
  std::map<Address, std::vector<NodeId>> by_address;
  // Ephemeral ports of shared addresses: one counter per address, so two
  // nodes on 127.0.0.1 never open connections with the same 4-tuple.
  std::map<Address, std::uint16_t> shared_ports;
  std::map<std::pair<NodeId, Endpoint>, AcceptorImpl*> listeners;
  std::map<std::pair<NodeId, NodeId>, LinkConfig> links;
  std::vector<std::uint16_t> next_port;
  struct Rule {
    std::uint64_t id;
    FaultRule rule;
  };
  std::vector<Rule> rules;                  // the ordered chain
  std::map<std::uint64_t, NodeId> crashes;  // guard id -> crashed node

  Impl(Network& n, World& w) : net(n), world(w), rng(w.derive_seed("net")) {}

  // ---- rules ----
  template <class F>
  void for_matching(NodeId from, NodeId to, F&& f) const {
    for (const Rule& r : rules) {
      if (!r.rule.match.matches(from, to)) continue;
      if (r.rule.action == FaultAction::pass) return;
      f(r.rule);
    }
  }
  std::int64_t extra_delay_ns(NodeId from, NodeId to) const {
    std::int64_t d = 0;
    for_matching(from, to, [&](const FaultRule& r) {
      if (r.action == FaultAction::delay) d += r.delay.count();
    });
    return d;
  }
  bool data_blocked(NodeId from, NodeId to) const {
    bool b = false;
    for_matching(from, to, [&](const FaultRule& r) {
      b = b || r.action == FaultAction::stall || r.action == FaultAction::partition;
    });
    return b;
  }
  bool syn_blocked(NodeId from, NodeId to) const {
    bool b = false;
    for_matching(from, to,
                 [&](const FaultRule& r) { b = b || r.action == FaultAction::partition; });
    return b;
  }
  bool reset_rule(NodeId from, NodeId to) const {
    bool b = false;
    for_matching(from, to, [&](const FaultRule& r) { b = b || r.action == FaultAction::reset; });
    return b;
  }

  LinkConfig link_for(NodeId a, NodeId b) const {
    auto it = links.find({std::min(a, b), std::max(a, b)});
    return it == links.end() ? net.config_.link : it->second;
  }

  // ---- packets for the pcap writer ----
  void packet(PacketEvent::Kind kind, const Conn& c, int from,
              std::span<const std::uint8_t> payload = {}) {
    if (!net.packet_observer) return;
    net.packet_observer(PacketEvent{kind, c.id, c.ep[from], c.ep[1 - from], payload});
  }

  // ---- completion helpers ----
  void complete_read(SocketImpl& s, error_code ec, std::size_t n) {
    detail::ReadOp* op = std::exchange(s.read_op, nullptr);
    op->unpark();
    op->result = {ec, n};
    world.schedule_now(*op);
  }
  void complete_write(SocketImpl& s, error_code ec, std::size_t n) {
    detail::WriteOp* op = std::exchange(s.write_op, nullptr);
    op->unpark();
    op->result = {ec, n};
    world.schedule_now(*op);
  }

  // Copies what is readable into op's buffer. Returns false if it must wait.
  // Data that arrived before an RST stays readable (as on Linux); the error
  // comes after it.
  bool try_read(SocketImpl& s, detail::ReadOp& op) {
    if (s.rx_size() > 0) {
      const std::size_t n = std::min(s.rx_size(), op.buffer.size());
      std::memcpy(op.buffer.data(), s.rx.data() + s.rx_head, n);
      s.rx_head += n;
      if (s.rx_head == s.rx.size()) {
        s.rx.clear();
        s.rx_head = 0;
      } else if (s.rx_head > 64 * 1024 && s.rx_head * 2 > s.rx.size()) {
        s.rx.erase(s.rx.begin(), s.rx.begin() + static_cast<std::ptrdiff_t>(s.rx_head));
        s.rx_head = 0;
      }
      op.result = {error_code{}, n};
      if (s.conn) {
        Direction& d = s.conn->dir[1 - s.side];
        d.outstanding -= n;
        if (SocketImpl* peer = s.conn->side[1 - s.side]; peer && peer->write_op) retry_write(*peer);
      }
      return true;
    }
    if (s.err) {
      op.result = {s.err, 0};
      return true;
    }
    if (s.rx_eof) {
      op.result = {asio::error::eof, 0};
      return true;
    }
    return false;
  }

  void wake_reader(SocketImpl& s) {
    if (!s.read_op) return;
    detail::ReadOp* op = s.read_op;
    if (try_read(s, *op)) {
      s.read_op = nullptr;
      op->unpark();
      world.schedule_now(*op);
    }
  }

  // Accepts as many bytes as the window allows; false if none fit.
  bool try_write(SocketImpl& s, detail::WriteOp& op) {
    if (s.err) {
      op.result = {s.err, 0};
      return true;
    }
    if (!s.conn || s.send_shut) {
      op.result = {asio::error::broken_pipe, 0};
      return true;
    }
    if (op.buffer.size() == 0) {
      op.result = {error_code{}, 0};
      return true;
    }
    Conn& c = *s.conn;
    Direction& d = c.dir[s.side];
    if (d.outstanding >= c.link.send_window_bytes) return false;
    const std::size_t n = std::min(op.buffer.size(), c.link.send_window_bytes - d.outstanding);
    const auto* p = static_cast<const std::uint8_t*>(op.buffer.data());
    world.record(s.node, TraceKind::write, c.id, {p, n});
    d.outstanding += n;
    std::size_t off = 0;
    while (off < n) {
      const std::size_t seg = std::min<std::size_t>(
          n - off, rng.uniform(c.link.segment_bytes_min, c.link.segment_bytes_max));
      Segment sg;
      sg.length = static_cast<std::uint32_t>(seg);
      d.bytes.insert(d.bytes.end(), p + off, p + off + seg);
      enqueue(c, s.side, sg);
      off += seg;
    }
    op.result = {error_code{}, n};
    return true;
  }

  void retry_write(SocketImpl& s) {
    detail::WriteOp* op = s.write_op;
    if (try_write(s, *op)) {
      s.write_op = nullptr;
      op->unpark();
      world.schedule_now(*op);
    }
  }

  // Puts a segment on the wire from side `from`: it leaves when the link is
  // free, takes size/bandwidth to serialize, then latency (+ delay faults);
  // arrival times never decrease, so segments cannot overtake each other.
  void enqueue(Conn& c, int from, Segment sg) {
    Direction& d = c.dir[from];
    const std::int64_t now = world.now_ns();
    const std::int64_t start = std::max(now, d.tx_free_ns);
    std::int64_t ser = 0;
    if (c.link.bandwidth_bytes_per_s != 0)
      ser =
          static_cast<std::int64_t>((sg.length * 1'000'000'000ULL) / c.link.bandwidth_bytes_per_s);
    d.tx_free_ns = start + ser;
    const std::int64_t arrive =
        d.tx_free_ns + c.link.latency.count() + extra_delay_ns(c.node[from], c.node[1 - from]);
    sg.at_ns = std::max(arrive, d.last_arrival_ns);
    d.last_arrival_ns = sg.at_ns;
    d.flight.push_back(sg);
    if (!d.held && !d.deliver.queued()) world.schedule_at(d.deliver, d.flight.front().at_ns);
  }

  void deliver(Conn& c, int from) {
    Direction& d = c.dir[from];
    if (d.flight.empty() || c.reset) return;
    const NodeId src = c.node[from], dst = c.node[1 - from];
    if (reset_rule(src, dst)) {
      reset_conn(c);
      return;
    }
    if (data_blocked(src, dst)) {
      d.held = true;
      return;
    }
    const Segment sg = d.flight.front();
    d.flight.pop_front();
    SocketImpl* r = c.side[1 - from];
    if (sg.rst) {
      reset_conn(c, from);
      return;
    }
    const auto bytes = d.take(sg.length);
    if (!bytes.empty()) packet(PacketEvent::Kind::data, c, from, bytes);
    if (sg.fin) packet(PacketEvent::Kind::fin, c, from);
    if (!r || !r->open) {
      // Data for a closed socket draws an RST, as on Linux.
      if (!bytes.empty()) send_rst(c, 1 - from);
      d.compact();
    } else {
      if (!bytes.empty()) {
        world.record(dst, TraceKind::deliver, c.id, bytes);
        r->rx.insert(r->rx.end(), bytes.begin(), bytes.end());
      }
      d.compact();  // before the reader runs: it may let the other side write
      if (sg.fin) {
        world.record(dst, TraceKind::fin, c.id);
        r->rx_eof = true;
      }
      wake_reader(*r);
    }
    maybe_free(c);  // may delete c when both sides are gone
  }

  void schedule_next(Conn& c, int from) {
    Direction& d = c.dir[from];
    if (!d.flight.empty() && !d.held && !d.deliver.queued())
      world.schedule_at(d.deliver, d.flight.front().at_ns);
  }

  // The connection is gone at once for both sides (a fault, a crash, an RST
  // arriving from side `from`): nothing more is delivered; what a socket had
  // already received stays readable before its error.
  void reset_conn(Conn& c, int from = 0) {
    if (c.reset) return;
    c.reset = true;
    packet(PacketEvent::Kind::rst, c, from);
    for (int i = 0; i < 2; ++i) {
      c.dir[i].clear();
      c.dir[i].held = false;
      world.unschedule(c.dir[i].deliver);
    }
    for (int i = 0; i < 2; ++i) {
      SocketImpl* s = c.side[i];
      if (!s) continue;
      world.record(s->node, TraceKind::reset, c.id);
      s->err = asio::error::connection_reset;
      if (s->read_op) wake_reader(*s);
      if (s->write_op) complete_write(*s, s->err, 0);
    }
  }

  // Side `from` aborts the connection (closed with unread data, or data came
  // for its closed socket): the RST travels behind what that side already
  // sent, so a NOTIFICATION written just before the close still arrives
  // first, as on a real network. The connection resets when it lands.
  void send_rst(Conn& c, int from) {
    if (c.reset || c.rst_sent[from]) return;
    c.rst_sent[from] = true;
    Segment sg;
    sg.rst = true;
    enqueue(c, from, std::move(sg));
  }

  void send_fin(SocketImpl& s) {
    if (s.send_shut) return;
    s.send_shut = true;
    if (!s.conn || s.conn->reset) return;
    Segment sg;
    sg.fin = true;
    enqueue(*s.conn, s.side, std::move(sg));
  }

  void close_socket(SocketImpl& s) {
    if (!s.open) return;
    s.open = false;
    if (s.read_op) complete_read(s, asio::error::operation_aborted, 0);
    if (s.write_op) complete_write(s, asio::error::operation_aborted, 0);
    if (!s.conn) return;
    world.record(s.node, TraceKind::close, s.conn->id);
    if (s.conn->reset) return;
    if (s.rx_size() > 0)
      send_rst(*s.conn, s.side);
    else
      send_fin(s);
  }

  void detach_socket(SocketImpl& s) {
    sockets.erase(s.id);
    if (!s.conn) return;
    Conn& c = *s.conn;
    c.side[s.side] = nullptr;
    s.conn = nullptr;
    maybe_free(c);
  }

  void maybe_free(Conn& c) {
    if (c.side[0] || c.side[1] || c.client_pending) {
      schedule_next(c, 0);
      schedule_next(c, 1);
      return;
    }
    world.unschedule(c.dir[0].deliver);
    world.unschedule(c.dir[1].deliver);
    conns.erase(c.id);
  }

  std::unique_ptr<SocketImpl> make_socket(NodeId node, Conn& c, int side) {
    auto s = std::make_unique<SocketImpl>();
    s->net = &net;
    s->conn = &c;
    s->side = side;
    s->node = node;
    s->id = next_id++;
    s->local = c.ep[side];
    s->remote = c.ep[1 - side];
    c.side[side] = s.get();
    sockets[s->id] = s.get();
    return s;
  }

  AcceptorImpl* find_listener(NodeId node, const Endpoint& ep) {
    if (auto it = listeners.find({node, ep}); it != listeners.end()) return it->second;
    const Address any = ep.address().is_v4() ? Address(asio::ip::address_v4::any())
                                             : Address(asio::ip::address_v6::any());
    if (auto it = listeners.find({node, Endpoint(any, ep.port())}); it != listeners.end())
      return it->second;
    return nullptr;
  }

  void hand_to_acceptor(AcceptorImpl& a, std::unique_ptr<SocketImpl> s) {
    if (!a.waiters.empty()) {
      detail::AcceptOp* op = a.waiters.front();
      a.waiters.pop_front();
      op->unpark();
      op->result = {error_code{}, Socket(std::move(s))};
      world.schedule_now(*op);
    } else {
      a.backlog.push_back(std::move(s));
    }
  }

  // The node a SYN to `remote` reaches. An address of one node is that node.
  // A shared loopback address reaches the first other owner listening on
  // remote's port, else the connecting node if it listens there itself (a
  // socket connected to its own listener), else the first other owner (the
  // SYN is refused there). Evaluated for every SYN: a listener opened
  // between retries is found.
  NodeId resolve(NodeId from, const Endpoint& remote) {
    auto it = by_address.find(remote.address());
    if (it == by_address.end()) return kNoNode;
    const std::vector<NodeId>& owners = it->second;
    if (owners.size() == 1) return owners.front();
    for (NodeId n : owners)
      if (n != from && find_listener(n, remote)) return n;
    for (NodeId n : owners)
      if (n == from && find_listener(n, remote)) return n;
    for (NodeId n : owners)
      if (n != from) return n;
    return owners.front();
  }

  std::uint16_t ephemeral_port(NodeId node, const Address& local) {
    auto owners = by_address.find(local);
    const bool shared = owners != by_address.end() && owners->second.size() > 1;
    std::uint16_t& p =
        shared ? shared_ports.try_emplace(local, 49152).first->second : next_port[node];
    const std::uint16_t port = p;
    p = p == 65535 ? 49152 : static_cast<std::uint16_t>(p + 1);
    return port;
  }

  void finish_attempt(Attempt& a, error_code ec, Socket sock) {
    attempts.erase(a.id);
    if (a.op) {
      detail::ConnectOp* op = std::exchange(a.op, nullptr);
      op->unpark();
      op->result = {ec, std::move(sock)};
      world.schedule_now(*op);
    }
    world.unschedule(a);
    delete &a;
  }

  void crash(NodeId node) {
    world.record(node, TraceKind::crash);
    world.set_node_state(node, false);
    std::vector<Conn*> to_reset;
    for (auto& [k, c] : conns)
      if (c->node[0] == node || c->node[1] == node) to_reset.push_back(c.get());
    for (Conn* c : to_reset) reset_conn(*c);
    std::vector<AcceptorImpl*> accs;
    for (auto& [k, a] : acceptors)
      if (a->node == node) accs.push_back(a);
    for (AcceptorImpl* a : accs) close_acceptor(*a);
    std::vector<Attempt*> atts;
    for (auto& [k, a] : attempts)
      if (a->node == node) atts.push_back(a);
    for (Attempt* a : atts) {
      if (a->conn) reset_conn(*a->conn);
      finish_attempt(*a, asio::error::operation_aborted, Socket());
    }
    // Cancel the node's coroutines; each signal is removed when its coroutine ends.
    auto& signals = net.nodes_[node].signals;
    std::vector<asio::cancellation_signal*> sigs;
    for (auto& sig : signals) sigs.push_back(&sig);
    for (auto* sig : sigs) sig->emit(asio::cancellation_type::terminal);
  }

  void close_acceptor(AcceptorImpl& a) {
    if (!a.open) return;
    a.open = false;
    listeners.erase({a.node, a.local});
    // Connections that were never accepted are reset.
    while (!a.backlog.empty()) {
      std::unique_ptr<SocketImpl> s = std::move(a.backlog.front());
      a.backlog.pop_front();
      if (s->conn) reset_conn(*s->conn);
    }
    while (!a.waiters.empty()) {
      detail::AcceptOp* op = a.waiters.front();
      a.waiters.pop_front();
      op->unpark();
      op->result = {asio::error::operation_aborted, Socket()};
      world.schedule_now(*op);
    }
  }

  void lift(std::uint64_t rule_id) {
    for (auto it = rules.begin(); it != rules.end(); ++it) {
      if (it->id != rule_id) continue;
      rules.erase(it);
      world.record(kNoNode, TraceKind::fault_off, rule_id);
      break;
    }
    // Held segments go out again: the retransmission reaches the peer one
    // latency after the fault is lifted.
    for (auto& [k, c] : conns) {
      for (int i = 0; i < 2; ++i) {
        Direction& d = c->dir[i];
        if (!d.held || data_blocked(c->node[i], c->node[1 - i])) continue;
        d.held = false;
        std::int64_t floor = world.now_ns() + c->link.latency.count();
        for (Segment& sg : d.flight) {
          sg.at_ns = std::max(sg.at_ns, floor);
          floor = sg.at_ns;
        }
        d.last_arrival_ns = std::max(d.last_arrival_ns, floor);
        schedule_next(*c, i);
      }
    }
  }
};

// ---------------------------------------------------------------------------

namespace detail {

void DeliverEvent::fire() {
  Network::Impl& impl = conn->net->impl();
  impl.deliver(*conn, dir);
}

SocketImpl::~SocketImpl() {
  Network::Impl& impl = net->impl();
  impl.close_socket(*this);
  impl.detach_socket(*this);
}

AcceptorImpl::~AcceptorImpl() {
  Network::Impl& impl = net->impl();
  impl.close_acceptor(*this);
  impl.acceptors.erase(id);
}

void Attempt::discard() {
  Network::Impl& impl = net->impl();
  if (op) {
    op->unpark();
    ConnectOp* o = std::exchange(op, nullptr);
    o->discard();
  }
  impl.attempts.erase(id);
  delete this;
}

void Attempt::fire() {
  Network::Impl& impl = net->impl();
  World& world = impl.world;
  const std::int64_t now = world.now_ns();
  switch (stage) {
    case Stage::syn: {
      syn_sent_ns = now;
      target = impl.resolve(node, remote);
      const bool lost = target == kNoNode || !world.node_up(target) ||
                        impl.syn_blocked(node, target) || impl.syn_blocked(target, node);
      if (lost) {
        const std::int64_t deadline = started_ns + impl.net.config().connect_timeout.count();
        if (now + rto_ns >= deadline) {
          stage = Stage::fail;
          fail_ec = asio::error::timed_out;
          world.schedule_at(*this, deadline);
        } else {
          world.schedule_at(*this, now + rto_ns);
        }
        rto_ns *= 2;
        return;
      }
      stage = Stage::syn_arrive;
      const LinkConfig link = impl.link_for(node, target);
      world.schedule_at(*this, now + link.latency.count() + impl.extra_delay_ns(node, target));
      return;
    }
    case Stage::syn_arrive: {
      if (!world.node_up(target) || impl.syn_blocked(node, target) ||
          impl.syn_blocked(target, node)) {
        stage = Stage::syn;  // lost on the way: retransmit
        world.schedule_at(*this, syn_sent_ns + rto_ns);
        rto_ns *= 2;
        return;
      }
      const LinkConfig link = impl.link_for(node, target);
      AcceptorImpl* acc = impl.find_listener(target, remote);
      if (!acc) {
        stage = Stage::fail;
        fail_ec = asio::error::connection_refused;
        world.record(node, TraceKind::refused, 0);
        world.schedule_at(*this, now + link.latency.count());
        return;
      }
      auto c = std::make_unique<Conn>();
      c->id = impl.next_id++;
      c->net = &impl.net;
      c->node[0] = node;
      c->node[1] = target;
      c->ep[0] = local;
      c->ep[1] = remote;
      c->link = link;
      for (int i = 0; i < 2; ++i) {
        c->dir[i].deliver.conn = c.get();
        c->dir[i].deliver.dir = i;
      }
      c->client_pending = true;
      conn = c.get();
      impl.conns[c->id] = std::move(c);
      impl.packet(PacketEvent::Kind::syn, *conn, 0);
      world.record(target, TraceKind::accepted, conn->id);
      impl.hand_to_acceptor(*acc, impl.make_socket(target, *conn, 1));
      stage = Stage::syn_ack;
      world.schedule_at(*this, now + link.latency.count() + impl.extra_delay_ns(target, node));
      return;
    }
    case Stage::syn_ack: {
      conn->client_pending = false;
      if (conn->reset) {
        impl.maybe_free(*conn);
        conn = nullptr;
        impl.finish_attempt(*this, asio::error::connection_reset, Socket());
        return;
      }
      impl.packet(PacketEvent::Kind::syn_ack, *conn, 1);
      impl.packet(PacketEvent::Kind::ack, *conn, 0);
      world.record(node, TraceKind::established, conn->id);
      Socket sock(impl.make_socket(node, *conn, 0));
      impl.finish_attempt(*this, error_code{}, std::move(sock));
      return;
    }
    case Stage::fail:
      if (fail_ec == asio::error::timed_out) world.record(node, TraceKind::timed_out, 0);
      impl.finish_attempt(*this, fail_ec, Socket());
      return;
  }
}

void start_connect(Network& net, NodeId node, const Endpoint& remote, ConnectOp* op) {
  Network::Impl& impl = net.impl();
  World& world = net.world();
  if (!world.node_up(node)) {
    op->result = {asio::error::operation_aborted, Socket()};
    world.schedule_now(*op);
    return;
  }
  auto* a = new Attempt();
  a->net = &net;
  a->id = impl.next_id++;
  a->node = node;
  a->target = impl.resolve(node, remote);
  a->remote = remote;
  // The source address: the destination itself when the node owns it (a
  // connection to a loopback address comes from that address, as on a real
  // host), else the node's first address of the same family.
  const auto& own = net.node_addresses(node);
  Address local_addr;
  if (std::find(own.begin(), own.end(), remote.address()) != own.end())
    local_addr = remote.address();
  else
    for (const Address& addr : own)
      if (addr.is_v4() == remote.address().is_v4()) {
        local_addr = addr;
        break;
      }
  a->local = Endpoint(local_addr, impl.ephemeral_port(node, local_addr));
  a->op = op;
  a->started_ns = world.now_ns();
  a->rto_ns = net.config().syn_rto_initial.count();
  impl.attempts[a->id] = a;
  world.record(node, TraceKind::connect, a->id);
  op->park(a, [](void* self, ConnectOp::Op* base, bool complete) {
    auto* at = static_cast<Attempt*>(self);
    auto* o = static_cast<ConnectOp*>(base);
    o->unpark();
    at->op = nullptr;
    Network::Impl& im = at->net->impl();
    if (at->conn) im.reset_conn(*at->conn);
    if (complete) {
      o->result = {asio::error::operation_aborted, Socket()};
      im.world.schedule_now(*o);
    }
    im.finish_attempt(*at, {}, Socket());
  });
  world.schedule_now(*a);
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Socket

Socket::Socket() = default;
Socket::Socket(std::unique_ptr<detail::SocketImpl> impl) : impl_(std::move(impl)) {}
Socket::Socket(Socket&&) noexcept = default;
Socket& Socket::operator=(Socket&&) noexcept = default;
Socket::~Socket() = default;

Executor Socket::executor_of(detail::SocketImpl* impl) {
  return impl->net->world().executor_for(impl->node);
}
Socket::executor_type Socket::get_executor() const { return executor_of(impl_.get()); }
bool Socket::is_open() const { return impl_ && impl_->open; }
Endpoint Socket::local_endpoint() const { return impl_ ? impl_->local : Endpoint(); }
Endpoint Socket::remote_endpoint() const { return impl_ ? impl_->remote : Endpoint(); }
std::uint64_t Socket::connection_id() const { return impl_ && impl_->conn ? impl_->conn->id : 0; }

void Socket::shutdown_send() {
  if (impl_ && impl_->open) impl_->net->impl().send_fin(*impl_);
}
void Socket::close() {
  if (impl_) impl_->net->impl().close_socket(*impl_);
}
void Socket::reset() {
  if (!impl_) return;
  if (impl_->conn) impl_->net->impl().reset_conn(*impl_->conn);
  close();
}

void Socket::start_read(detail::SocketImpl* impl, detail::ReadOp* op) {
  World& world = impl->net->world();
  if (!impl->open) {
    op->result = {asio::error::bad_descriptor, 0};
    world.schedule_now(*op);
    return;
  }
  if (impl->read_op) throw std::logic_error("sim::Socket: concurrent async_read_some");
  Network::Impl& net = impl->net->impl();
  if (op->buffer.size() == 0) {
    op->result = {boost::system::error_code{}, 0};
    world.schedule_now(*op);
  } else if (net.try_read(*impl, *op)) {
    world.schedule_now(*op);
  } else {
    impl->read_op = op;
    op->park(impl, [](void* self, detail::ReadOp::Op* o, bool complete) {
      auto* s = static_cast<detail::SocketImpl*>(self);
      o->unpark();
      s->read_op = nullptr;
      if (complete) {
        o->result = {asio::error::operation_aborted, 0};
        s->net->world().schedule_now(*o);
      }
    });
  }
}

void Socket::start_write(detail::SocketImpl* impl, detail::WriteOp* op) {
  World& world = impl->net->world();
  if (!impl->open) {
    op->result = {asio::error::bad_descriptor, 0};
    world.schedule_now(*op);
    return;
  }
  if (impl->write_op) throw std::logic_error("sim::Socket: concurrent async_write_some");
  if (impl->net->impl().try_write(*impl, *op)) {
    world.schedule_now(*op);
  } else {
    impl->write_op = op;
    op->park(impl, [](void* self, detail::WriteOp::Op* o, bool complete) {
      auto* s = static_cast<detail::SocketImpl*>(self);
      o->unpark();
      s->write_op = nullptr;
      if (complete) {
        o->result = {asio::error::operation_aborted, 0};
        s->net->world().schedule_now(*o);
      }
    });
  }
}

// ---------------------------------------------------------------------------
// Acceptor

Acceptor::Acceptor() = default;
Acceptor::Acceptor(std::unique_ptr<detail::AcceptorImpl> impl) : impl_(std::move(impl)) {}
Acceptor::Acceptor(Acceptor&&) noexcept = default;
Acceptor& Acceptor::operator=(Acceptor&&) noexcept = default;
Acceptor::~Acceptor() = default;

Executor Acceptor::executor_of(detail::AcceptorImpl* impl) {
  return impl->net->world().executor_for(impl->node);
}
Acceptor::executor_type Acceptor::get_executor() const { return executor_of(impl_.get()); }
Endpoint Acceptor::local_endpoint() const { return impl_ ? impl_->local : Endpoint(); }
bool Acceptor::is_open() const { return impl_ && impl_->open; }
void Acceptor::close() {
  if (impl_) impl_->net->impl().close_acceptor(*impl_);
}

void Acceptor::start_accept(detail::AcceptorImpl* impl, detail::AcceptOp* op) {
  World& world = impl->net->world();
  if (!impl->open) {
    op->result = {asio::error::bad_descriptor, Socket()};
    world.schedule_now(*op);
    return;
  }
  if (!impl->backlog.empty()) {
    op->result = {boost::system::error_code{}, Socket(std::move(impl->backlog.front()))};
    impl->backlog.pop_front();
    world.schedule_now(*op);
    return;
  }
  impl->waiters.push_back(op);
  op->park(impl, [](void* self, detail::AcceptOp::Op* o, bool complete) {
    auto* a = static_cast<detail::AcceptorImpl*>(self);
    o->unpark();
    auto& w = a->waiters;
    w.erase(std::find(w.begin(), w.end(), static_cast<detail::AcceptOp*>(o)));
    if (complete) {
      o->result = {asio::error::operation_aborted, Socket()};
      a->net->world().schedule_now(*o);
    }
  });
}

// ---------------------------------------------------------------------------
// Network

void FaultGuard::release() {
  if (Network* n = std::exchange(net_, nullptr)) n->release(id_);
}

Network& Network::install(World& world, NetConfig config) {
  Network& net = asio::make_service<Network>(world.context(), world, config);
  world.set_network(&net);
  return net;
}
Network& Network::of(World& world) {
  if (!world.network()) throw std::logic_error("sim::Network::of: no network installed");
  return *world.network();
}

Network::Network(asio::execution_context& ctx, World& world, NetConfig config)
    : service(ctx), world_(world), config_(config), impl_(std::make_unique<Impl>(*this, world)) {}

Network::~Network() = default;

void Network::shutdown() {
  // Parked operations own coroutine frames that may own sockets; destroy
  // them while the network still works. Collect first: destroying a frame
  // can remove other sockets from the maps.
  for (;;) {
    detail::Op<error_code, std::size_t>* op = nullptr;
    for (auto& [k, s] : impl_->sockets) {
      if (s->read_op)
        op = s->read_op;
      else if (s->write_op)
        op = s->write_op;
      if (op) break;
    }
    if (!op) break;
    op->discard();
  }
  for (;;) {
    detail::AcceptOp* op = nullptr;
    for (auto& [k, a] : impl_->acceptors)
      if (!a->waiters.empty()) {
        op = a->waiters.front();
        break;
      }
    if (!op) break;
    op->discard();
  }
  while (!impl_->attempts.empty()) {
    Attempt* a = impl_->attempts.begin()->second;
    world_.unschedule(*a);
    a->discard();
  }
  // The nodes' cancellation signals stay until the service is destroyed:
  // frames discarded by the world afterwards still clear their slots.
}

NodeId Network::add_node(std::string name, std::vector<Address> addresses) {
  const auto node = static_cast<NodeId>(nodes_.size());
  // Loopback addresses may be shared: ExaBGP's configurations put both ends
  // of a session on 127.0.0.1 or ::1, and next-hop-self bytes carry that
  // address, so a test runs its speaker and its peer on it unchanged. Any
  // other address belongs to one node.
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const Address& a = addresses[i];
    if (std::find(addresses.begin(), addresses.begin() + static_cast<std::ptrdiff_t>(i), a) !=
        addresses.begin() + static_cast<std::ptrdiff_t>(i))
      throw std::invalid_argument("sim::Network: address listed twice: " + a.to_string());
    auto it = impl_->by_address.find(a);
    if (it != impl_->by_address.end() && !a.is_loopback())
      throw std::invalid_argument("sim::Network: address already in use: " + a.to_string() +
                                  " (only loopback addresses may be shared)");
  }
  for (const Address& a : addresses) impl_->by_address[a].push_back(node);
  NodeState st;
  st.rng.reseed(world_.derive_seed("node/" + name));
  st.name = std::move(name);
  st.addresses = std::move(addresses);
  nodes_.push_back(std::move(st));
  impl_->next_port.push_back(49152);
  world_.set_node_state(node, true);
  return node;
}

const std::string& Network::node_name(NodeId node) const { return nodes_.at(node).name; }
const std::vector<Address>& Network::node_addresses(NodeId node) const {
  return nodes_.at(node).addresses;
}
Rng& Network::node_rng(NodeId node) { return nodes_.at(node).rng; }

void Network::set_link(NodeId a, NodeId b, LinkConfig link) {
  impl_->links[{std::min(a, b), std::max(a, b)}] = link;
}

void Network::set_boot(NodeId node, std::function<void()> boot) {
  nodes_.at(node).boot = std::move(boot);
  if (world_.node_up(node)) nodes_[node].boot();
}

void Network::spawn(NodeId node, asio::awaitable<void, Executor> task,
                    std::function<void(std::exception_ptr)> on_done) {
  auto& signals = nodes_.at(node).signals;
  signals.emplace_back();
  auto it = std::prev(signals.end());
  asio::co_spawn(world_.executor_for(node), std::move(task),
                 asio::bind_cancellation_slot(
                     it->slot(), [this, node, it, done = std::move(on_done)](std::exception_ptr e) {
                       nodes_[node].signals.erase(it);
                       if (done) return done(e);
                       if (!e) return;
                       try {
                         std::rethrow_exception(e);
                       } catch (const boost::system::system_error& se) {
                         if (se.code() == asio::error::operation_aborted) return;  // crash
                         failures_.push_back(nodes_[node].name + ": " + se.what());
                       } catch (const std::exception& ex) {
                         failures_.push_back(nodes_[node].name + ": " + ex.what());
                       }
                     }));
}

Acceptor Network::listen(NodeId node, const Endpoint& local) {
  if (!world_.node_up(node))
    throw boost::system::system_error(asio::error::network_down, "sim listen");
  if (impl_->listeners.count({node, local}))
    throw boost::system::system_error(asio::error::address_in_use, "sim listen");
  auto a = std::make_unique<detail::AcceptorImpl>();
  a->net = this;
  a->node = node;
  a->id = impl_->next_id++;
  a->local = local;
  impl_->listeners[{node, local}] = a.get();
  impl_->acceptors[a->id] = a.get();
  return Acceptor(std::move(a));
}

FaultGuard Network::add_fault(FaultRule rule) {
  const std::uint64_t rule_id = impl_->next_id++;
  impl_->rules.push_back({rule_id, rule});
  world_.record(kNoNode, TraceKind::fault_on, rule_id);
  if (rule.action == FaultAction::reset) {
    std::vector<Conn*> hit;
    for (auto& [cid, c] : impl_->conns)
      if (rule.match.matches(c->node[0], c->node[1])) hit.push_back(c.get());
    for (Conn* c : hit) impl_->reset_conn(*c);
  }
  return FaultGuard(this, rule_id);
}

FaultGuard Network::crash(NodeId node) {
  const std::uint64_t rule_id = impl_->next_id++;
  impl_->crashes[rule_id] = node;
  impl_->crash(node);
  return FaultGuard(this, rule_id);
}

void Network::release(std::uint64_t guard_id) {
  if (world_.shutting_down()) return;
  if (auto it = impl_->crashes.find(guard_id); it != impl_->crashes.end()) {
    const NodeId node = it->second;
    impl_->crashes.erase(it);
    world_.set_node_state(node, true);
    world_.record(node, TraceKind::restart);
    if (nodes_[node].boot) nodes_[node].boot();
    return;
  }
  impl_->lift(guard_id);
}

}  // namespace bgpsim::sim
