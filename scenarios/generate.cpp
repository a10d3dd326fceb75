#include "scenarios/generate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/random.hpp"

namespace bgpsim::scenarios {

namespace {

std::string address(std::size_t i) { return fmt::format("10.0.{}.{}", i / 250, i % 250 + 1); }
std::string name(std::size_t i) { return fmt::format("n{}", i); }

// API prefixes: even items IPv4 (100.NODE.N.0/24), odd IPv6
// (2001:db8:1NNN:N::/64); configured ones 10.NODE.R.0/24 and 2001:db8:NODE:R::/64.
std::string api_route(std::size_t node, std::size_t item, bool announce) {
  const auto n = item / 2;
  const std::string prefix = item % 2 == 0
                                 ? fmt::format("100.{}.{}.0/24", node % 256, n % 256)
                                 : fmt::format("2001:db8:{:x}:{:x}::/64", 0x1000 + node, n);
  if (!announce) return fmt::format("withdraw route {}", prefix);
  return item % 2 == 0 ? fmt::format("announce route {} next-hop self med {}", prefix, node)
                       : fmt::format("announce route {} next-hop 2001:db8::{:x}", prefix, node + 1);
}

// Route r of node `self` in each family: distinct per (self, r), so every
// peer's Adj-RIB-In can be told apart per family. Next hops are the node's
// own (IPv4) or 2001:db8::SELF+1 (IPv6).
std::string v4(int first, std::size_t self, std::size_t r) {
  return fmt::format("{}.{}.{}.0/24", first + int(self / 256), self % 256, r % 256);
}
std::string v6(int tag, std::size_t self, std::size_t r) {
  return fmt::format("2001:db8:{:x}{:02x}:{:x}::/64", tag, self % 256, r);
}
std::string nh6(std::size_t self) { return fmt::format("2001:db8::{:x}", self + 1); }

// The statements whose shape several families share.
std::string flow(const std::string& destination, const std::string& rd) {
  return fmt::format("  flow {{ route {{ {}match {{ destination {}; }} then {{ discard; }} }} }}\n",
                     rd, destination);
}
std::string mcast_vpn(const char* afi, const std::string& source_group, std::size_t self) {
  return fmt::format(
      "  announce {{ {} {{ mcast-vpn source-ad source {} rd 65000:{} next-hop {} "
      "extended-community [ target:65000:1 ]; }} }}\n",
      afi, source_group, self, address(self));
}
std::string mup(const char* afi, const std::string& prefix, std::size_t self,
                const char* behavior) {
  return fmt::format(
      "  announce {{ {} {{ mup mup-isd {} rd 100:{} next-hop {} extended-community [ "
      "target:10:10 ] bgp-prefix-sid-srv6 ( l3-service 2001:db8:1:1:: {} [64,24,16,0,0,0] ); "
      "}} }}\n",
      afi, prefix, self, nh6(self), behavior);
}

const GeneratedFamily kFamilies[] = {
    {"ipv4 multicast",
     [](std::size_t self, std::size_t r) {
       return fmt::format("  announce {{ ipv4 {{ multicast {} next-hop {}; }} }}\n",
                          v4(30, self, r), address(self));
     }},
    {"ipv6 multicast",
     [](std::size_t self, std::size_t r) {
       return fmt::format("  announce {{ ipv6 {{ multicast {} next-hop {}; }} }}\n",
                          v6(0x30, self, r), nh6(self));
     }},
    {"ipv4 nlri-mpls",
     [](std::size_t self, std::size_t r) {
       return fmt::format("  static {{ route {} label {} next-hop self; }}\n", v4(31, self, r),
                          100 + r);
     }},
    {"ipv6 nlri-mpls",
     [](std::size_t self, std::size_t r) {
       return fmt::format("  static {{ route {} label {} next-hop {}; }}\n", v6(0x31, self, r),
                          100 + r, nh6(self));
     }},
    {"ipv4 mpls-vpn",
     [](std::size_t self, std::size_t r) {
       return fmt::format("  static {{ route {} rd 65000:{} label {} next-hop self; }}\n",
                          v4(32, self, r), self, 200 + r);
     }},
    {"ipv6 mpls-vpn",
     [](std::size_t self, std::size_t r) {
       return fmt::format("  static {{ route {} rd 65000:{} label {} next-hop {}; }}\n",
                          v6(0x32, self, r), self, 200 + r, nh6(self));
     }},
    {"ipv4 flow", [](std::size_t self, std::size_t r) { return flow(v4(33, self, r), ""); }},
    {"ipv6 flow", [](std::size_t self, std::size_t r) { return flow(v6(0x33, self, r), ""); }},
    {"ipv4 flow-vpn",
     [](std::size_t self, std::size_t r) {
       return flow(v4(35, self, r), fmt::format("rd 65000:{}; ", self));
     }},
    {"ipv6 flow-vpn",
     [](std::size_t self, std::size_t r) {
       return flow(v6(0x35, self, r), fmt::format("rd 65000:{}; ", self));
     }},
    {"l2vpn vpls",
     [](std::size_t self, std::size_t r) {
       return fmt::format(
           "  l2vpn {{ vpls site{}x{} {{ rd {}:{}; endpoint {}; base {}; offset 1; size 8; "
           "next-hop {}; }} }}\n",
           self, r, address(self), r, r % 65536, 10000 + 16 * r, address(self));
     }},
    {"ipv4 mcast-vpn",
     [](std::size_t self, std::size_t r) {
       return mcast_vpn("ipv4", fmt::format("10.99.{}.{} group 239.1.1.1", self % 256, r % 256),
                        self);
     }},
    {"ipv6 mcast-vpn",
     [](std::size_t self, std::size_t r) {
       return mcast_vpn("ipv6", fmt::format("fd12:{:x}::{:x} group ff0e::1", self, r + 1), self);
     }},
    {"ipv4 mup",
     [](std::size_t self, std::size_t r) { return mup("ipv4", v4(34, self, r), self, "0x48"); }},
    {"ipv6 mup",
     [](std::size_t self, std::size_t r) { return mup("ipv6", v6(0x34, self, r), self, "0x47"); }},
};

}  // namespace

std::span<const GeneratedFamily> generated_families() { return kFamilies; }

Scenario to_scenario(const Plan& plan) {
  Scenario s;
  s.name = fmt::format("generated-{}-nodes", plan.nodes);
  s.seed = plan.seed;
  std::vector<std::string> neighbors(plan.nodes);
  for (const auto& l : plan.links) {
    if (l.a == l.b || l.a >= plan.nodes || l.b >= plan.nodes) continue;
    for (int side = 0; side < 2; ++side) {
      const auto self = side == 0 ? l.a : l.b, peer = side == 0 ? l.b : l.a;
      const bool connects = side == 0 || l.both_active;
      const bool listens = side == 1 || l.both_active;
      std::string routes;
      for (std::size_t r = 0; r < plan.v4_routes[self]; ++r)
        routes += fmt::format("    route {}.{}.{}.0/24 next-hop self med {};\n", 10 + self / 256,
                              self % 256, r % 256, r % 3);
      for (std::size_t r = 0; r < plan.v6_routes[self]; ++r)
        routes += fmt::format("    route 2001:db8:{:x}:{:x}::/64 next-hop 2001:db8::{:x};\n", self,
                              r, self + 1);
      // Every generated family is negotiated; a node announces routes in those
      // its plan gives it.
      std::string families = "    ipv4 unicast;\n    ipv6 unicast;\n";
      for (const auto& f : kFamilies) families += fmt::format("    {};\n", f.name);
      std::string more;
      if (self < plan.family_routes.size())
        for (std::size_t f = 0; f < plan.family_routes[self].size() && f < std::size(kFamilies);
             ++f)
          for (std::size_t r = 0; r < plan.family_routes[self][f]; ++r)
            more += kFamilies[f].route(self, r);
      // A route per (node, r) whatever the neighbor: every peer gets the same set.
      neighbors[self] += fmt::format(
          "neighbor {} {{\n  router-id {};\n  local-address {};\n  local-as {};\n  peer-as {};\n"
          "  hold-time {};\n{}{}  family {{\n{}  }}\n  static {{\n{}  }}\n{}}}\n",
          address(peer), address(self), address(self), 65001 + self, 65001 + peer, plan.hold_time_s,
          connects ? "" : "  passive true;\n", listens ? "  listen 179;\n" : "", families, routes,
          more);
    }
    s.links.push_back(LinkSpec{name(l.a), name(l.b), l.latency_ms, 0});
  }
  for (std::size_t i = 0; i < plan.nodes; ++i)
    s.nodes.push_back(
        NodeSpec{name(i), address(i), neighbors[i], plan.broken ? "drop-withdraw" : ""});
  for (const auto& p : plan.steps) {
    Step st;
    using K = PlanStep::Kind;
    const PlanLink* link = plan.links.empty() ? nullptr : &plan.links[p.node % plan.links.size()];
    auto on_link = [&](const char* fault) {
      st.kind = Step::Kind::fault;
      st.text = fault;
      if (link) st.between = {name(link->a), name(link->b)};
    };
    switch (p.kind) {
      case K::advance:
        st.ms = p.ms;
        break;
      case K::announce:
      case K::withdraw:
        st.kind = Step::Kind::command;
        st.node = name(p.node % plan.nodes);
        st.text = api_route(p.node % plan.nodes, p.item, p.kind == K::announce);
        break;
      case K::partition:
        on_link("partition");
        break;
      case K::stall:
        on_link("stall");
        break;
      case K::reset:
        on_link("reset");
        break;
      case K::delay:
        on_link("delay");
        st.ms = p.ms;
        break;
      case K::heal:
        st.kind = Step::Kind::fault;
        st.text = "heal";
        break;
      case K::crash:
      case K::restart:
        st.kind = Step::Kind::fault;
        st.text = p.kind == K::crash ? "crash" : "restart";
        st.node = name(p.node % plan.nodes);
        break;
    }
    s.timeline.push_back(std::move(st));
  }
  return s;
}

Plan random_plan(std::uint64_t seed, int size) {
  sim::Rng rng(seed);
  auto below = [&](std::uint64_t n) { return n == 0 ? 0 : rng.next() % n; };
  size = std::clamp(size, 0, 100);
  Plan p;
  p.seed = rng.next();
  p.nodes = 2 + below(1 + std::size_t(size) * 18 / 100);
  for (std::size_t i = 1; i < p.nodes; ++i)  // a tree keeps every node reachable
    p.links.push_back(PlanLink{below(i), i, false, std::int64_t(1 + below(20))});
  for (std::size_t extra = below(p.nodes); extra > 0; --extra) {
    const auto a = below(p.nodes), b = below(p.nodes);
    const bool known = std::any_of(p.links.begin(), p.links.end(), [&](const PlanLink& l) {
      return (l.a == a && l.b == b) || (l.a == b && l.b == a);
    });
    if (a != b && !known) p.links.push_back(PlanLink{a, b, false, 1 + std::int64_t(below(20))});
  }
  for (std::size_t i = 0; i < p.nodes; ++i) {
    p.v4_routes.push_back(below(1 + std::size_t(size) / 10));
    p.v6_routes.push_back(below(1 + std::size_t(size) / 20));
    // Each node a route or two in about one family of four.
    auto& counts = p.family_routes.emplace_back();
    for (std::size_t f = 0; f < std::size(kFamilies); ++f)
      counts.push_back(below(4) == 0 ? 1 + below(2) : 0);
  }
  for (std::size_t n = below(2 + std::size_t(size) / 5); n > 0; --n) {
    PlanStep st;
    st.kind = static_cast<PlanStep::Kind>(below(10));
    st.node = below(p.nodes + p.links.size());
    st.item = below(6);
    st.ms =
        st.kind == PlanStep::Kind::delay ? std::int64_t(below(500)) : std::int64_t(below(30'000));
    p.steps.push_back(st);
  }
  return p;
}

namespace {

// As make_clos.py: 250 hosts per /24 (no .0 or .255) and private 4-byte
// ASNs (RFC 6996; 65000 + i would pass 65535 at 536 speakers).
std::string clos_address(std::size_t i) {
  return fmt::format("10.{}.{}.{}", i / 62500 % 256, i / 250 % 250, i % 250 + 1);
}
std::uint64_t clos_asn(std::size_t i) { return 4200000000ULL + i; }

std::string clos_neighbor(std::size_t self, std::size_t peer, std::size_t routes, bool passive,
                          int hold) {
  std::string r;
  for (std::size_t k = 0; k < routes; ++k)
    r += fmt::format("    route {}.{}.{}.{}/32 next-hop self;\n", 20 + self / 256, self % 256,
                     k / 256 % 256, k % 256);
  return fmt::format(
      "neighbor {} {{\n  router-id {};\n  local-address {};\n  local-as {};\n  peer-as {};\n"
      "  hold-time {};\n{}  static {{\n{}  }}\n}}\n",
      clos_address(peer), clos_address(self), clos_address(self), clos_asn(self), clos_asn(peer),
      hold, passive ? "  passive true;\n  listen 179;\n" : "", r);
}

}  // namespace

Scenario clos_scenario(const ClosOptions& o) {
  Scenario s;
  s.name = fmt::format("clos-{}x{}-{}", o.spines, o.leaves, o.routes);
  s.seed = 1;
  s.quiesce_s = 600;
  auto name = [&](std::size_t i) {
    return i < o.spines ? fmt::format("s{}", i) : fmt::format("l{}", i - o.spines);
  };
  const std::size_t n = o.spines + o.leaves;
  for (std::size_t i = 0; i < n; ++i) {
    const bool spine = i < o.spines;
    std::string config;
    for (std::size_t p = spine ? o.spines : 0; p < (spine ? n : o.spines); ++p)
      config += clos_neighbor(i, p, spine ? 0 : o.routes, spine, o.hold_time_s);
    s.nodes.push_back(NodeSpec{name(i), clos_address(i), std::move(config), ""});
  }
  auto advance = [](std::int64_t seconds) {
    Step st;
    st.ms = seconds * 1000;
    return st;
  };
  auto fault = [](std::string what, std::vector<std::string> between, std::string node = {}) {
    Step st;
    st.kind = Step::Kind::fault;
    st.text = std::move(what);
    st.between = std::move(between);
    st.node = std::move(node);
    return st;
  };
  s.timeline.push_back(advance(60));
  for (std::size_t m = 5; m < std::size_t(std::max(o.minutes, 0)); m += 5) {
    const auto leaf = name(o.spines + (m * 7) % o.leaves);
    const auto spine = name(m % o.spines);
    const auto other = name(o.spines + (m * 13 + 1) % o.leaves);
    s.timeline.push_back(fault("partition", {leaf, spine}));
    s.timeline.push_back(advance(30));
    s.timeline.push_back(fault("heal", {}));
    s.timeline.push_back(fault("crash", {}, other));
    s.timeline.push_back(advance(20));
    s.timeline.push_back(fault("restart", {}, other));
    s.timeline.push_back(fault("reset", {name(o.spines + (m * 3) % o.leaves), spine}));
    s.timeline.push_back(advance(250));
  }
  return s;
}

}  // namespace bgpsim::scenarios
