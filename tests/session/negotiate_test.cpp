// OPEN construction and capability negotiation, one interplay per test.
#include "speaker/session/negotiate.hpp"

#include <gtest/gtest.h>

namespace bgpsim::session {
namespace {

namespace cap = wire::cap;

PeerConfig local_config() {
  PeerConfig c;
  c.local_as = 65001;
  c.peer_as = 65002;
  c.router_id = 0x01010101;
  c.hold_time_s = 90;
  return c;
}

PeerConfig remote_config() {
  PeerConfig c;
  c.local_as = 65002;
  c.peer_as = 65001;
  c.router_id = 0x02020202;
  c.hold_time_s = 180;
  return c;
}

wire::Result<Negotiated> run(const PeerConfig& local, const PeerConfig& remote) {
  return negotiate(local, make_open(local), make_open(remote));
}

void expect_open_error(const wire::Result<Negotiated>& r, std::uint8_t subcode) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, static_cast<std::uint8_t>(wire::NotifyCode::open_message));
  EXPECT_EQ(r.error().subcode, subcode) << r.error().reason;
}

TEST(MakeOpen, CarriesConfiguredCapabilities) {
  auto c = local_config();
  c.families = {wire::ipv4_unicast, wire::ipv6_unicast};
  c.add_path = {{wire::ipv4_unicast, true, false}, {wire::ipv6_unicast, false, false}};
  c.extended_message = true;
  auto open = make_open(c);
  EXPECT_EQ(open.version, 4);
  EXPECT_EQ(open.my_as, 65001);
  EXPECT_EQ(open.hold_time_s, 90);
  EXPECT_EQ(open.bgp_identifier, 0x01010101u);
  const std::vector<wire::Capability> expected{
      cap::Multiprotocol{wire::ipv4_unicast},
      cap::Multiprotocol{wire::ipv6_unicast},
      cap::FourOctetAsn{65001},
      cap::AddPath{{{wire::ipv4_unicast, cap::AddPath::send}}},
      cap::RouteRefresh{},
      cap::ExtendedMessage{}};
  EXPECT_EQ(open.capabilities(), expected);
  EXPECT_EQ(open.capability_parameters.size(), expected.size());  // one per parameter
}

TEST(MakeOpen, CapabilitiesGoInExabgpsOrder) {
  auto c = local_config();
  c.add_path = {{wire::ipv4_unicast, true, true}};
  c.extended_next_hop = {{wire::ipv4_unicast, 2}};
  c.graceful_restart = cap::GracefulRestart{false, false, 120, {}};
  c.enhanced_route_refresh = true;
  c.extended_message = true;
  c.extra_capabilities = {cap::Fqdn{"h", "d"}, cap::SoftwareVersion{"v"}, cap::LinkLocalNextHop{}};
  std::vector<std::uint8_t> codes;
  for (const auto& capability : make_open(c).capabilities())
    codes.push_back(wire::capability_code(capability));
  // ExaBGP's Capabilities.new(): multiprotocol, asn4, nexthop, add-path,
  // graceful restart, route refresh (+ enhanced), extended message, hostname,
  // software version; then link-local next hop.
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{1, 65, 5, 69, 64, 2, 70, 6, 73, 75, 77}));
}

TEST(MakeOpen, SoftwareVersionAndLinkLocalBytesAsExabgpSends) {
  PeerConfig c;
  c.local_as = 65533;
  c.router_id = 0x0A000002;
  c.hold_time_s = 180;
  c.route_refresh = false;
  c.extended_message = true;
  c.extra_capabilities = {cap::SoftwareVersion{"ExaBGP/5.0.0-0+test"}};
  // encoding/conf-cap-software-version.ci
  EXPECT_EQ(wire::to_hex(wire::encode_message(wire::Message(make_open(c)), {})),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF004901"
            "04FFFD00B40A0000022C0206010400010001020641040000FFFD0202"
            "060002164B14134578614247502F352E302E302D302B74657374");
  c.families = {wire::ipv6_unicast};
  c.extra_capabilities = {cap::LinkLocalNextHop{}};
  // encoding/conf-cap-link-local-nexthop.ci
  EXPECT_EQ(wire::to_hex(wire::encode_message(wire::Message(make_open(c)), {})),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003501"
            "04FFFD00B40A000002180206010400020001020641040000FFFD0202"
            "060002024D00");
}

