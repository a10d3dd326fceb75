#include "speaker/session/only_to_customer.hpp"

#include <algorithm>
#include <iterator>

#include "speaker/wire/bytes.hpp"
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

bool neighbor_above_or_peer(std::uint8_t local_role) {
  return local_role == role::customer || local_role == role::rs_client || local_role == role::peer;
}

bool neighbor_below_or_peer(std::uint8_t local_role) {
  return local_role == role::provider || local_role == role::rs || local_role == role::peer;
}

std::vector<wire::RawAttribute>::const_iterator find_otc(
    const std::vector<wire::RawAttribute>& attributes) {
  return std::find_if(attributes.begin(), attributes.end(),
                      [](const wire::RawAttribute& a) { return a.code == otc_code; });
}

void add_otc(std::vector<wire::RawAttribute>& attributes, std::uint32_t as) {
  wire::RawAttribute otc{0xC0, otc_code, {}};
  wire::Writer(otc.value).u32(as);
  attributes.insert(std::lower_bound(attributes.begin(), attributes.end(), otc,
                                     [](const wire::RawAttribute& a, const wire::RawAttribute& b) {
                                       return a.code < b.code;
                                     }),
                    std::move(otc));
}

std::vector<wire::Update> only_to_customer_egress(wire::Update update, std::uint8_t local_role,
                                                  std::uint32_t local_as,
                                                  const wire::EncodeContext& ctx) {
  if (!announces(update)) return {std::move(update)};
  auto& other = update.attributes.other;
  if (find_otc(other) != other.end()) {
    if (neighbor_above_or_peer(local_role)) return withdraw_instead(std::move(update));
    return {std::move(update)};
  }
  if (!neighbor_below_or_peer(local_role)) return {std::move(update)};
  add_otc(other, local_as);
  std::vector<wire::Update> out;
  fit(std::move(update), ctx, out);
  return out;
}

}  // namespace bgpsim::session
