// BGP-LS (RFC 9552): node, link and prefix NLRI built by hand from the RFC's
// formats, both ways with ExaBGP's JSON; errors naming the byte; the BGP-LS
// attribute's TLVs (RFC 9552 5.3, RFC 9085 SR TLVs) in ExaBGP's names and
// its discard when malformed (8.2.2); and the shared properties of both rows.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/bgpls.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"
#include "tests/wire/family_check.hpp"

namespace bgpsim::wire {
namespace {

using test::expect_json;
using test::from_hex;
using test::hex;

// RFC 9552 5.2.1: IS-IS level 2, identifier 0, local node descriptors AS
// 65000 (512), BGP-LS identifier 0 (513), IS-IS system ID 0000.0000.0001 (515).
constexpr std::string_view node_nlri =
    "0001 0027 02 0000000000000000"
    "0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000001";

// RFC 9552 5.2.2: OSPFv2, identifier 32; local node AS 65000, area 0,
// router 10.0.0.1; remote node AS 65000, area 0, router 10.0.0.2 with DR
// 10.0.0.3; link IDs 1/2, IPv4 interface and neighbor, MT-ID 2.
constexpr std::string_view link_nlri =
    "0002 0067 03 0000000000000020"
    "0100 0018 0200 0004 0000FDE8 0202 0004 00000000 0203 0004 0A000001"
    "0101 001C 0200 0004 0000FDE8 0202 0004 00000000 0203 0008 0A000002 0A000003"
    "0102 0008 00000001 00000002 0103 0004 C0000201 0104 0004 C0000202 0107 0002 0002";

// RFC 9552 5.2.3: IS-IS level 2, local node AS 65000 and pseudonode
// 0000.0000.0001.05; MT-ID 0, IP reachability 10.1.0.0/24.
constexpr std::string_view prefix_v4_nlri =
    "0003 002E 02 0000000000000000"
    "0100 0013 0200 0004 0000FDE8 0203 0007 00000000000105"
    "0107 0002 0000 0109 0004 18 0A0100";

// OSPFv3, router 1.2.3.4, OSPF route type 1 (intra-area), 2001:db8::/32.
constexpr std::string_view prefix_v6_nlri =
    "0004 0023 06 0000000000000000"
    "0100 0008 0203 0004 01020304"
    "0108 0001 01 0109 0005 20 20010DB8";

TEST(FamilyBgpls, RowsAreInTheTable) {
  for (const FamilyRow* row : {&bgp_ls_row, &bgp_ls_vpn_row}) {
    EXPECT_EQ(family_row(row->family), row);
    EXPECT_EQ(row->name, row->family.to_string());
    EXPECT_TRUE(row->raw);
  }
  EXPECT_EQ(Family::parse("bgp-ls bgp-ls"), bgp_ls_row.family);
  EXPECT_EQ(Family::parse("bgp-ls bgp-ls-vpn"), bgp_ls_vpn_row.family);
}

TEST(FamilyBgpls, NodeNlri) {
  expect_json(bgp_ls_row, node_nlri,
              R"({"ls-nlri-type":"bgpls-node","l3-routing-topology":0,"protocol-id":2,
                  "node-descriptors":[{"autonomous-system":65000},{"bgp-ls-identifier":"0"},
                                      {"router-id":"000000000001"}]})");
  // ExaBGP's text: the type, then the bytes after the NLRI header.
  EXPECT_EQ(bgp_ls_row.to_text(from_hex(bgp_ls_row, node_nlri)),
            "bgp-ls:node:0x" + to_hex(hex(node_nlri)).substr(8));
}

TEST(FamilyBgpls, LinkNlri) {
  expect_json(bgp_ls_row, link_nlri,
              R"({"ls-nlri-type":"bgpls-link","l3-routing-topology":32,"protocol-id":3,
                  "local-node-descriptors":[{"autonomous-system":65000},{"ospf-area-id":"0.0.0.0"},
                                            {"router-id":"10.0.0.1"}],
                  "remote-node-descriptors":[{"autonomous-system":65000},{"ospf-area-id":"0.0.0.0"},
                                             {"router-id":"10.0.0.2","designated-router-id":"10.0.0.3"}],
                  "interface-addresses":["192.0.2.1"],"neighbor-addresses":["192.0.2.2"],
                  "multi-topology-ids":[2],
                  "link-identifiers":[{"link-local-id":1,"link-remote-id":2}]})");
}

