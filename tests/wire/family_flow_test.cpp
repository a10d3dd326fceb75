// Flow specification, SAFI 133 "flow" and 134 "flow-vpn" (RFC 8955, RFC
// 8956): NLRI pairs both ways for every component type and operator form
// (several from ExaBGP's conf-flow.ci and conf-flow-redirect.ci), the
// two-byte length, the JSON and text ExaBGP prints, malformed NLRI with the
// byte they name, and the round-trip and arbitrary-bytes properties.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"
#include "tests/wire/family_check.hpp"
#include "tests/wire/flow_text.hpp"
#include "tests/wire/gen_flow.hpp"

namespace bgpsim::wire {
namespace {

using test::decode_error;
using test::expect_pair;
using test::hex;

const Family flow4(Afi::ipv4, Safi::flow);
const Family flow6(Afi::ipv6, Safi::flow);
const Family flow4_vpn(Afi::ipv4, Safi::flow_vpn);
const Family flow6_vpn(Afi::ipv6, Safi::flow_vpn);

FlowComponent prefix(std::uint8_t type, std::string_view text, std::uint8_t offset = 0) {
  FlowComponent c;
  c.type = type;
  c.prefix = *IpPrefix::parse(text);
  c.offset = offset;
  return c;
}

FlowComponent ops(std::uint8_t type, std::vector<FlowOp> pairs) {
  FlowComponent c;
  c.type = type;
  c.ops = std::move(pairs);
  return c;
}

Nlri flow(std::vector<FlowComponent> components) {
  Nlri n;
  n.flow = std::move(components);
  return n;
}

std::string json_of(const FamilyRow& row, const Nlri& n) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  row.to_json(n, j);
  return j.dump();
}

TEST(FamilyFlow, RowsAreInTheTable) {
  EXPECT_EQ(family_row(flow4), &ipv4_flow_row);
  EXPECT_EQ(family_row(flow6), &ipv6_flow_row);
  EXPECT_EQ(family_row(flow4_vpn), &ipv4_flow_vpn_row);
  EXPECT_EQ(family_row(flow6_vpn), &ipv6_flow_vpn_row);
  EXPECT_TRUE(ipv4_flow_row.flow && !ipv4_flow_row.rd && !ipv4_flow_row.labels);
  EXPECT_TRUE(ipv6_flow_vpn_row.flow && ipv6_flow_vpn_row.rd);
  // RFC 8955 4: no next hop needed; ExaBGP sends one of the family when configured.
  EXPECT_TRUE(next_hop_length_allowed(flow4, 0, DecodeContext{}));
  EXPECT_TRUE(next_hop_length_allowed(flow4, 4, DecodeContext{}));
  EXPECT_FALSE(next_hop_length_allowed(flow4, 16, DecodeContext{}));
  EXPECT_TRUE(next_hop_length_allowed(flow6, 16, DecodeContext{}));
}

TEST(FamilyFlow, PrefixComponents) {
  // conf-flow.ci: destination-ipv4 192.168.0.1/32.
  expect_pair(ipv4_flow_row, "060120C0A80001", flow({prefix(1, "192.168.0.1/32")}));
  // source-ipv4 10.0.0.0/24: three bytes of prefix.
  expect_pair(ipv4_flow_row, "0502180A0000", flow({prefix(2, "10.0.0.0/24")}));
  // A /0 has no prefix bytes.
  expect_pair(ipv4_flow_row, "020100", flow({prefix(1, "0.0.0.0/0")}));
  // Bits past the length are cleared on decoding (one canonical value).
  EXPECT_EQ(test::decode_field(ipv4_flow_row, hex("0502170A0001")),
            std::vector<Nlri>{flow({prefix(2, "10.0.0.0/23")})});
}

TEST(FamilyFlow, Ipv6PrefixesWithOffsets) {
  // conf-flow.ci: destination-ipv6 2a02:b80:15::7aca:39ff:feae:a87a/128/0 and
  // source-ipv6 ::1/128/120, the whole prefix written whatever the offset.
  expect_pair(ipv6_flow_row,
              "2601800020010DB8000000000000000000000001"
              "02807800000000000000000000000000000001",
              flow({prefix(1, "2001:db8::1/128"), prefix(2, "::1/128", 120)}));
  expect_pair(ipv6_flow_row, "0701200820010DB8", flow({prefix(1, "2001:db8::/32", 8)}));
}

TEST(FamilyFlow, NumericOperators) {
  // protocol =tcp: e=1, len 1 byte, eq.
  expect_pair(ipv4_flow_row, "03038106", flow({ops(3, {{0x01, 6}})}));
  // destination-port =3128: len 2 bytes (0x10).
  expect_pair(ipv4_flow_row, "0405910C38", flow({ops(5, {{0x11, 3128}})}));
  // packet-length >200&<300 >400&<500 (conf-flow.ci): gt, and+lt, gt, and+lt.
  expect_pair(ipv4_flow_row, "0C0A02C854012C120190D401F4",
              flow({ops(10, {{0x02, 200}, {0x54, 300}, {0x12, 400}, {0x54, 500}})}));
  // source-port !=80 !=8080: lt|gt.
  expect_pair(ipv4_flow_row,
              "0606065096"
              "1F90",
              flow({ops(6, {{0x06, 80}, {0x16, 8080}})}));
  // Four- and eight-byte values (len 0x20, 0x30), and <= / >=.
  expect_pair(ipv6_flow_row, "060DA5000007DD", flow({ops(13, {{0x25, 2013}})}));
  expect_pair(ipv4_flow_row, "0A0AB30000000100000000", flow({ops(10, {{0x33, 0x100000000ull}})}));
  // Always true and always false carry a value too (it is ignored).
  expect_pair(ipv4_flow_row,
              "05040700"
              "8000",
              flow({ops(4, {{0x07, 0}, {0x00, 0}})}));
  // A reserved bit travels as received.
  expect_pair(ipv4_flow_row, "030B8901", flow({ops(11, {{0x09, 1}})}));
}

TEST(FamilyFlow, BitmaskOperators) {
  // tcp-flags [ syn rst&fin&!=push ] (conf-flow.ci).
  expect_pair(ipv4_flow_row,
              "090900020004"
              "4001C308",
              flow({ops(9, {{0x00, 2}, {0x00, 4}, {0x40, 1}, {0x43, 8}})}));
  // fragment last-fragment; tcp-flags on two bytes (ns).
  expect_pair(ipv4_flow_row, "030C8008", flow({ops(12, {{0x00, 8}})}));
  expect_pair(ipv4_flow_row, "0409910100", flow({ops(9, {{0x11, 0x100}})}));
}

TEST(FamilyFlow, EveryComponentTypeInOneNlri) {
  // conf-flow-redirect.ci: twelve IPv4 component types, in order.
  const std::string bytes =
      "4C0120C0A8000102200A0000010301068111040150911F9005121F90541F98910C380692040007010301088100"
      "080101810009002080040A02C854012C120190D401F40B010A81140C00048008";
  const auto nlri = test::decode_field(ipv4_flow_row, hex(bytes));
  ASSERT_EQ(nlri.size(), 1u);
  ASSERT_EQ(nlri[0].flow.size(), 12u);
  EXPECT_EQ(test::encode_field(ipv4_flow_row, nlri), hex(bytes));
  EXPECT_EQ(
      json_of(ipv4_flow_row, nlri[0]),
      R"({"destination-ipv4":["192.168.0.1/32"],"source-ipv4":["10.0.0.1/32"],)"
      R"("protocol":["=tcp","=udp"],"port":["=80","=8080"],"destination-port":[">8080&<8088","=3128"],)"
      R"("source-port":[">1024"],"icmp-type":["=unreachable","=echo-request","=echo-reply"],)"
      R"("icmp-code":["=1","=0"],"tcp-flags":["urg","rst"],"packet-length":[">200&<300",">400&<500"],)"
      R"("dscp":["=10","=20"],"fragment":["first-fragment","last-fragment"],)"
      R"("string":"flow destination-ipv4 192.168.0.1/32 source-ipv4 10.0.0.1/32 protocol [ =tcp =udp ] )"
      R"(port [ =80 =8080 ] destination-port [ >8080&<8088 =3128 ] source-port >1024 icmp-type )"
      R"([ =unreachable =echo-request =echo-reply ] icmp-code [ =1 =0 ] tcp-flags [ urg rst ] )"
      R"(packet-length [ >200&<300 >400&<500 ] dscp [ =10 =20 ] fragment [ first-fragment )"
      R"(last-fragment ]"})");
}

