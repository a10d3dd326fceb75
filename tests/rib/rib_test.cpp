// Adj-RIB-In, Adj-RIB-Out and the update builder: packing, replacement of
// queued changes, End-of-RIB, and the round trip through the codec.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "speaker/rib/adj_rib_in.hpp"
#include "speaker/rib/adj_rib_out.hpp"

namespace bgpsim::rib {
namespace {

using namespace bgpsim::wire;

RouteKey v4(std::uint32_t address, std::uint8_t length = 24) {
  return RouteKey{ipv4_unicast, Nlri{IpPrefix{IpAddress::v4_from_u32(address), length}, {}}};
}
RouteKey v6(std::string_view text) {
  return RouteKey{ipv6_unicast, Nlri{*IpPrefix::parse(text), {}}};
}

PathAttributes attrs(std::uint32_t local_pref, std::string_view next_hop = "192.0.2.1") {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{{AsPathSegment{AsPathSegment::as_sequence, {65001}}}};
  a.next_hop = IpAddress::parse(next_hop);
  a.local_pref = local_pref;
  return a;
}

// Encodes and decodes every UPDATE, as the peer would see them, into an Adj-RIB-In.
AdjRibIn deliver(const std::vector<Update>& updates, const EncodeContext& ctx, AttributePool& pool,
                 AdjRibIn rib = {}) {
  for (const auto& u : updates) {
    Bytes bytes = encode_message(Message(u), ctx);
    EXPECT_LE(bytes.size(), ctx.max_message_size());
    auto decoded = decode_message(bytes, ctx);
    EXPECT_TRUE(decoded) << decoded.error().reason;
    if (decoded) rib.apply(std::get<Update>(*decoded), pool);
  }
  return rib;
}

TEST(AttributePool, EqualSetsShareOneAllocation) {
  AttributePool pool;
  auto a = pool.intern(attrs(100));
  auto b = pool.intern(attrs(100));
  auto c = pool.intern(attrs(200));
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(pool.size(), 2u);
  c.reset();
  pool.collect();
  EXPECT_EQ(pool.size(), 1u);
}

TEST(AdjRibOut, PacksPrefixesSharingAttributesIntoFullMessages) {
  AttributePool pool;
  AdjRibOut out;
  auto a = pool.intern(attrs(100));
  for (std::uint32_t i = 0; i < 5000; ++i) out.announce(v4(0x0A000000 + (i << 8)), a);
  auto updates = out.take_updates(EncodeContext{}, BuildOptions{});
  // A /24 takes 4 bytes; 4096 - 23 - ~25 bytes of attributes leaves room for
  // about 1012 per UPDATE: 5000 routes need exactly 5.
  EXPECT_EQ(updates.size(), 5u);
  AdjRibIn in = deliver(updates, EncodeContext{}, pool);
  EXPECT_EQ(in.routes(), out.routes());
  EXPECT_FALSE(out.has_pending());
}

TEST(AdjRibOut, OneRoutePerUpdateWhenNotGrouping) {
  AttributePool pool;
  AdjRibOut out;
  auto a = pool.intern(attrs(100));
  for (std::uint32_t i = 0; i < 10; ++i) out.announce(v4(0x0A000000 + (i << 8)), a);
  BuildOptions options;
  options.group_updates = false;
  EXPECT_EQ(out.take_updates(EncodeContext{}, options).size(), 10u);
}

TEST(AdjRibOut, NewerChangeReplacesTheQueuedOne) {
  AttributePool pool;
  AdjRibOut out;
  out.announce(v4(0x0A000000), pool.intern(attrs(100)));
  out.announce(v4(0x0A000000), pool.intern(attrs(200)));
  auto updates = out.take_updates(EncodeContext{}, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].attributes.local_pref, 200u);
  // Announce then withdraw before sending: only the withdrawal goes out.
  out.announce(v4(0x0B000000), pool.intern(attrs(100)));
  out.withdraw(v4(0x0B000000));
  updates = out.take_updates(EncodeContext{}, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_TRUE(updates[0].nlri.empty());
  EXPECT_EQ(updates[0].withdrawn.size(), 1u);
}

TEST(AdjRibOut, ExabgpFormAlsoSendsAReplacedQueuedAnnouncement) {
  // ExaBGP queues changes per attribute set: two announcements of one NLRI
  // with other attributes, both queued, both go out, the earlier first; a
  // third with the first's attributes sends that set once. The RFC form
  // (above) sends the last only, and a withdrawal cancels the replaced ones.
  AttributePool pool;
  EncodeContext exabgp;
  exabgp.exabgp_compat = true;
  BuildOptions one_each;
  one_each.group_updates = false;
  for (const bool compat : {false, true}) {
    SCOPED_TRACE(compat ? "ExaBGP's form" : "RFC form");
    const EncodeContext& ctx = compat ? exabgp : EncodeContext{};
    AdjRibOut out;
    out.announce(v4(0x0A000000), pool.intern(attrs(100)));
    out.announce(v4(0x0A000000), pool.intern(attrs(200)));
    out.announce(v4(0x0A000000), pool.intern(attrs(300)));
    out.announce(v4(0x0A000000), pool.intern(attrs(100)));
    EXPECT_EQ(out.pending(), 3u);  // the table's one and two replaced, in both forms
    auto updates = out.take_updates(ctx, one_each);
    std::vector<std::uint32_t> prefs;
    for (const auto& u : updates) prefs.push_back(*u.attributes.local_pref);
    EXPECT_EQ(prefs, compat ? std::vector<std::uint32_t>({200, 300, 100})
                            : std::vector<std::uint32_t>({100}));
    EXPECT_FALSE(out.has_pending());
    // Sent: a later change replaces nothing unsent.
    out.announce(v4(0x0A000000), pool.intern(attrs(400)));
    EXPECT_EQ(out.take_updates(ctx, one_each).size(), 1u);
    // Replaced, then withdrawn: only the withdrawal goes.
    out.announce(v4(0x0A000000), pool.intern(attrs(500)));
    out.announce(v4(0x0A000000), pool.intern(attrs(600)));
    out.withdraw(v4(0x0A000000));
    updates = out.take_updates(ctx, one_each);
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].withdrawn.size(), 1u);
    // A new session (clear_pending, resend_all) still sends a replaced one.
    out.announce(v4(0x0C000000), pool.intern(attrs(100)));
    out.announce(v4(0x0C000000), pool.intern(attrs(200)));
    out.clear_pending();
    out.resend_all();
    EXPECT_EQ(out.take_updates(ctx, one_each).size(), compat ? 2u : 1u);
  }
}