TEST(Negotiate, ExabgpCompatReachesBothContexts) {
  auto local = local_config();
  auto n = run(local, remote_config());
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->receive.exabgp_compat);
  EXPECT_FALSE(n->send.exabgp_compat);
  local.exabgp_compat = true;
  n = run(local, remote_config());
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->receive.exabgp_compat);
  EXPECT_TRUE(n->send.exabgp_compat);
}

TEST(MakeOpen, FourByteAsnUsesAsTrans) {
  auto c = local_config();
  c.local_as = 4200000001;
  auto open = make_open(c);
  EXPECT_EQ(open.my_as, wire::as_trans);
  EXPECT_EQ(open.asn(), 4200000001u);
}

TEST(ConfigError, RejectsBadValues) {
  EXPECT_EQ(config_error(local_config()), std::nullopt);
  for (int hold : {1, 2}) {
    auto c = local_config();
    c.hold_time_s = static_cast<std::uint16_t>(hold);
    EXPECT_NE(config_error(c), std::nullopt) << hold;
  }
  auto c = local_config();
  c.hold_time_s = 0;
  EXPECT_EQ(config_error(c), std::nullopt);
  c.backoff_min_s = 0;
  EXPECT_NE(config_error(c), std::nullopt);
  c = local_config();
  c.local_as = 4200000001;
  c.four_octet_asn = false;
  EXPECT_NE(config_error(c), std::nullopt);
  c = local_config();
  c.connect_retry_s = 0;
  EXPECT_NE(config_error(c), std::nullopt);
  c = local_config();
  c.backoff_max_s = 100000;
  EXPECT_NE(config_error(c), std::nullopt);
}

TEST(Negotiate, Defaults) {
  auto r = run(local_config(), remote_config());
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r->peer_as, 65002u);
  EXPECT_EQ(r->local_as, 65001u);
  EXPECT_EQ(r->peer_router_id, 0x02020202u);
  EXPECT_FALSE(r->ibgp());
  EXPECT_EQ(r->families.items(), std::vector<wire::Family>{wire::ipv4_unicast});
  EXPECT_TRUE(r->receive.four_octet_asn);
  EXPECT_TRUE(r->send.four_octet_asn);
  EXPECT_FALSE(r->receive.extended_message);
  EXPECT_TRUE(r->receive.add_path.items().empty());
  EXPECT_TRUE(r->route_refresh);
  EXPECT_FALSE(r->enhanced_route_refresh);
  EXPECT_FALSE(r->graceful_restart);
}

TEST(Negotiate, HoldTimeIsTheMinimum) {
  struct Row {
    std::uint16_t local, remote, hold, keepalive;
  };
  for (auto row : {Row{90, 180, 90, 30}, Row{180, 3, 3, 1}, Row{0, 180, 0, 0}, Row{180, 0, 0, 0},
                   Row{3, 3, 3, 1}, Row{10, 20, 10, 3}}) {
    auto local = local_config();
    auto remote = remote_config();
    local.hold_time_s = row.local;
    remote.hold_time_s = row.remote;
    auto r = run(local, remote);
    ASSERT_TRUE(r.ok()) << r.error().reason;
    EXPECT_EQ(r->hold_time_s, row.hold) << row.local << " " << row.remote;
    EXPECT_EQ(r->keepalive_s, row.keepalive) << row.local << " " << row.remote;
  }
}

TEST(Negotiate, HoldTimeOneOrTwoRefused) {
  for (int hold : {1, 2}) {
    auto open = make_open(remote_config());
    open.hold_time_s = static_cast<std::uint16_t>(hold);
    auto local = local_config();
    expect_open_error(negotiate(local, make_open(local), open),
                      wire::open_error::unacceptable_hold_time);
  }
}

