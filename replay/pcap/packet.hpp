// From a captured frame to a TCP segment: link layers (Ethernet with 802.1Q /
// QinQ tags, PPPoE and MPLS, Linux cooked v1 and v2, raw IPv4/IPv6, PPP, Cisco
// HDLC, BSD null/loopback in either byte order, Juniper Ethernet), IPv4 and
// IPv6 (extension headers), IP fragments reassembled. Pure: bytes in, a
// segment or a reason out; no libpcap here (pcap_reader does the file).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "speaker/wire/address.hpp"
#include "speaker/wire/bytes.hpp"

namespace bgpsim::replay::pcap {

// libpcap's DLT_* / LINKTYPE_* numbers we read (pcap_datalink() values).
namespace dlt {
inline constexpr int null = 0;          // BSD loopback, host byte order family
inline constexpr int en10mb = 1;        // Ethernet
inline constexpr int ppp = 9;           // PPP (optionally with ff 03 address/control)
inline constexpr int raw = 12;          // raw IP (LINKTYPE_RAW 101 is mapped to this)
inline constexpr int raw_openbsd = 14;  // DLT_RAW on OpenBSD
inline constexpr int ppp_serial = 50;   // PPP in HDLC-like framing
inline constexpr int c_hdlc = 104;      // Cisco HDLC
inline constexpr int linktype_raw = 101;
inline constexpr int loop = 108;       // OpenBSD loopback, network byte order family
inline constexpr int linux_sll = 113;  // Linux cooked v1
inline constexpr int juniper_ether = 178;
inline constexpr int ipv4 = 228;
inline constexpr int ipv6 = 229;
inline constexpr int linux_sll2 = 276;  // Linux cooked v2
}  // namespace dlt

bool supported_link_type(int linktype);

// One TCP segment. `payload` points into the frame (or into the reassembler's
// buffer for a reassembled datagram): valid until the next decode call.
struct TcpSegment {
  wire::IpAddress src, dst;
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  wire::ByteView payload;
  // Payload bytes the IP header announced but the capture does not hold
  // (snap length shorter than the packet): the stream has a hole there.
  std::uint32_t missing = 0;
};

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

struct PacketResult {
  enum class Kind : std::uint8_t {
    tcp,       // `segment` is valid
    ignored,   // not IP, or IP but not TCP: nothing to do
    fragment,  // an IP fragment held until its datagram is whole
    error,     // malformed: `reason` says what and at which byte of the frame
  };
  Kind kind = Kind::ignored;
  TcpSegment segment;
  std::string reason;
};

// Decodes frames of one capture. Holds the fragments of incomplete datagrams
// (bounded: at most `max_datagrams` in progress, the oldest dropped first,
// each reported through dropped_fragments()).
class PacketDecoder {
 public:
  explicit PacketDecoder(int linktype, std::size_t max_datagrams = 256)
      : linktype_(linktype), max_datagrams_(max_datagrams) {}

  PacketResult decode(wire::ByteView frame);

  // Datagrams given up on since the last call (too many in progress), as
  // human-readable descriptions; clears the list.
  std::vector<std::string> take_dropped();
  // Datagrams still incomplete (at the end of the capture: never completed).
  std::vector<std::string> incomplete() const;

 private:
  struct Key {
    wire::IpAddress src, dst;
    std::uint32_t id = 0;
    std::uint8_t protocol = 0;
    auto operator<=>(const Key&) const = default;
  };
  struct Datagram {
    std::map<std::uint32_t, wire::Bytes> pieces;  // offset -> bytes
    std::optional<std::uint32_t> total;           // known once the last fragment came
    std::list<Key>::iterator age;
  };

  PacketResult link(wire::ByteView frame);
  PacketResult ethertype(std::uint16_t type, wire::ByteView rest, std::size_t at);
  PacketResult ip(wire::ByteView packet, std::size_t at);
  PacketResult ipv4(wire::ByteView packet, std::size_t at);
  PacketResult ipv6(wire::ByteView packet, std::size_t at);
  PacketResult transport(const wire::IpAddress& src, const wire::IpAddress& dst,
                         std::uint8_t protocol, wire::ByteView data, std::uint32_t missing,
                         std::size_t at);
  // Adds a fragment; returns the whole transport payload when complete.
  std::optional<wire::ByteView> add_fragment(const Key& key, std::uint32_t offset, bool more,
                                             wire::ByteView data);

  int linktype_;
  std::size_t max_datagrams_;
  std::map<Key, Datagram> datagrams_;
  std::list<Key> ages_;  // oldest first
  std::vector<std::string> dropped_;
  wire::Bytes assembled_;
};

}  // namespace bgpsim::replay::pcap
