// Helpers for the replay tests: hand-built frames, pcap files written through
// libpcap, and tshark's count of BGP messages per type.
#pragma once

#include <pcap/pcap.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "replay/pcap/pcap_reader.hpp"
#include "speaker/wire/bytes.hpp"

namespace bgpsim::replay::test {

using wire::Bytes;

inline void put16(Bytes& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}

inline Bytes bgp_message(std::uint8_t type, const Bytes& body) {
  Bytes m(19, 0xff);
  put16(m, 16, static_cast<std::uint32_t>(19 + body.size()));
  m[18] = type;
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

inline Bytes tcp_header(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq,
                        std::uint32_t ack, std::uint8_t flags) {
  Bytes t(20, 0);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq);
  put32(t, 8, ack);
  t[12] = 5 << 4;
  t[13] = flags;
  put16(t, 14, 65535);
  return t;
}

// IPv4 + TCP, checksums left zero (neither we nor tshark check them by default).
inline Bytes ipv4_tcp(std::uint32_t src, std::uint32_t dst, std::uint16_t sport,
                      std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                      const Bytes& payload, std::uint16_t id = 1) {
  Bytes p(20, 0);
  p[0] = 0x45;
  put16(p, 2, static_cast<std::uint32_t>(40 + payload.size()));
  put16(p, 4, id);
  p[8] = 64;
  p[9] = 6;
  put32(p, 12, src);
  put32(p, 16, dst);
  Bytes t = tcp_header(sport, dport, seq, ack, flags);
  p.insert(p.end(), t.begin(), t.end());
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

// IPv6 with a hop-by-hop and a destination options header, then TCP.
inline Bytes ipv6_tcp(std::uint8_t host_a, std::uint8_t host_b, std::uint16_t sport,
                      std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                      const Bytes& payload) {
  Bytes p(40, 0);
  p[0] = 0x60;
  const Bytes hop = {60, 0, 1, 4, 0, 0, 0, 0};  // next: dest options; PadN
  const Bytes dest = {6, 0, 1, 4, 0, 0, 0, 0};  // next: TCP
  put16(p, 4, static_cast<std::uint32_t>(hop.size() + dest.size() + 20 + payload.size()));
  p[6] = 0;  // hop-by-hop
  p[7] = 64;
  p[8] = 0x20;
  p[9] = 0x01;
  p[23] = host_a;
  p[24] = 0x20;
  p[25] = 0x01;
  p[39] = host_b;
  p.insert(p.end(), hop.begin(), hop.end());
  p.insert(p.end(), dest.begin(), dest.end());
  Bytes t = tcp_header(sport, dport, seq, ack, flags);
  p.insert(p.end(), t.begin(), t.end());
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

// Writes frames (all stamped one second apart) to a pcap of link type `dlt`.
inline void write_pcap(const std::string& path, int dlt, const std::vector<Bytes>& frames) {
  pcap_t* p = pcap_open_dead(dlt, 262144);
  pcap_dumper_t* d = pcap_dump_open(p, path.c_str());
  long sec = 1'700'000'000;
  for (const auto& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = sec++;
    h.caplen = static_cast<bpf_u_int32>(f.size());
    h.len = h.caplen;
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
  }
  pcap_dump_close(d);
  pcap_close(p);
}

inline bool tshark_available() { return std::system("tshark -v > /dev/null 2>&1") == 0; }

// tshark's BGP message types for a capture, counted per type; one frame may
// hold several messages (comma-separated). `ports`: TCP ports to dissect as
// BGP besides 179.
// `reorder`: reassemble out-of-order segments too (tshark's default leaves
// them undissected, and gives up on a stream after a hole).
inline std::map<int, std::size_t> tshark_counts(const std::string& path,
                                                const std::vector<std::uint16_t>& ports,
                                                bool reorder = false) {
  std::string command = "tshark -n -r '" + path + "'";
  if (reorder) command += " -o tcp.reassemble_out_of_order:TRUE";
  for (auto port : ports)
    if (port != 179) command += " -d tcp.port==" + std::to_string(port) + ",bgp";
  command += " -Y bgp -T fields -e bgp.type 2>/dev/null";
  std::map<int, std::size_t> counts;
  std::FILE* f = popen(command.c_str(), "r");
  if (!f) return counts;
  std::string text;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), f)) text.append(buf.data(), n);
  pclose(f);
  std::string field;
  for (char c : text) {
    if (c == ',' || c == '\n') {
      if (!field.empty()) ++counts[std::stoi(field)];
      field.clear();
    } else {
      field += c;
    }
  }
  return counts;
}

struct ReadBack {
  PcapResult result;
  std::vector<Record> records;
  std::map<int, std::size_t> counts;  // BGP messages per type
};

inline ReadBack read_back(const std::string& path) {
  ReadBack r;
  r.result = read_pcap(path, [&](const Record& rec) {
    r.records.push_back(rec);
    if (rec.kind == RecordKind::message) ++r.counts[rec.bytes[18]];
  });
  return r;
}

inline std::vector<std::uint16_t> session_ports(const PcapResult& result) {
  std::vector<std::uint16_t> ports;
  for (const auto& s : result.sessions)
    for (const auto& e : s.side) ports.push_back(e.port);
  return ports;
}

}  // namespace bgpsim::replay::test
