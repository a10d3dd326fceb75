// Labeled unicast, SAFI 4 "nlri-mpls" (RFC 8277): a label stack, then the
// prefix. The next hop is a plain address, as for unicast (RFC 8277 2).
#include "speaker/wire/family_prefix.hpp"

namespace bgpsim::wire {

namespace {
using V4 = family_prefix::PrefixCoder<false, true, false>;
using V6 = family_prefix::PrefixCoder<true, true, false>;
}  // namespace

const FamilyRow ipv4_labeled_row = V4::row(Family(Afi::ipv4, Safi::nlri_mpls), "ipv4 nlri-mpls",
                                           false, NextHopForms{{4, 4}, {16, 32}, false});
const FamilyRow ipv6_labeled_row = V6::row(Family(Afi::ipv6, Safi::nlri_mpls), "ipv6 nlri-mpls",
                                           false, NextHopForms{{16, 32}, {4, 4}, false});

}  // namespace bgpsim::wire
