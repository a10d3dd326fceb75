// sim_echo_demo: runs the two-node BGP echo (sim/demo.hpp) for one seed and
// prints the seed and trace hash.
//   --seed N             root seed (default 1)
//   --check-determinism  run twice, fail (exit 1) if the trace hashes differ
//   --pcap FILE          write the simulated session as pcap (port 1179)
//   --ipv6               use IPv6 addresses
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "sim/demo.hpp"

int main(int argc, char** argv) {
  bgpsim::sim::DemoOptions o;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc) {
      o.seed = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--pcap" && i + 1 < argc) {
      o.pcap_path = argv[++i];
    } else if (a == "--check-determinism") {
      check = true;
    } else if (a == "--ipv6") {
      o.ipv6 = true;
    } else {
      fmt::print(stderr, "usage: {} [--seed N] [--check-determinism] [--pcap FILE] [--ipv6]\n",
                 argv[0]);
      return 2;
    }
  }
  if (check) {
    const auto report = bgpsim::sim::check_determinism(o.seed, [&](std::uint64_t seed) {
      auto opts = o;
      opts.seed = seed;
      return bgpsim::sim::run_demo(opts);
    });
    fmt::print("{}\n", report.message);
    return report.same ? 0 : 1;
  }
  const auto r = bgpsim::sim::run_demo(o);
  fmt::print("seed={} hash={:016x} events={}\n", r.seed, r.hash, r.events.size());
  return 0;
}
