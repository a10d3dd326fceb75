// OPEN and capabilities: (bytes, value, JSON) triples checked both ways, the
// NOTIFICATION each malformed OPEN implies (code, subcode, offset), and
// properties: decode(encode(x)) == x, and no input bytes crash the decoder.
// Byte strings come from real sessions (tcpdump's BGP captures, a GoBGP session).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "speaker/wire/json.hpp"
#include "speaker/wire/open.hpp"
#include "tests/wire/gen_open.hpp"

namespace bgpsim::wire {
namespace {

Bytes hex(std::string_view h) { return *parse_hex(h); }

Result<Open> open_of(const Bytes& body) { return decode_open(Reader(body, header_size)); }

Bytes encode(const Open& o) {
  Bytes out;
  Writer w(out);
  encode_open_body(o, w);
  return out;
}

Bytes encode(const Capability& c) {
  Bytes out;
  Writer w(out);
  encode_capability(c, w);
  return out;
}

// A capability TLV (code, length, value) decoded the way decode_open does.
Result<Capability> decode_tlv(const Bytes& tlv, std::size_t base = 0) {
  Reader r(tlv, base);
  auto code = *r.u8();
  auto length = *r.u8();
  return decode_capability(code, *r.sub(length));
}

// --- Capabilities ------------------------------------------------------------

struct CapabilityCase {
  const char* name;
  const char* tlv;
  Capability value;
  const char* json;
};

const Family ipv4_mpls_vpn{Afi::ipv4, Safi::mpls_vpn};

std::vector<CapabilityCase> capability_cases() {
  using namespace cap;
  return {
      {"multiprotocol", "0104 0001 0001", Multiprotocol{ipv4_unicast},
       R"({"name":"multiprotocol","families":["ipv4/unicast"]})"},
      {"multiprotocol vpn", "0104 0001 0080", Multiprotocol{ipv4_mpls_vpn},
       R"({"name":"multiprotocol","families":["ipv4/mpls-vpn"]})"},
      {"route refresh", "0200", cap::RouteRefresh{}, R"({"name":"route-refresh","variant":"RFC"})"},
      {"cisco route refresh", "8000", cap::RouteRefresh{route_refresh_cisco},
       R"({"name":"route-refresh","variant":"Cisco"})"},
      {"extended next hop", "0506 0001 0001 0002", ExtendedNextHop{{{ipv4_unicast, 2}}},
       R"({"name":"nexthop","conversion":["ipv4/unicast/ipv6"]})"},
      {"extended message", "0600", ExtendedMessage{},
       R"({"name":"extended-message","size":65535})"},
      {"graceful restart with N bit", "4006 403C 0001 0180",
       GracefulRestart{false, true, 60, {{ipv4_unicast, true}}},
       R"({"name":"graceful restart","time":60,"address-family-flags":{"ipv4/unicast":["restart"]},"restart-flags":["notification"]})"},
      {"graceful restart R and N, no family", "4002 C12C", GracefulRestart{true, true, 300, {}},
       R"({"name":"graceful restart","time":300,"address-family-flags":{},"restart-flags":["forwarding","notification"]})"},
      {"graceful restart, forwarding not kept", "400A 0078 0001 0100 0002 0180",
       GracefulRestart{false, false, 120, {{ipv4_unicast, false}, {ipv6_unicast, true}}},
       R"({"name":"graceful restart","time":120,"address-family-flags":{"ipv4/unicast":[],"ipv6/unicast":["restart"]},"restart-flags":[]})"},
      {"4-byte asn", "4104 A4C46652", FourOctetAsn{2764334674u},
       R"({"name":"asn4","asn4":2764334674})"},
      {"add-path", "4508 0001 0101 0002 0103",
       AddPath{{{ipv4_unicast, AddPath::receive}, {ipv6_unicast, AddPath::both}}},
       R"({"name":"addpath","ipv4/unicast":"receive","ipv6/unicast":"send/receive"})"},
      {"enhanced route refresh", "4600", EnhancedRouteRefresh{},
       R"({"name":"enhanced-route-refresh"})"},
      {"long-lived graceful restart", "470E 0001 0180 000168 0002 0100 000E10",
       LongLivedGracefulRestart{{{ipv4_unicast, 0x80, 360}, {ipv6_unicast, 0, 3600}}},
       R"({"name":"long-lived graceful restart","address-family":{"ipv4/unicast":{"forwarding":true,"stale-time":360},"ipv6/unicast":{"forwarding":false,"stale-time":3600}}})"},
      {"long-lived graceful restart, empty", "4700", LongLivedGracefulRestart{},
       R"({"name":"long-lived graceful restart","address-family":{}})"},
      {"hostname", "4904 02766D 00", Fqdn{"vm", ""}, R"({"host-name":"vm","domain-name":""})"},
      {"hostname and domain", "4911 0F 65786974312D64656269616E2D3131 00",
       Fqdn{"exit1-debian-11", ""}, R"({"host-name":"exit1-debian-11","domain-name":""})"},
      {"software version", "4B0D 0C 4578614247502F352E302E30", SoftwareVersion{"ExaBGP/5.0.0"},
       R"({"software":"ExaBGP/5.0.0"})"},
      {"link-local next hop", "4D00", LinkLocalNextHop{}, R"({"name":"link-local-nexthop"})"},
      {"cisco multisession", "8301 01", Multisession{multisession, {1}},
       R"({"name":"multisession","variant":"Cisco","capabilities":["multiprotocol"]})"},
      {"draft multisession", "4401 01", Multisession{68, {1}},
       R"({"name":"multisession","variant":"RFC","capabilities":["multiprotocol"]})"},
      {"operational", "B900", Operational{}, R"({"name":"operational"})"},
      {"multiple labels, unknown to us", "0804 00010407", Unknown{8, hex("00010407")},
       R"({"name":"unknown","iana":"unknown","value":8,"raw":"00010407"})"},
      {"private use", "FE02 ABCD", Unknown{254, hex("ABCD")},
       R"({"name":"unknown","iana":"reserved","value":254,"raw":"ABCD"})"},
  };
}

TEST(Capability, BytesAndValuesBothWays) {
  for (const auto& c : capability_cases()) {
    SCOPED_TRACE(c.name);
    Bytes tlv = hex(c.tlv);
    auto decoded = decode_tlv(tlv);
    ASSERT_TRUE(decoded) << decoded.error().reason;
    EXPECT_EQ(*decoded, c.value);
    EXPECT_EQ(encode(c.value), tlv);
    EXPECT_EQ(capability_code(c.value), tlv[0]);
    EXPECT_EQ(capability_to_json(c.value), Json::parse(c.json)) << capability_to_json(c.value);
  }
}

TEST(Capability, NamesComeFromTheTable) {
  EXPECT_EQ(capability_name(cap::multiprotocol), "multiprotocol");
  EXPECT_EQ(capability_name(cap::four_octet_asn), "asn4");
  EXPECT_EQ(capability_name(cap::route_refresh_cisco), "cisco-route-refresh");
  EXPECT_EQ(capability_name(99), "unknown");
}

TEST(Capability, MultiprotocolReservedByteIsIgnored) {
  // RFC 4760 8: "SHOULD be set to 0 by the sender and ignored by the receiver".
  auto decoded = decode_tlv(hex("0104 0002 FF01"));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, Capability(cap::Multiprotocol{ipv6_unicast}));
}

struct MalformedCase {
  const char* name;
  const char* tlv;
  std::size_t offset;  // with the TLV at offset 100
};

TEST(Capability, MalformedValuesAreOpenMessageErrors) {
  const std::vector<MalformedCase> cases{
      {"multiprotocol too short", "0103 000100", 102},
      {"multiprotocol too long", "0105 0001000100", 102},
      {"route refresh with a value", "0201 00", 102},
      {"extended message with a value", "0601 00", 102},
      {"extended next hop not a multiple of 6", "0504 00010001", 102},
      {"extended next hop SAFI over 255", "0506 0001 0101 0002", 104},
      {"graceful restart too short", "4001 00", 102},
      {"graceful restart family cut", "4005 0078 000101", 102},
      {"asn4 too short", "4102 0001", 102},
      {"asn4 too long", "4105 0000000100", 102},
      {"add-path cut", "4503 000101", 102},
      {"llgr cut", "4706 000101800000", 102},
      {"hostname empty", "4900", 102},
      {"hostname overruns", "4903 05 6162", 103},
      {"hostname without domain length", "4902 01 61", 104},
      {"hostname domain overruns", "4904 01 61 02 62", 105},
      {"hostname trailing bytes", "4904 01 61 00 FF", 105},
      {"software version empty", "4B00", 102},
      {"software version overruns", "4B02 05 61", 103},
      {"software version trailing bytes", "4B03 01 61 62", 104},
      {"enhanced route refresh with a value", "4601 00", 102},
      {"link-local next hop with a value", "4D01 00", 102},
      {"operational with a value", "B901 00", 102},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto decoded = decode_tlv(hex(c.tlv), 100);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, static_cast<std::uint8_t>(NotifyCode::open_message));
    EXPECT_EQ(decoded.error().subcode, open_error::unspecific);
    EXPECT_EQ(decoded.error().offset, c.offset);
  }
}

