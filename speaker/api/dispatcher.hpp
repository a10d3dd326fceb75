// ExaBGP's text API over a Reactor: what a helper process prints is fed to
// command(), line by line; replies (done/error, show output, pong) and
// events (per neighbor `api { processes [..]; neighbor-changes; receive {..} }`)
// go to the ProcessSink in the process's encoder. This object spawns
// nothing and reads no clock of its own: the owner (`bgpsim live`, the
// simulator's process support) moves lines between it and the processes.
//
// Grammar (docs/api.md has every command): optional selectors
// `neighbor IP [local-ip IP] [local-as N] [peer-as N] [router-id ID]
// [family-allowed F]`, comma-joined, or `neighbor *`; then
//   announce|withdraw route|attribute(s)|ipv4|ipv6|l2vpn|vpls|flow ...
//   announce|withdraw watchdog NAME   announce eor [AFI SAFI]
//   announce route-refresh AFI SAFI   teardown CODE
//   clear adj-rib out | flush adj-rib out
//   show neighbor [summary|extensive|configuration] | show adj-rib in|out [extensive]
//   enable-ack | disable-ack | silence-ack | ping | status | version
//   create neighbor IP KEY VALUE... | delete neighbor SELECTOR
//   reload | restart | shutdown | # comment
// Route words are read by the configuration parser (one grammar for files
// and the API). A malformed command changes nothing and gets `error`.
// Without selectors a command applies to the neighbors whose api binds the
// process; a process the configuration does not name (the control channel)
// reaches every neighbor. Routes for a session not yet up wait in its
// Adj-RIB-Out and go out when it is Established, as ExaBGP queues them.
#pragma once

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "speaker/api/commands.hpp"
#include "speaker/api/json_events.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/config/values.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/wire/nlri.hpp"

namespace bgpsim::api {

// Lines to processes: replies to commands and events. `process` is the config's process name.
using ProcessSink = std::function<void(const std::string& process, const std::string& line)>;

// What the owner does for the commands that reach beyond the reactor.
struct Control {
  // `reload`: re-read the configuration and apply it (Reactor::configure and
  // Dispatcher::reconfigure); returns an error to report, if any.
  std::function<std::optional<std::string>()> reload;
  // `restart`: as reload, with every session restarted.
  std::function<std::optional<std::string>()> restart;
  // `shutdown`: default Reactor::stop().
  std::function<void()> shutdown;
  // Adjusts a neighbor made by `create neighbor` as the owner adjusts the
  // configured ones (the qa runner: ExaBGP's wire, the test peer's port).
  std::function<void(config::Neighbor&)> prepare_neighbor;
  std::int64_t pid = 0;   // shown by `status` (the owner's process id)
  std::int64_t ppid = 0;  // the owner's parent, in the text encoder's shutdown notice
};

template <runtime::Runtime R>
class Dispatcher : public session::PeerObserver {
 public:
  Dispatcher(reactor::Reactor<R>& reactor, const config::Config& config, ProcessSink sink)
      : reactor_(reactor),
        sink_(std::move(sink)),
        json_([](const std::string&) {}),
        started_(reactor.runtime().now()) {
    const auto seed = reactor.runtime().derive_seed("api/uuid");
    uuid_ = fmt::format("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", seed >> 32, (seed >> 16) & 0xffff,
                        seed & 0xfff, (seed >> 20) & 0xfff, (seed * 0x9E3779B97F4A7C15ull) >> 16);
    reconfigure(config);
  }

  void set_control(Control control) { control_ = std::move(control); }
  // Diagnostics for the log: the reason of every error and, unless
  // `commands_applied` is false (a flood of a million commands), each
  // command applied.
  void set_log(std::function<void(const std::string&)> log, bool commands_applied = true) {
    log_ = std::move(log);
    log_applied_ = commands_applied;
  }

