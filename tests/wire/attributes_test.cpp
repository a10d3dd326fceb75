// Path attributes: (bytes, value) pairs both ways, ExaBGP's JSON for each,
// the RFC 7606 outcome of each malformation, and properties over generated
// attributes and arbitrary bytes.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <functional>

#include "speaker/wire/json.hpp"
#include "tests/wire/gen_attributes.hpp"

namespace bgpsim::wire {
namespace {

// Attribute fields start here in the tests, so offsets are checked as absolute.
constexpr std::size_t base = 23;

Bytes hex(std::string_view h) { return *parse_hex(h); }

DecodeContext context(bool four_octet_asn) {
  DecodeContext ctx;
  ctx.four_octet_asn = four_octet_asn;
  return ctx;
}

Result<DecodedAttributes> decode(std::string_view h, bool four_octet_asn = true,
                                 bool nlri_present = false) {
  const Bytes b = hex(h);
  return decode_attributes(Reader(b, base), context(four_octet_asn), nlri_present);
}

Bytes encode(const PathAttributes& a, bool four_octet_asn = true) {
  Bytes out;
  Writer w(out);
  encode_attributes(a, context(four_octet_asn), w);
  return out;
}

Json to_json(const PathAttributes& a, const DecodeContext& ctx = DecodeContext{}) {
  Json j = Json::object();
  attributes_to_json(a, ctx, j);
  return j;
}

PathAttributes with(const std::function<void(PathAttributes&)>& fill) {
  PathAttributes a;
  fill(a);
  return a;
}

AsPath path(std::initializer_list<AsPathSegment> segments) { return AsPath{segments}; }

// ------------------------------------------------------------ codec pairs

struct Pair {
  const char* name;
  const char* wire;
  bool four_octet_asn;
  PathAttributes value;
};

std::vector<Pair> pairs() {
  const auto v4 = IpAddress::v4_from_u32;
  return {
      {"origin igp", "400101 00", true, with([](auto& a) { a.origin = Origin::igp; })},
      {"origin incomplete", "400101 02", true,
       with([](auto& a) { a.origin = Origin::incomplete; })},
      {"empty as-path (iBGP)", "400200", true, with([](auto& a) { a.as_path = AsPath{}; })},
      {"as-sequence, 4-octet", "40020A 0202 00000064 000001F4", true, with([](auto& a) {
         a.as_path = path({{AsPathSegment::as_sequence, {100, 500}}});
       })},
      {"as-sequence, 2-octet", "400206 0202 0064 01F4", false, with([](auto& a) {
         a.as_path = path({{AsPathSegment::as_sequence, {100, 500}}});
       })},
      {"as-set and confederations", "400216 0201 0000FDE8 0102 00000001 00000002 0301 0000FDE9",
       true, with([](auto& a) {
         a.as_path = path({{AsPathSegment::as_sequence, {65000}},
                           {AsPathSegment::as_set, {1, 2}},
                           {AsPathSegment::confed_sequence, {65001}}});
       })},
      {"confed set, 2-octet", "400204 0401 FDE8", false, with([](auto& a) {
         a.as_path = path({{AsPathSegment::confed_set, {65000}}});
       })},
      {"next-hop", "400304 C0A80164", true, with([v4](auto& a) { a.next_hop = v4(0xC0A80164); })},
      {"med", "800404 000000C8", true, with([](auto& a) { a.med = 200; })},
      {"local-preference", "400504 00000064", true, with([](auto& a) { a.local_pref = 100; })},
      {"atomic-aggregate", "400600", true, with([](auto& a) { a.atomic_aggregate = true; })},
      {"aggregator, 4-octet", "C00708 0000FDE8 01020304", true, with([v4](auto& a) {
         a.aggregator = Aggregator{65000, v4(0x01020304)};
       })},
      {"aggregator, 2-octet", "C00706 FDE8 01020304", false, with([v4](auto& a) {
         a.aggregator = Aggregator{65000, v4(0x01020304)};
       })},
      {"communities", "C00808 78140000 78147814", true, with([](auto& a) {
         a.communities = {{0x78140000, 0x78147814}};
       })},
      {"originator-id", "800904 0A00630C", true,
       with([](auto& a) { a.originator_id = 0x0A00630C; })},
      {"cluster-list", "800A08 03030303 C0A8C901", true, with([](auto& a) {
         a.cluster_list = {{0x03030303, 0xC0A8C901}};
       })},
      {"extended-communities", "C01010 0002000000000000 00030064000003E8", true, with([](auto& a) {
         a.extended_communities = {{0x0002000000000000, 0x00030064000003E8}};
       })},
      {"as4-path", "C0110A 0202 FA56EA00 00000064", false, with([](auto& a) {
         a.as4_path = path({{AsPathSegment::as_sequence, {4200000000u, 100}}});
       })},
      {"as4-aggregator", "C01208 FA56EA00 0A000001", false, with([v4](auto& a) {
         a.as4_aggregator = Aggregator{4200000000u, v4(0x0A000001)};
       })},
      {"aigp", "801A0B 01000B 0000000000000064", true, with([](auto& a) { a.aigp = 100; })},
      {"large-communities", "C0200C 00000001 00000002 00000003", true, with([](auto& a) {
         a.large_communities = {{LargeCommunity{1, 2, 3}}};
       })},
      {"unknown optional transitive, Partial set", "E09904 00000064", true, with([](auto& a) {
         a.other = {RawAttribute{0xE0, 0x99, hex("00000064")}};
       })},
      {"unknown optional non-transitive", "80FE02 ABCD", true, with([](auto& a) {
         a.other = {RawAttribute{0x80, 0xFE, hex("ABCD")}};
       })},
      {"mp-reach ipv6 unicast",
       "800E1E 0002 01 10 20010DB8000000000000000000000001 00 40 20010DB800000001", true,
       with([](auto& a) {
         a.mp_reach = MpReach{ipv6_unicast,
                              hex("20010DB8000000000000000000000001"),
                              {Nlri{*IpPrefix::parse("2001:db8:0:1::/64"), {}}},
                              {}};
       })},
      {"mp-reach of a family kept opaque", "800E0B 0001 F1 00 00 0701 18 0A0000", true,
       with([](auto& a) {
         // SAFI 241: private use (RFC 4760), a family no row decodes.
         a.mp_reach = MpReach{Family(1, 241), {}, {}, hex("0701180A0000")};
       })},
      {"mp-unreach ipv4 unicast", "800F07 0001 01 18 0A0000", true, with([](auto& a) {
         a.mp_unreach = MpUnreach{ipv4_unicast, {Nlri{*IpPrefix::parse("10.0.0.0/24"), {}}}, {}};
       })},
      {"mp-unreach End-of-RIB, Extended Length as ExaBGP sends it", "900F0003 0002 01", true,
       with([](auto& a) {
         a.mp_unreach = MpUnreach{ipv6_unicast, {}, {}};
       })},
      {"all together, in code order",
       "400101 00 40020A 0202 00000064 000001F4 400304 C0A80164 800404 000000C8 400504 00000064 "
       "400600 C00708 0000FDE8 01020304 C00804 78140000 800904 0A00630C 800A04 03030303 "
       "800B01 FF C01008 0002000000000000 C0200C 00000001 00000002 00000003 E09904 00000064",
       true, with([v4](auto& a) {
         a.origin = Origin::igp;
         a.as_path = path({{AsPathSegment::as_sequence, {100, 500}}});
         a.next_hop = v4(0xC0A80164);
         a.med = 200;
         a.local_pref = 100;
         a.atomic_aggregate = true;
         a.aggregator = Aggregator{65000, v4(0x01020304)};
         a.communities = {{0x78140000}};
         a.originator_id = 0x0A00630C;
         a.cluster_list = {{0x03030303}};
         a.extended_communities = {{0x0002000000000000}};
         a.large_communities = {{LargeCommunity{1, 2, 3}}};
         a.other = {RawAttribute{0x80, 0x0B, hex("FF")}, RawAttribute{0xE0, 0x99, hex("00000064")}};
       })},
  };
}

TEST(AttributePairs, DecodeGivesTheValue) {
  for (const auto& p : pairs()) {
    SCOPED_TRACE(p.name);
    auto d = decode(p.wire, p.four_octet_asn);
    ASSERT_TRUE(d) << d.error().reason;
    // Alone, an MP_REACH_NLRI lacks ORIGIN and AS_PATH: nothing else may be wrong.
    for (const auto& e : d->errors)
      EXPECT_EQ(e.error.subcode, update_error::missing_well_known_attribute) << e.error.reason;
    EXPECT_EQ(d->attributes, p.value);
  }
}

TEST(AttributePairs, EncodeGivesTheBytes) {
  for (const auto& p : pairs()) {
    SCOPED_TRACE(p.name);
    EXPECT_EQ(to_hex(encode(p.value, p.four_octet_asn)), to_hex(hex(p.wire)));
  }
}

TEST(AttributeEncoding, ExtendedLengthOnlyWhenTheValueNeedsIt) {
  PathAttributes a;
  a.communities = std::vector<std::uint32_t>(64, 0x00010002);  // 256 octets
  const Bytes b = encode(a);
  EXPECT_EQ(to_hex(ByteView(b).first(4)), "D0080100");
  auto d = decode(to_hex(b));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->attributes, a);

