#include "scenarios/engine.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/api/commands.hpp"
#include "speaker/api/dispatcher.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/wire/nlri.hpp"

namespace bgpsim::scenarios {

namespace {

using namespace std::chrono_literals;
using Reactor = reactor::Reactor<sim::SimRuntime>;
using Dispatcher = api::Dispatcher<sim::SimRuntime>;

std::string text_of(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : " | ") + l;
  return s;
}

// Routes announced in an UPDATE (IPv4 NLRI and MP_REACH).
template <class F>
void for_each_announced(const wire::Update& u, F&& f) {
  for (const auto& n : u.nlri) f(rib::RouteKey{wire::ipv4_unicast, n});
  if (u.attributes.mp_reach)
    for (const auto& n : u.attributes.mp_reach->nlri)
      f(rib::RouteKey{u.attributes.mp_reach->family, n});
}

class Run;

// One life of a node: its Reactor, the API dispatcher for timeline commands,
// and the observer that checks safety and writes the speaker-level trace.
struct Life : session::PeerObserver {
  Life(Run& run, std::size_t node, sim::SimRuntime& rt, const config::Config& config);
  void on_established(const std::string& peer, const session::Negotiated& n) override;
  void on_down(const std::string& peer, const session::Down& d) override;
  void on_message(const std::string& peer, const wire::Message& m, const wire::DecodeContext& ctx,
                  wire::ByteView raw) override;
  void on_sent(const std::string& peer, const wire::Message& m, const wire::EncodeContext& ctx,
               wire::ByteView raw) override;
  void on_routes(const std::string& peer, const std::vector<rib::Route>& routes) override;

  Run& run;
  std::size_t node;
  reactor::ObserverFanout fanout;
  Reactor reactor;
  std::unique_ptr<Dispatcher> api;
  bool done = false;
  bool crashed = false;  // a crash cancelled it: it ends with operation_aborted
};

class Run {
 public:
  Run(const Scenario& s, std::uint64_t seed, const EngineOptions& o)
      : scenario(s), options(o), world(seed, sim::TraceOptions{o.keep_events}) {}

  Outcome go();

