#include "replay/drivers/run.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "replay/pcap/pcap_reader.hpp"
#include "sim/pcap.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/wire/json.hpp"

namespace bgpsim::replay {

namespace {

using namespace std::chrono_literals;
using Nanos = std::chrono::nanoseconds;

Nanos offset(const Timestamp& t, const Timestamp& base) {
  return std::chrono::seconds(t.sec - base.sec) +
         std::chrono::microseconds(std::int64_t(t.usec) - std::int64_t(base.usec));
}

const char* side_name(int side) { return side == 0 ? "a" : "b"; }

// The first OPEN `side` sent, decoded.
std::optional<wire::Open> first_open(const CapturedSession& s, int side) {
  for (const auto& m : s.messages) {
    if (m.side != side || m.bytes.size() < wire::header_size || m.bytes[18] != 1) continue;
    auto decoded = wire::decode_message(m.bytes, m.context);
    if (decoded)
      if (const auto* open = std::get_if<wire::Open>(&decoded.value())) return *open;
  }
  return std::nullopt;
}

// The neighbor the speaker runs: what the capture shows of side `side`.
config::Neighbor neighbor_from(const CapturedSession& s, int side, const wire::Open& own,
                               const wire::Open& other) {
  config::Neighbor n;
  const Endpoint& me = s.side[side];
  const Endpoint& peer = s.side[1 - side];
  n.local_address = me.address;
  n.peer_address = peer.address;
  n.local_as = own.asn();
  n.peer_as = other.asn();
  n.router_id = own.bgp_identifier;
  n.hold_time_s = own.hold_time_s;
  // Side a opened the connection (replay/README.md), so side b listened.
  n.passive = side == 1;
  if (n.passive)
    n.listen_port = me.port;
  else
    n.connect_port = peer.port;
  auto& c = n.capabilities;
  c.asn4 = false;
  for (const auto& cap : own.capabilities()) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, wire::cap::Multiprotocol>) {
            n.families.push_back(v.family);
          } else if constexpr (std::is_same_v<T, wire::cap::RouteRefresh>) {
            c.route_refresh = true;
          } else if constexpr (std::is_same_v<T, wire::cap::FourOctetAsn>) {
            c.asn4 = true;
          } else if constexpr (std::is_same_v<T, wire::cap::ExtendedMessage>) {
            c.extended_message = true;
          } else if constexpr (std::is_same_v<T, wire::cap::ExtendedNextHop>) {
            c.extended_next_hop = true;
          } else if constexpr (std::is_same_v<T, wire::cap::GracefulRestart>) {
            c.graceful_restart_s = v.restart_time_s;
          } else if constexpr (std::is_same_v<T, wire::cap::AddPath>) {
            for (const auto& e : v.entries) {
              c.add_path.receive |= (e.direction & wire::cap::AddPath::receive) != 0;
              c.add_path.send |= (e.direction & wire::cap::AddPath::send) != 0;
              c.add_path_families.push_back(e.family);
            }
          } else if constexpr (std::is_same_v<T, wire::cap::Fqdn>) {
            n.host_name = v.host_name;
            n.domain_name = v.domain_name;
          }
        },
        cap);
  }
  return n;
}

std::string route_name(const rib::RouteKey& k) {
  std::string s = k.family.to_string() + " " + k.nlri.prefix.to_string();
  if (k.nlri.path_id) s += fmt::format(" path-id {}", *k.nlri.path_id);
  return s;
}

std::string attributes_text(const wire::PathAttributes& a, const wire::DecodeContext& ctx) {
  wire::Json j = wire::Json::object();
  if (a.next_hop) j["next-hop"] = a.next_hop->to_string();
  wire::attributes_to_json(a, ctx, j);
  return j.dump();
}

// What `actual` lacks, has extra, or holds with other attributes than `expected`.
std::vector<RouteDifference> compare_tables(
    const std::map<rib::RouteKey, rib::AttributesPtr>& expected,
    const std::map<rib::RouteKey, rib::AttributesPtr>& actual, const wire::DecodeContext& ctx) {
  std::vector<RouteDifference> out;
  for (const auto& [key, attributes] : expected) {
    auto it = actual.find(key);
    if (it == actual.end())
      out.push_back({route_name(key), "missing", attributes_text(*attributes, ctx), ""});
    else if (!(*it->second == *attributes))
      out.push_back({route_name(key), "different", attributes_text(*attributes, ctx),
                     attributes_text(*it->second, ctx)});
  }
  for (const auto& [key, attributes] : actual)
    if (!expected.count(key))
      out.push_back({route_name(key), "extra", "", attributes_text(*attributes, ctx)});
  return out;
}

