#include "speaker/wire/nlri.hpp"

#include <array>

namespace bgpsim::wire {

namespace {

// One row per address family this build decodes. Later families (VPN,
// flowspec, EVPN...) add rows with their own NLRI coders.
// next_hop_lengths: the MP_REACH next-hop field lengths of the family's own
// address family: 4 for IPv4 (RFC 4760 3), 16 or 32 for IPv6 (RFC 2545 3:
// global, or global then link-local). extended_next_hop_lengths: those of the
// other address family, allowed once the Extended Next Hop capability is
// negotiated for the family. RFC 8950 defines IPv6 next hops for IPv4 NLRI
// ("the Length of Next Hop Address field MUST be 16 or 32"); its capability
// names any Nexthop AFI, and ExaBGP negotiates "ipv6 unicast ipv4" too (its
// test encoding/extended-nexthop.ci sends IPv6 NLRI with a 4-byte next hop).
struct FamilyRow {
  Family family;
  std::uint8_t max_prefix_bits;
  std::array<std::uint8_t, 2> next_hop_lengths;
  std::array<std::uint8_t, 2> extended_next_hop_lengths;
};
constexpr std::array family_table{
    FamilyRow{ipv4_unicast, 32, {4, 4}, {16, 32}},
    FamilyRow{ipv4_multicast, 32, {4, 4}, {16, 32}},
    FamilyRow{ipv6_unicast, 128, {16, 32}, {4, 4}},
    FamilyRow{ipv6_multicast, 128, {16, 32}, {4, 4}},
};

const FamilyRow* find_row(Family f) {
  for (const auto& row : family_table)
    if (row.family == f) return &row;
  return nullptr;
}

}  // namespace

bool family_supported(Family family) { return find_row(family) != nullptr; }

bool next_hop_length_allowed(Family family, std::size_t length, const DecodeContext& ctx) {
  const FamilyRow* row = find_row(family);
  if (!row) return true;  // a family we keep opaque: its next hop is not ours to judge
  auto in = [length](const std::array<std::uint8_t, 2>& lengths) {
    return length == lengths[0] || length == lengths[1];
  };
  return in(row->next_hop_lengths) ||
         (ctx.extended_next_hop.contains(family) && in(row->extended_next_hop_lengths));
}

std::optional<IpAddress> mp_next_hop(ByteView field) {
  IpAddress a;
  if (field.size() == 4) {
    std::copy(field.begin(), field.end(), a.bytes.begin());
    return a;
  }
  if (field.size() == 16 || field.size() == 32) {
    a.v6 = true;
    std::copy(field.begin(), field.begin() + 16, a.bytes.begin());
    return a;
  }
  return std::nullopt;
}

Result<std::vector<Nlri>> decode_nlri(Family family, Reader r, const DecodeContext& ctx,
                                      std::uint8_t subcode) {
  const FamilyRow* row = find_row(family);
  std::vector<Nlri> out;
  if (!row) return out;
  const bool add_path = ctx.add_path.contains(family);
  const bool v6 = row->max_prefix_bits == 128;
  while (!r.empty()) {
    const std::size_t start = r.offset();
    Nlri n;
    if (add_path) {
      auto id = r.u32();
      if (!id)
        return make_error(start, NotifyCode::update_message, subcode,
                          "path identifier runs past the end of the NLRI");
      n.path_id = *id;
    }
    auto length = r.u8();
    if (!length)
      return make_error(start, NotifyCode::update_message, subcode, "missing prefix length");
    if (*length > row->max_prefix_bits)
      return make_error(start, NotifyCode::update_message, subcode,
                        "prefix length " + std::to_string(*length) + " exceeds " +
                            std::to_string(row->max_prefix_bits) + " bits");
    const std::size_t octets = (*length + 7u) / 8u;
    auto bits = r.take(octets);
    if (!bits)
      return make_error(start, NotifyCode::update_message, subcode,
                        "prefix of " + std::to_string(*length) + " bits runs past the end");
    n.prefix.length = *length;
    n.prefix.address.v6 = v6;
    std::copy(bits->begin(), bits->end(), n.prefix.address.bytes.begin());
    // Trailing bits past the prefix length are ignored (RFC 4271 4.3 pads
    // "to fall on an octet boundary"); clearing them makes equal routes equal.
    if (*length % 8 != 0)
      n.prefix.address.bytes[octets - 1] &= static_cast<std::uint8_t>(0xFF00u >> (*length % 8));
    out.push_back(n);
  }
  return out;
}

void encode_nlri(Family family, const Nlri& n, const EncodeContext& ctx, Writer& w) {
  if (ctx.add_path.contains(family)) w.u32(n.path_id.value_or(0));
  w.u8(n.prefix.length);
  w.bytes(ByteView(n.prefix.address.bytes.data(), (n.prefix.length + 7u) / 8u));
}

std::size_t encoded_nlri_size(Family family, const Nlri& n, const EncodeContext& ctx) {
  return (ctx.add_path.contains(family) ? 4u : 0u) + 1u + (n.prefix.length + 7u) / 8u;
}

}  // namespace bgpsim::wire
