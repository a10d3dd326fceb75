// The families whose NLRI is held as bytes (Nlri::raw): MVPN (RFC 6514), MUP
// (draft-ietf-bess-mup-safi), VPLS (RFC 4761), EVPN (RFC 7432, RFC 9136) and
// RTC (RFC 4684).
// NLRI pairs both ways with ExaBGP's JSON (from its conf-mvpn.ci,
// conf-srv6-mup.ci and conf-l2vpn.ci), the route keys each RFC defines,
// errors naming the byte, the text form, and the round-trip and
// arbitrary-bytes properties of every row. Also the attributes these
// families travel with: PMSI Tunnel (RFC 6514 5) and BGP Prefix-SID (RFC
// 8669, RFC 9252).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/json.hpp"
#include "tests/wire/family_check.hpp"

namespace bgpsim::wire {
namespace {

using test::expect_json;
using test::from_hex;
using test::hex;

std::string text_of(const FamilyRow& row, std::string_view bytes) {
  return row.to_text(from_hex(row, bytes));
}

TEST(FamilyRaw, RowsAreInTheTable) {
  for (const FamilyRow* row : {&ipv4_mvpn_row, &ipv6_mvpn_row, &ipv4_mup_row, &ipv6_mup_row,
                               &l2vpn_vpls_row, &l2vpn_evpn_row, &ipv4_rtc_row}) {
    EXPECT_EQ(family_row(row->family), row);
    EXPECT_EQ(row->name, row->family.to_string());
    EXPECT_TRUE(row->raw && !row->rd && !row->labels && !row->flow && !row->base_fields);
  }
}

TEST(FamilyRaw, RawNlriHoldsBytesAndKey) {
  const Bytes wire = hex("0102030405"), key = hex("0103");
  RawNlri a(wire, key);
  RawNlri copy = a;
  EXPECT_EQ(copy, a);
  EXPECT_TRUE(std::ranges::equal(copy.wire(), wire));
  EXPECT_TRUE(std::ranges::equal(copy.key(), key));
  RawNlri whole(wire, {});
  EXPECT_TRUE(std::ranges::equal(whole.key(), wire));
  EXPECT_NE(whole, a);  // same bytes, another key
  RawNlri moved = std::move(copy);
  EXPECT_EQ(moved, a);
  EXPECT_TRUE(RawNlri{}.empty());
  EXPECT_TRUE(RawNlri{}.wire().empty());
  // What the pointer costs every unicast route.
  EXPECT_EQ(sizeof(RawNlri), sizeof(void*));
}

// ---------------------------------------------------------------- MVPN

TEST(FamilyMvpn, CMulticastAndSourceActiveFromExabgp) {
  expect_json(ipv4_mvpn_row, "06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4",
              R"({"code":6,"parsed":true,"raw":"06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4",
                  "name":"C-Multicast Shared Tree Join route","rd":"65000:99999",
                  "source-as":"65000","source":"10.99.199.1","group":"239.251.255.228"})");
  expect_json(ipv4_mvpn_row, "07160000FDE80001869F0000FDE8200A630C0220EFFBFFE4",
              R"({"code":7,"parsed":true,"raw":"07160000FDE80001869F0000FDE8200A630C0220EFFBFFE4",
                  "name":"C-Multicast Source Tree Join route","rd":"65000:99999",
                  "source-as":"65000","source":"10.99.12.2","group":"239.251.255.228"})");
  expect_json(ipv4_mvpn_row, "05120000FDE80001869F200A630C0420EFFBFFE4",
              R"({"code":5,"parsed":true,"raw":"05120000FDE80001869F200A630C0420EFFBFFE4",
                  "name":"Source Active A-D Route","rd":"65000:99999",
                  "source":"10.99.12.4","group":"239.251.255.228"})");
  expect_json(ipv6_mvpn_row,
              "062E0000FDE80001869F0000FDE880FD00000000000000000000000000000180FF0E0000000000000000"
              "000000000001",
              R"({"code":6,"parsed":true,
          "raw":"062E0000FDE80001869F0000FDE880FD00000000000000000000000000000180FF0E0000000000000000000000000001",
          "name":"C-Multicast Shared Tree Join route","rd":"65000:99999","source-as":"65000",
          "source":"fd00::1","group":"ff0e::1"})");
  EXPECT_EQ(text_of(ipv4_mvpn_row, "06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4"),
            "shared-join rp 10.99.199.1 group 239.251.255.228 rd 65000:99999 source-as 65000");
  EXPECT_EQ(text_of(ipv4_mvpn_row, "05120000FDE80001869F200A630C0420EFFBFFE4"),
            "source-ad source 10.99.12.4 group 239.251.255.228 rd 65000:99999");
}

