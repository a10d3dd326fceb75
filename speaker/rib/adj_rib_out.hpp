// Adj-RIB-Out: what we advertise to one peer. Changes are queued as "dirty"
// keys and serialised only when the writer can send, so a newer change to a
// prefix replaces a queued one (it is never sent twice). BIRD's bgp_fire_tx
// works the same way.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "speaker/rib/route.hpp"
#include "speaker/wire/address.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::rib {

struct BuildOptions {
  // ExaBGP's `group-updates`: pack NLRI of a family sharing attributes into
  // one UPDATE. Under exabgp_compat only the families ExaBGP packs
  // (wire::FamilyRow::exabgp_grouped: IPv4 unicast and mcast-vpn); any
  // other goes one NLRI per UPDATE there, as ExaBGP sends it.
  bool group_updates = true;
  // RFC 2545 3: our link-local address (ExaBGP's `local-link-local`), sent
  // after a global IPv6 next hop (32 bytes, 48 with the VPN route
  // distinguishers) where the family's next-hop forms allow it.
  std::optional<wire::IpAddress> link_local_next_hop;
  // How many queued changes one call serialises at most (bounds memory and
  // lets newer changes replace queued ones between batches).
  std::size_t batch_routes_max = 16384;
  // ExaBGP's include_withdraw (reactor/peer.py): false for the first batch
  // of a session under exabgp_compat (the session sets it per call). Its
  // withdrawals are not sent, but one of a family other than unicast and
  // multicast that carries attributes (ExaBGP's form, build_updates) leaves
  // those attributes behind as an UPDATE with no NLRI at all, as ExaBGP's
  // messages() does (api-flow.ci expects it).
  bool include_withdraw = true;
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

// A queued change as the builder reads it.
struct Change {
  RouteKey key;
  // An announcement's attributes; a withdrawal's are those it carries in
  // ExaBGP's form (null: none).
  AttributesPtr attributes;
  bool withdrawal = false;
  // A change the RFC form sends. A withdrawal is not needed when the table
  // did not hold the route or an announcement of the key followed; an
  // announcement when a later one of its key replaced it before it was sent
  // (AdjRibOut::replaced_). The others are sent in ExaBGP's form only
  // (build_updates).
  bool needed = true;
  // When the change was queued (0: with its family's sweep, before any
  // other): ExaBGP's form sends a batch in that order.
  std::uint64_t arrival = 0;
};

class AdjRibOut {
 public:
  void announce(const RouteKey& key, AttributesPtr attributes);
  // Queues the withdrawal of `key`. `carried`: the attributes the withdrawal
  // carries in ExaBGP's form (build_updates), by default the route's own;
  // the API gives the command's. A key the table does not hold is queued
  // only when `carried` is given, as never advertised: ExaBGP sends such a
  // withdrawal, the RFC form has nothing to withdraw and sends nothing.
  void withdraw(const RouteKey& key, AttributesPtr carried = nullptr);
  void withdraw_all(std::optional<wire::Family> family = std::nullopt);
  // Queues every route again: after a reconnect, or a ROUTE-REFRESH.
  void resend_all(std::optional<wire::Family> family = std::nullopt);
  // Sends End-of-RIB for `family` once the routes queued now are sent.
  void request_end_of_rib(wire::Family family);
  // Marks `family` for an Enhanced Route Refresh EoRR (RFC 7313 4) once the
  // routes queued now are sent: take_refresh_ends() names it after the
  // take_updates() call whose UPDATEs complete the family.
  void request_refresh_end(wire::Family family);
  std::vector<wire::Family> take_refresh_ends() { return std::exchange(refresh_ends_, {}); }
  // Forgets queued changes, End-of-RIB and EoRR markers (a new session
  // resends all), but not the replaced announcements kept for ExaBGP's form
  // (replaced_): the table cannot resend those.
  void clear_pending();
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
  Table::iterator drop(Table::iterator it, const RouteKey& queued_as,
                       AttributesPtr carried = nullptr);
  struct Withdrawal {
    AttributesPtr carried;  // the attributes ExaBGP's form sends with it
    bool needed = true;     // the RFC form sends it too (Change::needed)
    std::uint64_t arrival = 0;
  };

  Table routes_;  // the table the peer should end up with
  // Changes not yet sent, a key in one of the three at most. Announcements
  // as pointers to their table entry with their arrival (map nodes stay
  // put; 56 bytes a route where a copy of the key took 144); withdrawals
  // as the key (no longer in the table); and the families being sent whole: after resend_all (a new
  // session, a ROUTE-REFRESH), or from a family's first entry on (a first
  // configuration), where a route costs no queue entry at all (BIRD feeds a
  // new session alike).
  std::map<const Entry*, std::uint64_t, ByKey> announced_;  // -> arrival
  std::uint64_t arrivals_ = 0;  // changes queued so far (Change::arrival)
  std::map<RouteKey, Withdrawal> withdrawn_;
  // Announcements replaced before they were sent, for ExaBGP's form only:
  // its outgoing RIB queues changes per attribute set, so a queued
  // announcement replaced by one of the same NLRI with other attributes is
  // sent too, before it (its conf-flow-redirect, conf-l2vpn and
  // api-flow-merge tests). The RFC form sends the last only (RFC 4271 3.2).
  // Kept across clear_pending (they were never sent), dropped by a
  // withdrawal of the key, emptied by take_updates.
  std::map<RouteKey, std::vector<Change>> replaced_;
  std::map<wire::Family, Sweep> sweeps_;
  std::set<wire::Family> end_of_rib_due_;
  std::set<wire::Family> refresh_end_due_;
  std::vector<wire::Family> refresh_ends_;  // due, for take_refresh_ends()
  std::vector<Refusal> refused_;
  bool drop_withdrawals_ = false;
};

// Packs changes into UPDATEs: withdrawals per family, announcements per
// (family, attribute set), each UPDATE as full as the message size allows.
// Routes keep their order within a group; groups come in order of first route
// (in ExaBGP's form the changes are taken in their arrival order first).
// A route that cannot fit a message is refused, not sent.
//
// Withdrawals follow RFC 4760 and RFC 8277 2.4 (no attributes, the label
// stack replaced by 0x800000) and only routes the table held, unless
// `ctx.exabgp_compat` asks for ExaBGP's form (docs/qa.md): every
// withdrawal goes out, one of a family other than unicast and multicast
// carries its attributes beside MP_UNREACH_NLRI (the route's, or those of
// the API command that withdrew it, as an announcement would send them),
// and the NLRI keeps its label stack.
struct BuiltUpdates {
  std::vector<wire::Update> updates;
  std::vector<Refusal> refused;
};
BuiltUpdates build_updates(const std::vector<Change>& changes, const wire::EncodeContext& ctx,
                           const BuildOptions& options);

}  // namespace bgpsim::rib