TEST(FamilyBgpls, PrefixNlri) {
  expect_json(bgp_ls_row, prefix_v4_nlri,
              R"({"ls-nlri-type":"bgpls-prefix-v4","l3-routing-topology":0,"protocol-id":2,
                  "node-descriptors":[{"autonomous-system":65000},
                                      {"router-id":"00000000000105","psn":"5"}],
                  "multi-topology-ids":[0],
                  "ip-reachability-tlv":"10.1.0.0","ip-reach-prefix":"10.1.0.0/24"})");
  expect_json(bgp_ls_row, prefix_v6_nlri,
              R"({"ls-nlri-type":"bgpls-prefix-v6","l3-routing-topology":0,"protocol-id":6,
                  "node-descriptors":[{"router-id":"1.2.3.4"}],"ospf-route-type":1,
                  "ip-reachability-tlv":"2001:db8::","ip-reach-prefix":"2001:db8::/32"})");
}

TEST(FamilyBgpls, VpnNlriCarriesARouteDistinguisher) {
  // RFC 9552 5.2: for SAFI 72 the RD follows the header, counted in its length.
  expect_json(bgp_ls_vpn_row,
              "0001 002F 0000FDE800000001 02 0000000000000000"
              "0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000001",
              R"({"ls-nlri-type":"bgpls-node","l3-routing-topology":0,"protocol-id":2,
                  "node-descriptors":[{"autonomous-system":65000},{"bgp-ls-identifier":"0"},
                                      {"router-id":"000000000001"}],"rd":"65000:1"})");
}

TEST(FamilyBgpls, UnknownTypesAndTlvsAreKept) {
  expect_json(bgp_ls_row, "0007 0003 AABBCC",
              R"({"code":7,"parsed":false,"raw":"00070003AABBCC"})");
  // A TLV (1024) and a node descriptor sub-TLV (600) we do not know: shown as hex.
  expect_json(bgp_ls_row,
              "0001 002B 02 0000000000000000"
              "0100 0018 0200 0004 0000FDE8 0203 0006 000000000001 0258 0002 ABCD"
              "0400 0002 BEEF",
              R"({"ls-nlri-type":"bgpls-node","l3-routing-topology":0,"protocol-id":2,
                  "node-descriptors":[{"autonomous-system":65000},{"router-id":"000000000001"},
                                      {"generic-sub-tlv-600":"0xABCD"}],
                  "generic-tlv-1024":"0xBEEF"})");
}

TEST(FamilyBgpls, RouteKeyIsTheWholeNlri) {
  const Nlri a = from_hex(bgp_ls_row, node_nlri);
  EXPECT_TRUE(std::ranges::equal(a.raw.key(), a.raw.wire()));
  // Another identifier is another object.
  std::string other(node_nlri);
  other.replace(other.find("0000000000000000"), 16, "0000000000000001");
  EXPECT_NE(from_hex(bgp_ls_row, other), a);
}

TEST(FamilyBgpls, ErrorsNameTheByte) {
  auto error = [](std::string_view bytes) { return test::decode_error(bgp_ls_row, bytes); };
  // The length runs past the field.
  auto e = error("0001 00FF 02");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.reason.find("length 255"), std::string::npos) << e.reason;
  // A node NLRI without its local node descriptors (RFC 9552 5.2).
  e = error("0001 0009 02 0000000000000000");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.reason.find("local node descriptors"), std::string::npos) << e.reason;
  // The AS sub-TLV of 3 bytes, at byte 17.
  e = error("0001 0014 02 0000000000000000 0100 0007 0200 0003 00FDE8");
  EXPECT_EQ(e.offset, 17u);
  EXPECT_NE(e.reason.find("512 is 3 bytes, not 4"), std::string::npos) << e.reason;
  // An IS-IS router ID of 5 bytes.
  e = error("0001 0016 02 0000000000000000 0100 0009 0203 0005 0000000001");
  EXPECT_EQ(e.offset, 17u);
  EXPECT_NE(e.reason.find("IGP router ID of 5 bytes"), std::string::npos) << e.reason;
  // A sub-TLV whose length runs past its descriptor TLV.
  e = error("0001 0013 02 0000000000000000 0100 0006 0200 0004 0000");
  EXPECT_EQ(e.offset, 17u);
  // TLVs out of order (RFC 9552 5.1): IP reachability before the node.
  e = error("0003 001A 02 0000000000000000 0109 0001 00 0100 0008 0200 0004 0000FDE8");
  EXPECT_EQ(e.offset, 18u);
  EXPECT_NE(e.reason.find("ascending"), std::string::npos) << e.reason;
  // A /33 in an IPv4 prefix NLRI.
  e = error("0003 001F 02 0000000000000000 0100 0008 0200 0004 0000FDE8 0109 0006 21 0A0000000000");
  EXPECT_EQ(e.offset, 25u);
  // A link NLRI without its remote node.
  e = error("0002 0015 03 0000000000000000 0100 0008 0200 0004 0000FDE8");
  EXPECT_NE(e.reason.find("remote node descriptors"), std::string::npos) << e.reason;
}

