// The Adj-RIBs and the update builder on labeled and VPN routes: the next hop
// in the row's form, a new label replacing the route, withdrawals with the
// RFC 8277 label field, and the round trip through the codec.
#include <gtest/gtest.h>

#include "speaker/rib/adj_rib_in.hpp"
#include "speaker/rib/adj_rib_out.hpp"
#include "speaker/wire/family_row.hpp"

namespace bgpsim::rib {
namespace {

using namespace bgpsim::wire;

const Family vpn4(Afi::ipv4, Safi::mpls_vpn);
const Family labeled6(Afi::ipv6, Safi::nlri_mpls);

RouteKey key(Family family, std::string_view prefix, std::vector<std::uint32_t> labels,
             std::string_view rd = "0:0") {
  Nlri n;
  n.prefix = *IpPrefix::parse(prefix);
  n.labels = LabelStack::from_labels(labels);
  if (family_row(family)->rd) n.rd = *RouteDistinguisher::parse(rd);
  return RouteKey{family, n};
}

AttributesPtr attributes(AttributePool& pool, std::string_view next_hop) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{};
  a.local_pref = 100;
  a.next_hop = IpAddress::parse(next_hop);
  return pool.intern(std::move(a));
}

TEST(FamilyRib, VpnRouteGoesInMpReachWithTheRowsNextHop) {
  AttributePool pool;
  AdjRibOut out;
  out.announce(key(vpn4, "10.0.0.0/25", {1000}, "65000:1"), attributes(pool, "200.10.0.101"));
  auto updates = out.take_updates(EncodeContext{}, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  const auto& u = updates[0];
  EXPECT_TRUE(u.nlri.empty());
  EXPECT_FALSE(u.attributes.next_hop) << "no NEXT_HOP attribute for an MP family";
  ASSERT_TRUE(u.attributes.mp_reach);
  EXPECT_EQ(u.attributes.mp_reach->next_hop, *parse_hex("0000000000000000C80A0065"));
  // The bytes ExaBGP's conf-vpn.ci expects for this route's MP_REACH_NLRI.
  Bytes bytes = encode_message(Message(u), EncodeContext{});
  EXPECT_NE(to_hex(bytes).find(
                "800E210001800C0000000000000000C80A00650071003E810000FDE8000000010A000000"),
            std::string::npos)
      << to_hex(bytes);
}

TEST(FamilyRib, ExabgpCompatAddsNextHopBesideMpReachAndPutsMpAttributesLast) {
  AttributePool pool;
  PathAttributes a = *attributes(pool, "200.10.0.101");
  a.extended_communities = {0x0002FDE800000001, 0x0002271000000001};
  AdjRibOut out;
  out.announce(key(vpn4, "10.0.0.0/25", {1000}, "65000:1"), pool.intern(a));
  EncodeContext ctx;
  ctx.exabgp_compat = true;
  auto updates = out.take_updates(ctx, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  ASSERT_TRUE(updates[0].attributes.next_hop) << "NEXT_HOP beside MP_REACH_NLRI, as ExaBGP";
  // conf-vpn.ci line 3, whole: NEXT_HOP, extended communities sorted, then
  // MP_REACH_NLRI after every other attribute.
  EXPECT_EQ(to_hex(encode_message(Message(updates[0]), ctx)),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0063020000004C40010100400200400304C80A0065400504000000"
            "64C0101000022710000000010002FDE800000001800E210001800C0000000000000000C80A00650071003E"
            "810000FDE8000000010A000000");
  // Without it (RFC 4760 3: "SHOULD NOT carry the NEXT_HOP attribute"), the
  // order of type codes and the communities as given.
  out.resend_all();
  updates = out.take_updates(EncodeContext{}, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_FALSE(updates[0].attributes.next_hop);
  const std::string rfc = to_hex(encode_message(Message(updates[0]), EncodeContext{}));
  EXPECT_LT(rfc.find("800E21"), rfc.find("C0101000"));
  EXPECT_LT(rfc.find("0002FDE800000001"), rfc.find("0002271000000001"));
}

TEST(FamilyRib, VpnRoutesGoOnePerUpdateAsExabgpGroups) {
  AttributePool pool;
  AdjRibOut out;
  auto a = attributes(pool, "200.10.0.101");
  out.announce(key(vpn4, "10.0.0.0/25", {1000}, "65000:1"), a);
  out.announce(key(vpn4, "10.0.0.128/25", {1000}, "65000:1"), a);
  EncodeContext exabgp;
  exabgp.exabgp_compat = true;
  EXPECT_EQ(out.take_updates(exabgp, BuildOptions{}).size(), 2u);
  out.resend_all();
  EXPECT_EQ(out.take_updates(EncodeContext{}, BuildOptions{}).size(), 1u);
}

TEST(FamilyRib, WithdrawalCarriesTheCompatibilityLabel) {
  AttributePool pool;
  AdjRibOut out;
  const auto k = key(vpn4, "10.0.0.0/25", {1000}, "65000:1");
  out.announce(k, attributes(pool, "200.10.0.101"));
  out.take_updates(EncodeContext{}, BuildOptions{});
  out.withdraw(k);
  auto updates = out.take_updates(EncodeContext{}, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  ASSERT_TRUE(updates[0].attributes.mp_unreach);
  ASSERT_EQ(updates[0].attributes.mp_unreach->nlri.size(), 1u);
  const Nlri& w = updates[0].attributes.mp_unreach->nlri[0];
  // RFC 8277 2.4: the label field of a withdrawal is 0x800000.
  EXPECT_EQ(w.labels.count, 1u);
  EXPECT_EQ(w.labels.raw[0], LabelStack::withdraw_compatibility);
  EXPECT_EQ(w.rd, k.nlri.rd);
  EXPECT_EQ(w.prefix, k.nlri.prefix);
}

TEST(FamilyRib, ExabgpWithdrawalCarriesAttributesAndTheLabel) {
  AttributePool pool;
  AdjRibOut out;
  const auto k = key(vpn4, "1.4.0.0/16", {1000}, "65000:1");
  PathAttributes a = *attributes(pool, "101.1.101.1");
  a.communities = {0x00640001};
  out.announce(k, pool.intern(a));
  EncodeContext exabgp;
  exabgp.exabgp_compat = true;
  out.take_updates(exabgp, BuildOptions{});
  out.withdraw(k);  // the route's own attributes
  auto updates = out.take_updates(exabgp, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  // api-vpnv4.ci's withdrawal, whole: MP_UNREACH_NLRI first with label 1000
  // (not RFC 8277's 0x800000), then the attributes, NEXT_HOP included.
  EXPECT_EQ(to_hex(encode_message(Message(updates[0]), exabgp)),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF004702000000308"
            "00F1100018068003E810000FDE8000000010104400101004002004003046501650140050400000064C0"
            "080400640001");
  // A withdrawal of a key the table does not hold, with the command's
  // attributes: ExaBGP's form sends it, the RFC form sends nothing.
  out.withdraw(k, pool.intern(a));
  EXPECT_EQ(out.take_updates(exabgp, BuildOptions{}).size(), 1u);
  out.withdraw(k, pool.intern(a));
  EXPECT_TRUE(out.take_updates(EncodeContext{}, BuildOptions{}).empty());
  // In ExaBGP's first batch (include_withdraw false) only its attributes go.
  out.withdraw(k, pool.intern(a));
  BuildOptions first;
  first.include_withdraw = false;
  updates = out.take_updates(exabgp, first);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_FALSE(updates[0].attributes.mp_unreach);
  EXPECT_TRUE(updates[0].nlri.empty() && updates[0].withdrawn.empty());
  EXPECT_EQ(updates[0].attributes.communities, a.communities);
}

TEST(FamilyRib, ExabgpSendsAWithdrawalAnAnnouncementWithOtherAttributesFollows) {
  // ExaBGP's outgoing RIB keeps changes per attribute set (api-flow.ci):
  // a withdrawal then an announcement of the key with other attributes both
  // go, the withdrawal first; the RFC form sends the announcement only.
  AttributePool pool;
  const auto k = key(vpn4, "10.0.0.0/25", {1000}, "65000:1");
  const auto a = attributes(pool, "200.10.0.101");
  PathAttributes other = *a;
  other.med = 5;
  EncodeContext exabgp;
  exabgp.exabgp_compat = true;
  for (const bool compat : {true, false}) {
    const EncodeContext ctx = compat ? exabgp : EncodeContext{};
    AdjRibOut out;
    out.announce(k, a);
    out.take_updates(ctx, BuildOptions{});
    out.withdraw(k);
    out.announce(k, pool.intern(other));
    auto updates = out.take_updates(ctx, BuildOptions{});
    ASSERT_EQ(updates.size(), compat ? 2u : 1u);
    if (compat) {
      EXPECT_TRUE(updates[0].attributes.mp_unreach);
      EXPECT_EQ(updates[0].attributes.med, std::nullopt);
    }
    EXPECT_TRUE(updates.back().attributes.mp_reach);
    EXPECT_EQ(updates.back().attributes.med, 5u);
    // The same attributes: the announcement replaces the withdrawal.
    out.withdraw(k);
    out.announce(k, pool.intern(other));
    EXPECT_EQ(out.take_updates(ctx, BuildOptions{}).size(), 1u);
  }
}

TEST(FamilyRib, RefreshEndFollowsTheFamilysRoutes) {
  AttributePool pool;
  AdjRibOut out;
  out.announce(key(vpn4, "10.0.0.0/25", {1000}, "65000:1"), attributes(pool, "200.10.0.101"));
  out.take_updates(EncodeContext{}, BuildOptions{});
  out.resend_all(vpn4);
  out.request_refresh_end(vpn4);
  EXPECT_TRUE(out.take_refresh_ends().empty()) << "named by take_updates only";
  BuildOptions one;
  one.batch_routes_max = 1;
  EXPECT_EQ(out.take_updates(EncodeContext{}, one).size(), 1u);
  EXPECT_EQ(out.take_refresh_ends(), std::vector<Family>{vpn4});
  EXPECT_FALSE(out.has_pending());
}

TEST(FamilyRib, NewLabelReplacesTheRoute) {
  AttributePool pool;
  AdjRibOut out;
  const auto attrs = attributes(pool, "2001:db8::1");
  out.announce(key(labeled6, "2001:db8:1::/48", {100}), attrs);
  out.take_updates(EncodeContext{}, BuildOptions{});
  out.announce(key(labeled6, "2001:db8:1::/48", {200, 300}), attrs);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(out.routes().begin()->first.nlri.labels, LabelStack::from_labels({200, 300}));
  auto updates = out.take_updates(EncodeContext{}, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u) << "the same route again, with its new labels";
  ASSERT_TRUE(updates[0].attributes.mp_reach);
  EXPECT_EQ(updates[0].attributes.mp_reach->nlri[0].labels, LabelStack::from_labels({200, 300}));
  EXPECT_EQ(updates[0].attributes.mp_reach->next_hop.size(), 16u);

  // The receiving side: one route, its labels replaced; the withdrawal's
  // 0x800000 removes it.
  AdjRibIn in;
  Update first = updates[0];
  first.attributes.mp_reach->nlri[0].labels = LabelStack::from_labels({100});
  in.apply(first, pool);
  auto changes = in.apply(updates[0], pool);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(in.size(), 1u);
  EXPECT_EQ(in.routes().begin()->first.nlri.labels, LabelStack::from_labels({200, 300}));
  EXPECT_EQ(in.find(key(labeled6, "2001:db8:1::/48", {999})), in.routes().begin()->second);
  EXPECT_EQ(in.routes().begin()->second->next_hop, IpAddress::parse("2001:db8::1"));
  Update withdraw;
  withdraw.attributes.mp_unreach = MpUnreach{
      labeled6, {ipv6_labeled_row.as_withdrawn(key(labeled6, "2001:db8:1::/48", {200}).nlri)}, {}};
  changes = in.apply(withdraw, pool);
  EXPECT_EQ(changes.size(), 1u);
  EXPECT_EQ(in.size(), 0u);
}

TEST(FamilyRib, RoutesOfAFamilyWithoutARowAreRefused) {
  AttributePool pool;
  AdjRibOut out;
  RouteKey k{Family(Afi::l2vpn, Safi::vpls), Nlri{*IpPrefix::parse("10.0.0.0/8"), {}}};
  out.announce(k, attributes(pool, "192.0.2.1"));
  EXPECT_TRUE(out.take_updates(EncodeContext{}, BuildOptions{}).empty());
  auto refused = out.take_refused();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].reason.find("l2vpn vpls"), std::string::npos) << refused[0].reason;
}

}  // namespace
}  // namespace bgpsim::rib