TEST(Capability, OverlongValuesAreCutToKeepFraming) {
  // A value over 255 bytes cannot be said in the one-byte length (RFC 5492 4).
  Bytes out = encode(cap::Unknown{200, Bytes(300, 0xAA)});
  ASSERT_EQ(out.size(), 2u + 255u);
  EXPECT_EQ(out[1], 255);
}

// --- OPEN --------------------------------------------------------------------

// GoBGP 3.10: each capability in its own parameter.
const char* gobgp_open =
    "04 FDED 00B4 0A000005 1C"
    "02 06 0104 0001 0001"
    "02 06 0104 0002 0001"
    "02 06 4104 0000FDED"
    "02 02 0600";

TEST(Open, GoBgpOpenBothWays) {
  Bytes body = hex(gobgp_open);
  Open expected;
  expected.my_as = 65005;
  expected.hold_time_s = 180;
  expected.bgp_identifier = 0x0A000005;
  expected.capability_parameters = {{cap::Multiprotocol{ipv4_unicast}},
                                    {cap::Multiprotocol{ipv6_unicast}},
                                    {cap::FourOctetAsn{65005}},
                                    {cap::ExtendedMessage{}}};
  auto decoded = open_of(body);
  ASSERT_TRUE(decoded) << decoded.error().reason;
  EXPECT_EQ(*decoded, expected);
  EXPECT_EQ(encode(expected), body);
  EXPECT_EQ(decoded->asn(), 65005u);
  EXPECT_EQ(decoded->capabilities().size(), 4u);
  EXPECT_EQ(open_to_json(*decoded), Json::parse(R"({
    "version": 4, "asn": 65005, "hold_time": 180, "router_id": "10.0.0.5",
    "capabilities": {
      "1": {"name": "multiprotocol", "families": ["ipv4/unicast", "ipv6/unicast"]},
      "65": {"name": "asn4", "asn4": 65005},
      "6": {"name": "extended-message", "size": 65535}}})"));
}