TEST(FamilyMvpn, AutoDiscoveryRoutes) {
  // RFC 6514 4.1-4.4: ExaBGP does not parse these and shows the bytes.
  expect_json(ipv4_mvpn_row, "010C0000FDE8000000010A000001",
              R"({"code":1,"parsed":false,"raw":"010C0000FDE8000000010A000001"})");
  EXPECT_EQ(text_of(ipv4_mvpn_row, "010C0000FDE8000000010A000001"),
            "intra-as-ipmsi-ad rd 65000:1 originator 10.0.0.1");
  EXPECT_EQ(text_of(ipv4_mvpn_row, "020C0000FDE80000000100000064"),
            "inter-as-ipmsi-ad rd 65000:1 source-as 100");
  // An S-PMSI A-D route with wildcards (RFC 6625) and an IPv6 originator.
  const std::string spmsi =
      "031A0000FDE8000000010000"
      "20010000000000000000000000000001";
  EXPECT_EQ(text_of(ipv4_mvpn_row, spmsi),
            "spmsi-ad source * group * rd 65000:1 originator 2001::1");
  // A Leaf A-D route whose key is a type 3 route: key, then its originator.
  const std::string leaf =
      "0414030E"
      "0000FDE800000001"
      "00"
      "00"
      "0A000001"
      "0A000002";
  EXPECT_EQ(from_hex(ipv4_mvpn_row, leaf).raw.wire().size(), 22u);
  EXPECT_EQ(text_of(ipv4_mvpn_row, leaf), "route-type 4 raw 0x" + leaf);
  // A route key that leaves 5 bytes for the originator.
  EXPECT_EQ(test::decode_error(ipv4_mvpn_row,
                               "0415030E"
                               "0000FDE800000001"
                               "00"
                               "00"
                               "0A000001"
                               "0A00000201")
                .offset,
            2u);
}

TEST(FamilyMvpn, ErrorsNameTheByte) {
  // The length runs past the field.
  auto e = test::decode_error(ipv4_mvpn_row, "05200000FDE8");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.reason.find("MVPN route: length 32"), std::string::npos) << e.reason;
  // A source length of 24 bits (byte 10).
  e = test::decode_error(ipv4_mvpn_row, "05110000FDE80001869F180A630C20EFFBFFE4");
  EXPECT_EQ(e.offset, 10u);
  EXPECT_NE(e.reason.find("multicast source length 24"), std::string::npos) << e.reason;
  // An originator of 5 bytes (byte 10), and bytes left after a type 2.
  e = test::decode_error(ipv4_mvpn_row, "010D0000FDE8000000010A00000101");
  EXPECT_EQ(e.offset, 10u);
  e = test::decode_error(ipv4_mvpn_row, "020D0000FDE8000000010000006401");
  EXPECT_EQ(e.offset, 14u);
  EXPECT_NE(e.reason.find("1 bytes left after the type 2 route"), std::string::npos) << e.reason;
}

TEST(FamilyMvpn, NextHopIsAnIpv4OrIpv6Address) {
  DecodeContext ctx;
  for (const FamilyRow* row : {&ipv4_mvpn_row, &ipv6_mvpn_row}) {
    EXPECT_TRUE(next_hop_length_allowed(row->family, 4, ctx));
    EXPECT_TRUE(next_hop_length_allowed(row->family, 16, ctx));
    EXPECT_FALSE(next_hop_length_allowed(row->family, 12, ctx));
  }
}

// ---------------------------------------------------------------- MUP

