// Flow and family routes (flow, flow-vpn, mcast-vpn, mup, vpls) become
// routes the speaker sends: their NLRI built by the family's row from the
// words, their actions as communities. Expected bytes are ExaBGP's
// (../shared/exabgp-qa/encoding/conf-flow.ci), written out here.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <set>
#include <sstream>

#include "speaker/config/parser.hpp"
#include "speaker/wire/family_row.hpp"
#include "tests/wire/flow_text.hpp"

namespace bgpsim::config {
namespace {

using namespace bgpsim::wire;

Bytes hex(std::string_view s) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

Neighbor neighbor_of(std::string_view body) {
  auto parsed = parse_config(
      "neighbor 10.0.0.1 { local-as 1; peer-as 1; router-id 1.1.1.1;\n" + std::string(body) + "\n}",
      "test.conf");
  if (auto* e = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << e->to_string();
    return {};
  }
  return std::get<Config>(parsed).neighbors.at(0);
}

std::string error_of(std::string_view body) {
  auto parsed = parse_config(
      "neighbor 10.0.0.1 { local-as 1; peer-as 1; router-id 1.1.1.1;\n" + std::string(body) + "\n}",
      "test.conf");
  auto* e = std::get_if<ParseError>(&parsed);
  if (!e) return "no error";
  return e->to_string();
}

Bytes nlri_bytes(const StaticRoute& r) {
  Bytes out;
  Writer w(out);
  encode_nlri(r.family, r.route_nlri(), EncodeContext{}, w);
  return out;
}

TEST(FamilyRoutes, FlowMatchIsEncodedAsExabgpDoes) {
  auto n = neighbor_of(R"(flow {
    route another { match { source 10.0.0.0/24; destination-port =3128; protocol tcp; }
                    then { rate-limit 9600; } }
    route first-redirect {
      match { source 10.0.0.9/32; destination 192.168.0.1/32; port [ =80 =8080 ];
              destination-port [ >8080&<8088 =3128 ]; source-port >1024; protocol [ udp tcp ]; }
      then { redirect 65500:12345; } }
    route check-tcp-flags {
      match { source 10.0.0.1/32; destination 10.0.0.2/32; destination-port =3128; protocol tcp;
              tcp-flags [SYN RST&FIN&!=push]; }
      then { discard; community [30740:0 30740:30740]; } }
    route ipv6 { match { source ::1/128/120; destination 2a02:b80:15::7aca:39ff:feae:a87a/128/0;
                         next-header udp; traffic-class 101; flow-label 2013; }
                 then { discard; } }
  })");
  ASSERT_EQ(n.routes.size(), 4u);
  ASSERT_EQ(n.flow_routes.size(), 4u) << "the words are kept for printing";
  EXPECT_EQ(n.routes[0].family, Family(Afi::ipv4, Safi::flow));
  EXPECT_EQ(nlri_bytes(n.routes[0]), hex("0C02180A000003810605910C38"));
  EXPECT_EQ(n.routes[0].attributes->extended_communities,
            (std::vector<std::uint64_t>{0x8006000046160000}));
  EXPECT_EQ(n.routes[0].attributes->origin, Origin::igp);
  EXPECT_FALSE(n.routes[0].attributes->next_hop);
  EXPECT_EQ(nlri_bytes(n.routes[1]),
            hex("250120C0A8000102200A0000090301118106040150911F9005121F90541F98910C3806920400"));
  EXPECT_EQ(n.routes[1].attributes->extended_communities,
            (std::vector<std::uint64_t>{0x8008FFDC00003039}));
  EXPECT_EQ(nlri_bytes(n.routes[2]),
            hex("1C01200A00000202200A00000103810605910C3809000200044001C308"));
  EXPECT_EQ(n.routes[2].attributes->communities,
            (std::vector<std::uint32_t>{30740u << 16, (30740u << 16) | 30740}));
  EXPECT_EQ(n.routes[3].family, Family(Afi::ipv6, Safi::flow));
  EXPECT_EQ(nlri_bytes(n.routes[3]),
            hex("300180002A020B80001500007ACA39FFFEAEA87A028078000000000000000000000000000000010381"
                "110B81650D9107DD"));
}

TEST(FamilyRoutes, FlowActionsAreExtendedCommunitiesAndANextHop) {
  auto n = neighbor_of(R"(flow {
    route a { rd 65535:65536; next-hop 5.6.7.8; match { source 10.0.0.3/32; }
              then { redirect-to-nexthop; } }
    route b { match { source 10.0.0.2/32; } then { copy 1.2.3.4; } }
    route c { match { destination 192.168.0.1/32; } then { redirect 1.2.3.4; } }
    route d { match { packet-length [ >200&<300 >400&<500 ]; } then { mark 10; } }
    route e { match { fragment [ last-fragment ]; } then { action sample-terminal; } }
    route f { match { source 10.0.1.0/24; } then { rate-limit 1000 packets; } }
    route g { match { source 10.0.0.1/32; } then { redirect-to-nexthop-ietf 1.2.3.4; } }
    route h { match { source 10.0.0.1/32; } then { redirect-to-nexthop-ietf 2A02:B80:0:1::1; } }
    route i { match { source 10.0.0.1/32; } then { redirect 258:33756718; } }
    route j { match { source 10.0.0.1/32; } scope { interface-set [ transitive:input:1234:10 ]; }
              then { discard; } }
  })");
  ASSERT_EQ(n.routes.size(), 10u);
  auto ext = [&](std::size_t i) {
    return n.routes[i].attributes->extended_communities.value_or(std::vector<std::uint64_t>{});
  };
  EXPECT_EQ(n.routes[0].family, Family(Afi::ipv4, Safi::flow_vpn));
  EXPECT_EQ(nlri_bytes(n.routes[0]), hex("0E0000FFFF0001000002200A000003"));
  EXPECT_EQ(n.routes[0].attributes->next_hop, IpAddress::parse("5.6.7.8"));
  EXPECT_EQ(ext(0), (std::vector<std::uint64_t>{0x0800000000000000}));
  EXPECT_EQ(n.routes[1].attributes->next_hop, IpAddress::parse("1.2.3.4"));
  EXPECT_EQ(ext(1), (std::vector<std::uint64_t>{0x0800000000000001}));
  EXPECT_EQ(n.routes[2].attributes->next_hop, IpAddress::parse("1.2.3.4"));
  EXPECT_EQ(ext(2), (std::vector<std::uint64_t>{0x0800000000000000}));
  EXPECT_EQ(nlri_bytes(n.routes[3]), hex("0C0A02C854012C120190D401F4"));
  EXPECT_EQ(ext(3), (std::vector<std::uint64_t>{0x800900000000000A}));
  EXPECT_EQ(nlri_bytes(n.routes[4]), hex("030C8008"));
  EXPECT_EQ(ext(4), (std::vector<std::uint64_t>{0x8007000000000003}));
  EXPECT_EQ(ext(5), (std::vector<std::uint64_t>{0x800C0000447A0000}));
  EXPECT_EQ(ext(6), (std::vector<std::uint64_t>{0x010C010203040000}));
  ASSERT_EQ(n.routes[7].attributes->other.size(), 1u);
  EXPECT_EQ(n.routes[7].attributes->other[0],
            (RawAttribute{0xC0, 25, hex("000C2A020B800000000100000000000000010000")}));
  EXPECT_EQ(ext(8), (std::vector<std::uint64_t>{0x800801020203162E}));
  EXPECT_EQ(ext(9), (std::vector<std::uint64_t>{0x8006000000000000, 0x07020000'04D2'400A}));
}

