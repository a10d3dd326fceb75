// Flow specification, SAFI 133 "flow" and 134 "flow-vpn": IPv4 (RFC 8955)
// and IPv6 (RFC 8956) traffic filters. An NLRI is a length (one byte below
// 240, else two bytes with 0xF in the top nibble, RFC 8955 4.1), a route
// distinguisher for flow-vpn (RFC 8955 8), then components in strictly
// increasing type order (RFC 8955 4.2):
//
//   prefix  (types 1, 2)   type, length in bits, [offset (IPv6)], prefix bytes
//   numeric (3-8, 10, 11, 13)  type, {operator, value}+ : e a len 0 lt gt eq
//   bitmask (9 tcp-flags, 12 fragment)  type, {operator, value}+ : e a len 0 0 not m
//
// The value takes 1 << len bytes; the end-of-list bit `e` closes a component.
// There is no next hop: RFC 8955 4 has receivers ignore one, so an empty
// field or an address of the family is accepted (ExaBGP sends either).
// Actions travel as extended communities (attributes_json.cpp renders them).
//
// IPv6 prefixes (RFC 8956 3.1) carry "(length - offset) bits" of pattern.
// ExaBGP, whose JSON this build reproduces, and Wireshark write and read the
// whole `length` bits whatever the offset (ExaBGP's conf-flow.ci sends
// ::1/128/120 as sixteen bytes); this coder does the same so that it reads
// what they send. With offset 0, the common case, the two forms agree.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::wire {

