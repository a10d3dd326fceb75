// RFC 9234 5 egress: OTC added towards a Customer, Peer or RS-Client; a route
// carrying OTC never goes to a Provider, Peer or RS (withdrawn instead); an
// UPDATE the added attribute makes too long is split, losing no NLRI.
#include <gtest/gtest.h>

#include "speaker/session/only_to_customer.hpp"
#include "speaker/wire/capability.hpp"

namespace bgpsim::session {
namespace {

namespace role = wire::cap::role;

wire::Nlri v4(std::uint32_t i) {
  wire::Nlri n;
  n.prefix = wire::IpPrefix{wire::IpAddress::v4_from_u32(0x0A000000 + (i << 8)), 24};
  return n;
}

wire::Update route(std::size_t count, std::optional<std::uint32_t> otc = std::nullopt) {
  wire::Update u;
  u.attributes.origin = wire::Origin::igp;
  u.attributes.as_path = wire::AsPath{};
  u.attributes.next_hop = wire::IpAddress::parse("192.0.2.1");
  if (otc)
    u.attributes.other.push_back(
        wire::RawAttribute{0xC0,
                           otc_code,
                           {std::uint8_t(*otc >> 24), std::uint8_t(*otc >> 16),
                            std::uint8_t(*otc >> 8), std::uint8_t(*otc)}});
  for (std::uint32_t i = 0; i < count; ++i) u.nlri.push_back(v4(i));
  return u;
}

std::optional<wire::Bytes> otc_of(const wire::Update& u) {
  for (const auto& a : u.attributes.other)
    if (a.code == otc_code) return a.value;
  return std::nullopt;
}

std::vector<wire::Update> egress(wire::Update u, std::uint8_t local_role) {
  return only_to_customer_egress(std::move(u), local_role, 65001, wire::EncodeContext{});
}

TEST(OnlyToCustomerEgress, AddedTowardsCustomerPeerAndRsClient) {
  for (auto local : {role::provider, role::peer, role::rs}) {
    auto out = egress(route(1), local);
    ASSERT_EQ(out.size(), 1u) << int(local);
    EXPECT_EQ(otc_of(out[0]), (wire::Bytes{0, 0, 0xFD, 0xE9})) << "the local AS, 65001";
    EXPECT_EQ(out[0].attributes.other[0].flags, 0xC0) << "optional transitive";
    EXPECT_EQ(out[0].nlri.size(), 1u);
  }
}

TEST(OnlyToCustomerEgress, NotAddedTowardsProviderOrRs) {
  for (auto local : {role::customer, role::rs_client}) {
    auto out = egress(route(1), local);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], route(1)) << "unchanged";
  }
}

TEST(OnlyToCustomerEgress, PresentOtcKeptTowardsCustomer) {
  for (auto local : {role::provider, role::rs}) {
    auto out = egress(route(2, 64999), local);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], route(2, 64999)) << "the value set upstream is kept";
  }
}

TEST(OnlyToCustomerEgress, RouteWithOtcWithdrawnTowardsProviderPeerAndRs) {
  for (auto local : {role::customer, role::peer, role::rs_client}) {
    auto in = route(3, 64999);
    in.withdrawn.push_back(v4(9));
    auto out = egress(std::move(in), local);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].nlri.empty()) << int(local);
    EXPECT_EQ(out[0].withdrawn, (std::vector<wire::Nlri>{v4(9), v4(0), v4(1), v4(2)}));
    EXPECT_EQ(out[0].attributes, wire::PathAttributes{}) << "a withdrawal carries no attributes";
  }
}

TEST(OnlyToCustomerEgress, MultiprotocolRouteWithOtcBecomesMpUnreach) {
  wire::Update u;
  u.attributes.origin = wire::Origin::igp;
  u.attributes.as_path = wire::AsPath{};
  u.attributes.other.push_back(wire::RawAttribute{0xC0, otc_code, {0, 0, 0, 1}});
  wire::Nlri n;
  n.prefix = *wire::IpPrefix::parse("2001:db8::/32");
  u.attributes.mp_reach = wire::MpReach{wire::ipv6_unicast, wire::Bytes(16, 1), {n}, {}};
  auto out = egress(u, role::customer);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].attributes.mp_unreach.has_value());
  EXPECT_EQ(out[0].attributes.mp_unreach->family, wire::ipv6_unicast);
  EXPECT_EQ(out[0].attributes.mp_unreach->nlri, (std::vector<wire::Nlri>{n}));
  EXPECT_FALSE(out[0].attributes.mp_reach.has_value());
  EXPECT_FALSE(out[0].end_of_rib().has_value()) << "not mistaken for an End-of-RIB";
}

TEST(OnlyToCustomerEgress, EndOfRibAndWithdrawalsPassUnchanged) {
  for (auto local : {role::provider, role::customer, role::peer}) {
    auto eor = wire::Update::make_end_of_rib(wire::ipv6_unicast);
    EXPECT_EQ(egress(eor, local), (std::vector<wire::Update>{eor}));
    wire::Update w;
    w.withdrawn.push_back(v4(1));
    EXPECT_EQ(egress(w, local), (std::vector<wire::Update>{w}));
  }
}

// A full UPDATE (as the builder packs one) is split when OTC no longer fits.
TEST(OnlyToCustomerEgress, SplitWhenTheAddedAttributeDoesNotFit) {
  // 4,096 octets: 19 header + 4 lengths + attributes + 4 octets per /24.
  wire::Update full = route(0);
  wire::Bytes probe;
  ASSERT_FALSE(wire::encode_message(wire::Message(full), wire::EncodeContext{}, probe));
  const std::size_t count = (4096 - probe.size()) / 4;
  full = route(count);
  wire::Bytes bytes;
  ASSERT_FALSE(wire::encode_message(wire::Message(full), wire::EncodeContext{}, bytes));
  ASSERT_GT(bytes.size() + 7, 4096u) << "OTC (7 octets) would overflow it";
  auto out = egress(full, role::provider);
  ASSERT_EQ(out.size(), 2u);
  std::vector<wire::Nlri> all;
  for (const auto& u : out) {
    wire::Bytes b;
    EXPECT_FALSE(wire::encode_message(wire::Message(u), wire::EncodeContext{}, b));
    EXPECT_LE(b.size(), 4096u);
    EXPECT_TRUE(otc_of(u).has_value());
    all.insert(all.end(), u.nlri.begin(), u.nlri.end());
  }
  EXPECT_EQ(all, full.nlri) << "every NLRI once, in order";
}

}  // namespace
}  // namespace bgpsim::session