TEST(FamilyRoutes, FlowErrorsNameTheWordAndKeepTheRest) {
  EXPECT_EQ(error_of("flow { route { match { source 10.0.0.1/32; } then { mark 99; } } }"),
            "test.conf:2:53: mark '99' is not a DSCP (0..63)");
  EXPECT_EQ(error_of("flow { route { match { source 10.0.0.1/32; } then { fly; } } }"),
            "test.conf:2:53: unknown flow action 'fly'");
  EXPECT_EQ(error_of("flow { route { match { protocol =tcpx; } then { discard; } } }"),
            "test.conf:2:8: ipv4 flow route: protocol '=tcpx': 'tcpx' is not a value of protocol");
  EXPECT_EQ(error_of("flow { route { match { port >=80|90; } then { discard; } } }"),
            "test.conf:2:24: '>=80|90' is not a flow port term");
  EXPECT_EQ(error_of("flow { route { match { port <>80; } then { discard; } } }"),
            "test.conf:2:8: ipv4 flow route: port '<>80': unknown operator '<>'");
  EXPECT_EQ(error_of("flow { route { match { port =80; port =81; } then { discard; } } }"),
            "test.conf:2:8: ipv4 flow route: flow component port given twice");
  // The other routes are kept.
  std::istringstream in(
      "neighbor 10.0.0.1 { local-as 1; peer-as 1; router-id 1.1.1.1;\n"
      "flow { route { match { port <>80; } then { discard; } }\n"
      "       route { match { port =80; } then { discard; } } } }");
  auto r = parse_stream(in, "test.conf");
  ASSERT_EQ(r.errors.size(), 1u);
  ASSERT_EQ(r.config.neighbors.size(), 1u);
  EXPECT_EQ(r.config.neighbors[0].routes.size(), 1u);
}

