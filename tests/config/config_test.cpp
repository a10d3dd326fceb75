// ExaBGP's configuration language: values, defaults, every keyword, errors
// that name file:line:col (all of them), the canonical form's round trip
// (over the ExaBGP suite and over generated models), and the compact route.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "speaker/config/parser.hpp"
#include "tests/require.hpp"

namespace bgpsim::config {
namespace {

using namespace bgpsim::wire;
namespace fs = std::filesystem;

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

std::vector<std::string> all_errors(std::string_view text) {
  std::istringstream in{std::string(text)};
  auto r = parse_stream(in, "e.conf");
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.to_string());
  return out;
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
  EXPECT_EQ(r0.attributes->next_hop, IpAddress::parse("10.0.255.254"));
  EXPECT_EQ(r0.attributes->local_pref, 100u);
  EXPECT_EQ(*r0.attributes->communities, (std::vector<std::uint32_t>{0x78147814, 0xFFFFFF01}));
  ASSERT_EQ(r0.attributes->as_path->segments.size(), 2u);
  EXPECT_EQ(r0.attributes->as_path->segments[1].type, AsPathSegment::as_set);
  EXPECT_EQ(r0.where.to_string(), "test.conf:14:11");
  const auto& r1 = n.routes[1];
  EXPECT_EQ(r1.family, ipv6_unicast);
  EXPECT_EQ(r1.attributes->med, 5u);
  EXPECT_EQ(r1.nlri.path_id, 7u);
  EXPECT_EQ(r1.attributes->origin, Origin::igp) << "ExaBGP's default origin";
}

TEST(Config, ExtendedCommunitiesInExabgpWords) {
  auto route = parse_route(
      "10.0.0.1/32 next-hop 1.1.1.1 extended-community [ origin:100:0.0.3.232 target:200:2000 "
      "target:0.1.19.200:6000 origin:9000:9.9.9.9 redirect:1300:83000 72:0.0.0.1 target:400000:5 "
      "target4:1:2 origin4:70000:3 l2info:19:0:1500:111 target-as4:1:2 origin-as4:70000:3 "
      "target:400000L:5 ]",
      Location{"api", 1, 1});
  ASSERT_TRUE(std::holds_alternative<StaticRoute>(route))
      << std::get<ParseError>(route).to_string();
  // Values as ExaBGP's JSON shows them for the same words; a 4-byte AS in
  // `target:`/`origin:`, and `target4:`/`origin4:`, take type 0x01 as the
  // ExaBGP of the functional suite writes them (conf-extended-attributes.ci),
  // `target-as4:`/`origin-as4:` RFC 5668's 0x02.
  EXPECT_EQ(
      *std::get<StaticRoute>(route).attributes->extended_communities,
      (std::vector<std::uint64_t>{
          844854426862568ull, 563808946882512ull, 72620548618196848ull, 883079787383049ull,
          9225629420126028856ull, 563259191066625ull, (0x0102ull << 48) | (400000ull << 16) | 5,
          (0x0102ull << 48) | (1ull << 16) | 2, (0x0103ull << 48) | (70000ull << 16) | 3,
          (0x800Aull << 48) | (19ull << 40) | (0ull << 32) | (1500ull << 16) | 111,
          (0x0202ull << 48) | (1ull << 16) | 2, (0x0203ull << 48) | (70000ull << 16) | 3,
          (0x0102ull << 48) | (400000ull << 16) | 5}));
}

TEST(Config, ExtendedCommunityTypesAsTheExabgpSuiteExpects) {
  // encoding/conf-extended-attributes.ci: the configured words and the eight
  // bytes ExaBGP sends for each.
  const std::pair<const char*, std::uint64_t> cases[] = {
      {"origin:100:1000", 0x00030064000003E8},     {"target:200:2000", 0x000200C8000007D0},
      {"origin:300:73000", 0x0003012C00011D28},    {"target:400:74000", 0x0002019000012110},
      {"origin:70500:5000", 0x0103000113641388},   {"target:70600:6000", 0x0102000113C81770},
      {"origin:7.7.7.7:7000", 0x0103070707071B58}, {"target:8.8.8.8:8000", 0x0102080808081F40},
      {"origin:9000:9.9.9.9", 0x0003232809090909}, {"target:1000:10.10.10.10", 0x000203E80A0A0A0A},
      {"origin4:71100:11000", 0x0103000115BC2AF8}, {"target4:71200:12000", 0x0102000116202EE0},
      {"redirect:1300:83000", 0x8008051400014438}, {"l2info:1:2:13398:30864", 0x800A010234567890},
  };
  for (const auto& [words, value] : cases) {
    auto route =
        parse_route(std::string("10.0.0.1/32 next-hop 1.1.1.1 extended-community ") + words,
                    Location{"api", 1, 1});
    ASSERT_TRUE(std::holds_alternative<StaticRoute>(route)) << words;
    EXPECT_EQ(*std::get<StaticRoute>(route).attributes->extended_communities,
              std::vector<std::uint64_t>{value})
        << words;
  }
}

TEST(Config, ParseRouteErrorsAreAtTheGivenPlace) {
  auto route = parse_route("10.0.0.0/8 next-hop 1.1.1.1 med x", Location{"api", 3, 10});
  ASSERT_TRUE(std::holds_alternative<ParseError>(route));
  EXPECT_EQ(std::get<ParseError>(route).to_string(), "api:3:42: med must be a 32-bit number");
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

// Every error of a file, each at its place; parsing resumes after each.
TEST(Config, EveryErrorIsReportedWithItsPlace) {
  auto errors = all_errors(R"(process p { run ./x; encoder yaml; }
neighbor 10.0.0.1 {
	local-as 1; peer-as x; router-id 1.1.1.1;
	frob { a; b { c; } }
	capability { warp-drive enable; asn4 maybe; }
	family { ipv4 unicorn; }
	api { processes [ p nope ]; receive { gossip; } }
	static {
		route 10.0.0.0/33 next-hop 1.1.1.1;
		route 10.0.0.0/8 next-hop 1.1.1.1 colour red;
		route 10.1.0.0/16 next-hop 1.1.1.1 split /8;
		route 10.2.0.0/16;
		route 10.3.0.0/16 next-hop 1.1.1.1 attribute [ 0x99 0x40 1234 ];
		route 10.4.0.0/16 next-hop 1.1.1.1 label 2000000;
		route 10.5.0.0/16 next-hop 1.1.1.1 rd 1.2.3.4.5:1;
		route 10.6.0.0/16 next-hop 1.1.1.1 bgp-prefix-sid-srv6 ( l4-service ::1 );
	}
	flow { route r { match { colour blue; } then { explode; } } }
	tcp-ao { keyid 300; algorithm rot13; }
	inherit nobody;
	hold-time 1
}
neighbor 10.0.0.2 { local-as 1; peer-as 1; }
template { neighbor t { bogus 1; } }
widget 3;
}
)");
  const std::vector<std::string> expected = {
      "e.conf:1:30: encoder is json or text",
      "e.conf:3:22: peer-as must be an AS number",
      "e.conf:4:2: unknown keyword 'frob' in neighbor",
      "e.conf:5:15: unknown capability 'warp-drive'",
      "e.conf:5:39: 'asn4' takes enable/disable or true/false",
      "e.conf:6:11: unknown family 'ipv4 unicorn'",
      "e.conf:7:40: unknown keyword 'gossip' in api receive/send",
      "e.conf:9:9: '10.0.0.0/33' is not a prefix",
      "e.conf:10:37: unknown route attribute 'colour'",
      "e.conf:11:9: split /8 is not within 16..32",
      "e.conf:12:9: route 10.2.0.0/16 needs a next-hop",
      "e.conf:13:60: attribute value must be hexadecimal (0x...)",
      "e.conf:14:44: a label is 0..1048575",
      "e.conf:15:41: rd must be ASN:N or IPv4:N",
      "e.conf:16:60: expected l3-service or l2-service",
      "e.conf:18:27: unknown flow match component 'colour'",
      "e.conf:18:49: unknown flow action 'explode'",
      "e.conf:19:17: keyid is 0..255",
      "e.conf:19:32: algorithm is hmac-sha-1-96, aes-128-cmac-96 or hmac-sha-256",
      "e.conf:20:10: no template named 'nobody'",
      "e.conf:22:1: missing ';' before '}'",
      "e.conf:21:12: hold-time must be 0 or 3..65535 seconds",
      "e.conf:2:1: neighbor needs peer-as",
      "e.conf:2:1: api names process 'nope', which is not defined",
      "e.conf:23:1: neighbor needs router-id (or an IPv4 local-address)",
      "e.conf:24:25: unknown keyword 'bogus' in neighbor",
      "e.conf:25:1: unknown top-level statement 'widget'",
      "e.conf:26:1: '}' without a matching '{'",
  };
  EXPECT_EQ(errors, expected);
}

// The FSM keywords: defaults, and bad values named at their place.
TEST(Config, FsmKeywords) {
  const char* base = "neighbor 10.0.0.1 { local-as 1; peer-as 2; router-id 1.1.1.1;\n";
  auto defaults = parse_ok(std::string(base) + "}").neighbors.at(0);
  EXPECT_EQ(defaults.connect_retry_s, 120);  // RFC 4271 10
  EXPECT_EQ(defaults.delay_open_s, 0);
  EXPECT_FALSE(defaults.send_notification_without_open);
  EXPECT_EQ(defaults.send_hold_time_s, 0u);
  EXPECT_EQ(defaults.stale_routes_time_s, 360);
  EXPECT_EQ(defaults.refresh_stale_time_s, 360);
  EXPECT_TRUE(defaults.maximum_prefix.empty());
  auto first_error = [&](const std::string& line) {
    std::istringstream in(std::string(base) + line + "\n}");
    auto r = parse_stream(in, "test.conf");
    return r.errors.empty() ? std::string() : r.errors[0].to_string();
  };
  EXPECT_EQ(first_error(" connect-retry 0;"),
            "test.conf:2:16: connect-retry must be 1..65535 seconds");
  EXPECT_EQ(first_error(" stale-routes-time 0;"),
            "test.conf:2:20: stale-routes-time must be 1..65535 seconds");
  EXPECT_EQ(first_error(" refresh-stale-time 65536;"),
            "test.conf:2:21: refresh-stale-time must be 1..65535 seconds");
  EXPECT_EQ(first_error(" delay-open 70000;"),
            "test.conf:2:13: delay-open must be 0..65535 seconds (0: off)");
  EXPECT_EQ(first_error(" send-hold-time soon;"),
            "test.conf:2:17: send-hold-time must be a number of seconds (0: the RFC 9687 default)");
  EXPECT_EQ(first_error(" maximum-prefix ipv4 unicast;"),
            "test.conf:2:2: expected 'maximum-prefix AFI SAFI N'");
  EXPECT_EQ(first_error(" maximum-prefix ipv9 unicast 10;"),
            "test.conf:2:17: unknown family 'ipv9 unicast'");
  EXPECT_EQ(first_error(" maximum-prefix ipv4 unicast many;"),
            "test.conf:2:30: maximum-prefix must be a number of routes");
  EXPECT_EQ(first_error(" send-notification-without-open perhaps;").find("test.conf:2:"), 0u);
  // Graceful restart (RFC 8538, RFC 9494): off unless asked for.
  EXPECT_FALSE(defaults.capabilities.graceful_restart_notification);
  EXPECT_FALSE(defaults.capabilities.long_lived_stale_s.has_value());
  EXPECT_EQ(first_error(" capability { long-lived-graceful-restart 16777216; }"),
            "test.conf:2:43: long-lived stale time is 0..16777215 seconds");
  EXPECT_EQ(first_error(" capability { long-lived-graceful-restart ipv4 unicorn 60; }"),
            "test.conf:2:43: unknown family 'ipv4 unicorn'");
  EXPECT_EQ(first_error(" capability { long-lived-graceful-restart ipv4 unicast; }"),
            "test.conf:2:15: expected 'long-lived-graceful-restart SECONDS' or "
            "'long-lived-graceful-restart AFI SAFI SECONDS'");
  EXPECT_EQ(
      first_error(" capability { graceful-restart-notification maybe; }").find("test.conf:2:"), 0u);
}

TEST(Config, UnterminatedBlockAndStatement) {
  EXPECT_EQ(all_errors("neighbor 10.0.0.1 {\n local-as 1"),
            (std::vector<std::string>{"e.conf:2:2: statement is not ended by ';' or a block",
                                      "e.conf:2:12: missing '}' at the end of the file"}));
  EXPECT_EQ(all_errors("process p {\n}\n"),
            std::vector<std::string>{"e.conf:1:1: process 'p' needs 'run COMMAND'"});
}

TEST(Config, DefaultsFollowExabgp) {
  auto c = parse_ok("neighbor 10.0.0.1 { local-address 10.0.0.2; local-as 1; peer-as 2; }");
  ASSERT_EQ(c.neighbors.size(), 1u);
  const auto& n = c.neighbors[0];
  EXPECT_EQ(n.router_id, 0x0A000002u) << "router-id defaults to the IPv4 local address";
  EXPECT_EQ(n.hold_time_s, 180);
  EXPECT_TRUE(n.capabilities.asn4);
  EXPECT_TRUE(n.group_updates);
  EXPECT_TRUE(n.auto_flush);
  EXPECT_FALSE(n.manual_eor);
  EXPECT_EQ(n.negotiated_families(), std::vector<Family>{ipv4_unicast});
  EXPECT_FALSE(n.unsupported());
}

fs::path data_dir() { return fs::path(BGPSIM_CONFIG_TEST_DATA); }

TEST(Config, EveryKeyword) {
  auto r = parse_file(data_dir() / "every_keyword.conf");
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  const auto& c = r.config;
  ASSERT_EQ(c.processes.size(), 2u);
  EXPECT_EQ(c.processes[0].run,
            (std::vector<std::string>{"/usr/bin/env", "python3", "./announce.py", "--fast"}));
  EXPECT_EQ(c.processes[0].encoder, "json");
  EXPECT_FALSE(c.processes[0].respawn);
  EXPECT_TRUE(c.processes[1].respawn);
  ASSERT_EQ(c.neighbors.size(), 1u);
  const auto& n = c.neighbors[0];
  // From the template, unless the neighbor says otherwise.
  EXPECT_EQ(n.local_as, 65000u);
  EXPECT_EQ(n.peer_as, 65002u);
  EXPECT_EQ(n.hold_time_s, 90);
  EXPECT_FALSE(n.group_updates);
  EXPECT_EQ(n.capabilities.graceful_restart_s, 60);
  EXPECT_TRUE(n.capabilities.graceful_restart_notification);
  EXPECT_EQ(n.capabilities.long_lived_stale_s, 3600u);
  // The neighbor's own family entry, the last one written.
  EXPECT_EQ(n.capabilities.long_lived_families,
            (std::vector<std::pair<Family, std::uint32_t>>{{ipv6_unicast, 86400}}));
  EXPECT_TRUE(n.capabilities.route_refresh);
  EXPECT_EQ(n.families,
            (std::vector<Family>{ipv4_unicast, ipv6_unicast, Family(Afi::ipv4, Safi::flow),
                                 Family(Afi::ipv4, Safi::srte), Family(Afi::l2vpn, Safi::vpls)}));
  // The neighbor's own settings.
  EXPECT_EQ(n.description, "every keyword");
  EXPECT_TRUE(n.passive);
  EXPECT_EQ(n.listen_port, 1179);
  EXPECT_EQ(n.connect_port, 2179);
  EXPECT_FALSE(n.auto_flush);
  EXPECT_TRUE(n.manual_eor);
  EXPECT_FALSE(n.adj_rib_in);
  EXPECT_EQ(n.host_name, "my-host");
  EXPECT_EQ(n.domain_name, "example.net");
  EXPECT_EQ(n.md5_ip, IpAddress::parse("10.0.0.2"));
  EXPECT_EQ(n.outgoing_ttl, 255);
  EXPECT_EQ(n.incoming_ttl, 254);
  EXPECT_EQ(n.local_link_local, IpAddress::parse("fe80::1"));
  // RFC 4271 8.1.1 / 10, RFC 9687, RFC 4486 (not ExaBGP's): the last limit of a family wins.
  EXPECT_EQ(n.connect_retry_s, 30);
  EXPECT_EQ(n.delay_open_s, 5);
  EXPECT_TRUE(n.send_notification_without_open);
  EXPECT_EQ(n.send_hold_time_s, 600u);
  EXPECT_EQ(n.stale_routes_time_s, 120);
  EXPECT_EQ(n.refresh_stale_time_s, 90);
  EXPECT_EQ(n.maximum_prefix, (std::vector<std::pair<Family, std::uint32_t>>{
                                  {ipv6_unicast, 200}, {ipv4_unicast, 1500}}));
  ASSERT_TRUE(n.tcp_ao);
  EXPECT_EQ(*n.tcp_ao, (TcpAo{7, "hmac-sha-256", "key-words"}));
  const auto& cap = n.capabilities;
  EXPECT_TRUE(cap.extended_message && cap.extended_next_hop && cap.software_version &&
              cap.multi_session && cap.operational && cap.link_local_nexthop && cap.aigp);
  EXPECT_EQ(cap.add_path_families, (std::vector<Family>{ipv4_unicast, ipv6_unicast}));
  EXPECT_EQ(cap.add_path_limits.size(), 1u);
  EXPECT_EQ(n.next_hops, (std::vector<NextHopFamily>{{ipv4_unicast, 2}}));
  ASSERT_EQ(n.api.size(), 2u);
  EXPECT_TRUE(n.api[0].neighbor_changes);  // the template's first
  EXPECT_TRUE(n.api[0].negotiated);
  EXPECT_FALSE(n.api[1].negotiated);
  EXPECT_EQ(n.api[0].processes, std::vector<std::string>{"watcher"});
  EXPECT_EQ(n.api[1].processes, std::vector<std::string>{"announcer"});
  EXPECT_EQ(n.api[1].processes_match, std::vector<std::string>{"^watch"});
  EXPECT_TRUE(n.api[1].receive.parsed && n.api[1].receive.operational && n.api[1].send.packets);
  EXPECT_FALSE(n.api[1].send.open);
  // Routes: the template's first, split into four /24, then the rest, and
  // the flow and family routes (sr-policy, mcast-vpn, mup, two vpls, two
  // flow) built from their words.
  ASSERT_EQ(n.routes.size(), 1u + 1u + 4u + 1u + 1u + 1u + 1u + 2u + 7u);
  EXPECT_EQ(n.routes[0].nlri.prefix.to_string(), "192.0.2.0/24");
  const auto& first = n.routes[1];
  EXPECT_TRUE(first.next_hop_self);
  const auto& a = *first.attributes;
  EXPECT_EQ(a.origin, Origin::egp);
  EXPECT_EQ(a.med, 5u);
  EXPECT_EQ(a.local_pref, 200u);
  EXPECT_TRUE(a.atomic_aggregate);
  EXPECT_EQ(a.aggregator, (Aggregator{65000, *IpAddress::parse("1.2.3.4")}));
  EXPECT_EQ(*a.communities,
            (std::vector<std::uint32_t>{(65000u << 16) | 1, 0xFFFFFF01, 0x87654321}));
  EXPECT_EQ(a.extended_communities->size(), 5u);
  EXPECT_EQ(a.extended_communities->at(4), 0x0002fde800000001ull);
  EXPECT_EQ(a.originator_id, 0x01010101u);
  EXPECT_EQ(*a.cluster_list, std::vector<std::uint32_t>{0x02020202});
  EXPECT_EQ(a.aigp, 100u);
  ASSERT_EQ(a.other.size(), 1u);
  EXPECT_EQ(a.other[0], (RawAttribute{0xc0, 0x99, {1, 2}}));
  EXPECT_EQ(first.nlri.path_id, 3u);
  EXPECT_EQ(first.extra().name, "first");
  EXPECT_EQ(first.extra().watchdog, "dog");
  EXPECT_TRUE(first.extra().withdrawn);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(n.routes[2 + i].nlri.prefix.to_string(), fmt::format("10.2.{}.0/24", i));
  EXPECT_EQ(n.routes[2].attributes, n.routes[5].attributes) << "one attribute set, shared";
  EXPECT_EQ(n.routes[6].attributes->med, 7u);
  const auto& vpn = n.routes[7];
  EXPECT_EQ(vpn.family, Family(Afi::ipv4, Safi::mpls_vpn));
  EXPECT_EQ(vpn.extra().rd, (RouteDistinguisher{0, (65000ull << 32) | 1}));
  EXPECT_EQ(vpn.extra().labels, (std::vector<std::uint32_t>{100, 200}));
  const auto& labelled = n.routes[8];
  EXPECT_EQ(labelled.family, Family(Afi::ipv4, Safi::nlri_mpls));
  EXPECT_EQ(labelled.extra().prefix_sid, (PrefixSid{300, {{800000, 4096}}}));
  // Sent as the Prefix-SID attribute (RFC 8669): Label-Index and Originator SRGB TLVs.
  ASSERT_EQ(labelled.attributes->other.size(), 1u);
  EXPECT_EQ(labelled.attributes->other[0],
            (RawAttribute{
                0xC0, 40, {0x01, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2C,  // index 300
                           0x03, 0x00, 0x08, 0x00, 0x00, 0x0C, 0x35, 0x00, 0x00, 0x10, 0x00}}));
  const auto& srv6 = n.routes[9];
  EXPECT_EQ(srv6.extra().rd, (RouteDistinguisher{1, (0x01020304ull << 16) | 5}));
  ASSERT_TRUE(srv6.extra().prefix_sid_srv6);
  EXPECT_EQ(srv6.extra().prefix_sid_srv6->behavior, 0x48);
  EXPECT_EQ(srv6.extra().prefix_sid_srv6->structure,
            (std::array<std::uint8_t, 6>{64, 24, 16, 0, 0, 0}));
  EXPECT_EQ(n.routes[10].family, ipv4_multicast);
  EXPECT_EQ(n.routes[11].family, ipv6_unicast);
  // Then the routes built from family routes, then from flow routes.
  EXPECT_EQ(n.routes[12].family, Family(Afi::ipv4, Safi::srte));
  // The SR Policy's candidate path: the Tunnel Encapsulation attribute (RFC
  // 9012) with preference, one segment list and the policy name (RFC 9830).
  ASSERT_EQ(n.routes[12].attributes->other.size(), 1u);
  EXPECT_EQ(n.routes[12].attributes->other[0],
            (RawAttribute{0xC0, 23,
                          *wire::parse_hex("000F0022 0C06 0000 00000064 800011 00 0906 "
                                           "0000 00000001 0106 0000 03E80000 820003 00 7031")}));
  EXPECT_EQ(n.routes[13].family, Family(Afi::ipv4, Safi::mcast_vpn));
  EXPECT_EQ(n.routes[16].family, Family(Afi::l2vpn, Safi::vpls));
  EXPECT_EQ(n.routes[17].family, Family(Afi::ipv4, Safi::flow_vpn));
  // Flow and family routes: their words in the model, for printing.
  ASSERT_EQ(n.family_routes.size(), 5u);
  EXPECT_EQ(n.family_routes[0].kind, "sr-policy");
  EXPECT_EQ(n.family_routes[0].family, Family(Afi::ipv4, Safi::srte));
  EXPECT_EQ(n.family_routes[0].fields[0], (Field{"distinguisher", {"0"}}));
  EXPECT_EQ(n.family_routes[0].attributes->next_hop, IpAddress::parse("10.0.0.254"));
  EXPECT_EQ(n.family_routes[1].family, Family(Afi::ipv4, Safi::mcast_vpn));
  EXPECT_TRUE(n.family_routes[1].rd);
  EXPECT_EQ(n.family_routes[2].family, Family(Afi::ipv6, Safi::mup));
  EXPECT_EQ(n.family_routes[3].family, Family(Afi::l2vpn, Safi::vpls));
  EXPECT_EQ(n.family_routes[4].name, "site5");
  ASSERT_EQ(n.flow_routes.size(), 2u);
  const auto& f = n.flow_routes[0];
  EXPECT_EQ(f.family, Family(Afi::ipv4, Safi::flow_vpn));
  EXPECT_EQ(f.name, "block-it");
  EXPECT_EQ(f.next_hop, IpAddress::parse("5.6.7.8"));
  EXPECT_EQ(f.match[1], (FlowMatch{"destination-port", {">8080&<8088", "=3128"}}));
  EXPECT_EQ(f.then[0], (Field{"rate-limit", {"1000", "packets"}}));
  EXPECT_EQ(*f.attributes->communities, std::vector<std::uint32_t>{30740u << 16});
  EXPECT_EQ(f.scope[0].key, "interface-set");
  EXPECT_EQ(n.flow_routes[1].family, Family(Afi::ipv6, Safi::flow));
  // Used by the speaker: every family written has a row.
  auto why = n.unsupported();
  EXPECT_FALSE(why) << *why;
}

TEST(Config, SrPolicyRoutesAndTheirErrors) {
  // `sr-policy` in static takes its family from the endpoint; no sub-TLV
  // word, no Tunnel Encapsulation attribute.
  auto c = parse_ok(
      "neighbor 10.0.0.1 { local-as 1; peer-as 1; router-id 1.1.1.1;\n"
      " static { sr-policy distinguisher 0 color 100 endpoint 2001:db8::1 next-hop 10.0.0.254; } "
      "}");
  const auto& n = c.neighbors.at(0);
  EXPECT_FALSE(n.unsupported());
  ASSERT_EQ(n.routes.size(), 1u);
  EXPECT_EQ(n.routes[0].family, Family(Afi::ipv6, Safi::srte));
  EXPECT_TRUE(n.routes[0].attributes->other.empty());
  // A word the attribute cannot take: named, with the route's place.
  auto e = parse_error(
      "neighbor 10.0.0.1 { local-as 1; peer-as 1; router-id 1.1.1.1;\n"
      " announce { ipv4 { sr-policy distinguisher 0 color 1 endpoint 10.0.0.1 next-hop 10.0.0.2 "
      "segment-list weight 1 segment type-a mpls 2000000; } } }");
  EXPECT_EQ(e.where.to_string(), "test.conf:2:20");
  EXPECT_NE(e.reason.find("ipv4 sr-policy route: 'mpls' needs a number up to 1048575"),
            std::string::npos)
      << e.reason;
}

// Where two models differ first (for failure messages).
std::string first_difference(const Config& x, const Config& y) {
  if (x.processes != y.processes) return "processes";
  if (x.neighbors.size() != y.neighbors.size()) return "neighbor count";
  for (std::size_t i = 0; i < x.neighbors.size(); ++i) {
    const auto& a = x.neighbors[i];
    const auto& b = y.neighbors[i];
    if (a.capabilities != b.capabilities) return "capabilities";
    if (a.api != b.api) return "api";
    if (a.families != b.families) return "families";
    if (a.routes.size() != b.routes.size()) return "route count";
    for (std::size_t j = 0; j < a.routes.size(); ++j)
      if (!(a.routes[j] == b.routes[j])) return "route " + a.routes[j].nlri.prefix.to_string();
    if (a.flow_routes != b.flow_routes) return "flow routes";
    for (std::size_t j = 0; j < a.family_routes.size() && j < b.family_routes.size(); ++j)
      if (!(a.family_routes[j] == b.family_routes[j])) return "family route " + std::to_string(j);
    if (a.family_routes != b.family_routes) return "family routes";
    if (!(a == b)) return "neighbor settings";
  }
  return "nothing";
}

void expect_round_trip(const Config& c, const std::string& what) {
  const std::string printed = print_config(c);
  std::istringstream in(printed);
  auto again = parse_stream(in, "printed.conf");
  for (const auto& e : again.errors) ADD_FAILURE() << what << ": printed form: " << e.to_string();
  EXPECT_TRUE(again.config == c) << what << ": printed form parses to another model (first "
                                 << first_difference(c, again.config) << "):\n"
                                 << printed;
  EXPECT_EQ(print_config(again.config), printed) << what << ": the canonical form is not stable";
}

TEST(Config, EveryKeywordRoundTrips) {
  auto r = parse_file(data_dir() / "every_keyword.conf");
  ASSERT_TRUE(r.errors.empty());
  expect_round_trip(r.config, "every_keyword.conf");
}

// The ExaBGP suite: every configuration file is accepted and round-trips.
TEST(Config, ExabgpSuiteChecksAndRoundTrips) {
  const fs::path qa = test::shared_dir() / "exabgp-qa";
  if (!fs::is_directory(qa))
    return test::skip_or_fail(qa.string() +
                              " is absent: the suite's configurations are not checked");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(qa / "etc"))
    if (e.path().extension() == ".conf") files.push_back(e.path());
  for (const auto& e : fs::directory_iterator(qa / "encoding"))
    if (e.path().extension() == ".conf" && e.path().filename().string().rfind("skip-", 0) == 0)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 100u);
  std::size_t accepted = 0;
  for (const auto& f : files) {
    auto r = parse_file(f);
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    if (!r.errors.empty()) continue;
    ++accepted;
    expect_round_trip(r.config, f.filename().string());
  }
  std::cout << accepted << " of " << files.size() << " suite files accepted\n";
  EXPECT_EQ(accepted, files.size());
}