TEST(FamilyMup, RoutesFromExabgp) {
  expect_json(ipv4_mup_row, "0100010C0000006400000064180A0001",
              R"({"name":"InterworkSegmentDiscoveryRoute","arch":1,"code":1,"prefix_ip_len":24,
                  "prefix_ip":"10.0.1.0","rd":"100:100","raw":"0100010C0000006400000064180A0001"})");
  expect_json(ipv4_mup_row, "0100020C00000064000000640A000001",
              R"({"name":"DirectSegmentDiscoveryRoute","arch":1,"code":2,"ip":"10.0.0.1",
                  "rd":"100:100","raw":"0100020C00000064000000640A000001"})");
  expect_json(ipv4_mup_row, "01000317000000640000006420C0A800010000303909200A000001",
              R"({"name":"Type1SessionTransformedRoute","arch":1,"code":3,"prefix_ip_len":32,
                  "prefix_ip":"192.168.0.1","teid":"12345","qfi":"9","rd":"100:100",
                  "endpoint_ip_len":32,"endpoint_ip":"10.0.0.1","source_ip_len":0,
                  "source_ip":"b''","raw":"01000317000000640000006420C0A800010000303909200A000001"})");
  expect_json(ipv4_mup_row, "0100031C000000640000006420C0A800020000303909200A000001200A000101",
              R"({"name":"Type1SessionTransformedRoute","arch":1,"code":3,"prefix_ip_len":32,
                  "prefix_ip":"192.168.0.2","teid":"12345","qfi":"9","rd":"100:100",
                  "endpoint_ip_len":32,"endpoint_ip":"10.0.0.1","source_ip_len":32,
                  "source_ip":"10.0.1.1",
                  "raw":"0100031C000000640000006420C0A800020000303909200A000001200A000101"})");
  expect_json(ipv4_mup_row, "010004100000006400000064370A000001003039",
              R"({"name":"Type2SessionTransformedRoute","arch":1,"code":4,"endpoint_len":55,
                  "endpoint_ip":"10.0.0.1","rd":"100:100","teid":"12345",
                  "raw":"010004100000006400000064370A000001003039"})");
  expect_json(ipv6_mup_row, "0100041D0000006400000064A02001000000000000000000000000000100003039",
              R"({"name":"Type2SessionTransformedRoute","arch":1,"code":4,"endpoint_len":160,
                  "endpoint_ip":"2001::1","rd":"100:100","teid":"12345",
                  "raw":"0100041D0000006400000064A02001000000000000000000000000000100003039"})");
  // Another architecture: kept and shown as bytes.
  expect_json(ipv4_mup_row, "02000102ABCD", R"({"arch":2,"code":1,"raw":"02000102ABCD"})");
}

TEST(FamilyMup, TextIsExabgpsConfiguration) {
  EXPECT_EQ(text_of(ipv4_mup_row, "0100010C0000006400000064180A0001"),
            "mup-isd 10.0.1.0/24 rd 100:100");
  EXPECT_EQ(text_of(ipv4_mup_row, "01000317000000640000006420C0A800010000303909200A000001"),
            "mup-t1st 192.168.0.1/32 rd 100:100 teid 12345 qfi 9 endpoint 10.0.0.1");
  EXPECT_EQ(text_of(ipv4_mup_row, "010004100000006400000064370A000001003039"),
            "mup-t2st 10.0.0.1 rd 100:100 teid 12345/23");
}

TEST(FamilyMup, Type1KeyIsTheRdAndPrefix) {
  // draft-ietf-bess-mup-safi 3.1.3: TEID, QFI and endpoints do not name the route.
  const Nlri a = from_hex(ipv4_mup_row, "01000317000000640000006420C0A800010000303909200A000001");
  const Nlri b =
      from_hex(ipv4_mup_row, "0100031C000000640000006420C0A800010000000105200A000009200A000101");
  EXPECT_NE(a, b);
  EXPECT_EQ(key_compare(a, b), std::strong_ordering::equal);
  const Nlri other_prefix =
      from_hex(ipv4_mup_row, "01000317000000640000006420C0A800020000303909200A000001");
  EXPECT_NE(key_compare(a, other_prefix), std::strong_ordering::equal);
}

TEST(FamilyMup, ErrorsNameTheByte) {
  // T2ST: an endpoint of 31 bits (byte 12) is shorter than the address.
  auto e = test::decode_error(ipv4_mup_row, "0100040D00000064000000641F0A000001");
  EXPECT_EQ(e.offset, 12u);
  EXPECT_NE(e.reason.find("endpoint length 31"), std::string::npos) << e.reason;
  // ISD: a /33 for IPv4.
  e = test::decode_error(ipv4_mup_row, "0100010E0000006400000064210A00010000");
  EXPECT_EQ(e.offset, 12u);
  // T1ST: an endpoint length of 24 (byte 22).
  e = test::decode_error(ipv4_mup_row, "01000316000000640000006420C0A800010000303909180A0000");
  EXPECT_EQ(e.offset, 22u);
}

// ---------------------------------------------------------------- VPLS

