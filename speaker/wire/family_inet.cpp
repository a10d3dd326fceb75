// Unicast and multicast (RFC 4271 4.3, RFC 4760): the NLRI is a prefix.
#include "speaker/wire/family_prefix.hpp"

namespace bgpsim::wire {

namespace {
using V4 = family_prefix::PrefixCoder<false, false, false>;
using V6 = family_prefix::PrefixCoder<true, false, false>;
// An IPv4 next hop (RFC 4760 3), or with RFC 8950 an IPv6 one, global or
// global then link-local; IPv6 NLRI the other way round (RFC 2545 3).
constexpr NextHopForms v4_next_hop{{4, 4}, {16, 32}, false};
constexpr NextHopForms v6_next_hop{{16, 32}, {4, 4}, false};
}  // namespace

const FamilyRow ipv4_unicast_row = [] {
  FamilyRow row = V4::row(ipv4_unicast, "ipv4 unicast", true, v4_next_hop);
  row.exabgp_grouped = true;
  return row;
}();
const FamilyRow ipv4_multicast_row = V4::row(ipv4_multicast, "ipv4 multicast", false, v4_next_hop);
const FamilyRow ipv6_unicast_row = V6::row(ipv6_unicast, "ipv6 unicast", false, v6_next_hop);
const FamilyRow ipv6_multicast_row = V6::row(ipv6_multicast, "ipv6 multicast", false, v6_next_hop);

}  // namespace bgpsim::wire