// --- Generated models ---------------------------------------------------------

rc::Gen<IpAddress> gen_v4() {
  return rc::gen::map(rc::gen::arbitrary<std::uint32_t>(),
                      [](std::uint32_t v) { return IpAddress::v4_from_u32(v); });
}

rc::Gen<PathAttributes> gen_attributes() {
  return rc::gen::exec([] {
    PathAttributes a;
    a.origin = static_cast<Origin>(*rc::gen::inRange(0, 3));
    AsPath path;
    if (*rc::gen::arbitrary<bool>())
      path.segments.push_back({AsPathSegment::as_sequence,
                               *rc::gen::nonEmpty(rc::gen::container<std::vector<std::uint32_t>>(
                                   rc::gen::inRange<std::uint32_t>(1, 4000000000u)))});
    if (*rc::gen::arbitrary<bool>())
      path.segments.push_back(
          {AsPathSegment::as_set, *rc::gen::nonEmpty(rc::gen::container<std::vector<std::uint32_t>>(
                                      rc::gen::inRange<std::uint32_t>(1, 65535)))});
    a.as_path = path;
    a.next_hop = *gen_v4();
    if (*rc::gen::arbitrary<bool>()) a.med = *rc::gen::arbitrary<std::uint32_t>();
    if (*rc::gen::arbitrary<bool>()) a.local_pref = *rc::gen::arbitrary<std::uint32_t>();
    a.atomic_aggregate = *rc::gen::arbitrary<bool>();
    if (*rc::gen::arbitrary<bool>())
      a.aggregator = Aggregator{*rc::gen::arbitrary<std::uint32_t>(), *gen_v4()};
    if (*rc::gen::arbitrary<bool>())
      a.communities =
          *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) a.originator_id = *rc::gen::arbitrary<std::uint32_t>();
    if (*rc::gen::arbitrary<bool>())
      a.cluster_list =
          *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>())
      a.extended_communities =
          *rc::gen::container<std::vector<std::uint64_t>>(rc::gen::arbitrary<std::uint64_t>());
    if (*rc::gen::arbitrary<bool>()) a.aigp = *rc::gen::arbitrary<std::uint64_t>();
    if (*rc::gen::arbitrary<bool>())
      a.large_communities =
          *rc::gen::container<std::vector<LargeCommunity>>(rc::gen::arbitrary<LargeCommunity>());
    if (*rc::gen::arbitrary<bool>())
      a.other.push_back(RawAttribute{*rc::gen::arbitrary<std::uint8_t>(),
                                     *rc::gen::inRange<std::uint8_t>(100, 255),
                                     *rc::gen::arbitrary<Bytes>()});
    return a;
  });
}