// GoBGP again, all capabilities in one parameter, with hostname and RFC 8950.
TEST(Open, SeveralCapabilitiesInOneParameter) {
  Bytes body =
      hex("04 FDE8 005A 0A000001 1E"
          "02 1C 0200 4904 02766D00 0104 00010001 4104 0000FDE8 0506 0001 0001 0002");
  auto decoded = open_of(body);
  ASSERT_TRUE(decoded) << decoded.error().reason;
  ASSERT_EQ(decoded->capability_parameters.size(), 1u);
  EXPECT_EQ(decoded->capability_parameters[0],
            (std::vector<Capability>{cap::RouteRefresh{}, cap::Fqdn{"vm", ""},
                                     cap::Multiprotocol{ipv4_unicast}, cap::FourOctetAsn{65000},
                                     cap::ExtendedNextHop{{{ipv4_unicast, 2}}}}));
  EXPECT_FALSE(decoded->extended_parameters);
  EXPECT_EQ(encode(*decoded), body);
  EXPECT_EQ(open_to_json(*decoded), Json::parse(R"({
    "version": 4, "asn": 65000, "hold_time": 90, "router_id": "10.0.0.1",
    "capabilities": {
      "2": {"name": "route-refresh", "variant": "RFC"},
      "73": {"host-name": "vm", "domain-name": ""},
      "1": {"name": "multiprotocol", "families": ["ipv4/unicast"]},
      "65": {"name": "asn4", "asn4": 65000},
      "5": {"name": "nexthop", "conversion": ["ipv4/unicast/ipv6"]}}})"));
}

