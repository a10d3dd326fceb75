#include "speaker/rib/adj_rib_out.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "speaker/wire/family_row.hpp"
#include "speaker/wire/nlri.hpp"

namespace bgpsim::rib {

using namespace bgpsim::wire;

bool AdjRibOut::swept(Table::const_iterator it) const {
  // A finished sweep takes no new entry: one announced later is queued on
  // its own, with its arrival (Change::arrival), not sent as the table is.
  auto s = sweeps_.find(it->first.family);
  return s != sweeps_.end() && live(it->first.family, s->second) &&
         (!s->second.after || *s->second.after < it->first);
}

void AdjRibOut::announce(const RouteKey& key, AttributesPtr attributes) {
  // Hinted at the end: a configuration's routes mostly come in key order,
  // and a million of them then go in without a search each.
  const std::size_t before = routes_.size();
  auto it = routes_.try_emplace(routes_.end(), key, attributes);
  const Family family = key.family;
  if (routes_.size() == before) {
    if (it->second == attributes && it->first.nlri == key.nlri) return;
    // Found again below, under its new key.
    std::uint64_t arrival = 0;  // a swept entry's: before any queued change
    bool unsent = swept(it);
    if (auto q = announced_.find(&*it); q != announced_.end()) {
      arrival = q->second;
      unsent = true;
      announced_.erase(q);
    }
    if (unsent && it->second != attributes) {
      // The replaced announcement, for ExaBGP's form (replaced_); one per
      // attribute set, and none with the attributes now announced.
      auto& list = replaced_[key];
      std::erase_if(list, [&](const Change& c) { return c.attributes == attributes; });
      if (std::none_of(list.begin(), list.end(),
                       [&](const Change& c) { return c.attributes == it->second; }))
        list.push_back(Change{it->first, it->second, false, false, arrival});
    }
    std::vector<Sweep*> at;
    for (auto& [_, s] : sweeps_)
      if (s.next == it) at.push_back(&s);
    it = replace_key(routes_, it, key);  // new labels (RFC 8277): same route, sent again
    for (auto* s : at) s->next = it;
    it->second = std::move(attributes);
  } else if ((it == routes_.begin() || std::prev(it)->first.family != family) &&
             (std::next(it) == routes_.end() || std::next(it)->first.family != family)) {
    // The family's only entry: the family is sent whole from here on, so
    // a table filled at once queues nothing per route.
    sweeps_.insert_or_assign(family, Sweep{std::nullopt, it});
  }
  if (!withdrawn_.empty())
    if (auto w = withdrawn_.find(key); w != withdrawn_.end()) {
      // ExaBGP's outgoing RIB keeps its changes per attribute set: a queued
      // withdrawal carrying other attributes than this announcement goes
      // out before it in ExaBGP's form (its api-flow.ci). The RFC form
      // needs the announcement only.
      if (w->second.carried && w->second.carried != it->second)
        w->second.needed = false;
      else
        withdrawn_.erase(w);
    }
  if (!swept(it)) {
    announced_.emplace_hint(announced_.end(), &*it, ++arrivals_);
    return;
  }
  auto& s = sweeps_.at(family);
  if (s.next == routes_.end() || it->first < s.next->first) s.next = it;
}

AdjRibOut::Table::iterator AdjRibOut::drop(Table::iterator it, const RouteKey& queued_as,
                                           AttributesPtr carried) {
  for (auto& [_, s] : sweeps_)
    if (s.next == it) ++s.next;
  announced_.erase(&*it);
  if (!replaced_.empty()) replaced_.erase(it->first);
  withdrawn_.insert_or_assign(
      queued_as, Withdrawal{carried ? std::move(carried) : it->second, true, ++arrivals_});
  return routes_.erase(it);
}

void AdjRibOut::withdraw(const RouteKey& key, AttributesPtr carried) {
  auto it = routes_.find(key);
  if (it != routes_.end()) {
    drop(it, key, std::move(carried));
  } else if (carried) {
    // Not in the table: queued for ExaBGP's form only. A withdrawal already
    // queued for the key stays one of an advertised route.
    auto [w, inserted] = withdrawn_.try_emplace(key, Withdrawal{carried, false, ++arrivals_});
    if (!inserted) w->second.carried = std::move(carried);
  }
  if (drop_withdrawals_) withdrawn_.erase(key);
}

void AdjRibOut::withdraw_all(std::optional<Family> family) {
  for (auto it = routes_.begin(); it != routes_.end();)
    it = family && it->first.family != *family ? std::next(it) : drop(it, it->first);
}

void AdjRibOut::resend_all(std::optional<Family> family) {
  std::set<Family> families;
  if (family)
    families.insert(*family);
  else
    for (const auto& [key, _] : routes_) families.insert(key.family);
  for (auto f : families) {
    // The whole family from its first entry: what was queued of it is in the sweep.
    const RouteKey first{f, {}};
    auto from = announced_.lower_bound(first), to = from;
    while (to != announced_.end() && to->first->first.family == f) ++to;
    announced_.erase(from, to);
    sweeps_.insert_or_assign(f, Sweep{std::nullopt, routes_.lower_bound(first)});
  }
}

void AdjRibOut::request_end_of_rib(Family family) { end_of_rib_due_.insert(family); }

void AdjRibOut::request_refresh_end(Family family) { refresh_end_due_.insert(family); }

void AdjRibOut::clear_pending() {
  announced_.clear();
  withdrawn_.clear();
  sweeps_.clear();
  end_of_rib_due_.clear();
  refresh_end_due_.clear();
  refresh_ends_.clear();
}

bool AdjRibOut::has_pending() const {
  if (!announced_.empty() || !withdrawn_.empty() || !replaced_.empty() ||
      !end_of_rib_due_.empty() || !refresh_end_due_.empty())
    return true;
  return std::any_of(sweeps_.begin(), sweeps_.end(),
                     [&](const auto& s) { return live(s.first, s.second); });
}

std::size_t AdjRibOut::pending() const {
  std::size_t n = announced_.size() + withdrawn_.size();
  for (const auto& [_, list] : replaced_) n += list.size();
  for (const auto& [f, s] : sweeps_)
    for (auto it = s.next; it != routes_.end() && it->first.family == f; ++it) ++n;
  return n;
}

std::vector<Update> AdjRibOut::take_updates(const EncodeContext& ctx, const BuildOptions& options) {
  std::vector<Change> batch;
  // Replaced announcements (ExaBGP's form only), placed by their arrival below.
  for (auto& [_, list] : replaced_)
    for (auto& c : list)
      if (options.families.items().empty() || options.families.contains(c.key.family))
        batch.push_back(std::move(c));
  replaced_.clear();
  auto a = announced_.begin();
  auto w = withdrawn_.begin();
  // The three queues in key order, merged: announcements as the table holds
  // them, withdrawals under the key they were queued with. Sweeps go in
  // family order, and a family's entries follow those of smaller families.
  while (batch.size() < options.batch_routes_max) {
    auto s = std::find_if(sweeps_.begin(), sweeps_.end(),
                          [&](const auto& x) { return live(x.first, x.second); });
    const RouteKey* next = nullptr;
    if (a != announced_.end()) next = &a->first->first;
    // A withdrawal goes before an announcement of its key (both are queued
    // for ExaBGP's form, above).
    if (w != withdrawn_.end() && (!next || !(*next < w->first))) next = &w->first;
    if (s != sweeps_.end() && (!next || s->second.next->first < *next))
      next = &s->second.next->first;
    if (!next) break;
    const Entry* entry = nullptr;  // an announcement's table entry
    std::uint64_t arrival = 0;
    if (a != announced_.end() && next == &a->first->first) {
      entry = a->first;
      arrival = a++->second;
    } else if (s != sweeps_.end() && next == &s->second.next->first) {
      entry = &*s->second.next++;
      s->second.after = entry->first;
    }
    Change change;
    if (entry) {
      change = Change{entry->first, entry->second, false, true, arrival};
    } else {
      change = Change{w->first, w->second.carried, true, w->second.needed, w->second.arrival};
      ++w;
    }
    if (!options.families.items().empty() && !options.families.contains(change.key.family))
      continue;
    batch.push_back(std::move(change));
  }
  announced_.erase(announced_.begin(), a);
  withdrawn_.erase(withdrawn_.begin(), w);
  auto built = build_updates(batch, ctx, options);
  auto& updates = built.updates;
  for (auto& r : built.refused) refused_.push_back(std::move(r));
  // Whether nothing of `family` is queued any more.
  auto settled = [&](Family family) {
    const RouteKey first{family, {}};
    auto pending_a = announced_.lower_bound(first);
    auto pending_w = withdrawn_.lower_bound(first);
    return !(pending_a != announced_.end() && pending_a->first->first.family == family) &&
           !(pending_w != withdrawn_.end() && pending_w->first.family == family) &&
           !sweeping(family);
  };
  // RFC 4724 2: End-of-RIB once the initial update for the family is sent.
  for (auto eor = end_of_rib_due_.begin(); eor != end_of_rib_due_.end();) {
    if (!settled(*eor)) {
      ++eor;
      continue;
    }
    updates.push_back(Update::make_end_of_rib(*eor));
    eor = end_of_rib_due_.erase(eor);
  }
  // RFC 7313 4: EoRR once the re-advertisement of the family is complete.
  for (auto eorr = refresh_end_due_.begin(); eorr != refresh_end_due_.end();) {
    if (!settled(*eorr)) {
      ++eorr;
      continue;
    }
    refresh_ends_.push_back(*eorr);
    eorr = refresh_end_due_.erase(eorr);
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

// Whether NLRI of `family` sharing attributes share an UPDATE
// (BuildOptions::group_updates).
bool grouped(Family family, const EncodeContext& ctx, const BuildOptions& options) {
  return options.group_updates && (!ctx.exabgp_compat || family_row(family)->exabgp_grouped);
}

// Splits `nlri` into runs that fit `room` bytes each (one per run when not
// grouping); an NLRI that alone exceeds `room` is refused.
template <class Emit, class Refuse>
void pack(Family family, const std::vector<Nlri>& nlri, std::size_t room, const EncodeContext& ctx,
          const BuildOptions& options, Emit emit, Refuse refuse) {
  std::vector<Nlri> run;
  std::size_t used = 0;
  const bool group = grouped(family, ctx, options);
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

// ExaBGP's withdrawals carry attributes in every family but those of the
// unicast and multicast SAFIs (its messages() leaves the default attributes
// out of an UPDATE that only withdraws those; its api-ipv4/6.ci bytes).
bool carries_attributes(const FamilyRow& row) {
  const auto safi = row.family.safi;
  return safi != static_cast<std::uint8_t>(Safi::unicast) &&
         safi != static_cast<std::uint8_t>(Safi::multicast);
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

BuiltUpdates build_updates(const std::vector<Change>& changes, const EncodeContext& ctx,
                           const BuildOptions& options) {
  const std::size_t max = ctx.max_message_size();
  const bool exabgp = ctx.exabgp_compat;
  BuiltUpdates built;
  auto refuse_one = [&](Family family, const Nlri& n, std::string reason) {
    built.refused.push_back(
        Refusal{RouteKey{family, n}, route_name(family, n) + ": " + std::move(reason)});
  };

  // Withdrawals, then announcements, each grouped per (family, attribute
  // set) in order of first appearance, so the output is deterministic.
  // Withdrawals in the RFC form carry no attributes: one group per family.
  struct Group {
    Family family;
    AttributesPtr attributes;
    std::vector<Nlri> nlri;
  };
  std::vector<Group> withdrawals, groups;
  std::map<std::tuple<bool, Family, const PathAttributes*>, std::size_t> group_index;
  // ExaBGP's outgoing RIB sends a batch in the order its changes came
  // (attribute sets in order of first arrival); the RFC form keeps the
  // batch's key order, as a sweep sends it.
  std::vector<const Change*> ordered;
  ordered.reserve(changes.size());
  for (const auto& c : changes) ordered.push_back(&c);
  if (exabgp)
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Change* x, const Change* y) { return x->arrival < y->arrival; });
  for (const Change* change : ordered) {
    const Change& c = *change;
    const Family family = c.key.family;
    const FamilyRow* row = family_row(family);
    if (!row) {
      refuse_one(family, c.key.nlri, "this build does not encode the family");
      continue;
    }
    if (auto why = row->invalid(c.key.nlri)) {
      refuse_one(family, c.key.nlri, std::move(*why));
      continue;
    }
    AttributesPtr attributes = c.attributes;
    Nlri nlri = c.key.nlri;
    if (!exabgp && !c.needed) continue;  // nothing to withdraw, or replaced (RFC form)
    if (c.withdrawal) {
      if (!exabgp || !carries_attributes(*row)) attributes.reset();
      if (!exabgp) nlri = row->as_withdrawn(nlri);  // RFC 8277 2.4
    }
    auto& list = c.withdrawal ? withdrawals : groups;
    auto [it, inserted] =
        group_index.try_emplace({c.withdrawal, family, attributes.get()}, list.size());
    if (inserted) list.push_back(Group{family, attributes, {}});
    list[it->second].nlri.push_back(std::move(nlri));
  }

  // Sizes are compared before any subtraction, so no room is ever computed
  // below zero (it used to wrap, and a 4,449-byte UPDATE went out on a
  // 4096-byte session).
  auto refuse_nlri = [&](Family family, std::size_t fixed) {
    return [&, family, fixed](const Nlri& n, std::size_t size) {
      refuse_one(family, n, too_big(fixed + size, max));
    };
  };
  // One group: its attributes as sent, then its NLRI packed into UPDATEs.
  auto emit_group = [&](const Group& g, bool withdrawal) {
    PathAttributes attributes = g.attributes ? *g.attributes : PathAttributes{};
    // IPv4 unicast uses the UPDATE's own fields, but an announcement with an
    // IPv6 next hop goes in MP_REACH_NLRI (RFC 8950), as every other family
    // does (RFC 4760).
    const bool base = family_row(g.family)->base_fields &&
                      (withdrawal || !(attributes.next_hop && attributes.next_hop->v6));
    Bytes next_hop;
    if (!base) {
      if (!withdrawal && attributes.next_hop)
        next_hop = mp_next_hop(g.family, *attributes.next_hop, ctx, options);
      // RFC 4760 3: an UPDATE whose only NLRI are in MP_REACH_NLRI "SHOULD NOT
      // carry the NEXT_HOP attribute"; ExaBGP sends it for an IPv4 next hop
      // (in the families its row says), also in a withdrawal with attributes.
      if (!(exabgp && attributes.next_hop && !attributes.next_hop->v6 &&
            family_row(g.family)->exabgp_next_hop_attribute))
        attributes.next_hop.reset();
    }
    const Sized size = attributes_size(attributes, ctx);
    std::size_t fixed = update_fixed_size + size.bytes;
    if (!base) fixed += mp_attribute_overhead + (withdrawal ? 0 : 2 + next_hop.size());
    if (size.error || fixed >= max) {
      for (const auto& n : g.nlri)
        refuse_one(g.family, n, size.error ? size.error->reason : too_big(fixed, max));
      return;
    }
    // ExaBGP's first batch (BuildOptions::include_withdraw false) sends no
    // withdrawal, but the attributes of one that carries them.
    const bool attributes_only = withdrawal && !options.include_withdraw;
    if (attributes_only && !g.attributes) return;
    pack(
        g.family, g.nlri, max - fixed, ctx, options,
        [&](std::vector<Nlri> run) {
          Update u;
          u.attributes = attributes;
          if (!attributes_only) {
            if (withdrawal && base)
              u.withdrawn = std::move(run);
            else if (withdrawal)
              u.attributes.mp_unreach = MpUnreach{g.family, std::move(run), {}};
            else if (base)
              u.nlri = std::move(run);
            else
              u.attributes.mp_reach = MpReach{g.family, next_hop, std::move(run), {}};
          }
          built.updates.push_back(std::move(u));
        },
        refuse_nlri(g.family, fixed));
  };
  for (const auto& g : withdrawals) emit_group(g, true);
  for (const auto& g : groups) emit_group(g, false);
  return built;
}

}  // namespace bgpsim::rib
