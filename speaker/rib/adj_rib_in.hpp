// Adj-RIB-In: the routes one peer announced to us, per family, after RFC 7606
// handling (treat-as-withdraw removes the routes; discarded attributes are
// already gone from the decoded UPDATE).
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "speaker/rib/route.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::rib {

class AdjRibIn {
 public:
  // One route that appeared, changed or went away (attributes null).
  using Change = Route;

  // Applies a received UPDATE and returns what changed, in NLRI order.
  std::vector<Change> apply(const wire::Update& update, AttributePool& pool);
  // Drops every route (session down), or one family's (e.g. End-of-RIB
  // sweep of stale routes after graceful restart).
  std::vector<Change> clear(std::optional<wire::Family> family = std::nullopt);

  AttributesPtr find(const RouteKey& key) const;
  std::size_t size() const { return routes_.size(); }
  std::size_t size(wire::Family family) const;
  const std::map<RouteKey, AttributesPtr>& routes() const { return routes_; }

 private:
  std::map<RouteKey, AttributesPtr> routes_;  // family first: per-family ranges
};

// The route attributes of an UPDATE: its attributes without MP_REACH/UNREACH,
// with the next hop taken from MP_REACH for multiprotocol families.
wire::PathAttributes route_attributes(const wire::PathAttributes& received,
                                      std::optional<wire::Family> mp_family);

}  // namespace bgpsim::rib
