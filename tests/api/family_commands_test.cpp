// API route commands of the families whose NLRI is not a prefix (flow, vpls,
// mcast-vpn, mup, sr-policy): the words go to the family's row, the route reaches the
// peer, and a withdraw names it by the same words.
#include <gtest/gtest.h>

#include "speaker/api/commands.hpp"
#include "speaker/wire/family_row.hpp"
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

TEST(ApiFlowWords, EveryComponentAndActionWordGoesToItsBlock) {
  // Each component with a value goes to match; each action to then, but
  // interface-set (scope); rd and next-hop stay the route's; in any order,
  // each with its words up to the next such word, a [ list ] whole.
  std::vector<std::string> components{"source", "destination"};
  for (auto name : flow_component_names()) components.emplace_back(name);
  for (const auto& name : components) {
    auto split = api::split_flow_words(std::vector<std::string>{"discard", name, "[", "=1", "]"});
    ASSERT_TRUE(std::holds_alternative<api::FlowWords>(split)) << name;
    const auto& f = std::get<api::FlowWords>(split);
    EXPECT_EQ(f.match, std::vector<std::string>{name + " [ =1 ];"});
    EXPECT_EQ(f.then, std::vector<std::string>{"discard;"});
  }
  for (auto action : flow_action_names()) {
    const std::string name(action);
    auto split = api::split_flow_words(
        std::vector<std::string>{name, "v1", "source", "10.0.0.1/32", "rd", "65000:1"});
    ASSERT_TRUE(std::holds_alternative<api::FlowWords>(split)) << name;
    const auto& f = std::get<api::FlowWords>(split);
    const std::vector<std::string> it{name + " v1;"};
    EXPECT_EQ(f.scope, name == "interface-set" ? it : std::vector<std::string>{});
    EXPECT_EQ(f.then, name == "interface-set" ? std::vector<std::string>{} : it);
    EXPECT_EQ(f.match, std::vector<std::string>{"source 10.0.0.1/32;"});
    EXPECT_EQ(f.route, std::vector<std::string>{"rd 65000:1;"});
    // flow_action knows every word listed (a wrong value is its only complaint).
    auto checked = flow_action(name, std::vector<std::string>{"v1"});
    if (auto* why = std::get_if<std::string>(&checked)) {
      EXPECT_EQ(why->find("unknown flow action"), std::string::npos) << *why;
    }
  }
  // ExaBGP's api-flow-merge command, as the block form has it.
  auto split = api::split_flow_words(std::vector<std::string>{
      "destination", "133.130.1.19/32", "interface-set", "[", "transitive:input:1234:10", "]",
      "discard", "extended-community", "[", "origin:1:2", "]"});
  ASSERT_TRUE(std::holds_alternative<api::FlowWords>(split));
  EXPECT_EQ(api::flow_block(std::get<api::FlowWords>(split)),
            "flow { route { match { destination 133.130.1.19/32; } scope { interface-set [ "
            "transitive:input:1234:10 ]; } then { discard; extended-community [ origin:1:2 ]; } "
            "} }");
  // Errors name the word.
  auto why = [](std::vector<std::string> words) {
    auto r = api::split_flow_words(words);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
  };
  EXPECT_NE(why({"dicsard", "source", "10.0.0.1/32"}).find("'dicsard'"), std::string::npos);
  // A word after a component's value is one more value: the parser of the
  // block form then refuses it (OneLineFlowRoutesAnnounceAndWithdraw).
  EXPECT_EQ(why({"source", "10.0.0.1/32", "dicsard"}), "");
  EXPECT_NE(why({"source", "discard"}).find("'source' needs a value"), std::string::npos);
  EXPECT_NE(why({"port", "[", "=80", "discard"}).find("'port': a '['"), std::string::npos);
  EXPECT_NE(why({"discard"}).find("needs a match"), std::string::npos);
}

TEST(ApiFamilyCommands, OneLineFlowRoutesAnnounceAndWithdraw) {
  const Family ipv6_flow(Afi::ipv6, Safi::flow);
  auto c = families_config();
  c.neighbors[0].families.push_back(ipv6_flow);
  World w(c, {}, {ipv4_unicast, ipv4_flow, ipv6_flow});
  w.start();
  w.run();
  ASSERT_EQ(w.a_peer().state(), session::State::established);
  EXPECT_EQ(w.command("announce flow route destination 133.130.1.219/32 discard interface-set "
                      "[ transitive:input:1234:10]"),
            done);
  EXPECT_EQ(w.command("announce ipv6 flow source 2001:db8::/32 next-header =6 rate-limit 100"),
            done);
  EXPECT_EQ(w.command("announce ipv6 flow port =80 discard"), error) << "an IPv4 match";
  EXPECT_EQ(w.command("announce flow route destination 10.0.0.1/32 dicsard"), error);
  w.run(1s);
  const auto& in = w.b.find_peer("10.0.0.1")->adj_rib_in().routes();
  std::map<Family, std::vector<std::string>> want{
      {ipv4_flow, {"destination-ipv4 133.130.1.219/32"}},
      {ipv6_flow, {"source-ipv6 2001:db8::/32/0 next-header =tcp"}}};
  EXPECT_EQ(texts(in), want);
  for (const auto& [key, attributes] : in)
    if (key.family == ipv4_flow) {
      // discard (then), then interface-set (scope; draft-ietf-idr-flowspec-interfaceset).
      EXPECT_EQ(attributes->extended_communities,
                (std::vector<std::uint64_t>{0x8006000000000000, 0x0702000004D2400A}));
    }
  EXPECT_EQ(w.command("withdraw flow route destination 133.130.1.219/32"), done);
  EXPECT_EQ(w.command("withdraw ipv6 flow source 2001:db8::/32 next-header =6"), done);
  w.run(1s);
  EXPECT_TRUE(w.b.find_peer("10.0.0.1")->adj_rib_in().routes().empty());
}

}  // namespace
}  // namespace bgpsim
