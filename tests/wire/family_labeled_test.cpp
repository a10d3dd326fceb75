// Labeled unicast, SAFI 4 "nlri-mpls" (RFC 8277): NLRI pairs both ways (one
// from ExaBGP's conf-prefix-sid.ci), several labels, the withdrawal label
// field, errors with their offset, JSON and text as ExaBGP writes them, and
// the round-trip and arbitrary-bytes properties.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>

#include "speaker/wire/json.hpp"
#include "tests/wire/family_check.hpp"

namespace bgpsim::wire {
namespace {

using test::expect_pair;

Nlri labeled(std::string_view prefix, std::vector<std::uint32_t> raw,
             std::optional<std::uint32_t> path_id = {}) {
  Nlri n;
  n.prefix = *IpPrefix::parse(prefix);
  n.path_id = path_id;
  for (auto r : raw) n.labels.push(r);
  return n;
}

TEST(FamilyLabeled, RowsAreInTheTable) {
  EXPECT_EQ(family_row(Family(Afi::ipv4, Safi::nlri_mpls)), &ipv4_labeled_row);
  EXPECT_EQ(family_row(Family(Afi::ipv6, Safi::nlri_mpls)), &ipv6_labeled_row);
  EXPECT_EQ(ipv4_labeled_row.name, "ipv4 nlri-mpls");
  EXPECT_EQ(ipv4_labeled_row.name, Family(Afi::ipv4, Safi::nlri_mpls).to_string());
  EXPECT_TRUE(family_supported(Family(Afi::ipv6, Safi::nlri_mpls)));
}

TEST(FamilyLabeled, OneLabelPairFromExabgp) {
  // conf-prefix-sid.ci: 0x38 = 56 bits = one label (24) + /32; C35011 is
  // label 800001 with the bottom-of-stack bit.
  expect_pair(ipv4_labeled_row, "38C35011C6336464", labeled("198.51.100.100/32", {0xC35011}));
  EXPECT_EQ(LabelStack::label_of(0xC35011), 800001u);
}

TEST(FamilyLabeled, SeveralLabelsEndAtTheBottomOfStack) {
  // RFC 8277 2.2: labels 100 and 200, the bit on the last only; /16.
  expect_pair(ipv4_labeled_row, "40000640000C810A01", labeled("10.1.0.0/16", {0x640, 0xC81}));
  EXPECT_EQ(LabelStack::from_labels({100, 200}), labeled("0.0.0.0/0", {0x640, 0xC81}).labels);
}

TEST(FamilyLabeled, PathIdAndIpv6) {
  expect_pair(ipv4_labeled_row, "0000000738C35011C6336464",
              labeled("198.51.100.100/32", {0xC35011}, 7), true);
  expect_pair(ipv6_labeled_row, "3800010120010DB8", labeled("2001:db8::/32", {0x101}));
}

TEST(FamilyLabeled, WithdrawalLabelFieldsEndTheStack) {
  // RFC 8277 2.4: a withdrawal's label field is 0x800000 (compatibility) or,
  // from older speakers, 0x000000; neither has the bottom-of-stack bit.
  expect_pair(ipv4_labeled_row, "38800000C6336464", labeled("198.51.100.100/32", {0x800000}));
  expect_pair(ipv4_labeled_row, "38000000C6336464", labeled("198.51.100.100/32", {0}));
  // What the builder sends for a withdrawn route, whatever was announced.
  EXPECT_EQ(ipv4_labeled_row.as_withdrawn(labeled("10.0.0.0/8", {0x640, 0xC81})),
            labeled("10.0.0.0/8", {0x800000}));
}

TEST(FamilyLabeled, ErrorsNameTheNlri) {
  // 16 bits cannot hold a label.
  auto e = test::decode_error(ipv4_labeled_row,
                              "38C35011C6336464"
                              "100A01");
  EXPECT_EQ(e.offset, 8u) << "the second NLRI";
  EXPECT_NE(e.reason.find("no room for a label"), std::string::npos) << e.reason;
  // A stack never reaching its bottom runs out of bits.
  e = test::decode_error(ipv4_labeled_row, "30000640000C80");
  EXPECT_EQ(e.offset, 0u);
  // Five labels: more than the stack holds.
  e = test::decode_error(ipv4_labeled_row,
                         "78"
                         "000640"
                         "000640"
                         "000640"
                         "000640"
                         "000641");
  EXPECT_NE(e.reason.find("more than 4 labels"), std::string::npos) << e.reason;
  // 24 + 33 bits: a prefix longer than IPv4's.
  e = test::decode_error(ipv4_labeled_row,
                         "39000641"
                         "0000000000");
  EXPECT_NE(e.reason.find("exceeds 32"), std::string::npos) << e.reason;
  EXPECT_EQ(e.subcode, 10u);
}

TEST(FamilyLabeled, JsonAndTextAsExabgp) {
  nlohmann::ordered_json j;
  ipv4_labeled_row.to_json(labeled("10.1.0.0/16", {0x640, 0xC81}, 1), j);
  EXPECT_EQ(
      j.dump(),
      R"({"nlri":"10.1.0.0/16","path-information":"0.0.0.1","label":[[100,1600],[200,3201]]})");
  EXPECT_EQ(ipv4_labeled_row.to_text(labeled("10.1.0.0/16", {0x640, 0xC81})),
            "10.1.0.0/16 label [ 100 200 ]");
}

TEST(FamilyLabeled, AnEmptyStackIsSentAsTheCompatibilityLabel) {
  EXPECT_EQ(test::encode_field(ipv4_labeled_row, {labeled("10.0.0.0/8", {})}), test::hex("20800000"
                                                                                         "0A"));
}

TEST(FamilyLabeled, TooManyBitsAreRefusedBeforeEncoding) {
  // Four labels and a /128: 96 + 128 bits fit the length byte; with a route
  // distinguisher, 3 labels already make 72 + 64 + 128 > 255.
  EXPECT_FALSE(ipv6_labeled_row.invalid(labeled("2001:db8::1/128", {0x640, 0x640, 0x640, 0x641})));
  Nlri vpn = labeled("2001:db8::1/128", {0x640, 0x640, 0x641});
  EXPECT_TRUE(ipv6_vpn_row.invalid(vpn));
  vpn.labels = LabelStack::from_labels({100, 200});
  EXPECT_FALSE(ipv6_vpn_row.invalid(vpn));
  EXPECT_TRUE(ipv4_labeled_row.invalid(labeled("2001:db8::/32", {0x641})));
}

TEST(FamilyLabeled, PrefixSidRendersAsExabgp) {
  // conf-prefix-sid.ci: BGP Prefix-SID (RFC 8669) with a label index, then
  // with an originator SRGB; labeled unicast's companion attribute.
  PathAttributes a;
  a.other.push_back(RawAttribute{0xE0, 40, *parse_hex("01000700000000000309")});
  Json j = Json::object();
  attributes_to_json(a, DecodeContext{}, j);
  EXPECT_EQ(j.dump(), R"({"bgp-prefix-sid":{"sr-label-index":777}})");
  a.other[0].value = *parse_hex("0100070000000000012C03000E00000C35000010000F4240001388");
  j = Json::object();
  attributes_to_json(a, DecodeContext{}, j);
  EXPECT_EQ(
      j.dump(),
      R"({"bgp-prefix-sid":{"sr-label-index":300,"sr-srgbs":[[800000,4096],[1000000,5000]]}})");
  // Another TLV (SRv6, type 5): shown as bytes.
  a.other[0].value = *parse_hex("050004000000FF");
  j = Json::object();
  attributes_to_json(a, DecodeContext{}, j);
  EXPECT_EQ(j.dump(), R"({"attribute-0x28-0xE0":"0x050004000000ff"})");
}

RC_GTEST_PROP(FamilyLabeled, RoundTrip, ()) {
  test::check_round_trip(**rc::gen::element(&ipv4_labeled_row, &ipv6_labeled_row));
}

RC_GTEST_PROP(FamilyLabeled, ArbitraryBytes, ()) {
  test::check_arbitrary_bytes(**rc::gen::element(&ipv4_labeled_row, &ipv6_labeled_row));
}

}  // namespace
}  // namespace bgpsim::wire
