// BGP-LS, AFI 16388 "bgp-ls": SAFI 71 "bgp-ls" and SAFI 72 "bgp-ls-vpn"
// (RFC 9552), with the BGP-LS attribute (29) and RFC 9085's SR TLVs. JSON as
// ExaBGP renders them.
//
// NLRI (RFC 9552 5.2): NLRI type (2), total length (2), [RD (8) for SAFI 72,
// counted in the length], then for the node (1), link (2), IPv4 prefix (3)
// and IPv6 prefix (4) types: protocol-ID (1), identifier (8), and TLVs in
// ascending type order (5.1: otherwise malformed):
//   node   256 local node descriptors
//   link   256, 257 remote node descriptors, link descriptors 258-263
//   prefix 256, prefix descriptors 263 MT-ID, 264 OSPF route type, 265 IP reachability
// Node descriptors hold sub-TLVs 512 AS, 513 BGP-LS identifier, 514 OSPF
// area, 515 IGP router ID (6 or 7 bytes for IS-IS, 4 or 8 for OSPF), 516 BGP
// router ID and 517 member AS (RFC 9086). The route key is the whole NLRI:
// every field names the object (5.1), none is variable.
//
// A TLV or sub-TLV of a type we do not know is kept and shown as hex; a
// length that runs past its container, a known TLV of the wrong size, a
// missing mandatory TLV or TLVs out of order are errors naming the byte
// (8.2.2). Unknown NLRI types are kept ({"code", "parsed": false, "raw"}).
#include "speaker/wire/bgpls.hpp"

#include <bit>
#include <cstring>

#include "speaker/wire/family_raw.hpp"