// The table a side's UPDATEs leave behind (RFC 7606 handling as the speaker's).
std::vector<rib::Route> apply_update(rib::AdjRibIn& table, rib::AttributePool& pool,
                                     wire::ByteView bytes, const wire::DecodeContext& ctx) {
  if (bytes.size() < wire::header_size || bytes[18] != 2) return {};
  auto m = wire::decode_message(bytes, ctx);
  if (!m) return {};
  if (const auto* u = std::get_if<wire::Update>(&m.value())) return table.apply(*u, pool);
  return {};
}

// The speaker's Adj-RIB-In as it was while the session was up: changes made
// by the flush of a session going down are not applied.
struct Observer : session::PeerObserver {
  session::Peer<sim::SimRuntime>* peer = nullptr;
  std::map<rib::RouteKey, rib::AttributesPtr> table;
  bool established = false;
  void on_established(const std::string&, const session::Negotiated&) override {
    established = true;
  }
  void on_routes(const std::string&, const std::vector<rib::Route>& changes) override {
    if (!peer || peer->state() != session::State::established) return;
    for (const auto& c : changes) {
      if (c.attributes)
        table[c.key] = c.attributes;
      else
        table.erase(c.key);
    }
  }
};

// The other side, scripted: the recorded messages at their offsets.
struct ScriptedPeer {
  struct Step {
    Nanos at{};
    const wire::Bytes* send = nullptr;               // a recorded message to send, or
    std::optional<wire::Notification> stop_speaker;  // the recorded side's Cease, or
    std::vector<rib::Route> changes;                 // the recorded side's route changes
  };
  std::vector<Step> steps;
  std::optional<sim::Socket> socket;
  std::optional<sim::Timer> timer;
  Nanos connected_at{};
  bool connected = false;
  bool done = false;                                    // every step performed
  bool recording = true;                                // messages the speaker sends are kept
  std::vector<std::pair<Nanos, wire::Bytes>> received;  // from the speaker
  std::size_t sent = 0;
  std::vector<std::string> notes;
};

using SimAwaitable = boost::asio::awaitable<void, sim::Executor>;
constexpr auto tok = boost::asio::as_tuple(boost::asio::use_awaitable_t<sim::Executor>{});

SimAwaitable read_speaker(ScriptedPeer& p, sim::SimRuntime rt) {
  wire::Bytes header(wire::header_size);
  for (;;) {
    auto [ec, n] = co_await boost::asio::async_read(*p.socket, boost::asio::buffer(header), tok);
    if (ec) co_return;
    const std::size_t length = std::size_t(header[16]) << 8 | header[17];
    wire::Bytes message = header;
    if (length > wire::header_size) {
      message.resize(length);
      auto [ec2, m] = co_await boost::asio::async_read(
          *p.socket,
          boost::asio::buffer(message.data() + wire::header_size, length - wire::header_size), tok);
      if (ec2) co_return;
    }
    if (p.recording) p.received.emplace_back(rt.now() - p.connected_at, std::move(message));
  }
}

}  // namespace

std::variant<CapturedSession, std::string> load_session(const std::string& path,
                                                        std::uint32_t session) {
  CapturedSession s;
  s.file = path;
  s.session = session;
  auto sink = [&](const Record& r) {
    if (r.session != session) return;
    if (r.kind == RecordKind::gap) ++s.gaps;
    if (r.kind == RecordKind::error) ++s.errors;
    if (r.kind != RecordKind::message) return;
    // An OPEN decodes alike in every context; what counts is whether the
    // messages after the two OPENs had to be read with an inferred one.
    if (r.context_inferred && r.bytes.size() > wire::header_size && r.bytes[18] != 1)
      s.context_inferred = true;
    s.messages.push_back(CapturedMessage{r.side, r.time, r.origin.record, r.bytes,
                                         r.context.value_or(wire::DecodeContext{})});
  };
  const auto result = read_pcap(path, sink);
  if (!result.opened) return result.error;
  for (const auto& summary : result.sessions) {
    if (summary.session != session) continue;
    s.side[0] = summary.side[0];
    s.side[1] = summary.side[1];
    return s;
  }
  return fmt::format("{}: no session {} (the capture has {})", path, session,
                     result.sessions.size());
}