namespace {

namespace op_bit {
inline constexpr std::uint8_t end_of_list = 0x80;
inline constexpr std::uint8_t and_ = 0x40;
inline constexpr std::uint8_t length = 0x30;
// Numeric (RFC 8955 4.2.1.1).
inline constexpr std::uint8_t lt = 0x04, gt = 0x02, eq = 0x01;
// Bitmask (RFC 8955 4.2.1.2).
inline constexpr std::uint8_t not_ = 0x02, match = 0x01;
}  // namespace op_bit

enum class Kind : std::uint8_t { none, prefix, numeric, bitmask };
enum class Names : std::uint8_t { number, protocol, icmp_type, tcp_flags, fragment };

struct ComponentInfo {
  Kind kind = Kind::none;
  const char* name = "";
  Names names = Names::number;
};

// ExaBGP's names of the components (types 1-13) of each address family.
constexpr std::array<ComponentInfo, 14> ipv4_components{{
    {},
    {Kind::prefix, "destination-ipv4"},
    {Kind::prefix, "source-ipv4"},
    {Kind::numeric, "protocol", Names::protocol},
    {Kind::numeric, "port"},
    {Kind::numeric, "destination-port"},
    {Kind::numeric, "source-port"},
    {Kind::numeric, "icmp-type", Names::icmp_type},
    {Kind::numeric, "icmp-code"},
    {Kind::bitmask, "tcp-flags", Names::tcp_flags},
    {Kind::numeric, "packet-length"},
    {Kind::numeric, "dscp"},
    {Kind::bitmask, "fragment", Names::fragment},
    {},  // RFC 8956 flow label: IPv6 only
}};
constexpr std::array<ComponentInfo, 14> ipv6_components{{
    {},
    {Kind::prefix, "destination-ipv6"},
    {Kind::prefix, "source-ipv6"},
    {Kind::numeric, "next-header", Names::protocol},
    {Kind::numeric, "port"},
    {Kind::numeric, "destination-port"},
    {Kind::numeric, "source-port"},
    {Kind::numeric, "icmp-type", Names::icmp_type},
    {Kind::numeric, "icmp-code"},
    {Kind::bitmask, "tcp-flags", Names::tcp_flags},
    {Kind::numeric, "packet-length"},
    {Kind::numeric, "traffic-class"},
    {Kind::bitmask, "fragment", Names::fragment},
    {Kind::numeric, "flow-label"},
}};

ComponentInfo component_info(bool v6, std::uint8_t type) {
  const auto& table = v6 ? ipv6_components : ipv4_components;
  return type < table.size() ? table[type] : ComponentInfo{};
}

std::size_t value_bytes(std::uint8_t op) { return std::size_t{1} << ((op & op_bit::length) >> 4); }

// ---------------------------------------------------------------- text

// IANA names as ExaBGP spells them (its Protocol, ICMPType, TCPFlag and
// Fragment resources).
constexpr std::array<std::pair<std::uint64_t, const char*>, 13> protocol_names{{
    {0x01, "icmp"},
    {0x02, "igmp"},
    {0x06, "tcp"},
    {0x08, "egp"},
    {0x11, "udp"},
    {0x2E, "rsvp"},
    {0x2F, "gre"},
    {0x32, "esp"},
    {0x33, "ah"},
    {0x59, "ospf"},
    {0x5E, "ipip"},
    {0x67, "pim"},
    {0x84, "sctp"},
}};
constexpr std::array<std::pair<std::uint64_t, const char*>, 16> icmp_type_names{{
    {0x00, "echo-reply"},
    {0x03, "unreachable"},
    {0x05, "redirect"},
    {0x08, "echo-request"},
    {0x09, "router-advertisement"},
    {0x0A, "router-solicit"},
    {0x0B, "time-exceeded"},
    {0x0C, "parameter-problem"},
    {0x0D, "timestamp"},
    {0x0E, "timestamp-reply"},
    {0x28, "photuris"},
    {0x29, "experimental-mobility"},
    {0x2A, "extended-echo-request"},
    {0x2B, "extended-echo-reply"},
    {0xFD, "experimental-one"},
    {0xFE, "experimental-two"},
}};
constexpr std::array<std::pair<std::uint64_t, const char*>, 9> tcp_flag_names{{
    {0x01, "fin"},
    {0x02, "syn"},
    {0x04, "rst"},
    {0x08, "push"},
    {0x10, "ack"},
    {0x20, "urg"},
    {0x40, "ece"},
    {0x80, "cwr"},
    {0x100, "ns"},
}};
constexpr std::array<std::pair<std::uint64_t, const char*>, 4> fragment_names{{
    {0x01, "dont-fragment"},
    {0x02, "is-fragment"},
    {0x04, "first-fragment"},
    {0x08, "last-fragment"},
}};

template <std::size_t N>
std::string named_number(const std::array<std::pair<std::uint64_t, const char*>, N>& names,
                         std::uint64_t v) {
  for (const auto& [value, name] : names)
    if (value == v) return name;
  return std::to_string(v);
}

// ExaBGP's BitResource: the names of the bits set, joined by '+', then
// "unknown NAME type N" for bits it has no name for.
template <std::size_t N>
std::string named_bits(const std::array<std::pair<std::uint64_t, const char*>, N>& names,
                       std::uint64_t v, std::string_view what) {
  std::string out;
  std::uint64_t left = v;
  for (const auto& [bit, name] : names) {
    if (!(left & bit)) continue;
    if (!out.empty()) out += '+';
    out += name;
    left -= bit;
  }
  if (left) {
    if (!out.empty()) out += '+';
    out += fmt::format("unknown {} type {}", what, v);
  }
  return out;
}

std::string value_text(Names names, std::uint64_t v) {
  switch (names) {
    case Names::protocol:
      return named_number(protocol_names, v);
    case Names::icmp_type:
      return named_number(icmp_type_names, v);
    case Names::tcp_flags:
      return named_bits(tcp_flag_names, v, "tcp flag");
    case Names::fragment:
      return named_bits(fragment_names, v, "fragment");
    case Names::number:
      break;
  }
  return std::to_string(v);
}

// One {operator, value} pair as ExaBGP prints it: "=80", "&<8088", "!=push",
// "true"; an operator with reserved bits set prints as two hex digits.
std::string op_text(const ComponentInfo& info, const FlowOp& o) {
  const std::uint8_t op = o.op & static_cast<std::uint8_t>(~(op_bit::end_of_list | op_bit::length));
  const std::string value = value_text(info.names, o.value);
  const char* and_prefix = (op & op_bit::and_) ? "&" : "";
  const std::uint8_t rest = op & static_cast<std::uint8_t>(~op_bit::and_);
  if (info.kind == Kind::numeric) {
    // ExaBGP prints always-true and always-false without their value, unless ANDed.
    if (rest == (op_bit::lt | op_bit::gt | op_bit::eq) && !*and_prefix) return "true";
    if (rest == 0 && !*and_prefix) return "false";
    static constexpr std::array<const char*, 8> names{
        "false", "=", ">", ">=", "<", "<=", "!=", "true"};
    if (rest > 0x07) return fmt::format("{:02X}{}", op, value);
    return std::string(and_prefix) + names[rest] + value;
  }
  static constexpr std::array<const char*, 4> names{"", "=", "!", "!="};
  if (rest > 0x03) return fmt::format("{:02X}{}", op, value);
  return std::string(and_prefix) + names[rest] + value;
}

std::string prefix_text(bool v6, const FlowComponent& c) {
  if (!v6) return c.prefix.to_string();
  return fmt::format("{}/{}", c.prefix.to_string(), c.offset);
}

// The values of a component as ExaBGP's JSON lists them: one string per OR
// term, the ANDed pairs appended to the term they belong to.
std::vector<std::string> component_terms(bool v6, const FlowComponent& c) {
  const ComponentInfo info = component_info(v6, c.type);
  if (info.kind == Kind::prefix) return {prefix_text(v6, c)};
  std::vector<std::string> terms;
  for (const auto& o : c.ops) {
    if (terms.empty() || !(o.op & op_bit::and_))
      terms.push_back(op_text(info, o));
    else
      terms.back() += op_text(info, o);
  }
  return terms;
}

// ---------------------------------------------------------------- coder

template <bool V6, bool Rd>
struct FlowCoder {
  static constexpr unsigned max_prefix_bits = V6 ? 128 : 32;
  // RFC 8955 4.1: the two-byte form says 12 bits.
  static constexpr std::size_t max_length = 0x0FFF;
  static constexpr std::size_t extended_length = 240;