  // Received with Extended Length for a short value: not canonical, same value.
  auto long_form = decode("50010001 00");
  ASSERT_TRUE(long_form);
  EXPECT_EQ(long_form->attributes.origin, Origin::igp);

  // Unmodelled attributes (`attribute [ code flags hex ]`, or received) keep
  // their flags, Extended Length included, as ExaBGP sends them
  // (conf-generic-attribute.ci: 0x99 with flags 0x70 goes out as 70990004...);
  // the bit is added only when the value needs two length bytes.
  PathAttributes raw;
  raw.other = {RawAttribute{0xD0, 0x99, hex("01")}};
  EXPECT_EQ(to_hex(encode(raw)), "D099000101");
  raw.other = {RawAttribute{0x70, 0x99, hex("00000064")}};
  EXPECT_EQ(to_hex(encode(raw)), "7099000400000064");
  raw.other = {RawAttribute{0x60, 0x99, hex("00000064")}};
  EXPECT_EQ(to_hex(encode(raw)), "60990400000064");
  raw.other = {RawAttribute{0xC0, 0x99, Bytes(300, 7)}};
  EXPECT_EQ(to_hex(ByteView(encode(raw)).first(4)), "D099012C");
}

TEST(AttributeEncoding, AsnsThatDoNotFitTwoOctetsBecomeAsTrans) {
  PathAttributes a;
  a.as_path = path({{AsPathSegment::as_sequence, {4200000000u, 100}}});
  a.aggregator = Aggregator{4200000000u, IpAddress::v4_from_u32(1)};
  // RFC 6793 4.2.2: with AS4_PATH and AS4_AGGREGATOR carrying the real ASNs
  // (tests/wire/as4_generation_test.cpp).
  EXPECT_EQ(to_hex(encode(a, false)),
            "40020602025BA00064C007065BA000000001"
            "C0110A0202FA56EA0000000064C01208FA56EA0000000001");
}

TEST(AttributeEncoding, SegmentsLongerThan255AsnsAreSplit) {
  PathAttributes a;
  a.as_path = path({{AsPathSegment::as_sequence, std::vector<std::uint32_t>(300, 1)}});
  auto d = decode(to_hex(encode(a)));
  ASSERT_TRUE(d);
  ASSERT_EQ(d->attributes.as_path->segments.size(), 2u);
  EXPECT_EQ(d->attributes.as_path->segments[0].asns.size(), 255u);
  EXPECT_EQ(d->attributes.as_path->segments[1].asns.size(), 45u);
}

TEST(AttributeDecoding, UnorderedInputIsStoredInCodeOrder) {
  auto d = decode("E09904 00000064 800B01 FF 400101 00");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->attributes.other.size(), 2u);
  EXPECT_EQ(d->attributes.other[0].code, 0x0B);
  EXPECT_EQ(d->attributes.other[1].code, 0x99);
  EXPECT_EQ(to_hex(encode(d->attributes)), to_hex(hex("400101 00 800B01 FF E09904 00000064")));
}

