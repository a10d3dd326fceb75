// SR Policy (SAFI 73, RFC 9830) and the Tunnel Encapsulation attribute (RFC
// 9012) with the SR Policy sub-TLVs: NLRI pairs both ways with ExaBGP's JSON,
// the attribute's values from ExaBGP's conf-sr-policy.ci (its words, its
// bytes, its JSON), ExaBGP's wire habits against RFC 9830's reserved bits,
// the RFC 9012 13 checks on receipt, and round-trip and arbitrary-bytes
// properties of the rows and of the attribute.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"
#include "speaker/wire/tunnel_encap.hpp"
#include "tests/wire/family_check.hpp"

namespace bgpsim::wire {
namespace {

using test::expect_json;
using test::from_hex;
using test::hex;

TEST(FamilySrPolicy, RowsAreInTheTableWithExabgpsNames) {
  for (const FamilyRow* row : {&ipv4_srpolicy_row, &ipv6_srpolicy_row}) {
    EXPECT_EQ(family_row(row->family), row);
    EXPECT_EQ(row->name, row->family.to_string());
    EXPECT_TRUE(row->raw && row->from_fields && row->route_attributes);
    EXPECT_FALSE(row->exabgp_next_hop_attribute);
  }
  EXPECT_EQ(ipv4_srpolicy_row.name, "ipv4 sr-policy");
  // ExaBGP 4 called SAFI 73 "srte": still read.
  EXPECT_EQ(Family::parse("ipv6 srte"), ipv6_srpolicy_row.family);
  EXPECT_EQ(Family::parse("ipv6 sr-policy"), ipv6_srpolicy_row.family);
}

TEST(FamilySrPolicy, NlriFromExabgp) {
  // conf-sr-policy.ci: a length of 96 (192) bits, distinguisher, color, endpoint.
  expect_json(ipv4_srpolicy_row, "60 00000000 00000064 0A000001",
              R"({"distinguisher":0,"color":100,"endpoint":"10.0.0.1"})");
  expect_json(ipv4_srpolicy_row, "60 00000001 000000C8 0A000002",
              R"({"distinguisher":1,"color":200,"endpoint":"10.0.0.2"})");
  expect_json(ipv6_srpolicy_row, "C0 00000000 00000064 20010DB8000000000000000000000001",
              R"({"distinguisher":0,"color":100,"endpoint":"2001:db8::1"})");
  EXPECT_EQ(ipv4_srpolicy_row.to_text(from_hex(ipv4_srpolicy_row, "60 00000000 00000064 0A000001")),
            "sr-policy distinguisher 0 color 100 endpoint 10.0.0.1");
}

TEST(FamilySrPolicy, ErrorsNameTheByte) {
  // RFC 9830 2.1: 96 bits for IPv4, 192 for IPv6, nothing else.
  auto e = test::decode_error(ipv4_srpolicy_row, "C0 00000000 00000064 0A000001");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.reason.find("length 192 bits is not 96"), std::string::npos) << e.reason;
  e = test::decode_error(ipv6_srpolicy_row, "60 00000000 00000064 0A000001");
  EXPECT_EQ(e.offset, 0u);
  e = test::decode_error(ipv4_srpolicy_row, "60 00000000 00000064 0A000001 60 0000");
  EXPECT_EQ(e.offset, 14u);  // the distinguisher, cut short
}

TEST(FamilySrPolicy, ConfigurationWordsBuildTheNlri) {
  auto built =
      ipv4_srpolicy_row.from_fields(std::nullopt, std::vector<NlriField>{{"distinguisher", {"1"}},
                                                                         {"color", {"200"}},
                                                                         {"endpoint", {"10.0.0.2"}},
                                                                         {"preference", {"200"}}});
  ASSERT_TRUE(std::holds_alternative<Nlri>(built)) << std::get<std::string>(built);
  EXPECT_EQ(std::get<Nlri>(built), from_hex(ipv4_srpolicy_row, "60 00000001 000000C8 0A000002"));
  auto why = [](const FamilyRow& row, std::vector<NlriField> fields) {
    auto b = row.from_fields(std::nullopt, fields);
    return std::holds_alternative<std::string>(b) ? std::get<std::string>(b) : std::string();
  };
  EXPECT_NE(why(ipv4_srpolicy_row,
                {{"distinguisher", {"0"}}, {"color", {"1"}}, {"endpoint", {"2001:db8::1"}}})
                .find("not an IPv4 address"),
            std::string::npos);
  EXPECT_NE(why(ipv6_srpolicy_row, {{"distinguisher", {"0"}}, {"endpoint", {"2001:db8::1"}}})
                .find("'color'"),
            std::string::npos);
  EXPECT_NE(why(ipv4_srpolicy_row,
                {{"distinguisher", {"4294967296"}}, {"color", {"1"}}, {"endpoint", {"10.0.0.1"}}})
                .find("'distinguisher'"),
            std::string::npos);
}

// ------------------------------------------------- Tunnel Encapsulation (23)

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : std::string(text) + " ") {
    if (c == ' ') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  return out;
}