  // Processes / api bindings changed (reload). Acknowledgement settings of
  // processes that remain are kept.
  void reconfigure(const config::Config& config) {
    std::map<std::string, ProcessState> next;
    for (const auto& p : config.processes) {
      ProcessState st;
      st.encoder = encoder_of(p);
      if (auto it = processes_.find(p.name); it != processes_.end()) st.ack = it->second.ack;
      next[p.name] = st;
    }
    processes_ = std::move(next);
    neighbors_.clear();
    bound_.clear();
    watchdogs_.clear();
    for (const auto& n : config.neighbors) {
      neighbors_.push_back(view_of(n));
      auto& per_binding = bound_.emplace_back();
      for (const auto& b : n.api) per_binding.push_back(bound_processes(b, config.processes));
      for (const auto& r : n.routes)
        if (!r.extra().watchdog.empty())
          watchdogs_[r.extra().watchdog].push_back(
              WatchdogRoute{neighbors_.back().address, rib::RouteKey{r.family, r.route_nlri()},
                            r.attributes, r.next_hop_self});
    }
    reindex();
    json_.set_neighbors(config);
  }

  // A client that is not a configured process (a control connection): its
  // commands reach every neighbor and its errors carry their reason
  // ("error: REASON"; a helper's text encoder says only "error", as ExaBGP).
  void add_client(const std::string& name) { clients_.insert(name); }
  void remove_client(const std::string& name) { clients_.erase(name); }

  // What ExaBGP writes to a helper when it shuts down (or drops the helper).
  std::string shutdown_notice(const std::string& process) const {
    if (encoder(process) == Encoder::json)
      return fmt::format(
          R"({{"exabgp": "{}", "type": "notification", "notification": "shutdown"}})",
          wire::exabgp_json_version);
    return fmt::format("shutdown {} {}", control_.pid, control_.ppid);
  }

  // One line a process printed.
  void command(const std::string& process, std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) return;
    ++commands_;
    Reply reply{process};
    if (line.front() == '#') return reply.done(*this);
    auto split = split_command(line);
    if (auto* error = std::get_if<std::string>(&split)) return reply.error(*this, line, *error);
    const auto& cmd = std::get<SplitCommand>(split);
    if (cmd.words.empty())
      return reply.error(*this, line, "no command after the neighbor selector");
    execute(reply, line, cmd);
  }

  // --- Events (PeerObserver) ----------------------------------------------

  // ExaBGP writes "negotiated" when it has judged the peer's OPEN, before
  // the session is up; bgpsim writes it as the session comes up, just before
  // "up" (its receive/send lines of the OPENs and KEEPALIVEs come first).
  // The text encoder has no such line (ExaBGP's returns nothing).
  void on_established(const std::string& peer, const session::Negotiated& n) override {
    const std::string json = json_.up_line(peer, n);
    const std::size_t i = find_neighbor(peer);
    if (i < neighbors_.size() && wants_negotiated(neighbors_[i])) {
      const std::string negotiated = json_.negotiated_line(peer, n);
      for_each_binding(peer, [&](const config::ApiBinding& b, const std::string& process) {
        if (b.negotiated && encoder(process) == Encoder::json) sink_(process, negotiated);
      });
    }
    for_each_binding(peer, [&](const config::ApiBinding& b, const std::string& process) {
      if (b.neighbor_changes) emit(process, text_up(peer), json);
    });
  }

  void on_down(const std::string& peer, const session::Down& d) override {
    if (d.from != session::State::established) return;  // sessions, not attempts (as ExaBGP)
    const std::string json = json_.down_line(peer, d);
    for_each_binding(peer, [&](const config::ApiBinding& b, const std::string& process) {
      if (b.neighbor_changes) emit(process, text_down(peer, d.reason), json);
    });
  }

  void on_message(const std::string& peer, const wire::Message& m, const wire::DecodeContext& ctx,
                  wire::ByteView raw) override {
    message_event(peer, static_cast<std::uint8_t>(wire::type_of(m)), &m, ctx, raw, false);
  }
  void on_sent(const std::string& peer, const wire::Message& m, const wire::EncodeContext& ctx,
               wire::ByteView raw) override {
    message_event(peer, static_cast<std::uint8_t>(wire::type_of(m)), &m, ctx, raw, true);
  }
  // ExaBGP writes a message's bytes before it decodes them
  // (reactor/protocol.py), so `packets` shows one that then fails.
  void on_undecodable(const std::string& peer, wire::ByteView raw,
                      const wire::DecodeError&) override {
    if (raw.size() >= wire::header_size)
      message_event(peer, raw[wire::header_size - 1], nullptr, {}, raw, false);
  }