// AS_TRANS in My AS, the real ASN in the capability (RFC 6793); an unknown
// capability (8, multiple labels, from another capture) travels on raw.
TEST(Open, FourByteAsnAndUnknownCapability) {
  Bytes body =
      hex("04 5BA0 00B4 00000101 20"
          "02 1E 0104 00010001 0200 4002 C12C 4104 A4C46652 4504 00010101 0804 00010407");
  auto decoded = open_of(body);
  ASSERT_TRUE(decoded) << decoded.error().reason;
  EXPECT_EQ(decoded->my_as, as_trans);
  EXPECT_EQ(decoded->asn(), 2764334674u);
  EXPECT_EQ(decoded->capabilities().back(), Capability(cap::Unknown{8, hex("00010407")}));
  EXPECT_EQ(encode(*decoded), body);
  auto json = open_to_json(*decoded);
  EXPECT_EQ(json["asn"], 23456);
  EXPECT_EQ(json["capabilities"]["65"]["asn4"], 2764334674u);
  EXPECT_EQ(json["capabilities"]["8"]["raw"], "00010407");
}

// tcpdump's RFC 9072 capture: Non-Ext OP Len 255, Non-Ext OP Type 255, then a
// two-byte length; every parameter has a two-byte length.
const char* rfc9072_open =
    "04 00AE 00B4 06060606 FF FF 006C"
    "02 0006 0104 0001 0001"
    "02 0006 0104 0002 0001"
    "02 0002 8000"
    "02 0002 0200"
    "02 0002 4600"
    "02 0006 4104 000000AE"
    "02 0002 0600"
    "02 000A 4508 0001 0101 0002 0101"
    "02 0013 4911 0F 65786974312D64656269616E2D3131 00"
    "02 0004 4002 0078"
    "02 0010 470E 0001 0180 000168 0002 0180 000168";

TEST(Open, ExtendedOptionalParametersLengthBothWays) {
  Bytes body = hex(rfc9072_open);
  auto decoded = open_of(body);
  ASSERT_TRUE(decoded) << decoded.error().reason;
  EXPECT_TRUE(decoded->extended_parameters);
  EXPECT_EQ(decoded->capability_parameters.size(), 11u);
  EXPECT_EQ(decoded->bgp_identifier, 0x06060606u);
  EXPECT_EQ(decoded->capability_parameters[10][0],
            Capability(cap::LongLivedGracefulRestart{
                {{ipv4_unicast, 0x80, 360}, {ipv6_unicast, 0x80, 360}}}));
  EXPECT_EQ(encode(*decoded), body);
  EXPECT_EQ(open_to_json(*decoded), Json::parse(R"({
    "version": 4, "asn": 174, "hold_time": 180, "router_id": "6.6.6.6",
    "capabilities": {
      "1": {"name": "multiprotocol", "families": ["ipv4/unicast", "ipv6/unicast"]},
      "128": {"name": "route-refresh", "variant": "Cisco"},
      "2": {"name": "route-refresh", "variant": "RFC"},
      "70": {"name": "enhanced-route-refresh"},
      "65": {"name": "asn4", "asn4": 174},
      "6": {"name": "extended-message", "size": 65535},
      "69": {"name": "addpath", "ipv4/unicast": "receive", "ipv6/unicast": "receive"},
      "73": {"host-name": "exit1-debian-11", "domain-name": ""},
      "64": {"name": "graceful restart", "time": 120, "address-family-flags": {},
             "restart-flags": []},
      "71": {"name": "long-lived graceful restart", "address-family": {
               "ipv4/unicast": {"forwarding": true, "stale-time": 360},
               "ipv6/unicast": {"forwarding": true, "stale-time": 360}}}}})"));
}

TEST(Open, ClassicFormSwitchesToExtendedWhenParametersExceed255Bytes) {
  Open o;
  o.my_as = 65000;
  o.bgp_identifier = 1;
  for (int i = 0; i < 40; ++i)  // 40 x 8 bytes = 320 bytes of parameters
    o.capability_parameters.push_back(
        {cap::Multiprotocol{Family(1, static_cast<std::uint8_t>(i))}});
  Bytes body = encode(o);
  EXPECT_EQ(body[9], 255);
  EXPECT_EQ(body[10], 255);
  auto decoded = open_of(body);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->extended_parameters);
  EXPECT_EQ(decoded->capability_parameters, o.capability_parameters);
}