TEST(AttributeDecoding, UnrecognizedOptionalTransitiveGetsThePartialBit) {
  // RFC 4271 5: passed on with Partial set; low four flag bits are ignored.
  auto d = decode("C7990100");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->attributes.other.size(), 1u);
  EXPECT_EQ(d->attributes.other[0].flags, 0xE0);
  EXPECT_EQ(d->attributes.other[0].value, hex("00"));
}

// ------------------------------------------------------------------ JSON

TEST(AttributeJson, ExaBGPKeysInCodeOrder) {
  auto d = decode(
      "400101 00 40020A 0202 00000064 000001F4 400304 C0A80164 800404 000000C8 400504 00000064 "
      "400600 C00708 0000FDE8 01020304 C00808 78140000 78147814 800904 0A00630C "
      "800A08 03030303 C0A8C901 C01008 00030064000003E8 C0200C 00000001 00000002 00000003 "
      "C09904 00000064");
  ASSERT_TRUE(d);
  EXPECT_EQ(to_json(d->attributes).dump(),
            R"({"origin":"igp","as-path":{"0":{"element":"as-sequence","value":[100,500]}},)"
            R"("med":200,"local-preference":100,"atomic-aggregate":true,)"
            R"("aggregator":"65000:1.2.3.4","community":[[30740,0],[30740,30740]],)"
            R"("originator-id":"10.0.99.12","cluster-list":["3.3.3.3","192.168.201.1"],)"
            R"("extended-community":[{"value":844854426862568,"string":"origin:100:0.0.3.232"}],)"
            R"("large-community":[[1,2,3]],"attribute-0x99-0xE0":"0x00000064"})");
}