Bytes value_of(std::string_view words) {
  auto v = tunnel_encap::sr_policy_from_words(split_words(words));
  EXPECT_TRUE(std::holds_alternative<Bytes>(v)) << words << ": " << std::get<std::string>(v);
  return std::holds_alternative<Bytes>(v) ? std::get<Bytes>(v) : Bytes{};
}

std::string error_of(std::string_view words) {
  auto v = tunnel_encap::sr_policy_from_words(split_words(words));
  EXPECT_TRUE(std::holds_alternative<std::string>(v)) << words << " was accepted";
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
}

nlohmann::json json_of(const Bytes& value) {
  auto j = tunnel_encap::attribute_json(value);
  EXPECT_TRUE(j) << to_hex(value);
  return j ? nlohmann::json::parse(j->dump()) : nlohmann::json();
}

// ExaBGP's conf-sr-policy.ci: the words of each route, the attribute value as
// ExaBGP sends it, and what RFC 9830 2.4.2 leaves of it (reserved bits zero).
struct CiRoute {
  std::string_view words;
  std::string_view exabgp;
  std::string_view rfc;
};
const CiRoute ci_routes[] = {
    {"preference 100 binding-sid mpls 24000 segment-list weight 1 segment type-a mpls 16001",
     "000F0024 0C06 0000 00000064 0D06 1000 05DC0100 800011 00 0906 0000 00000001 0106 0000 "
     "03E81100",
     "000F0024 0C06 0000 00000064 0D06 0000 05DC0000 800011 00 0906 0000 00000001 0106 0000 "
     "03E81000"},
    {"preference 200 srv6-binding-sid fc00::1 segment-list weight 2 segment type-b srv6 fc00::1 "
     "endpoint-behavior 65 32 0 16 0 policy-name \"my-policy\" candidate-path-name \"primary\"",
     "000F005C 0C06 0000 000000C8 1412 0000 FC000000000000000000000000000001 800025 00 0906 0000 "
     "00000002 0D1A 1000 FC000000000000000000000000000001 0041 0000 20 00 10 00 82000A 00 "
     "6D792D706F6C696379 810008 00 7072696D617279",
     ""},
    {"preference 300 segment-list weight 1 segment type-a mpls 16001 segment-list weight 2 "
     "segment type-a mpls 16002",
     "000F0030 0C06 0000 0000012C 800011 00 0906 0000 00000001 0106 0000 03E81100 800011 00 0906 "
     "0000 00000002 0106 0000 03E82100",
     "000F0030 0C06 0000 0000012C 800011 00 0906 0000 00000001 0106 0000 03E81000 800011 00 0906 "
     "0000 00000002 0106 0000 03E82000"},
    {"preference 100 segment-list weight 1 segment type-b srv6 2001:db8:1::1",
     "000F0028 0C06 0000 00000064 80001D 00 0906 0000 00000001 0D12 0000 "
     "20010DB8000100000000000000000001",
     ""},
};

