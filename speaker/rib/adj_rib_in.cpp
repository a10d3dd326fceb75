#include "speaker/rib/adj_rib_in.hpp"

namespace bgpsim::rib {

using namespace bgpsim::wire;

PathAttributes route_attributes(const PathAttributes& received, std::optional<Family> mp_family) {
  PathAttributes a = received;
  if (mp_family && received.mp_reach)
    a.next_hop = next_hop_address(*mp_family, received.mp_reach->next_hop);
  a.mp_reach.reset();
  a.mp_unreach.reset();
  // RFC 6793 4.2.3: a NEW speaker rebuilds the path and the aggregator from an
  // OLD peer's AS4_PATH and AS4_AGGREGATOR. The decoder keeps them only from a
  // session without 4-octet ASNs (from a NEW peer they are discarded, section
  // 6), so this merges exactly what came from OLD peers, and the Adj-RIB-In
  // holds the true 4-byte path.
  merge_as4_attributes(a);
  return a;
}

std::vector<AdjRibIn::Change> AdjRibIn::apply(const Update& update, AttributePool& pool) {
  std::vector<Change> changes;
  auto withdraw = [&](Family family, const Nlri& nlri) {
    RouteKey key{family, nlri};
    if (routes_.erase(key)) changes.push_back(Change{key, nullptr});
  };
  auto announce = [&](Family family, const Nlri& nlri, const AttributesPtr& attributes) {
    RouteKey key{family, nlri};
    auto [it, inserted] = routes_.try_emplace(key, attributes);
    if (!inserted) {
      // interned: same pointer, same attributes
      if (it->second == attributes && it->first.nlri == nlri) return;
      it = replace_key(routes_, it, key);
      it->second = attributes;
    }
    changes.push_back(Change{key, attributes});
  };

  for (const auto& n : update.withdrawn) withdraw(ipv4_unicast, n);
  const auto& received = update.attributes;
  if (received.mp_unreach)
    for (const auto& n : received.mp_unreach->nlri) withdraw(received.mp_unreach->family, n);

  // RFC 7606 2: "treat-as-withdraw: In this approach, the UPDATE message
  // containing the path attribute in question MUST be treated as though all
  // contained routes had been withdrawn".
  const bool as_withdraw = update.treat_as_withdraw();
  if (!update.nlri.empty()) {
    if (as_withdraw) {
      for (const auto& n : update.nlri) withdraw(ipv4_unicast, n);
    } else {
      auto attributes = pool.intern(route_attributes(received, std::nullopt));
      for (const auto& n : update.nlri) announce(ipv4_unicast, n, attributes);
    }
  }
  if (received.mp_reach && !received.mp_reach->nlri.empty()) {
    const Family family = received.mp_reach->family;
    if (as_withdraw) {
      for (const auto& n : received.mp_reach->nlri) withdraw(family, n);
    } else {
      auto attributes = pool.intern(route_attributes(received, family));
      for (const auto& n : received.mp_reach->nlri) announce(family, n, attributes);
    }
  }
  return changes;
}

std::vector<AdjRibIn::Change> AdjRibIn::clear(std::optional<Family> family) {
  std::vector<Change> changes;
  for (auto it = routes_.begin(); it != routes_.end();) {
    if (family && it->first.family != *family) {
      ++it;
      continue;
    }
    changes.push_back(Change{it->first, nullptr});
    it = routes_.erase(it);
  }
  return changes;
}

AttributesPtr AdjRibIn::find(const RouteKey& key) const {
  auto it = routes_.find(key);
  return it == routes_.end() ? nullptr : it->second;
}

std::size_t AdjRibIn::size(Family family) const {
  std::size_t n = 0;
  for (auto it = routes_.lower_bound(RouteKey{family, {}});
       it != routes_.end() && it->first.family == family; ++it)
    ++n;
  return n;
}

}  // namespace bgpsim::rib
