#include "speaker/session/only_to_customer.hpp"

#include <algorithm>
#include <iterator>

#include "speaker/wire/capability.hpp"

namespace bgpsim::session {

namespace {

namespace role = wire::cap::role;

bool announces(const wire::Update& u) {
  const auto& reach = u.attributes.mp_reach;
  return !u.nlri.empty() || (reach && (!reach->nlri.empty() || !reach->opaque_nlri.empty()));
}

template <class T>
void append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}

// Rule 2: the UPDATE's announcements become withdrawals, without attributes.
std::vector<wire::Update> withdraw_instead(wire::Update u) {
  std::vector<wire::Update> out;
  wire::Update w;
  w.withdrawn = std::move(u.withdrawn);
  append(w.withdrawn, u.nlri);
  auto& reach = u.attributes.mp_reach;
  auto& unreach = u.attributes.mp_unreach;
  if (unreach && reach && unreach->family != reach->family) {
    // Two families: the withdrawals already there go in an UPDATE of their own.
    wire::Update other;
    other.attributes.mp_unreach = std::move(unreach);
    out.push_back(std::move(other));
    unreach.reset();
  }
  if (reach) {
    if (!unreach) unreach = wire::MpUnreach{reach->family, {}, {}};
    append(unreach->nlri, reach->nlri);
    unreach->opaque_nlri.insert(unreach->opaque_nlri.end(), reach->opaque_nlri.begin(),
                                reach->opaque_nlri.end());
  }
  w.attributes.mp_unreach = std::move(unreach);
  out.push_back(std::move(w));
  return out;
}

// The UPDATE, or its NLRI split in halves until each part fits the session.
void fit(wire::Update u, const wire::EncodeContext& ctx, std::vector<wire::Update>& out) {
  wire::Bytes scratch;
  auto& reach = u.attributes.mp_reach;
  const std::size_t mp = reach ? reach->nlri.size() : 0;
  if (!wire::encode_message(wire::Message(u), ctx, scratch) || std::max(u.nlri.size(), mp) < 2) {
    out.push_back(std::move(u));  // fits, or cannot be split (the writer refuses it)
    return;
  }
  wire::Update second = u;
  second.withdrawn.clear();
  second.attributes.mp_unreach.reset();
  auto halve = [](auto& first, auto& rest) {
    const auto half = static_cast<std::ptrdiff_t>(first.size() / 2);
    rest.assign(first.begin() + half, first.end());
    first.erase(first.begin() + half, first.end());
  };
  if (u.nlri.size() >= mp) {
    halve(u.nlri, second.nlri);
    second.attributes.mp_reach.reset();  // stays whole in the first part
  } else {
    halve(reach->nlri, second.attributes.mp_reach->nlri);
    second.nlri.clear();
  }
  fit(std::move(u), ctx, out);
  fit(std::move(second), ctx, out);
}

}  // namespace

std::vector<wire::Update> only_to_customer_egress(wire::Update update, std::uint8_t local_role,
                                                  std::uint32_t local_as,
                                                  const wire::EncodeContext& ctx) {
  if (!announces(update)) return {std::move(update)};
  auto& other = update.attributes.other;
  const auto it = std::find_if(other.begin(), other.end(),
                               [](const wire::RawAttribute& a) { return a.code == otc_code; });
  // Who the peer is, from our role: we are its Provider, RS or Peer (it is a
  // Customer, RS-Client or Peer), or its Customer, RS-Client or Peer.
  const bool to_below_or_peer =
      local_role == role::provider || local_role == role::rs || local_role == role::peer;
  const bool to_above_or_peer =
      local_role == role::customer || local_role == role::rs_client || local_role == role::peer;
  if (it != other.end()) {
    if (to_above_or_peer) return withdraw_instead(std::move(update));
    return {std::move(update)};
  }
  if (!to_below_or_peer) return {std::move(update)};
  wire::RawAttribute otc{0xC0, otc_code, {}};
  for (int shift = 24; shift >= 0; shift -= 8)
    otc.value.push_back(static_cast<std::uint8_t>(local_as >> shift));
  other.insert(std::lower_bound(other.begin(), other.end(), otc,
                                [](const wire::RawAttribute& a, const wire::RawAttribute& b) {
                                  return a.code < b.code;
                                }),
               std::move(otc));
  std::vector<wire::Update> out;
  fit(std::move(update), ctx, out);
  return out;
}

}  // namespace bgpsim::session
