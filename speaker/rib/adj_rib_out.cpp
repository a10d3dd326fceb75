#include "speaker/rib/adj_rib_out.hpp"

#include <map>
#include <utility>

#include <fmt/format.h>

#include "speaker/wire/family_row.hpp"
#include "speaker/wire/nlri.hpp"

namespace bgpsim::rib {

using namespace bgpsim::wire;

void AdjRibOut::announce(const RouteKey& key, AttributesPtr attributes) {
  // Hinted at the end: a configuration's routes mostly come in key order,
  // and a million of them then go in without a search each.
  const std::size_t before = routes_.size();
  auto it = routes_.try_emplace(routes_.end(), key, attributes);
  if (routes_.size() == before) {
    if (it->second == attributes && it->first.nlri == key.nlri) return;
    announced_.erase(&*it);  // found again below, under its new key
    it = replace_key(routes_, it, key);  // new labels (RFC 8277): same route, sent again
    it->second = std::move(attributes);
  }
  if (!withdrawn_.empty()) withdrawn_.erase(key);
  announced_.insert(announced_.end(), &*it);
}

void AdjRibOut::withdraw(const RouteKey& key) {
  auto it = routes_.find(key);
  if (it == routes_.end()) return;
  announced_.erase(&*it);
  withdrawn_.insert(key);
  routes_.erase(it);
}

void AdjRibOut::withdraw_all(std::optional<Family> family) {
  for (auto it = routes_.begin(); it != routes_.end();) {
    if (family && it->first.family != *family) {
      ++it;
      continue;
    }
    announced_.erase(&*it);
    withdrawn_.insert(it->first);
    it = routes_.erase(it);
  }
}

void AdjRibOut::resend_all(std::optional<Family> family) {
  for (const auto& entry : routes_)
    if (!family || entry.first.family == *family) announced_.insert(&entry);
}

void AdjRibOut::request_end_of_rib(Family family) { end_of_rib_due_.insert(family); }

void AdjRibOut::clear_pending() {
  announced_.clear();
  withdrawn_.clear();
  end_of_rib_due_.clear();
}

// Which of the two queues holds the next change in key order (less: the
// announcement); equal only when both are at their end.
std::strong_ordering AdjRibOut::first_pending(std::set<const Entry*, ByKey>::const_iterator a,
                                              std::set<RouteKey>::const_iterator w) const {
  if (a == announced_.end()) return w == withdrawn_.end() ? std::strong_ordering::equal
                                                          : std::strong_ordering::greater;
  if (w == withdrawn_.end()) return std::strong_ordering::less;
  return (*a)->first <=> *w;
}

std::vector<Update> AdjRibOut::take_updates(const EncodeContext& ctx, const BuildOptions& options) {
  std::vector<Route> batch;
  batch.reserve(std::min(pending(), options.batch_routes_max));
  auto a = announced_.begin();
  auto w = withdrawn_.begin();
  // Both queues in key order, merged: announcements as the table holds them,
  // withdrawals under the key they were queued with.
  while (batch.size() < options.batch_routes_max) {
    const auto next = first_pending(a, w);
    if (next == 0) break;
    Route route = next < 0 ? Route{(*a)->first, (*a)->second} : Route{*w, nullptr};
    if (next < 0)
      ++a;
    else
      ++w;
    if (!options.families.items().empty() && !options.families.contains(route.key.family))
      continue;
    batch.push_back(std::move(route));
  }
  announced_.erase(announced_.begin(), a);
  withdrawn_.erase(withdrawn_.begin(), w);
  auto built = build_updates(batch, ctx, options);
  auto& updates = built.updates;
  for (auto& r : built.refused) refused_.push_back(std::move(r));
  // RFC 4724 2: End-of-RIB once the initial update for the family is sent.
  for (auto eor = end_of_rib_due_.begin(); eor != end_of_rib_due_.end();) {
    const RouteKey first{*eor, {}};
    auto pending_a = announced_.lower_bound(first);
    auto pending_w = withdrawn_.lower_bound(first);
    if ((pending_a != announced_.end() && (*pending_a)->first.family == *eor) ||
        (pending_w != withdrawn_.end() && pending_w->family == *eor)) {
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

// The bytes the attributes take in an UPDATE, or why they cannot be encoded.
struct Sized {
  std::size_t bytes = 0;
  std::optional<EncodeError> error;
};
Sized attributes_size(const PathAttributes& a, const EncodeContext& ctx) {
  Bytes scratch;
  Writer w(scratch);
  auto error = encode_attributes(a, ctx, w);
  return Sized{scratch.size(), std::move(error)};
}

std::string route_name(Family family, const Nlri& n) {
  return family.to_string() + " " + nlri_text(family, n);
}

// Why a route with attributes of `attributes_bytes` (plus `overhead` bytes the
// UPDATE needs around them) cannot go in a message of at most `max` bytes.
std::string too_big(std::size_t needed, std::size_t max) {
  return fmt::format("needs an UPDATE of at least {} bytes, more than the {} the session allows{}",
                     needed, max, max == 4096 ? " (no RFC 8654 extended message)" : "");
}

// Whether NLRI of `family` sharing attributes share an UPDATE: ExaBGP's
// group-updates packs IPv4 unicast only (rib/outgoing.py updates()).
bool grouped(Family family, const BuildOptions& options) {
  return options.group_updates && (options.group_all_families || family == ipv4_unicast);
}

// Splits `nlri` into runs that fit `room` bytes each (one per run when not
// grouping); an NLRI that alone exceeds `room` is refused.
template <class Emit, class Refuse>
void pack(Family family, const std::vector<Nlri>& nlri, std::size_t room, const EncodeContext& ctx,
          const BuildOptions& options, Emit emit, Refuse refuse) {
  std::vector<Nlri> run;
  std::size_t used = 0;
  const bool group = grouped(family, options);
  for (const auto& n : nlri) {
    const std::size_t size = encoded_nlri_size(family, n, ctx);
    if (size > room) {
      refuse(n, size);
      continue;
    }
    if (!run.empty() && (!group || used + size > room)) {
      emit(std::move(run));
      run.clear();
      used = 0;
    }
    run.push_back(n);
    used += size;
  }
  if (!run.empty()) emit(std::move(run));
}

bool link_local(const IpAddress& a) {  // fe80::/10
  return a.v6 && a.bytes[0] == 0xFE && (a.bytes[1] & 0xC0) == 0x80;
}

// The MP_REACH_NLRI next-hop field: the family's form of the route's next
// hop, and after a global IPv6 one our link-local address (RFC 2545 3; RFC
// 4659 3.2.1.2 with its zero route distinguisher) when we have one and the
// family takes the doubled length.
Bytes mp_next_hop(Family family, const IpAddress& address, const EncodeContext& ctx,
                  const BuildOptions& options) {
  Bytes field = next_hop_field(family, address);
  const auto& ll = options.link_local_next_hop;
  if (!address.v6 || link_local(address) || !ll || !ll->v6) return field;
  if (!next_hop_length_allowed(family, 2 * field.size(), ctx)) return field;
  const Bytes second = next_hop_field(family, *ll);
  field.insert(field.end(), second.begin(), second.end());
  return field;
}

}  // namespace

std::vector<Refusal> AdjRibOut::take_refused() { return std::exchange(refused_, {}); }

BuiltUpdates build_updates(const std::vector<Route>& routes, const EncodeContext& ctx,
                           const BuildOptions& options) {
  const std::size_t max = ctx.max_message_size();
  BuiltUpdates built;
  auto refuse_one = [&](Family family, const Nlri& n, std::string reason) {
    built.refused.push_back(
        Refusal{RouteKey{family, n}, route_name(family, n) + ": " + std::move(reason)});
  };

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
    const Family family = r.key.family;
    const FamilyRow* row = family_row(family);
    if (!row) {
      refuse_one(family, r.key.nlri, "this build does not encode the family");
      continue;
    }
    if (auto why = row->invalid(r.key.nlri)) {
      refuse_one(family, r.key.nlri, std::move(*why));
      continue;
    }
    if (!r.attributes) {
      withdrawals[family].push_back(row->as_withdrawn(r.key.nlri));
      continue;
    }
    auto [it, inserted] = group_index.try_emplace({family, r.attributes.get()}, groups.size());
    if (inserted) groups.push_back(Group{family, r.attributes, {}});
    groups[it->second].nlri.push_back(r.key.nlri);
  }

  // Sizes are compared before any subtraction, so no room is ever computed
  // below zero (it used to wrap, and a 4,449-byte UPDATE went out on a
  // 4096-byte session).
  auto refuse_nlri = [&](Family family, std::size_t fixed) {
    return [&, family, fixed](const Nlri& n, std::size_t size) {
      refuse_one(family, n, too_big(fixed + size, max));
    };
  };
  for (const auto& [family, nlri] : withdrawals) {
    const bool base = family_row(family)->base_fields;
    const std::size_t fixed = update_fixed_size + (base ? 0 : mp_attribute_overhead);
    pack(
        family, nlri, max - fixed, ctx, options,
        [&](std::vector<Nlri> run) {
          Update u;
          if (base)
            u.withdrawn = std::move(run);
          else
            u.attributes.mp_unreach = MpUnreach{family, std::move(run), {}};
          built.updates.push_back(std::move(u));
        },
        refuse_nlri(family, fixed));
  }
  for (auto& g : groups) {
    PathAttributes attributes = *g.attributes;
    // Multiprotocol (RFC 4760), including IPv4 with an IPv6 next hop (RFC 8950),
    // carries the next hop in MP_REACH_NLRI.
    const bool base =
        family_row(g.family)->base_fields && !(attributes.next_hop && attributes.next_hop->v6);
    Bytes next_hop;
    if (!base) {
      next_hop =
          attributes.next_hop ? mp_next_hop(g.family, *attributes.next_hop, ctx, options) : Bytes{};
      // RFC 4760 3: an UPDATE whose only NLRI are in MP_REACH_NLRI "SHOULD NOT
      // carry the NEXT_HOP attribute"; ExaBGP sends it for an IPv4 next hop.
      if (!(ctx.exabgp_compat && attributes.next_hop && !attributes.next_hop->v6))
        attributes.next_hop.reset();
    }
    const Sized size = attributes_size(attributes, ctx);
    const std::size_t fixed =
        update_fixed_size + size.bytes + (base ? 0 : mp_attribute_overhead + 2 + next_hop.size());
    if (size.error || fixed >= max) {
      for (const auto& n : g.nlri)
        refuse_one(g.family, n, size.error ? size.error->reason : too_big(fixed, max));
      continue;
    }
    pack(
        g.family, g.nlri, max - fixed, ctx, options,
        [&](std::vector<Nlri> run) {
          Update u;
          u.attributes = attributes;
          if (base)
            u.nlri = std::move(run);
          else
            u.attributes.mp_reach = MpReach{g.family, next_hop, std::move(run), {}};
          built.updates.push_back(std::move(u));
        },
        refuse_nlri(g.family, fixed));
  }
  return built;
}

}  // namespace bgpsim::rib
