// BGP/MPLS VPN, SAFI 128 "mpls-vpn": VPN-IPv4 (RFC 4364 4.3.4) and VPN-IPv6
// (RFC 4659 3.2): a label stack (RFC 8277), a route distinguisher, then the
// prefix. The next hop is an address preceded by a zero route distinguisher:
// 12 bytes for IPv4 (RFC 4364 4.3.2), 24 for IPv6 or 48 with a link-local
// address (RFC 4659 3.2.1.1-2); VPN-IPv4 over an IPv6 next hop takes 24 or 48
// once RFC 8950 is negotiated (RFC 8950 3: "the Length of Next Hop Address
// field MUST be 24 or 48"), and VPN-IPv6 over IPv4 takes 12 (as for unicast).
#include "speaker/wire/family_prefix.hpp"

namespace bgpsim::wire {

namespace {
using V4 = family_prefix::PrefixCoder<false, true, true>;
using V6 = family_prefix::PrefixCoder<true, true, true>;
}  // namespace

const FamilyRow ipv4_vpn_row = V4::row(Family(Afi::ipv4, Safi::mpls_vpn), "ipv4 mpls-vpn", false,
                                       NextHopForms{{12, 12}, {24, 48}, true});
const FamilyRow ipv6_vpn_row = V6::row(Family(Afi::ipv6, Safi::mpls_vpn), "ipv6 mpls-vpn", false,
                                       NextHopForms{{24, 48}, {12, 12}, true});

}  // namespace bgpsim::wire