TEST(FamilyFlow, Ipv6ComponentNamesAndText) {
  // conf-flow.ci's IPv6 route: next-header, traffic-class, flow-label.
  const auto n =
      flow({prefix(1, "2a02:b80:15:0:7aca:39ff:feae:a87a/128"), prefix(2, "::1/128", 120),
            ops(3, {{0x01, 17}}), ops(11, {{0x01, 101}}), ops(13, {{0x11, 2013}})});
  EXPECT_EQ(json_of(ipv6_flow_row, n),
            R"({"destination-ipv6":["2a02:b80:15:0:7aca:39ff:feae:a87a/128/0"],)"
            R"("source-ipv6":["::1/128/120"],"next-header":["=udp"],"traffic-class":["=101"],)"
            R"("flow-label":["=2013"],"string":"flow destination-ipv6 )"
            R"(2a02:b80:15:0:7aca:39ff:feae:a87a/128/0 source-ipv6 ::1/128/120 next-header =udp )"
            R"(traffic-class =101 flow-label =2013"})");
  EXPECT_EQ(nlri_text(flow6, n),
            "destination-ipv6 2a02:b80:15:0:7aca:39ff:feae:a87a/128/0 source-ipv6 ::1/128/120 "
            "next-header =udp traffic-class =101 flow-label =2013");
}