// RFC 4271 6.2: a parameter other than capabilities is an Unsupported
// Optional Parameter. It can still be encoded, to test how a peer answers.
TEST(Open, OtherParametersAreEncodedButRefused) {
  Open o;
  o.my_as = 0xFDE8;
  o.bgp_identifier = 0x0A000001;
  o.capability_parameters = {{cap::Unknown{200, hex("AA")}}};
  o.other_parameters = {{1, hex("AABBCC")}};
  const Bytes body = encode(o);
  EXPECT_EQ(body, hex("04 FDE8 00B4 0A000001 0A 02 03 C801AA 01 03 AABBCC"));
  auto decoded = open_of(body);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, static_cast<std::uint8_t>(NotifyCode::open_message));
  EXPECT_EQ(decoded.error().subcode, open_error::unsupported_optional_parameter);
  EXPECT_EQ(decoded.error().offset, 19u + 15u) << "the parameter's type byte";
}

TEST(Open, EmptyCapabilityParameterKeepsItsPlace) {
  Bytes body = hex("04 FDE8 00B4 0A000001 04 02 00 02 00");
  auto decoded = open_of(body);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->capability_parameters.size(), 2u);
  EXPECT_EQ(encode(*decoded), body);
}

TEST(Open, HoldTimesZeroAndThreeAreAcceptable) {
  for (const char* hold : {"0000", "0003", "FFFF"}) {
    auto decoded = open_of(hex(std::string("04 FDE8 ") + hold + " 0A000001 00"));
    EXPECT_TRUE(decoded) << hold;
  }
}

struct OpenErrorCase {
  const char* name;
  const char* body;
  std::uint8_t code;
  std::uint8_t subcode;
  std::size_t offset;
  const char* data;
};

TEST(Open, ErrorsNameTheNotificationAndTheOffset) {
  const std::vector<OpenErrorCase> cases{
      // RFC 4271 6.1: data is the erroneous Length field (19 + 4 bytes).
      {"shorter than 29 bytes", "04 FDE8 00", 1, header_error::bad_message_length, 16, "0017"},
      // RFC 4271 6.2: data is the version we support.
      {"version 3", "03 FDE8 00B4 0A000001 00", 2, open_error::unsupported_version, 19, "0004"},
      {"version 5", "05 FDE8 00B4 0A000001 00", 2, open_error::unsupported_version, 19, "0004"},
      {"hold time 1", "04 FDE8 0001 0A000001 00", 2, open_error::unacceptable_hold_time, 22, ""},
      {"hold time 2", "04 FDE8 0002 0A000001 00", 2, open_error::unacceptable_hold_time, 22, ""},
      {"identifier 0", "04 FDE8 00B4 00000000 00", 2, open_error::bad_bgp_identifier, 24, ""},
      {"parameters length overruns", "04 FDE8 00B4 0A000001 05 0202 0200", 2,
       open_error::unspecific, 28, ""},
      {"parameters length short of the body", "04 FDE8 00B4 0A000001 02 0202 0200", 2,
       open_error::unspecific, 28, ""},
      {"parameter length missing", "04 FDE8 00B4 0A000001 01 02", 2, open_error::unspecific, 30,
       ""},
      {"parameter overruns", "04 FDE8 00B4 0A000001 04 0203 0200", 2, open_error::unspecific, 30,
       ""},
      {"capability length missing", "04 FDE8 00B4 0A000001 03 0201 02", 2, open_error::unspecific,
       32, ""},
      {"capability overruns its parameter", "04 FDE8 00B4 0A000001 04 0202 0203", 2,
       open_error::unspecific, 32, ""},
      {"capability with a bad length", "04 FDE8 00B4 0A000001 06 0204 4102 0000", 2,
       open_error::unspecific, 33, ""},
      {"second capability bad", "04 FDE8 00B4 0A000001 08 0206 0200 4102 0000", 2,
       open_error::unspecific, 35, ""},
      // RFC 9072
      {"extended length missing (points at the 255 marker)", "04 FDE8 00B4 0A000001 FF FF", 2,
       open_error::unspecific, 29, ""},
      {"extended length overruns", "04 FDE8 00B4 0A000001 FF FF 0010 02 0000", 2,
       open_error::unspecific, 30, ""},
      {"extended parameter length missing", "04 FDE8 00B4 0A000001 FF FF 0002 02 00", 2,
       open_error::unspecific, 33, ""},
      {"extended parameter overruns", "04 FDE8 00B4 0A000001 FF FF 0005 02 0003 0200", 2,
       open_error::unspecific, 33, ""},
      {"extended capability bad", "04 FDE8 00B4 0A000001 FF FF 0007 02 0004 4102 0000", 2,
       open_error::unspecific, 37, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto decoded = open_of(hex(c.body));
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, c.code);
    EXPECT_EQ(decoded.error().subcode, c.subcode);
    EXPECT_EQ(decoded.error().offset, c.offset);
    EXPECT_EQ(decoded.error().data, hex(c.data));
  }
}

