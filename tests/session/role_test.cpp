// RFC 9234 BGP Role: the capability on the wire and the pairing check of the
// OPEN (Role Mismatch, strict mode, several roles).
#include <gtest/gtest.h>

#include "speaker/session/negotiate.hpp"

namespace bgpsim::session {
namespace {

namespace cap = wire::cap;

PeerConfig side(std::uint32_t local, std::uint32_t peer, std::uint32_t id,
                std::optional<std::uint8_t> role) {
  PeerConfig c;
  c.local_as = local;
  c.peer_as = peer;
  c.router_id = id;
  c.role = role;
  return c;
}

wire::Result<Negotiated> run(std::optional<std::uint8_t> ours, std::optional<std::uint8_t> theirs,
                             bool strict = false) {
  auto local = side(65001, 65002, 0x01010101, ours);
  local.role_strict = strict;
  return negotiate(local, make_open(local), make_open(side(65002, 65001, 0x02020202, theirs)));
}

void expect_mismatch(const wire::Result<Negotiated>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, static_cast<std::uint8_t>(wire::NotifyCode::open_message));
  EXPECT_EQ(r.error().subcode, wire::open_error::role_mismatch) << r.error().reason;
}

TEST(Role, CapabilityBytes) {
  wire::Bytes out;
  wire::Writer w(out);
  wire::encode_capability(cap::Role{cap::role::customer}, w);
  EXPECT_EQ(out, (wire::Bytes{9, 1, 3}));
  auto back = wire::decode_capability(9, wire::Reader(wire::ByteView(out).subspan(2)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<cap::Role>(*back).value, cap::role::customer);
  // RFC 9234 4.1: the value is one octet.
  const wire::Bytes two{3, 3};
  EXPECT_FALSE(wire::decode_capability(9, wire::Reader(wire::ByteView(two))).ok());
}

TEST(Role, PairsAreAccepted) {
  for (auto [a, b] : {std::pair{cap::role::provider, cap::role::customer},
                      {cap::role::customer, cap::role::provider},
                      {cap::role::rs, cap::role::rs_client},
                      {cap::role::rs_client, cap::role::rs},
                      {cap::role::peer, cap::role::peer}}) {
    auto r = run(a, b);
    ASSERT_TRUE(r.ok()) << int(a) << " " << int(b) << " " << r.error().reason;
    EXPECT_EQ(r->local_role, a);
    EXPECT_EQ(r->peer_role, b);
  }
}

TEST(Role, MismatchIsRefused) {
  expect_mismatch(run(cap::role::provider, cap::role::provider));
  expect_mismatch(run(cap::role::provider, cap::role::peer));
  expect_mismatch(run(cap::role::customer, cap::role::rs));
  expect_mismatch(run(cap::role::peer, cap::role::customer));
}

TEST(Role, StrictModeNeedsThePeersRole) {
  EXPECT_TRUE(run(cap::role::provider, std::nullopt).ok());
  expect_mismatch(run(cap::role::provider, std::nullopt, true));
  // Without a role of ours, the peer's is noted and not checked.
  auto r = run(std::nullopt, cap::role::peer);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->peer_role, cap::role::peer);
}

TEST(Role, DifferentRolesInOneOpenAreRefused) {
  auto local = side(65001, 65002, 0x01010101, cap::role::provider);
  auto remote = side(65002, 65001, 0x02020202, cap::role::customer);
  remote.extra_capabilities.push_back(cap::Role{cap::role::peer});
  expect_mismatch(negotiate(local, make_open(local), make_open(remote)));
}

TEST(Role, Names) {
  EXPECT_EQ(cap::role_from_name("rs-client"), cap::role::rs_client);
  EXPECT_EQ(cap::role_name(cap::role::provider), "provider");
  EXPECT_FALSE(cap::role_from_name("upstream"));
}

}  // namespace
}  // namespace bgpsim::session
