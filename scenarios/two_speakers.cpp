#include "scenarios/two_speakers.hpp"

#include <fmt/format.h>

#include <memory>

#include "sim/pcap.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"

namespace bgpsim::scenarios {

namespace {

using namespace std::chrono_literals;
using wire::IpAddress;

struct SessionCounter : session::PeerObserver {
  int established = 0;
  void on_established(const std::string&, const session::Negotiated&) override { ++established; }
};

config::Neighbor neighbor(std::string_view local, std::string_view peer, std::uint32_t local_as,
                          std::uint32_t peer_as, bool passive, std::uint16_t hold_time_s) {
  config::Neighbor n;
  n.local_address = IpAddress::parse(local);
  n.peer_address = *IpAddress::parse(peer);
  n.local_as = local_as;
  n.peer_as = peer_as;
  n.router_id = n.local_address->v4_u32();
  n.hold_time_s = hold_time_s;
  n.passive = passive;
  if (passive) n.listen_port = 179;
  return n;
}

// `count` /24s from `first`, in seven attribute sets (different MEDs).
void add_routes(config::Neighbor& n, std::uint32_t first, std::size_t count, std::uint32_t med) {
  for (std::size_t i = 0; i < count; ++i) {
    config::StaticRoute r;
    r.family = wire::ipv4_unicast;
    r.nlri.prefix = wire::IpPrefix{IpAddress::v4_from_u32(first + (std::uint32_t(i) << 8)), 24};
    wire::PathAttributes a;
    a.origin = wire::Origin::igp;
    a.as_path = wire::AsPath{};  // eBGP: the reactor prepends our AS
    a.next_hop = n.local_address;
    a.med = med + std::uint32_t(i % 7);
    r.attributes = config::share(std::move(a));
    n.routes.push_back(r);
  }
}

// What `in` lacks or has different from `out`; empty when equal.
std::string difference(const rib::AdjRibOut& out, const rib::AdjRibIn& in) {
  if (out.routes().size() != in.routes().size())
    return fmt::format("{} routes advertised, {} received", out.routes().size(),
                       in.routes().size());
  auto i = in.routes().begin();
  for (const auto& [key, attributes] : out.routes()) {
    if (!(i->first == key))
      return "received " + i->first.nlri.prefix.to_string() + ", expected " +
             key.nlri.prefix.to_string();
    if (!(*i->second == *attributes)) return "attributes differ for " + key.nlri.prefix.to_string();
    ++i;
  }
  return {};
}

}  // namespace

bool TwoSpeakersResult::ok() const {
  for (const auto& p : phases)
    if (!p.converged) return false;
  return stopped_cleanly && failures.empty();
}

TwoSpeakersResult run_two_speakers(const TwoSpeakersOptions& options) {
  using Reactor = reactor::Reactor<sim::SimRuntime>;
  TwoSpeakersResult result;
  sim::World world(options.seed);
  auto& net = sim::Network::install(world);
  std::unique_ptr<sim::PcapWriter> pcap;
  if (!options.pcap_path.empty()) pcap = std::make_unique<sim::PcapWriter>(net, options.pcap_path);
  const auto node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a(net, node_a), rt_b(net, node_b);
  SessionCounter sessions_a, sessions_b;
  Reactor speaker_a(rt_a, sessions_a), speaker_b(rt_b, sessions_b);

  config::Config config_a, config_b;
  config_a.neighbors.push_back(
      neighbor("10.0.0.1", "10.0.0.2", 65001, 65002, false, options.hold_time_s));
  config_b.neighbors.push_back(
      neighbor("10.0.0.2", "10.0.0.1", 65002, 65001, true, options.hold_time_s));
  add_routes(config_a.neighbors[0], 0x0A000000, options.routes, 100);
  add_routes(config_b.neighbors[0], 0xC0000000, options.routes / 20, 200);
  speaker_a.configure(config_a);
  speaker_b.configure(config_b);
  int done = 0;
  auto on_done = [&](std::exception_ptr e) {
    if (e) result.failures.push_back("a reactor ended with an exception");
    ++done;
  };
  net.spawn(node_a, speaker_a.run(), on_done);
  net.spawn(node_b, speaker_b.run(), on_done);
  auto& a = *speaker_a.find_peer("10.0.0.2");
  auto& b = *speaker_b.find_peer("10.0.0.1");

  // `a_to_b` / `b_to_a`: the routes each side announces now, from its
  // configuration; a Adj-RIB-In holding another count fails the phase even if
  // both sides agree (two emptied tables would otherwise look converged).
  auto check = [&](std::string name, std::size_t a_to_b, std::size_t b_to_a) {
    Phase p;
    p.name = std::move(name);
    p.at = world.now();
    p.routes_a_to_b = b.adj_rib_in().size();
    p.routes_b_to_a = a.adj_rib_in().size();
    if (options.keep_tables) {
      p.rib_in_a = a.adj_rib_in().routes();
      p.rib_in_b = b.adj_rib_in().routes();
    }
    if (a.state() != session::State::established || b.state() != session::State::established)
      p.detail = fmt::format("not established: {} / {}", session::to_string(a.state()),
                             session::to_string(b.state()));
    else if (p.routes_a_to_b != a_to_b || p.routes_b_to_a != b_to_a)
      p.detail = fmt::format(
          "B holds {} routes from A (A announces {}), A holds {} from B (B "
          "announces {})",
          p.routes_a_to_b, a_to_b, p.routes_b_to_a, b_to_a);
    else if (auto d = difference(a.adj_rib_out(), b.adj_rib_in()); !d.empty())
      p.detail = "A->B: " + d;
    else if (auto d2 = difference(b.adj_rib_out(), a.adj_rib_in()); !d2.empty())
      p.detail = "B->A: " + d2;
    p.converged = p.detail.empty();
    result.phases.push_back(std::move(p));
  };

  world.run_for(30s);
  check("initial tables exchanged", options.routes, options.routes / 20);
  config_a.neighbors[0].routes.resize(options.routes / 2);
  speaker_a.configure(config_a);  // a reload: the removed half is withdrawn
  world.run_for(10s);
  check("half withdrawn by reload", options.routes / 2, options.routes / 20);
  if (options.faults) {
    {
      auto reset = net.add_fault(sim::FaultRule{sim::Match{}, sim::FaultAction::reset});
      world.run_for(1s);
    }
    world.run_for(120s);
    check("after a connection reset", options.routes / 2, options.routes / 20);
    {
      // Longer than the hold time: the hold timers end the session.
      auto partition = net.add_fault(sim::FaultRule{sim::Match{}, sim::FaultAction::partition});
      world.run_for(std::chrono::seconds(options.hold_time_s * 2 + 2));
    }
    world.run_for(180s);
    check("after a partition", options.routes / 2, options.routes / 20);
  }
  speaker_a.stop();
  speaker_b.stop();
  world.run_for(10s);
  result.stopped_cleanly = done == 2;
  result.sessions_established = sessions_a.established;
  for (const auto& f : net.failures()) result.failures.push_back(f);
  if (pcap) pcap->flush();
  result.run = sim::RunResult{options.seed, world.trace().hash(), world.trace().events()};
  return result;
}

}  // namespace bgpsim::scenarios