TEST(AdjRibOut, QueuedAnnouncementsAndWithdrawalsGoInKeyOrder) {
  AttributePool pool;
  AdjRibOut out;
  auto a = pool.intern(attrs(100));
  out.announce(v4(0x0A000100), a);
  out.take_updates(EncodeContext{}, BuildOptions{});
  out.announce(v4(0x0A000200), a);
  out.announce(v4(0x0A000000), a);
  out.withdraw(v4(0x0A000100));
  EXPECT_EQ(out.pending(), 3u);
  BuildOptions two;
  two.batch_routes_max = 2;
  // 10.0.0.0/24 (announced) and 10.0.1.0/24 (withdrawn) come first.
  auto updates = out.take_updates(EncodeContext{}, two);
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].withdrawn, std::vector<Nlri>{v4(0x0A000100).nlri});
  EXPECT_EQ(updates[1].nlri, std::vector<Nlri>{v4(0x0A000000).nlri});
  EXPECT_EQ(out.pending(), 1u);
  // Withdrawn, then announced again before it went out: the announcement only.
  out.withdraw(v4(0x0A000200));
  out.announce(v4(0x0A000200), a);
  EXPECT_EQ(out.pending(), 1u);
  updates = out.take_updates(EncodeContext{}, two);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].nlri, std::vector<Nlri>{v4(0x0A000200).nlri});
  // withdraw_all queues every route as a withdrawal, resend_all none of them.
  out.withdraw_all();
  out.resend_all();
  EXPECT_EQ(out.pending(), 2u);
  EXPECT_TRUE(out.routes().empty());
}