namespace bgpsim::wire {

namespace {

using family_raw::Fields;
using family_raw::Json;

std::uint64_t be(ByteView b) {
  std::uint64_t v = 0;
  for (auto byte : b) v = (v << 8) | byte;
  return v;
}

std::string hex0x(ByteView b) { return "0x" + to_hex(b, true); }

IpAddress ip_of(ByteView b) {
  IpAddress a;
  a.v6 = b.size() == 16;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

// One TLV: type, value, and where its header starts (offsets as the caller's).
struct Tlv {
  std::uint16_t type = 0;
  ByteView value;
  std::size_t at = 0;
};

// The TLVs of `data` (type 2, length 2, value), whose first byte is at
// `base`; a Fault when a header or value runs past the end.
std::variant<std::vector<Tlv>, bgp_ls::Fault> split_tlvs(ByteView data, std::size_t base,
                                                         std::string_view what) {
  std::vector<Tlv> out;
  std::size_t i = 0;
  while (i < data.size()) {
    if (data.size() - i < 4)
      return bgp_ls::Fault{
          base + i, fmt::format("{} TLV header needs 4 bytes, {} left", what, data.size() - i)};
    const auto type = static_cast<std::uint16_t>(be(data.subspan(i, 2)));
    const auto length = static_cast<std::size_t>(be(data.subspan(i + 2, 2)));
    if (data.size() - i - 4 < length)
      return bgp_ls::Fault{base + i, fmt::format("{} TLV {} length {} runs past the end ({} left)",
                                                 what, type, length, data.size() - i - 4)};
    out.push_back(Tlv{type, data.subspan(i + 4, length), base + i});
    i += 4 + length;
  }
  return out;
}

// ---------------------------------------------------------------- NLRI

namespace tlv {
constexpr std::uint16_t local_node = 256, remote_node = 257, link_ids = 258, ipv4_interface = 259,
                        ipv4_neighbor = 260, ipv6_interface = 261, ipv6_neighbor = 262, mt_id = 263,
                        ospf_route_type = 264, ip_reachability = 265;
constexpr std::uint16_t as = 512, bgp_ls_id = 513, ospf_area = 514, igp_router_id = 515,
                        bgp_router_id = 516, member_as = 517;
}  // namespace tlv

enum Protocol : std::uint8_t { isis_l1 = 1, isis_l2 = 2, ospf_v2 = 3, ospf_v3 = 6 };

constexpr std::array<const char*, 5> nlri_names{"", "bgpls-node", "bgpls-link", "bgpls-prefix-v4",
                                                "bgpls-prefix-v6"};

struct LsRoute {
  std::uint16_t type = 0;
  RouteDistinguisher rd;
  bool has_rd = false;
  std::uint8_t protocol = 0;
  std::uint64_t identifier = 0;
  std::vector<Tlv> tlvs;  // views into the NLRI's bytes
  bool parsed() const { return type >= 1 && type <= 4; }
};

// The size a descriptor (sub-)TLV must have, 0 when it varies or is checked apart.
std::size_t fixed_size(std::uint16_t type) {
  switch (type) {
    case tlv::as:
    case tlv::bgp_ls_id:
    case tlv::ospf_area:
    case tlv::bgp_router_id:
    case tlv::member_as:
    case tlv::ipv4_interface:
    case tlv::ipv4_neighbor:
      return 4;
    case tlv::link_ids:
      return 8;
    case tlv::ipv6_interface:
    case tlv::ipv6_neighbor:
      return 16;
    case tlv::mt_id:
      return 2;
    case tlv::ospf_route_type:
      return 1;
    default:
      return 0;
  }
}

bool isis(std::uint8_t protocol) { return protocol == isis_l1 || protocol == isis_l2; }
bool ospf(std::uint8_t protocol) { return protocol == ospf_v2 || protocol == ospf_v3; }

// Checks a node descriptor TLV's sub-TLVs (RFC 9552 5.2.1.4: ascending, sizes).
void check_node_descriptors(Fields& f, const Tlv& t, std::uint8_t protocol) {
  auto subs = split_tlvs(t.value, t.at + 4, "node descriptor sub-");
  if (auto* fault = std::get_if<bgp_ls::Fault>(&subs)) return f.fail(fault->offset, fault->reason);
  std::uint16_t previous = 0;
  for (const Tlv& s : std::get<std::vector<Tlv>>(subs)) {
    if (s.type <= previous)
      return f.fail(s.at, fmt::format("node descriptor sub-TLV {} follows {} (RFC 9552 5.2.1.4: "
                                      "once each, in ascending order)",
                                      s.type, previous));
    previous = s.type;
    const std::size_t size = fixed_size(s.type);
    if (size && s.value.size() != size)
      return f.fail(s.at, fmt::format("node descriptor sub-TLV {} is {} bytes, not {}", s.type,
                                      s.value.size(), size));
    if (s.type == tlv::igp_router_id) {
      const auto n = s.value.size();
      if ((isis(protocol) && n != 6 && n != 7) || (ospf(protocol) && n != 4 && n != 8))
        return f.fail(s.at, fmt::format("IGP router ID of {} bytes for protocol {} (RFC 9552 "
                                        "5.2.1.4: IS-IS 6 or 7, OSPF 4 or 8)",
                                        n, protocol));
    }
  }
}

// The TLVs each NLRI type must hold (RFC 9552 5.2).
void check_mandatory(Fields& f, const LsRoute& route, std::size_t start) {
  auto has = [&](std::uint16_t type) {
    return std::any_of(route.tlvs.begin(), route.tlvs.end(),
                       [type](const Tlv& t) { return t.type == type; });
  };
  auto need = [&](std::uint16_t type, std::string_view name) {
    if (!has(type))
      f.fail(start, fmt::format("{} NLRI has no {} TLV ({})", nlri_names[route.type], name, type));
  };
  need(tlv::local_node, "local node descriptors");
  if (route.type == 2) need(tlv::remote_node, "remote node descriptors");
  if (route.type >= 3) need(tlv::ip_reachability, "IP reachability information");
}

// The IP reachability TLV (RFC 9552 5.2.3.2): a prefix length, then the
// prefix in as few bytes as hold it.
void check_reachability(Fields& f, const Tlv& t, std::uint16_t nlri_type) {
  const unsigned max_bits = nlri_type == 3 ? 32 : 128;
  const unsigned bits = t.value.empty() ? 0 : t.value[0];
  if (t.value.empty() || bits > max_bits || t.value.size() != 1 + (bits + 7) / 8)
    f.fail(t.at, fmt::format("IP reachability TLV of {} bytes with prefix length {} (at most {} "
                             "bits, 1 + (length + 7) / 8 bytes)",
                             t.value.size(), bits, max_bits));
}

template <bool Vpn>
struct Bgpls {
  using Route = LsRoute;
  static constexpr std::string_view what = "BGP-LS NLRI";

  static Route parse(Fields& f) {
    const std::size_t start = f.offset();
    Route route;
    route.type = static_cast<std::uint16_t>(f.number(2, "NLRI type"));
    const auto length = f.number(2, "NLRI length");
    f.enter(length, start);
    if (Vpn) {
      route.rd = f.rd();
      route.has_rd = true;
    }
    if (!route.parsed()) {
      f.bytes(f.remaining(), "NLRI");
      f.end("NLRI");
      return route;
    }
    route.protocol = static_cast<std::uint8_t>(f.number(1, "protocol-ID"));
    route.identifier = f.number(8, "identifier");
    const std::size_t tlvs_at = f.offset();
    auto tlvs = split_tlvs(f.bytes(f.remaining(), "TLVs"), tlvs_at, "NLRI");
    if (auto* fault = std::get_if<bgp_ls::Fault>(&tlvs)) {
      f.fail(fault->offset, fault->reason);
      return route;
    }
    route.tlvs = std::move(std::get<std::vector<Tlv>>(tlvs));
    std::uint16_t previous = 0;
    for (const Tlv& t : route.tlvs) {
      if (t.type < previous)
        f.fail(t.at, fmt::format("NLRI TLV {} follows {} (RFC 9552 5.1: ascending order)", t.type,
                                 previous));
      previous = t.type;
      const std::size_t size = fixed_size(t.type);
      if (size && t.value.size() != size)
        f.fail(t.at, fmt::format("NLRI TLV {} is {} bytes, not {}", t.type, t.value.size(), size));
      if (t.type == tlv::local_node || t.type == tlv::remote_node)
        check_node_descriptors(f, t, route.protocol);
      if (t.type == tlv::ip_reachability && route.type >= 3) check_reachability(f, t, route.type);
    }
    check_mandatory(f, route, start);
    f.end("NLRI");
    return route;
  }

  // RFC 9552 5.1: all the NLRI identifies the object.
  static Bytes key(const Route&, ByteView) { return {}; }

  static Json node_descriptors(const Tlv& t, std::uint8_t protocol) {
    Json list = Json::array();
    auto subs = split_tlvs(t.value, 0, "");
    for (const Tlv& s : std::get<std::vector<Tlv>>(subs)) {
      Json d = Json::object();
      switch (s.type) {
        case tlv::as:
          d["autonomous-system"] = be(s.value);
          break;
        case tlv::bgp_ls_id:
          d["bgp-ls-identifier"] = std::to_string(be(s.value));
          break;
        case tlv::ospf_area:
          d["ospf-area-id"] = ip_of(s.value).to_string();
          break;
        case tlv::igp_router_id:
          // ExaBGP: IS-IS system ID (with the pseudonode byte) in hex, OSPF
          // router ID dotted, then the DR or the pseudonode number if any.
          if (isis(protocol)) {
            d["router-id"] = to_hex(s.value, false);
            if (s.value.size() == 7 && s.value[6] != 0) d["psn"] = std::to_string(s.value[6]);
          } else if (s.value.size() == 4 || s.value.size() == 8) {
            d["router-id"] = ip_of(s.value.first(4)).to_string();
            if (s.value.size() == 8)
              d["designated-router-id"] = ip_of(s.value.subspan(4)).to_string();
          } else if (s.value.size() == 16) {
            d["router-id"] = ip_of(s.value).to_string();
          } else {
            d["router-id"] = hex0x(s.value);
          }
          break;
        case tlv::bgp_router_id:
          d["bgp-router-id"] = ip_of(s.value).to_string();
          break;
        case tlv::member_as:
          d["member-as"] = be(s.value);
          break;
        default:
          d[fmt::format("generic-sub-tlv-{}", s.type)] = hex0x(s.value);
      }
      list.push_back(std::move(d));
    }
    return list;
  }

  static std::string reachability(const Tlv& t, std::uint16_t nlri_type) {
    IpAddress a;
    a.v6 = nlri_type == 4;
    std::copy(t.value.begin() + 1, t.value.end(), a.bytes.begin());
    return a.to_string();
  }

  static void to_json(const Route& route, ByteView wire, Json& out) {
    if (!route.parsed()) {
      out["code"] = route.type;
      out["parsed"] = false;
      out["raw"] = to_hex(wire, true);
      if (route.has_rd) out["rd"] = route.rd.to_string();
      return;
    }
    out["ls-nlri-type"] = nlri_names[route.type];
    out["l3-routing-topology"] = route.identifier;
    out["protocol-id"] = route.protocol;
    Json interfaces = Json::array(), neighbors = Json::array(), topologies = Json::array(),
         links = Json::array();
    const bool prefix = route.type >= 3;
    for (const Tlv& t : route.tlvs) {
      switch (t.type) {
        case tlv::local_node:
          out[route.type == 2 ? "local-node-descriptors" : "node-descriptors"] =
              node_descriptors(t, route.protocol);
          break;
        case tlv::remote_node:
          out["remote-node-descriptors"] = node_descriptors(t, route.protocol);
          break;
        case tlv::link_ids:
          links.push_back({{"link-local-id", be(t.value.first(4))},
                           {"link-remote-id", be(t.value.subspan(4))}});
          break;
        case tlv::ipv4_interface:
        case tlv::ipv6_interface:
          interfaces.push_back(ip_of(t.value).to_string());
          break;
        case tlv::ipv4_neighbor:
        case tlv::ipv6_neighbor:
          neighbors.push_back(ip_of(t.value).to_string());
          break;
        case tlv::mt_id:
          topologies.push_back(be(t.value) & 0x0FFF);  // the top 4 bits are reserved
          break;
        case tlv::ospf_route_type:
          out["ospf-route-type"] = t.value[0];
          break;
        case tlv::ip_reachability:
          if (prefix) {
            out["ip-reachability-tlv"] = reachability(t, route.type);
            out["ip-reach-prefix"] = fmt::format("{}/{}", reachability(t, route.type), t.value[0]);
            break;
          }
          [[fallthrough]];
        default:
          out[fmt::format("generic-tlv-{}", t.type)] = hex0x(t.value);
      }
    }
    if (route.type == 2) {
      out["interface-addresses"] = std::move(interfaces);
      out["neighbor-addresses"] = std::move(neighbors);
      out["multi-topology-ids"] = std::move(topologies);
      out["link-identifiers"] = std::move(links);
    } else if (!topologies.empty()) {
      out["multi-topology-ids"] = std::move(topologies);
    }
    if (route.has_rd) out["rd"] = route.rd.to_string();
  }

  // ExaBGP's text of a BGP-LS NLRI: "bgp-ls:node:0x..." (the bytes after the header).
  static std::string to_text(const Route& route, ByteView wire) {
    static constexpr std::array<const char*, 5> names{"unknown", "node", "link", "prefix_v4",
                                                      "prefix_v6"};
    return fmt::format("bgp-ls:{}:{}", route.parsed() ? names[route.type] : names[0],
                       hex0x(wire.subspan(4)));
  }
};

// The next hop (RFC 4760 as RFC 9552 uses it) is an IPv4 or IPv6 address;
// for SAFI 72 preceded by a zero RD, as for the other VPN SAFIs (RFC 4364
// 4.3.2, RFC 4659 3.2.1).
constexpr NextHopForms next_hop{{4, 16}, {32, 32}, false};
constexpr NextHopForms vpn_next_hop{{12, 24}, {48, 48}, true};

// ---------------------------------------------------------------- attribute

using bgp_ls::Fault;

// ExaBGP's flag objects: one key per named bit, most significant first, and
// "RSV" for the reserved bits (1 when any is set).
Json flags_json(std::uint8_t byte, std::initializer_list<const char*> names) {
  Json out = Json::object();
  unsigned bit = 7;
  for (const char* name : names) out[name] = (byte >> bit--) & 1u;
  const auto reserved = static_cast<std::uint8_t>(byte & ((1u << (bit + 1)) - 1));
  out["RSV"] = reserved ? 1 : 0;
  return out;
}

float ieee_float(ByteView b) { return std::bit_cast<float>(static_cast<std::uint32_t>(be(b))); }

// A SID, label or index as RFC 9085 2.1.1.1 sizes it: 3 bytes (a label in
// the low 20 bits) or 4 (an index or a 32-bit SID).
std::uint64_t sid_of(ByteView b) { return b.size() == 3 ? be(b) & 0xFFFFF : be(b); }

// The SIDs after a TLV's fixed part, by the V and L flags (RFC 9085 2.2.1,
// 2.3.1): a 3-byte label when both are set, a 4-byte index when neither is;
// otherwise ExaBGP leaves them undecoded (hex).
void sids_json(ByteView rest, bool v, bool l, Json& sids, Json& undecoded) {
  const std::size_t size = v && l ? 3 : !v && !l ? 4 : 0;
  if (size == 0 || rest.size() % size != 0) {
    if (!rest.empty()) undecoded.push_back(to_hex(rest, true));
    return;
  }
  for (std::size_t i = 0; i < rest.size(); i += size) sids.push_back(sid_of(rest.subspan(i, size)));
}

struct AttributeTlv {
  std::uint16_t type;
  std::size_t min, max;  // the sizes the TLV may have (max 0: any above min)
};

// The TLVs we name, with their sizes (RFC 9552 5.3, RFC 9085 2).
constexpr std::array attribute_tlvs{
    AttributeTlv{1024, 1, 1},   AttributeTlv{1026, 0, 255}, AttributeTlv{1028, 4, 4},
    AttributeTlv{1029, 16, 16}, AttributeTlv{1030, 4, 4},   AttributeTlv{1031, 16, 16},
    AttributeTlv{1034, 2, 0},   AttributeTlv{1035, 0, 0},   AttributeTlv{1088, 4, 4},
    AttributeTlv{1089, 4, 4},   AttributeTlv{1090, 4, 4},   AttributeTlv{1091, 32, 32},
    AttributeTlv{1092, 4, 4},   AttributeTlv{1095, 1, 3},   AttributeTlv{1096, 0, 0},
    AttributeTlv{1098, 0, 0},   AttributeTlv{1099, 4, 0},   AttributeTlv{1152, 1, 1},
    AttributeTlv{1153, 0, 0},   AttributeTlv{1154, 0, 0},   AttributeTlv{1155, 4, 4},
    AttributeTlv{1156, 4, 16},  AttributeTlv{1158, 4, 0},
};

// Multiples a list TLV's length must be of.
std::size_t list_unit(std::uint16_t type) {
  switch (type) {
    case 1096:
    case 1153:
      return 4;
    case 1154:
      return 8;
    default:
      return 1;
  }
}

std::optional<Fault> check_attribute_tlv(const Tlv& t) {
  const auto* spec = std::find_if(attribute_tlvs.begin(), attribute_tlvs.end(),
                                  [&](const AttributeTlv& a) { return a.type == t.type; });
  if (spec == attribute_tlvs.end()) return std::nullopt;
  const std::size_t n = t.value.size();
  if (n < spec->min || (spec->max && n > spec->max) || n % list_unit(t.type) != 0 ||
      (t.type == 1156 && n != 4 && n != 16))
    return Fault{t.at, fmt::format("BGP-LS attribute TLV {} of {} bytes", t.type, n)};
  if (t.type == 1034) {
    // SRGB entries: range (3), then a SID/Label sub-TLV (1161) of 3 or 4 bytes.
    std::size_t i = 2;
    while (i < n) {
      if (n - i < 7 || be(t.value.subspan(i + 3, 2)) != 1161)
        return Fault{t.at + 4 + i, "SR capabilities entry needs a range and a SID/Label sub-TLV"};
      const auto l = static_cast<std::size_t>(be(t.value.subspan(i + 5, 2)));
      if ((l != 3 && l != 4) || n - i - 7 < l)
        return Fault{t.at + 4 + i, fmt::format("SID/Label sub-TLV of {} bytes", l)};
      i += 7 + l;
    }
  }
  return std::nullopt;
}

void attribute_tlv_json(const Tlv& t, Json& out, Json& local_te) {
  const ByteView v = t.value;
  switch (t.type) {
    case 1024:
      out["node-flags"] = flags_json(v[0], {"O", "T", "E", "B", "R", "V"});
      break;
    case 1026:
      out["node-name"] = std::string(v.begin(), v.end());
      break;
    case 1028:
    case 1029:
      local_te.push_back(ip_of(v).to_string());
      break;
    case 1030:
    case 1031:
      out["remote-te-router-id"] = ip_of(v).to_string();
      break;
    case 1034: {
      out["sr-capability-flags"] = flags_json(v[0], {"I", "V"});
      Json sids = Json::array();
      for (std::size_t i = 2; i < v.size();) {
        const auto l = static_cast<std::size_t>(be(v.subspan(i + 5, 2)));
        sids.push_back({be(v.subspan(i, 3)), sid_of(v.subspan(i + 7, l))});
        i += 7 + l;
      }
      out["sids"] = std::move(sids);
      break;
    }
    case 1035: {
      Json algorithms = Json::array();
      for (auto a : v) algorithms.push_back(a);
      if (algorithms.empty()) algorithms.push_back(0);  // ExaBGP: none said is SPF
      out["sr-algorithms"] = std::move(algorithms);
      break;
    }
    case 1088:
      out["admin-group-mask"] = be(v);
      break;
    case 1089:
      out["maximum-link-bandwidth"] = ieee_float(v);
      break;
    case 1090:
      out["maximum-reservable-link-bandwidth"] = ieee_float(v);
      break;
    case 1091: {
      Json list = Json::array();
      for (std::size_t i = 0; i < 32; i += 4) list.push_back(ieee_float(v.subspan(i, 4)));
      out["unreserved-bandwidth"] = std::move(list);
      break;
    }
    case 1092:
      out["te-metric"] = be(v);
      break;
    case 1095:
      out["igp-metric"] = be(v);
      break;
    case 1096:
    case 1153:
    case 1154: {
      Json list = Json::array();
      const std::size_t unit = list_unit(t.type);
      for (std::size_t i = 0; i < v.size(); i += unit) list.push_back(be(v.subspan(i, unit)));
      out[t.type == 1096   ? "shared-risk-link-groups"
          : t.type == 1153 ? "igp-route-tags"
                           : "igp-extended-route-tags"] = std::move(list);
      break;
    }
    case 1098:
      out["link-name"] = std::string(v.begin(), v.end());
      break;
    case 1099: {
      // RFC 9085 2.2.1: flags, weight, reserved (2), SID/label/index.
      const Json flags = flags_json(v[0], {"F", "B", "V", "L", "S", "P"});
      Json sids = Json::array(), undecoded = Json::array();
      sids_json(v.subspan(4), flags["V"] == 1, flags["L"] == 1, sids, undecoded);
      out["sr-adj"] = {{"flags", flags},
                       {"sids", std::move(sids)},
                       {"weight", v[1]},
                       {"undecoded-sids", std::move(undecoded)}};
      break;
    }
    case 1152:
      out["igp-flags"] = flags_json(v[0], {"D", "N", "L", "P"});
      break;
    case 1155:
      out["prefix-metric"] = be(v);
      break;
    case 1156:
      out["ospf-forwarding-address"] = ip_of(v).to_string();
      break;
    case 1158: {
      // RFC 9085 2.3.1: flags, algorithm, reserved (2), SID/index/label.
      const Json flags = flags_json(v[0], {"R", "N", "P", "E", "V", "L"});
      Json sids = Json::array(), undecoded = Json::array();
      sids_json(v.subspan(4), flags["V"] == 1, flags["L"] == 1, sids, undecoded);
      out["sr-prefix-flags"] = flags;
      out["sids"] = std::move(sids);
      out["undecoded-sids"] = std::move(undecoded);
      out["sr-algorithm"] = v[1];
      break;
    }
    default: {
      // ExaBGP's generic form keeps every instance in one list.
      Json& list = out[fmt::format("generic-lsid-{}", t.type)];
      if (!list.is_array()) list = Json::array();
      list.push_back(hex0x(v));
    }
  }
}

}  // namespace

namespace bgp_ls {

std::optional<Fault> attribute_fault(ByteView value) {
  auto tlvs = split_tlvs(value, 0, "BGP-LS attribute");
  if (auto* fault = std::get_if<Fault>(&tlvs)) return *fault;
  for (const Tlv& t : std::get<std::vector<Tlv>>(tlvs))
    if (auto fault = check_attribute_tlv(t)) return fault;
  return std::nullopt;
}

std::variant<Json, Fault> attribute_json(ByteView value) {
  if (auto fault = attribute_fault(value)) return *fault;
  auto tlvs = split_tlvs(value, 0, "BGP-LS attribute");
  Json out = Json::object();
  Json local_te = Json::array();
  for (const Tlv& t : std::get<std::vector<Tlv>>(tlvs)) attribute_tlv_json(t, out, local_te);
  if (!local_te.empty()) out["local-te-router-ids"] = std::move(local_te);
  return out;
}

}  // namespace bgp_ls

const FamilyRow bgp_ls_row = family_raw::RawCoder<Bgpls<false>>::row(
    Family(Afi::bgp_ls, Safi::bgp_ls), "bgp-ls bgp-ls", next_hop);
const FamilyRow bgp_ls_vpn_row = family_raw::RawCoder<Bgpls<true>>::row(
    Family(Afi::bgp_ls, Safi::bgp_ls_vpn), "bgp-ls bgp-ls-vpn", vpn_next_hop);

}  // namespace bgpsim::wire