TEST(FamilyVpls, RouteFromExabgp) {
  // conf-l2vpn.ci: base 10702 is the label block's first label (0x029CE1 >> 4).
  expect_json(l2vpn_vpls_row, "00110001C0A8C901007B000500010008029CE1",
              R"({"rd":"192.168.201.1:123","endpoint":5,"base":10702,"offset":1,"size":8})");
  EXPECT_EQ(text_of(l2vpn_vpls_row, "00110001C0A8C901007B000500010008029CE1"),
            "rd 192.168.201.1:123 endpoint 5 base 10702 offset 1 size 8");
  // Another label base names the same route.
  EXPECT_EQ(key_compare(from_hex(l2vpn_vpls_row, "00110001C0A8C901007B000500010008029CE1"),
                        from_hex(l2vpn_vpls_row, "00110001C0A8C901007B000500010008000011")),
            std::strong_ordering::equal);
  auto e = test::decode_error(l2vpn_vpls_row, "00100001C0A8C901007B000500010008029C");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.reason.find("length 16 is not 17"), std::string::npos) << e.reason;
}

// ---------------------------------------------------------------- EVPN

// RFC 7432 7.2: type 2, RD 65000:1, ESI, tag 7, MAC, IPv4 10.0.0.1, label 1000 (BoS).
constexpr std::string_view mac_ip =
    "02250000FDE800000001"
    "00010203040506070809"
    "00000007"
    "30"
    "0A0B0C0D0E0F"
    "20"
    "0A000001"
    "003E81";

TEST(FamilyEvpn, MacIpAdvertisement) {
  expect_json(l2vpn_evpn_row, mac_ip,
              R"({"code":2,"parsed":true,"raw":")" + std::string(mac_ip) + R"(",
                  "name":"MAC/IP advertisement","rd":"65000:1",
                  "esi":"00:01:02:03:04:05:06:07:08:09","ethernet-tag":7,"mac":"0A:0B:0C:0D:0E:0F",
                  "label":[[1000,16001]],"ip":"10.0.0.1"})");
  EXPECT_EQ(text_of(l2vpn_evpn_row, mac_ip),
            "mac-ip rd 65000:1 esi 00:01:02:03:04:05:06:07:08:09 etag 7 mac 0A:0B:0C:0D:0E:0F ip "
            "10.0.0.1 label [ 1000 ]");
}

TEST(FamilyEvpn, MacIpKeyLeavesOutEsiAndLabels) {
  // RFC 7432 7.2: "The Ethernet Segment Identifier and MPLS Label1 and MPLS
  // Label2 fields are to be treated as route attributes".
  const Nlri a = from_hex(l2vpn_evpn_row, mac_ip);
  const Nlri other_esi_labels = from_hex(l2vpn_evpn_row,
                                         "02280000FDE800000001"
                                         "FFFFFFFFFFFFFFFFFFFF"
                                         "00000007"
                                         "30"
                                         "0A0B0C0D0E0F"
                                         "20"
                                         "0A000001"
                                         "000011"
                                         "000021");
  EXPECT_EQ(key_compare(a, other_esi_labels), std::strong_ordering::equal);
  EXPECT_EQ(other_esi_labels.raw.wire().size(), 42u);
  const Nlri other_mac = from_hex(l2vpn_evpn_row,
                                  "02250000FDE800000001"
                                  "00010203040506070809"
                                  "00000007"
                                  "30"
                                  "0A0B0C0D0E10"
                                  "20"
                                  "0A000001"
                                  "003E81");
  EXPECT_NE(key_compare(a, other_mac), std::strong_ordering::equal);
}

