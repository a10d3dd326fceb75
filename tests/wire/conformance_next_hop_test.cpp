// Issue 17 defect 3: the MP_REACH_NLRI next-hop length must suit the family
// and what the session negotiated (RFC 4760 3, RFC 2545 3, RFC 8950 3); an
// inconsistent one hides the NLRI, so RFC 7606 7.11 and 3(j) ask for a session
// reset (we do not implement AFI/SAFI disable).
#include <gtest/gtest.h>

#include "speaker/wire/message.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string_view h) { return *parse_hex(h); }
const std::string marker = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

// An UPDATE whose only reachable NLRI is in MP_REACH_NLRI of `family`, with a
// next-hop field of `next_hop_length` bytes.
Bytes update_with_next_hop(Family family, std::size_t next_hop_length) {
  std::string nlri = family.afi == 2 ? "2020010DB8" : "18C00002";  // a /32 or a /24
  std::string mp = "000" + std::to_string(family.afi) + "0" + std::to_string(family.safi);
  mp += to_hex(Bytes{static_cast<std::uint8_t>(next_hop_length)});
  for (std::size_t i = 0; i < next_hop_length; ++i) mp += i == 0 ? "20" : "01";
  mp += "00" + nlri;
  const std::string mp_attr = "800E" + to_hex(Bytes{static_cast<std::uint8_t>(mp.size() / 2)}) + mp;
  const std::string attributes =
      "40010100"
      "400200" +
      mp_attr;
  const std::string body =
      "0000" + to_hex(Bytes{0, static_cast<std::uint8_t>(attributes.size() / 2)}) + attributes;
  const std::size_t length = 19 + body.size() / 2;
  return hex(
      marker +
      to_hex(Bytes{static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)}) +
      "02" + body);
}

void expect_reset(Family family, std::size_t length, const DecodeContext& ctx) {
  auto m = decode_message(update_with_next_hop(family, length), ctx);
  ASSERT_FALSE(m.ok()) << family.to_string() << " with a " << length << "-byte next hop";
  EXPECT_EQ(m.error().code, static_cast<std::uint8_t>(NotifyCode::update_message));
  // RFC 4760 7: "UPDATE Message Error"/"Optional Attribute Error".
  EXPECT_EQ(m.error().subcode, update_error::optional_attribute_error);
  EXPECT_EQ(m.error().offset, 30u) << "the MP_REACH_NLRI attribute";
  EXPECT_NE(m.error().reason.find(std::to_string(length)), std::string::npos) << m.error().reason;
}

void expect_accepted(Family family, std::size_t length, const DecodeContext& ctx) {
  auto m = decode_message(update_with_next_hop(family, length), ctx);
  ASSERT_TRUE(m.ok()) << family.to_string() << " with a " << length
                      << "-byte next hop: " << m.error().reason;
  const auto& u = std::get<Update>(*m);
  ASSERT_TRUE(u.attributes.mp_reach);
  EXPECT_EQ(u.attributes.mp_reach->next_hop.size(), length);
  EXPECT_TRUE(next_hop_address(family, u.attributes.mp_reach->next_hop).has_value());
}

TEST(MpReachNextHop, Ipv6UnicastTakes16Or32Bytes) {
  DecodeContext ctx;
  expect_accepted(ipv6_unicast, 16, ctx);
  expect_accepted(ipv6_unicast, 32, ctx);
  expect_reset(ipv6_unicast, 4, ctx);
  expect_reset(ipv6_unicast, 24, ctx);
  expect_reset(ipv6_multicast, 4, ctx);
  // Negotiating RFC 8950 for IPv4 changes nothing for IPv6.
  ctx.extended_next_hop.insert(ipv4_unicast);
  expect_reset(ipv6_unicast, 4, ctx);
  // The capability for IPv6 NLRI with an IPv4 next hop, as ExaBGP negotiates it
  // ("ipv6 unicast ipv4", encoding/extended-nexthop.ci).
  ctx.extended_next_hop.insert(ipv6_unicast);
  expect_accepted(ipv6_unicast, 4, ctx);
  expect_accepted(ipv6_unicast, 16, ctx);
  expect_reset(ipv6_unicast, 8, ctx);
}

TEST(MpReachNextHop, Ipv4TakesAnIpv6NextHopOnlyWithExtendedNextHop) {
  DecodeContext ctx;
  expect_accepted(ipv4_unicast, 4, ctx);
  expect_reset(ipv4_unicast, 16, ctx);
  expect_reset(ipv4_unicast, 32, ctx);
  expect_reset(ipv4_multicast, 16, ctx);
  // RFC 8950 negotiated for IPv4 unicast only.
  ctx.extended_next_hop.insert(ipv4_unicast);
  expect_accepted(ipv4_unicast, 4, ctx);
  expect_accepted(ipv4_unicast, 16, ctx);
  expect_accepted(ipv4_unicast, 32, ctx);
  expect_reset(ipv4_unicast, 8, ctx);
  expect_reset(ipv4_multicast, 16, ctx);
  ctx.extended_next_hop.insert(ipv4_multicast);
  expect_accepted(ipv4_multicast, 16, ctx);
}

}  // namespace
}  // namespace bgpsim::wire