TEST(TunnelEncap, ExabgpWordsMakeExabgpBytes) {
  for (const auto& r : ci_routes) {
    const Bytes rfc = value_of(r.words);
    EXPECT_EQ(to_hex(rfc), to_hex(hex(r.rfc.empty() ? r.exabgp : r.rfc))) << r.words;
    EXPECT_EQ(to_hex(tunnel_encap::exabgp_form(rfc)), to_hex(hex(r.exabgp))) << r.words;
    EXPECT_EQ(tunnel_encap::attribute_fault(rfc), std::nullopt);
    // Either form reads the same but for the bits ExaBGP sets.
    EXPECT_EQ(tunnel_encap::exabgp_form(hex(r.exabgp)), hex(r.exabgp));
  }
  // No sub-TLV word: no attribute.
  EXPECT_TRUE(value_of("").empty());
}

TEST(TunnelEncap, JsonAsExabgpWritesIt) {
  EXPECT_EQ(json_of(hex(ci_routes[0].exabgp)), nlohmann::json::parse(R"({"sr-policy":{
      "preference":100,"binding-sid":{"type":"mpls","label":24000},
      "segment-lists":[{"weight":1,"segments":[
          {"type":"A","label":16001,"tc":0,"s":true,"ttl":0}]}]}})"));
  EXPECT_EQ(json_of(hex(ci_routes[1].exabgp)), nlohmann::json::parse(R"({"sr-policy":{
      "preference":200,"srv6-binding-sid":"fc00::1","policy-name":"my-policy",
      "candidate-path-name":"primary",
      "segment-lists":[{"weight":2,"segments":[{"type":"B","sid":"fc00::1",
          "endpoint-behavior":{"behavior":65,"lb-length":32,"ln-length":0,"fun-length":16,
                               "arg-length":0}}]}]}})"));
  // The JSON of the attribute in a path attribute list.
  PathAttributes a;
  a.other.push_back(RawAttribute{0xC0, 23, hex(ci_routes[3].exabgp)});
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  attributes_to_json(a, DecodeContext{}, out);
  EXPECT_EQ(out["tunnel-encap"]["sr-policy"]["segment-lists"][0]["segments"][0]["sid"],
            "2001:db8:1::1");
}

