// Path attributes as ExaBGP 5/6 renders them in its "json" encoder
// (exabgp/bgp/message/update/attribute/*.py, attributes.py _generate_json):
// keys in ascending type-code order, one renderer per attribute table row.
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "speaker/wire/attribute_table.hpp"
#include "speaker/wire/bgpls.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/tunnel_encap.hpp"

namespace bgpsim::wire {

namespace {

// ---------------------------------------------------------------- AS paths

// ExaBGP names every confederation segment "as-sequence" too (its
// CONFED_SEQUENCE and CONFED_SET classes say so); we keep its output.
const char* element_name(std::uint8_t type) {
  return type == AsPathSegment::as_set ? "as-set" : "as-sequence";
}

Json as_path_json(const AsPath& path) {
  Json j = Json::object();
  for (std::size_t i = 0; i < path.segments.size(); ++i)
    j[std::to_string(i)] = {{"element", element_name(path.segments[i].type)},
                            {"value", path.segments[i].asns}};
  return j;
}

// ExaBGP's text form of a path, "( 1 2 ) [ 3 ]", used when it has no JSON
// name for the attribute (AS4_PATH on its own).
std::string as_path_text(const AsPath& path) {
  static constexpr std::array<std::pair<const char*, const char*>, 5> brackets{
      {{"", ""}, {"[", "]"}, {"(", ")"}, {"{(", ")}"}, {"{[", "]}"}}};
  std::string out;
  for (const auto& s : path.segments) {
    const auto& [head, tail] = brackets[s.type < brackets.size() ? s.type : 0];
    if (!out.empty()) out += ' ';
    out += fmt::format("{} {} {}", head, fmt::join(s.asns, " "), tail);
  }
  return out;
}

// ExaBGP merges AS4_PATH into AS_PATH when both are present (RFC 6793 4.2.3,
// as its Attributes.merge_attributes does it: ASNs of sequences and of sets
// counted apart, the trailing ones of AS_PATH replaced by AS4_PATH's).
AsPath merge_as4_path(const AsPath& as2, const AsPath& as4) {
  auto flatten = [](const AsPath& p, bool sets) {
    std::vector<std::uint32_t> out;
    for (const auto& s : p.segments) {
      const bool is_set = s.type == AsPathSegment::as_set || s.type == AsPathSegment::confed_set;
      if (is_set == sets) out.insert(out.end(), s.asns.begin(), s.asns.end());
    }
    return out;
  };
  auto merge = [](std::vector<std::uint32_t> two, const std::vector<std::uint32_t>& four,
                  bool shorter_takes_four) {
    if (two.size() < four.size()) return shorter_takes_four ? four : two;
    two.resize(two.size() - four.size());
    two.insert(two.end(), four.begin(), four.end());
    return two;
  };
  AsPath out;
  auto sequence = merge(flatten(as2, false), flatten(as4, false), false);
  auto set = merge(flatten(as2, true), flatten(as4, true), true);
  if (!sequence.empty()) out.segments.push_back({AsPathSegment::as_sequence, std::move(sequence)});
  if (!set.empty()) out.segments.push_back({AsPathSegment::as_set, std::move(set)});
  return out;
}

// ExaBGP drops an empty AS_PATH (iBGP) when decoding, so renders none.
bool non_empty_as_path(const PathAttributes& a) {
  return a.as_path && !a.as_path->segments.empty();
}

std::string generic_key(std::uint8_t code, std::uint8_t flags) {
  return fmt::format("attribute-0x{:02X}-0x{:02X}", code, flags);
}

std::string aggregator_text(const Aggregator& a) {
  return std::to_string(a.asn) + ":" + a.address.to_string();
}

// ------------------------------------------------------ extended communities

// One extended community as eight octets, with the readers its forms need.
struct Ext {
  std::uint64_t v;
  std::uint8_t u8(int at) const { return static_cast<std::uint8_t>(v >> (56 - 8 * at)); }
  std::uint16_t u16(int at) const { return static_cast<std::uint16_t>(v >> (48 - 8 * at)); }
  std::uint32_t u32(int at) const { return static_cast<std::uint32_t>(v >> (32 - 8 * at)); }
  std::string ip(int at) const { return dotted_quad(u32(at)); }
  float f32(int at) const {
    const std::uint32_t bits = u32(at);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
};

// Python's '%d' % rate: the float truncated toward zero.
std::string integral(float f) {
  if (!std::isfinite(f) || std::fabs(f) >= 9.0e18f) return fmt::format("{:.0f}", f);
  return std::to_string(static_cast<long long>(f));
}

std::string global_admin(const Ext& e, std::string_view what) {
  switch (e.u8(0) & 0x0F) {
    case 0:
      return fmt::format("{}:{}:{}", what, e.u16(2), e.u32(4));
    case 1:
      return fmt::format("{}:{}:{}", what, e.ip(2), e.u16(6));
    default:
      return fmt::format("{}:{}:{}", what, e.u32(2), e.u16(6));
  }
}

std::string ext_target(const Ext& e) { return global_admin(e, "target"); }
std::string ext_rtrecord(const Ext& e) { return global_admin(e, "rtrecord"); }
std::string ext_redirect(const Ext& e) { return global_admin(e, "redirect"); }
std::string ext_origin(const Ext& e) {
  // ExaBGP prints the two-octet-AS form as AS:IP (its OriginASNIP class).
  if ((e.u8(0) & 0x0F) == 0) return fmt::format("origin:{}:{}", e.u16(2), e.ip(4));
  return global_admin(e, "origin");
}
std::string ext_bandwidth(const Ext& e) {
  // The spelling is ExaBGP's.
  return fmt::format("bandwith:{}:{:.0f}", e.u16(2), static_cast<double>(e.f32(4)));
}
std::string ext_rate(const Ext& e) { return "rate-limit:" + integral(e.f32(4)); }
std::string ext_rate_packets(const Ext& e) {
  return "rate-limit:" + integral(e.f32(4)) + ":packets";
}
std::string ext_action(const Ext& e) {
  std::string s = "action ";
  const bool sample = e.u8(7) & 0x02;
  const bool terminal = e.u8(7) & 0x01;
  if (sample) s += "sample";
  if (sample && terminal) s += '-';
  if (terminal) s += "terminal";
  return s;
}
std::string ext_mark(const Ext& e) { return fmt::format("mark {}", e.u8(7)); }
std::string ext_l2info(const Ext& e) {
  return fmt::format("l2info:{}:{}:{}:{}", e.u8(2), e.u8(3), e.u16(4), e.u16(6));
}
std::string ext_nexthop_ietf(const Ext& e) {
  if (e.u16(6) & 0x01) return "copy-to-nexthop-ietf " + e.ip(2) + " (with copy)";
  return "redirect-to-nexthop-ietf " + e.ip(2);
}
std::string ext_nexthop_simpson(const Ext& e) {
  return e.u8(7) & 0x01 ? "copy-to-nexthop" : "redirect-to-nexthop";
}
std::string ext_encapsulation(const Ext& e) {
  static constexpr std::array<std::pair<std::uint16_t, const char*>, 9> names{{
      {0, "Default"},
      {1, "L2TPv3"},
      {2, "GRE"},
      {7, "IP-in-IP"},
      {8, "VXLAN"},
      {9, "NVGRE"},
      {10, "MPLS"},
      {12, "VXLAN-GPE"},
      {13, "MPLS-in-UDP"},
  }};
  const std::uint16_t tunnel = e.u16(6);
  for (const auto& [type, name] : names)
    if (type == tunnel) return std::string("encap:") + name;
  return fmt::format("encap:encap:UNKNOWN-{}", tunnel);  // sic, as ExaBGP prints it
}
std::string ext_chso(const Ext& e) { return fmt::format("consistentHashSortOrder:{}", e.u32(2)); }
std::string ext_mac_mobility(const Ext& e) {
  return fmt::format("mac-mobility:{}{}", e.u32(4), e.u8(2) == 1 ? ":sticky" : "");
}
std::string ext_interface_set(const Ext& e) {
  static constexpr std::array<const char*, 4> directions{"0", "input", "output", "input-output"};
  const std::uint16_t word = e.u16(6);
  // ExaBGP keeps 13 bits of the 14-bit interface index.
  return fmt::format("interface-set:{}:{}:{}", directions[word >> 14], e.u32(2), word & 0x1FFF);
}
std::string ext_mup(const Ext& e) { return fmt::format("mup:{}:{}", e.u16(2), e.u32(4)); }

// One row per form ExaBGP names, keyed as ExaBGP keys them: the low four bits
// of the type (so IANA and transitive bits do not matter) and the sub-type.
struct ExtForm {
  std::uint8_t low_type;
  std::uint8_t subtype;
  std::string (*text)(const Ext&);
  bool says_transitive;  // ExaBGP adds "transitive" for these
};
constexpr std::array<ExtForm, 25> ext_forms{{
    {0x0, 0x02, ext_target, false},
    {0x1, 0x02, ext_target, false},
    {0x2, 0x02, ext_target, false},
    {0x0, 0x03, ext_origin, false},
    {0x1, 0x03, ext_origin, false},
    {0x2, 0x03, ext_origin, false},
    {0x0, 0x04, ext_bandwidth, false},
    {0x0, 0x06, ext_rate, false},
    {0x0, 0x07, ext_action, false},
    {0x0, 0x08, ext_redirect, false},
    // Not decoded by ExaBGP (its JSON string would be empty); named here in
    // the form of its AS2 and AS4 siblings (RFC 7674 IPv4 redirect).
    {0x1, 0x08, ext_redirect, false},
    {0x2, 0x08, ext_redirect, false},
    {0x0, 0x09, ext_mark, false},
    {0x0, 0x0A, ext_l2info, false},
    {0x0, 0x0C, ext_rate_packets, false},
    {0x1, 0x0C, ext_nexthop_ietf, false},
    {0x3, 0x0C, ext_encapsulation, false},
    {0x0, 0x13, ext_rtrecord, false},
    {0x1, 0x13, ext_rtrecord, false},
    {0x2, 0x13, ext_rtrecord, false},
    {0x3, 0x14, ext_chso, false},
    {0x6, 0x00, ext_mac_mobility, false},
    {0x7, 0x02, ext_interface_set, true},
    {0x8, 0x00, ext_nexthop_simpson, false},
    {0xC, 0x00, ext_mup, false},
}};

const ExtForm* find_ext_form(const Ext& e) {
  const std::uint8_t low = e.u8(0) & 0x0F;
  const std::uint8_t sub = e.u8(1);
  for (const auto& form : ext_forms)
    if (form.low_type == low && form.subtype == sub) return &form;
  return nullptr;
}

Json extended_community_json(std::uint64_t value) {
  const Ext e{value};
  const ExtForm* form = find_ext_form(e);
  // ExaBGP's JSON string is empty for a type it does not name; "value" still
  // carries all eight octets.
  Json j = {{"value", value}, {"string", extended_community_text(value)}};
  if (form && form->says_transitive) j["transitive"] = (e.u8(0) & 0x40) == 0;
  return j;
}

// ------------------------------- IPv6 address specific extended communities (25)

// RFC 5701: 20 bytes each, type, sub-type, an IPv6 address and 2 bytes. ExaBGP
// shows them as "extended-community-ipv6" with "value" the 160-bit number,
// which JSON readers take as the nearest double, so it is rendered as one.
// Sub-type 0x0C is the IPv6 redirect-to-nexthop (RFC 8956's flowspec action
// as ExaBGP names it). nullopt when the length is not a multiple of 20.
std::optional<Json> ipv6_extended_communities_json(const Bytes& value) {
  if (value.empty() || value.size() % 20 != 0) return std::nullopt;
  Json list = Json::array();
  for (std::size_t at = 0; at < value.size(); at += 20) {
    // The decimal digits of the 160-bit number, by long division.
    std::array<std::uint8_t, 20> n{};
    std::copy(value.begin() + static_cast<std::ptrdiff_t>(at),
              value.begin() + static_cast<std::ptrdiff_t>(at + 20), n.begin());
    std::string digits;
    for (bool zero = false; !zero;) {
      unsigned rest = 0;
      zero = true;
      for (auto& byte : n) {
        const unsigned cur = (rest << 8) | byte;
        byte = static_cast<std::uint8_t>(cur / 10);
        rest = cur % 10;
        if (byte) zero = false;
      }
      digits.insert(digits.begin(), static_cast<char>('0' + rest));
    }
    IpAddress address;
    address.v6 = true;
    std::copy(value.begin() + static_cast<std::ptrdiff_t>(at + 2),
              value.begin() + static_cast<std::ptrdiff_t>(at + 18), address.bytes.begin());
    std::string text;
    if ((value[at] & 0x3F) == 0x00 && value[at + 1] == 0x0C)
      text = (value[at + 19] & 0x01 ? "copy-to-nexthop-ietf " : "redirect-to-nexthop-ietf ") +
             address.to_string();
    list.push_back({{"value", std::strtod(digits.c_str(), nullptr)}, {"string", text}});
  }
  return list;
}

// ---------------------------------------------------- BGP Prefix-SID (40)

// RFC 9252 2: an SRv6 L3 (type 5) or L2 (type 6) Service TLV's value: a
// reserved byte, then SRv6 SID Information sub-TLVs (type 1, RFC 9252 3.1:
// reserved, SID (16), flags, endpoint behavior (2), reserved, sub-sub-TLVs),
// whose SID Structure sub-sub-TLV (type 1, RFC 9252 3.2.1: six one-byte
// lengths) ExaBGP names "structure". nullopt for any other sub-TLV or
// sub-sub-TLV, or a malformed one.
std::optional<Json> srv6_services_json(Reader tlv) {
  Json list = Json::array();
  if (!tlv.u8()) return std::nullopt;  // reserved
  while (!tlv.empty()) {
    const auto type = tlv.u8();
    const auto length = tlv.u16();
    if (!type || !length || *type != 1) return std::nullopt;
    auto info = tlv.sub(*length);
    if (!info || !info->u8()) return std::nullopt;
    auto sid = info->take(16);
    const auto flags = info->u8();
    const auto behavior = info->u16();
    if (!sid || !flags || !behavior || !info->u8()) return std::nullopt;
    IpAddress address;
    address.v6 = true;
    std::copy(sid->begin(), sid->end(), address.bytes.begin());
    Json one = Json::object();
    one["sid"] = address.to_string();
    one["flags"] = *flags;
    one["endpoint_behavior"] = *behavior;
    while (!info->empty()) {
      const auto sub_type = info->u8();
      const auto sub_length = info->u16();
      if (!sub_type || !sub_length || *sub_type != 1 || *sub_length != 6) return std::nullopt;
      auto lengths = info->take(6);
      if (!lengths) return std::nullopt;
      static constexpr std::array<const char*, 6> names{
          "locator-block-length", "locator-node-length",  "function-length",
          "argument-length",      "transposition-length", "transposition-offset"};
      Json structure = Json::object();
      for (std::size_t i = 0; i < names.size(); ++i) structure[names[i]] = (*lengths)[i];
      one["structure"] = std::move(structure);
    }
    list.push_back(std::move(one));
  }
  return list;
}

// RFC 8669 3 (ExaBGP's "bgp-prefix-sid"), carried opaque: the Label-Index TLV
// (type 1, length 7: reserved, flags, label index) as "sr-label-index", the
// Originator SRGB TLV (type 3: flags, then 3-byte base and range pairs) as
// "sr-srgbs", and RFC 9252's SRv6 L3/L2 Service TLVs (types 5, 6) as
// "l3-service"/"l2-service". nullopt for any other TLV or a malformed one:
// the attribute is then shown as bytes.
std::optional<Json> prefix_sid_json(const Bytes& value) {
  Json out = Json::object();
  Reader r(value);
  auto u24 = [](Reader& in) -> std::optional<std::uint32_t> {
    auto b = in.take(3);
    if (!b) return std::nullopt;
    return (std::uint32_t{(*b)[0]} << 16) | (std::uint32_t{(*b)[1]} << 8) | (*b)[2];
  };
  while (!r.empty()) {
    const auto type = r.u8();
    const auto length = r.u16();
    if (!type || !length) return std::nullopt;
    auto tlv = r.sub(*length);
    if (!tlv) return std::nullopt;
    if (*type == 1 && *length == 7) {
      tlv->take(3);
      out["sr-label-index"] = *tlv->u32();
    } else if (*type == 3 && *length >= 2 && (*length - 2) % 6 == 0) {
      tlv->take(2);
      Json srgbs = Json::array();
      while (!tlv->empty()) {
        auto base = u24(*tlv);
        auto range = u24(*tlv);
        srgbs.push_back({*base, *range});
      }
      out["sr-srgbs"] = std::move(srgbs);
    } else if ((*type == 5 || *type == 6) && *length >= 1) {
      auto services = srv6_services_json(*tlv);
      if (!services) return std::nullopt;
      out[*type == 5 ? "l3-service" : "l2-service"] = std::move(*services);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// ------------------------------------------------------ PMSI Tunnel (22)

// RFC 6514 5: flags (1), tunnel type (1), MPLS label (3), tunnel identifier.
// ExaBGP shows it as one string, "pmsi:TYPE:FLAGS:LABEL:TUNNEL": the type's
// name without spaces in lower case, the label as "label(raw entry)" (just
// the label for type 0), the identifier as an IPv4 address for ingress
// replication (type 6) and in hex otherwise. nullopt when shorter than 5 bytes.
std::optional<std::string> pmsi_tunnel_text(const Bytes& value) {
  static constexpr std::array<const char*, 8> names{
      "notunnel",   "rsvp-tep2mplsp", "mldpp2mplsp",        "pim-ssmtree",
      "pim-smtree", "bidir-pimtree",  "ingressreplication", "mldpmp2mplsp"};
  if (value.size() < 5) return std::nullopt;
  const std::uint8_t flags = value[0], type = value[1];
  const std::uint32_t raw =
      (std::uint32_t{value[2]} << 16) | (std::uint32_t{value[3]} << 8) | value[4];
  const ByteView tunnel = ByteView(value).subspan(5);
  std::string label = std::to_string(raw >> 4);
  if (type != 0 && raw != 0) label += fmt::format("({})", raw);
  std::string id;
  if (type == 6 && tunnel.size() == 4)
    id = dotted_quad((std::uint32_t{tunnel[0]} << 24) | (std::uint32_t{tunnel[1]} << 16) |
                     (std::uint32_t{tunnel[2]} << 8) | tunnel[3]);
  else if (!tunnel.empty())
    id = "0x" + to_hex(tunnel, true);
  return fmt::format("pmsi:{}:{}:{}:{}", type < names.size() ? names[type] : "unknown", flags,
                     label, id);
}

// The BGP-LS attribute (29) as ExaBGP's "bgp-ls" object; nullopt when
// malformed (the decoder discarded it then: it stays only in a hand-built value).
std::optional<Json> bgp_ls_json(const Bytes& value) {
  auto ls = bgp_ls::attribute_json(value);
  if (auto* j = std::get_if<Json>(&ls)) return std::move(*j);
  return std::nullopt;
}

}  // namespace

namespace attr_table {

void render_origin(const PathAttributes& a, const DecodeContext&, Json& out) {
  static constexpr std::array<const char*, 3> names{"igp", "egp", "incomplete"};
  const auto v = static_cast<std::size_t>(*a.origin);
  out["origin"] = v < names.size() ? names[v] : std::to_string(v);
}

void render_as_path(const PathAttributes& a, const DecodeContext& ctx, Json& out) {
  if (!non_empty_as_path(a)) return;
  // RFC 6793 4.2.3: AS4_PATH completes the AS_PATH of an OLD speaker; from a
  // NEW speaker (4-octet ASNs negotiated) it is ignored (RFC 6793 6), and the
  // decoder does not keep it.
  const bool merge = a.as4_path && !ctx.four_octet_asn;
  out["as-path"] = as_path_json(merge ? merge_as4_path(*a.as_path, *a.as4_path) : *a.as_path);
}

void render_med(const PathAttributes& a, const DecodeContext&, Json& out) { out["med"] = *a.med; }

void render_local_pref(const PathAttributes& a, const DecodeContext&, Json& out) {
  out["local-preference"] = *a.local_pref;
}

void render_atomic_aggregate(const PathAttributes&, const DecodeContext&, Json& out) {
  out["atomic-aggregate"] = true;
}

void render_aggregator(const PathAttributes& a, const DecodeContext&, Json& out) {
  out["aggregator"] = aggregator_text(*a.aggregator);
}

void render_communities(const PathAttributes& a, const DecodeContext&, Json& out) {
  Json list = Json::array();
  for (auto c : *a.communities) list.push_back({c >> 16, c & 0xFFFF});
  out["community"] = std::move(list);
}

void render_originator_id(const PathAttributes& a, const DecodeContext&, Json& out) {
  out["originator-id"] = dotted_quad(*a.originator_id);
}

void render_cluster_list(const PathAttributes& a, const DecodeContext&, Json& out) {
  Json list = Json::array();
  for (auto c : *a.cluster_list) list.push_back(dotted_quad(c));
  out["cluster-list"] = std::move(list);
}

void render_extended_communities(const PathAttributes& a, const DecodeContext&, Json& out) {
  Json list = Json::array();
  for (auto c : *a.extended_communities) list.push_back(extended_community_json(c));
  out["extended-community"] = std::move(list);
}

void render_as4_path(const PathAttributes& a, const DecodeContext&, Json& out) {
  // Merged into "as-path" when AS_PATH is there; otherwise ExaBGP has no name
  // for it and prints its generic form with the standard flags.
  if (non_empty_as_path(a)) return;
  out[generic_key(attr::as4_path, attr::flag::optional | attr::flag::transitive)] =
      as_path_text(*a.as4_path);
}

void render_as4_aggregator(const PathAttributes& a, const DecodeContext&, Json& out) {
  // ExaBGP names AS4_AGGREGATOR "aggregator" too, so it replaces AGGREGATOR's
  // value, as the later of two equal keys does when ExaBGP's text is parsed.
  out["aggregator"] = aggregator_text(*a.as4_aggregator);
}

void render_aigp(const PathAttributes& a, const DecodeContext&, Json& out) {
  // ExaBGP prints a bare 0x... here, which is not JSON; the number is.
  out["aigp"] = *a.aigp;
}

void render_large_communities(const PathAttributes& a, const DecodeContext&, Json& out) {
  Json list = Json::array();
  for (const auto& c : *a.large_communities) list.push_back({c[0], c[1], c[2]});
  out["large-community"] = std::move(list);
}

}  // namespace attr_table

std::string extended_community_text(std::uint64_t value) {
  const Ext e{value};
  const ExtForm* form = find_ext_form(e);
  return form ? form->text(e) : std::string();
}

void attributes_to_json(const PathAttributes& a, const DecodeContext& ctx, Json& out) {
  auto other = a.other.begin();
  auto render_other_below = [&](unsigned code) {
    for (; other != a.other.end() && other->code < code; ++other)
      if (auto sid = other->code == 40 ? prefix_sid_json(other->value) : std::nullopt)
        out["bgp-prefix-sid"] = std::move(*sid);
      else if (auto pmsi = other->code == 22 ? pmsi_tunnel_text(other->value) : std::nullopt)
        out["pmsi"] = std::move(*pmsi);
      else if (auto v6 =
                   other->code == 25 ? ipv6_extended_communities_json(other->value) : std::nullopt)
        out["extended-community-ipv6"] = std::move(*v6);
      else if (auto ls =
                   other->code == bgp_ls::attribute_code ? bgp_ls_json(other->value) : std::nullopt)
        out["bgp-ls"] = std::move(*ls);
      else if (auto tunnel = other->code == tunnel_encap::attribute_code
                                 ? tunnel_encap::attribute_json(other->value)
                                 : std::nullopt)
        out["tunnel-encap"] = std::move(*tunnel);
      else
        out[generic_key(other->code, other->flags)] = "0x" + to_hex(other->value, false);
  };
  for (const auto& row : attr_table::rows()) {
    if (!row.present(a)) continue;
    render_other_below(row.code);
    if (row.render) row.render(a, ctx, out);
  }
  render_other_below(256);
}

}  // namespace bgpsim::wire
