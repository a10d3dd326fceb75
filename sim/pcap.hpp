// Writes every simulated connection of a network to a pcap file with real
// IPv4/IPv6 + TCP headers (handshake, sequence and acknowledgement numbers,
// FIN, RST), stamped with virtual time (nanosecond pcap, LINKTYPE_RAW), so
// Wireshark/tshark read a simulated session like a captured one. Packets are
// written as they arrive at their destination. ISNs derive from the world
// seed and connection id, so capturing never perturbs the simulation.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/net.hpp"

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace bgpsim::sim {

class PcapWriter {
 public:
  // Throws std::runtime_error if the file cannot be opened.
  PcapWriter(Network& net, const std::string& path);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  std::uint64_t packets() const { return packets_; }
  void flush();

 private:
  struct Flow {
    Endpoint client;
    std::uint32_t next_seq[2] = {0, 0};  // 0 = client -> server
  };
  void on_packet(const PacketEvent& p);
  void write(const Endpoint& src, const Endpoint& dst, std::uint32_t seq, std::uint32_t ack,
             std::uint8_t flags, std::span<const std::uint8_t> payload);

  Network& net_;
  pcap_t* pcap_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  std::uint64_t isn_seed_;
  std::map<std::uint64_t, Flow> flows_;
  std::uint64_t packets_ = 0;
};

}  // namespace bgpsim::sim