TEST(FamilyEvpn, OtherRouteTypes) {
  // Type 1, Ethernet A-D: the zero ESI is ExaBGP's "-".
  expect_json(l2vpn_evpn_row,
              "01190000FDE800000001"
              "00000000000000000000"
              "00000000"
              "003E81",
              R"({"code":1,"parsed":true,
                  "raw":"01190000FDE8000000010000000000000000000000000000003E81",
                  "name":"Ethernet Auto-Discovery","rd":"65000:1","esi":"-","ethernet-tag":0,
                  "label":[[1000,16001]]})");
  // Type 3, inclusive multicast.
  expect_json(l2vpn_evpn_row, "03110000FDE80000000100000064200A000001",
              R"({"code":3,"parsed":true,"raw":"03110000FDE80000000100000064200A000001",
                  "name":"Inclusive Multicast Ethernet Tag","rd":"65000:1","ethernet-tag":100,
                  "ip":"10.0.0.1"})");
  EXPECT_EQ(text_of(l2vpn_evpn_row, "03110000FDE80000000100000064200A000001"),
            "multicast rd 65000:1 etag 100 ip 10.0.0.1");
  // Type 4, Ethernet segment.
  expect_json(l2vpn_evpn_row, "04170000FDE80000000100010203040506070809200A000001",
              R"({"code":4,"parsed":true,"raw":"04170000FDE80000000100010203040506070809200A000001",
                  "name":"Ethernet Segment","rd":"65000:1","esi":"00:01:02:03:04:05:06:07:08:09",
                  "ip":"10.0.0.1"})");
  // Type 5, IP prefix (RFC 9136): 10.1.0.0/16 via gateway 10.0.0.254.
  const std::string prefix =
      "05220000FDE800000001"
      "00000000000000000000"
      "00000000"
      "10"
      "0A010000"
      "0A0000FE"
      "003E81";
  expect_json(l2vpn_evpn_row, prefix, R"({"code":5,"parsed":true,"raw":")" + prefix + R"(",
                  "name":"IP Prefix Advertisement","rd":"65000:1","esi":"-","ethernet-tag":0,
                  "label":[[1000,16001]],"ip":"10.1.0.0","iplen":16,"gateway":"10.0.0.254"})");
  // Unknown types are kept.
  expect_json(l2vpn_evpn_row, "0902ABCD", R"({"code":9,"parsed":false,"raw":"0902ABCD"})");
}

TEST(FamilyEvpn, ErrorsNameTheByte) {
  // A MAC length of 40 bits (byte 24).
  auto e = test::decode_error(l2vpn_evpn_row,
                              "02210000FDE800000001"
                              "00010203040506070809"
                              "00000007"
                              "28"
                              "0A0B0C0D0E0F"
                              "00"
                              "003E81");
  EXPECT_EQ(e.offset, 24u);
  EXPECT_NE(e.reason.find("MAC length 40"), std::string::npos) << e.reason;
  // An IP prefix route of 33 bytes.
  e = test::decode_error(l2vpn_evpn_row,
                         "05210000FDE800000001"
                         "00000000000000000000"
                         "00000000"
                         "10"
                         "0A010000"
                         "0A0000FE"
                         "003E");
  EXPECT_EQ(e.offset, 0u);
  // A type 1 route whose length leaves out the label: its first byte is named.
  e = test::decode_error(l2vpn_evpn_row,
                         "01160000FDE800000001"
                         "00000000000000000000"
                         "00000000");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.reason.find("MPLS label needs 3 bytes, 0 left"), std::string::npos) << e.reason;
}

// ---------------------------------------------------------------- RTC

TEST(FamilyRtc, RouteTargetConstraints) {
  // RFC 4684 4: 96 bits, origin AS 65000, route target 65000:100.
  expect_json(ipv4_rtc_row, "600000FDE80002FDE800000064",
              R"({"origin-as":65000,"route-target":"target:65000:100"})");
  EXPECT_EQ(text_of(ipv4_rtc_row, "600000FDE80002FDE800000064"),
            "rtc origin-as 65000 route-target target:65000:100");
  // A prefix of the route target: its type and sub-type only (48 bits).
  expect_json(ipv4_rtc_row, "300000FDE80002",
              R"({"origin-as":65000,"route-target":"target:0:0","length":48})");
  expect_json(ipv4_rtc_row, "00", R"({"wildcard":true})");
  auto e = test::decode_error(ipv4_rtc_row,
                              "600000FDE80002FDE800000064"
                              "1F00000000");
  EXPECT_EQ(e.offset, 13u);
  EXPECT_NE(e.reason.find("length 31"), std::string::npos) << e.reason;
  // A route target cut short (byte 5).
  e = test::decode_error(ipv4_rtc_row, "600000FDE80002FDE8");
  EXPECT_EQ(e.offset, 5u);
  EXPECT_NE(e.reason.find("route target needs 8 bytes, 4 left"), std::string::npos) << e.reason;
}

// ---------------------------------------------------------------- configuration words

// The bytes `row.from_fields` builds from `rd` and `words` ("key value..."
// separated by ';'), or its error prefixed by "error: ".
std::string built(const FamilyRow& row, std::string_view rd, std::string_view words) {
  std::vector<NlriField> fields;
  std::string all(words);
  for (std::size_t at = 0; at < all.size();) {
    const auto end = std::min(all.find(';', at), all.size());
    std::istringstream part(all.substr(at, end - at));
    NlriField f;
    part >> f.key;
    for (std::string v; part >> v;) f.values.push_back(v);
    fields.push_back(std::move(f));
    at = end + 1;
  }
  auto n = row.from_fields(RouteDistinguisher::parse(rd), fields);
  if (auto* error = std::get_if<std::string>(&n)) return "error: " + *error;
  return to_hex(std::get<Nlri>(n).raw.wire(), true);
}

