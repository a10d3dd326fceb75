// NLRI and the per-family table (one row per AFI/SAFI: NLRI coding, next-hop
// coding and JSON), RFC 4271 4.3, RFC 4760, RFC 7911 (path identifiers).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "speaker/wire/address.hpp"
#include "speaker/wire/context.hpp"
#include "speaker/wire/error.hpp"

namespace bgpsim::wire {

// One route key. Later families (VPN, flowspec, EVPN...) extend this with a
// variant of their own NLRI types; unicast and multicast are prefixes.
struct Nlri {
  IpPrefix prefix;
  std::optional<std::uint32_t> path_id;  // present iff add-path is negotiated
  auto operator<=>(const Nlri&) const = default;
};

// Decodes a run of NLRI of `family` filling `r` (withdrawn routes, NLRI field,
// or MP_(UN)REACH). Errors use the UPDATE error `subcode` given (invalid
// network field for the base fields, optional attribute error for MP).
Result<std::vector<Nlri>> decode_nlri(Family family, Reader r, const DecodeContext& ctx,
                                      std::uint8_t subcode);
void encode_nlri(Family family, const Nlri& n, const EncodeContext& ctx, Writer& w);
std::size_t encoded_nlri_size(Family family, const Nlri& n, const EncodeContext& ctx);

// Whether this build decodes the family's NLRI (others are kept opaque).
bool family_supported(Family family);

// Whether an MP_REACH next-hop field of `length` bytes suits `family` on this
// session: its own address family's lengths, plus the other address family's
// (an IPv6 next hop for IPv4 NLRI, RFC 8950) when the Extended Next Hop
// capability was negotiated for it. Any length for a
// family this build keeps opaque.
bool next_hop_length_allowed(Family family, std::size_t length, const DecodeContext& ctx);

// The MP_REACH next-hop field of the unicast and multicast families: 4 bytes
// IPv4, 16 IPv6, or 32 (RFC 2545 3: global then link-local), whose global
// address is returned. nullopt for any other length.
std::optional<IpAddress> mp_next_hop(ByteView field);

}  // namespace bgpsim::wire