TEST(Negotiate, FourOctetAsnNeedsBothSides) {
  for (bool ours : {false, true})
    for (bool theirs : {false, true}) {
      auto local = local_config();
      auto remote = remote_config();
      local.four_octet_asn = ours;
      remote.four_octet_asn = theirs;
      auto r = run(local, remote);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->receive.four_octet_asn, ours && theirs);
      EXPECT_EQ(r->send.four_octet_asn, ours && theirs);
    }
}

TEST(Negotiate, ExtendedMessageNeedsBothSides) {
  for (bool ours : {false, true})
    for (bool theirs : {false, true}) {
      auto local = local_config();
      auto remote = remote_config();
      local.extended_message = ours;
      remote.extended_message = theirs;
      auto r = run(local, remote);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->receive.extended_message, ours && theirs);
      EXPECT_EQ(r->send.max_message_size(), ours && theirs ? 65535u : 4096u);
    }
}

// RFC 7911 4: all 16 combinations of (our send, our receive, their send, their receive).
TEST(Negotiate, AddPathDirectionMatrix) {
  for (int bits = 0; bits < 16; ++bits) {
    const bool our_send = bits & 1, our_receive = bits & 2;
    const bool their_send = bits & 4, their_receive = bits & 8;
    auto local = local_config();
    auto remote = remote_config();
    local.add_path = {{wire::ipv4_unicast, our_send, our_receive}};
    remote.add_path = {{wire::ipv4_unicast, their_send, their_receive}};
    auto r = run(local, remote);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->receive.add_path.contains(wire::ipv4_unicast), our_receive && their_send) << bits;
    EXPECT_EQ(r->send.add_path.contains(wire::ipv4_unicast), our_send && their_receive) << bits;
  }
}

TEST(Negotiate, AddPathIsPerFamily) {
  auto local = local_config();
  auto remote = remote_config();
  local.families = remote.families = {wire::ipv4_unicast, wire::ipv6_unicast};
  local.add_path = {{wire::ipv4_unicast, true, true}, {wire::ipv6_unicast, false, true}};
  remote.add_path = {{wire::ipv6_unicast, true, true}};
  auto r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->receive.add_path.items(), std::vector<wire::Family>{wire::ipv6_unicast});
  EXPECT_TRUE(r->send.add_path.items().empty());
}

TEST(Negotiate, FamiliesIntersect) {
  auto local = local_config();
  auto remote = remote_config();
  local.families = {wire::ipv4_unicast, wire::ipv6_unicast, wire::ipv4_multicast};
  remote.families = {wire::ipv6_unicast, wire::ipv4_multicast, wire::ipv6_multicast};
  auto r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->families.items(),
            (std::vector<wire::Family>{wire::ipv4_multicast, wire::ipv6_unicast}));
}

// RFC 4760 8: no Multiprotocol capability at all means IPv4 unicast.
TEST(Negotiate, NoMultiprotocolImpliesIpv4Unicast) {
  auto local = local_config();
  auto remote = remote_config();
  remote.families = {};
  local.families = {wire::ipv4_unicast, wire::ipv6_unicast};
  auto r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->families.items(), std::vector<wire::Family>{wire::ipv4_unicast});
}

TEST(Negotiate, NoCommonFamilyIsUnsupportedCapability) {
  auto local = local_config();
  auto remote = remote_config();
  local.families = {wire::ipv6_unicast};
  remote.families = {wire::ipv4_unicast};
  auto r = run(local, remote);
  expect_open_error(r, wire::open_error::unsupported_capability);
  // Data: our Multiprotocol capability (code 1, length 4, AFI 2, reserved, SAFI 1).
  EXPECT_EQ(r.error().data, (wire::Bytes{1, 4, 0, 2, 0, 1}));
}

