// Routes as the RIBs hold them: a key (family, NLRI with its path id) and a
// shared, interned set of path attributes. Many routes share one attribute
// set, so memory per route stays small and the update builder can group
// routes by attribute pointer.
//
// Convention: a route's next hop is `attributes->next_hop` for every family.
// The update builder writes it as NEXT_HOP (IPv4 unicast) or inside
// MP_REACH_NLRI (other families); Adj-RIB-In does the reverse. RIB attribute
// sets never carry MP_REACH_NLRI or MP_UNREACH_NLRI themselves.
#pragma once

#include <memory>
#include <set>

#include "speaker/wire/attributes.hpp"

namespace bgpsim::rib {

using AttributesPtr = std::shared_ptr<const wire::PathAttributes>;

struct RouteKey {
  wire::Family family;
  wire::Nlri nlri;
  auto operator<=>(const RouteKey&) const = default;
};

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
