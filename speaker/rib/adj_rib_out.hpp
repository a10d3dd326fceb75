// Adj-RIB-Out: what we advertise to one peer. Changes are queued as "dirty"
// keys and serialised only when the writer can send, so a newer change to a
// prefix replaces a queued one (it is never sent twice). BIRD's bgp_fire_tx
// works the same way.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "speaker/rib/route.hpp"
#include "speaker/wire/address.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::rib {

struct BuildOptions {
  // ExaBGP's `group-updates`: pack NLRI sharing attributes into one UPDATE.
  // ExaBGP packs IPv4 unicast only (rib/outgoing.py updates(): any other
  // family goes out one NLRI per UPDATE), and so do we unless
  // group_all_families packs every family.
  bool group_updates = true;
  bool group_all_families = false;
  // RFC 2545 3: our link-local address (ExaBGP's `local-link-local`), sent
  // after a global IPv6 next hop (32 bytes, 48 with the VPN route
  // distinguishers) where the family's next-hop forms allow it.
  std::optional<wire::IpAddress> link_local_next_hop;
  // How many queued changes one call serialises at most (bounds memory and
  // lets newer changes replace queued ones between batches).
  std::size_t batch_routes_max = 16384;
  // Families the session carries; routes of others stay in the table unsent.
  // Empty: every family.
  wire::FamilySet families;
  bool operator==(const BuildOptions&) const = default;
};

// A route the builder could not send: it does not fit one message of the
// session (or a length field), whatever the packing.
struct Refusal {
  RouteKey key;
  std::string reason;
  bool operator==(const Refusal&) const = default;
};

class AdjRibOut {
 public:
  void announce(const RouteKey& key, AttributesPtr attributes);
  void withdraw(const RouteKey& key);
  void withdraw_all(std::optional<wire::Family> family = std::nullopt);
  // Queues every route again: after a reconnect, or a ROUTE-REFRESH.
  void resend_all(std::optional<wire::Family> family = std::nullopt);
  // Sends End-of-RIB for `family` once the routes queued now are sent.
  void request_end_of_rib(wire::Family family);
  // Forgets queued changes and End-of-RIB markers (a new session resends all).
  void clear_pending();
  // Forgets queued withdrawals only (the table is unchanged).
  void drop_withdrawals() { withdrawn_.clear(); }

  bool has_pending() const;
  // Changes queued (walks what a resend has still to visit: for tests).
  std::size_t pending() const;
  // Serialises up to batch_routes_max queued changes into UPDATEs, packed as
  // `ctx` allows (message size, add-path, extended next hop). End-of-RIB
  // markers follow once no change of their family is queued.
  std::vector<wire::Update> take_updates(const wire::EncodeContext& ctx,
                                         const BuildOptions& options);

  // Routes take_updates could not send since the last call, with the reason,
  // for the session to log (naming the route). A refused route stays in the
  // table and is tried again when it is next queued.
  std::vector<Refusal> take_refused();

  const std::map<RouteKey, AttributesPtr>& routes() const { return routes_; }
  std::size_t size() const { return routes_.size(); }

  // Test seam for a deliberately broken speaker (scenarios/engine.cpp): while
  // on, withdraw() forgets the route without sending its withdrawal, so the
  // peer keeps it. The scenario properties must catch this.
  void drop_withdrawals_for_tests(bool on) { drop_withdrawals_ = on; }

 private:
  using Table = std::map<RouteKey, AttributesPtr>;
  using Entry = Table::value_type;
  // Orders entries of routes_ by key, and finds them by key.
  struct ByKey {
    using is_transparent = void;
    static const RouteKey& k(const Entry* e) { return e->first; }
    static const RouteKey& k(const RouteKey& key) { return key; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return k(a) < k(b);
    }
  };
  // A family sent whole, in key order: every entry of it after `after`
  // (all of them when none) is pending. `next` is the first table entry
  // after `after`: the sweep has work left while it is of the family.
  struct Sweep {
    std::optional<RouteKey> after;
    Table::iterator next;
  };
  bool live(wire::Family family, const Sweep& s) const {
    return s.next != routes_.end() && s.next->first.family == family;
  }
  bool sweeping(wire::Family family) const {
    auto s = sweeps_.find(family);
    return s != sweeps_.end() && live(family, s->second);
  }
  // Whether the entry is ahead of its family's sweep (the sweep sends it).
  bool swept(Table::const_iterator it) const;
  // Removes the entry, queueing its withdrawal under `queued_as`.
  Table::iterator drop(Table::iterator it, const RouteKey& queued_as);

  Table routes_;  // the table the peer should end up with
  // Changes not yet sent, a key in one of the three at most. Announcements
  // as pointers to their table entry (map nodes stay put; 48 bytes a route
  // where a copy of the key took 144); withdrawals as the key (no longer in
  // the table); and the families being sent whole: after resend_all (a new
  // session, a ROUTE-REFRESH), or from a family's first entry on (a first
  // configuration), where a route costs no queue entry at all (BIRD feeds a
  // new session alike).
  std::set<const Entry*, ByKey> announced_;
  std::set<RouteKey> withdrawn_;
  std::map<wire::Family, Sweep> sweeps_;
  std::set<wire::Family> end_of_rib_due_;
  std::vector<Refusal> refused_;
  bool drop_withdrawals_ = false;
};

// Packs routes into UPDATEs: withdrawals per family, announcements per
// (family, attribute set), each UPDATE as full as the message size allows.
// Routes keep their order within a group; groups come in order of first route.
// A route that cannot fit a message is refused, not sent.
struct BuiltUpdates {
  std::vector<wire::Update> updates;
  std::vector<Refusal> refused;
};
BuiltUpdates build_updates(const std::vector<Route>& routes, const wire::EncodeContext& ctx,
                           const BuildOptions& options);

}  // namespace bgpsim::rib