TEST(FamilyFlow, OperatorTextAsExabgpPrintsIt) {
  auto text = [](std::vector<FlowComponent> c) { return nlri_text(flow4, flow(std::move(c))); };
  EXPECT_EQ(text({ops(3, {{0x07, 0}})}), "protocol true");
  EXPECT_EQ(text({ops(3, {{0x00, 0}})}), "protocol false");
  EXPECT_EQ(text({ops(3, {{0x03, 250}})}), "protocol >=250");
  EXPECT_EQ(text({ops(5, {{0x05, 1024}, {0x06, 80}})}), "destination-port [ <=1024 !=80 ]");
  // Reserved bits: the operator in hex, as ExaBGP falls back to.
  EXPECT_EQ(text({ops(11, {{0x09, 1}})}), "dscp 091");
  // Bitmask: not, match, and; named bits joined by '+', unknown ones named so.
  EXPECT_EQ(text({ops(9, {{0x02, 0x12}})}), "tcp-flags !syn+ack");
  EXPECT_EQ(text({ops(9, {{0x01, 0x201}})}), "tcp-flags =fin+unknown tcp flag type 513");
  EXPECT_EQ(text({ops(12, {{0x03, 1}, {0x40, 2}})}), "fragment [ !=dont-fragment&is-fragment ]");
  EXPECT_EQ(text({ops(3, {{0x01, 200}})}), "protocol =200");
}

TEST(FamilyFlow, FlowVpnCarriesARouteDistinguisher) {
  // conf-flow.ci: flow-vpn source-ipv4 10.0.0.1/32 rd 65535:65536.
  Nlri n = flow({prefix(2, "10.0.0.1/32")});
  n.rd = *RouteDistinguisher::parse("65535:65536");
  expect_pair(ipv4_flow_vpn_row, "0E0000FFFF0001000002200A000001", n);
  EXPECT_EQ(json_of(ipv4_flow_vpn_row, n),
            R"({"source-ipv4":["10.0.0.1/32"],"rd":"65535:65536",)"
            R"("string":"flow source-ipv4 10.0.0.1/32 rd 65535:65536"})");
  Nlri v6 = flow({ops(3, {{0x01, 6}})});
  v6.rd = *RouteDistinguisher::parse("1.2.3.4:5");
  expect_pair(ipv6_flow_vpn_row,
              "0B000101020304000503"
              "8106",
              v6);
}

TEST(FamilyFlow, PathIdentifier) {
  Nlri n = flow({ops(3, {{0x01, 6}})});
  n.path_id = 7;
  expect_pair(ipv4_flow_row,
              "00000007"
              "03038106",
              n, true);
}