TEST(FamilyBgpls, NlriFieldsBackToBackWithPathIds) {
  const std::string field =
      std::string("00000007") + std::string(node_nlri) + "00000008" + std::string(link_nlri);
  const auto nlri = test::decode_field(bgp_ls_row, hex(field), true);
  ASSERT_EQ(nlri.size(), 2u);
  EXPECT_EQ(nlri[0].path_id, 7u);
  EXPECT_EQ(nlri[1].path_id, 8u);
  EXPECT_EQ(test::encode_field(bgp_ls_row, nlri, true), hex(field));
}

// ---------------------------------------------------------------- attribute

nlohmann::json ls_json(std::string_view value) {
  auto ls = bgp_ls::attribute_json(hex(value));
  EXPECT_TRUE(std::holds_alternative<Json>(ls))
      << (std::holds_alternative<bgp_ls::Fault>(ls) ? std::get<bgp_ls::Fault>(ls).reason : "");
  return std::holds_alternative<Json>(ls) ? nlohmann::json::parse(std::get<Json>(ls).dump())
                                          : nlohmann::json{};
}

TEST(BgplsAttribute, NodeTlvs) {
  // Node flags (O), name "rtr1", IPv4 local TE router ID, SR capabilities
  // (I; SRGB 8000 labels from 16000), SR algorithms 0 and 1.
  EXPECT_EQ(ls_json("0400 0001 80 0402 0004 72747231 0404 0004 0A000001"
                    "040A 000C 8000 001F40 0489 0003 003E80 040B 0002 0001"),
            nlohmann::json::parse(
                R"({"node-flags":{"O":1,"T":0,"E":0,"B":0,"R":0,"V":0,"RSV":0},
                    "node-name":"rtr1","sr-capability-flags":{"I":1,"V":0,"RSV":0},
                    "sids":[[8000,16000]],"sr-algorithms":[0,1],
                    "local-te-router-ids":["10.0.0.1"]})"));
}

TEST(BgplsAttribute, LinkTlvs) {
  // Admin group, bandwidths (IEEE floats: 1.25e9 bytes/s), TE and IGP
  // metrics, SRLGs, link name, an adjacency SID (V and L: label 24000).
  EXPECT_EQ(ls_json("0406 0004 0A000002 0440 0004 00000001 0441 0004 4E9502F9"
                    "0442 0004 4E9502F9 0444 0004 0000000A 0447 0003 00000A"
                    "0448 0008 00000001 00000002 044A 0003 6C6E6B 044B 0007 30 0A 0000 005DC0"),
            nlohmann::json::parse(
                R"({"remote-te-router-id":"10.0.0.2","admin-group-mask":1,
                    "maximum-link-bandwidth":1250000000.0,
                    "maximum-reservable-link-bandwidth":1250000000.0,"te-metric":10,
                    "igp-metric":10,"shared-risk-link-groups":[1,2],"link-name":"lnk",
                    "sr-adj":{"flags":{"F":0,"B":0,"V":1,"L":1,"S":0,"P":0,"RSV":0},
                              "sids":[24000],"weight":10,"undecoded-sids":[]}})"));
}

TEST(BgplsAttribute, PrefixTlvs) {
  // IGP flags (D), route tags, prefix metric, a prefix SID (index 100,
  // algorithm 0), and a TLV we do not name.
  EXPECT_EQ(ls_json("0480 0001 80 0481 0004 00000064 0483 0004 00000014"
                    "0486 0008 40 00 0000 00000064 0FFF 0002 ABCD"),
            nlohmann::json::parse(
                R"({"igp-flags":{"D":1,"N":0,"L":0,"P":0,"RSV":0},"igp-route-tags":[100],
                    "prefix-metric":20,
                    "sr-prefix-flags":{"R":0,"N":1,"P":0,"E":0,"V":0,"L":0,"RSV":0},
                    "sids":[100],"undecoded-sids":[],"sr-algorithm":0,
                    "generic-lsid-4095":["0xABCD"]})"));
}

TEST(BgplsAttribute, MalformedTlvsNameTheByte) {
  auto fault = [](std::string_view value) {
    auto ls = bgp_ls::attribute_json(hex(value));
    EXPECT_TRUE(std::holds_alternative<bgp_ls::Fault>(ls)) << value;
    return std::holds_alternative<bgp_ls::Fault>(ls) ? std::get<bgp_ls::Fault>(ls)
                                                     : bgp_ls::Fault{};
  };
  EXPECT_EQ(fault("0402 0004 72747231 0440 0003 000001").offset, 8u);  // admin group of 3
  EXPECT_EQ(fault("0402 0009 72747231").offset, 0u);                   // runs past the end
  EXPECT_EQ(fault("0402 0004 72747231 04").offset, 8u);                // a cut header
  EXPECT_EQ(fault("040A 0009 8000 001F40 0400 0000").offset, 6u);      // not a SID/Label sub-TLV
}

