// Issue 17 defect 1: the update builder never emits a message larger than the
// session's maximum (4096 bytes, or 65535 with RFC 8654 extended messages) nor
// a length that wraps its 16-bit field. A route that cannot fit is refused
// and reported by key with the reason; every other route is sent.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "speaker/rib/adj_rib_in.hpp"
#include "speaker/rib/adj_rib_out.hpp"

namespace bgpsim::rib {
namespace {

using namespace bgpsim::wire;

RouteKey v4(std::uint32_t address) {
  return RouteKey{ipv4_unicast, Nlri{IpPrefix{IpAddress::v4_from_u32(address), 24}, {}}};
}
RouteKey v6(std::uint8_t n) {
  return RouteKey{ipv6_unicast,
                  Nlri{IpPrefix{IpAddress{{0x20, 0x01, 0x0D, 0xB8, n}, true}, 40}, {}}};
}

PathAttributes with_communities(std::size_t n, bool six = false) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{{AsPathSegment{AsPathSegment::as_sequence, {65001}}}};
  a.next_hop = six ? *IpAddress::parse("2001:db8::1") : *IpAddress::parse("192.0.2.1");
  if (n != 0) {
    a.communities.emplace();
    for (std::uint32_t i = 0; i < n; ++i) a.communities->push_back(0xFDE90000u + i);
  }
  return a;
}

// Every UPDATE as the peer receives it: encoded (which must succeed, within
// the maximum, with a length field that says the size), then decoded.
std::vector<Update> on_the_wire(const std::vector<Update>& updates, const EncodeContext& ctx) {
  std::vector<Update> received;
  for (const auto& u : updates) {
    Bytes bytes;
    auto error = encode_message(Message(u), ctx, bytes);
    EXPECT_FALSE(error) << error->reason;
    EXPECT_LE(bytes.size(), ctx.max_message_size());
    if (bytes.size() < header_size) continue;
    EXPECT_EQ(std::size_t{bytes[16]} << 8 | bytes[17], bytes.size()) << "length field";
    auto decoded = decode_message(bytes, ctx);
    EXPECT_TRUE(decoded.ok()) << decoded.error().reason;
    if (decoded.ok()) received.push_back(std::get<Update>(*decoded));
  }
  return received;
}

std::set<RouteKey> keys(const std::vector<Refusal>& refused) {
  std::set<RouteKey> out;
  for (const auto& r : refused) out.insert(r.key);
  return out;
}

TEST(UpdateSize, ThousandCommunitiesDoNotFitWithoutExtendedMessage) {
  AttributePool pool;
  AdjRibOut out;
  out.announce(v4(0x0A000000), pool.intern(with_communities(1100)));
  out.announce(v4(0x0A000100), pool.intern(with_communities(10)));
  const EncodeContext ctx;  // no RFC 8654: 4096 bytes at most
  auto updates = out.take_updates(ctx, BuildOptions{});
  auto received = on_the_wire(updates, ctx);
  ASSERT_EQ(received.size(), 1u) << "only the route that fits is sent";
  EXPECT_EQ(received[0].nlri, std::vector<Nlri>{v4(0x0A000100).nlri});
  auto refused = out.take_refused();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].key, v4(0x0A000000));
  EXPECT_NE(refused[0].reason.find("4096"), std::string::npos) << refused[0].reason;
  EXPECT_TRUE(out.take_refused().empty()) << "reported once";
}

TEST(UpdateSize, ThousandCommunitiesFitAnExtendedMessage) {
  AttributePool pool;
  AdjRibOut out;
  out.announce(v4(0x0A000000), pool.intern(with_communities(1100)));
  out.announce(v6(1), pool.intern(with_communities(1100, true)));
  EncodeContext ctx;
  ctx.extended_message = true;
  auto received = on_the_wire(out.take_updates(ctx, BuildOptions{}), ctx);
  EXPECT_EQ(received.size(), 2u);
  EXPECT_TRUE(out.take_refused().empty());
}

TEST(UpdateSize, SeventeenThousandCommunitiesCannotBeEncodedAtAll) {
  AttributePool pool;
  AdjRibOut out;
  // 68,000 bytes of COMMUNITIES: more than an attribute length can say.
  out.announce(v4(0x0A000000), pool.intern(with_communities(17000)));
  out.announce(v6(1), pool.intern(with_communities(17000, true)));
  EncodeContext ctx;
  ctx.extended_message = true;
  auto received = on_the_wire(out.take_updates(ctx, BuildOptions{}), ctx);
  EXPECT_TRUE(received.empty());
  auto refused = out.take_refused();
  ASSERT_EQ(refused.size(), 2u);
  for (const auto& r : refused)
    EXPECT_NE(r.reason.find("COMMUNITIES"), std::string::npos) << r.reason;

  // The codec itself refuses to wrap the length: nothing is appended.
  Update u;
  u.attributes = with_communities(17000);
  u.nlri = {v4(0x0A000000).nlri};
  Bytes bytes{1, 2, 3};
  auto error = encode_message(Message(u), ctx, bytes);
  ASSERT_TRUE(error);
  EXPECT_EQ(bytes, (Bytes{1, 2, 3}));
  EXPECT_NE(error->reason.find("68000"), std::string::npos) << error->reason;
}