TEST(FamilyRoutes, FamilyRoutesGetTheirRowsNlri) {
  auto n = neighbor_of(R"(announce {
    ipv4 { mcast-vpn source-ad source 10.99.12.4 group 239.251.255.228 rd 65000:99999 next-hop 10.10.6.4; }
    ipv6 { mup mup-isd 2001:db8:1::/48 rd 100:100 next-hop 2001::2; }
    l2vpn { vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 next-hop 192.168.201.1; }
  }
  l2vpn { vpls site5 { endpoint 5; base 10732; offset 1; size 8; rd 192.168.201.1:124; next-hop 192.168.201.1; } })");
  ASSERT_EQ(n.routes.size(), 4u);
  ASSERT_EQ(n.family_routes.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& f = n.family_routes[i];
    const auto* row = family_row(f.family);
    ASSERT_TRUE(row && row->from_fields);
    std::vector<NlriField> fields;
    for (const auto& x : f.fields) fields.push_back({x.key, x.values});
    std::optional<wire::RouteDistinguisher> rd;
    if (f.rd) rd = wire::RouteDistinguisher{f.rd->type, f.rd->value};
    auto built = row->from_fields(rd, fields);
    ASSERT_TRUE(std::holds_alternative<Nlri>(built));
    EXPECT_EQ(n.routes[i].family, f.family);
    EXPECT_EQ(n.routes[i].route_nlri(), std::get<Nlri>(built));
    EXPECT_EQ(n.routes[i].attributes, f.attributes);
  }
  EXPECT_EQ(n.routes[0].attributes->next_hop, IpAddress::parse("10.10.6.4"));
  EXPECT_FALSE(n.unsupported());
  EXPECT_EQ(
      error_of("announce { ipv4 { mcast-vpn source-ad source 10.99.12.4 next-hop 10.10.6.4; } }"),
      "test.conf:2:19: ipv4 mcast-vpn route: mcast-vpn needs an rd");
  // Found by config_fuzz under UBSan: a TEID length past 32 bits was used as
  // a shift count after its error was recorded.
  EXPECT_EQ(error_of("announce { ipv4 { mup mup-t2st 10.0.0.1 rd 100:100 teid 1/321 "
                     "next-hop 10.0.0.2; } }"),
            "test.conf:2:19: ipv4 mup route: 'teid bits' needs a number up to 32, not '321'");
}

// The row's text of a flow NLRI (ExaBGP's API words) gives the same NLRI
// back: one field per component name, its terms after it.
TEST(FamilyRoutes, FlowTextRoundTrips) {
  auto n = neighbor_of(R"(flow {
    route { match { source 10.0.0.9/32; destination 192.168.0.1/32; port [ =80 =8080 ];
              destination-port [ >8080&<8088 =3128 ]; source-port >1024; protocol [ udp tcp ];
              tcp-flags [ syn rst&fin&!=push ]; fragment [ first-fragment last-fragment ];
              icmp-type [ unreachable echo-request ]; packet-length [ >=200&<=300 !=400 ];
              dscp true; } then { discard; } }
    route { match { source ::1/128/120; next-header udp; flow-label >70000; } then { discard; } }
    route { rd 1.2.3.4:5; match { icmp-code [ 1 0 ]; } then { discard; } } })");
  ASSERT_EQ(n.routes.size(), 3u);
  for (const auto& r : n.routes) {
    const Nlri nlri = r.route_nlri();
    const std::string text = nlri_text(r.family, nlri);
    const auto words = wire::test::flow_words(text);
    auto again = family_row(r.family)->from_fields(words.rd, words.fields);
    ASSERT_TRUE(std::holds_alternative<Nlri>(again))
        << text << ": " << std::get<std::string>(again);
    EXPECT_EQ(std::get<Nlri>(again), nlri) << text;
  }
}

}  // namespace
}  // namespace bgpsim::config