rc::Gen<StaticRoute> gen_route() {
  return rc::gen::exec([] {
    StaticRoute r;
    const bool v6 = *rc::gen::arbitrary<bool>();
    IpAddress addr = v6 ? *rc::gen::map(rc::gen::arbitrary<std::array<std::uint8_t, 16>>(),
                                        [](auto b) {
                                          IpAddress x;
                                          x.bytes = b;
                                          x.v6 = true;
                                          return x;
                                        })
                        : *gen_v4();
    auto p = IpPrefix::parse(addr.to_string() + "/" +
                             std::to_string(*rc::gen::inRange(0, v6 ? 129 : 33)));
    r.nlri.prefix = *p;
    if (*rc::gen::arbitrary<bool>()) r.nlri.path_id = *rc::gen::arbitrary<std::uint32_t>();
    r.attributes = share(*gen_attributes());
    r.next_hop_self = *rc::gen::arbitrary<bool>();
    RouteExtras x;
    if (*rc::gen::arbitrary<bool>())
      x.rd = RouteDistinguisher{0, *rc::gen::arbitrary<std::uint64_t>() & 0x0000FFFFFFFFFFFFull};
    if (*rc::gen::arbitrary<bool>())
      x.labels = *rc::gen::container<std::vector<std::uint32_t>>(
          rc::gen::inRange<std::uint32_t>(0, 1u << 20));
    if (*rc::gen::arbitrary<bool>())
      x.name = "n" + std::to_string(*rc::gen::arbitrary<std::uint16_t>());
    if (*rc::gen::arbitrary<bool>()) {
      x.prefix_sid = PrefixSid{*rc::gen::arbitrary<std::uint32_t>(), {{1, 2}}};
      // What the parser makes of the words: the Prefix-SID attribute (code 40,
      // before the generated codes 100-255).
      Bytes value;
      Writer w(value);
      prefix_sid::label_index(w, x.prefix_sid->label_index);
      prefix_sid::originator_srgb(w, x.prefix_sid->srgbs);
      PathAttributes a = *r.attributes;
      a.other.insert(a.other.begin(), prefix_sid::attribute(std::move(value)));
      r.attributes = share(std::move(a));
    }
    if (x != RouteExtras{}) r.extras = std::make_shared<const RouteExtras>(x);
    const auto afi = v6 ? Afi::ipv6 : Afi::ipv4;
    r.family = Family(afi, x.rd                          ? Safi::mpls_vpn
                           : !x.labels.empty()           ? Safi::nlri_mpls
                           : *rc::gen::arbitrary<bool>() ? Safi::multicast
                                                         : Safi::unicast);
    return r;
  });
}