TEST(AttributeJson, GenericAttributeShowsItsFlags) {
  // conf-generic-attribute.ci renders [0x99 0x60 0x00000064] so.
  PathAttributes a;
  a.origin = Origin::igp;
  a.local_pref = 100;
  a.other = {RawAttribute{0x60, 0x99, hex("00000064")}};
  EXPECT_EQ(to_json(a).dump(),
            R"({"origin":"igp","local-preference":100,"attribute-0x99-0x60":"0x00000064"})");
}

TEST(AttributeJson, PathSegmentsAndOrigins) {
  PathAttributes a;
  a.origin = Origin::incomplete;
  a.as_path = path({{AsPathSegment::as_sequence, {1}},
                    {AsPathSegment::as_set, {2, 3}},
                    {AsPathSegment::confed_sequence, {4}}});
  EXPECT_EQ(
      to_json(a).dump(),
      R"({"origin":"incomplete","as-path":{"0":{"element":"as-sequence","value":[1]},)"
      R"("1":{"element":"as-set","value":[2,3]},"2":{"element":"as-sequence","value":[4]}}})");
  // ExaBGP keeps no empty AS_PATH (iBGP), so prints none.
  a.origin = Origin::egp;
  a.as_path = AsPath{};
  EXPECT_EQ(to_json(a).dump(), R"({"origin":"egp"})");
}

TEST(AttributeJson, As4PathMergesIntoAsPathAsExaBGPDoes) {
  // From an OLD speaker (no 4-octet ASNs) AS4_PATH completes AS_PATH (RFC 6793 4.2.3).
  PathAttributes a;
  a.as_path = path({{AsPathSegment::as_sequence, {100, 23456, 23456}}});
  a.as4_path = path({{AsPathSegment::as_sequence, {4200000000u, 4200000001u}}});
  EXPECT_EQ(to_json(a, context(false)).dump(),
            R"({"as-path":{"0":{"element":"as-sequence","value":[100,4200000000,4200000001]}}})");
  // From a NEW speaker it is ignored (RFC 6793 6).
  EXPECT_EQ(to_json(a).dump(),
            R"({"as-path":{"0":{"element":"as-sequence","value":[100,23456,23456]}}})");

  // Alone, ExaBGP has no name for it and prints its text form.
  PathAttributes alone;
  alone.as4_path = path({{AsPathSegment::as_sequence, {1, 2}}, {AsPathSegment::as_set, {3}}});
  EXPECT_EQ(to_json(alone).dump(), R"({"attribute-0x11-0xC0":"( 1 2 ) [ 3 ]"})");
}

TEST(AttributeJson, As4AggregatorAndAigp) {
  PathAttributes a;
  a.aggregator = Aggregator{23456, IpAddress::v4_from_u32(0x01020304)};
  a.as4_aggregator = Aggregator{4200000000u, IpAddress::v4_from_u32(0x01020304)};
  a.aigp = 100;
  EXPECT_EQ(to_json(a).dump(), R"({"aggregator":"4200000000:1.2.3.4","aigp":100})");
}

TEST(AttributeJson, NextHopAndMultiprotocolAreLeftToTheUpdate) {
  auto d = decode("400304 C0A80164 800F03 000201");
  ASSERT_TRUE(d);
  EXPECT_EQ(to_json(d->attributes).dump(), "{}");
}

// Every extended-community form: the eight octets on the wire, the value, and
// ExaBGP's string (values from ExaBGP's functional tests where it has one).
struct ExtCase {
  std::uint64_t value;
  const char* string;
};

