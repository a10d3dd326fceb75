#include "speaker/rib/route.hpp"

namespace bgpsim::rib {

AttributesPtr AttributePool::intern(wire::PathAttributes attributes) {
  auto it = pool_.find(attributes);
  if (it != pool_.end()) return *it;
  auto ptr = std::make_shared<const wire::PathAttributes>(std::move(attributes));
  pool_.insert(ptr);
  // Amortised clean-up: sweep when the pool has doubled since the last sweep.
  if (pool_.size() >= collect_at_) {
    collect();
    collect_at_ = std::max<std::size_t>(1024, pool_.size() * 2);
  }
  return ptr;
}

void AttributePool::collect() {
  for (auto it = pool_.begin(); it != pool_.end();)
    it = it->use_count() == 1 ? pool_.erase(it) : std::next(it);
}

}  // namespace bgpsim::rib
