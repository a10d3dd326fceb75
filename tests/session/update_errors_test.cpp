// RFC 7606 outcomes applied to decoded UPDATEs.
#include "speaker/session/update_errors.hpp"

#include <gtest/gtest.h>

namespace bgpsim::session {
namespace {

wire::Nlri nlri(const char* text) { return {*wire::IpPrefix::parse(text), std::nullopt}; }

wire::AttributeError error(std::uint8_t code, wire::ErrorAction action) {
  return {code, action,
          wire::make_error(30, wire::NotifyCode::update_message,
                           wire::update_error::attribute_length_error, "bad attribute")};
}

wire::Update sample() {
  wire::Update u;
  u.withdrawn = {nlri("10.9.0.0/16")};
  u.nlri = {nlri("10.0.0.0/8"), nlri("10.1.0.0/16")};
  u.attributes.origin = wire::Origin::igp;
  u.attributes.as_path = wire::AsPath{};
  u.attributes.next_hop = wire::IpAddress::v4_from_u32(0x0A000001);
  return u;
}

TEST(Rfc7606, WellFormedUpdateIsAppliedAsIs) {
  auto outcome = apply_rfc7606(sample());
  EXPECT_FALSE(outcome.worst);
  EXPECT_FALSE(outcome.reset);
  ASSERT_EQ(outcome.to_apply.size(), 1u);
  EXPECT_EQ(outcome.to_apply[0], sample());
}

TEST(Rfc7606, AttributeDiscardKeepsTheRoutes) {
  auto u = sample();
  u.attribute_errors = {error(wire::attr::med, wire::ErrorAction::attribute_discard)};
  auto outcome = apply_rfc7606(u);
  EXPECT_EQ(outcome.worst, wire::ErrorAction::attribute_discard);
  ASSERT_EQ(outcome.to_apply.size(), 1u);
  EXPECT_EQ(outcome.to_apply[0].nlri, u.nlri);
  EXPECT_FALSE(outcome.to_apply[0].attributes.med);
}

TEST(Rfc7606, TreatAsWithdrawRemovesTheRoutes) {
  auto u = sample();
  u.attribute_errors = {error(wire::attr::med, wire::ErrorAction::attribute_discard),
                        error(wire::attr::origin, wire::ErrorAction::treat_as_withdraw)};
  auto outcome = apply_rfc7606(u);
  EXPECT_EQ(outcome.worst, wire::ErrorAction::treat_as_withdraw);
  EXPECT_FALSE(outcome.reset);
  ASSERT_EQ(outcome.to_apply.size(), 1u);
  const auto& w = outcome.to_apply[0];
  EXPECT_TRUE(w.nlri.empty());
  EXPECT_EQ(w.withdrawn, (std::vector<wire::Nlri>{nlri("10.9.0.0/16"), nlri("10.0.0.0/8"),
                                                  nlri("10.1.0.0/16")}));
  EXPECT_EQ(w.attributes, wire::PathAttributes{});
}

TEST(Rfc7606, TreatAsWithdrawCoversMultiprotocolNlri) {
  wire::Update u;
  u.attributes.mp_reach = wire::MpReach{wire::ipv6_unicast, {}, {nlri("2001:db8::/32")}, {}};
  u.attributes.mp_unreach = wire::MpUnreach{wire::ipv4_multicast, {nlri("10.0.0.0/8")}, {}};
  u.attribute_errors = {error(wire::attr::as_path, wire::ErrorAction::treat_as_withdraw)};
  auto outcome = apply_rfc7606(u);
  ASSERT_EQ(outcome.to_apply.size(), 2u);
  ASSERT_TRUE(outcome.to_apply[0].attributes.mp_unreach);
  EXPECT_EQ(outcome.to_apply[0].attributes.mp_unreach->family, wire::ipv6_unicast);
  EXPECT_EQ(outcome.to_apply[0].attributes.mp_unreach->nlri,
            std::vector<wire::Nlri>{nlri("2001:db8::/32")});
  EXPECT_FALSE(outcome.to_apply[0].attributes.mp_reach);
  EXPECT_EQ(outcome.to_apply[1].attributes.mp_unreach, u.attributes.mp_unreach);

  // Same family: one MP_UNREACH with both sets.
  u.attributes.mp_unreach = wire::MpUnreach{wire::ipv6_unicast, {nlri("2001:db9::/32")}, {}};
  outcome = apply_rfc7606(u);
  ASSERT_EQ(outcome.to_apply.size(), 1u);
  EXPECT_EQ(outcome.to_apply[0].attributes.mp_unreach->nlri,
            (std::vector<wire::Nlri>{nlri("2001:db8::/32"), nlri("2001:db9::/32")}));
}

TEST(Rfc7606, SessionResetAsksForTheNotification) {
  auto u = sample();
  u.attribute_errors = {error(wire::attr::origin, wire::ErrorAction::treat_as_withdraw),
                        error(wire::attr::mp_reach_nlri, wire::ErrorAction::session_reset)};
  auto outcome = apply_rfc7606(u);
  EXPECT_EQ(outcome.worst, wire::ErrorAction::session_reset);
  ASSERT_TRUE(outcome.reset);
  EXPECT_EQ(outcome.reset->subcode, wire::update_error::attribute_length_error);
  EXPECT_TRUE(outcome.to_apply.empty());
}

}  // namespace
}  // namespace bgpsim::session