TEST(AttributeJson, ExtendedCommunityForms) {
  const std::vector<ExtCase> cases{
      {562949953421312u, "target:0:0"},
      {563259191066625u, "target:72:1"},
      {842122827761311u, "target:65000:99999"},
      {72620548618196848u, "target:0.1.19.200:6000"},
      {72832373356232709u, "target:192.168.94.12:5"},
      {144953389229277191u, "target:4200000000:7"},
      {844854426862568u, "origin:100:0.0.3.232"},
      {883079787383049u, "origin:9000:9.9.9.9"},
      {72904230943660677u, "origin:2.3.4.5:6789"},
      {72909745732131672u, "origin:7.7.7.7:7000"},
      {5627197431742469u, "rtrecord:65000:5"},
      {9225905157026361401u, "redirect:65500:12345"},
      {9225624944803780142u, "redirect:258:33756718"},
      {9370014275944316935u, "redirect:4200000000:7"},
      {9297692425822732588u, "redirect:10.0.0.1:300"},
      {9225060886715039744u, "rate-limit:0"},
      {9225060887780392960u, "rate-limit:1"},
      {9225060888033428217u, "rate-limit:1250000000"},
      {9226749737724149760u, "rate-limit:1000:packets"},
      {9225342361691750403u, "action sample-terminal"},
      {9225342361691750402u, "action sample"},
      {9225342361691750400u, "action "},
      {9225905311645171722u, "mark 10"},
      {75436401910611968u, "redirect-to-nexthop-ietf 1.2.3.4"},
      {75436401910611969u, "copy-to-nexthop-ietf 1.2.3.4 (with copy)"},
      {576460752303423488u, "redirect-to-nexthop"},
      {576460752303423489u, "copy-to-nexthop"},
      {9226207677441114223u, "l2info:19:0:1500:111"},
      {9226187895601526928u, "l2info:1:2:13398:30864"},
      {219550481834311688u, "encap:VXLAN"},
      {219550481834311779u, "encap:encap:UNKNOWN-99"},
      {4613091092499163944u, "bandwith:65000:125000000"},
      {221802281648455680u, "consistentHashSortOrder:7"},
      {432346663739195434u, "mac-mobility:42:sticky"},
      {864691171404808202u, "mup:10:10"},
      // ExaBGP names no type 0x43/0x99: its JSON string is empty.
      {4870925580130059526u, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.string);
    Bytes wire = hex("C01008");
    Writer(wire).u64(c.value);
    auto d = decode(to_hex(wire));
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->attributes.extended_communities);
    EXPECT_EQ(*d->attributes.extended_communities, std::vector<std::uint64_t>{c.value});
    EXPECT_EQ(encode(d->attributes), wire);
    const Json j = to_json(d->attributes);
    EXPECT_EQ(j["extended-community"][0]["value"].get<std::uint64_t>(), c.value);
    EXPECT_EQ(j["extended-community"][0]["string"], c.string);
    EXPECT_FALSE(j["extended-community"][0].contains("transitive"));
  }
}

TEST(AttributeJson, InterfaceSetSaysWhetherItIsTransitive) {
  PathAttributes a;
  a.extended_communities = {{504966108218949632u, 504966108299837450u, 5116875327204835329u}};
  EXPECT_EQ(
      to_json(a).dump(),
      R"({"extended-community":[)"
      R"({"value":504966108218949632,"string":"interface-set:output:0:0","transitive":true},)"
      R"({"value":504966108299837450,"string":"interface-set:input-output:1234:10","transitive":true},)"
      R"({"value":5116875327204835329,"string":"interface-set:input:3405770241:1","transitive":false}]})");
}

// ------------------------------------------------------- RFC 7606 outcomes

struct Outcome {
  std::uint8_t code;
  ErrorAction action;
  std::uint8_t subcode;
  std::size_t offset;
};

void expect_single(const Result<DecodedAttributes>& d, const Outcome& want) {
  ASSERT_TRUE(d) << d.error().reason;
  ASSERT_EQ(d->errors.size(), 1u);
  const AttributeError& e = d->errors.front();
  EXPECT_EQ(e.type_code, want.code);
  EXPECT_EQ(e.action, want.action) << to_string(e.action);
  EXPECT_EQ(e.error.code, static_cast<std::uint8_t>(NotifyCode::update_message));
  EXPECT_EQ(e.error.subcode, want.subcode);
  EXPECT_EQ(e.error.offset, want.offset);
}

void expect_reset(const Result<DecodedAttributes>& d, std::uint8_t subcode, std::size_t offset) {
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, static_cast<std::uint8_t>(NotifyCode::update_message));
  EXPECT_EQ(d.error().subcode, subcode) << d.error().reason;
  EXPECT_EQ(d.error().offset, offset);
}

// A well-formed prefix so treat-as-withdraw has something to withdraw: the
// mandatory attributes, then the attribute under test at offset base + 14.
constexpr const char* mandatory = "400101 00 400200 400304 0A000001";
constexpr std::size_t after_mandatory = base + 14;

Result<DecodedAttributes> with_nlri(const std::string& attribute, bool four_octet_asn = true) {
  return decode(std::string(mandatory) + attribute, four_octet_asn, true);
}

constexpr auto withdraw = ErrorAction::treat_as_withdraw;
constexpr auto discard = ErrorAction::attribute_discard;

