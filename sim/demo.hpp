// A small two-node BGP-shaped session used by sim_echo_demo and the tests:
// r1 sends OPEN, KEEPALIVE, UPDATEs and a NOTIFICATION over simulated TCP;
// r2 echoes every message back. A partition of random length at a random
// time (both drawn from the world's PRNG) makes the schedule seed-dependent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace bgpsim::sim {

struct DemoOptions {
  std::uint64_t seed = 1;
  std::string pcap_path;      // empty: no capture
  std::uint16_t port = 1179;  // not 179, to exercise tshark's -d
  int updates = 20;
  bool ipv6 = false;
  std::size_t segment_bytes_max = 1460;
};

// A hand-built BGP message: 16 x 0xff marker, length, type, body.
std::vector<std::uint8_t> bgp_message(std::uint8_t type, const std::vector<std::uint8_t>& body);

RunResult run_demo(const DemoOptions& options);

}  // namespace bgpsim::sim