TEST(Negotiate, ExtendedNextHopWhereBothListTheFamily) {
  auto local = local_config();
  auto remote = remote_config();
  local.extended_next_hop = {{wire::ipv4_unicast, 2}, {wire::ipv4_multicast, 2}};
  remote.extended_next_hop = {{wire::ipv4_unicast, 2}};
  auto r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->receive.extended_next_hop.items(), std::vector<wire::Family>{wire::ipv4_unicast});
  EXPECT_EQ(r->send.extended_next_hop.items(), std::vector<wire::Family>{wire::ipv4_unicast});
  remote.extended_next_hop = {};
  r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->receive.extended_next_hop.items().empty());
}

TEST(Negotiate, RouteRefreshAndGracefulRestart) {
  auto local = local_config();
  auto remote = remote_config();
  local.enhanced_route_refresh = remote.enhanced_route_refresh = true;
  remote.route_refresh = false;
  remote.extra_capabilities = {cap::RouteRefresh{cap::route_refresh_cisco}};
  cap::GracefulRestart gr{true, false, 120, {{wire::ipv4_unicast, true}}};
  remote.graceful_restart = gr;
  auto r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->route_refresh);  // Cisco's code 128 counts
  EXPECT_TRUE(r->enhanced_route_refresh);
  EXPECT_FALSE(r->graceful_restart);  // we did not send one
  local.graceful_restart = cap::GracefulRestart{};
  r = run(local, remote);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->graceful_restart);
  EXPECT_EQ(*r->graceful_restart, gr);
}

TEST(Negotiate, BadPeerAs) {
  auto local = local_config();
  auto remote = remote_config();
  remote.local_as = 65003;
  expect_open_error(run(local, remote), wire::open_error::bad_peer_as);
  local.peer_as = 0;  // any
  auto r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->peer_as, 65003u);
}

TEST(Negotiate, PeerAsZeroRefused) {
  auto local = local_config();
  local.peer_as = 0;
  auto open = make_open(remote_config());
  open.my_as = 0;
  open.capability_parameters.clear();
  expect_open_error(negotiate(local, make_open(local), open), wire::open_error::bad_peer_as);
}

// RFC 6793: a 4-byte AS arrives as AS_TRANS in My AS plus the capability.
TEST(Negotiate, AsTrans) {
  auto local = local_config();
  auto remote = remote_config();
  local.peer_as = 4200000002;
  remote.local_as = 4200000002;
  auto r = run(local, remote);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r->peer_as, 4200000002u);

  // An old speaker cannot be AS 4200000002: it shows AS_TRANS only.
  auto old_open = make_open(remote);
  old_open.capability_parameters.clear();
  ASSERT_EQ(old_open.my_as, wire::as_trans);
  expect_open_error(negotiate(local, make_open(local), old_open), wire::open_error::bad_peer_as);

  // We did not offer 4-byte ASNs: the peer's capability still names its AS,
  // but the codec contexts stay 2-byte.
  local.four_octet_asn = false;
  r = run(local, remote);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->peer_as, 4200000002u);
  EXPECT_FALSE(r->receive.four_octet_asn);
}

TEST(Negotiate, BadBgpIdentifier) {
  auto local = local_config();
  auto remote = remote_config();
  remote.router_id = 0;
  expect_open_error(run(local, remote), wire::open_error::bad_bgp_identifier);

  // iBGP with our own identifier is refused, eBGP allowed (RFC 6286 2.2).
  remote.router_id = local.router_id;
  EXPECT_TRUE(run(local, remote).ok());
  local.peer_as = remote.local_as = local.local_as;
  expect_open_error(run(local, remote), wire::open_error::bad_bgp_identifier);
}

TEST(Negotiate, UnsupportedVersion) {
  auto local = local_config();
  auto open = make_open(remote_config());
  open.version = 5;
  auto r = negotiate(local, make_open(local), open);
  expect_open_error(r, wire::open_error::unsupported_version);
  EXPECT_EQ(r.error().data, (wire::Bytes{0, 4}));
}

TEST(Negotiate, UnsupportedOptionalParameter) {
  auto local = local_config();
  auto open = make_open(remote_config());
  open.other_parameters.push_back({1, {0}});
  expect_open_error(negotiate(local, make_open(local), open),
                    wire::open_error::unsupported_optional_parameter);
}

}  // namespace
}  // namespace bgpsim::session
