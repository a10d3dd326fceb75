// The family table and what is the same for every row: dispatch of the
// codec entry points (nlri.hpp) and the next-hop forms.
#include "speaker/wire/family_row.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bgpsim::wire {

namespace {

// One line per row, in family order (AFI, then SAFI).
constexpr std::array<const FamilyRow*, 23> family_table{
    &ipv4_unicast_row,  &ipv4_multicast_row, &ipv4_labeled_row,  &ipv4_mvpn_row,
    &ipv4_srpolicy_row, &ipv4_mup_row,       &ipv4_vpn_row,      &ipv4_rtc_row,
    &ipv4_flow_row,     &ipv4_flow_vpn_row,  &ipv6_unicast_row,  &ipv6_multicast_row,
    &ipv6_labeled_row,  &ipv6_mvpn_row,      &ipv6_srpolicy_row, &ipv6_mup_row,
    &ipv6_vpn_row,      &ipv6_flow_row,      &ipv6_flow_vpn_row, &l2vpn_vpls_row,
    &l2vpn_evpn_row,    &bgp_ls_row,         &bgp_ls_vpn_row,
};
}  // namespace

const FamilyRow* family_row(Family family) {
  for (const FamilyRow* row : family_table)
    if (row->family == family) return row;
  return nullptr;
}

std::span<const FamilyRow* const> family_rows() { return family_table; }

bool family_supported(Family family) { return family_row(family) != nullptr; }

std::vector<Family> supported_families() {
  std::vector<Family> out;
  for (const FamilyRow* row : family_table) out.push_back(row->family);
  return out;
}

Result<std::vector<Nlri>> decode_nlri(Family family, Reader r, const DecodeContext& ctx,
                                      std::uint8_t subcode) {
  std::vector<Nlri> out;
  const FamilyRow* row = family_row(family);
  if (!row) return out;
  if (auto error = row->decode(r, ctx.add_path.contains(family), subcode, out)) return *error;
  return out;
}

void encode_nlri(Family family, const Nlri& n, const EncodeContext& ctx, Writer& w) {
  if (const FamilyRow* row = family_row(family)) row->encode(n, ctx.add_path.contains(family), w);
}

std::size_t encoded_nlri_size(Family family, const Nlri& n, const EncodeContext& ctx) {
  const FamilyRow* row = family_row(family);
  return row ? row->size(n, ctx.add_path.contains(family)) : 0;
}

Result<Nlri> nlri_from_bytes(Family family, ByteView bytes) {
  const FamilyRow* row = family_row(family);
  if (!row)
    return make_error(0, NotifyCode::update_message, update_error::optional_attribute_error,
                      "no NLRI coder for family " + family.to_string());
  std::vector<Nlri> out;
  Reader r(bytes);
  if (auto error = row->decode(r, false, update_error::optional_attribute_error, out))
    return *error;
  if (out.size() != 1)
    return make_error(0, NotifyCode::update_message, update_error::optional_attribute_error,
                      fmt::format("{} NLRI where one was expected", out.size()));
  return std::move(out.front());
}

std::string nlri_text(Family family, const Nlri& n) {
  const FamilyRow* row = family_row(family);
  return row ? row->to_text(n) : n.prefix.to_string();
}

bool next_hop_length_allowed(Family family, std::size_t length, const DecodeContext& ctx) {
  const FamilyRow* row = family_row(family);
  if (!row) return true;  // a family we keep opaque: its next hop is not ours to judge
  auto in = [length](const std::array<std::uint8_t, 2>& lengths) {
    return length == lengths[0] || length == lengths[1];
  };
  return in(row->next_hop.own) ||
         (ctx.extended_next_hop.contains(family) && in(row->next_hop.extended));
}

std::optional<IpAddress> next_hop_address(Family family, ByteView field) {
  const FamilyRow* row = family_row(family);
  IpAddress a;
  auto take = [&](std::size_t at, bool v6) {
    a.v6 = v6;
    std::copy(field.begin() + static_cast<std::ptrdiff_t>(at),
              field.begin() + static_cast<std::ptrdiff_t>(at + a.size()), a.bytes.begin());
    return a;
  };
  if (row && row->next_hop.rd_prefixed) {
    // RFC 4364 4.3.2: "the RD of the next hop is set to zero", then the IPv4
    // address; RFC 4659 3.2.1.1-2: RD and IPv6 global, then RD and link-local.
    if (field.size() == 12) return take(8, false);
    if (field.size() == 24 || field.size() == 48) return take(8, true);
    return std::nullopt;
  }
  // RFC 4760 3 (IPv4), RFC 2545 3: IPv6 global, or global then link-local.
  if (field.size() == 4) return take(0, false);
  if (field.size() == 16 || field.size() == 32) return take(0, true);
  return std::nullopt;
}

Bytes next_hop_field(Family family, const IpAddress& address) {
  const FamilyRow* row = family_row(family);
  Bytes out;
  if (row && row->next_hop.rd_prefixed) out.assign(8, 0);
  out.insert(out.end(), address.bytes.begin(), address.bytes.begin() + address.size());
  return out;
}

}  // namespace bgpsim::wire