TEST(TunnelEncap, EverySegmentType) {
  // conf-sr-policy-all-types.conf: types C to K, with and without SIDs.
  const Bytes v = value_of(
      "enlp push-ipv4-ipv6 priority 10 binding-sid null segment-list weight 7 "
      "segment type-c ipv4 10.0.0.1 algorithm 0 segment type-c ipv4 10.0.0.2 algorithm 128 sid "
      "16001 segment type-d ipv6 fc00::2 algorithm 0 sid 16002 "
      "segment type-e local-if-id 2 ipv4 10.0.0.2 sid 16003 "
      "segment type-f local 192.168.1.1 remote 192.168.1.2 "
      "segment type-g local-if-id 3 local-ipv6 fc00::3 remote-if-id 4 remote-ipv6 fc00::4 sid "
      "16005 "
      "segment type-h local fc00::1 remote fc00::2 sid 16006 verification "
      "segment type-i ipv6 fc00::3 algorithm 0 sid fc00::200 endpoint-behavior 0x41 32 0 16 0 "
      "segment type-j local-if-id 1 local-ipv6 fc00::1 remote-if-id 2 remote-ipv6 fc00::2 "
      "algorithm 0 sid fc00::300 "
      "segment type-k local fc00::1 remote fc00::2 algorithm 1");
  EXPECT_EQ(json_of(v), nlohmann::json::parse(R"({"sr-policy":{"enlp":3,"priority":10,
      "binding-sid":null,"segment-lists":[{"weight":7,"segments":[
        {"type":"C","ipv4_node":"10.0.0.1","algorithm":0},
        {"type":"C","ipv4_node":"10.0.0.2","algorithm":128,"sid":16001,"tc":0,"s":false,"ttl":0},
        {"type":"D","ipv6_node":"fc00::2","algorithm":0,"sid":16002},
        {"type":"E","local_if_id":2,"ipv4_node":"10.0.0.2","sid":16003},
        {"type":"F","local_ipv4":"192.168.1.1","remote_ipv4":"192.168.1.2"},
        {"type":"G","local_if_id":3,"local_ipv6":"fc00::3","remote_if_id":4,
         "remote_ipv6":"fc00::4","sid":16005},
        {"type":"H","local_ipv6":"fc00::1","remote_ipv6":"fc00::2","sid":16006},
        {"type":"I","ipv6_node":"fc00::3","algorithm":0,"sid":"fc00::200",
         "endpoint-behavior":{"behavior":65,"lb-length":32,"ln-length":0,"fun-length":16,
                              "arg-length":0}},
        {"type":"J","local_if_id":1,"local_ipv6":"fc00::1","remote_if_id":2,
         "remote_ipv6":"fc00::2","algorithm":0,"sid":"fc00::300"},
        {"type":"K","local_ipv6":"fc00::1","remote_ipv6":"fc00::2","algorithm":1}]}]}})"));
  // The A flag with a non-zero algorithm (RFC 9831 2.10), V with `verification`.
  const auto at = to_hex(v).find("030A");  // the second type C segment: type 3, length 10
  ASSERT_NE(at, std::string::npos);
  // ExaBGP sets the bottom-of-stack bit on the last type A or C label only.
  EXPECT_EQ(to_hex(v).substr(at + 4, 4), "4080");
  EXPECT_EQ(to_hex(tunnel_encap::exabgp_form(v)).find("03E81100"), at + 16);
}

TEST(TunnelEncap, WordErrorsNameTheWord) {
  EXPECT_NE(error_of("preference x").find("'preference'"), std::string::npos);
  EXPECT_NE(error_of("binding-sid mpls 1048576").find("1048575"), std::string::npos);
  EXPECT_NE(error_of("binding-sid srv6 fc00::1").find("'mpls LABEL' or 'null'"), std::string::npos);
  EXPECT_NE(error_of("segment-list 1").find("'weight'"), std::string::npos);
  EXPECT_NE(error_of("segment-list weight 1 segment type-z").find("type-z"), std::string::npos);
  EXPECT_NE(error_of("segment-list weight 1 segment type-b srv6 10.0.0.1").find("IPv6"),
            std::string::npos);
  EXPECT_NE(error_of("segment-list weight 1 segment type-i ipv6 fc00::1 algorithm 0 "
                     "endpoint-behavior 1 2 3 4 5")
                .find("needs a 'sid'"),
            std::string::npos);
  EXPECT_NE(error_of("enlp 5").find("'enlp'"), std::string::npos);
  EXPECT_NE(error_of("colour 5").find("'colour' is not a word of sr-policy"), std::string::npos);
  EXPECT_NE(error_of("priority").find("needs a value"), std::string::npos);
}