TEST(Rfc7606, OriginMalformedIsTreatAsWithdraw) {
  auto d = decode("400102 0000 400200 400304 0A000001", true, true);
  expect_single(d, {attr::origin, withdraw, update_error::attribute_length_error, base});
  EXPECT_EQ(d->errors[0].error.data, hex("400102 0000")) << "data is the attribute";
  EXPECT_TRUE(d->treat_as_withdraw());
  expect_single(decode("400101 03 400200 400304 0A000001", true, true),
                {attr::origin, withdraw, update_error::invalid_origin_attribute, base});
}

TEST(Rfc7606, AsPathMalformedIsTreatAsWithdraw) {
  const std::size_t at = base + 4;
  for (const char* as_path : {
           "400206 0502 00000001",    // unrecognized segment type
           "400202 0200",             // segment of length zero
           "400206 0202 00000001",    // segment overruns the attribute
           "400207 0201 00000001 02"  // a single octet after the last segment
       }) {
    SCOPED_TRACE(as_path);
    auto d = decode(std::string("400101 00 ") + as_path + "400304 0A000001", true, true);
    expect_single(d, {attr::as_path, withdraw, update_error::malformed_as_path, at});
  }
  // Two-octet ASNs on a session without 4-octet ASNs: 6 octets is one ASN too few.
  expect_single(decode("400101 00 400206 0203 0001 0002 400304 0A000001", false, true),
                {attr::as_path, withdraw, update_error::malformed_as_path, at});
}

TEST(Rfc7606, FixedLengthAttributesAreTreatAsWithdraw) {
  expect_single(decode("400101 00 400200 400305 0A00000100", true, true),
                {attr::next_hop, withdraw, update_error::attribute_length_error, base + 7});
  expect_single(with_nlri("800403 000001"),
                {attr::med, withdraw, update_error::attribute_length_error, after_mandatory});
  expect_single(with_nlri("400502 0001"), {attr::local_pref, withdraw,
                                           update_error::attribute_length_error, after_mandatory});
  expect_single(
      with_nlri("800905 0A00000100"),
      {attr::originator_id, withdraw, update_error::attribute_length_error, after_mandatory});
}

TEST(Rfc7606, ListAttributesMustBeNonZeroMultiples) {
  for (const char* bad : {"C00800", "C00805 0000000001"})
    expect_single(with_nlri(bad), {attr::communities, withdraw,
                                   update_error::attribute_length_error, after_mandatory});
  for (const char* bad : {"800A00", "800A06 000000000001"})
    expect_single(with_nlri(bad), {attr::cluster_list, withdraw,
                                   update_error::attribute_length_error, after_mandatory});
  expect_single(with_nlri("C01007 00000000000000"),
                {attr::extended_communities, withdraw, update_error::attribute_length_error,
                 after_mandatory});
  expect_single(
      with_nlri("C0200B 0000000000000000000000"),
      {attr::large_communities, withdraw, update_error::attribute_length_error, after_mandatory});
}

TEST(Rfc7606, AggregationAttributesAreDiscarded) {
  auto d = with_nlri("400601 00");
  expect_single(
      d, {attr::atomic_aggregate, discard, update_error::attribute_length_error, after_mandatory});
  EXPECT_FALSE(d->attributes.atomic_aggregate);
  EXPECT_FALSE(d->treat_as_withdraw()) << "the route stays";
  // Six octets is right without 4-octet ASNs and wrong with them, and back.
  expect_single(with_nlri("C00706 FDE801020304", true),
                {attr::aggregator, discard, update_error::attribute_length_error, after_mandatory});
  expect_single(with_nlri("C00708 0000FDE801020304", false),
                {attr::aggregator, discard, update_error::attribute_length_error, after_mandatory});
}

TEST(Rfc7606, As4AttributesAreDiscarded) {
  // RFC 6793 6: attribute discard for a malformed AS4_PATH or AS4_AGGREGATOR.
  for (const char* bad : {"C01106 0501 0000FDE8", "C01100", "C01106 0202 00000001"})
    expect_single(with_nlri(bad, false),
                  {attr::as4_path, discard, update_error::malformed_as_path, after_mandatory});
  expect_single(
      with_nlri("C01206 FDE801020304", false),
      {attr::as4_aggregator, discard, update_error::attribute_length_error, after_mandatory});
}

TEST(Rfc7606, MalformedAigpIsDiscarded) {
  for (const char* bad : {"801A00", "801A0A 01000A 00000000000000", "801A04 01000B 00"}) {
    SCOPED_TRACE(bad);
    auto d = with_nlri(bad);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->errors.size(), 1u);
    EXPECT_EQ(d->errors[0].action, discard);
    EXPECT_EQ(d->errors[0].error.offset, after_mandatory);
    EXPECT_FALSE(d->attributes.aigp);
  }
}

