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
#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>

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
enum class Names : std::uint8_t { number, protocol, icmp_type, icmp_code, tcp_flags, fragment };

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
    {Kind::numeric, "icmp-code", Names::icmp_code},
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
    {Kind::numeric, "icmp-code", Names::icmp_code},
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
// ICMP destination-unreachable codes (RFC 792, RFC 1812 5.2.7.1), as
// ExaBGP's ICMPCode spells them; accepted in text, printed as numbers as
// ExaBGP prints them.
constexpr std::array<std::pair<std::uint64_t, const char*>, 16> icmp_code_names{{
    {0, "network-unreachable"},
    {1, "host-unreachable"},
    {2, "protocol-unreachable"},
    {3, "port-unreachable"},
    {4, "fragmentation-needed"},
    {5, "source-route-failed"},
    {6, "destination-network-unknown"},
    {7, "destination-host-unknown"},
    {8, "source-host-isolated"},
    {9, "destination-network-prohibited"},
    {10, "destination-host-prohibited"},
    {11, "network-unreachable-for-tos"},
    {12, "host-unreachable-for-tos"},
    {13, "communication-prohibited-by-filtering"},
    {14, "host-precedence-violation"},
    {15, "precedence-cutoff-in-effect"},
}};
// The last entry is an alias ExaBGP's configuration accepts (printing
// stops at the first name of a bit).
constexpr std::array<std::pair<std::uint64_t, const char*>, 10> tcp_flag_names{{
    {0x01, "fin"},
    {0x02, "syn"},
    {0x04, "rst"},
    {0x08, "push"},
    {0x10, "ack"},
    {0x20, "urg"},
    {0x40, "ece"},
    {0x80, "cwr"},
    {0x100, "ns"},
    {0x20, "urgent"},
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
    case Names::icmp_code:
      break;
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

// ---------------------------------------------------------------- words

// The inverse of named_number/named_bits: a number, a name, or for a bitmask
// names joined by '+' ("fin+syn").
template <std::size_t N>
std::optional<std::uint64_t> name_value(
    const std::array<std::pair<std::uint64_t, const char*>, N>& names, std::string_view word,
    bool bits) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (ec == std::errc{} && end == word.data() + word.size()) return v;
  std::uint64_t out = 0;
  while (!word.empty()) {
    const auto plus = bits ? word.find('+') : std::string_view::npos;
    const std::string_view one = word.substr(0, plus);
    bool found = false;
    for (const auto& [value, name] : names) {
      if (one.size() != std::string_view(name).size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < one.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(one[i])) == name[i];
      if (same) {
        out |= value;
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
    word = plus == std::string_view::npos ? std::string_view{} : word.substr(plus + 1);
  }
  return out;
}

std::optional<std::uint64_t> word_value(Names names, std::string_view word) {
  switch (names) {
    case Names::protocol:
      return name_value(protocol_names, word, false);
    case Names::icmp_type:
      return name_value(icmp_type_names, word, false);
    case Names::icmp_code:
      return name_value(icmp_code_names, word, false);
    case Names::tcp_flags:
      return name_value(tcp_flag_names, word, true);
    case Names::fragment:
      return name_value(fragment_names, word, true);
    case Names::number:
      break;
  }
  return name_value(std::array<std::pair<std::uint64_t, const char*>, 0>{}, word, false);
}

// The operator's length bits for the fewest bytes (1, 2, 4, 8) that hold `v`.
std::uint8_t length_bits(std::uint64_t v) {
  if (v <= 0xFF) return 0x00;
  if (v <= 0xFFFF) return 0x10;
  if (v <= 0xFFFFFFFF) return 0x20;
  return 0x30;
}

// One OR term as ExaBGP writes it ("=80", ">8080&<8088", "!=push", "tcp",
// "true") into {operator, value} pairs; the first pair of a term is ORed
// with what comes before, the others carry the AND bit. A numeric term
// without an operator is '=', a bitmask one matches any of its bits (0).
std::optional<std::string> term_ops(const ComponentInfo& info, std::string_view term,
                                    std::vector<FlowOp>& out) {
  bool first = true;
  while (!term.empty() || first) {
    std::uint8_t op = 0;
    if (!first) {
      if (term.empty() || term[0] != '&') return "expected '&' between the parts of a term";
      term.remove_prefix(1);
      op |= op_bit::and_;
    }
    first = false;
    std::size_t n = 0;
    while (n < term.size() &&
           (term[n] == '=' || term[n] == '<' || term[n] == '>' || term[n] == '!'))
      ++n;
    const std::string_view symbols = term.substr(0, n);
    term.remove_prefix(n);
    const std::size_t end = term.find('&');
    const std::string_view word = term.substr(0, end);
    term = end == std::string_view::npos ? std::string_view{} : term.substr(end);
    std::uint64_t value = 0;
    if (info.kind == Kind::numeric) {
      static constexpr std::array<std::pair<std::string_view, std::uint8_t>, 8> numeric{{
          {"", op_bit::eq},
          {"=", op_bit::eq},
          {">", op_bit::gt},
          {">=", op_bit::gt | op_bit::eq},
          {"<", op_bit::lt},
          {"<=", op_bit::lt | op_bit::eq},
          {"!=", op_bit::lt | op_bit::gt},
          {"!", op_bit::lt | op_bit::gt},
      }};
      auto it = std::find_if(numeric.begin(), numeric.end(),
                             [&](const auto& p) { return p.first == symbols; });
      if (it == numeric.end()) return fmt::format("unknown operator '{}'", symbols);
      if (symbols.empty() && (word == "true" || word == "false")) {
        if (word == "true") op |= op_bit::lt | op_bit::gt | op_bit::eq;
        out.push_back({op, 0});
        continue;
      }
      op |= it->second;
    } else {
      static constexpr std::array<std::pair<std::string_view, std::uint8_t>, 4> bitmask{{
          {"", 0},
          {"=", op_bit::match},
          {"!", op_bit::not_},
          {"!=", op_bit::not_ | op_bit::match},
      }};
      auto it = std::find_if(bitmask.begin(), bitmask.end(),
                             [&](const auto& p) { return p.first == symbols; });
      if (it == bitmask.end()) return fmt::format("unknown operator '{}'", symbols);
      op |= it->second;
    }
    auto v = word_value(info.names, word);
    if (!v) return fmt::format("'{}' is not a value of {}", word, info.name);
    value = *v;
    out.push_back({static_cast<std::uint8_t>(op | length_bits(value)), value});
  }
  return std::nullopt;
}

// The component type a configuration word names in this address family:
// ExaBGP's JSON names, and `source`/`destination` (either family).
std::optional<std::uint8_t> component_type(bool v6, std::string_view word) {
  if (word == "destination") return 1;
  if (word == "source") return 2;
  if (v6 && word == "protocol") return 3;
  for (std::uint8_t t = 1; t < ipv4_components.size(); ++t)
    if (component_info(v6, t).kind != Kind::none && word == component_info(v6, t).name) return t;
  return std::nullopt;
}

// A flow NLRI from its match words: `source 10.0.0.1/32`, `destination
// ::1/128/120` (an IPv6 prefix and its RFC 8956 offset), `port [ =80 >8080&<8088 ]`;
// components sorted by type as RFC 8955 4.2 wants.
template <bool V6, bool Rd>
std::variant<Nlri, std::string> flow_from_fields(const std::optional<RouteDistinguisher>& rd,
                                                 std::span<const NlriField> fields) {
  Nlri n;
  if (Rd != rd.has_value())
    return std::string(Rd ? "a flow-vpn route needs an rd" : "a flow route takes no rd");
  if (rd) n.rd = *rd;
  for (const auto& field : fields) {
    auto type = component_type(V6, field.key);
    if (!type)
      return fmt::format("unknown {} flow component '{}'", V6 ? "IPv6" : "IPv4", field.key);
    const ComponentInfo info = component_info(V6, *type);
    FlowComponent c;
    c.type = *type;
    std::vector<std::string_view> terms;
    for (const auto& v : field.values)
      if (v != "[" && v != "]") terms.push_back(v);
    if (terms.empty()) return fmt::format("{} needs a value", field.key);
    if (info.kind == Kind::prefix) {
      if (terms.size() != 1) return fmt::format("{} takes one prefix", field.key);
      std::string_view text = terms[0];
      const auto slash = text.find('/');
      const auto second = slash == std::string_view::npos ? slash : text.find('/', slash + 1);
      auto p = IpPrefix::parse(text.substr(0, second));
      if (!p || p->address.v6 != V6)
        return fmt::format("'{}' is not an {} prefix", text, V6 ? "IPv6" : "IPv4");
      c.prefix = *p;
      if (second != std::string_view::npos) {
        unsigned offset = 0;
        const auto digits = text.substr(second + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
        if (!V6 || ec != std::errc{} || end != digits.data() + digits.size() || offset > p->length)
          return fmt::format("'{}': the offset must be an IPv6 prefix's, within its length", text);
        c.offset = static_cast<std::uint8_t>(offset);
      }
    } else {
      for (auto term : terms)
        if (auto error = term_ops(info, term, c.ops))
          return fmt::format("{} '{}': {}", field.key, term, *error);
    }
    auto at = std::lower_bound(n.flow.begin(), n.flow.end(), c.type,
                               [](const FlowComponent& x, std::uint8_t t) { return x.type < t; });
    if (at != n.flow.end() && at->type == c.type)
      return fmt::format("flow component {} given twice", info.name);
    n.flow.insert(at, std::move(c));
  }
  if (n.flow.empty()) return std::string("a flow route needs a match");
  return n;
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
    return FamilyRow{
        family, name,    false,        false,    Rd,      true,    decode, encode,
        size,   invalid, as_withdrawn, next_hop, to_json, to_text, false,  flow_from_fields<V6, Rd>,
        false,  false};
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

// ---------------------------------------------------------------- actions

namespace {

std::uint64_t ext(std::uint16_t type, std::uint64_t value) {
  return (std::uint64_t{type} << 48) | (value & 0xFFFFFFFFFFFFu);
}

std::optional<std::uint64_t> unsigned_word(std::string_view s, std::uint64_t max) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

// RFC 8955 7.1: the rate is an IEEE 754 single-precision float.
std::uint64_t float_bits(std::uint64_t rate) {
  return std::bit_cast<std::uint32_t>(static_cast<float>(rate));
}

// `redirect ASN:N | IPv4:N` (RFC 8955 7.4, RFC 7674: a 2-byte AS with a
// 4-byte number, an IPv4 address or a 4-byte AS with a 2-byte number).
std::optional<std::uint64_t> redirect_target(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto global = s.substr(0, colon);
  const auto local = s.substr(colon + 1);
  if (auto ip = IpAddress::parse(global); ip && !ip->v6) {
    auto n = unsigned_word(local, 0xFFFF);
    if (!n) return std::nullopt;
    return ext(0x8108, (std::uint64_t{ip->v4_u32()} << 16) | *n);
  }
  auto as = unsigned_word(global, 0xFFFFFFFF);
  if (!as) return std::nullopt;
  if (*as > 0xFFFF) {
    auto n = unsigned_word(local, 0xFFFF);
    if (!n) return std::nullopt;
    return ext(0x8208, (*as << 16) | *n);
  }
  auto n = unsigned_word(local, 0xFFFFFFFF);
  if (!n) return std::nullopt;
  return ext(0x8008, (*as << 32) | *n);
}

// draft-ietf-idr-flowspec-interfaceset: "transitive:input:AS:GROUP".
std::optional<std::uint64_t> interface_set(std::string_view s) {
  std::array<std::string_view, 4> parts;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto colon = i < 3 ? s.find(':') : std::string_view::npos;
    if (i < 3 && colon == std::string_view::npos) return std::nullopt;
    parts[i] = s.substr(0, colon);
    s = colon == std::string_view::npos ? std::string_view{} : s.substr(colon + 1);
  }
  std::uint16_t type = 0;
  if (parts[0] == "transitive")
    type = 0x0702;
  else if (parts[0] == "non-transitive")
    type = 0x4702;
  else
    return std::nullopt;
  std::uint64_t direction = 0;
  if (parts[1] == "input")
    direction = 1;
  else if (parts[1] == "output")
    direction = 2;
  else if (parts[1] == "input-output")
    direction = 3;
  else
    return std::nullopt;
  auto as = unsigned_word(parts[2], 0xFFFFFFFF);
  auto group = unsigned_word(parts[3], 0x3FFF);
  if (!as || !group) return std::nullopt;
  return ext(type, (*as << 16) | (direction << 14) | *group);
}

}  // namespace

std::span<const std::string_view> flow_component_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto* table : {&ipv4_components, &ipv6_components})
      for (const auto& c : *table)
        if (c.kind != Kind::none && std::find(out.begin(), out.end(), c.name) == out.end())
          out.push_back(c.name);
    return out;
  }();
  return names;
}

std::span<const std::string_view> flow_action_names() {
  static constexpr std::array<std::string_view, 10> names{"accept",
                                                          "discard",
                                                          "rate-limit",
                                                          "redirect",
                                                          "copy",
                                                          "redirect-to-nexthop",
                                                          "redirect-to-nexthop-ietf",
                                                          "mark",
                                                          "action",
                                                          "interface-set"};
  return names;
}

std::variant<FlowAction, std::string> flow_action(std::string_view word,
                                                  std::span<const std::string> given) {
  std::vector<std::string_view> values;
  for (const auto& v : given)
    if (v != "[" && v != "]") values.push_back(v);
  FlowAction a;
  auto count = [&](std::size_t low, std::size_t high) -> std::optional<std::string> {
    if (values.size() >= low && values.size() <= high) return std::nullopt;
    return fmt::format("'{}' takes {}", word,
                       high == 0     ? std::string("no value")
                       : low == high ? fmt::format("{} value(s)", low)
                                     : fmt::format("{} to {} values", low, high));
  };
  auto address = [&](std::string_view s) -> std::variant<IpAddress, std::string> {
    auto ip = IpAddress::parse(s);
    if (!ip) return fmt::format("'{}' is not an IP address", s);
    return *ip;
  };
  if (word == "accept") {  // no action: the traffic is let through
    if (auto e = count(0, 0)) return *e;
  } else if (word == "discard") {  // RFC 8955 7.1: a rate of 0
    if (auto e = count(0, 0)) return *e;
    a.extended_communities.push_back(ext(0x8006, 0));
  } else if (word == "rate-limit") {  // N [bytes|packets] (RFC 8955 7.1, 7.2)
    if (auto e = count(1, 2)) return *e;
    auto rate = unsigned_word(values[0], 0xFFFFFFFF);
    if (!rate) return fmt::format("rate-limit '{}' is not a number", values[0]);
    const bool packets = values.size() == 2 && values[1] == "packets";
    if (values.size() == 2 && !packets && values[1] != "bytes")
      return fmt::format("rate-limit '{}': expected bytes or packets", values[1]);
    a.extended_communities.push_back(ext(packets ? 0x800C : 0x8006, float_bits(*rate)));
  } else if (word == "redirect") {  // ASN:N or IP:N (a VRF), or an address (its next hop)
    if (auto e = count(1, 1)) return *e;
    if (auto ip = IpAddress::parse(values[0])) {
      a.next_hop = *ip;
      a.extended_communities.push_back(ext(0x0800, 0));
    } else if (auto target = redirect_target(values[0])) {
      a.extended_communities.push_back(*target);
    } else {
      return fmt::format("redirect '{}': expected ASN:N, IPv4:N or an IP address", values[0]);
    }
  } else if (word == "copy") {  // the traffic copied to an address
    if (auto e = count(1, 1)) return *e;
    auto ip = address(values[0]);
    if (auto* error = std::get_if<std::string>(&ip)) return *error;
    a.next_hop = std::get<IpAddress>(ip);
    a.extended_communities.push_back(ext(0x0800, 1));
  } else if (word == "redirect-to-nexthop") {  // to the route's next hop
    if (auto e = count(0, 0)) return *e;
    a.extended_communities.push_back(ext(0x0800, 0));
  } else if (word == "redirect-to-nexthop-ietf") {  // draft-ietf-idr-flowspec-redirect-ip
    if (auto e = count(1, 1)) return *e;
    auto ip = address(values[0]);
    if (auto* error = std::get_if<std::string>(&ip)) return *error;
    const IpAddress& to = std::get<IpAddress>(ip);
    if (!to.v6) {
      a.extended_communities.push_back(ext(0x010C, std::uint64_t{to.v4_u32()} << 16));
    } else {
      Bytes value{0x00, 0x0C};
      value.insert(value.end(), to.bytes.begin(), to.bytes.begin() + 16);
      value.insert(value.end(), {0x00, 0x00});
      a.ipv6_extended_communities.push_back(std::move(value));
    }
  } else if (word == "mark") {  // RFC 8955 7.5: the DSCP, 6 bits
    if (auto e = count(1, 1)) return *e;
    auto dscp = unsigned_word(values[0], 0x3F);
    if (!dscp) return fmt::format("mark '{}' is not a DSCP (0..63)", values[0]);
    a.extended_communities.push_back(ext(0x8009, *dscp));
  } else if (word == "action") {  // RFC 8955 7.3: sample, terminal or both
    if (auto e = count(1, 1)) return *e;
    const std::uint64_t bits = values[0] == "sample"            ? 2
                               : values[0] == "terminal"        ? 1
                               : values[0] == "sample-terminal" ? 3
                                                                : 0;
    if (!bits)
      return fmt::format("action '{}': expected sample, terminal or sample-terminal", values[0]);
    a.extended_communities.push_back(ext(0x8007, bits));
  } else if (word == "interface-set") {
    if (values.empty()) return std::string("interface-set needs a value");
    for (auto v : values) {
      auto c = interface_set(v);
      if (!c)
        return fmt::format(
            "interface-set '{}': expected [non-]transitive:input|output|"
            "input-output:AS:GROUP",
            v);
      a.extended_communities.push_back(*c);
    }
  } else {
    return fmt::format("unknown flow action '{}'", word);
  }
  return a;
}

}  // namespace bgpsim::wire
