// Layer 2 VPN, AFI 25 "l2vpn": VPLS (SAFI 65, RFC 4761) and EVPN (SAFI 70,
// RFC 7432 and RFC 9136). JSON as ExaBGP renders them.
//
// VPLS (RFC 4761 3.2.2): length (2 bytes, 17), RD, VE ID (2), VE block offset
// (2), VE block size (2), label base (3: a 20-bit label and the bottom-of-stack
// bit). The label base is the label block's first label, not the route's
// name: the key is the length, RD, VE ID, offset and size.
//
// EVPN (RFC 7432 7): a route type (1), a length (1), then:
//   1 Ethernet A-D            RD, ESI (10), Ethernet tag (4), MPLS label (3)
//   2 MAC/IP advertisement    RD, ESI, Ethernet tag, MAC length (48), MAC (6),
//                             IP length (0, 32, 128), IP, MPLS label 1, [label 2]
//   3 Inclusive multicast     RD, Ethernet tag, IP length, originating router's IP
//   4 Ethernet segment        RD, ESI, IP length, originating router's IP
//   5 IP prefix (RFC 9136 3.1) RD, ESI, Ethernet tag, prefix length, prefix
//                             (4 or 16), gateway IP (4 or 16), MPLS label
// Route keys: "only the Ethernet Segment Identifier and the Ethernet Tag ID"
// (type 1, RFC 7432 7.1), "only the Ethernet Tag ID, MAC Address Length, MAC
// Address, IP Address Length, and IP Address fields" (type 2, 7.2), "only the
// Ethernet Tag ID, IP Prefix Length, and IP Prefix fields" (type 5, RFC 9136
// 3.1), each with the RD; types 3 and 4 are named by all their fields.
// Unknown types are kept as received ({"code", "parsed": false, "raw"}).
#include "speaker/wire/family_raw.hpp"

namespace bgpsim::wire {

namespace {

using family_raw::Fields;
using family_raw::Json;

// ExaBGP's label list: [[label, raw entry], ...].
Json labels_json(const std::vector<std::uint32_t>& raw) {
  Json out = Json::array();
  for (auto entry : raw) out.push_back({LabelStack::label_of(entry), entry});
  return out;
}

// ---------------------------------------------------------------- VPLS

struct VplsRoute {
  RouteDistinguisher rd;
  std::uint16_t endpoint = 0, offset = 0, size = 0;
  std::uint32_t label_base = 0;  // raw 3 bytes
};

struct Vpls {
  using Route = VplsRoute;
  static constexpr std::string_view what = "VPLS route";
  static constexpr std::size_t body_size = 17;
  static constexpr std::size_t key_size = 2 + 14;  // length, RD, VE ID, offset, size

  static Route parse(Fields& f) {
    const std::size_t start = f.offset();
    Route v;
    const auto length = f.number(2, "length");
    if (length != body_size && !f.fault())
      f.fail(start, fmt::format("length {} is not {} (RFC 4761 3.2.2)", length, body_size));
    f.enter(length, start);
    v.rd = f.rd();
    v.endpoint = static_cast<std::uint16_t>(f.number(2, "VE ID"));
    v.offset = static_cast<std::uint16_t>(f.number(2, "VE block offset"));
    v.size = static_cast<std::uint16_t>(f.number(2, "VE block size"));
    v.label_base = static_cast<std::uint32_t>(f.number(3, "label base"));
    f.end("label base");
    return v;
  }

  static Bytes key(const Route&, ByteView wire) {
    return Bytes(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(key_size));
  }

  static void to_json(const Route& v, ByteView, Json& out) {
    out["rd"] = v.rd.to_string();
    out["endpoint"] = v.endpoint;
    out["base"] = LabelStack::label_of(v.label_base);
    out["offset"] = v.offset;
    out["size"] = v.size;
  }