TEST(Rfc7606, FlagsInConflictWithTheTypeCode) {
  // 3(c): treat-as-withdraw...
  expect_single(decode("C00101 00 400200 400304 0A000001", true, true),
                {attr::origin, withdraw, update_error::attribute_flags_error, base});
  expect_single(
      with_nlri("400804 00010002"),
      {attr::communities, withdraw, update_error::attribute_flags_error, after_mandatory});
  expect_single(with_nlri("C00404 00000001"),
                {attr::med, withdraw, update_error::attribute_flags_error, after_mandatory});
  // ...unless the attribute's specification says otherwise.
  expect_single(with_nlri("401104 02010001", false),
                {attr::as4_path, discard, update_error::attribute_flags_error, after_mandatory});
  expect_single(with_nlri("C01A0B 01000B 0000000000000001"),
                {attr::aigp, discard, update_error::attribute_flags_error, after_mandatory});
  expect_reset(with_nlri("C00F03 000101"), update_error::attribute_flags_error, after_mandatory);
  // The Partial and Extended Length bits are not part of the conflict.
  auto d = with_nlri("E00804 00010002");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->errors.empty());
}

TEST(Rfc7606, MalformedMultiprotocolAttributesResetTheSession) {
  const std::size_t at = after_mandatory;
  for (const char* bad : {
           "800E03 000201",                                            // shorter than 5 octets
           "800E05 0002011000",                                        // next hop runs past
           "800E08 0002 01 02 0000 00 00",                             // 2-octet IPv6 next hop
           "800E16 0002 01 10 20010DB8000000000000000000000001 00 81"  // a /129
       }) {
    SCOPED_TRACE(bad);
    expect_reset(with_nlri(bad), update_error::optional_attribute_error, at);
  }
  expect_reset(with_nlri("800F02 0002"), update_error::optional_attribute_error, at);
  auto d = with_nlri("800F05 0001 01 20 0A");
  expect_reset(d, update_error::optional_attribute_error, at);
  EXPECT_EQ(d.error().data, hex("800F05 0001 01 20 0A")) << "data is the attribute";
}

TEST(Rfc7606, DuplicatesOtherThanMultiprotocolAreDiscarded) {
  auto d = with_nlri("800404 00000001 800404 00000002");
  expect_single(d,
                {attr::med, discard, update_error::malformed_attribute_list, after_mandatory + 7});
  EXPECT_EQ(d->attributes.med, 1u) << "the first one is kept";
  // Unrecognized attributes too.
  expect_single(with_nlri("C09901 00 C09901 01"),
                {0x99, discard, update_error::malformed_attribute_list, after_mandatory + 4});
  // 3(g): a second MP_REACH_NLRI or MP_UNREACH_NLRI is a Malformed Attribute List.
  expect_reset(with_nlri("800F03 000201 800F03 000201"), update_error::malformed_attribute_list,
               after_mandatory + 6);
}

TEST(Rfc7606, AttributeRunningPastTheFieldIsTreatAsWithdraw) {
  // Section 4: treat-as-withdraw, the Total Attribute Length still finds the NLRI.
  auto d = with_nlri("C00810 00010002");
  expect_single(
      d, {attr::communities, withdraw, update_error::attribute_length_error, after_mandatory});
  EXPECT_EQ(d->errors[0].error.data, hex("C00810 00010002"));
  // Too few octets left for an attribute header.
  expect_single(with_nlri("C008"), {attr::communities, withdraw,
                                    update_error::malformed_attribute_list, after_mandatory});
  expect_single(with_nlri("D00801"), {attr::communities, withdraw,
                                      update_error::malformed_attribute_list, after_mandatory});
  // An MP attribute cut short hides its NLRI: session reset.
  expect_reset(with_nlri("800E10 0002"), update_error::attribute_length_error, after_mandatory);
}

TEST(Rfc7606, UndefinedCodeWithOptionalBitClearIsUnrecognizedWellKnown) {
  // RFC 4271 6.3: NOTIFICATION 3/2 with the attribute as data.
  expect_reset(with_nlri("609904 00000064"), update_error::unrecognized_well_known_attribute,
               after_mandatory);
  // ExaBGP's behaviour on request: kept as received (no Partial bit: it does
  // not claim to be optional).
  const Bytes b = hex(std::string(mandatory) + "609904 00000064");
  DecodeContext ctx;
  ctx.keep_unknown_well_known = true;
  auto d = decode_attributes(Reader(b, base), ctx, true);
  ASSERT_TRUE(d) << d.error().reason;
  EXPECT_TRUE(d->errors.empty());
  ASSERT_EQ(d->attributes.other.size(), 1u);
  EXPECT_EQ(d->attributes.other[0].code, 0x99);
  EXPECT_EQ(d->attributes.other[0].flags, 0x60);
  EXPECT_EQ(d->attributes.other[0].value, hex("00000064"));
}

