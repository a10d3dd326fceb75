#include "sim/pcap.hpp"

#include <pcap/pcap.h>

#include <stdexcept>
#include <vector>

namespace bgpsim::sim {
namespace {

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}

// One's-complement sum over 16-bit words (RFC 1071).
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) acc += (std::uint32_t(p[i]) << 8) | p[i + 1];
  if (n & 1) acc += std::uint32_t(p[n - 1]) << 8;
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

}  // namespace

PcapWriter::PcapWriter(Network& net, const std::string& path)
    : net_(net), isn_seed_(net.world().derive_seed("pcap/isn")) {
  pcap_ = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_NANO);
  if (!pcap_) throw std::runtime_error("pcap_open_dead failed");
  dumper_ = pcap_dump_open(pcap_, path.c_str());
  if (!dumper_) {
    std::string err = pcap_geterr(pcap_);
    pcap_close(pcap_);
    throw std::runtime_error("pcap_dump_open " + path + ": " + err);
  }
  net_.packet_observer = [this](const PacketEvent& p) { on_packet(p); };
}

PcapWriter::~PcapWriter() {
  net_.packet_observer = nullptr;
  pcap_dump_close(dumper_);
  pcap_close(pcap_);
}

void PcapWriter::flush() { pcap_dump_flush(dumper_); }

void PcapWriter::on_packet(const PacketEvent& p) {
  using K = PacketEvent::Kind;
  if (p.kind == K::syn) {
    Flow f;
    f.client = p.src;
    std::uint64_t s = isn_seed_ ^ p.conn;
    f.next_seq[0] = static_cast<std::uint32_t>(splitmix64(s));
    f.next_seq[1] = static_cast<std::uint32_t>(splitmix64(s));
    write(p.src, p.dst, f.next_seq[0], 0, kSyn, {});
    ++f.next_seq[0];
    flows_[p.conn] = f;
    return;
  }
  auto it = flows_.find(p.conn);
  if (it == flows_.end()) return;
  Flow& f = it->second;
  const int d = p.src == f.client ? 0 : 1;
  std::uint32_t& seq = f.next_seq[d];
  const std::uint32_t ack = f.next_seq[1 - d];
  switch (p.kind) {
    case K::syn:
      break;
    case K::syn_ack:
      write(p.src, p.dst, seq, ack, kSyn | kAck, {});
      ++seq;
      break;
    case K::ack:
      write(p.src, p.dst, seq, ack, kAck, {});
      break;
    case K::data:
      write(p.src, p.dst, seq, ack, kPsh | kAck, p.payload);
      seq += static_cast<std::uint32_t>(p.payload.size());
      break;
    case K::fin:
      write(p.src, p.dst, seq, ack, kFin | kAck, {});
      ++seq;
      break;
    case K::rst:
      write(p.src, p.dst, seq, ack, kRst | kAck, {});
      flows_.erase(it);
      break;
  }
}

void PcapWriter::write(const Endpoint& src, const Endpoint& dst, std::uint32_t seq,
                       std::uint32_t ack, std::uint8_t flags,
                       std::span<const std::uint8_t> payload) {
  const bool v4 = src.address().is_v4();
  const std::size_t ip_len = v4 ? 20 : 40;
  const std::size_t tcp_len = 20;
  std::vector<std::uint8_t> b(ip_len + tcp_len + payload.size(), 0);
  const auto seg_len = static_cast<std::uint32_t>(tcp_len + payload.size());
  std::uint32_t pseudo = 0;
  if (v4) {
    b[0] = 0x45;
    put16(b, 2, static_cast<std::uint32_t>(b.size()));
    put16(b, 4, static_cast<std::uint32_t>(packets_ & 0xffff));
    put16(b, 6, 0x4000);  // don't fragment
    b[8] = 64;
    b[9] = 6;
    const auto s = src.address().to_v4().to_bytes();
    const auto t = dst.address().to_v4().to_bytes();
    std::copy(s.begin(), s.end(), b.begin() + 12);
    std::copy(t.begin(), t.end(), b.begin() + 16);
    put16(b, 10, fold(sum16(b.data(), 20)));
    pseudo = sum16(b.data() + 12, 8) + 6 + seg_len;
  } else {
    b[0] = 0x60;
    put16(b, 4, seg_len);
    b[6] = 6;
    b[7] = 64;
    const auto s = src.address().to_v6().to_bytes();
    const auto t = dst.address().to_v6().to_bytes();
    std::copy(s.begin(), s.end(), b.begin() + 8);
    std::copy(t.begin(), t.end(), b.begin() + 24);
    pseudo = sum16(b.data() + 8, 32) + 6 + seg_len;
  }
  const std::size_t t = ip_len;
  put16(b, t, src.port());
  put16(b, t + 2, dst.port());
  put32(b, t + 4, seq);
  put32(b, t + 8, (flags & kAck) ? ack : 0);
  b[t + 12] = 5 << 4;
  b[t + 13] = flags;
  put16(b, t + 14, 65535);
  std::copy(payload.begin(), payload.end(), b.begin() + static_cast<std::ptrdiff_t>(t + tcp_len));
  put16(b, t + 16, fold(sum16(b.data() + t, seg_len, pseudo)));

  pcap_pkthdr h{};
  const std::int64_t ns = net_.world().now_ns();
  h.ts.tv_sec = static_cast<decltype(h.ts.tv_sec)>(ns / 1'000'000'000);
  h.ts.tv_usec = static_cast<decltype(h.ts.tv_usec)>(ns % 1'000'000'000);  // nanosecond file
  h.caplen = h.len = static_cast<bpf_u_int32>(b.size());
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, b.data());
  ++packets_;
}

}  // namespace bgpsim::sim