TEST(BgplsAttribute, DecodedInAnUpdateAndDiscardedWhenMalformed) {
  // ORIGIN, AS_PATH, then BGP-LS (optional, code 29) with a node name.
  const Bytes field = hex("400101 00 400200 801D08 0402 0004 72747231");
  auto decoded = decode_attributes(Reader(field), DecodeContext{}, false);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->errors.empty());
  Json out = Json::object();
  attributes_to_json(decoded->attributes, DecodeContext{}, out);
  EXPECT_EQ(nlohmann::json::parse(out.dump()),
            nlohmann::json::parse(R"({"origin":"igp","bgp-ls":{"node-name":"rtr1"}})"));
  // RFC 9552 8.2.2: a malformed attribute is discarded, the error naming its byte.
  const Bytes bad = hex("400101 00 400200 801D07 0440 0003 000001");
  decoded = decode_attributes(Reader(bad), DecodeContext{}, false);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->errors.size(), 1u);
  EXPECT_EQ(decoded->errors[0].action, ErrorAction::attribute_discard);
  EXPECT_EQ(decoded->errors[0].error.offset, 10u);
  EXPECT_TRUE(decoded->attributes.other.empty());
}

TEST(FamilyBgpls, WholeUpdateAsExabgpShowsIt) {
  // MP_REACH_NLRI of bgp-ls bgp-ls, next hop 10.0.0.1, the node NLRI.
  const Bytes nlri = hex(node_nlri);
  Bytes message(16, 0xFF);  // the marker
  Writer w(message);
  const auto length = w.reserve_u16();
  w.u8(2);   // UPDATE
  w.u16(0);  // no withdrawn routes
  Bytes attrs = hex("400101 00 400200");
  Writer a(attrs);
  a.u8(0x90);
  a.u8(14);
  a.u16(static_cast<std::uint16_t>(2 + 1 + 1 + 4 + 1 + nlri.size()));
  a.u16(16388);
  a.u8(71);
  a.u8(4);
  a.u32(0x0A000001);
  a.u8(0);
  a.bytes(nlri);
  w.u16(static_cast<std::uint16_t>(attrs.size()));
  w.bytes(attrs);
  w.patch_u16(length, static_cast<std::uint16_t>(message.size()));
  auto u = decode_update(message, DecodeContext{});
  ASSERT_TRUE(u.ok()) << u.error().reason;
  const Json j = update_to_json(*u, DecodeContext{});
  const auto& routes = j["update"]["announce"]["bgp-ls bgp-ls"]["10.0.0.1"];
  ASSERT_EQ(routes.size(), 1u) << j.dump();
  EXPECT_EQ(routes[0]["ls-nlri-type"], "bgpls-node");
}

// ---------------------------------------------------------------- properties

const std::vector<const FamilyRow*> ls_rows{&bgp_ls_row, &bgp_ls_vpn_row};

RC_GTEST_PROP(FamilyBgpls, RoundTrip, ()) { test::check_round_trip(**rc::gen::elementOf(ls_rows)); }

RC_GTEST_PROP(FamilyBgpls, ArbitraryBytes, ()) {
  test::check_arbitrary_bytes(**rc::gen::elementOf(ls_rows));
}

RC_GTEST_PROP(FamilyBgpls, EveryRouteRenders, ()) {
  const FamilyRow& row = **rc::gen::elementOf(ls_rows);
  const Nlri n = *gen::raw_nlri(row, false);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  row.to_json(n, out);
  RC_ASSERT(out.contains("ls-nlri-type") || out.contains("raw"));
  RC_ASSERT(!row.to_text(n).empty());
}

// Any attribute value: a fault inside it, or JSON.
RC_GTEST_PROP(BgplsAttribute, ArbitraryBytes, ()) {
  const auto bytes = *rc::gen::container<Bytes>(*rc::gen::inRange<std::size_t>(0, 48),
                                                rc::gen::arbitrary<std::uint8_t>());
  auto ls = bgp_ls::attribute_json(bytes);
  if (auto* fault = std::get_if<bgp_ls::Fault>(&ls)) {
    RC_ASSERT(fault->offset < bytes.size());
    RC_ASSERT(!fault->reason.empty());
  }
}

}  // namespace
}  // namespace bgpsim::wire