  void fail(std::string what) {
    if (outcome.failures.size() >= options.max_failures) return;
    outcome.failures.push_back(fmt::format("t={:.3f}s {}: {}", seconds(), where, what));
  }
  double seconds() const { return double(world.now_ns()) / 1e9; }
  void note(std::size_t node, sim::TraceKind kind, const std::string& text) {
    if (!options.bgp_trace) return;
    world.record(ids[node], kind, 0,
                 {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  // The node at `address`, or -1 (a neighbor outside the scenario).
  int node_at(const std::string& address) const {
    auto it = by_address.find(address);
    return it == by_address.end() ? -1 : int(it->second);
  }
  bool explained(const wire::Notification& n) const {
    constexpr std::uint8_t hold_timer_expired = 4, cease = 6, collision = 7;
    if (n.code == cease && n.subcode == collision) return true;
    if (n.code == cease) return commands_seen || faults_seen || stopping;
    if (n.code == hold_timer_expired) return faults_seen;
    return false;
  }

  const Scenario& scenario;
  EngineOptions options;
  sim::World world;
  sim::Network& net = sim::Network::install(world);
  std::vector<sim::NodeId> ids;
  std::vector<config::Config> configs;
  std::vector<std::unique_ptr<sim::SimRuntime>> runtimes;
  std::vector<std::vector<std::unique_ptr<Life>>> lives;  // a crash only cancels: keep every life
  std::map<std::string, std::size_t> by_address;
  // Keys each node announced on each session (node, peer address): what
  // the peer's Adj-RIB-In may hold.
  std::map<std::pair<std::size_t, std::string>, std::set<rib::RouteKey>> announced;
  // Sessions' negotiated contexts of each node (to decode what it writes).
  std::vector<std::map<std::string, wire::EncodeContext>> contexts;
  // Bytes written and not yet framed, per (node, connection): only the tail
  // of a write that ends inside a message (lookups only, order never used).
  struct StreamKey {
    std::uint32_t node;
    std::uint64_t connection;
    bool operator==(const StreamKey&) const = default;
  };
  struct StreamHash {
    std::size_t operator()(const StreamKey& k) const {
      return std::hash<std::uint64_t>{}(k.connection * 0x9E3779B97F4A7C15ULL ^ k.node);
    }
  };
  std::unordered_map<StreamKey, std::vector<std::uint8_t>, StreamHash> streams;
  // Frames and decodes the messages in `bytes`; returns how many bytes it
  // used (whole messages), or nullopt after a bad header.
  std::optional<std::size_t> check_messages(const sim::TraceView& e, wire::ByteView bytes);
  std::map<std::string, sim::FaultGuard> faults;  // active link faults by description
  std::map<std::size_t, sim::FaultGuard> crashed;
  bool faults_seen = false, commands_seen = false, stopping = false;
  std::string where = "setup";
  Outcome outcome;

  Life& life(std::size_t node) { return *lives[node].back(); }
  void boot(std::size_t node);
  void check_bytes(const sim::TraceView& e);
  void step(const Step& s);
  void check(const Step& s);
  std::vector<sim::Match> matches(const Step& s) const;
  std::string liveness();
};

Life::Life(Run& r, std::size_t n, sim::SimRuntime& rt, const config::Config& config)
    : run(r), node(n), reactor(rt, fanout) {
  fanout.add(*this);
  if (auto error = reactor.configure(config)) {
    run.fail(fmt::format("node {}: configuration: {}", run.scenario.nodes[n].name, *error));
    return;
  }
  api =
      std::make_unique<Dispatcher>(reactor, config, [](const std::string&, const std::string&) {});
  api->set_log(
      [this](const std::string& line) {
        if (run.options.strict_commands)
          run.fail(fmt::format("node {}: {}", run.scenario.nodes[node].name, line));
        else
          run.note(node, sim::TraceKind::bgp_state, line);
      },
      false);
  fanout.add(*api);
  if (run.scenario.nodes[n].broken == "drop-withdraw")
    for (auto* p : reactor.peers()) p->adj_rib_out().drop_withdrawals_for_tests(true);
}

void Life::on_established(const std::string& peer, const session::Negotiated& n) {
  run.contexts[node][peer] = n.send;
  run.note(node, sim::TraceKind::bgp_state, peer + " established");
}

void Life::on_down(const std::string& peer, const session::Down& d) {
  run.contexts[node].erase(peer);
  run.note(node, sim::TraceKind::bgp_state, peer + " down: " + d.reason);
}

void Life::on_message(const std::string& peer, const wire::Message& m,
                      const wire::DecodeContext& ctx, wire::ByteView) {
  if (run.options.bgp_trace)
    run.note(node, sim::TraceKind::bgp_received, text_of(api::text_message(peer, m, ctx)));
}

void Life::on_sent(const std::string& peer, const wire::Message& m, const wire::EncodeContext& ctx,
                   wire::ByteView) {
  if (run.options.bgp_trace)
    run.note(node, sim::TraceKind::bgp_sent, text_of(api::text_message(peer, m, ctx, true)));
  if (const auto* u = std::get_if<wire::Update>(&m)) {
    auto& keys = run.announced[{node, peer}];
    for_each_announced(*u, [&](const rib::RouteKey& k) { keys.insert(k); });
  } else if (const auto* n = std::get_if<wire::Notification>(&m); n && !run.explained(*n)) {
    run.fail(fmt::format("node {} sent NOTIFICATION {}/{} to {} that no fault explains",
                         run.scenario.nodes[node].name, n->code, n->subcode, peer));
  }
}

void Life::on_routes(const std::string& peer, const std::vector<rib::Route>& routes) {
  std::string text;
  const int from = run.node_at(peer);
  const std::string& self = run.scenario.nodes[node].address;
  for (const auto& r : routes) {
    if (run.options.bgp_trace)
      text += (r.attributes ? " +" : " -") + wire::nlri_text(r.key.family, r.key.nlri);
    if (!r.attributes || from < 0) continue;
    auto sent = run.announced.find({std::size_t(from), self});
    if (sent == run.announced.end() || !sent->second.contains(r.key))
      run.fail(fmt::format("node {} holds {} from {}, which {} never announced to it",
                           run.scenario.nodes[node].name, wire::nlri_text(r.key.family, r.key.nlri),
                           peer, peer));
  }
  if (run.options.bgp_trace) run.note(node, sim::TraceKind::bgp_routes, peer + text);
}

void Run::boot(std::size_t node) {
  lives[node].push_back(std::make_unique<Life>(*this, node, *runtimes[node], configs[node]));
  Life& l = *lives[node].back();
  net.spawn(ids[node], l.reactor.run(), [this, &l, node](std::exception_ptr e) {
    l.done = true;
    if (e && !l.crashed) fail("node " + scenario.nodes[node].name + ": the reactor threw");
  });
}

void Run::check_bytes(const sim::TraceView& e) {
  if (e.kind == sim::TraceKind::reset || e.kind == sim::TraceKind::close) {
    streams.erase({e.node, e.aux});
    return;
  }
  if (e.kind != sim::TraceKind::write || e.node >= ids.size()) return;
  // Most writes hold whole messages: check them where they are, and keep only
  // a tail that ends inside a message (a copy per write was 7 % of a
  // 1,000-speaker run).
  auto it = streams.find({e.node, e.aux});
  if (it == streams.end()) {
    const auto used = check_messages(e, e.bytes);
    if (used && *used < e.bytes.size())
      streams[{e.node, e.aux}].assign(e.bytes.begin() + std::ptrdiff_t(*used), e.bytes.end());
    return;
  }
  auto& buf = it->second;
  buf.insert(buf.end(), e.bytes.begin(), e.bytes.end());
  const auto used = check_messages(e, buf);
  if (!used || *used == buf.size())
    streams.erase(it);
  else
    buf.erase(buf.begin(), buf.begin() + std::ptrdiff_t(*used));
}

// Frames every BGP message a node writes and decodes it with the contexts
// its sessions negotiated (an OPEN, KEEPALIVE or NOTIFICATION needs none).
std::optional<std::size_t> Run::check_messages(const sim::TraceView& e, wire::ByteView bytes) {
  std::size_t at = 0;
  while (bytes.size() - at >= 19) {
    const auto* m = bytes.data() + at;
    const std::size_t length = std::size_t(m[16]) << 8 | m[17];
    if (length < 19) {
      fail(fmt::format("node {} wrote a BGP header with length {} (connection {})",
                       scenario.nodes[e.node].name, length, e.aux));
      return std::nullopt;
    }
    if (bytes.size() - at < length) break;
    wire::ByteView message(m, length);
    // The default context first, then each session's; no copies of them: a
    // route reflector or spine has a thousand sessions and writes on all.
    std::string error;
    auto first = wire::decode_message(message, wire::DecodeContext{});
    bool decoded = bool(first);
    if (!decoded) error = first.error().reason;
    for (auto c = contexts[e.node].begin(); !decoded && c != contexts[e.node].end(); ++c)
      decoded = bool(wire::decode_message(message, c->second));
    if (!decoded)
      fail(fmt::format("node {} wrote a message that does not decode (connection {}): {}",
                       scenario.nodes[e.node].name, e.aux, error));
    at += length;
  }
  return at;
}

std::vector<sim::Match> Run::matches(const Step& s) const {
  if (s.between.empty()) return {sim::Match{}};
  auto id = [&](const std::string& name) {
    for (std::size_t i = 0; i < scenario.nodes.size(); ++i)
      if (scenario.nodes[i].name == name) return ids[i];
    return sim::kAnyNode;
  };
  return {sim::Match{id(s.between[0]), id(s.between[1]), true}};
}

std::size_t index_of(const Scenario& s, const std::string& name) {
  for (std::size_t i = 0; i < s.nodes.size(); ++i)
    if (s.nodes[i].name == name) return i;
  return 0;  // parse_scenario checked every name
}

void Run::step(const Step& s) {
  switch (s.kind) {
    case Step::Kind::advance:
      world.run_for(std::chrono::milliseconds(s.ms));
      return;
    case Step::Kind::command: {
      commands_seen = true;
      const auto n = index_of(scenario, s.node);
      if (crashed.contains(n)) return;  // a crashed node takes no command
      if (life(n).api) life(n).api->command("scenario", s.text);
      if (scenario.nodes[n].broken == "drop-withdraw")  // peers a command added
        for (auto* p : life(n).reactor.peers()) p->adj_rib_out().drop_withdrawals_for_tests(true);
      return;
    }
    case Step::Kind::check:
      return check(s);
    case Step::Kind::fault:
      break;
  }
  faults_seen = true;
  const std::string key = describe(s);
  if (s.text == "heal") {
    if (s.between.empty())
      faults.clear();
    else
      for (auto it = faults.begin(); it != faults.end();)
        it = it->first.ends_with(" " + s.between[0] + " " + s.between[1]) ? faults.erase(it)
                                                                          : std::next(it);
  } else if (s.text == "crash") {
    const auto n = index_of(scenario, s.node);
    if (!crashed.contains(n)) {
      life(n).crashed = true;
      crashed.emplace(n, net.crash(ids[n]));
    }
  } else if (s.text == "restart") {
    crashed.erase(index_of(scenario, s.node));  // the boot hook builds a new life
  } else {
    static const std::map<std::string, sim::FaultAction> actions{
        {"partition", sim::FaultAction::partition},
        {"stall", sim::FaultAction::stall},
        {"delay", sim::FaultAction::delay},
        {"reset", sim::FaultAction::reset}};
    for (const auto& m : matches(s)) {
      auto guard =
          net.add_fault(sim::FaultRule{m, actions.at(s.text), std::chrono::milliseconds(s.ms)});
      // A reset acts now (and on data while it stays): lift it at once.
      if (s.text != "reset") faults.insert_or_assign(key, std::move(guard));
    }
  }
}

void Run::check(const Step& s) {
  const auto n = index_of(scenario, s.node);
  if (crashed.contains(n)) return fail("check on a crashed node");
  auto* peer = life(n).reactor.find_peer(s.peer);
  if (!peer) return fail(fmt::format("node {} has no neighbor {}", s.node, s.peer));
  if (s.text == "state") {
    const auto state = std::string(session::to_string(peer->state()));
    std::string want = s.state;
    std::replace(want.begin(), want.end(), '-', '_');
    std::string got = state;
    std::transform(got.begin(), got.end(), got.begin(), [](char c) {
      return c == ' ' || c == '-' ? '_' : char(std::tolower(static_cast<unsigned char>(c)));
    });
    if (got != want)
      fail(fmt::format("{} {}: state {}, expected {}", s.node, s.peer, state, s.state));
    return;
  }
  std::set<std::string> have;
  auto collect = [&](const auto& table) {
    for (const auto& [key, _] : table) have.insert(wire::nlri_text(key.family, key.nlri));
  };
  if (s.text == "adj-rib-in")
    collect(peer->adj_rib_in().routes());
  else
    collect(peer->adj_rib_out().routes());
  if (s.count && have.size() != *s.count)
    fail(fmt::format("{} {} {}: {} routes, expected {}", s.text, s.node, s.peer, have.size(),
                     *s.count));
  if (s.routes && std::set<std::string>(s.routes->begin(), s.routes->end()) != have) {
    std::string list;
    for (const auto& r : have) list += (list.empty() ? "" : " ") + r;
    fail(fmt::format("{} {} {}: holds [{}], expected {} routes", s.text, s.node, s.peer, list,
                     s.routes->size()));
  }
}

// A route's attributes as its peer sent them and as the Adj-RIB-In holds
// them. The receiver keeps an optional transitive attribute it does not
// recognize with the Partial bit set (RFC 4271 5; the Prefix-SID of a MUP
// route, for one), so that bit is not compared.
bool same_attributes(const wire::PathAttributes& in, const wire::PathAttributes& out) {
  if (in == out) return true;
  if (in.other.size() != out.other.size()) return false;
  auto a = in, b = out;
  constexpr std::uint8_t partial = 0x20;
  for (auto& o : a.other) o.flags &= std::uint8_t(~partial);
  for (auto& o : b.other) o.flags &= std::uint8_t(~partial);
  return a == b;
}

// What keeps the run from liveness; empty when every configured session
// between two nodes is Established with equal tables.
std::string Run::liveness() {
  for (std::size_t n = 0; n < scenario.nodes.size(); ++n) {
    for (const auto& neighbor : configs[n].neighbors) {
      const auto name = neighbor.peer_address.to_string();
      const int other = node_at(name);
      if (other < 0) continue;
      auto* peer = life(n).reactor.find_peer(name);
      auto* back = life(std::size_t(other)).reactor.find_peer(scenario.nodes[n].address);
      if (!peer || !back) continue;  // configured one way only: cannot come up
      if (peer->state() != session::State::established)
        return fmt::format("{} -> {}: {}", scenario.nodes[n].name, name,
                           session::to_string(peer->state()));
      const auto& in = peer->adj_rib_in().routes();
      const auto& out = back->adj_rib_out().routes();
      auto i = in.begin();
      auto o = out.begin();
      for (; i != in.end() && o != out.end(); ++i, ++o)
        if (!(i->first == o->first) || !same_attributes(*i->second, *o->second)) break;
      if (i != in.end() || o != out.end()) {
        const auto& key = i != in.end() ? i->first : o->first;
        // The same route with other attributes: say which.
        std::string attributes;
        if (i != in.end() && o != out.end() && i->first == o->first)
          attributes = fmt::format(": attributes{} | sent{}", api::text_attributes(*i->second),
                                   api::text_attributes(*o->second));
        // Per family: the counts and the first differing route of that family.
        std::size_t in_family = 0, out_family = 0;
        for (const auto& [k, _] : in) in_family += k.family == key.family;
        for (const auto& [k, _] : out) out_family += k.family == key.family;
        return fmt::format(
            "{} holds {} {} routes from {}, which advertises {} (first difference {}{}; all "
            "families {} and {})",
            scenario.nodes[n].name, in_family, key.family.to_string(), scenario.nodes[other].name,
            out_family, wire::nlri_text(key.family, key.nlri), attributes, in.size(), out.size());
      }
    }
  }
  return {};
}

Outcome Run::go() {
  outcome.seed = world.seed();
  world.trace().observer = [this](const sim::TraceView& e) { check_bytes(e); };
  const auto n = scenario.nodes.size();
  lives.resize(n);
  contexts.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& spec = scenario.nodes[i];
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(spec.address, ec);
    if (ec) {
      fail(fmt::format("node {}: bad address {}", spec.name, spec.address));
      return outcome;
    }
    ids.push_back(net.add_node(spec.name, {address}));
    by_address.emplace(address.to_string(), i);
    auto parsed = config::parse_config(spec.config, "node " + spec.name);
    if (auto* error = std::get_if<config::ParseError>(&parsed)) {
      fail(error->to_string());
      return outcome;
    }
    configs.push_back(std::get<config::Config>(std::move(parsed)));
    runtimes.push_back(std::make_unique<sim::SimRuntime>(net, ids.back()));
  }
  for (const auto& l : scenario.links) {
    sim::LinkConfig link;
    link.latency = std::chrono::milliseconds(l.latency_ms);
    link.bandwidth_bytes_per_s = l.bandwidth_bytes_per_s;
    net.set_link(ids[index_of(scenario, l.a)], ids[index_of(scenario, l.b)], link);
  }
  for (std::size_t i = 0; i < n; ++i) net.set_boot(ids[i], [this, i] { boot(i); });
  if (!outcome.failures.empty()) return outcome;

  // Phase 1: the timeline, safety checked by the observers as events happen.
  for (std::size_t i = 0; i < scenario.timeline.size(); ++i) {
    const auto& s = scenario.timeline[i];
    where = fmt::format("step {} ({})", i, describe(s));
    if (options.bgp_trace && s.kind != Step::Kind::advance) {
      const auto text = describe(s);
      world.record(sim::kNoNode, sim::TraceKind::step, i,
                   {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    }
    step(s);
  }
  // Phase 2: heal, restart, quiesce.
  where = "quiesce";
  faults.clear();
  crashed.clear();
  const auto healed = world.now();
  std::string waiting = liveness();
  while (!waiting.empty() && world.now() - healed < std::chrono::seconds(scenario.quiesce_s)) {
    world.run_for(1s);
    waiting = liveness();
  }
  if (waiting.empty())
    outcome.converged_after_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(world.now() - healed).count();
  else
    fail(fmt::format("no liveness {} s after the heal: {}", scenario.quiesce_s, waiting));
  for (std::size_t i = 0; i < n; ++i)
    for (auto* p : life(i).reactor.peers()) {
      outcome.routes += p->adj_rib_in().size();
      outcome.sessions += p->state() == session::State::established;
    }
  where = "stop";
  stopping = true;
  for (std::size_t i = 0; i < n; ++i) life(i).reactor.stop();
  world.run_for(10s);
  for (std::size_t i = 0; i < n; ++i)
    if (!life(i).done) fail("node " + scenario.nodes[i].name + " did not stop");
  for (const auto& f : net.failures()) fail(f);
  outcome.virtual_ms = std::chrono::duration_cast<std::chrono::milliseconds>(world.now()).count();
  outcome.events = world.events_run();
  world.trace().observer = nullptr;
  outcome.run = sim::RunResult{world.seed(), world.trace().hash(), world.trace().events()};
  return outcome;
}

}  // namespace

Outcome run_scenario(const Scenario& scenario, std::uint64_t seed, const EngineOptions& options) {
  Run run(scenario, seed, options);
  return run.go();
}

}  // namespace bgpsim::scenarios
