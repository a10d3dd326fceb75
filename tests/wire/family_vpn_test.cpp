// BGP/MPLS VPN, SAFI 128 "mpls-vpn" (RFC 4364, RFC 4659): NLRI pairs both
// ways (from ExaBGP's conf-vpn.ci and conf-parity.ci), route distinguishers
// of the three types, the next-hop forms with their zero route
// distinguisher, a whole UPDATE rendered as ExaBGP renders it, errors, and
// the round-trip and arbitrary-bytes properties.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "speaker/wire/json.hpp"
#include "tests/wire/family_check.hpp"

namespace bgpsim::wire {
namespace {

using test::expect_pair;
using test::hex;

const Family vpn4(Afi::ipv4, Safi::mpls_vpn);
const Family vpn6(Afi::ipv6, Safi::mpls_vpn);

Nlri vpn(std::string_view prefix, std::string_view rd, std::uint32_t raw_label,
         std::optional<std::uint32_t> path_id = {}) {
  Nlri n;
  n.prefix = *IpPrefix::parse(prefix);
  n.rd = *RouteDistinguisher::parse(rd);
  n.labels.push(raw_label);
  n.path_id = path_id;
  return n;
}

TEST(FamilyVpn, RowsAreInTheTable) {
  EXPECT_EQ(family_row(vpn4), &ipv4_vpn_row);
  EXPECT_EQ(family_row(vpn6), &ipv6_vpn_row);
  EXPECT_EQ(ipv6_vpn_row.name, vpn6.to_string());
  EXPECT_TRUE(ipv4_vpn_row.rd && ipv4_vpn_row.labels && !ipv4_vpn_row.base_fields);
}

TEST(FamilyVpn, Ipv4PairFromExabgp) {
  // conf-vpn.ci: 0x71 = 113 bits = label (24) + RD (64) + /25.
  expect_pair(ipv4_vpn_row, "71003E810000FDE8000000010A000000",
              vpn("10.0.0.0/25", "65000:1", 0x3E81));
  expect_pair(ipv4_vpn_row, "0000000A71003E810000FDE8000000010A000000",
              vpn("10.0.0.0/25", "65000:1", 0x3E81, 10), true);
}

TEST(FamilyVpn, Ipv6PairFromExabgp) {
  // conf-parity.ci: 0x88 = 136 bits = 24 + 64 + /48; RD type 0 3215:583457597.
  expect_pair(ipv6_vpn_row, "880039E100000C8F22C6DB3D20014B5020C0",
              vpn("2001:4b50:20c0::/48", "3215:583457597", 0x39E1));
}

TEST(FamilyVpn, RouteDistinguisherTypes) {
  // RFC 4364 4.2: type 1 (IPv4 address, 2-byte number), type 2 (4-byte ASN).
  expect_pair(ipv4_vpn_row, "60003E8100010102030400050A", vpn("10.0.0.0/8", "1.2.3.4:5", 0x3E81));
  expect_pair(ipv4_vpn_row, "60003E810002FA56EA0000070A",
              vpn("10.0.0.0/8", "4200000000:7", 0x3E81));
  EXPECT_EQ(RouteDistinguisher::parse("65000:1")->type, 0u);
  EXPECT_EQ(RouteDistinguisher::parse("1.2.3.4:5")->type, 1u);
  EXPECT_EQ(RouteDistinguisher::parse("4200000000:7")->type, 2u);
  for (std::string_view text : {"65000:1", "0:4294967295", "1.2.3.4:65535", "4200000000:7"})
    EXPECT_EQ(RouteDistinguisher::parse(text)->to_string(), text);
  EXPECT_EQ(RouteDistinguisher::from_u64(0x0003000000000001).to_string(), "0x0003000000000001");
  for (std::string_view bad : {"65000", "1.2.3.4:65536", "4200000000:65536", "x:1", "1:", "::1:2"})
    EXPECT_FALSE(RouteDistinguisher::parse(bad)) << bad;
}

TEST(FamilyVpn, NextHopsCarryAZeroRouteDistinguisher) {
  DecodeContext ctx;
  // RFC 4364 4.3.2: 8 zero bytes then IPv4; RFC 4659 3.2.1: then IPv6 (and link-local).
  EXPECT_TRUE(next_hop_length_allowed(vpn4, 12, ctx));
  EXPECT_FALSE(next_hop_length_allowed(vpn4, 4, ctx));
  EXPECT_FALSE(next_hop_length_allowed(vpn4, 24, ctx));
  EXPECT_TRUE(next_hop_length_allowed(vpn6, 24, ctx));
  EXPECT_TRUE(next_hop_length_allowed(vpn6, 48, ctx));
  EXPECT_FALSE(next_hop_length_allowed(vpn6, 16, ctx));
  EXPECT_FALSE(next_hop_length_allowed(vpn6, 12, ctx));
  // RFC 8950 3: VPN-IPv4 over IPv6 "MUST be 24 or 48", once negotiated.
  ctx.extended_next_hop.insert(vpn4);
  EXPECT_TRUE(next_hop_length_allowed(vpn4, 24, ctx));
  EXPECT_TRUE(next_hop_length_allowed(vpn4, 48, ctx));
  EXPECT_FALSE(next_hop_length_allowed(vpn4, 16, ctx));

  EXPECT_EQ(next_hop_address(vpn4, hex("0000000000000000C80A0065")),
            IpAddress::parse("200.10.0.101"));
  EXPECT_EQ(next_hop_address(vpn6, hex("0000000000000000"
                                       "00000000000000000000FFFF51341192")),
            IpAddress::parse("::ffff:81.52.17.146"));
  EXPECT_EQ(next_hop_address(vpn6, hex("0000000000000000"
                                       "20010DB8000000000000000000000001"
                                       "0000000000000000"
                                       "FE800000000000000000000000000001")),
            IpAddress::parse("2001:db8::1"));
  EXPECT_FALSE(next_hop_address(vpn4, hex("C80A0065")));
  EXPECT_EQ(next_hop_field(vpn4, *IpAddress::parse("200.10.0.101")),
            hex("0000000000000000C80A0065"));
  EXPECT_EQ(next_hop_field(ipv4_unicast, *IpAddress::parse("200.10.0.101")), hex("C80A0065"));
}

TEST(FamilyVpn, UpdateRendersAsExabgp) {
  // conf-vpn.ci's first UPDATE.
  const Bytes fixed =
      hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
          "0063"
          "02"
          "0000004C40010100400200400304C80A006540050400000064C0101000022710000000010002FDE800000001"
          "800E210001800C0000000000000000C80A00650071003E810000FDE8000000010A000000");
  auto m = decode_message(fixed, DecodeContext{});
  ASSERT_TRUE(m.ok()) << m.error().reason;
  const auto& u = std::get<Update>(*m);
  const Json j = update_to_json(u, DecodeContext{});
  EXPECT_EQ(
      j["update"]["announce"].dump(),
      R"({"ipv4 mpls-vpn":{"200.10.0.101":[{"nlri":"10.0.0.0/25","label":[[1000,16001]],"rd":"65000:1"}]}})");
  // And back (in type-code order: ExaBGP put MP_REACH_NLRI after code 16).
  auto again = decode_message(encode_message(*m, EncodeContext{}), DecodeContext{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *m);
}

TEST(FamilyVpn, ErrorsNameTheNlri) {
  // A label and no room for the route distinguisher.
  auto e = test::decode_error(ipv4_vpn_row, "30003E81000000");
  EXPECT_NE(e.reason.find("route distinguisher"), std::string::npos) << e.reason;
  // The route distinguisher cut short.
  e = test::decode_error(ipv4_vpn_row, "58003E810000FDE8");
  EXPECT_NE(e.reason.find("runs past"), std::string::npos) << e.reason;
  // 24 + 64 + 129 bits.
  e = test::decode_error(ipv6_vpn_row, "D9003E810000FDE800000001");
  EXPECT_NE(e.reason.find("exceeds 128"), std::string::npos) << e.reason;
}

TEST(FamilyVpn, KeyIgnoresLabels) {
  // RFC 8277: the label is bound to the route; a withdrawal with 0x800000
  // names the route announced with 1000.
  const Nlri announced = vpn("10.0.0.0/25", "65000:1", 0x3E81);
  const Nlri withdrawn = ipv4_vpn_row.as_withdrawn(announced);
  EXPECT_EQ(withdrawn.labels.raw[0], LabelStack::withdraw_compatibility);
  EXPECT_NE(announced, withdrawn);
  EXPECT_EQ(key_compare(announced, withdrawn), std::strong_ordering::equal);
  EXPECT_NE(key_compare(announced, vpn("10.0.0.0/25", "65000:2", 0x3E81)),
            std::strong_ordering::equal);
  EXPECT_EQ(ipv4_vpn_row.to_text(announced), "10.0.0.0/25 rd 65000:1 label [ 1000 ]");
}

RC_GTEST_PROP(FamilyVpn, RoundTrip, ()) {
  test::check_round_trip(**rc::gen::element(&ipv4_vpn_row, &ipv6_vpn_row));
}

RC_GTEST_PROP(FamilyVpn, ArbitraryBytes, ()) {
  test::check_arbitrary_bytes(**rc::gen::element(&ipv4_vpn_row, &ipv6_vpn_row));
}

}  // namespace
}  // namespace bgpsim::wire
