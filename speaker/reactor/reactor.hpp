// Reactor<Runtime>: owns the peers and listeners of one speaker, turns the
// configuration into sessions and routes, and runs the same way over the
// real runtime and the simulator. Configuration comes in as the typed model
// (speaker/config/model.hpp), so any parser can feed it.
//
// Reload: configure() again diffs against what runs. A neighbor whose session
// settings changed is restarted; otherwise only its routes are diffed (new or
// changed ones announced, missing ones withdrawn). Removed neighbors get
// Cease / Peer De-configured.
//
// Routes are owned by their source. Configured routes come and go with the
// configuration; routes from the API (announce()/withdraw(), fed by
// speaker/api) are kept per peer apart from them, so a reload never
// withdraws an API route, and a restarted neighbor gets its API routes back.
// When both sources name one key, the API's route is the one sent; an API
// withdrawal removes the key (a configured route under it returns at the
// next reload).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "speaker/config/model.hpp"
#include "speaker/reactor/task_group.hpp"
#include "speaker/session/peer.hpp"

namespace bgpsim::reactor {

// Session settings of a configured neighbor.
session::PeerSettings peer_settings(const config::Neighbor& neighbor);
// Sorts communities and large communities and drops duplicates of every kind.
void normalise_communities(wire::PathAttributes& attributes);
// LOCAL_PREF given to routes towards internal peers that do not set one.
inline constexpr std::uint32_t default_local_pref = 100;
// A neighbor's configured routes resolved for its Adj-RIB-Out, without a
// copy of the routes (a million of them stay in the model alone): the
// outgoing attributes are worked out once per attribute set the routes share
// (the parser interns them) and interned in `pool`, not once per route. An
// error, naming the first route, when one cannot be resolved (next-hop self
// without a local address).
class ResolvedRoutes {
 public:
  static std::variant<ResolvedRoutes, std::string> resolve(const config::Neighbor& neighbor,
                                                           rib::AttributePool& pool);
  // f(key, attributes) for every route to send, in configuration order (a
  // key written twice: the last one wins, as in the Adj-RIB-Out). The
  // neighbor must outlive this.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& r : neighbor_->routes)
      if (!r.extra().withdrawn)
        f(rib::RouteKey{r.family, r.route_nlri()},
          resolved_.find({r.attributes.get(), r.next_hop_self})->second);
  }

 private:
  const config::Neighbor* neighbor_ = nullptr;
  std::map<std::pair<const wire::PathAttributes*, bool>, rib::AttributesPtr> resolved_;
};
// The neighbor's routes as the Adj-RIB-Out holds them, or the error above.
std::variant<std::map<rib::RouteKey, wire::PathAttributes>, std::string> neighbor_routes(
    const config::Neighbor& neighbor);
// Whether two neighbors' sessions are configured alike (routes aside).
bool same_session(const session::PeerSettings& a, const session::PeerSettings& b);

// What the outgoing-route rules (RFC 4271 5.1.2, 5.1.5, next-hop self) need
// to know of a neighbor.
struct RouteContext {
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::optional<wire::IpAddress> local_address;
};
RouteContext route_context(const config::Neighbor& neighbor);
// A route's attributes as written (configuration or API) -> as sent to the
// neighbor: next-hop self resolved, communities normalised, LOCAL_PREF for
// internal peers only, our AS prepended towards external peers. An error
// when next-hop self has no local address to resolve to.
std::variant<wire::PathAttributes, std::string> outgoing_attributes(const RouteContext& neighbor,
                                                                    wire::PathAttributes attributes,
                                                                    bool next_hop_self);

// Forwards every peer event to several observers, in the order they were
// added (the reactor takes one observer; `bgpsim live` gives it the JSON
// printer and the API dispatcher through this).
class ObserverFanout : public session::PeerObserver {
 public:
  void add(session::PeerObserver& o) { observers_.push_back(&o); }
  void remove(session::PeerObserver& o) { std::erase(observers_, &o); }
  void on_established(const std::string& peer, const session::Negotiated& n) override {
    for (std::size_t i = 0; i < observers_.size(); ++i) observers_[i]->on_established(peer, n);
  }
  void on_down(const std::string& peer, const session::Down& d) override {
    for (std::size_t i = 0; i < observers_.size(); ++i) observers_[i]->on_down(peer, d);
  }
  void on_message(const std::string& peer, const wire::Message& m, const wire::DecodeContext& ctx,
                  wire::ByteView raw) override {
    for (std::size_t i = 0; i < observers_.size(); ++i)
      observers_[i]->on_message(peer, m, ctx, raw);
  }
  void on_sent(const std::string& peer, const wire::Message& m, const wire::EncodeContext& ctx,
               wire::ByteView raw) override {
    for (std::size_t i = 0; i < observers_.size(); ++i) observers_[i]->on_sent(peer, m, ctx, raw);
  }
  void on_undecodable(const std::string& peer, wire::ByteView raw,
                      const wire::DecodeError& e) override {
    for (std::size_t i = 0; i < observers_.size(); ++i) observers_[i]->on_undecodable(peer, raw, e);
  }
  void on_routes(const std::string& peer, const std::vector<rib::Route>& r) override {
    for (std::size_t i = 0; i < observers_.size(); ++i) observers_[i]->on_routes(peer, r);
  }
  void on_refused(const std::string& peer, const std::vector<rib::Refusal>& r) override {
    for (std::size_t i = 0; i < observers_.size(); ++i) observers_[i]->on_refused(peer, r);
  }