  static std::optional<DecodeError> decode_component(Reader& body, int& last_type, Nlri& n,
                                                     const auto& fail) {
    const std::size_t at = body.offset();
    const std::uint8_t type = *body.u8();  // the caller checked that a byte is left
    const ComponentInfo info = component_info(V6, type);
    if (info.kind == Kind::none)
      return fail(at, fmt::format("unknown flow component type {}", type));
    // RFC 8955 4.2: "components MUST follow strict type ordering by
    // increasing numerical order"; otherwise the NLRI is malformed.
    if (type <= last_type)
      return fail(at, fmt::format("flow component type {} after type {}: types must increase", type,
                                  last_type));
    last_type = type;
    FlowComponent c;
    c.type = type;
    if (info.kind == Kind::prefix) {
      auto bits = body.u8();
      if (!bits) return fail(at, "flow prefix length missing");
      if (*bits > max_prefix_bits)
        return fail(at,
                    fmt::format("flow prefix length {} exceeds {} bits", *bits, max_prefix_bits));
      if constexpr (V6) {
        auto offset = body.u8();
        if (!offset) return fail(at, "flow prefix offset missing");
        // RFC 8956 3.1: the offset says how many bits to skip, within the length.
        if (*offset > *bits)
          return fail(at,
                      fmt::format("flow prefix offset {} exceeds its length {}", *offset, *bits));
        c.offset = *offset;
      }
      const std::size_t octets = (*bits + 7u) / 8u;
      auto prefix = body.take(octets);
      if (!prefix)
        return fail(at, fmt::format("flow prefix of {} bits runs past the end of the NLRI", *bits));
      c.prefix.length = *bits;
      c.prefix.address.v6 = V6;
      std::copy(prefix->begin(), prefix->end(), c.prefix.address.bytes.begin());
      if (*bits % 8 != 0)
        c.prefix.address.bytes[octets - 1] &= static_cast<std::uint8_t>(0xFF00u >> (*bits % 8));
    } else {
      for (;;) {
        const std::size_t op_at = body.offset();
        auto op = body.u8();
        if (!op)  // named at the component: the missing byte is past the end
          return fail(at, fmt::format("flow component type {} ends without an end-of-list "
                                      "operator",
                                      type));
        auto value = body.take(value_bytes(*op));
        if (!value)
          return fail(op_at, fmt::format("flow operator value of {} bytes runs past the end of "
                                         "the NLRI",
                                         value_bytes(*op)));
        std::uint64_t v = 0;
        for (auto b : *value) v = (v << 8) | b;
        c.ops.push_back({static_cast<std::uint8_t>(*op & ~op_bit::end_of_list), v});
        if (*op & op_bit::end_of_list) break;
      }
    }
    n.flow.push_back(std::move(c));
    return std::nullopt;
  }