// A classic OPEN whose parameters length is 255 and whose first parameter is
// not of type 255 is not RFC 9072 (the marker needs both bytes).
TEST(Open, Length255WithoutTheMarkerIsClassic) {
  Open o;
  o.my_as = 1;
  o.bgp_identifier = 1;
  // One capability parameter of 253 bytes: an unknown capability (code 200) of 251.
  o.capability_parameters = {{cap::Unknown{200, Bytes(251, 0x11)}}};
  Bytes body = encode(o);
  ASSERT_EQ(body[9], 255);
  auto decoded = open_of(body);
  ASSERT_TRUE(decoded) << decoded.error().reason;
  EXPECT_FALSE(decoded->extended_parameters);
  EXPECT_EQ(*decoded, o);
}

TEST(Open, RepeatedCapabilitiesMergeInJson) {
  Open o;
  o.bgp_identifier = 0x01020304;
  o.capability_parameters = {{cap::AddPath{{{ipv4_unicast, 1}}}},
                             {cap::AddPath{{{ipv6_unicast, 2}}}},
                             {cap::FourOctetAsn{1}},
                             {cap::FourOctetAsn{2}}};
  auto json = open_to_json(o);
  EXPECT_EQ(json["capabilities"]["69"],
            Json::parse(R"({"name":"addpath","ipv4/unicast":"receive","ipv6/unicast":"send"})"));
  EXPECT_EQ(json["capabilities"]["65"]["asn4"], 2) << "the last one wins, as in ExaBGP";
  EXPECT_EQ(json["router_id"], "1.2.3.4");
}

// --- Properties --------------------------------------------------------------

RC_GTEST_PROP(OpenProperties, CapabilityRoundTrips, ()) {
  auto c = *gen::capability();
  Bytes tlv = encode(c);
  auto decoded = decode_tlv(tlv);
  RC_ASSERT(decoded.ok());
  RC_ASSERT(*decoded == c);
  RC_ASSERT(!capability_to_json(c).dump().empty());
}

RC_GTEST_PROP(OpenProperties, OpenRoundTrips, ()) {
  auto o = *gen::open();
  auto decoded = open_of(encode(o));
  RC_ASSERT(decoded.ok());
  RC_ASSERT(*decoded == o);
  RC_ASSERT(!open_to_json(o).dump().empty());
}

RC_GTEST_PROP(OpenProperties, ArbitraryCapabilityValuesNeverCrash,
              (std::uint8_t code, const Bytes& value)) {
  auto decoded = decode_capability(code, Reader(value, 40));
  if (decoded) {
    RC_ASSERT(!capability_to_json(*decoded).dump().empty());
  } else {
    RC_ASSERT(decoded.error().offset >= 40);
    RC_ASSERT(decoded.error().offset <= 40 + value.size());
  }
}

RC_GTEST_PROP(OpenProperties, ArbitraryBodiesNeverCrash, (const Bytes& body)) {
  auto decoded = open_of(body);
  if (decoded) {
    RC_ASSERT(!open_to_json(*decoded).dump().empty());
  } else {
    RC_ASSERT(decoded.error().offset <= header_size + body.size());
  }
}

// Most random bodies fail at the version byte; damaging a valid OPEN reaches
// the parameter and capability decoders. What decodes must encode and decode
// to the same value.
RC_GTEST_PROP(OpenProperties, DamagedOpensNeverCrash, ()) {
  Bytes body = encode(*gen::open());
  auto changes = *rc::gen::inRange(1, 6);
  for (int i = 0; i < changes; ++i) {
    auto at = *rc::gen::inRange<std::size_t>(0, body.size());
    body[at] = *rc::gen::arbitrary<std::uint8_t>();
  }
  if (*rc::gen::arbitrary<bool>()) body.resize(*rc::gen::inRange<std::size_t>(0, body.size() + 1));
  auto decoded = open_of(body);
  if (!decoded) {
    RC_ASSERT(decoded.error().offset <= header_size + body.size());
    return;
  }
  RC_ASSERT(!open_to_json(*decoded).dump().empty());
  auto again = open_of(encode(*decoded));
  RC_ASSERT(again.ok());
  RC_ASSERT(encode(*again) == encode(*decoded));
}

}  // namespace
}  // namespace bgpsim::wire