TEST(FamilyRaw, ConfigurationWordsBuildWhatExabgpSends) {
  // etc/conf-mvpn.conf and the NLRI of conf-mvpn.ci.
  EXPECT_EQ(built(ipv4_mvpn_row, "65000:99999",
                  "shared-join; rp 10.99.199.1; group 239.251.255.228; source-as 65000"),
            "06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4");
  EXPECT_EQ(built(ipv4_mvpn_row, "65000:99999",
                  "source-join; source 10.99.12.2; group 239.251.255.228; source-as 65000"),
            "07160000FDE80001869F0000FDE8200A630C0220EFFBFFE4");
  EXPECT_EQ(
      built(ipv4_mvpn_row, "65000:99999", "source-ad; source 10.99.12.4; group 239.251.255.228"),
      "05120000FDE80001869F200A630C0420EFFBFFE4");
  EXPECT_EQ(
      built(ipv6_mvpn_row, "65000:99999", "source-ad; source fd12::4; group ff0e::1"),
      "052A0000FDE80001869F80FD12000000000000000000000000000480FF0E0000000000000000000000000001");
  // etc/conf-srv6-mup.conf and the NLRI of conf-srv6-mup.ci.
  EXPECT_EQ(built(ipv4_mup_row, "100:100", "mup-isd 10.0.1.0/24"),
            "0100010C0000006400000064180A0001");
  EXPECT_EQ(built(ipv4_mup_row, "100:100", "mup-dsd 10.0.0.1"), "0100020C00000064000000640A000001");
  EXPECT_EQ(built(ipv4_mup_row, "100:100",
                  "mup-t1st 192.168.0.1/32; teid 12345; qfi 9; endpoint 10.0.0.1"),
            "01000317000000640000006420C0A800010000303909200A000001");
  EXPECT_EQ(built(ipv4_mup_row, "100:100",
                  "mup-t1st 192.168.0.2/32; teid 12345; qfi 9; endpoint 10.0.0.1; source 10.0.1.1"),
            "0100031C000000640000006420C0A800020000303909200A000001200A000101");
  EXPECT_EQ(built(ipv4_mup_row, "100:100", "mup-t2st 10.0.0.1; teid 12345/32"),
            "010004110000006400000064400A00000100003039");
  EXPECT_EQ(built(ipv4_mup_row, "100:100", "mup-t2st 10.0.0.1; teid 12345/23"),
            "010004100000006400000064370A000001003039");
  EXPECT_EQ(built(ipv4_mup_row, "100:100", "mup-t2st 10.0.0.1; teid 0/0"),
            "0100040D0000006400000064200A000001");
  EXPECT_EQ(built(ipv6_mup_row, "100:100", "mup-t2st 2001::1; teid 12345/32"),
            "0100041D0000006400000064A02001000000000000000000000000000100003039");
  // etc/conf-l2vpn.conf and the NLRI of conf-l2vpn.ci.
  EXPECT_EQ(built(l2vpn_vpls_row, "192.168.201.1:123", "endpoint 5; base 10702; offset 1; size 8"),
            "00110001C0A8C901007B000500010008029CE1");
  // What is missing or wrong is named.
  EXPECT_EQ(built(ipv4_mvpn_row, "", "source-ad; source 10.0.0.1; group 239.0.0.1"),
            "error: mcast-vpn needs an rd");
  EXPECT_EQ(built(ipv4_mvpn_row, "1:1", "source 10.0.0.1; group 239.0.0.1"),
            "error: mcast-vpn needs one of source-ad, shared-join, source-join");
  EXPECT_EQ(built(ipv4_mvpn_row, "1:1", "source-ad; source ten; group 239.0.0.1"),
            "error: 'source' is not an IP address: 'ten'");
  EXPECT_EQ(built(ipv4_mup_row, "1:1", "mup-t1st 10.0.0.0/8; qfi 9; endpoint 10.0.0.1"),
            "error: 'teid' needs one value");
  EXPECT_EQ(built(l2vpn_vpls_row, "1:1", "endpoint 5; base 1048576; offset 1; size 8"),
            "error: 'base' needs a number up to 1048575, not '1048576'");
  // A value the family cannot carry: the decoder's error.
  EXPECT_EQ(built(ipv4_mup_row, "1:1", "mup-t2st 10.0.0.1; teid 1/33"),
            "error: 'teid bits' needs a number up to 32, not '33'");
  EXPECT_NE(built(ipv4_mup_row, "1:1", "mup-isd 2001:db8::/48").find("error: MUP route: prefix"),
            std::string::npos);
  // RTC (ExaBGP's announce/rtc.py words; RFC 4684 4): origin AS, route target.
  EXPECT_EQ(built(ipv4_rtc_row, "", "origin-as 65001; route-target 65001:100"),
            "600000FDE90002FDE900000064");
  EXPECT_EQ(built(ipv4_rtc_row, "", "origin-as 65001; route-target target:1.2.3.4:7"),
            "600000FDE90102010203040007");
  EXPECT_EQ(built(ipv4_rtc_row, "", "origin-as 1; route-target 4200000000:7; length 48"),
            "30000000010202");
  EXPECT_EQ(built(ipv4_rtc_row, "", "default"), "00");
  EXPECT_EQ(built(ipv4_rtc_row, "", "origin-as 1; route-target 65001"),
            "error: 'route-target' is not ASN:N, IPv4:N or 0x and 16 hex digits: '65001'");
  EXPECT_EQ(built(ipv4_rtc_row, "1:1", "default"), "error: rtc takes no rd");
  EXPECT_EQ(l2vpn_evpn_row.from_fields, nullptr);
}

