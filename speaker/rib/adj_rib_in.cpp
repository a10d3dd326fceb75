#include "speaker/rib/adj_rib_in.hpp"

#include <algorithm>

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
    if (routes_.erase(key)) {
      unmark(key);
      changes.push_back(Change{key, nullptr});
    }
  };
  auto announce = [&](Family family, const Nlri& nlri, const AttributesPtr& attributes) {
    RouteKey key{family, nlri};
    auto [it, inserted] = routes_.try_emplace(key, attributes);
    // RFC 4724 4.2: "The Receiving Speaker MUST replace the stale routes by
    // the routing updates received from the peer" (the same attributes too);
    // RFC 7313 4 likewise for a route re-advertised after a BoRR.
    if (!inserted) unmark(key);
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
    unmark(it->first);
    changes.push_back(Change{it->first, nullptr});
    it = routes_.erase(it);
  }
  if (family)
    refreshing_.erase(*family);
  else
    refreshing_.clear();
  return changes;
}

std::vector<AdjRibIn::Change> AdjRibIn::retain_stale(const std::vector<Family>& families) {
  auto changes = sweep_stale();
  // The session that was refreshing is gone: its BoRR no longer counts.
  refresh_stale_.clear();
  refreshing_.clear();
  for (auto it = routes_.begin(); it != routes_.end();) {
    if (std::find(families.begin(), families.end(), it->first.family) != families.end()) {
      stale_.insert(stale_.end(), it->first);  // routes_ is in key order: appends
      ++it;
      continue;
    }
    changes.push_back(Change{it->first, nullptr});
    it = routes_.erase(it);
  }
  return changes;
}

std::vector<AdjRibIn::Change> AdjRibIn::sweep_stale(std::optional<Family> family) {
  std::vector<Change> changes;
  for (auto it = stale_.begin(); it != stale_.end();) {
    if (family && it->family != *family) {
      ++it;
      continue;
    }
    routes_.erase(*it);
    refresh_stale_.erase(*it);
    changes.push_back(Change{*it, nullptr});
    it = stale_.erase(it);
  }
  return changes;
}

std::size_t AdjRibIn::begin_refresh(Family family) {
  refreshing_.insert(family);
  std::size_t marked = 0;
  for (auto it = routes_.lower_bound(RouteKey{family, {}});
       it != routes_.end() && it->first.family == family; ++it, ++marked)
    refresh_stale_.insert(refresh_stale_.end(), it->first);
  return marked;
}

std::vector<AdjRibIn::Change> AdjRibIn::end_refresh(Family family) {
  std::vector<Change> changes;
  refreshing_.erase(family);
  for (auto it = refresh_stale_.lower_bound(RouteKey{family, {}});
       it != refresh_stale_.end() && it->family == family;) {
    routes_.erase(*it);
    if (!stale_.empty()) stale_.erase(*it);
    changes.push_back(Change{*it, nullptr});
    it = refresh_stale_.erase(it);
  }
  return changes;
}

std::vector<AdjRibIn::Change> AdjRibIn::enter_long_lived(Family family, AttributePool& pool) {
  std::vector<Change> changes;
  auto has = [](const PathAttributes& a, std::uint32_t community) {
    return a.communities && std::find(a.communities->begin(), a.communities->end(), community) !=
                                a.communities->end();
  };
  for (auto it = stale_.lower_bound(RouteKey{family, {}});
       it != stale_.end() && it->family == family;) {
    auto route = routes_.find(*it);
    const PathAttributes& current = *route->second;
    if (has(current, no_llgr_community)) {
      changes.push_back(Change{*it, nullptr});
      routes_.erase(route);
      refresh_stale_.erase(*it);
      it = stale_.erase(it);
      continue;
    }
    if (!has(current, llgr_stale_community)) {
      PathAttributes marked = current;
      if (!marked.communities) marked.communities.emplace();
      marked.communities->push_back(llgr_stale_community);
      route->second = pool.intern(std::move(marked));
      changes.push_back(Change{*it, route->second});
    }
    ++it;
  }
  return changes;
}

std::vector<Family> AdjRibIn::stale_families() const {
  std::vector<Family> out;
  for (const auto& key : stale_)
    if (out.empty() || out.back() != key.family) out.push_back(key.family);
  return out;
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