TEST(Rfc7606, MissingWellKnownAttributesAreTreatAsWithdraw) {
  auto d = decode("400101 00", true, true);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->errors.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(d->errors[i].action, withdraw);
    EXPECT_EQ(d->errors[i].error.subcode, update_error::missing_well_known_attribute);
    EXPECT_EQ(d->errors[i].error.offset, base);
  }
  EXPECT_EQ(d->errors[0].error.data, Bytes{attr::as_path});
  EXPECT_EQ(d->errors[1].error.data, Bytes{attr::next_hop});

  // MP_REACH_NLRI needs ORIGIN and AS_PATH but not NEXT_HOP.
  auto mp = decode("800E0D 0001 01 04 0A000001 00 18 0A0000");
  ASSERT_TRUE(mp);
  ASSERT_EQ(mp->errors.size(), 2u);
  EXPECT_EQ(mp->errors[0].type_code, attr::origin);
  EXPECT_EQ(mp->errors[1].type_code, attr::as_path);

  // Nothing is mandatory without NLRI (a withdrawal, an End-of-RIB).
  auto unreach = decode("900F0003 000201");
  ASSERT_TRUE(unreach);
  EXPECT_TRUE(unreach->errors.empty());
}

TEST(Rfc7606, TreatAsWithdrawWithoutReachableNlriResetsTheSession) {
  // Section 5.2: no NLRI and no MP_REACH_NLRI leaves nothing to withdraw.
  expect_reset(decode("800403 000001"), update_error::attribute_length_error, base);
  // Attribute discard does not need NLRI.
  auto d = decode("400601 00");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->errors.size(), 1u);
}

// ------------------------------------------------------------- properties

RC_GTEST_PROP(AttributeProperties, DecodeOfEncodeIsIdentity, ()) {
  const bool four_octet_asn = *rc::gen::arbitrary<bool>();
  const PathAttributes a = *gen::path_attributes(four_octet_asn);
  const Bytes b = encode(a, four_octet_asn);
  auto d = decode_attributes(Reader(b, base), context(four_octet_asn), false);
  RC_ASSERT(d.ok());
  RC_ASSERT(d->errors.empty());
  RC_ASSERT(d->attributes == a);
}

RC_GTEST_PROP(AttributeProperties, ArbitraryBytesNeverCrashAndReencodeStably,
              (const std::vector<std::uint8_t>& b, bool four_octet_asn, bool nlri_present)) {
  const DecodeContext ctx = context(four_octet_asn);
  auto d = decode_attributes(Reader(b, base), ctx, nlri_present);
  if (!d) {
    RC_ASSERT(d.error().offset >= base);
    RC_ASSERT(d.error().offset <= base + b.size());
    return;
  }
  for (const auto& e : d->errors) RC_ASSERT(e.error.offset <= base + b.size());
  Json j = Json::object();
  attributes_to_json(d->attributes, ctx, j);
  // What we decoded encodes canonically: decoding and encoding again is stable.
  const Bytes once = encode(d->attributes, four_octet_asn);
  auto again = decode_attributes(Reader(once, base), ctx, false);
  RC_ASSERT(again.ok());
  RC_ASSERT(encode(again->attributes, four_octet_asn) == once);
}

// Attribute-shaped noise: valid headers around random values reach the
// per-attribute decoders far more often than uniform bytes do.
RC_GTEST_PROP(AttributeProperties, RandomValuesBehindValidHeadersNeverCrash, ()) {
  const auto count = *rc::gen::inRange(1, 6);
  Bytes b;
  for (int i = 0; i < count; ++i) {
    const auto code = *rc::gen::element<std::uint8_t>(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17,
                                                      18, 26, 32, 99);
    const auto row_flags = *rc::gen::element<std::uint8_t>(0x40, 0x80, 0xC0, 0xE0);
    const auto value =
        *rc::gen::container<Bytes>(*rc::gen::inRange(0, 40), rc::gen::arbitrary<std::uint8_t>());
    b.push_back(row_flags);
    b.push_back(code);
    b.push_back(static_cast<std::uint8_t>(value.size()));
    b.insert(b.end(), value.begin(), value.end());
  }
  auto d = decode_attributes(Reader(b, base), context(*rc::gen::arbitrary<bool>()),
                             *rc::gen::arbitrary<bool>());
  if (d) {
    Json j = Json::object();
    attributes_to_json(d->attributes, DecodeContext{}, j);
    RC_ASSERT(j.is_object());
  }
}

}  // namespace
}  // namespace bgpsim::wire