  static std::optional<DecodeError> decode(Reader& r, bool add_path, std::uint8_t subcode,
                                           std::vector<Nlri>& out) {
    auto fail = [&](std::size_t at, std::string reason) {
      return make_error(at, NotifyCode::update_message, subcode, std::move(reason));
    };
    while (!r.empty()) {
      const std::size_t start = r.offset();
      Nlri n;
      if (!read_path_id(r, add_path, n))
        return fail(start, "path identifier runs past the end of the NLRI");
      const std::size_t length_at = r.offset();
      auto first = r.u8();
      if (!first) return fail(start, "missing flow specification length");
      std::size_t length = *first;
      // RFC 8955 4.1: "If the NLRI length value is smaller than 240 (0xf0
      // hex), the length field can be encoded as a single octet. Otherwise,
      // it is encoded as an extended-length 2-octet value in which the most
      // significant nibble has the hex value 0xf."
      if ((*first & 0xF0) == 0xF0) {
        auto second = r.u8();
        if (!second) return fail(length_at, "two-byte flow specification length cut short");
        length = ((*first & 0x0Fu) << 8) | *second;
        if (length < extended_length)
          return fail(length_at, fmt::format("flow specification length {} in two bytes (one "
                                             "byte says up to 239)",
                                             length));
      }
      auto body = r.sub(length);
      if (!body)
        return fail(length_at, fmt::format("flow specification of {} bytes runs past the end of "
                                           "the NLRI field",
                                           length));
      if constexpr (Rd) {
        auto rd = body->u64();
        if (!rd) return fail(length_at, "flow specification too short for its route distinguisher");
        n.rd = RouteDistinguisher::from_u64(*rd);
      }
      int last_type = 0;
      while (!body->empty())
        if (auto error = decode_component(*body, last_type, n, fail)) return error;
      out.push_back(std::move(n));
    }
    return std::nullopt;
  }

  static std::size_t body_size(const Nlri& n) {
    std::size_t size = Rd ? 8 : 0;
    for (const auto& c : n.flow) {
      size += 1;
      if (component_info(V6, c.type).kind == Kind::prefix) {
        size += (V6 ? 2u : 1u) + (c.prefix.length + 7u) / 8u;
      } else {
        for (const auto& o : c.ops) size += 1 + value_bytes(o.op);
      }
    }
    return size;
  }

  static std::size_t length_bytes(std::size_t body) { return body < extended_length ? 1 : 2; }

  static void encode(const Nlri& n, bool add_path, Writer& w) {
    if (add_path) w.u32(n.path_id.value_or(0));
    const std::size_t body = body_size(n);
    if (body < extended_length)
      w.u8(static_cast<std::uint8_t>(body));
    else
      w.u16(static_cast<std::uint16_t>(0xF000u | body));
    if constexpr (Rd) w.u64(n.rd.to_u64());
    for (const auto& c : n.flow) {
      w.u8(c.type);
      if (component_info(V6, c.type).kind == Kind::prefix) {
        w.u8(c.prefix.length);
        if constexpr (V6) w.u8(c.offset);
        w.bytes(ByteView(c.prefix.address.bytes.data(), (c.prefix.length + 7u) / 8u));
        continue;
      }
      for (std::size_t i = 0; i < c.ops.size(); ++i) {
        const auto& o = c.ops[i];
        const bool last = i + 1 == c.ops.size();
        w.u8(static_cast<std::uint8_t>((o.op & ~op_bit::end_of_list) |
                                       (last ? op_bit::end_of_list : 0)));
        const std::size_t bytes = value_bytes(o.op);
        for (std::size_t b = bytes; b-- > 0;)
          w.u8(static_cast<std::uint8_t>(b >= 8 ? 0 : o.value >> (8 * b)));
      }
    }
  }

  static std::size_t size(const Nlri& n, bool add_path) {
    const std::size_t body = body_size(n);
    return (add_path ? 4u : 0u) + length_bytes(body) + body;
  }

