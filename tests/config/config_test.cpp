// The ExaBGP-syntax configuration subset: values, defaults, and errors that
// name file:line:col.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "speaker/config/parser.hpp"

namespace bgpsim::config {
namespace {

using namespace bgpsim::wire;

Config parse_ok(std::string_view text) {
  auto r = parse_config(text, "test.conf");
  if (auto* e = std::get_if<ParseError>(&r)) ADD_FAILURE() << e->to_string();
  return std::holds_alternative<Config>(r) ? std::get<Config>(r) : Config{};
}

ParseError parse_error(std::string_view text) {
  auto r = parse_config(text, "test.conf");
  EXPECT_TRUE(std::holds_alternative<ParseError>(r)) << "expected an error";
  return std::holds_alternative<ParseError>(r) ? std::get<ParseError>(r) : ParseError{};
}

TEST(Config, NeighborWithCapabilitiesFamiliesAndRoutes) {
  auto c = parse_ok(R"(
# a comment
neighbor 127.0.0.1 {
  router-id 10.0.0.2;
  local-address 127.0.0.1;
  local-as 65533;
  peer-as 65533;
  hold-time 90;
  group-updates false;
  md5-password "s3cret";
  capability { asn4 enable; add-path send/receive; route-refresh; graceful-restart 60; }
  family { ipv4 unicast; ipv6 unicast; }
  static {
    route 10.0.2.0/24 next-hop 10.0.255.254 origin igp local-preference 100 community [30740:30740 no-export] as-path [ 1 2 ( 3 4 ) ];
    route 2001:db8::/32 { next-hop 2001:db8::1; med 5; large-community [1:2:3]; path-information 0.0.0.7; }
  }
}
)");
  ASSERT_EQ(c.neighbors.size(), 1u);
  const auto& n = c.neighbors[0];
  EXPECT_EQ(n.router_id, 0x0A000002u);
  EXPECT_EQ(n.local_as, 65533u);
  EXPECT_EQ(n.hold_time_s, 90);
  EXPECT_FALSE(n.group_updates);
  EXPECT_EQ(n.md5_password, "s3cret");
  EXPECT_TRUE(n.capabilities.add_path.send && n.capabilities.add_path.receive);
  EXPECT_TRUE(n.capabilities.route_refresh);
  EXPECT_EQ(n.capabilities.graceful_restart_s, 60);
  EXPECT_EQ(n.families, (std::vector<Family>{ipv4_unicast, ipv6_unicast}));
  ASSERT_EQ(n.routes.size(), 2u);
  const auto& r0 = n.routes[0];
  EXPECT_EQ(r0.nlri.prefix.to_string(), "10.0.2.0/24");
  EXPECT_EQ(r0.attributes.next_hop, IpAddress::parse("10.0.255.254"));
  EXPECT_EQ(r0.attributes.local_pref, 100u);
  EXPECT_EQ(*r0.attributes.communities, (std::vector<std::uint32_t>{0x78147814, 0xFFFFFF01}));
  ASSERT_EQ(r0.attributes.as_path->segments.size(), 2u);
  EXPECT_EQ(r0.attributes.as_path->segments[1].type, AsPathSegment::as_set);
  EXPECT_EQ(r0.where.to_string(), "test.conf:14:11");
  const auto& r1 = n.routes[1];
  EXPECT_EQ(r1.family, ipv6_unicast);
  EXPECT_EQ(r1.attributes.med, 5u);
  EXPECT_EQ(r1.nlri.path_id, 7u);
  EXPECT_EQ(r1.attributes.origin, Origin::igp) << "ExaBGP's default origin";
}

TEST(Config, ExtendedCommunitiesInExabgpWords) {
  auto route = parse_route(
      "10.0.0.1/32 next-hop 1.1.1.1 extended-community [ origin:100:0.0.3.232 target:200:2000 "
      "target:0.1.19.200:6000 origin:9000:9.9.9.9 redirect:1300:83000 72:0.0.0.1 target:400000:5 ]",
      Location{"api", 1, 1});
  ASSERT_TRUE(std::holds_alternative<StaticRoute>(route))
      << std::get<ParseError>(route).to_string();
  // Values as ExaBGP's JSON shows them for the same words.
  EXPECT_EQ(
      *std::get<StaticRoute>(route).attributes.extended_communities,
      (std::vector<std::uint64_t>{844854426862568ull, 563808946882512ull, 72620548618196848ull,
                                  883079787383049ull, 9225629420126028856ull, 563259191066625ull,
                                  (0x0202ull << 48) | (400000ull << 16) | 5}));
}

TEST(Config, ErrorsNameFileLineAndColumn) {
  auto e = parse_error(
      "neighbor 127.0.0.1 {\n  local-as 1;\n  peer-as 1;\n  router-id 1.2.3.4;\n  hold-time "
      "2;\n}\n");
  EXPECT_EQ(e.where.to_string(), "test.conf:5:13");
  EXPECT_NE(e.reason.find("hold-time"), std::string::npos);

  e = parse_error("neighbor 127.0.0.1 {\n  frobnicate 1;\n}\n");
  EXPECT_EQ(e.where.to_string(), "test.conf:2:3");
  EXPECT_NE(e.reason.find("frobnicate"), std::string::npos);

  e = parse_error(
      "neighbor 127.0.0.1 { local-as 1; peer-as 1; router-id 1.1.1.1;\n static { route 10.0.0.0/8 "
      "next-hop 1.1.1.1 community [ 1:x ]; } }");
  EXPECT_EQ(e.where.to_string(), "test.conf:2:57");

  e = parse_error("neighbor 127.0.0.1 { local-as 1;");
  EXPECT_NE(e.reason.find("missing '}'"), std::string::npos);

  e = parse_error("neighbor 127.0.0.1 { peer-as 1; router-id 1.1.1.1; }");
  EXPECT_NE(e.reason.find("local-as"), std::string::npos);

  e = parse_error(
      "neighbor 127.0.0.1 { local-as 1; peer-as 1; router-id 1.1.1.1; static { route 10.0.0.0/8 "
      "origin igp; } }");
  EXPECT_NE(e.reason.find("next-hop"), std::string::npos);
}

TEST(Config, DefaultsFollowExabgp) {
  auto c = parse_ok("neighbor 10.0.0.1 { local-address 10.0.0.2; local-as 1; peer-as 2; }");
  ASSERT_EQ(c.neighbors.size(), 1u);
  const auto& n = c.neighbors[0];
  EXPECT_EQ(n.router_id, 0x0A000002u) << "router-id defaults to the IPv4 local address";
  EXPECT_EQ(n.hold_time_s, 180);
  EXPECT_TRUE(n.capabilities.asn4);
  EXPECT_TRUE(n.group_updates);
  EXPECT_EQ(n.negotiated_families(), std::vector<Family>{ipv4_unicast});
}

}  // namespace
}  // namespace bgpsim::config