TEST(AdjRibOut, EndOfRibFollowsTheInitialTable) {
  AttributePool pool;
  AdjRibOut out;
  for (std::uint32_t i = 0; i < 3000; ++i)
    out.announce(v4(0x0A000000 + (i << 8)), pool.intern(attrs(100)));
  out.request_end_of_rib(ipv4_unicast);
  out.request_end_of_rib(ipv6_unicast);
  BuildOptions small;
  small.batch_routes_max = 1000;
  auto first = out.take_updates(EncodeContext{}, small);
  // IPv6 has nothing queued: its End-of-RIB goes at once; IPv4's waits.
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.back().end_of_rib(), ipv6_unicast);
  std::vector<Update> rest;
  while (out.has_pending())
    for (auto& u : out.take_updates(EncodeContext{}, small)) rest.push_back(std::move(u));
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back().end_of_rib(), ipv4_unicast);
  for (std::size_t i = 0; i + 1 < rest.size(); ++i) EXPECT_FALSE(rest[i].end_of_rib());
}

TEST(AdjRibOut, ResendAllQueuesEveryRouteAgain) {
  AttributePool pool;
  AdjRibOut out;
  for (std::uint32_t i = 0; i < 100; ++i)
    out.announce(v4(0x0A000000 + (i << 8)), pool.intern(attrs(100)));
  out.take_updates(EncodeContext{}, BuildOptions{});
  EXPECT_FALSE(out.has_pending());
  out.resend_all();
  EXPECT_EQ(out.pending(), 100u);
  AdjRibIn in = deliver(out.take_updates(EncodeContext{}, BuildOptions{}), EncodeContext{}, pool);
  EXPECT_EQ(in.routes(), out.routes());
}

TEST(AdjRibOut, Ipv6RoutesTravelInMpReachWithTheirNextHop) {
  AttributePool pool;
  AdjRibOut out;
  auto a = pool.intern(attrs(100, "2001:db8::1"));
  out.announce(v6("2001:db8:1::/48"), a);
  out.announce(v6("2001:db8:2::/48"), a);
  auto updates = out.take_updates(EncodeContext{}, BuildOptions{});
  ASSERT_EQ(updates.size(), 1u);
  ASSERT_TRUE(updates[0].attributes.mp_reach);
  EXPECT_EQ(updates[0].attributes.mp_reach->next_hop.size(), 16u);
  EXPECT_FALSE(updates[0].attributes.next_hop);
  AdjRibIn in = deliver(updates, EncodeContext{}, pool);
  EXPECT_EQ(in.routes(), out.routes());
  out.withdraw(v6("2001:db8:1::/48"));
  in = deliver(out.take_updates(EncodeContext{}, BuildOptions{}), EncodeContext{}, pool, in);
  EXPECT_EQ(in.routes(), out.routes());
  EXPECT_EQ(in.size(ipv6_unicast), 1u);
}

