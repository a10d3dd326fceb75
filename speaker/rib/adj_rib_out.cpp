#include "speaker/rib/adj_rib_out.hpp"

#include <map>

namespace bgpsim::rib {

using namespace bgpsim::wire;

void AdjRibOut::announce(const RouteKey& key, AttributesPtr attributes) {
  auto [it, inserted] = routes_.try_emplace(key, attributes);
  if (!inserted) {
    if (it->second == attributes) return;
    it->second = std::move(attributes);
  }
  dirty_.insert(key);
}

void AdjRibOut::withdraw(const RouteKey& key) {
  if (routes_.erase(key)) dirty_.insert(key);
}

void AdjRibOut::withdraw_all(std::optional<Family> family) {
  for (auto it = routes_.begin(); it != routes_.end();) {
    if (family && it->first.family != *family) {
      ++it;
      continue;
    }
    dirty_.insert(it->first);
    it = routes_.erase(it);
  }
}

void AdjRibOut::resend_all(std::optional<Family> family) {
  for (const auto& [key, _] : routes_)
    if (!family || key.family == *family) dirty_.insert(key);
}

void AdjRibOut::request_end_of_rib(Family family) { end_of_rib_due_.insert(family); }

void AdjRibOut::clear_pending() {
  dirty_.clear();
  end_of_rib_due_.clear();
}

std::vector<Update> AdjRibOut::take_updates(const EncodeContext& ctx, const BuildOptions& options) {
  std::vector<Route> batch;
  batch.reserve(std::min(dirty_.size(), options.batch_routes_max));
  auto it = dirty_.begin();
  for (; it != dirty_.end() && batch.size() < options.batch_routes_max; ++it) {
    if (!options.families.items().empty() && !options.families.contains(it->family)) continue;
    auto route = routes_.find(*it);
    batch.push_back(Route{*it, route == routes_.end() ? nullptr : route->second});
  }
  dirty_.erase(dirty_.begin(), it);
  auto updates = build_updates(batch, ctx, options);
  // RFC 4724 2: End-of-RIB once the initial update for the family is sent.
  for (auto eor = end_of_rib_due_.begin(); eor != end_of_rib_due_.end();) {
    auto family_pending = dirty_.lower_bound(RouteKey{*eor, {}});
    if (family_pending != dirty_.end() && family_pending->family == *eor) {
      ++eor;
      continue;
    }
    updates.push_back(Update::make_end_of_rib(*eor));
    eor = end_of_rib_due_.erase(eor);
  }
  return updates;
}

namespace {

constexpr std::size_t update_fixed_size = header_size + 2 + 2;  // header, two lengths
// MP_(UN)REACH header with extended length (flags, code, 2-byte length), AFI, SAFI.
constexpr std::size_t mp_attribute_overhead = 4 + 3;

std::size_t attributes_size(const PathAttributes& a, const EncodeContext& ctx) {
  Bytes scratch;
  Writer w(scratch);
  encode_attributes(a, ctx, w);
  return scratch.size();
}

Bytes next_hop_field(const IpAddress& next_hop) {
  return Bytes(next_hop.bytes.begin(), next_hop.bytes.begin() + next_hop.size());
}

// Splits `nlri` into runs that fit `room` bytes each (one per run when not grouping).
template <class Emit>
void pack(Family family, const std::vector<Nlri>& nlri, std::size_t room, const EncodeContext& ctx,
          const BuildOptions& options, Emit emit) {
  std::vector<Nlri> run;
  std::size_t used = 0;
  for (const auto& n : nlri) {
    const std::size_t size = encoded_nlri_size(family, n, ctx);
    if (!run.empty() && (!options.group_updates || used + size > room)) {
      emit(std::move(run));
      run.clear();
      used = 0;
    }
    run.push_back(n);
    used += size;
  }
  if (!run.empty()) emit(std::move(run));
}

}  // namespace

std::vector<Update> build_updates(const std::vector<Route>& routes, const EncodeContext& ctx,
                                  const BuildOptions& options) {
  // Group in order of first appearance so the output is deterministic.
  std::map<Family, std::vector<Nlri>> withdrawals;
  struct Group {
    Family family;
    AttributesPtr attributes;
    std::vector<Nlri> nlri;
  };
  std::vector<Group> groups;
  std::map<std::pair<Family, const PathAttributes*>, std::size_t> group_index;  // lookup only
  for (const auto& r : routes) {
    if (!r.attributes) {
      withdrawals[r.key.family].push_back(r.key.nlri);
      continue;
    }
    auto [it, inserted] =
        group_index.try_emplace({r.key.family, r.attributes.get()}, groups.size());
    if (inserted) groups.push_back(Group{r.key.family, r.attributes, {}});
    groups[it->second].nlri.push_back(r.key.nlri);
  }

  const std::size_t max = ctx.max_message_size();
  std::vector<Update> out;
  for (const auto& [family, nlri] : withdrawals) {
    const bool base = family == ipv4_unicast;
    const std::size_t room = max - update_fixed_size - (base ? 0 : mp_attribute_overhead);
    pack(family, nlri, room, ctx, options, [&](std::vector<Nlri> run) {
      Update u;
      if (base)
        u.withdrawn = std::move(run);
      else
        u.attributes.mp_unreach = MpUnreach{family, std::move(run), {}};
      out.push_back(std::move(u));
    });
  }
  for (auto& g : groups) {
    PathAttributes attributes = *g.attributes;
    if (g.family == ipv4_unicast && !(attributes.next_hop && attributes.next_hop->v6)) {
      const std::size_t room = max - update_fixed_size - attributes_size(attributes, ctx);
      pack(g.family, g.nlri, room, ctx, options, [&](std::vector<Nlri> run) {
        Update u;
        u.attributes = attributes;
        u.nlri = std::move(run);
        out.push_back(std::move(u));
      });
      continue;
    }
    // Multiprotocol (RFC 4760), including IPv4 with an IPv6 next hop (RFC 8950).
    Bytes next_hop = attributes.next_hop ? next_hop_field(*attributes.next_hop) : Bytes{};
    attributes.next_hop.reset();
    const std::size_t room = max - update_fixed_size - attributes_size(attributes, ctx) -
                             mp_attribute_overhead - 2 - next_hop.size();
    pack(g.family, g.nlri, room, ctx, options, [&](std::vector<Nlri> run) {
      Update u;
      u.attributes = attributes;
      u.attributes.mp_reach = MpReach{g.family, next_hop, std::move(run), {}};
      out.push_back(std::move(u));
    });
  }
  return out;
}

}  // namespace bgpsim::rib