  static std::optional<std::string> invalid(const Nlri& n) {
    int last_type = 0;
    for (const auto& c : n.flow) {
      const ComponentInfo info = component_info(V6, c.type);
      if (info.kind == Kind::none)
        return fmt::format("flow component type {} is not one of the family", c.type);
      if (c.type <= last_type)
        return fmt::format("flow component type {} after type {}: types must increase", c.type,
                           last_type);
      last_type = c.type;
      if (info.kind == Kind::prefix) {
        if (c.prefix.address.v6 != V6 || c.prefix.length > max_prefix_bits)
          return fmt::format("{} is not a prefix of the family", c.prefix.to_string());
        if (c.offset > c.prefix.length || (!V6 && c.offset != 0))
          return fmt::format("flow prefix offset {} does not suit {}", c.offset,
                             c.prefix.to_string());
        continue;
      }
      if (c.ops.empty()) return fmt::format("flow component {} has no operator", info.name);
      for (const auto& o : c.ops) {
        const std::size_t bytes = value_bytes(o.op);
        if (bytes < 8 && o.value >> (8 * bytes) != 0)
          return fmt::format("flow value {} does not fit the {} bytes its operator says", o.value,
                             bytes);
      }
    }
    if (body_size(n) > max_length)
      return fmt::format("flow specification of {} bytes exceeds the {} an NLRI length can say",
                         body_size(n), max_length);
    return std::nullopt;
  }

  static Nlri as_withdrawn(const Nlri& n) { return n; }

  // ExaBGP: {"destination-ipv4": ["10.0.0.1/32"], "protocol": ["=tcp"], ...,
  // "rd": "65535:65536", "string": "flow destination-ipv4 10.0.0.1/32 ..."}.
  static void to_json(const Nlri& n, nlohmann::ordered_json& out) {
    for (const auto& c : n.flow) out[component_info(V6, c.type).name] = component_terms(V6, c);
    if constexpr (Rd) out["rd"] = n.rd.to_string();
    if (n.path_id) out["path-information"] = dotted_quad(*n.path_id);
    out["string"] = "flow " + to_text(n);
  }

  // As ExaBGP's API and configuration write the match: "source-ipv4
  // 10.0.0.0/24 protocol =tcp destination-port [ >8080&<8088 =3128 ]" (a
  // component of several pairs in brackets), then the route distinguisher.
  static std::string to_text(const Nlri& n) {
    std::string out;
    for (const auto& c : n.flow) {
      if (!out.empty()) out += ' ';
      const ComponentInfo info = component_info(V6, c.type);
      out += info.name;
      out += ' ';
      std::string terms;
      for (const auto& term : component_terms(V6, c)) {
        if (!terms.empty()) terms += ' ';
        terms += term;
      }
      out += c.ops.size() > 1 ? "[ " + terms + " ]" : terms;
    }
    if constexpr (Rd) out += (out.empty() ? "rd " : " rd ") + n.rd.to_string();
    if (n.path_id) out += fmt::format(" path-information {}", *n.path_id);
    return out;
  }

  static constexpr FamilyRow row(Family family, std::string_view name, NextHopForms next_hop) {
    return FamilyRow{family, name,    false,        false,    Rd,      true,    decode, encode,
                     size,   invalid, as_withdrawn, next_hop, to_json, to_text, false,  nullptr};
  }
};

using V4 = FlowCoder<false, false>;
using V6 = FlowCoder<true, false>;
using V4Vpn = FlowCoder<false, true>;
using V6Vpn = FlowCoder<true, true>;

// RFC 8955 4: no next hop is needed (length 0); ExaBGP sends an address of
// the family when one is configured (redirect-to-nexthop).
constexpr NextHopForms v4_next_hop{{0, 4}, {0, 4}, false};
constexpr NextHopForms v6_next_hop{{0, 16}, {0, 16}, false};

}  // namespace

const FamilyRow ipv4_flow_row = V4::row(Family(Afi::ipv4, Safi::flow), "ipv4 flow", v4_next_hop);
const FamilyRow ipv6_flow_row = V6::row(Family(Afi::ipv6, Safi::flow), "ipv6 flow", v6_next_hop);
const FamilyRow ipv4_flow_vpn_row =
    V4Vpn::row(Family(Afi::ipv4, Safi::flow_vpn), "ipv4 flow-vpn", v4_next_hop);
const FamilyRow ipv6_flow_vpn_row =
    V6Vpn::row(Family(Afi::ipv6, Safi::flow_vpn), "ipv6 flow-vpn", v6_next_hop);

}  // namespace bgpsim::wire