  static std::string to_text(const Route& v, ByteView) {
    return fmt::format("rd {} endpoint {} base {} offset {} size {}", v.rd.to_string(), v.endpoint,
                       LabelStack::label_of(v.label_base), v.offset, v.size);
  }
};

// ExaBGP's words, with an rd: `endpoint N base LABEL offset N size N`.
std::variant<Nlri, std::string> vpls_from_fields(const std::optional<RouteDistinguisher>& rd,
                                                 std::span<const NlriField> fields) {
  family_raw::Words words(fields);
  if (!rd) return std::string("vpls needs an rd");
  Bytes bytes;
  Writer w(bytes);
  w.u16(Vpls::body_size);
  w.u64(rd->to_u64());
  w.u16(static_cast<std::uint16_t>(words.number("endpoint", 0xFFFF)));
  w.u16(static_cast<std::uint16_t>(words.number("offset", 0xFFFF)));
  w.u16(static_cast<std::uint16_t>(words.number("size", 0xFFFF)));
  // The label base as a label stack entry: the label, then bottom of stack.
  const auto base = static_cast<std::uint32_t>(words.number("base", 0xFFFFF));
  w.u8(static_cast<std::uint8_t>(base >> 12));
  w.u16(static_cast<std::uint16_t>((base << 4) | LabelStack::bottom_of_stack));
  return family_raw::from_words(Family(Afi::l2vpn, Safi::vpls), words, bytes);
}

// ---------------------------------------------------------------- EVPN

struct EvpnRoute {
  std::uint8_t type = 0;
  RouteDistinguisher rd;
  ByteView esi;  // 10 bytes, a view into the parsed bytes
  std::uint32_t tag = 0;
  ByteView mac;                       // 6 bytes
  std::uint8_t ip_bits = 0;           // type 2, 3, 4: the IP length; type 5: the prefix length
  IpAddress ip;                       // type 2's IP, 3's and 4's router, 5's prefix
  IpAddress gateway;                  // type 5
  std::vector<std::uint32_t> labels;  // raw entries
  // The key's byte ranges in the NLRI, [begin, end) each.
  std::vector<std::pair<std::size_t, std::size_t>> key_ranges;
};

constexpr std::array<const char*, 6> evpn_names{"",
                                                "Ethernet Auto-Discovery",
                                                "MAC/IP advertisement",
                                                "Inclusive Multicast Ethernet Tag",
                                                "Ethernet Segment",
                                                "IP Prefix Advertisement"};

// ExaBGP: "-" for the zero ESI, else lower-case hex bytes joined by ':'.
std::string esi_text(ByteView esi) {
  if (std::all_of(esi.begin(), esi.end(), [](std::uint8_t b) { return b == 0; })) return "-";
  std::string out;
  for (auto b : esi) out += fmt::format("{}{:02x}", out.empty() ? "" : ":", b);
  return out;
}

std::string mac_text(ByteView mac) {
  std::string out;
  for (auto b : mac) out += fmt::format("{}{:02X}", out.empty() ? "" : ":", b);
  return out;
}

struct Evpn {
  using Route = EvpnRoute;
  static constexpr std::string_view what = "EVPN route";
  // Offsets in the NLRI: type (0), length (1), RD (2..10), then the fields.
  static constexpr std::size_t rd_end = 10;

  // An IP length in bits (0, 32 or 128) then the address.
  static IpAddress sized_ip(Fields& f, std::uint8_t& bits, std::string_view name) {
    auto a = f.sized_address(name);
    bits = a.bits;
    return a.address;
  }

  static std::uint32_t label(Fields& f, std::string_view name) {
    return static_cast<std::uint32_t>(f.number(3, name));
  }

  static Route parse(Fields& f) {
    const std::size_t start = f.offset();
    Route e;
    e.type = static_cast<std::uint8_t>(f.number(1, "route type"));
    const auto length = f.number(1, "length");
    f.enter(length, start);
    if (e.type < 1 || e.type > 5) {
      f.bytes(f.remaining(), "route");
      f.end("route");
      return e;
    }
    auto here = [&] { return f.offset() - start; };
    e.rd = f.rd();
    switch (e.type) {
      case 1:
        e.esi = f.bytes(10, "ESI");
        e.tag = static_cast<std::uint32_t>(f.number(4, "Ethernet tag"));
        e.key_ranges = {{0, 1}, {2, here()}};
        e.labels.push_back(label(f, "MPLS label"));
        break;
      case 2: {
        e.esi = f.bytes(10, "ESI");
        const std::size_t tag_at = here();
        e.tag = static_cast<std::uint32_t>(f.number(4, "Ethernet tag"));
        const std::size_t mac_at = f.offset();
        const auto mac_bits = f.number(1, "MAC length");
        if (mac_bits != 48 && !f.fault())
          f.fail(mac_at, fmt::format("MAC length {} is not 48 bits", mac_bits));
        e.mac = f.bytes(6, "MAC address");
        e.ip = sized_ip(f, e.ip_bits, "IP address");
        e.key_ranges = {{0, 1}, {2, rd_end}, {tag_at, here()}};
        e.labels.push_back(label(f, "MPLS label 1"));
        if (f.remaining() > 0) e.labels.push_back(label(f, "MPLS label 2"));
        break;
      }
      case 3:
        e.tag = static_cast<std::uint32_t>(f.number(4, "Ethernet tag"));
        e.ip = sized_ip(f, e.ip_bits, "originating router's IP address");
        break;
      case 4:
        e.esi = f.bytes(10, "ESI");
        e.ip = sized_ip(f, e.ip_bits, "originating router's IP address");
        break;
      case 5: {
        // RFC 9136 3.1: the prefix and gateway are both 4 or both 16 bytes,
        // which the route's length (34 or 58) tells.
        const std::size_t address_size = length == 58 ? 16 : 4;
        if (length != 34 && length != 58 && !f.fault())
          f.fail(start, fmt::format("IP prefix route length {} is not 34 or 58", length));
        e.esi = f.bytes(10, "ESI");
        const std::size_t tag_at = here();
        e.tag = static_cast<std::uint32_t>(f.number(4, "Ethernet tag"));
        const std::size_t prefix_at = f.offset();
        e.ip_bits = static_cast<std::uint8_t>(f.number(1, "IP prefix length"));
        if (e.ip_bits > address_size * 8 && !f.fault())
          f.fail(prefix_at,
                 fmt::format("IP prefix length {} exceeds {} bits", e.ip_bits, address_size * 8));
        e.ip = f.address(address_size, "IP prefix");
        e.key_ranges = {{0, 1}, {2, rd_end}, {tag_at, here()}};
        e.gateway = f.address(address_size, "gateway IP address");
        e.labels.push_back(label(f, "MPLS label"));
        break;
      }
      default:
        break;
    }
    f.end(evpn_names[e.type]);
    return e;
  }

