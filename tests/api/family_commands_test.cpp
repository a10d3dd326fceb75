// API route commands of the families whose NLRI is not a prefix (flow, vpls,
// mcast-vpn, mup, sr-policy): the words go to the family's row, the route reaches the
// peer, and a withdraw names it by the same words.
#include <gtest/gtest.h>

#include "tests/api/api_fixture.hpp"

namespace bgpsim {
namespace {

using apitest::World;
using namespace wire;
using namespace std::chrono_literals;
const std::vector<std::string> done{"done"};
const std::vector<std::string> error{"error"};

const Family ipv4_flow(Afi::ipv4, Safi::flow), vpls(Afi::l2vpn, Safi::vpls),
    ipv4_mvpn(Afi::ipv4, Safi::mcast_vpn), ipv6_mup(Afi::ipv6, Safi::mup),
    ipv4_sr_policy(Afi::ipv4, Safi::srte);

config::Config families_config() {
  auto c = apitest::speaker_config();
  c.neighbors[0].families = {ipv4_unicast, ipv4_flow, vpls, ipv4_mvpn, ipv6_mup, ipv4_sr_policy};
  return c;
}

// Route texts (the row's words) of one side's table, per family.
template <class Table>
std::map<Family, std::vector<std::string>> texts(const Table& routes) {
  std::map<Family, std::vector<std::string>> out;
  for (const auto& [key, attributes] : routes)
    out[key.family].push_back(nlri_text(key.family, key.nlri));
  return out;
}

TEST(ApiFamilyCommands, FlowVplsMvpnAndMupRoutesReachThePeerAndWithdraw) {
  World w(families_config(), {},
          {ipv4_unicast, ipv4_flow, vpls, ipv4_mvpn, ipv6_mup, ipv4_sr_policy});
  w.start();
  w.run();
  ASSERT_EQ(w.a_peer().state(), session::State::established);
  EXPECT_EQ(w.command("announce flow route { match { source 10.0.0.1/32; destination-port "
                      "[ >8080&<8088 =3128 ]; protocol tcp; } then { rate-limit 9600; } }"),
            done);
  EXPECT_EQ(w.command("announce vpls endpoint 5 base 10702 offset 1 size 8 rd "
                      "192.168.201.1:123 next-hop 192.168.201.1"),
            done);
  EXPECT_EQ(w.command("announce ipv4 mcast-vpn source-ad source 10.99.12.4 group "
                      "239.251.255.228 rd 65000:99999 next-hop 10.0.0.1"),
            done);
  EXPECT_EQ(w.command("announce ipv6 mup mup-isd 2001:db8:1::/48 rd 100:100 next-hop 2001::2"),
            done);
  w.run(1s);
  const auto sent = texts(w.a_peer().adj_rib_out().routes());
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent.at(ipv4_flow),
            std::vector<std::string>{
                "source-ipv4 10.0.0.1/32 protocol =tcp destination-port [ >8080&<8088 =3128 ]"});
  EXPECT_EQ(texts(w.b.find_peer("10.0.0.1")->adj_rib_in().routes()), sent)
      << "the peer decoded what was sent";
  // The flow route's action: traffic-rate 9600 bytes/s (RFC 8955 7.1).
  for (const auto& [key, attributes] : w.b.find_peer("10.0.0.1")->adj_rib_in().routes())
    if (key.family == ipv4_flow) {
      EXPECT_EQ(attributes->extended_communities, (std::vector<std::uint64_t>{0x8006000046160000}));
    }
  EXPECT_EQ(w.command("withdraw flow route { match { source 10.0.0.1/32; destination-port "
                      "[ >8080&<8088 =3128 ]; protocol tcp; } }"),
            done);
  EXPECT_EQ(w.command("withdraw vpls endpoint 5 base 10702 offset 1 size 8 rd "
                      "192.168.201.1:123"),
            done);
  w.run(1s);
  auto left = texts(w.b.find_peer("10.0.0.1")->adj_rib_in().routes());
  EXPECT_EQ(left.size(), 2u);
  EXPECT_FALSE(left.count(ipv4_flow));
  EXPECT_FALSE(left.count(vpls));
  // An SR Policy with its candidate path (the Tunnel Encapsulation
  // attribute) reaches the peer; a bad word is refused, the others stay.
  EXPECT_EQ(
      w.command("announce ipv4 sr-policy distinguisher 0 color 100 endpoint 10.0.0.9 "
                "next-hop 10.0.0.1 preference 7 segment-list weight 1 segment type-a mpls 16"),
      done);
  EXPECT_EQ(w.command("announce ipv4 sr-policy distinguisher 0 color 1 endpoint 10.0.0.9 "
                      "next-hop 10.0.0.1 segment-list weight 1 segment type-q"),
            error);
  w.run(1s);
  const auto received = texts(w.b.find_peer("10.0.0.1")->adj_rib_in().routes());
  EXPECT_EQ(received.at(ipv4_sr_policy),
            std::vector<std::string>{"sr-policy distinguisher 0 color 100 endpoint 10.0.0.9"});
  for (const auto& [key, attributes] : w.b.find_peer("10.0.0.1")->adj_rib_in().routes())
    if (key.family == ipv4_sr_policy) {
      ASSERT_EQ(attributes->other.size(), 1u);
      EXPECT_EQ(attributes->other[0].code, 23);
    }
  EXPECT_EQ(w.command("withdraw ipv4 sr-policy distinguisher 0 color 100 endpoint 10.0.0.9"), done);
  w.run(1s);
  EXPECT_EQ(texts(w.b.find_peer("10.0.0.1")->adj_rib_in().routes()).size(), 2u);
}

}  // namespace
}  // namespace bgpsim