 private:
  std::vector<session::PeerObserver*> observers_;
};

// A route the API announced to a peer: as written (the neighbor's rules are
// applied again when the neighbor is restarted with other settings).
struct ApiRoute {
  rib::AttributesPtr written;
  bool next_hop_self = false;
};

template <runtime::Runtime R>
class Reactor {
 public:
  using executor_type = typename R::executor_type;
  using PeerType = session::Peer<R>;
  template <class T>
  using awaitable = boost::asio::awaitable<T, executor_type>;

  Reactor(R& rt, session::PeerObserver& observer)
      : rt_(rt), observer_(observer), tasks_(rt.get_executor()), stopped_(rt.get_executor()) {}

  // Applies a configuration (first or reload). On an error nothing changes.
  std::optional<std::string> configure(const config::Config& config) {
    std::map<std::string, ResolvedRoutes> routes;
    for (const auto& n : config.neighbors) {
      auto r = ResolvedRoutes::resolve(n, pool_);
      if (auto* error = std::get_if<std::string>(&r)) return *error;
      routes.insert_or_assign(n.peer_address.to_string(), std::move(std::get<0>(r)));
    }
    // Removed neighbors, and neighbors whose session settings changed (whose
    // API routes go to the neighbor that replaces them).
    std::map<std::string, std::map<rib::RouteKey, ApiRoute>> carried;
    for (auto it = peers_.begin(); it != peers_.end();) {
      auto wanted =
          std::find_if(config.neighbors.begin(), config.neighbors.end(),
                       [&](const auto& n) { return n.peer_address.to_string() == it->first; });
      if (wanted != config.neighbors.end() &&
          same_session(peer_settings(*wanted), it->second.peer->settings())) {
        ++it;
        continue;
      }
      if (wanted != config.neighbors.end()) carried[it->first] = std::move(it->second.api);
      retire(it->second, wanted == config.neighbors.end()
                             ? wire::cease::peer_deconfigured
                             : wire::cease::other_configuration_change);
      it = peers_.erase(it);
    }
    for (const auto& n : config.neighbors) {
      const std::string name = n.peer_address.to_string();
      auto it = peers_.find(name);
      if (it == peers_.end()) it = add_peer(n);
      Entry& e = it->second;
      e.context = route_context(n);
      if (auto c = carried.find(name); c != carried.end())
        for (auto& [key, route] : c->second) {
          auto a = outgoing_attributes(e.context, *route.written, route.next_hop_self);
          if (std::holds_alternative<std::string>(a)) continue;  // no longer resolvable
          e.peer->adj_rib_out().announce(key, pool_.intern(std::move(std::get<0>(a))));
          e.api.emplace(key, std::move(route));
        }
      set_routes(e, routes.at(name));
    }
    for (const auto& n : config.neighbors) ensure_listener(n);
    return std::nullopt;
  }

  // A neighbor added at runtime (the API's `create neighbor`), the others
  // untouched; the next configure() (a reload) removes it unless the
  // configuration names it, as ExaBGP drops its dynamic peers. An error
  // when the address is taken or its routes cannot be resolved.
  std::optional<std::string> add_neighbor(const config::Neighbor& n) {
    const std::string name = n.peer_address.to_string();
    if (peers_.count(name)) return "neighbor " + name + " exists";
    auto routes = ResolvedRoutes::resolve(n, pool_);
    if (auto* error = std::get_if<std::string>(&routes)) return *error;
    Entry& e = add_peer(n)->second;
    e.context = route_context(n);
    set_routes(e, std::get<ResolvedRoutes>(routes));
    ensure_listener(n);
    return std::nullopt;
  }

  // Removes a neighbor (the API's `delete neighbor`): Cease / Peer
  // De-configured, as a reload that drops it. False when there is none.
  bool remove_neighbor(const std::string& name) {
    auto it = peers_.find(name);
    if (it == peers_.end()) return false;
    retire(it->second, wire::cease::peer_deconfigured);
    peers_.erase(it);
    return true;
  }