  // Commands read so far (for the owner's statistics).
  std::uint64_t commands() const { return commands_; }
  bool ack(const std::string& process) const {
    auto it = processes_.find(process);
    return it == processes_.end() || it->second.ack;
  }

 private:
  struct ProcessState {
    Encoder encoder = Encoder::text;
    bool ack = true;
  };
  struct WatchdogRoute {
    std::string peer;
    rib::RouteKey key;
    config::SharedAttributes attributes;
    bool next_hop_self = false;
  };

  // The answer to one command, in the process's encoder; silenced answers
  // (disable-ack) are not written, data lines always are.
  struct Reply {
    std::string process;
    void line(Dispatcher& d, const std::string& l) const { d.sink_(process, l); }
    void done(Dispatcher& d, bool force = false) const {
      if (force || d.ack(process)) d.sink_(process, answer_done(d.encoder(process)));
    }
    void error(Dispatcher& d, std::string_view command, const std::string& reason) const {
      if (d.log_) d.log_(fmt::format("process {}: command '{}': {}", process, command, reason));
      if (d.clients_.count(process))
        d.sink_(process, "error: " + reason);
      else if (d.ack(process))
        d.sink_(process, answer_error(d.encoder(process), reason));
    }
    void set_ack(Dispatcher& d, bool on) const {
      if (auto* st = d.state(process)) st->ack = on;
    }
  };

  ProcessState* state(const std::string& process) {
    auto it = processes_.find(process);
    return it == processes_.end() ? nullptr : &it->second;
  }
  Encoder encoder(const std::string& process) const {
    auto it = processes_.find(process);
    return it == processes_.end() ? Encoder::text : it->second.encoder;
  }
  // A message received or sent (`raw`: its bytes, borrowed for the call), to
  // the processes whose bindings ask for it (`receive { ... }` or `send {
  // ... }`). ExaBGP flattens a neighbor's api blocks into per-neighbor flags
  // and per-flag process lists (configuration/neighbor/api.py) and decides
  // in reactor/protocol.py: the message is reported when a block of the
  // neighbor wants its kind; then with `consolidate` the parsed form (with
  // "header" and "body" when a block asks for `packets`) goes to the blocks
  // that want the kind; otherwise `packets` sends the bytes alone to the
  // blocks that ask for packets, and `parsed` the parsed form to the blocks
  // that want the kind. A neighbor that names no form gets the parsed one
  // (ExaBGP would send nothing: a bgpsim choice, docs/api.md). `m` is null
  // for a message that did not decode: only `packets` shows it.
  void message_event(const std::string& peer, std::uint8_t type, const wire::Message* m,
                     const wire::DecodeContext& ctx, wire::ByteView raw, bool sent) {
    if (!any_bound_) return;  // no helper listens: the common case in simulations
    const std::size_t i = find_neighbor(peer);
    if (i == neighbors_.size()) return;
    const NeighborView& n = neighbors_[i];
    bool kind = false, parsed = false, packets = false, consolidate = false;
    for (const auto& b : n.api) {
      const auto& set = sent ? b.send : b.receive;
      kind = kind || wants(set, type);
      parsed = parsed || set.parsed;
      packets = packets || set.packets;
      consolidate = consolidate || set.consolidate;
    }
    if (!kind) return;
    if (!parsed && !packets && !consolidate) parsed = true;
    // ExaBGP's `negotiated` is a flag of the neighbor, whichever block set it.
    const session::Negotiated* negotiated = nullptr;
    if (wants_negotiated(n))
      if (const auto* p = reactor_.find_peer(peer)) negotiated = p->negotiated();
    const wire::ByteView attached = consolidate && packets ? raw : wire::ByteView{};
    // Each form is rendered once, in each encoder, when a process first needs it.
    std::optional<std::string> parsed_json, packets_json, packets_text;
    std::optional<std::vector<std::string>> parsed_text;
    for (std::size_t b = 0; b < n.api.size(); ++b) {
      const auto& set = sent ? n.api[b].send : n.api[b].receive;
      const bool send_packets = !consolidate && packets && set.packets && !raw.empty();
      const bool send_parsed = m && (consolidate || parsed) && wants(set, type);
      for (const auto& process : bound_[i][b]) {
        const bool json = encoder(process) == Encoder::json;
        if (send_packets && json) {
          if (!packets_json) packets_json = json_.packets_line(peer, raw, sent, negotiated);
          sink_(process, *packets_json);
        } else if (send_packets) {
          if (!packets_text) packets_text = text_packets(peer, raw, sent);
          sink_(process, *packets_text);
        }
        if (send_parsed && json) {
          if (!parsed_json)
            parsed_json = json_.message_line(peer, *m, ctx, sent, attached, negotiated);
          sink_(process, *parsed_json);
        } else if (send_parsed) {
          if (!parsed_text) parsed_text = text_message(peer, *m, ctx, sent, attached);
          for (const auto& l : *parsed_text) sink_(process, l);
        }
      }
    }
  }