std::string message_kind(wire::ByteView message, const wire::DecodeContext& ctx) {
  auto m = wire::decode_message(message, ctx);
  if (!m) return "undecodable";
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, wire::Open>) return "open";
        if constexpr (std::is_same_v<T, wire::Keepalive>) return "keepalive";
        if constexpr (std::is_same_v<T, wire::Update>)
          return v.end_of_rib() ? "end-of-rib" : "update";
        if constexpr (std::is_same_v<T, wire::Notification>)
          return fmt::format("notification {}/{}", v.code, v.subcode);
        if constexpr (std::is_same_v<T, wire::RouteRefresh>) return "route-refresh";
        return "other";
      },
      m.value());
}

std::vector<std::size_t> compared_kinds(const std::vector<std::string>& kinds) {
  std::vector<std::size_t> out;
  bool keepalive_seen = false;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] == "keepalive") {
      if (keepalive_seen) continue;
      keepalive_seen = true;
    }
    if (!out.empty() && kinds[out.back()] == kinds[i]) continue;
    out.push_back(i);
  }
  return out;
}

std::variant<RunReport, std::string> run_replay(const CapturedSession& s,
                                                const RunOptions& options) {
  const int me = options.side, other = 1 - options.side;
  const auto own_open = first_open(s, me);
  const auto other_open = first_open(s, other);
  if (!own_open || !other_open)
    return fmt::format(
        "{}: session {}: the OPEN of side {} was not captured; replay run configures the "
        "speaker from side {}'s OPEN and replays side {}'s",
        s.file, s.session, side_name(own_open ? other : me), side_name(me), side_name(other));
  if (s.messages.empty()) return fmt::format("{}: session {} has no messages", s.file, s.session);

  RunReport report;
  report.file = s.file;
  report.session = s.session;
  report.side = me;
  report.seed = options.seed;
  config::Config cfg;
  cfg.neighbors.push_back(neighbor_from(s, me, *own_open, *other_open));
  const config::Neighbor& n = cfg.neighbors.back();
  report.speaker_address = s.side[me].address.to_string();
  report.peer_address = s.side[other].address.to_string();
  report.speaker_port = s.side[me].port;
  report.peer_port = s.side[other].port;
  report.passive = n.passive;
  report.local_as = n.local_as;
  report.peer_as = n.peer_as;
  report.router_id = *n.router_id;
  report.hold_time_s = n.hold_time_s;
  for (auto f : n.negotiated_families()) report.families.push_back(f.to_string());
  for (const auto& c : own_open->capabilities())
    report.capabilities.emplace_back(wire::capability_name(wire::capability_code(c)));
  if (s.gaps || s.errors)
    report.notes.push_back(fmt::format("the capture lost bytes of this session: {} gaps, {} errors",
                                       s.gaps, s.errors));

  // What each side announced in the capture, and the contexts of each
  // direction. The recorded side's routes are the speaker's input, like an
  // operator's configuration: those it announced up to its first End-of-RIB
  // are configured before the run; later changes are made at their recorded
  // offsets (without an End-of-RIB, the whole table is configured up front).
  rib::AttributePool pool;
  rib::AdjRibIn announced_by[2];
  wire::DecodeContext context_of[2];  // of messages sent by each side
  std::vector<std::string> recorded_kinds;
  std::vector<const CapturedMessage*> recorded;
  for (const auto& m : s.messages) {
    context_of[m.side] = m.context;
    if (m.side == me) {
      recorded.push_back(&m);
      recorded_kinds.push_back(message_kind(m.bytes, m.context));
    }
  }
  const bool has_end_of_rib =
      std::find(recorded_kinds.begin(), recorded_kinds.end(), "end-of-rib") != recorded_kinds.end();
  std::map<rib::RouteKey, rib::AttributesPtr> initial;
  bool initial_done = false;
  ScriptedPeer script;
  const Timestamp base = s.messages.front().time;
  Nanos last{};
  for (const auto& m : s.messages) {
    const Nanos at = offset(m.time, base);
    last = std::max(last, at);
    auto changes = apply_update(announced_by[m.side], pool, m.bytes, m.context);
    if (m.side == other) {
      script.steps.push_back({at, &m.bytes, std::nullopt, {}});
      continue;
    }
    const std::string kind = message_kind(m.bytes, m.context);
    if (!initial_done) {
      if (kind == "end-of-rib") {
        initial_done = true;
        initial = announced_by[me].routes();
      }
    } else if (!changes.empty()) {
      script.steps.push_back({at, nullptr, std::nullopt, std::move(changes)});
    }
    // The recorded side's Cease (an operator's action the speaker cannot
    // guess) becomes a stop of the speaker with that NOTIFICATION.
    if (kind.starts_with("notification 6/")) {
      auto decoded = wire::decode_message(m.bytes, m.context);
      const auto& notification = std::get<wire::Notification>(decoded.value());
      script.steps.push_back({at, nullptr, notification, {}});
      report.notes.push_back(
          fmt::format("side {} sent Cease {}/{} at {:.6f} s: the speaker is stopped with it then",
                      side_name(me), notification.code, notification.subcode,
                      std::chrono::duration<double>(at).count()));
    }
  }
  if (!has_end_of_rib) initial = announced_by[me].routes();
  report.recorded_messages = recorded.size();
  report.routes_configured = initial.size();

  sim::NetConfig net_config;
  net_config.link.latency = options.latency;
  sim::World world(options.seed);
  auto& net = sim::Network::install(world, net_config);
  std::unique_ptr<sim::PcapWriter> pcap;
  const auto address = [](const wire::IpAddress& a) {
    return boost::asio::ip::make_address(a.to_string());
  };
  sim::NodeId node_speaker = 0, node_peer = 0;
  try {
    if (!options.pcap_path.empty())
      pcap = std::make_unique<sim::PcapWriter>(net, options.pcap_path);
    node_speaker = net.add_node("speaker", {address(s.side[me].address)});
    node_peer = net.add_node("peer", {address(s.side[other].address)});
  } catch (const std::exception& e) {
    return fmt::format("{}: session {}: {}", s.file, s.session, e.what());
  }
  sim::SimRuntime rt_speaker(net, node_speaker), rt_peer(net, node_peer);
  Observer observer;
  reactor::Reactor<sim::SimRuntime> speaker(rt_speaker, observer);
  if (auto error = speaker.configure(cfg))
    return fmt::format("{}: session {}: the speaker's configuration: {}", s.file, s.session,
                       *error);
  auto* peer = speaker.find_peer(n.peer_address.to_string());
  observer.peer = peer;
  for (const auto& [key, attributes] : initial)
    peer->adj_rib_out().announce(key, speaker.pool().intern(*attributes));
  peer->routes_changed();

  bool speaker_done = false;
  net.spawn(node_speaker, speaker.run(), [&](std::exception_ptr e) {
    speaker_done = true;
    if (e) report.failures.push_back("the speaker's reactor ended with an exception");
  });
  const sim::Endpoint speaker_ep(address(s.side[me].address), s.side[me].port);
  const sim::Endpoint peer_ep(address(s.side[other].address), s.side[other].port);
  const bool peer_connects = n.passive;
  net.spawn(node_peer, [&]() -> SimAwaitable {
    sim::Socket socket;
    script.timer.emplace(rt_peer.make_timer());
    if (peer_connects) {
      for (int attempt = 0;; ++attempt) {
        auto [ec, sock] = co_await rt_peer.async_connect(speaker_ep, tok);
        if (!ec) {
          socket = std::move(sock);
          break;
        }
        if (attempt == 20) {
          script.notes.push_back("the scripted peer could not connect to the speaker: " +
                                 ec.message());
          co_return;
        }
        script.timer->expires_after(100ms);
        co_await script.timer->async_wait(tok);
      }
    } else {
      auto acceptor = rt_peer.listen(peer_ep);
      auto [ec, sock] = co_await acceptor.async_accept(tok);
      acceptor.close();
      if (ec) co_return;
      socket = std::move(sock);
    }
    script.socket.emplace(std::move(socket));
    script.connected = true;
    script.connected_at = rt_peer.now();
    net.spawn(node_peer, read_speaker(script, rt_peer));
    bool sending_closed = false;
    for (const auto& step : script.steps) {
      const Nanos when = script.connected_at + step.at;
      if (when > rt_peer.now()) {
        script.timer->expires_at(when);
        auto [ec] = co_await script.timer->async_wait(tok);
        if (ec) co_return;
      }
      if (step.stop_speaker) {
        speaker.stop(step.stop_speaker);
        continue;
      }
      if (!step.send) {
        for (const auto& c : step.changes) {
          if (c.attributes)
            peer->adj_rib_out().announce(c.key, speaker.pool().intern(*c.attributes));
          else
            peer->adj_rib_out().withdraw(c.key);
        }
        peer->routes_changed();
        continue;
      }
      if (sending_closed) continue;
      auto [ec, written] =
          co_await boost::asio::async_write(*script.socket, boost::asio::buffer(*step.send), tok);
      if (ec) {
        script.notes.push_back(fmt::format("the scripted peer's write failed after {} messages: {}",
                                           script.sent, ec.message()));
        sending_closed = true;
        continue;
      }
      ++script.sent;
      // RFC 4271 4.5: the connection closes after a NOTIFICATION (the
      // recorded side's own steps still happen).
      if ((*step.send)[18] == 3) {
        script.socket->shutdown_send();
        sending_closed = true;
      }
    }
    script.done = true;
  });

  // Until every step is performed (or the connection never comes), then the
  // settling time, in virtual time.
  const Nanos limit = last + 120s;
  while (!script.done && world.now() < (script.connected ? script.connected_at : Nanos{}) + limit)
    world.run_for(1s);
  world.run_for(options.settle);
  report.end = world.now();
  script.recording = false;
  report.established = observer.established;
  report.replayed_messages = script.sent;
  for (auto& note : script.notes) report.notes.push_back(note);
  if (!script.connected) report.notes.push_back("the connection was never established");

  // The kinds, compared.
  std::vector<std::string> speaker_kinds;
  rib::AdjRibIn sent_by_speaker;
  for (const auto& [at, bytes] : script.received) {
    speaker_kinds.push_back(message_kind(bytes, context_of[me]));
    apply_update(sent_by_speaker, pool, bytes, context_of[me]);
  }
  report.speaker_messages = script.received.size();
  const auto rec = compared_kinds(recorded_kinds);
  const auto spk = compared_kinds(speaker_kinds);
  for (std::size_t i = 0; i < std::max(rec.size(), spk.size()); ++i) {
    const bool have_rec = i < rec.size(), have_spk = i < spk.size();
    if (have_rec && have_spk && recorded_kinds[rec[i]] == speaker_kinds[spk[i]]) continue;
    report.kinds_differ = true;
    if (have_rec)
      report.first_recorded =
          MessageAt{rec[i] + 1, offset(recorded[rec[i]]->time, base), recorded_kinds[rec[i]]};
    if (have_spk)
      report.first_speaker =
          MessageAt{spk[i] + 1, script.received[spk[i]].first, speaker_kinds[spk[i]]};
    break;
  }
  std::set<std::string> recorded_notifications;
  for (const auto& k : recorded_kinds)
    if (k.starts_with("notification")) recorded_notifications.insert(k);
  for (std::size_t i = 0; i < speaker_kinds.size(); ++i) {
    if (!speaker_kinds[i].starts_with("notification") ||
        recorded_notifications.count(speaker_kinds[i]))
      continue;
    auto text = speaker_kinds[i];
    auto decoded = wire::decode_message(script.received[i].second, context_of[me]);
    if (decoded)
      text +=
          " " + wire::notification_to_json(std::get<wire::Notification>(decoded.value())).dump();
    report.unexpected_notifications.push_back(MessageAt{i + 1, script.received[i].first, text});
  }

  // The tables.
  report.rib_in_expected = announced_by[other].size();
  report.rib_in_actual = observer.table.size();
  report.rib_in = compare_tables(announced_by[other].routes(), observer.table, context_of[other]);
  report.sent_expected = announced_by[me].size();  // after every change
  report.sent_actual = sent_by_speaker.size();
  report.sent = compare_tables(announced_by[me].routes(), sent_by_speaker.routes(), context_of[me]);

  // Wind down: the speaker stops, the scripted peer closes.
  speaker.stop();
  if (script.timer) script.timer->cancel();
  world.run_for(1s);
  if (script.socket) script.socket->close();
  world.run_for(10s);
  if (!speaker_done) report.failures.push_back("the speaker did not stop");
  for (const auto& f : net.failures()) report.failures.push_back(f);
  if (pcap) pcap->flush();
  report.trace_hash = world.trace().hash();
  // The script was made before the world: its socket and timer go first.
  script.socket.reset();
  script.timer.reset();
  return report;
}

}  // namespace bgpsim::replay