// How the builder would send one route alone (NEXT_HOP for IPv4, MP_REACH otherwise).
Update alone(const RouteKey& key, const PathAttributes& attributes) {
  Update u;
  u.attributes = attributes;
  if (key.family == ipv4_unicast) {
    u.nlri = {key.nlri};
  } else {
    u.attributes.next_hop.reset();
    const auto& nh = *attributes.next_hop;
    u.attributes.mp_reach =
        MpReach{key.family, Bytes(nh.bytes.begin(), nh.bytes.begin() + nh.size()), {key.nlri}, {}};
  }
  return u;
}

RC_GTEST_PROP(UpdateSize, EveryMessageFitsAndEveryRouteIsSentOrRefused, ()) {
  EncodeContext ctx;
  ctx.extended_message = *rc::gen::arbitrary<bool>();
  BuildOptions options;
  options.group_updates = *rc::gen::arbitrary<bool>();
  // A few attribute sets, some small, some near a limit, some beyond any.
  std::vector<PathAttributes> sets;
  const auto set_count = *rc::gen::inRange(1, 4);
  for (int i = 0; i < set_count; ++i) {
    const bool six = *rc::gen::arbitrary<bool>();
    const auto communities =
        *rc::gen::weightedOneOf<std::size_t>({{4, rc::gen::inRange<std::size_t>(0, 60)},
                                              {2, rc::gen::inRange<std::size_t>(990, 1030)},
                                              {1, rc::gen::inRange<std::size_t>(16300, 16400)},
                                              {1, rc::gen::inRange<std::size_t>(16000, 17500)}});
    PathAttributes a = with_communities(communities, six);
    a.local_pref = static_cast<std::uint32_t>(i);
    const auto large = *rc::gen::weightedOneOf<std::size_t>(
        {{4, rc::gen::just<std::size_t>(0)}, {1, rc::gen::inRange<std::size_t>(1, 400)}});
    if (large != 0) a.large_communities.emplace(large, LargeCommunity{1, 2, 3});
    // Up to 70 full segments: 71,540 bytes of AS_PATH is beyond any message.
    const auto segments = *rc::gen::weightedOneOf<std::size_t>(
        {{6, rc::gen::just<std::size_t>(0)}, {1, rc::gen::inRange<std::size_t>(1, 71)}});
    for (std::size_t s = 0; s < segments; ++s)
      a.as_path->segments.push_back(
          AsPathSegment{AsPathSegment::as_sequence, std::vector<std::uint32_t>(255, 65002)});
    sets.push_back(std::move(a));
  }
  AttributePool pool;
  AdjRibOut out;
  const auto routes = *rc::gen::inRange(1, 16);
  for (int i = 0; i < routes; ++i) {
    const auto which = *rc::gen::inRange<std::size_t>(0, sets.size());
    const bool six = sets[which].next_hop->v6;
    const RouteKey key = six ? v6(static_cast<std::uint8_t>(i))
                             : v4(0x0A000000u + (static_cast<std::uint32_t>(i) << 8));
    out.announce(key, pool.intern(sets[which]));
  }
  AdjRibIn in;
  std::vector<Refusal> refused;
  while (out.has_pending()) {
    for (const auto& u : out.take_updates(ctx, options)) {
      Bytes bytes;
      auto error = encode_message(Message(u), ctx, bytes);
      RC_ASSERT(!error);
      RC_ASSERT(bytes.size() <= ctx.max_message_size());
      RC_ASSERT((std::size_t{bytes[16]} << 8 | bytes[17]) == bytes.size());
      auto decoded = decode_message(bytes, ctx);
      RC_ASSERT(decoded.ok());
      in.apply(std::get<Update>(*decoded), pool);
    }
    for (auto& r : out.take_refused()) refused.push_back(std::move(r));
  }
  const auto refused_keys = keys(refused);
  RC_ASSERT(refused_keys.size() == refused.size());
  for (const auto& [key, attributes] : out.routes()) {
    const bool sent = in.find(key) != nullptr;
    RC_ASSERT(sent != (refused_keys.count(key) == 1));
    if (sent) {
      RC_ASSERT(in.find(key) == attributes);
    } else {
      // Refused only when it really cannot go: alone it is unencodable or too big.
      Bytes bytes;
      auto error = encode_message(Message(alone(key, *attributes)), ctx, bytes);
      RC_ASSERT(error || bytes.size() > ctx.max_message_size());
    }
  }
}

}  // namespace
}  // namespace bgpsim::rib
