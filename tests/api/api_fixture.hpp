// The API tests' world: speaker A (a Reactor with the API Dispatcher, as
// `bgpsim live` wires them) at 10.0.0.1, AS 65001, and its neighbor B at
// 10.0.0.2, AS 65002 (another Reactor, passive, listening), in the
// simulator. Process "text" (text encoder) and "json" (JSON encoder) are
// bound to B's neighbor on A; what A writes to them is kept per process.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/api/dispatcher.hpp"
#include "speaker/config/parser.hpp"
#include "speaker/reactor/reactor.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim::apitest {

using namespace std::chrono_literals;

// A's configuration: one neighbor per address in `peers` (10.0.0.2 first),
// each binding both processes with `receive { parsed; update; }` and
// neighbor-changes.
inline config::Config speaker_config(std::vector<const char*> peers = {"10.0.0.2"}) {
  config::Config c;
  for (const char* name : {"text", "json"}) {
    config::Process p;
    p.name = name;
    p.run = {"true"};
    p.encoder = name;
    c.processes.push_back(p);
  }
  std::uint32_t as = 65002;
  for (const char* peer : peers) {
    auto n = simtest::sim_neighbor("10.0.0.1", peer, 65001, as++);
    config::ApiBinding b;
    b.processes = {"text", "json"};
    b.neighbor_changes = true;
    b.receive.parsed = true;
    b.receive.update = true;
    n.api.push_back(b);
    c.neighbors.push_back(n);
  }
  return c;
}

struct World {
  sim::World world{11};
  sim::Network& net = sim::Network::install(world);
  sim::NodeId node_a = net.add_node("a", {boost::asio::ip::make_address("10.0.0.1")});
  sim::NodeId node_b = net.add_node("b", {boost::asio::ip::make_address("10.0.0.2")});
  sim::SimRuntime rt_a{net, node_a}, rt_b{net, node_b};
  reactor::ObserverFanout fan_a;
  simtest::SessionRecorder rec_a, rec_b;
  reactor::Reactor<sim::SimRuntime> a{rt_a, fan_a}, b{rt_b, rec_b};
  std::map<std::string, std::vector<std::string>> lines;  // what A wrote, per process
  std::vector<std::string> log;                           // the dispatcher's diagnostics
  std::unique_ptr<api::Dispatcher<sim::SimRuntime>> api;
  config::Config config_a;

  // `b_families`: the families B negotiates (empty: its defaults);
  // `b_capabilities`: those B offers.
  explicit World(config::Config a_config = speaker_config(),
                 std::vector<config::StaticRoute> b_routes = {},
                 std::vector<wire::Family> b_families = {},
                 config::Capabilities b_capabilities = {}) {
    config_a = std::move(a_config);
    fan_a.add(rec_a);
    EXPECT_FALSE(a.configure(config_a));
    api = std::make_unique<api::Dispatcher<sim::SimRuntime>>(
        a, config_a, [this](const std::string& process, const std::string& line) {
          lines[process].push_back(line);
        });
    api->set_log([this](const std::string& l) { log.push_back(l); });
    fan_a.add(*api);
    config::Config cb;
    auto n = simtest::sim_neighbor("10.0.0.2", "10.0.0.1", 65002, 65001);
    n.passive = true;
    n.listen_port = 179;
    for (auto& r : b_routes) n.routes.push_back(r);
    n.families = std::move(b_families);
    n.capabilities = std::move(b_capabilities);
    cb.neighbors.push_back(n);
    EXPECT_FALSE(b.configure(cb));
  }
  ~World() {
    a.stop();
    b.stop();
    world.run_for(5s);
  }

  void start() {
    net.spawn(node_a, a.run());
    net.spawn(node_b, b.run());
  }
  void run(std::chrono::nanoseconds d = 5s) { world.run_for(d); }

  // Sends one command as process `process`; returns the lines it got back.
  std::vector<std::string> command(const std::string& line, const std::string& process = "text") {
    const auto before = lines[process].size();
    api->command(process, line);
    auto& all = lines[process];
    return std::vector<std::string>(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  }

  session::Peer<sim::SimRuntime>& a_peer(const std::string& name = "10.0.0.2") {
    return *a.find_peer(name);
  }
  // A's Adj-RIB-Out towards `name`, as "PREFIX ATTRIBUTES" (text encoder words).
  std::map<std::string, std::string> a_out(const std::string& name = "10.0.0.2") {
    std::map<std::string, std::string> t;
    for (const auto& [key, attributes] : a.find_peer(name)->adj_rib_out().routes())
      t[wire::nlri_text(key.family, key.nlri)] =
          "next-hop " + attributes->next_hop->to_string() + api::text_attributes(*attributes);
    return t;
  }
  // B's Adj-RIB-In (what reached the peer), in the same words.
  std::map<std::string, std::string> b_in() {
    std::map<std::string, std::string> t;
    for (const auto& [key, attributes] : b.find_peer("10.0.0.1")->adj_rib_in().routes())
      t[wire::nlri_text(key.family, key.nlri)] =
          "next-hop " + attributes->next_hop->to_string() + api::text_attributes(*attributes);
    return t;
  }
};

// A route as configured (B's routes towards A).
inline config::StaticRoute route(const char* prefix, const char* next_hop) {
  return simtest::static_route(prefix, wire::IpAddress::parse(next_hop));
}

}  // namespace bgpsim::apitest