TEST(TunnelEncap, MalformedOnReceiptRfc9012) {
  auto fault = [](std::string_view value) {
    auto f = tunnel_encap::attribute_fault(hex(value));
    EXPECT_TRUE(f) << value;
    return f.value_or(tunnel_encap::Fault{999, ""});
  };
  EXPECT_EQ(fault("").offset, 0u);                           // no tunnel TLV
  EXPECT_EQ(fault("000F").offset, 0u);                       // a cut TLV header
  EXPECT_EQ(fault("000F0009 0C06000000000064").offset, 0u);  // the TLV runs past
  EXPECT_EQ(fault("000F0006 0C0600000000").offset, 4u);      // a sub-TLV runs past its TLV
  EXPECT_EQ(fault("000F0002 8000").offset, 4u);              // a 2-byte sub-TLV length cut
  EXPECT_EQ(fault("000F0006 8000030009FF").offset, 8u);      // a segment sub-TLV runs past
  EXPECT_NE(fault("000F0000 000F0000").reason.find("more than one SR Policy"), std::string::npos);
  // Other tunnel types are framed the same way and shown as bytes.
  EXPECT_EQ(tunnel_encap::attribute_fault(hex("00080004 01020304")), std::nullopt);
  EXPECT_EQ(json_of(hex("00080004 01020304")),
            nlohmann::json::parse(R"({"tunnel-type-8":"0x01020304"})"));
  // A known sub-TLV of a size its type does not allow is an unrecognized one
  // (RFC 9012 13), a repeated one is disregarded.
  EXPECT_EQ(json_of(hex("000F0012 0C0400000001 0C06000000000002 0F020500")),
            nlohmann::json::parse(R"({"sr-policy":{"unknown-subtlv-12":"0x00000001",
                                      "preference":2,"priority":5}})"));
  EXPECT_EQ(json_of(hex("000F0010 0C06000000000001 0C06000000000002")),
            nlohmann::json::parse(R"({"sr-policy":{"preference":1}})"));
}

TEST(TunnelEncap, DecodedInAnUpdateAndTreatAsWithdrawWhenMalformed) {
  // conf-sr-policy.ci's first route, whole.
  const Bytes message = hex(
      "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF006902000000524001010040020040050400000064C01728000F00240C06"
      "0000000000640D06100005DC01008000110009060000000000010106000003E81100800E1600014904C0000201"
      "006000000000000000640A000001");
  auto u = decode_update(message, DecodeContext{});
  ASSERT_TRUE(u.ok()) << u.error().reason;
  EXPECT_TRUE(u->attribute_errors.empty());
  const auto j = nlohmann::json::parse(update_to_json(*u, DecodeContext{}).dump());
  EXPECT_EQ(j["update"]["attribute"]["tunnel-encap"]["sr-policy"]["binding-sid"]["label"], 24000);
  EXPECT_EQ(j["update"]["announce"]["ipv4 sr-policy"]["192.0.2.1"][0],
            nlohmann::json::parse(R"({"distinguisher":0,"color":100,"endpoint":"10.0.0.1"})"));
  // The attribute with a sub-TLV running past its TLV: the route is withdrawn.
  const Bytes field = hex("400101 00 400200 400304 0A000001 C0170A 000F0006 0C0600000000");
  auto decoded = decode_attributes(Reader(field), DecodeContext{}, true);
  ASSERT_TRUE(decoded.ok()) << decoded.error().reason;
  ASSERT_EQ(decoded->errors.size(), 1u);
  EXPECT_EQ(decoded->errors[0].action, ErrorAction::treat_as_withdraw);
  EXPECT_EQ(decoded->errors[0].error.offset, 21u);
}

TEST(TunnelEncap, ExabgpFormOnlyUnderExabgpCompat) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.other.push_back(RawAttribute{0xC0, 23, value_of(ci_routes[0].words)});
  auto encoded = [&](bool compat) {
    Bytes out;
    Writer w(out);
    EncodeContext ctx;
    ctx.exabgp_compat = compat;
    EXPECT_FALSE(encode_attributes(a, ctx, w));
    return to_hex(out);
  };
  EXPECT_EQ(encoded(false),
            to_hex(hex(std::string("40010100C01728") + std::string(ci_routes[0].rfc))));
  EXPECT_EQ(encoded(true),
            to_hex(hex(std::string("40010100C01728") + std::string(ci_routes[0].exabgp))));
}

// ---------------------------------------------------------------- properties

const std::vector<const FamilyRow*> sr_rows{&ipv4_srpolicy_row, &ipv6_srpolicy_row};

RC_GTEST_PROP(FamilySrPolicy, RoundTrip, ()) {
  test::check_round_trip(**rc::gen::elementOf(sr_rows));
}

