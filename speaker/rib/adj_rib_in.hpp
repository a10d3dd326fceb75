// Adj-RIB-In: the routes one peer announced to us, per family, after RFC 7606
// handling (treat-as-withdraw removes the routes; discarded attributes are
// already gone from the decoded UPDATE).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "speaker/rib/route.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::rib {

// The well-known communities of long-lived graceful restart (RFC 9494 4.3).
inline constexpr std::uint32_t llgr_stale_community = 0xFFFF0006;
inline constexpr std::uint32_t no_llgr_community = 0xFFFF0007;

class AdjRibIn {
 public:
  // One route that appeared, changed or went away (attributes null).
  using Change = Route;

  // Applies a received UPDATE and returns what changed, in NLRI order.
  std::vector<Change> apply(const wire::Update& update, AttributePool& pool);
  // Drops every route (session down), or one family's.
  std::vector<Change> clear(std::optional<wire::Family> family = std::nullopt);

  // Graceful restart (RFC 4724 4.2), at the end of a session that invokes it:
  // routes still stale from an earlier restart go ("to deal with possible
  // consecutive restarts, a route (from the peer) previously marked as stale
  // MUST be deleted"), the routes of `families` are marked stale, the others
  // go. Returns what went.
  std::vector<Change> retain_stale(const std::vector<wire::Family>& families);
  // Drops the routes still stale (of one family: its End-of-RIB arrived, or
  // the new session does not preserve it; all: a timer expired). An announce
  // or a withdrawal of a stale route replaces it and clears the mark.
  std::vector<Change> sweep_stale(std::optional<wire::Family> family = std::nullopt);
  // RFC 9494 4.3, when the Restart Time has passed for a family the peer
  // gave a Long-Lived Stale Time: its stale routes stay, "long-lived stale":
  // a route carrying NO_LLGR goes, the others get LLGR_STALE (still stale,
  // so what the peer sends again or its End-of-RIB settles them).
  std::vector<Change> enter_long_lived(wire::Family family, AttributePool& pool);
  bool stale(const RouteKey& key) const { return stale_.contains(key); }
  std::size_t stale_count() const { return stale_.size(); }
  // The families that hold stale routes, in family order.
  std::vector<wire::Family> stale_families() const;

  // Enhanced Route Refresh, receiving side (RFC 7313 4): the peer's BoRR for
  // a family marks every route of that family it sent "refresh stale" (a
  // second BoRR marks them all again); an announce or a withdrawal of the
  // route clears the mark; end_refresh() (its EoRR, or the purge timer)
  // drops the routes still marked and ends the refresh. Independent of the
  // graceful-restart marks above; a session's end drops them (clear,
  // retain_stale). Returns how many routes were marked.
  std::size_t begin_refresh(wire::Family family);
  std::vector<Change> end_refresh(wire::Family family);
  // Whether a BoRR for the family awaits its EoRR.
  bool refreshing(wire::Family family) const { return refreshing_.contains(family); }
  bool refresh_stale(const RouteKey& key) const { return refresh_stale_.contains(key); }

  AttributesPtr find(const RouteKey& key) const;
  std::size_t size() const { return routes_.size(); }
  std::size_t size(wire::Family family) const;
  const std::map<RouteKey, AttributesPtr>& routes() const { return routes_; }

 private:
  std::map<RouteKey, AttributesPtr> routes_;  // family first: per-family ranges
  std::set<RouteKey> stale_;                  // a subset of routes_' keys
  std::set<RouteKey> refresh_stale_;          // a subset of routes_' keys (RFC 7313)
  std::set<wire::Family> refreshing_;         // BoRR received, EoRR not yet
  // A route left routes_ or was sent again: no mark of either kind holds.
  void unmark(const RouteKey& key) {
    if (!stale_.empty()) stale_.erase(key);
    if (!refresh_stale_.empty()) refresh_stale_.erase(key);
  }
};

// The route attributes of an UPDATE: its attributes without MP_REACH/UNREACH,
// with the next hop taken from MP_REACH for multiprotocol families.
wire::PathAttributes route_attributes(const wire::PathAttributes& received,
                                      std::optional<wire::Family> mp_family);

}  // namespace bgpsim::rib
