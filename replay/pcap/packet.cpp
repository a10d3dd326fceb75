// Link layer, IPv4/IPv6 and TCP header decoding for captured frames.
#include "replay/pcap/packet.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bgpsim::replay::pcap {

namespace {

using wire::ByteView;
using Kind = PacketResult::Kind;

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86dd;
constexpr std::uint16_t ethertype_vlan = 0x8100;  // 802.1Q
constexpr std::uint16_t ethertype_qinq = 0x88a8;  // 802.1ad
constexpr std::uint16_t ethertype_qinq_old1 = 0x9100;
constexpr std::uint16_t ethertype_qinq_old2 = 0x9200;
constexpr std::uint16_t ethertype_pppoe = 0x8864;
constexpr std::uint16_t ethertype_mpls = 0x8847;
constexpr std::uint16_t ethertype_mpls_multicast = 0x8848;
constexpr std::uint16_t ppp_ipv4 = 0x0021;
constexpr std::uint16_t ppp_ipv6 = 0x0057;
constexpr std::uint8_t protocol_tcp = 6;
constexpr std::size_t max_datagram = 65535 + 40;

std::uint16_t be16(ByteView b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
std::uint32_t be32(ByteView b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

PacketResult error(std::size_t at, std::string what) {
  PacketResult r;
  r.kind = Kind::error;
  r.reason = fmt::format("byte {}: {}", at, what);
  return r;
}
PacketResult ignored() { return {}; }

wire::IpAddress v4(ByteView b, std::size_t at) { return wire::IpAddress::v4_from_u32(be32(b, at)); }
wire::IpAddress v6(ByteView b, std::size_t at) {
  wire::IpAddress a;
  a.v6 = true;
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 16, a.bytes.begin());
  return a;
}

std::string describe(const wire::IpAddress& src, const wire::IpAddress& dst, std::uint32_t id) {
  return fmt::format("{} -> {} id {}", src.to_string(), dst.to_string(), id);
}

}  // namespace

bool supported_link_type(int linktype) {
  switch (linktype) {
    case dlt::null:
    case dlt::en10mb:
    case dlt::ppp:
    case dlt::raw:
    case dlt::raw_openbsd:
    case dlt::ppp_serial:
    case dlt::c_hdlc:
    case dlt::linktype_raw:
    case dlt::loop:
    case dlt::linux_sll:
    case dlt::juniper_ether:
    case dlt::ipv4:
    case dlt::ipv6:
    case dlt::linux_sll2:
      return true;
    default:
      return false;
  }
}

PacketResult PacketDecoder::decode(ByteView frame) { return link(frame); }

PacketResult PacketDecoder::link(ByteView f) {
  switch (linktype_) {
    case dlt::en10mb: {
      if (f.size() < 14) return error(0, "Ethernet header cut short");
      return ethertype(be16(f, 12), f.subspan(14), 14);
    }
    case dlt::null:
    case dlt::loop: {
      if (f.size() < 4) return error(0, "loopback header cut short");
      // The address family is a 4-byte integer in the byte order of the
      // capturing host (DLT_NULL) or network order (DLT_LOOP); AF values are
      // small, so whichever reading is below 256 is the right one.
      std::uint32_t family = be32(f, 0);
      if (family > 0xff)
        family = (std::uint32_t{f[3]} << 24 | std::uint32_t{f[2]} << 16 | std::uint32_t{f[1]} << 8 |
                  f[0]);
      switch (family) {
        case 2:  // AF_INET everywhere
          return ip(f.subspan(4), 4);
        case 10:  // AF_INET6 on Linux
        case 24:  // NetBSD, OpenBSD
        case 28:  // FreeBSD
        case 30:  // macOS
          return ip(f.subspan(4), 4);
        default:
          return ignored();
      }
    }
    case dlt::raw:
    case dlt::raw_openbsd:
    case dlt::linktype_raw:
    case dlt::ipv4:
    case dlt::ipv6:
      return ip(f, 0);
    case dlt::ppp:
    case dlt::ppp_serial:
    case dlt::c_hdlc: {
      std::size_t at = 0;
      // PPP in HDLC-like framing starts with address 0xff and control 0x03;
      // Cisco HDLC with 0x0f or 0x8f, 0x00 then an ethertype.
      if (f.size() >= 2 && (f[0] == 0xff && f[1] == 0x03)) at = 2;
      if (linktype_ == dlt::c_hdlc) {
        if (f.size() < 4) return error(0, "Cisco HDLC header cut short");
        return ethertype(be16(f, 2), f.subspan(4), 4);
      }
      if (f.size() < at + 1) return error(at, "PPP header cut short");
      std::uint16_t protocol = f[at];
      if ((protocol & 1) == 0) {  // two-byte protocol field (not compressed)
        if (f.size() < at + 2) return error(at, "PPP header cut short");
        protocol = be16(f, at);
        at += 2;
      } else {
        at += 1;
      }
      if (protocol == ppp_ipv4 || protocol == ppp_ipv6) return ip(f.subspan(at), at);
      return ignored();
    }
    case dlt::linux_sll: {
      if (f.size() < 16) return error(0, "Linux cooked header cut short");
      return ethertype(be16(f, 14), f.subspan(16), 16);
    }
    case dlt::linux_sll2: {
      if (f.size() < 20) return error(0, "Linux cooked v2 header cut short");
      return ethertype(be16(f, 0), f.subspan(20), 20);
    }
    case dlt::juniper_ether: {
      // Juniper's header (tcpdump print-juniper.c): "MGC", a flags byte; with
      // flag 0x80 a big-endian extension length and that many TLV bytes.
      // Flag 0x02 (no L2 header): 4 more bytes, then IP; otherwise Ethernet.
      if (f.size() < 4) return error(0, "Juniper header cut short");
      if (f[0] != 0x4d || f[1] != 0x47 || f[2] != 0x43) return error(0, "Juniper magic is not MGC");
      const std::uint8_t flags = f[3];
      std::size_t at = 4;
      if (flags & 0x80) {
        if (f.size() < 6) return error(4, "Juniper extension length cut short");
        at = 6 + std::size_t{be16(f, 4)};
      }
      if (flags & 0x02) {
        at += 4;
        if (f.size() < at) return error(at, "Juniper header cut short");
        return ip(f.subspan(at), at);
      }
      if (f.size() < at + 14) return error(at, "Ethernet header cut short (after Juniper header)");
      return ethertype(be16(f, at + 12), f.subspan(at + 14), at + 14);
    }
    default:
      return error(0, fmt::format("link type {} is not supported", linktype_));
  }
}

PacketResult PacketDecoder::ethertype(std::uint16_t type, ByteView rest, std::size_t at) {
  for (int depth = 0; depth < 8; ++depth) {
    switch (type) {
      case ethertype_ipv4:
      case ethertype_ipv6:
        return ip(rest, at);
      case ethertype_vlan:
      case ethertype_qinq:
      case ethertype_qinq_old1:
      case ethertype_qinq_old2:
        if (rest.size() < 4) return error(at, "VLAN tag cut short");
        type = be16(rest, 2);
        rest = rest.subspan(4);
        at += 4;
        continue;
      case ethertype_pppoe: {
        if (rest.size() < 8) return error(at, "PPPoE header cut short");
        const std::uint16_t protocol = be16(rest, 6);
        if (protocol != ppp_ipv4 && protocol != ppp_ipv6) return ignored();
        return ip(rest.subspan(8), at + 8);
      }
      case ethertype_mpls:
      case ethertype_mpls_multicast: {
        // Label stack entries until the bottom-of-stack bit; IP follows.
        while (true) {
          if (rest.size() < 4) return error(at, "MPLS label cut short");
          const bool bottom = rest[2] & 1;
          rest = rest.subspan(4);
          at += 4;
          if (bottom) break;
        }
        return ip(rest, at);
      }
      default:
        if (type < 0x0600 && rest.size() >= 8 && rest[0] == 0xaa && rest[1] == 0xaa &&
            rest[2] == 0x03) {  // 802.3 length, LLC/SNAP
          type = be16(rest, 6);
          rest = rest.subspan(8);
          at += 8;
          continue;
        }
        return ignored();
    }
  }
  return error(at, "too many nested link headers");
}

PacketResult PacketDecoder::ip(ByteView p, std::size_t at) {
  if (p.empty()) return error(at, "IP header missing");
  switch (p[0] >> 4) {
    case 4:
      return ipv4(p, at);
    case 6:
      return ipv6(p, at);
    default:
      return ignored();
  }
}

PacketResult PacketDecoder::ipv4(ByteView p, std::size_t at) {
  if (p.size() < 20) return error(at, "IPv4 header cut short");
  const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  if (ihl < 20) return error(at, fmt::format("IPv4 header length {}", ihl));
  if (p.size() < ihl) return error(at, "IPv4 options cut short");
  const std::size_t total = be16(p, 2);
  if (total < ihl)
    return error(at + 2, fmt::format("IPv4 total length {} is below the header's {}", total, ihl));
  // A frame longer than the datagram carries link padding; a shorter one was
  // cut by the capture's snap length.
  const std::size_t have = std::min(total, p.size());
  const auto missing = static_cast<std::uint32_t>(total - have);
  const std::uint8_t protocol = p[9];
  const auto src = v4(p, 12), dst = v4(p, 16);
  const std::uint16_t frag = be16(p, 6);
  const bool more = frag & 0x2000;
  const std::uint32_t offset = std::uint32_t{frag & 0x1fffu} * 8;
  ByteView data = p.subspan(ihl, have - ihl);
  if (more || offset != 0) {
    if (protocol != protocol_tcp) return ignored();
    if (missing)
      return error(at, fmt::format("IPv4 fragment of {} cut short by the capture",
                                   describe(src, dst, be16(p, 4))));
    auto whole = add_fragment({src, dst, be16(p, 4), protocol}, offset, more, data);
    if (!whole) {
      PacketResult r;
      r.kind = Kind::fragment;
      return r;
    }
    return transport(src, dst, protocol, *whole, 0, at + ihl);
  }
  return transport(src, dst, protocol, data, missing, at + ihl);
}

PacketResult PacketDecoder::ipv6(ByteView p, std::size_t at) {
  if (p.size() < 40) return error(at, "IPv6 header cut short");
  const std::size_t payload_length = be16(p, 4);
  const auto src = v6(p, 8), dst = v6(p, 24);
  std::uint8_t next = p[6];
  std::size_t have = p.size() - 40;
  std::uint32_t missing = 0;
  if (payload_length != 0) {  // 0: jumbogram (RFC 2675), the frame says
    if (payload_length < have) have = payload_length;
    missing = static_cast<std::uint32_t>(payload_length - have);
  }
  ByteView rest = p.subspan(40, have);
  at += 40;
  for (int headers = 0; headers < 16; ++headers) {
    switch (next) {
      case 0:     // hop-by-hop options
      case 43:    // routing
      case 60:    // destination options
      case 135:   // mobility
      case 139:   // HIP
      case 140:   // shim6
      case 51: {  // authentication header: length in 4-byte units, minus 2
        if (rest.size() < 2)
          return error(at, fmt::format("IPv6 extension header {} cut short", next));
        const std::size_t len =
            next == 51 ? (std::size_t{rest[1]} + 2) * 4 : (std::size_t{rest[1]} + 1) * 8;
        if (rest.size() < len)
          return error(at, fmt::format("IPv6 extension header {} cut short", next));
        next = rest[0];
        rest = rest.subspan(len);
        at += len;
        continue;
      }
      case 44: {  // fragment
        if (rest.size() < 8) return error(at, "IPv6 fragment header cut short");
        const std::uint8_t inner = rest[0];
        const std::uint16_t field = be16(rest, 2);
        const std::uint32_t offset = field & 0xfff8u;
        const bool more = field & 1;
        const std::uint32_t id = be32(rest, 4);
        rest = rest.subspan(8);
        at += 8;
        if (offset == 0 && !more) {  // atomic fragment (RFC 6946)
          next = inner;
          continue;
        }
        if (missing)
          return error(at, fmt::format("IPv6 fragment of {} cut short by the capture",
                                       describe(src, dst, id)));
        auto whole = add_fragment({src, dst, id, inner}, offset, more, rest);
        if (!whole) {
          PacketResult r;
          r.kind = Kind::fragment;
          return r;
        }
        rest = *whole;
        next = inner;
        continue;
      }
      default:
        return transport(src, dst, next, rest, missing, at);
    }
  }
  return error(at, "too many IPv6 extension headers");
}

PacketResult PacketDecoder::transport(const wire::IpAddress& src, const wire::IpAddress& dst,
                                      std::uint8_t protocol, ByteView d, std::uint32_t missing,
                                      std::size_t at) {
  if (protocol != protocol_tcp) return ignored();
  if (d.size() < 20) {
    return error(
        at, missing ? "TCP header cut short by the capture's snap length" : "TCP header cut short");
  }
  const std::size_t header = static_cast<std::size_t>(d[12] >> 4) * 4;
  if (header < 20) return error(at + 12, fmt::format("TCP data offset {}", header));
  if (d.size() < header) {
    if (missing) return error(at, "TCP options cut short by the capture's snap length");
    return error(at, "TCP options cut short");
  }
  PacketResult r;
  r.kind = Kind::tcp;
  auto& s = r.segment;
  s.src = src;
  s.dst = dst;
  s.sport = be16(d, 0);
  s.dport = be16(d, 2);
  s.seq = be32(d, 4);
  s.ack = be32(d, 8);
  s.flags = d[13];
  s.payload = d.subspan(header);
  s.missing = missing;
  return r;
}

std::optional<ByteView> PacketDecoder::add_fragment(const Key& key, std::uint32_t offset, bool more,
                                                    ByteView data) {
  if (std::size_t{offset} + data.size() > max_datagram) {
    dropped_.push_back(
        fmt::format("fragment of {} ends past 64 KiB", describe(key.src, key.dst, key.id)));
    return std::nullopt;
  }
  auto [it, fresh] = datagrams_.try_emplace(key);
  Datagram& d = it->second;
  if (fresh) {
    ages_.push_back(key);
    d.age = std::prev(ages_.end());
    while (datagrams_.size() > max_datagrams_) {
      const Key oldest = ages_.front();
      dropped_.push_back(fmt::format("incomplete datagram {} given up (more than {} in progress)",
                                     describe(oldest.src, oldest.dst, oldest.id), max_datagrams_));
      datagrams_.erase(oldest);
      ages_.pop_front();
    }
  }
  auto& piece = d.pieces[offset];
  if (data.size() > piece.size()) piece.assign(data.begin(), data.end());
  if (!more) d.total = offset + static_cast<std::uint32_t>(data.size());
  if (!d.total) return std::nullopt;
  // Whole when the pieces cover [0, total) without a hole.
  std::size_t covered = 0;
  for (const auto& [start, bytes] : d.pieces) {
    if (start > covered) return std::nullopt;
    covered = std::max(covered, start + bytes.size());
  }
  if (covered < *d.total) return std::nullopt;
  assembled_.assign(*d.total, 0);
  for (const auto& [start, bytes] : d.pieces) {
    const std::size_t n =
        std::min<std::size_t>(bytes.size(), *d.total - std::min<std::size_t>(start, *d.total));
    std::copy_n(bytes.begin(), n, assembled_.begin() + start);
  }
  ages_.erase(d.age);
  datagrams_.erase(it);
  return ByteView(assembled_);
}

std::vector<std::string> PacketDecoder::take_dropped() {
  std::vector<std::string> out;
  out.swap(dropped_);
  return out;
}

std::vector<std::string> PacketDecoder::incomplete() const {
  std::vector<std::string> out;
  for (const auto& key : ages_)
    out.push_back(fmt::format("datagram {} never completed", describe(key.src, key.dst, key.id)));
  return out;
}

}  // namespace bgpsim::replay::pcap