RC_GTEST_PROP(FamilySrPolicy, ArbitraryBytes, ()) {
  test::check_arbitrary_bytes(**rc::gen::elementOf(sr_rows));
}

// Words of a random candidate path: what they build is well formed, and its
// JSON gives back the numbers and segment types written.
RC_GTEST_PROP(TunnelEncap, WordsRoundTripThroughJson, ()) {
  const auto preference = *rc::gen::arbitrary<std::uint32_t>();
  std::string words = "preference " + std::to_string(preference);
  const auto lists = *rc::gen::inRange<std::size_t>(0, 4);
  std::vector<std::uint32_t> weights;
  std::vector<std::vector<std::string>> kinds(lists);
  for (std::size_t l = 0; l < lists; ++l) {
    weights.push_back(*rc::gen::arbitrary<std::uint32_t>());
    words += " segment-list weight " + std::to_string(weights.back());
    const auto segments = *rc::gen::inRange<std::size_t>(0, 5);
    for (std::size_t s = 0; s < segments; ++s) {
      const auto label = *rc::gen::inRange<std::uint32_t>(0, 1u << 20);
      switch (*rc::gen::inRange(0, 4)) {
        case 0:
          words += " segment type-a mpls " + std::to_string(label);
          kinds[l].push_back("A");
          break;
        case 1:
          words += " segment type-b srv6 fc00::" + std::to_string(label % 65536 / 10);
          kinds[l].push_back("B");
          break;
        case 2:
          words += " segment type-c ipv4 10.0.0.1 algorithm " + std::to_string(label % 256) +
                   " sid " + std::to_string(label);
          kinds[l].push_back("C");
          break;
        default:
          words += " segment type-k local fc00::1 remote fc00::2 algorithm 0 sid fc00::9";
          kinds[l].push_back("K");
      }
    }
  }
  auto built = tunnel_encap::sr_policy_from_words(split_words(words));
  RC_ASSERT(std::holds_alternative<Bytes>(built));
  for (const Bytes& v :
       {std::get<Bytes>(built), tunnel_encap::exabgp_form(std::get<Bytes>(built))}) {
    RC_ASSERT(!tunnel_encap::attribute_fault(v));
    const auto j = *tunnel_encap::attribute_json(v);
    const auto& p = j["sr-policy"];
    RC_ASSERT(p["preference"] == preference);
    RC_ASSERT(p.contains("segment-lists") == (lists > 0));
    for (std::size_t l = 0; l < lists; ++l) {
      RC_ASSERT(p["segment-lists"][l]["weight"] == weights[l]);
      RC_ASSERT(p["segment-lists"][l]["segments"].size() == kinds[l].size());
      for (std::size_t s = 0; s < kinds[l].size(); ++s)
        RC_ASSERT(p["segment-lists"][l]["segments"][s]["type"] == kinds[l][s]);
    }
  }
}

// Any bytes: a fault inside the value, or JSON; never both, never a crash.
RC_GTEST_PROP(TunnelEncap, ArbitraryBytes, ()) {
  Bytes v = *rc::gen::container<Bytes>(*rc::gen::inRange<std::size_t>(0, 80),
                                       rc::gen::arbitrary<std::uint8_t>());
  if (*rc::gen::arbitrary<bool>() && v.size() >= 4) {  // a plausible SR Policy TLV header
    v[0] = 0;
    v[1] = 15;
    v[2] = static_cast<std::uint8_t>((v.size() - 4) >> 8);
    v[3] = static_cast<std::uint8_t>(v.size() - 4);
  }
  const auto fault = tunnel_encap::attribute_fault(v);
  RC_ASSERT(!fault || fault->offset < std::max<std::size_t>(v.size(), 1));
  RC_ASSERT(tunnel_encap::attribute_json(v).has_value() == !fault);
  RC_ASSERT(tunnel_encap::exabgp_form(v).size() == v.size());
}

}  // namespace
}  // namespace bgpsim::wire