  // Every message of every session looks its neighbor up: a route
  // reflector or a spine has a thousand (a linear scan of addresses was 10 %
  // of a 1,000-speaker simulation). Lookups only: the order is never used.
  std::size_t find_neighbor(const std::string& peer) const {
    auto it = index_.find(peer);
    return it == index_.end() ? neighbors_.size() : it->second;
  }
  void reindex() {
    index_.clear();
    any_bound_ = false;
    for (std::size_t i = 0; i < neighbors_.size(); ++i) {
      index_.emplace(neighbors_[i].address, i);
      for (const auto& processes : bound_[i]) any_bound_ = any_bound_ || !processes.empty();
    }
  }
  template <class F>
  void for_each_binding(const std::string& peer, F&& f) const {
    const std::size_t i = find_neighbor(peer);
    if (i == neighbors_.size()) return;
    for (std::size_t b = 0; b < neighbors_[i].api.size(); ++b)
      for (const auto& process : bound_[i][b]) f(neighbors_[i].api[b], process);
  }
  static bool wants_negotiated(const NeighborView& n) {
    for (const auto& b : n.api)
      if (b.negotiated) return true;
    return false;
  }
  void emit(const std::string& process, const std::string& text, const std::string& json) {
    sink_(process, encoder(process) == Encoder::json ? json : text);
  }
  // Whether `s` names the message type (`operational`, type 6, is not decoded).
  static bool wants(const config::MessageSet& s, std::uint8_t type) {
    switch (static_cast<wire::MessageType>(type)) {
      case wire::MessageType::open:
        return s.open;
      case wire::MessageType::update:
        return s.update;
      case wire::MessageType::notification:
        return s.notification;
      case wire::MessageType::keepalive:
        return s.keepalive;
      case wire::MessageType::route_refresh:
        return s.refresh;
    }
    return false;
  }