  static Bytes key(const Route& e, ByteView wire) {
    Bytes out;
    for (auto [begin, end] : e.key_ranges)
      if (end <= wire.size())
        out.insert(out.end(), wire.begin() + static_cast<std::ptrdiff_t>(begin),
                   wire.begin() + static_cast<std::ptrdiff_t>(end));
    return out;
  }

  static void to_json(const Route& e, ByteView wire, Json& out) {
    out["code"] = e.type;
    const bool parsed = e.type >= 1 && e.type <= 5;
    out["parsed"] = parsed;
    out["raw"] = family_raw::hex_of(wire);
    if (!parsed) return;
    out["name"] = evpn_names[e.type];
    out["rd"] = e.rd.to_string();
    if (e.type != 3) out["esi"] = esi_text(e.esi);
    if (e.type != 4) out["ethernet-tag"] = e.tag;
    if (e.type == 2) out["mac"] = mac_text(e.mac);
    if (!e.labels.empty()) out["label"] = labels_json(e.labels);
    if (e.type == 5) {
      out["ip"] = e.ip.to_string();
      out["iplen"] = e.ip_bits;
      out["gateway"] = e.gateway.to_string();
    } else if (e.ip_bits != 0) {
      out["ip"] = e.ip.to_string();
    }
  }

  static std::string labels_text(const Route& e) {
    std::string out = " label [";
    for (auto entry : e.labels) out += fmt::format(" {}", LabelStack::label_of(entry));
    return out + " ]";
  }

  // ExaBGP's configuration words for EVPN routes.
  static std::string to_text(const Route& e, ByteView wire) {
    const std::string rd = e.rd.to_string();
    switch (e.type) {
      case 1:
        return fmt::format("ethernet-ad rd {} esi {} etag {}{}", rd, esi_text(e.esi), e.tag,
                           labels_text(e));
      case 2:
        return fmt::format("mac-ip rd {} esi {} etag {} mac {}{}{}", rd, esi_text(e.esi), e.tag,
                           mac_text(e.mac), e.ip_bits ? " ip " + e.ip.to_string() : "",
                           labels_text(e));
      case 3:
        return fmt::format("multicast rd {} etag {} ip {}", rd, e.tag, e.ip.to_string());
      case 4:
        return fmt::format("segment rd {} esi {} ip {}", rd, esi_text(e.esi), e.ip.to_string());
      case 5:
        return fmt::format("prefix rd {} esi {} etag {} ip {}/{} gateway {}{}", rd, esi_text(e.esi),
                           e.tag, e.ip.to_string(), e.ip_bits, e.gateway.to_string(),
                           labels_text(e));
      default:
        return fmt::format("route-type {} raw 0x{}", e.type, family_raw::hex_of(wire));
    }
  }
};

// RFC 4761 3.2.2 and RFC 7432 7: the next hop is the PE's IPv4 or IPv6 address.
constexpr NextHopForms next_hop{{4, 16}, {32, 32}, false};

}  // namespace

const FamilyRow l2vpn_vpls_row = [] {
  FamilyRow row = family_raw::RawCoder<Vpls>::row(Family(Afi::l2vpn, Safi::vpls), "l2vpn vpls",
                                                  next_hop, vpls_from_fields);
  row.exabgp_next_hop_attribute = false;
  return row;
}();
const FamilyRow l2vpn_evpn_row =
    family_raw::RawCoder<Evpn>::row(Family(Afi::l2vpn, Safi::evpn), "l2vpn evpn", next_hop);

}  // namespace bgpsim::wire
