// Every link type we read, with IPv4 and IPv6 (extension headers): a small
// session wrapped in each, written with libpcap, read back; the messages
// must be found, and tshark (when installed) must count the same ones.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "replay/pcap/packet.hpp"
#include "tests/replay/capture_util.hpp"
#include "tests/require.hpp"

namespace bgpsim::replay::test {
namespace {

namespace fs = std::filesystem;

using Wrap = std::function<Bytes(const Bytes& ip, bool v6)>;

Bytes ethernet_header(std::uint16_t type) {
  Bytes e = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0, 0};
  put16(e, 12, type);
  return e;
}

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct LinkCase {
  const char* name;
  int dlt;
  Wrap wrap;
  bool v6 = true;  // also try IPv6
};

std::vector<LinkCase> link_cases() {
  return {
      {"ethernet", pcap::dlt::en10mb,
       [](const Bytes& ip, bool v6) { return cat(ethernet_header(v6 ? 0x86dd : 0x0800), ip); }},
      {"ethernet-vlan-qinq", pcap::dlt::en10mb,
       [](const Bytes& ip, bool v6) {
         Bytes e = ethernet_header(0x88a8);
         e.insert(e.end(), {0x00, 0x64, 0x81, 0x00, 0x00, 0x0a});  // S-tag 100, then C-tag
         e.insert(e.end(), {static_cast<std::uint8_t>(v6 ? 0x86 : 0x08),
                            static_cast<std::uint8_t>(v6 ? 0xdd : 0x00)});
         return cat(e, ip);
       }},
      {"linux-sll", pcap::dlt::linux_sll,
       [](const Bytes& ip, bool v6) {
         Bytes h = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0};
         put16(h, 14, v6 ? 0x86dd : 0x0800);
         return cat(h, ip);
       }},
      {"linux-sll2", pcap::dlt::linux_sll2,
       [](const Bytes& ip, bool v6) {
         Bytes h = {0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
         put16(h, 0, v6 ? 0x86dd : 0x0800);
         return cat(h, ip);
       }},
      {"raw", pcap::dlt::raw, [](const Bytes& ip, bool) { return ip; }},
      {"ipv4", pcap::dlt::ipv4, [](const Bytes& ip, bool) { return ip; }, false},
      {"ppp", pcap::dlt::ppp,
       [](const Bytes& ip, bool v6) {
         return cat({0xff, 0x03, 0x00, static_cast<std::uint8_t>(v6 ? 0x57 : 0x21)}, ip);
       }},
      {"null-little-endian", pcap::dlt::null,
       [](const Bytes& ip, bool v6) {
         return cat({static_cast<std::uint8_t>(v6 ? 30 : 2), 0, 0, 0}, ip);
       }},
      {"null-big-endian", pcap::dlt::null,
       [](const Bytes& ip, bool v6) {
         return cat({0, 0, 0, static_cast<std::uint8_t>(v6 ? 24 : 2)}, ip);
       }},
      {"loop", pcap::dlt::loop,
       [](const Bytes& ip, bool v6) {
         return cat({0, 0, 0, static_cast<std::uint8_t>(v6 ? 24 : 2)}, ip);
       }},
      {"juniper-ether", pcap::dlt::juniper_ether,
       [](const Bytes& ip, bool v6) {
         // "MGC", flags: extensions present, incoming; 6 bytes of TLVs
         // (interface index 1, 4 bytes), big-endian length.
         Bytes h = {0x4d, 0x47, 0x43, 0x81, 0x00, 0x06, 0x01, 0x04, 0x00, 0x00, 0x00, 0x01};
         return cat(cat(h, ethernet_header(v6 ? 0x86dd : 0x0800)), ip);
       }},
  };
}

// A session on port 4179 (not 179: found by content): handshake, then
// KEEPALIVE + End-of-RIB UPDATE in one segment, a KEEPALIVE back, and a
// NOTIFICATION split over two segments that arrive in the wrong order.
std::vector<Bytes> session_packets(bool v6) {
  const std::uint32_t a = 0x0a000001, b = 0x0a000002;
  const std::uint16_t pa = 50123, pb = 4179;
  auto packet = [&](bool from_a, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                    const Bytes& payload) {
    return v6 ? ipv6_tcp(from_a ? 1 : 2, from_a ? 2 : 1, from_a ? pa : pb, from_a ? pb : pa, seq,
                         ack, flags, payload)
              : ipv4_tcp(from_a ? a : b, from_a ? b : a, from_a ? pa : pb, from_a ? pb : pa, seq,
                         ack, flags, payload);
  };
  const Bytes keepalive = bgp_message(4, {});
  const Bytes eor = bgp_message(2, {0, 0, 0, 0});
  const Bytes notification = bgp_message(3, {6, 2, 0});
  const Bytes first = cat(keepalive, eor);
  const Bytes n1(notification.begin(), notification.begin() + 10);
  const Bytes n2(notification.begin() + 10, notification.end());
  const std::uint32_t sa = 1000, sb = 5000;
  const auto after_first = static_cast<std::uint32_t>(sa + 1 + first.size());
  return {
      packet(true, sa, 0, 0x02, {}),
      packet(false, sb, sa + 1, 0x12, {}),
      packet(true, sa + 1, sb + 1, 0x18, first),
      packet(false, sb + 1, after_first, 0x18, keepalive),
      packet(true, after_first + 10, sb + 20, 0x18, n2),
      packet(true, after_first, sb + 20, 0x18, n1),
  };
}

class LinkTypes : public ::testing::TestWithParam<std::size_t> {};

TEST(LinkTypes, EveryLinkTypeAndIpVersionGivesTheSession) {
  const fs::path dir = fs::temp_directory_path() / "bgpsim-replay-link-test";
  fs::create_directories(dir);
  const bool tshark = tshark_available();
  for (const auto& c : link_cases()) {
    for (bool v6 : {false, true}) {
      if (v6 && !c.v6) continue;
      SCOPED_TRACE(std::string(c.name) + (v6 ? " ipv6" : " ipv4"));
      std::vector<Bytes> frames;
      for (const auto& p : session_packets(v6)) frames.push_back(c.wrap(p, v6));
      const std::string path =
          (dir / (std::string(c.name) + (v6 ? "-6" : "-4") + ".pcap")).string();
      write_pcap(path, c.dlt, frames);
      const auto r = read_back(path);
      ASSERT_TRUE(r.result.opened) << r.result.error;
      EXPECT_EQ(r.result.errors, 0u);
      ASSERT_EQ(r.result.sessions.size(), 1u);
      const auto& s = r.result.sessions[0];
      EXPECT_EQ(s.side[1].port, 4179);
      EXPECT_EQ(s.messages[0][4], 1u);  // a -> b keepalive
      EXPECT_EQ(s.messages[0][2], 1u);  // a -> b update
      EXPECT_EQ(s.messages[0][3], 1u);  // a -> b notification (reordered halves)
      EXPECT_EQ(s.messages[1][4], 1u);  // b -> a keepalive
      EXPECT_EQ(s.gaps[0] + s.gaps[1], 0u);
      const std::map<int, std::size_t> expected = {{2, 1}, {3, 1}, {4, 2}};
      EXPECT_EQ(r.counts, expected);
      if (tshark) {
        EXPECT_EQ(tshark_counts(path, {4179}, /*reorder=*/true), expected)
            << "tshark disagrees on " << path;
      }
    }
  }
  if (!tshark) bgpsim::test::skip_or_fail("tshark is not installed: decoded without cross-check");
}

TEST(Packets, Ipv4FragmentsAreReassembled) {
  const Bytes update = bgp_message(2, {0, 0, 0, 0});
  Bytes payload;
  for (int i = 0; i < 10; ++i) payload.insert(payload.end(), update.begin(), update.end());
  Bytes whole = ipv4_tcp(0x0a000001, 0x0a000002, 40000, 179, 77, 0, 0x18, payload, 4242);
  // Two fragments: 8-byte aligned split of the 20 + 20 + 230 byte datagram.
  const std::size_t split = 96;  // bytes of transport data in the first fragment
  Bytes f1(whole.begin(), whole.begin() + 20 + static_cast<std::ptrdiff_t>(split));
  Bytes f2(whole.begin(), whole.begin() + 20);
  f2.insert(f2.end(), whole.begin() + 20 + static_cast<std::ptrdiff_t>(split), whole.end());
  put16(f1, 2, static_cast<std::uint32_t>(f1.size()));
  put16(f1, 6, 0x2000);  // more fragments
  put16(f2, 2, static_cast<std::uint32_t>(f2.size()));
  put16(f2, 6, split / 8);
  const fs::path path = fs::temp_directory_path() / "bgpsim-replay-fragments.pcap";
  write_pcap(path.string(), pcap::dlt::raw, {f2, f1});  // last fragment first
  const auto r = read_back(path.string());
  EXPECT_EQ(r.result.errors, 0u);
  EXPECT_EQ(r.counts, (std::map<int, std::size_t>{{2, 10}}));
}

TEST(Packets, TruncatedPacketIsReportedAndTheStreamResynchronises) {
  const Bytes keepalive = bgp_message(4, {});
  Bytes three;
  for (int i = 0; i < 3; ++i) three.insert(three.end(), keepalive.begin(), keepalive.end());
  const fs::path path = fs::temp_directory_path() / "bgpsim-replay-truncated.pcap";
  {
    pcap_t* p = pcap_open_dead(pcap::dlt::raw, 262144);
    pcap_dumper_t* d = pcap_dump_open(p, path.c_str());
    auto put = [&](const Bytes& frame, std::size_t caplen) {
      pcap_pkthdr h{};
      h.ts.tv_sec = 1;
      h.caplen = static_cast<bpf_u_int32>(caplen);
      h.len = static_cast<bpf_u_int32>(frame.size());
      pcap_dump(reinterpret_cast<u_char*>(d), &h, frame.data());
    };
    const Bytes f1 = ipv4_tcp(0x0a000001, 0x0a000002, 40000, 179, 100, 0, 0x18, three);
    put(f1, 40 + 19 + 5);  // one KEEPALIVE and 5 bytes of the next
    const Bytes f2 = ipv4_tcp(0x0a000001, 0x0a000002, 40000, 179,
                              100 + static_cast<std::uint32_t>(three.size()), 0, 0x18, keepalive);
    put(f2, f2.size());
    pcap_dump_close(d);
    pcap_close(p);
  }
  const auto r = read_back(path.string());
  std::size_t errors = 0, gaps = 0;
  for (const auto& rec : r.records) {
    if (rec.kind == RecordKind::error) {
      ++errors;
      EXPECT_NE(rec.error.find("packet 1"), std::string::npos) << rec.error;
    }
    if (rec.kind == RecordKind::gap) {
      ++gaps;
      EXPECT_EQ(rec.stream_offset, 24u);
      EXPECT_EQ(rec.gap_bytes, 33u);
    }
  }
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(gaps, 1u);
  EXPECT_EQ(r.counts, (std::map<int, std::size_t>{{4, 2}}));  // the first and the last
}

TEST(Packets, NotACaptureIsRefused) {
  const fs::path path = fs::temp_directory_path() / "bgpsim-replay-not-a-capture";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fputs("hello, this is not a capture\n", f);
    std::fclose(f);
  }
  const auto r = read_pcap(path.string(), [](const Record&) {});
  EXPECT_FALSE(r.opened);
  EXPECT_NE(r.error.find(path.string()), std::string::npos);
}

}  // namespace
}  // namespace bgpsim::replay::test