TEST(AdjRibOut, GroupUpdatesPacksIpv4UnicastOnlyAsExabgpDoes) {
  // ExaBGP's rib/outgoing.py updates(): with group-updates, IPv4 unicast
  // routes sharing attributes share an UPDATE; any other family but
  // mcast-vpn goes one NLRI per UPDATE (its conf-ipv6grouping.ci,
  // conf-new-v6.ci). The RFC form packs every family.
  EncodeContext exabgp;
  exabgp.exabgp_compat = true;
  AttributePool pool;
  AdjRibOut out;
  auto a4 = pool.intern(attrs(100));
  auto a6 = pool.intern(attrs(100, "2001:db8::1"));
  out.announce(v4(0x0A000000), a4);
  out.announce(v4(0x0A000100), a4);
  out.announce(v6("2001:db8:1::/48"), a6);
  out.announce(v6("2001:db8:2::/48"), a6);
  out.announce(v6("2001:db8:3::/48"), a6);
  auto updates = out.take_updates(exabgp, BuildOptions{});
  ASSERT_EQ(updates.size(), 4u);
  std::size_t v4_updates = 0, v6_updates = 0;
  for (const auto& u : updates) {
    if (u.attributes.mp_reach) {
      ++v6_updates;
      EXPECT_EQ(u.attributes.mp_reach->nlri.size(), 1u);
    } else {
      ++v4_updates;
      EXPECT_EQ(u.nlri.size(), 2u);
    }
  }
  EXPECT_EQ(v4_updates, 1u);
  EXPECT_EQ(v6_updates, 3u);
  out.resend_all();
  EXPECT_EQ(out.take_updates(EncodeContext{}, BuildOptions{}).size(), 2u);
  // Withdrawals follow the same rule.
  out.withdraw(v6("2001:db8:1::/48"));
  out.withdraw(v6("2001:db8:2::/48"));
  EXPECT_EQ(out.take_updates(exabgp, BuildOptions{}).size(), 2u);
  out.announce(v6("2001:db8:1::/48"), a6);
  out.announce(v6("2001:db8:2::/48"), a6);
  out.take_updates(EncodeContext{}, BuildOptions{});
  out.withdraw(v6("2001:db8:1::/48"));
  out.withdraw(v6("2001:db8:2::/48"));
  EXPECT_EQ(out.take_updates(EncodeContext{}, BuildOptions{}).size(), 1u);
}

TEST(AdjRibOut, LinkLocalAddressFollowsAGlobalIpv6NextHop) {
  AttributePool pool;
  AdjRibOut out;
  out.announce(v6("2001:db8:1::1/128"), pool.intern(attrs(100, "2001:db8::ffff")));
  out.announce(v6("2001:db8:1::2/128"), pool.intern(attrs(100, "fe80::cafe")));
  BuildOptions options;
  options.link_local_next_hop = IpAddress::parse("fe80::1");
  auto updates = out.take_updates(EncodeContext{}, options);
  ASSERT_EQ(updates.size(), 2u);
  // RFC 2545 3: global then link-local, 32 bytes (conf-llnh-update.ci).
  EXPECT_EQ(to_hex(updates[0].attributes.mp_reach->next_hop),
            "20010DB800000000000000000000FFFFFE800000000000000000000000000001");
  // A link-local next hop alone stays alone (conf-llnh-lla-only.ci).
  EXPECT_EQ(to_hex(updates[1].attributes.mp_reach->next_hop), "FE80000000000000000000000000CAFE");
  AdjRibIn in = deliver(updates, EncodeContext{}, pool);
  EXPECT_EQ(in.size(ipv6_unicast), 2u);
  // Without a link-local address configured: the global address only.
  out.resend_all();
  updates = out.take_updates(EncodeContext{}, BuildOptions{});
  EXPECT_EQ(updates[0].attributes.mp_reach->next_hop.size(), 16u);
}

TEST(AdjRibIn, TreatAsWithdrawRemovesTheRoutes) {
  AttributePool pool;
  AdjRibIn in;
  Update u;
  u.attributes = attrs(100);
  u.nlri = {v4(0x0A000000).nlri};
  in.apply(u, pool);
  EXPECT_EQ(in.size(), 1u);
  u.attribute_errors.push_back(AttributeError{attr::origin, ErrorAction::treat_as_withdraw, {}});
  auto changes = in.apply(u, pool);
  EXPECT_EQ(in.size(), 0u);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].attributes, nullptr);
}

TEST(AdjRibIn, AddPathKeepsRoutesApartByPathId) {
  AttributePool pool;
  AdjRibIn in;
  Update u;
  u.attributes = attrs(100);
  u.nlri = {Nlri{*IpPrefix::parse("10.0.0.0/24"), 1}, Nlri{*IpPrefix::parse("10.0.0.0/24"), 2}};
  in.apply(u, pool);
  EXPECT_EQ(in.size(), 2u);
}