  // Runs listeners and peers until stop() has finished every session.
  awaitable<void> run() {
    running_ = true;
    for (auto& [_, entry] : peers_) start(entry);
    for (auto& l : listeners_) start_listener(l);
    while (!stopping_) {
      auto [ec] = co_await stopped_.async_wait(
          boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{}));
      if (ec) break;  // cancelled from outside
    }
    stop();
    co_await tasks_.join();
    running_ = false;
  }

  // Cease / Administrative Shutdown to every peer, close the listeners.
  void stop(std::optional<wire::Notification> notification = std::nullopt) {
    if (stop_called_) return;
    stop_called_ = true;
    stopping_ = true;
    for (auto& [_, entry] : peers_) entry.peer->stop(notification);
    for (auto& l : listeners_) l.acceptor.close();
    stopped_.notify();
  }

  // --- Routes from the API ---------------------------------------------------

  // Announces `attributes` (as written: the neighbor's rules are applied
  // here) under `key` to every named peer, as an API route. An unknown peer
  // or an unresolvable next-hop self is an error and changes nothing.
  std::optional<std::string> announce(const std::vector<std::string>& peers,
                                      const rib::RouteKey& key,
                                      const wire::PathAttributes& attributes,
                                      bool next_hop_self = false) {
    std::vector<std::pair<Entry*, wire::PathAttributes>> ready;
    for (const auto& name : peers) {
      auto it = peers_.find(name);
      if (it == peers_.end()) return "no neighbor " + name;
      auto a = outgoing_attributes(it->second.context, attributes, next_hop_self);
      if (auto* error = std::get_if<std::string>(&a)) return "neighbor " + name + ": " + *error;
      ready.emplace_back(&it->second, std::move(std::get<0>(a)));
    }
    const auto written = pool_.intern(attributes);
    for (auto& [e, a] : ready) {
      e->api.insert_or_assign(key, ApiRoute{written, next_hop_self});
      e->peer->adj_rib_out().announce(key, pool_.intern(std::move(a)));
      e->peer->routes_changed();
    }
    return std::nullopt;
  }

  // Withdraws `key` from every named peer (an API route, or a configured one
  // until the next reload). `written`: the command's attributes, resolved
  // per peer as an announcement's, which ExaBGP's form of the withdrawal
  // carries (rib::build_updates); with them a peer that does not hold the
  // key queues the withdrawal for that form only. Returns how many peers
  // had the key.
  std::size_t withdraw(const std::vector<std::string>& peers, const rib::RouteKey& key,
                       const wire::PathAttributes* written = nullptr, bool next_hop_self = false) {
    std::size_t had = 0;
    for (const auto& name : peers) {
      auto it = peers_.find(name);
      if (it == peers_.end()) continue;
      auto& out = it->second.peer->adj_rib_out();
      it->second.api.erase(key);
      rib::AttributesPtr carried;
      if (written)
        if (auto a = outgoing_attributes(it->second.context, *written, next_hop_self);
            auto* resolved = std::get_if<wire::PathAttributes>(&a))
          carried = pool_.intern(std::move(*resolved));
      const bool held = out.routes().count(key) != 0;
      if (!held && !carried) continue;
      had += held ? 1 : 0;
      out.withdraw(key, std::move(carried));
      it->second.peer->routes_changed();
    }
    return had;
  }

  // `clear adj-rib out`: withdraws every route of the peer, of both sources.
  void withdraw_all(const std::string& name) {
    auto it = peers_.find(name);
    if (it == peers_.end()) return;
    it->second.api.clear();
    it->second.peer->adj_rib_out().withdraw_all();
    it->second.peer->routes_changed();
  }

  // `flush adj-rib out`: sends the peer's whole Adj-RIB-Out again (between
  // BoRR and EoRR with Enhanced Route Refresh, Peer::refresh_out).
  void resend_all(const std::string& name) {
    auto it = peers_.find(name);
    if (it == peers_.end()) return;
    it->second.peer->refresh_out();
  }

  // The routes the API gave a peer (nullptr: no such peer).
  const std::map<rib::RouteKey, ApiRoute>* api_routes(const std::string& name) const {
    auto it = peers_.find(name);
    return it == peers_.end() ? nullptr : &it->second.api;
  }

  PeerType* find_peer(const std::string& name) {
    auto it = peers_.find(name);
    return it == peers_.end() ? nullptr : it->second.peer.get();
  }
  std::vector<PeerType*> peers() {
    std::vector<PeerType*> out;
    for (auto& [_, e] : peers_) out.push_back(e.peer.get());
    return out;
  }
  rib::AttributePool& pool() { return pool_; }
  R& runtime() { return rt_; }
  // Connections accepted from unknown sources and closed at once.
  std::uint64_t refused_connections() const { return refused_; }

 private:
  struct Entry {
    std::unique_ptr<PeerType> peer;
    RouteContext context;
    std::map<rib::RouteKey, ApiRoute> api;  // the API's routes, apart from configured ones
  };
  struct Listener {
    runtime::Endpoint endpoint;
    typename R::acceptor_type acceptor;
  };

  void start(Entry& e) { tasks_.spawn(e.peer->run()); }

  // A peer for the neighbor, started when the reactor runs.
  typename std::map<std::string, Entry>::iterator add_peer(const config::Neighbor& n) {
    const std::string name = n.peer_address.to_string();
    auto settings = peer_settings(n);
    // Back-off jitter comes from the Runtime's seed tree (one stream per
    // peer), so the world's seed changes the speaker's timing and one
    // printed seed reproduces a run; live, the seed base is random.
    settings.fsm.backoff_seed = rt_.derive_seed("peer/" + name);
    auto it =
        peers_
            .emplace(
                name,
                Entry{
                    std::make_unique<PeerType>(rt_, std::move(settings), observer_, pool_), {}, {}})
            .first;
    if (running_) start(it->second);
    return it;
  }

  void retire(Entry& e, std::uint8_t cease_subcode) {
    e.peer->stop(
        wire::Notification{static_cast<std::uint8_t>(wire::NotifyCode::cease), cease_subcode, {}});
    retired_.push_back(std::move(e.peer));  // outlives its run() task
  }

  // The configured routes of a peer become `wanted`; API routes stay.
  void set_routes(Entry& e, const ResolvedRoutes& wanted) {
    auto& out = e.peer->adj_rib_out();
    const auto configured = [&](const auto& entry) { return !e.api.count(entry.first); };
    // Configured routes that left the file (a first configuration has none:
    // no set of the million keys is built then).
    if (std::any_of(out.routes().begin(), out.routes().end(), configured)) {
      std::set<rib::RouteKey> kept;
      wanted.for_each(
          [&](const rib::RouteKey& key, const rib::AttributesPtr&) { kept.insert(key); });
      std::vector<rib::RouteKey> gone;
      for (const auto& entry : out.routes())
        if (configured(entry) && !kept.count(entry.first)) gone.push_back(entry.first);
      for (const auto& key : gone) out.withdraw(key);
    }
    wanted.for_each([&](const rib::RouteKey& key, const rib::AttributesPtr& attributes) {
      if (!e.api.count(key)) out.announce(key, attributes);
    });
    e.peer->routes_changed();
  }

  // A listener for the neighbor when it has a `listen` port.
  void ensure_listener(const config::Neighbor& n) {
    if (n.listen_port == 0 || !n.local_address) return;
    runtime::Endpoint ep(boost::asio::ip::make_address(n.local_address->to_string()),
                         n.listen_port);
    auto l = std::find_if(listeners_.begin(), listeners_.end(),
                          [&](const auto& x) { return x.endpoint == ep; });
    if (l == listeners_.end()) {
      listeners_.push_back(Listener{ep, rt_.listen(ep)});
      l = std::prev(listeners_.end());
      if (running_) start_listener(*l);
    }
    l->acceptor.set_peer_md5(boost::asio::ip::make_address(n.peer_address.to_string()),
                             n.md5_password);
    // GTSM (RFC 5082): our SYN-ACK leaves with the listener's TTL, so a
    // neighbor that sends 255 gets it from the listener too (harmless to
    // the listener's other neighbors); the minimum TTL is set per accepted
    // connection (Peer::accept), since the listener may serve others.
    if (n.outgoing_ttl) {
      runtime::SocketOptions ttl;
      ttl.ttl = n.outgoing_ttl;
      l->acceptor.apply(ttl);
    }
  }

  void start_listener(Listener& l) { tasks_.spawn(accept_loop(l)); }

  // Accepts connections and hands each to the configured peer it comes from;
  // unknown sources are closed at once.
  awaitable<void> accept_loop(Listener& l) {
    while (!stopping_) {
      auto [ec, socket] = co_await l.acceptor.async_accept(
          boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{}));
      if (ec) co_return;  // closed (stop) or cancelled; a broken listener stays down
      const auto from = socket.remote_endpoint().address().to_string();
      auto it = peers_.find(from);
      if (it == peers_.end()) {
        ++refused_;
        socket.close();
        continue;
      }
      it->second.peer->accept(std::move(socket));
    }
  }

  R& rt_;
  session::PeerObserver& observer_;
  rib::AttributePool pool_;
  std::map<std::string, Entry> peers_;  // by peer address
  std::list<std::unique_ptr<PeerType>> retired_;
  std::list<Listener> listeners_;
  TaskGroup<executor_type> tasks_;
  session::Notifier<executor_type> stopped_;
  bool running_ = false;
  bool stopping_ = false;
  bool stop_called_ = false;
  std::uint64_t refused_ = 0;
};

}  // namespace bgpsim::reactor
