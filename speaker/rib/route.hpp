// Routes as the RIBs hold them: a key (family, NLRI with its path id) and a
// shared, interned set of path attributes. Many routes share one attribute
// set, so memory per route stays small and the update builder can group
// routes by attribute pointer.
//
// Convention: a route's next hop is `attributes->next_hop` for every family.
// The update builder writes it as NEXT_HOP (IPv4 unicast) or inside
// MP_REACH_NLRI in the form the family's row gives (other families);
// Adj-RIB-In does the reverse. RIB attribute
// sets never carry MP_REACH_NLRI or MP_UNREACH_NLRI themselves.
#pragma once

#include <memory>
#include <set>

#include "speaker/wire/attributes.hpp"

namespace bgpsim::rib {

using AttributesPtr = std::shared_ptr<const wire::PathAttributes>;

// Ordered by family, then the NLRI's key fields (wire::key_compare): the
// label stack an NLRI carries is part of the route, not of its name (RFC
// 8277), so a route whose labels change keeps its key and the RIB replaces
// the labels the key holds.
struct RouteKey {
  wire::Family family;
  wire::Nlri nlri;
  std::strong_ordering operator<=>(const RouteKey& o) const {
    if (auto c = family <=> o.family; c != 0) return c;
    return wire::key_compare(nlri, o.nlri);
  }
  bool operator==(const RouteKey& o) const { return (*this <=> o) == 0; }
};

// Gives the entry at `it` the key `key`, equal to its own in order (only the
// labels differ); returns where the entry now is.
template <class Map>
typename Map::iterator replace_key(Map& map, typename Map::iterator it, const RouteKey& key) {
  if (it->first.nlri == key.nlri) return it;
  auto node = map.extract(it);
  node.key() = key;
  return map.insert(std::move(node)).position;
}

struct Route {
  RouteKey key;
  AttributesPtr attributes;  // null: a withdrawal
};

// Interns attribute sets: equal sets share one allocation. Deterministic
// (ordered map); `collect()` drops sets no route uses any more.
class AttributePool {
 public:
  AttributesPtr intern(wire::PathAttributes attributes);
  void collect();
  std::size_t size() const { return pool_.size(); }

 private:
  // Ordered by value; transparent so lookups need no allocation.
  struct ByValue {
    using is_transparent = void;
    static const wire::PathAttributes& v(const AttributesPtr& p) { return *p; }
    static const wire::PathAttributes& v(const wire::PathAttributes& a) { return a; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return v(a) < v(b);
    }
  };
  std::set<AttributesPtr, ByValue> pool_;
  std::size_t collect_at_ = 1024;
};

}  // namespace bgpsim::rib