TEST(FamilyFlow, TwoByteLengthFrom240) {
  // RFC 8955 4.1: 240 bytes and more take two bytes, 0xF in the top nibble.
  FlowComponent port = ops(4, {});
  for (int i = 0; i < 120; ++i) port.ops.push_back({0x01, static_cast<std::uint64_t>(i)});
  const Nlri n = flow({port});  // 1 + 120 * 2 = 241 bytes
  std::string bytes =
      "F0F1"
      "04";
  for (int i = 0; i < 120; ++i) bytes += fmt::format("{:02X}{:02X}", i == 119 ? 0x81 : 0x01, i);
  expect_pair(ipv4_flow_row, bytes, n);
  // One less operator: 239 bytes, one length byte.
  Nlri shorter = n;
  shorter.flow[0].ops.pop_back();
  EXPECT_EQ(ipv4_flow_row.size(shorter, false), 1u + 239u);
}

TEST(FamilyFlow, MalformedNlriNameTheByte) {
  // RFC 8955 4.2: types in strictly increasing order. Type 1 after type 2,
  // at byte 7; the same type twice.
  auto e = decode_error(ipv4_flow_row, "0C02200A0000010120C0A80001");
  EXPECT_EQ(e.offset, 7u);
  EXPECT_NE(e.reason.find("types must increase"), std::string::npos) << e.reason;
  EXPECT_EQ(e.subcode, 10);
  EXPECT_EQ(decode_error(ipv4_flow_row, "0603810603 8111").offset, 4u);
  // Unknown types: 14 anywhere, 13 (flow label) in IPv4.
  EXPECT_EQ(decode_error(ipv4_flow_row, "030E8101").offset, 1u);
  EXPECT_EQ(decode_error(ipv4_flow_row, "030D8101").offset, 1u);
  EXPECT_EQ(decode_error(ipv4_flow_row, "03008101").offset, 1u);
  // A component without its end-of-list operator: named at the component.
  e = decode_error(ipv4_flow_row, "03030106");
  EXPECT_EQ(e.offset, 1u);
  EXPECT_NE(e.reason.find("end-of-list"), std::string::npos) << e.reason;
  // A two-byte value cut short, named at its operator.
  EXPECT_EQ(decode_error(ipv4_flow_row, "03059101").offset, 2u);
  // Lengths: past the field; two bytes for less than 240.
  EXPECT_EQ(decode_error(ipv4_flow_row, "0501200A").offset, 0u);
  EXPECT_EQ(decode_error(ipv4_flow_row,
                         "03038106"
                         "F00303"
                         "8106")
                .offset,
            4u);
  EXPECT_EQ(decode_error(ipv4_flow_row, "F0").offset, 0u);
  // Prefixes: /33 in IPv4; an IPv6 offset past the length; bytes missing.
  EXPECT_EQ(decode_error(ipv4_flow_row, "0301210A").offset, 1u);
  EXPECT_EQ(decode_error(ipv6_flow_row, "0401081020").offset, 1u);
  EXPECT_EQ(decode_error(ipv4_flow_row, "0301200A").offset, 1u);
  // flow-vpn: too short for the route distinguisher.
  EXPECT_EQ(decode_error(ipv4_flow_vpn_row, "0400000000").offset, 0u);
}

TEST(FamilyFlow, InvalidValuesAreNamedBeforeEncoding) {
  EXPECT_EQ(ipv4_flow_row.invalid(flow({ops(3, {{0x01, 6}})})), std::nullopt);
  EXPECT_TRUE(ipv4_flow_row.invalid(flow({ops(3, {{0x01, 256}})})));  // 1-byte value
  EXPECT_TRUE(ipv4_flow_row.invalid(flow({ops(5, {{0x01, 1}}), ops(3, {{0x01, 6}})})));
  EXPECT_TRUE(ipv4_flow_row.invalid(flow({ops(13, {{0x01, 1}})})));  // IPv6 only
  EXPECT_TRUE(ipv4_flow_row.invalid(flow({ops(3, {})})));
  EXPECT_TRUE(ipv4_flow_row.invalid(flow({prefix(1, "2001:db8::/32")})));
  EXPECT_TRUE(ipv6_flow_row.invalid(flow({prefix(1, "2001:db8::/32", 33)})));
  FlowComponent big = ops(4, {});
  for (int i = 0; i < 2100; ++i) big.ops.push_back({0x01, 1});
  EXPECT_TRUE(ipv4_flow_row.invalid(flow({big})));  // past 4095 bytes
}

TEST(FamilyFlow, RouteKeyIsTheComponents) {
  const Nlri a = flow({ops(3, {{0x01, 6}})});
  const Nlri b = flow({ops(3, {{0x01, 17}})});
  EXPECT_NE(key_compare(a, b), std::strong_ordering::equal);
  EXPECT_EQ(key_compare(a, a), std::strong_ordering::equal);
}