TEST(FamilyRaw, RtcTextReadsBackToTheSameNlri) {
  // to_text -> words -> from_fields, for every form the row writes.
  for (const char* hex_nlri : {"600000FDE90002FDE900000064", "600000FDE90102010203040007",
                               "400000000100020000", "00", "30000000010102"}) {
    auto n = nlri_from_bytes(ipv4_rtc_row.family, hex(hex_nlri));
    ASSERT_TRUE(n.ok()) << hex_nlri;
    std::istringstream text(ipv4_rtc_row.to_text(n.value()));
    std::string kind;
    text >> kind;
    EXPECT_EQ(kind, "rtc");
    std::vector<NlriField> fields;
    for (std::string w; text >> w;) {
      if (w.find_first_of("0123456789:") == std::string::npos)
        fields.push_back({w, {}});
      else
        fields.back().values.push_back(w);
    }
    auto again = ipv4_rtc_row.from_fields(std::nullopt, fields);
    ASSERT_TRUE(std::holds_alternative<Nlri>(again))
        << ipv4_rtc_row.to_text(n.value()) << ": " << std::get<std::string>(again);
    EXPECT_EQ(to_hex(std::get<Nlri>(again).raw.wire(), true), hex_nlri);
  }
}

// ---------------------------------------------------------------- the codec entry points

TEST(FamilyRaw, FromBytesTakesOneNlri) {
  auto n = nlri_from_bytes(Family(Afi::ipv4, Safi::mcast_vpn),
                           hex("06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4"));
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(nlri_from_bytes(Family(Afi::ipv4, Safi::mcast_vpn),
                               hex("06160000FDE80001869F0000FDE8200A63C70120EFFBFFE4"
                                   "05120000FDE80001869F200A630C0420EFFBFFE4"))
                   .ok());
  EXPECT_FALSE(nlri_from_bytes(Family(1, 241), hex("00")).ok());  // no row
  EXPECT_EQ(nlri_text(Family(Afi::ipv4, Safi::mcast_vpn), *n),
            "shared-join rp 10.99.199.1 group 239.251.255.228 rd 65000:99999 source-as 65000");
}

TEST(FamilyRaw, AddPathPrecedesEachRoute) {
  Nlri n = from_hex(l2vpn_evpn_row, "03110000FDE80000000100000064200A000001");
  n.path_id = 7;
  test::expect_pair(l2vpn_evpn_row, "0000000703110000FDE80000000100000064200A000001", n, true);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  l2vpn_evpn_row.to_json(n, out);
  EXPECT_EQ(out["path-information"], "0.0.0.7");
}

// ---------------------------------------------------------------- attributes

nlohmann::json attribute_json(const RawAttribute& a) {
  PathAttributes attributes;
  attributes.other.push_back(a);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  attributes_to_json(attributes, DecodeContext{}, out);
  return nlohmann::json::parse(out.dump());
}