  // The neighbors a command reaches: those bound to the process (every one
  // for a process the configuration does not name), narrowed by selectors.
  std::vector<std::string> targets(const std::string& process, const SplitCommand& cmd) const {
    const bool known = processes_.count(process) != 0;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < neighbors_.size(); ++i) {
      const auto& n = neighbors_[i];
      bool bound = !known;
      for (const auto& processes : bound_[i])
        for (const auto& p : processes) bound = bound || p == process;
      if (!bound) continue;
      bool selected = cmd.selectors.empty();
      for (const auto& s : cmd.selectors) selected = selected || matches(s, n);
      if (selected) out.push_back(n.address);
    }
    return out;
  }

  void execute(const Reply& reply, std::string_view line, const SplitCommand& cmd) {
    const auto& w = cmd.words;
    const std::string& verb = w[0];
    auto word = [&](std::size_t i) -> std::string { return i < w.size() ? w[i] : std::string(); };
    if (verb == "announce" || verb == "withdraw") {
      const bool announce = verb == "announce";
      if (w.size() < 2) return reply.error(*this, line, verb + " needs what to " + verb);
      if (word(1) == "eor" && announce) return end_of_rib(reply, line, cmd);
      if (word(1) == "route-refresh" && announce) return route_refresh(reply, line, cmd);
      if (word(1) == "watchdog") return watchdog(reply, line, cmd, announce);
      return routes(reply, line, cmd, announce);
    }
    if (verb == "teardown") return teardown(reply, line, cmd);
    if (verb == "create" && word(1) == "neighbor") return create_neighbor(reply, line, cmd);
    if (verb == "delete" && word(1) == "neighbor") return delete_neighbor(reply, line, cmd);
    if ((verb == "clear" || verb == "flush") && word(1) == "adj-rib" && word(2) == "out" &&
        w.size() == 3) {
      const auto peers = targets(reply.process, cmd);
      if (peers.empty()) return reply.error(*this, line, "no neighbor matching the command");
      for (const auto& p : peers)
        verb == "clear" ? reactor_.withdraw_all(p) : reactor_.resend_all(p);
      return reply.done(*this);
    }
    if (verb == "show") return show(reply, line, cmd);
    if (w.size() == 1) {
      if (verb == "enable-ack") {
        reply.set_ack(*this, true);
        return reply.done(*this);
      }
      if (verb == "disable-ack") {  // this command's answer is the last one
        reply.done(*this, true);
        return reply.set_ack(*this, false);
      }
      if (verb == "silence-ack") return reply.set_ack(*this, false);  // silent at once
    }
    if (verb == "ping") {
      if (encoder(reply.process) == Encoder::json)
        reply.line(*this, fmt::format(R"({{ "pong": "{}", "active": true }})", uuid_));
      else
        reply.line(*this, fmt::format("pong {} active=true", uuid_));
      return reply.done(*this);
    }
    if (verb == "status" && w.size() == 1) return status(reply);
    if (verb == "version" && w.size() == 1) {
      reply.line(*this, "bgpsim (ExaBGP API 4.2)");
      return reply.done(*this);
    }
    if ((verb == "reload" || verb == "restart" || verb == "shutdown") && w.size() == 1) {
      std::function<std::optional<std::string>()> hook = verb == "reload"    ? control_.reload
                                                         : verb == "restart" ? control_.restart
                                                                             : nullptr;
      if (verb != "shutdown" && !hook)
        return reply.error(*this, line, verb + " is not available here (no configuration file)");
      reply.line(*this, verb + " in progress");
      if (verb == "shutdown") {
        reply.done(*this);
        if (control_.shutdown)
          control_.shutdown();
        else
          reactor_.stop();
        return;
      }
      if (auto error = hook()) return reply.error(*this, line, *error);
      return reply.done(*this);
    }
    reply.error(*this, line, "unknown command '" + verb + "'");
  }

  // announce|withdraw route|attribute(s)|ipv4|ipv6|l2vpn|vpls|flow ...
  void routes(const Reply& reply, std::string_view line, const SplitCommand& cmd, bool announce) {
    std::vector<std::string> words(cmd.words.begin() + 1, cmd.words.end());
    // ExaBGP withdraws without a next hop (it sets 0.0.0.0); so does this.
    // A flow route has none (its next-hop word is a redirect's).
    const bool flow =
        !words.empty() && (words[0] == "flow" ||
                           (words.size() > 1 && (words[1] == "flow" || words[1] == "flow-vpn")));
    if (!announce && words.size() > 1 && !flow &&
        std::find(words.begin(), words.end(), "next-hop") == words.end()) {
      auto nlri = std::find(words.begin(), words.end(), "nlri");
      words.insert(nlri, {"next-hop", "0.0.0.0"});
    }
    const auto statements = route_statements(words);
    if (!statements.error.empty()) return reply.error(*this, line, statements.error);
    auto parsed = config::parse_neighbor_routes(statements.text, config::Location("command", 1, 1));
    if (!parsed.errors.empty()) return reply.error(*this, line, parsed.errors.front().reason);
    const auto& n = parsed.neighbor;
    if (auto why = n.unsupported()) {
      // "command:1:1: ..." names the statement, not a file: keep the reason.
      auto reason = *why;
      if (auto colon = reason.find(": "); colon != std::string::npos) reason.erase(0, colon + 2);
      return reply.error(*this, line, reason);
    }
    if (n.routes.empty()) return reply.error(*this, line, "the command holds no route");
    const auto peers = targets(reply.process, cmd);
    if (peers.empty()) return reply.error(*this, line, "no neighbor matching the command");
    for (const auto& r : n.routes) {
      const rib::RouteKey key{r.family, r.route_nlri()};
      if (!announce) {
        reactor_.withdraw(peers, key, r.attributes.get(), r.next_hop_self);
        continue;
      }
      // One attribute set for every route of a command: the first route
      // that cannot be resolved fails them all before any is applied.
      if (auto error = reactor_.announce(peers, key, *r.attributes, r.next_hop_self))
        return reply.error(*this, line, *error);
    }
    if (log_ && log_applied_)
      log_(fmt::format("process {}: {} {} route(s) for {}", reply.process,
                       announce ? "announced" : "withdrew", n.routes.size(),
                       fmt::join(peers, ", ")));
    reply.done(*this);
  }

  // create neighbor IP KEY VALUE... (commands.hpp created_neighbor): a
  // neighbor made at runtime, bound to the `api` processes it names; a
  // reload drops it unless the configuration has it, as ExaBGP does.
  void create_neighbor(const Reply& reply, std::string_view line, const SplitCommand& cmd) {
    if (!cmd.selectors.empty()) return reply.error(*this, line, "'create' takes no selector");
    auto made = created_neighbor(std::span(cmd.words).subspan(2));
    if (auto* error = std::get_if<std::string>(&made)) return reply.error(*this, line, *error);
    auto& n = std::get<config::Neighbor>(made);
    if (control_.prepare_neighbor) control_.prepare_neighbor(n);
    if (auto error = reactor_.add_neighbor(n)) return reply.error(*this, line, *error);
    neighbors_.push_back(view_of(n));
    auto& per_binding = bound_.emplace_back();
    for (const auto& b : n.api) per_binding.push_back(b.processes);
    reindex();
    json_.add_neighbor(n);
    reply.done(*this);
  }

  // delete neighbor IP|* [KEY VALUE]...: the neighbors the selector matches
  // among those the process reaches go (Cease, Peer De-configured).
  void delete_neighbor(const Reply& reply, std::string_view line, const SplitCommand& cmd) {
    auto split = split_command(cmd.rest_after(1));
    if (auto* error = std::get_if<std::string>(&split)) return reply.error(*this, line, *error);
    const auto& selected = std::get<SplitCommand>(split);
    if (selected.selectors.empty() || !selected.words.empty())
      return reply.error(*this, line, "expected 'delete neighbor IP|* [KEY VALUE]...'");
    const auto peers = targets(reply.process, selected);
    if (peers.empty()) return reply.error(*this, line, "no neighbor matching the command");
    for (const auto& p : peers) {
      reactor_.remove_neighbor(p);
      const auto i = static_cast<std::ptrdiff_t>(find_neighbor(p));
      neighbors_.erase(neighbors_.begin() + i);
      bound_.erase(bound_.begin() + i);
      reindex();
    }
    reply.done(*this);
  }

  // announce|withdraw watchdog NAME: the configured routes marked `watchdog NAME`.
  void watchdog(const Reply& reply, std::string_view line, const SplitCommand& cmd, bool announce) {
    if (cmd.words.size() != 3) return reply.error(*this, line, "expected 'watchdog NAME'");
    const auto peers = targets(reply.process, cmd);
    auto it = watchdogs_.find(cmd.words[2]);
    if (it != watchdogs_.end())
      for (const auto& r : it->second) {
        if (std::find(peers.begin(), peers.end(), r.peer) == peers.end()) continue;
        if (announce) {
          if (auto error = reactor_.announce({r.peer}, r.key, *r.attributes, r.next_hop_self))
            return reply.error(*this, line, *error);
        } else {
          reactor_.withdraw({r.peer}, r.key);
        }
      }
    reply.done(*this);
  }

  std::optional<wire::Family> family_words(const SplitCommand& cmd, std::size_t from) {
    if (cmd.words.size() != from + 2) return std::nullopt;
    std::string safi = cmd.words[from + 1];
    if (safi == "sr-policy") safi = "srte";
    return wire::Family::parse(cmd.words[from] + " " + safi);
  }

  // announce eor [AFI SAFI] (IPv4 unicast by default).
  void end_of_rib(const Reply& reply, std::string_view line, const SplitCommand& cmd) {
    std::optional<wire::Family> family = wire::ipv4_unicast;
    if (cmd.words.size() != 2) family = family_words(cmd, 2);
    if (!family) return reply.error(*this, line, "expected 'announce eor [AFI SAFI]'");
    const auto peers = targets(reply.process, cmd);
    if (peers.empty()) return reply.error(*this, line, "no neighbor matching the command");
    for (const auto& p : peers)
      if (auto* peer = reactor_.find_peer(p);
          peer && peer->state() == session::State::established) {
        peer->adj_rib_out().request_end_of_rib(*family);
        peer->routes_changed();
      }
    reply.done(*this);
  }

  // announce route-refresh AFI SAFI
  void route_refresh(const Reply& reply, std::string_view line, const SplitCommand& cmd) {
    auto family = family_words(cmd, 2);
    if (!family) return reply.error(*this, line, "expected 'announce route-refresh AFI SAFI'");
    const auto peers = targets(reply.process, cmd);
    if (peers.empty()) return reply.error(*this, line, "no neighbor matching the command");
    for (const auto& p : peers)
      if (auto* peer = reactor_.find_peer(p)) peer->request_refresh(*family);
    reply.done(*this);
  }

  // teardown CODE: Cease with subcode CODE, the session comes back after its
  // back-off. Administrative Shutdown and Reset carry the subcode's name as
  // their shutdown communication (RFC 9003), as ExaBGP sends them
  // (its api-teardown test).
  void teardown(const Reply& reply, std::string_view line, const SplitCommand& cmd) {
    std::optional<std::uint8_t> code;
    if (cmd.words.size() == 2) code = config::values::number<std::uint8_t>(cmd.words[1]);
    if (!code) return reply.error(*this, line, "expected 'teardown CODE' (a Cease subcode 0..255)");
    const auto peers = targets(reply.process, cmd);
    if (peers.empty()) return reply.error(*this, line, "no neighbor matching the command");
    const auto cease = static_cast<std::uint8_t>(wire::NotifyCode::cease);
    const auto notification =
        *code == wire::cease::administrative_shutdown || *code == wire::cease::administrative_reset
            ? wire::Notification::make_shutdown(*code, wire::notify_subcode_name(cease, *code))
            : wire::Notification{cease, *code, {}};
    for (const auto& p : peers)
      if (auto* peer = reactor_.find_peer(p)) peer->teardown(notification);
    reply.done(*this);
  }

  void show(const Reply& reply, std::string_view line, const SplitCommand& cmd) {
    const auto& w = cmd.words;
    const bool extensive = std::find(w.begin(), w.end(), "extensive") != w.end();
    if (w.size() >= 2 && w[1] == "neighbor") {
      const std::string how = w.size() > 2 ? w[2] : "summary";
      if (how == "summary") {
        reply.line(*this, "Peer            AS        up/down state       |     #sent     #recvd");
        for (const auto& n : neighbors_) {
          auto* peer = reactor_.find_peer(n.address);
          const auto st = peer ? peer->state() : session::State::idle;
          std::string state(session::to_string(st));
          for (auto& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          reply.line(*this,
                     fmt::format("{:<15} {:<7} {:>9} {:<12} {:>10} {:>10}", n.address, n.peer_as,
                                 st == session::State::established ? "up" : "down", state,
                                 peer ? peer->adj_rib_out().size() : 0,
                                 peer ? peer->adj_rib_in().size() : 0));
        }
        return reply.done(*this);
      }
      if (how == "extensive" || how == "configuration") {
        for (const auto& n : neighbors_) {
          auto* peer = reactor_.find_peer(n.address);
          reply.line(*this, "Neighbor " + n.address);
          reply.line(*this, fmt::format("  local-address {}  local-as {}  peer-as {}  router-id {}",
                                        n.local_address.empty() ? "auto" : n.local_address,
                                        n.local_as, n.peer_as, wire::dotted_quad(n.router_id)));
          reply.line(*this, fmt::format("  family-allowed {}", family_allowed(n)));
          if (peer)
            reply.line(*this, fmt::format("  state {}  adj-rib-out {} routes  adj-rib-in {} routes",
                                          session::to_string(peer->state()),
                                          peer->adj_rib_out().size(), peer->adj_rib_in().size()));
        }
        return reply.done(*this);
      }
      return reply.error(*this, line, "expected 'show neighbor [summary|extensive|configuration]'");
    }
    if (w.size() >= 3 && w[1] == "adj-rib" && (w[2] == "in" || w[2] == "out")) {
      const bool in = w[2] == "in";
      for (const auto& n : neighbors_) {
        auto* peer = reactor_.find_peer(n.address);
        if (!peer) continue;
        const auto& table = in ? peer->adj_rib_in().routes() : peer->adj_rib_out().routes();
        for (const auto& [key, attributes] : table) {
          std::string l = fmt::format("neighbor {} {} {}", n.address, key.family.to_string(),
                                      wire::nlri_text(key.family, key.nlri));
          if (attributes->next_hop) l += " next-hop " + attributes->next_hop->to_string();
          if (extensive) l += text_attributes(*attributes);
          reply.line(*this, l);
        }
      }
      return reply.done(*this);
    }
    reply.error(*this, line, "expected 'show neighbor ...' or 'show adj-rib in|out [extensive]'");
  }

  void status(const Reply& reply) {
    const auto up_s =
        std::chrono::duration_cast<std::chrono::seconds>(reactor_.runtime().now() - started_)
            .count();
    if (encoder(reply.process) == Encoder::json) {
      wire::Json j;
      j["version"] = "bgpsim";
      j["uuid"] = uuid_;
      j["pid"] = control_.pid;
      j["uptime"] = up_s;
      wire::Json peers = wire::Json::object();
      for (const auto& n : neighbors_)
        if (auto* peer = reactor_.find_peer(n.address))
          peers[n.address] = std::string(session::to_string(peer->state()));
      j["peers"] = std::move(peers);
      reply.line(*this, wire::exabgp_text(j));
      return reply.done(*this);
    }
    reply.line(*this, "bgpsim Daemon Status");
    reply.line(*this, "====================");
    reply.line(*this, "Version: bgpsim (ExaBGP API 4.2)");
    reply.line(*this, "UUID: " + uuid_);
    reply.line(*this, fmt::format("PID: {}", control_.pid));
    reply.line(*this,
               fmt::format("Uptime: {}h {}m {}s", up_s / 3600, (up_s % 3600) / 60, up_s % 60));
    reply.line(*this, fmt::format("Peers: {}", neighbors_.size()));
    for (const auto& n : neighbors_)
      if (auto* peer = reactor_.find_peer(n.address))
        reply.line(*this, fmt::format("  - {}: {}", n.address, session::to_string(peer->state())));
    reply.done(*this);
  }

  reactor::Reactor<R>& reactor_;
  ProcessSink sink_;
  JsonEvents json_;  // renders the JSON event lines (envelopes per neighbor)
  std::chrono::nanoseconds started_;
  std::string uuid_;
  Control control_;
  std::function<void(const std::string&)> log_;
  bool log_applied_ = true;
  std::map<std::string, ProcessState> processes_;
  std::set<std::string> clients_;
  std::vector<NeighborView> neighbors_;
  std::unordered_map<std::string, std::size_t> index_;  // address -> neighbors_ index
  bool any_bound_ = false;                              // some neighbor's messages go to a process
  // Per neighbor, per api binding: the processes it names (processes-match resolved).
  std::vector<std::vector<std::vector<std::string>>> bound_;
  std::map<std::string, std::vector<WatchdogRoute>> watchdogs_;
  std::uint64_t commands_ = 0;
};

}  // namespace bgpsim::api