// RFC 6793 4.2.3: a route that crossed an OLD (2-byte) speaker arrives with
// AS_TRANS in AS_PATH and AGGREGATOR and the real ASNs in AS4_PATH and
// AS4_AGGREGATOR; the Adj-RIB-In holds the rebuilt 4-byte path.
TEST(AdjRibIn, RoutesFromAnOldSpeakerCarryTheMergedFourByteAsPath) {
  PathAttributes sent = attrs(100);
  sent.as_path = AsPath{{AsPathSegment{AsPathSegment::as_sequence, {65001, 4200000001u, 70000}}}};
  sent.aggregator = Aggregator{4200000002u, IpAddress::v4_from_u32(0xC0000201)};
  Update u;
  u.attributes = sent;
  u.nlri = {v4(0x0A000000).nlri};
  EncodeContext old_session;
  old_session.four_octet_asn = false;
  AttributePool pool;
  AdjRibIn in = deliver({u}, old_session, pool);
  ASSERT_EQ(in.size(), 1u);
  const PathAttributes& got = *in.routes().begin()->second;
  EXPECT_EQ(got.as_path, sent.as_path);
  EXPECT_EQ(got.aggregator, sent.aggregator);
  EXPECT_FALSE(got.as4_path);
  EXPECT_FALSE(got.as4_aggregator);
}

// Any sequence of announcements, withdrawals, resends and new sessions,
// sent in any batch size, leaves the peer's Adj-RIB-In equal to our
// Adj-RIB-Out.
RC_GTEST_PROP(AdjRibOutProperty, PeerEndsWithOurTable, ()) {
  AttributePool pool;
  AdjRibOut out;
  AdjRibIn in;
  EncodeContext ctx;
  ctx.add_path.insert(ipv4_unicast);
  ctx.extended_message = *rc::gen::arbitrary<bool>();
  BuildOptions options;
  options.group_updates = *rc::gen::arbitrary<bool>();
  options.batch_routes_max = *rc::gen::inRange<std::size_t>(1, 500);
  const auto steps = *rc::gen::inRange(1, 400);
  for (int i = 0; i < steps; ++i) {
    const auto prefix = *rc::gen::inRange<std::uint32_t>(0, 64);
    const bool six = *rc::gen::arbitrary<bool>();
    RouteKey key =
        six ? RouteKey{ipv6_unicast,
                       Nlri{IpPrefix{
                                IpAddress{{0x20, 0x01, static_cast<std::uint8_t>(prefix)}, true},
                                24},
                            {}}}
            : RouteKey{ipv4_unicast,
                       Nlri{IpPrefix{IpAddress::v4_from_u32(prefix << 8), 24}, prefix % 3}};
    const auto op = *rc::gen::inRange(0, 40);
    if (op == 0) {  // a new session: the peer starts empty, we send everything again
      out.clear_pending();
      out.resend_all();
      in = AdjRibIn{};
    } else if (op == 1) {  // a ROUTE-REFRESH, or `flush adj-rib out`
      out.resend_all(six ? std::optional(ipv6_unicast) : std::nullopt);
    } else if (op == 2) {
      out.withdraw_all(six ? std::optional(ipv6_unicast) : std::nullopt);
    } else if (op < 12) {
      out.withdraw(key);
    } else {
      auto local_pref = *rc::gen::inRange<std::uint32_t>(0, 4);
      out.announce(key, pool.intern(attrs(local_pref, six ? "2001:db8::1" : "192.0.2.1")));
    }
    if (*rc::gen::inRange(0, 10) == 0)
      for (const auto& u : out.take_updates(ctx, options)) {
        auto decoded = decode_message(encode_message(Message(u), ctx), ctx);
        RC_ASSERT(decoded.ok());
        in.apply(std::get<Update>(*decoded), pool);
      }
  }
  while (out.has_pending())
    for (const auto& u : out.take_updates(ctx, options)) {
      auto bytes = encode_message(Message(u), ctx);
      RC_ASSERT(bytes.size() <= ctx.max_message_size());
      in.apply(std::get<Update>(*decode_message(bytes, ctx)), pool);
    }
  RC_ASSERT(in.routes() == out.routes());
}

}  // namespace
}  // namespace bgpsim::rib