TEST(FamilyFlow, UpdateRendersAsExabgp) {
  // conf-flow.ci: an empty next hop ("no-nexthop"), and the rate-limit action.
  const Bytes msg = hex(
      "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00450200 00002E4001010040020040050400000064C010088006000046"
      "160000800E1200018500000C02180A000003810605910C38");
  auto decoded = decode_message(msg, DecodeContext{});
  ASSERT_TRUE(decoded.ok()) << decoded.error().reason;
  const auto j = to_json(*decoded, DecodeContext{}, JsonEnvelope{});
  const auto& update = j["neighbor"]["message"]["update"];
  EXPECT_EQ(update["attribute"]["extended-community"][0]["string"], "rate-limit:9600");
  EXPECT_EQ(update["announce"]["ipv4 flow"]["no-nexthop"][0]["string"],
            "flow source-ipv4 10.0.0.0/24 protocol =tcp destination-port =3128");
}

RC_GTEST_PROP(FamilyFlow, RoundTrip, ()) {
  test::check_round_trip(**rc::gen::elementOf(std::vector<const FamilyRow*>{
      &ipv4_flow_row, &ipv6_flow_row, &ipv4_flow_vpn_row, &ipv6_flow_vpn_row}));
}

RC_GTEST_PROP(FamilyFlow, ArbitraryBytes, ()) {
  test::check_arbitrary_bytes(**rc::gen::elementOf(std::vector<const FamilyRow*>{
      &ipv4_flow_row, &ipv6_flow_row, &ipv4_flow_vpn_row, &ipv6_flow_vpn_row}));
}

// The row's text of a flow NLRI (ExaBGP's API words) parses back to the same
// NLRI with from_fields, for the NLRI that text can say: reserved operator
// bits clear, values in the fewest bytes, no value on a lone true/false,
// known bits of the bitmask types, and a route distinguisher of type 0.
TEST(FamilyFlow, ComponentNamesOfBothFamilies) {
  const auto names = flow_component_names();
  EXPECT_EQ(names.size(), 17u);  // types 1-12 of each family, shared names once, flow label
  for (std::string_view name : {"destination-ipv4", "source-ipv6", "next-header", "traffic-class",
                                "flow-label", "fragment"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
}

RC_GTEST_PROP(FamilyFlow, TextRoundTrip, ()) {
  const FamilyRow& row = **rc::gen::elementOf(std::vector<const FamilyRow*>{
      &ipv4_flow_row, &ipv6_flow_row, &ipv4_flow_vpn_row, &ipv6_flow_vpn_row});
  Nlri n = *gen::flow_nlri(row, false);
  n.rd.type = 0;
  for (auto& c : n.flow) {
    const bool bitmask = c.type == 9 || c.type == 12;
    for (std::size_t i = 0; i < c.ops.size(); ++i) {
      auto& o = c.ops[i];
      o.op &= bitmask ? 0x43 : 0x47;  // the AND bit and the operator bits
      if (i == 0) o.op &= 0x3F;       // the first term is not ANDed
      if (bitmask) o.value = (o.value & (c.type == 9 ? 0x1FF : 0x0F)) | (c.type == 9 ? 0x02 : 0x01);
      const bool constant = (o.op & 0x07) == 0 || (o.op & 0x07) == 0x07;  // false, true
      if (!bitmask && constant && !(o.op & 0x40)) o.value = 0;
      if (!bitmask && constant && (o.op & 0x40)) o.op = 0x41;  // "&true5" is not a term: &=5
      const std::uint8_t length = o.value <= 0xFF         ? 0x00
                                  : o.value <= 0xFFFF     ? 0x10
                                  : o.value <= 0xFFFFFFFF ? 0x20
                                                          : 0x30;
      o.op |= length;
    }
  }
  const std::string text = row.to_text(n);
  const auto words = test::flow_words(text);
  if (n.flow.empty()) return;  // no words: from_fields asks for a match
  auto again = row.from_fields(words.rd, words.fields);
  RC_ASSERT(std::holds_alternative<Nlri>(again));
  RC_ASSERT(std::get<Nlri>(again) == n);
}

}  // namespace
}  // namespace bgpsim::wire