// The model's compact prefix and the wire NLRI it stands for convert both
// ways (the replay driver makes configured routes of RIB keys).
RC_GTEST_PROP(ConfigProperty, RouteNlriConvertsBothWays, ()) {
  StaticRoute r = *gen_route();
  if (r.extra().labels.size() > LabelStack::capacity) {
    RouteExtras x = r.extra();
    x.labels.resize(LabelStack::capacity);  // what the wire carries at most
    r.extras = std::make_shared<const RouteExtras>(std::move(x));
  }
  StaticRoute back;
  back.family = r.family;
  back.set_route_nlri(r.route_nlri());
  RC_ASSERT(back.nlri == r.nlri);
  RC_ASSERT(back.route_nlri() == r.route_nlri());
}

RC_GTEST_PROP(ConfigProperty, PrintThenParseGivesTheSameModel, ()) {
  Config c;
  if (*rc::gen::arbitrary<bool>())
    c.processes.push_back(Process{"p", {"./run", "a b"}, "json", false, {}});
  Neighbor n;
  n.peer_address = *gen_v4();
  n.local_as = *rc::gen::inRange<std::uint32_t>(1, 4000000000u);
  n.peer_as = *rc::gen::inRange<std::uint32_t>(1, 4000000000u);
  n.router_id = *rc::gen::arbitrary<std::uint32_t>();
  n.hold_time_s = *rc::gen::element<std::uint16_t>(0, 3, 90, 65535);
  n.passive = *rc::gen::arbitrary<bool>();
  n.group_updates = *rc::gen::arbitrary<bool>();
  n.description = *rc::gen::element<std::string>("", "a b", "it's", "x;y{z}");
  n.capabilities.route_refresh = *rc::gen::arbitrary<bool>();
  if (*rc::gen::arbitrary<bool>())
    n.capabilities.graceful_restart_s = *rc::gen::inRange<std::uint16_t>(0, 4096);
  n.capabilities.graceful_restart_notification = *rc::gen::arbitrary<bool>();
  if (*rc::gen::arbitrary<bool>())
    n.capabilities.long_lived_stale_s = *rc::gen::inRange<std::uint32_t>(0, 0x1000000);
  if (*rc::gen::arbitrary<bool>())
    n.capabilities.long_lived_families = {{ipv6_unicast, *rc::gen::inRange<std::uint32_t>(0, 9)}};
  n.families = *rc::gen::container<std::vector<Family>>(
      rc::gen::element(ipv4_unicast, ipv6_unicast, Family(Afi::ipv4, Safi::flow)));
  if (*rc::gen::arbitrary<bool>() && !c.processes.empty())
    n.api.push_back(ApiBinding{"", {"p"}, {}, true, *rc::gen::arbitrary<bool>(), {}, {}});
  for (const auto& r : *rc::gen::container<std::vector<StaticRoute>>(gen_route()))
    n.routes.push_back(r);
  c.neighbors.push_back(n);
  const std::string printed = print_config(c);
  std::istringstream in(printed);
  auto again = parse_stream(in, "generated.conf");
  for (const auto& e : again.errors) RC_LOG() << e.to_string() << "\n";
  RC_LOG() << first_difference(c, again.config) << "\n" << printed;
  RC_ASSERT(again.errors.empty());
  RC_ASSERT(again.config == c);
}

}  // namespace
}  // namespace bgpsim::config