TEST(PrefixSid, LabelIndexAndSrgbs) {
  // conf-prefix-sid.ci: "bgp-prefix-sid [ 300, [ ( 800000,4096 ) ( 1000000,5000 ) ] ]".
  Bytes value;
  Writer w(value);
  prefix_sid::label_index(w, 300);
  prefix_sid::originator_srgb(w, {{800000, 4096}, {1000000, 5000}});
  EXPECT_EQ(value, hex("0100070000000000012C03000E00000C35000010000F4240001388"));
  EXPECT_EQ(
      attribute_json(prefix_sid::attribute(value)),
      nlohmann::json::parse(
          R"({"bgp-prefix-sid":{"sr-label-index":300,"sr-srgbs":[[800000,4096],[1000000,5000]]}})"));
}

TEST(PrefixSid, Srv6L3ServiceWithStructure) {
  // conf-srv6-mup.ci: an L3 service, SID 2001:db8:1:1::, behavior 72, structure 64/24/16/0/0/0.
  Bytes value;
  Writer w(value);
  prefix_sid::srv6_service(w, false, *IpAddress::parse("2001:db8:1:1::"), 72,
                           std::array<std::uint8_t, 6>{64, 24, 16, 0, 0, 0});
  EXPECT_EQ(value, hex("0500220001001e0020010db80001000100000000000000000000480001000640181000"
                       "0000"));
  EXPECT_EQ(attribute_json(prefix_sid::attribute(value)), nlohmann::json::parse(R"(
      {"bgp-prefix-sid":{"l3-service":[{"sid":"2001:db8:1:1::","flags":0,"endpoint_behavior":72,
       "structure":{"locator-block-length":64,"locator-node-length":24,"function-length":16,
                    "argument-length":0,"transposition-length":0,"transposition-offset":0}}]}})"));
  // An L2 service without a structure.
  Bytes l2;
  Writer w2(l2);
  prefix_sid::srv6_service(w2, true, *IpAddress::parse("2001:db8::1"), 21, std::nullopt);
  EXPECT_EQ(attribute_json(prefix_sid::attribute(l2)), nlohmann::json::parse(R"(
      {"bgp-prefix-sid":{"l2-service":[{"sid":"2001:db8::1","flags":0,"endpoint_behavior":21}]}})"));
  // A sub-TLV this build does not know: the attribute is shown as bytes.
  const auto unknown = attribute_json(prefix_sid::attribute(hex("05000400070000")));
  EXPECT_TRUE(unknown.contains("attribute-0x28-0xC0")) << unknown.dump();
}

TEST(PmsiTunnel, AsExabgpShowsIt) {
  // RFC 6514 5: flags, type 6 (ingress replication), label 1000, tunnel 10.0.0.1.
  EXPECT_EQ(attribute_json(RawAttribute{0xC0, 22, hex("0006003E810A000001")}),
            nlohmann::json::parse(R"({"pmsi":"pmsi:ingressreplication:0:1000(16001):10.0.0.1"})"));
  EXPECT_EQ(attribute_json(RawAttribute{0xC0, 22, hex("0100000000")}),
            nlohmann::json::parse(R"({"pmsi":"pmsi:notunnel:1:0:"})"));
  EXPECT_EQ(attribute_json(RawAttribute{0xC0, 22, hex("0003000000ABCD")}),
            nlohmann::json::parse(R"({"pmsi":"pmsi:pim-ssmtree:0:0:0xABCD"})"));
  EXPECT_TRUE(attribute_json(RawAttribute{0xC0, 22, hex("0006")}).contains("attribute-0x16-0xC0"));
}

// ---------------------------------------------------------------- properties

const std::vector<const FamilyRow*> raw_rows{&ipv4_mvpn_row, &ipv6_mvpn_row,  &ipv4_mup_row,
                                             &ipv6_mup_row,  &l2vpn_vpls_row, &l2vpn_evpn_row,
                                             &ipv4_rtc_row};

RC_GTEST_PROP(FamilyRaw, RoundTrip, ()) { test::check_round_trip(**rc::gen::elementOf(raw_rows)); }

RC_GTEST_PROP(FamilyRaw, ArbitraryBytes, ()) {
  test::check_arbitrary_bytes(**rc::gen::elementOf(raw_rows));
}

// Rendering any route built from bytes never fails, and JSON names its bytes.
RC_GTEST_PROP(FamilyRaw, EveryRouteRenders, ()) {
  const FamilyRow& row = **rc::gen::elementOf(raw_rows);
  const Nlri n = *gen::raw_nlri(row, false);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  row.to_json(n, out);
  RC_ASSERT(!out.empty());
  RC_ASSERT(!row.to_text(n).empty());
  if (out.contains("raw")) RC_ASSERT(out["raw"] == to_hex(n.raw.wire(), true));
}

}  // namespace
}  // namespace bgpsim::wire
