#include "speaker/config/values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::config {

using namespace bgpsim::wire;

// --- Model helpers ----------------------------------------------------------

namespace {
const std::string* intern_file(std::string_view name) {
  static std::mutex mutex;
  static std::set<std::string, std::less<>> names;  // lives as long as the process
  std::lock_guard lock(mutex);
  auto it = names.find(name);
  if (it == names.end()) it = names.emplace(name).first;
  return &*it;
}
}  // namespace

Location::Location(std::string_view file, std::size_t line, std::size_t column)
    : file_(intern_file(file)),
      line_(static_cast<std::uint32_t>(line)),
      column_(static_cast<std::uint32_t>(column)) {}

std::string_view Location::file() const { return file_ ? std::string_view(*file_) : ""; }

std::string Location::to_string() const { return fmt::format("{}:{}:{}", file(), line_, column_); }

std::string RouteDistinguisher::to_string() const {
  switch (type) {
    case 1:
      return fmt::format("{}:{}", dotted_quad(static_cast<std::uint32_t>(value >> 16)),
                         value & 0xFFFF);
    case 2:
      return fmt::format("{}:{}", value >> 16, value & 0xFFFF);
    default:
      return fmt::format("{}:{}", value >> 32, value & 0xFFFFFFFF);
  }
}

SharedAttributes empty_attributes() {
  static const SharedAttributes empty = std::make_shared<const PathAttributes>();
  return empty;
}

SharedAttributes share(PathAttributes attributes) {
  return std::make_shared<const PathAttributes>(std::move(attributes));
}

const RouteExtras& StaticRoute::extra() const {
  static const RouteExtras none;
  return extras ? *extras : none;
}

wire::Nlri StaticRoute::route_nlri() const {
  wire::Nlri n;
  n.prefix = nlri.prefix;
  n.path_id = nlri.path_id;
  const wire::FamilyRow* row = wire::family_row(family);
  if (!row) return n;
  const auto& x = extra();
  if (row->rd && x.rd) n.rd = wire::RouteDistinguisher{x.rd->type, x.rd->value};
  if (row->labels) n.labels = wire::LabelStack::from_labels(x.labels);
  if (row->flow) n.flow = x.flow;
  if (row->raw) n.raw = x.raw;
  return n;
}

void StaticRoute::set_route_nlri(const wire::Nlri& n) {
  nlri = RoutePrefix{n.prefix, n.path_id};
  const wire::FamilyRow* row = wire::family_row(family);
  if (!row || (!row->rd && !row->labels && !row->flow && !row->raw)) return;
  RouteExtras x = extra();
  if (row->flow) x.flow = n.flow;
  if (row->raw) x.raw = n.raw;
  if (row->rd) x.rd = RouteDistinguisher{n.rd.type, n.rd.value};
  if (row->labels) {
    x.labels.clear();
    for (std::size_t i = 0; i < n.labels.count; ++i)
      x.labels.push_back(wire::LabelStack::label_of(n.labels.raw[i]));
  }
  extras = std::make_shared<const RouteExtras>(std::move(x));
}

bool StaticRoute::operator==(const StaticRoute& o) const {
  return nlri == o.nlri && family == o.family && next_hop_self == o.next_hop_self &&
         *attributes == *o.attributes && extra() == o.extra();
}

bool FlowRoute::operator==(const FlowRoute& o) const {
  return family == o.family && name == o.name && rd == o.rd && next_hop == o.next_hop &&
         match == o.match && then == o.then && scope == o.scope && *attributes == *o.attributes;
}

bool FamilyRoute::operator==(const FamilyRoute& o) const {
  return family == o.family && kind == o.kind && name == o.name && rd == o.rd &&
         next_hop_self == o.next_hop_self && extras == o.extras && fields == o.fields &&
         *attributes == *o.attributes;
}

std::vector<Family> Neighbor::negotiated_families() const {
  if (!families.empty()) return families;
  FamilySet set;
  set.insert(ipv4_unicast);
  for (const auto& r : routes) set.insert(r.family);
  return set.items();
}

std::optional<std::string> Neighbor::unsupported() const {
  for (const auto& r : routes) {
    if (!family_supported(r.family))
      return fmt::format("{}: route {} of family {} is not supported by the speaker yet",
                         r.where.to_string(), r.nlri.prefix.to_string(), r.family.to_string());
    if (r.extra().labels.size() > wire::LabelStack::capacity)
      return fmt::format("{}: route {} has {} labels, more than the {} the speaker sends",
                         r.where.to_string(), r.nlri.prefix.to_string(), r.extra().labels.size(),
                         wire::LabelStack::capacity);
  }
  // Flow and family routes of a family with a row are in `routes` too.
  for (const auto& r : family_routes)
    if (!family_supported(r.family))
      return fmt::format("{}: {} route of family {} is not supported by the speaker yet",
                         r.where.to_string(), r.kind, r.family.to_string());
  return std::nullopt;
}

// --- Values -----------------------------------------------------------------

namespace values {

std::optional<std::uint32_t> asn(std::string_view s) {
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return number<std::uint32_t>(s);
  auto high = number<std::uint16_t>(s.substr(0, dot));
  auto low = number<std::uint16_t>(s.substr(dot + 1));
  if (!high || !low) return std::nullopt;
  return (std::uint32_t{*high} << 16) | *low;
}

std::optional<std::uint32_t> id_value(std::string_view s) {
  if (s.find('.') != std::string_view::npos) {
    auto a = IpAddress::parse(s);
    if (!a || a->v6) return std::nullopt;
    return a->v4_u32();
  }
  return number<std::uint32_t>(s);
}

std::optional<std::uint32_t> community(std::string_view s) {
  static const std::pair<std::string_view, std::uint32_t> well_known[] = {
      {"no-export", 0xFFFFFF01},  {"no-advertise", 0xFFFFFF02}, {"no-export-subconfed", 0xFFFFFF03},
      {"nopeer", 0xFFFFFF04},     {"blackhole", 0xFFFF029A},    {"graceful-shutdown", 0xFFFF0000},
      {"llgr-stale", 0xFFFF0006}, {"no-llgr", 0xFFFF0007},
  };
  for (const auto& [name, value] : well_known)
    if (s == name) return value;
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return number<std::uint32_t>(s);
  auto high = number<std::uint16_t>(s.substr(0, colon));
  auto low = number<std::uint16_t>(s.substr(colon + 1));
  if (!high || !low) return std::nullopt;
  return (std::uint32_t{*high} << 16) | *low;
}

std::optional<LargeCommunity> large_community(std::string_view s) {
  LargeCommunity out{};
  for (int i = 0; i < 3; ++i) {
    auto colon = s.find(':');
    if ((i < 2) == (colon == std::string_view::npos)) return std::nullopt;
    auto v = number<std::uint32_t>(s.substr(0, colon));
    if (!v) return std::nullopt;
    out[i] = *v;
    s = colon == std::string_view::npos ? std::string_view{} : s.substr(colon + 1);
  }
  return out;
}

namespace {
bool starts(std::string_view& s, std::string_view p) {
  if (s.substr(0, p.size()) != p) return false;
  s.remove_prefix(p.size());
  return true;
}
}  // namespace

std::optional<std::uint64_t> extended_community(std::string_view s) {
  if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) {
    auto hex = s.substr(2);
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec != std::errc{} || end != hex.data() + hex.size() || hex.size() > 16) return std::nullopt;
    return v;
  }
  if (starts(s, "l2info:")) {  // RFC 4761 3.2.4: encaps:control-flags:mtu:site-preference
    std::uint64_t parts[4];
    for (int i = 0; i < 4; ++i) {
      auto colon = s.find(':');
      if ((i < 3) == (colon == std::string_view::npos)) return std::nullopt;
      auto v = number<std::uint16_t>(s.substr(0, colon));
      if (!v || (i < 2 && *v > 0xFF)) return std::nullopt;
      parts[i] = *v;
      s = colon == std::string_view::npos ? std::string_view{} : s.substr(colon + 1);
    }
    return (0x800Aull << 48) | (parts[0] << 40) | (parts[1] << 32) | (parts[2] << 16) | parts[3];
  }
  if (starts(s, "mup:")) {  // draft-ietf-bess-mup-safi: direct segment identifier
    auto colon = s.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto high = number<std::uint16_t>(s.substr(0, colon));
    auto low = number<std::uint32_t>(s.substr(colon + 1));
    if (!high || !low) return std::nullopt;
    return (0x0C00ull << 48) | (std::uint64_t{*high} << 32) | *low;
  }
  // RFC 4360 3.1-3.3 / RFC 5668: type 0x00 (2-byte AS : 4 bytes), 0x01 (IPv4
  // address : 2 bytes), 0x02 (4-byte AS : 2 bytes); subtype 0x02 route
  // target, 0x03 route origin. ExaBGP picks the type from the words, and we
  // pick as it does (its encoding/conf-extended-attributes.ci):
  //   target:IP:N        0x01            target:AS:IP   0x00 (the address as 4 bytes)
  //   target:AS:N        0x00 when AS fits 2 bytes, else 0x01 with AS as 4 bytes
  //   target:ASL:N       0x01 (the trailing L asks for 4 bytes)
  //   target4:AS:N       0x01, as ExaBGP writes it (RFC 5668's type is 0x02)
  //   target-as4:AS:N    0x02 (RFC 5668), as ExaBGP's later versions write it
  // and the same for origin. redirect (RFC 5575 7 / RFC 7674): 0x80, or 0x81 for
  // an address and 0x82 for a 4-byte AS.
  std::uint8_t subtype = 0x02;  // route target
  enum class Form { pick, four_octet_ip_type, four_octet_as_type } form = Form::pick;
  bool redirect = false;
  if (starts(s, "target-as4:")) {
    form = Form::four_octet_as_type;
  } else if (starts(s, "origin-as4:")) {
    form = Form::four_octet_as_type;
    subtype = 0x03;
  } else if (starts(s, "target4:")) {
    form = Form::four_octet_ip_type;
  } else if (starts(s, "origin4:")) {
    form = Form::four_octet_ip_type;
    subtype = 0x03;
  } else if (starts(s, "target:")) {
  } else if (starts(s, "origin:")) {
    subtype = 0x03;
  } else if (starts(s, "redirect:")) {
    redirect = true;
  }
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto global = s.substr(0, colon);
  auto local = s.substr(colon + 1);
  bool suffix_l = false;
  if (!global.empty() && global.back() == 'L') {  // ExaBGP: "120000L", a four-octet AS
    global.remove_suffix(1);
    suffix_l = true;
  }
  auto local_value = id_value(local);
  if (!local_value) return std::nullopt;
  const bool dotted = std::count(global.begin(), global.end(), '.') == 3;
  if (dotted && !suffix_l && form != Form::four_octet_as_type) {  // IPv4-address-specific
    auto ip = IpAddress::parse(global);
    if (!ip || ip->v6 || *local_value > 0xFFFF) return std::nullopt;
    const std::uint64_t type = redirect ? 0x8108 : (0x0100u | subtype);
    return (type << 48) | (std::uint64_t{ip->v4_u32()} << 16) | *local_value;
  }
  auto as = form != Form::pick || suffix_l ? asn(global) : number<std::uint32_t>(global);
  if (!as) return std::nullopt;
  if (form != Form::pick || suffix_l || *as > 0xFFFF) {  // the AS in 4 bytes, 2 after it
    if (*local_value > 0xFFFF) return std::nullopt;
    const bool as_type = form == Form::four_octet_as_type || redirect;
    const std::uint64_t type = redirect ? 0x8208 : ((as_type ? 0x0200u : 0x0100u) | subtype);
    return (type << 48) | (std::uint64_t{*as} << 16) | *local_value;
  }
  const std::uint64_t type = redirect ? 0x8008 : subtype;
  return (type << 48) | (std::uint64_t{*as} << 32) | *local_value;
}

std::optional<RouteDistinguisher> route_distinguisher(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto global = s.substr(0, colon);
  auto local = number<std::uint32_t>(s.substr(colon + 1));
  if (!local) return std::nullopt;
  if (global.find('.') != std::string_view::npos) {
    auto ip = IpAddress::parse(global);
    if (!ip || ip->v6 || *local > 0xFFFF) return std::nullopt;
    return RouteDistinguisher{1, (std::uint64_t{ip->v4_u32()} << 16) | *local};
  }
  auto as = number<std::uint32_t>(global);
  if (!as) return std::nullopt;
  if (*as > 0xFFFF) {
    if (*local > 0xFFFF) return std::nullopt;
    return RouteDistinguisher{2, (std::uint64_t{*as} << 16) | *local};
  }
  return RouteDistinguisher{0, (std::uint64_t{*as} << 32) | *local};
}

std::optional<IpPrefix> prefix(std::string_view s) { return IpPrefix::parse(s); }

std::string community_text(std::uint32_t c) { return fmt::format("{}:{}", c >> 16, c & 0xFFFF); }

std::string extended_community_text(std::uint64_t c) { return fmt::format("0x{:016x}", c); }

}  // namespace values

namespace values {

std::string attribute_words(const PathAttributes& a, const AttributeWordsStyle& style) {
  const char* byte_format = style.upper_hex ? "{:02X}" : "{:02x}";
  auto list = [&](const auto& v, auto&& one) {
    if (style.bare_single && v.size() == 1) return std::string(one(v[0]));
    std::string out = "[";
    for (const auto& x : v) out += " " + std::string(one(x));
    return out + " ]";
  };
  auto as_path = [&](const AsPath& p) {
    std::string out = "[", sets;  // sets: every AS_SET's ASNs, for set_after_sequence
    for (const auto& s : p.segments) {
      const bool set = s.type == AsPathSegment::as_set;
      if (set && style.set_after_sequence) {
        for (auto n : s.asns) sets += fmt::format(" {}", n);
        continue;
      }
      if (set) out += " (";
      for (auto n : s.asns) out += fmt::format(" {}", n);
      if (set) out += " )";
    }
    if (!sets.empty()) out += " (" + sets + " )";
    return out + " ]";
  };
  std::string out;
  if (a.origin)
    out += fmt::format(" origin {}", *a.origin == Origin::igp   ? "igp"
                                     : *a.origin == Origin::egp ? "egp"
                                                                : "incomplete");
  if (a.as_path && (style.empty_as_path || !a.as_path->segments.empty()))
    out += " as-path " + as_path(*a.as_path);
  if (a.next_hop && style.next_hop) out += " next-hop " + a.next_hop->to_string();
  if (a.med) out += fmt::format(" med {}", *a.med);
  if (a.local_pref) out += fmt::format(" local-preference {}", *a.local_pref);
  if (a.atomic_aggregate) out += " atomic-aggregate";
  if (a.aggregator)
    out +=
        fmt::format(" aggregator ( {}:{} )", a.aggregator->asn, a.aggregator->address.to_string());
  if (a.communities) {
    auto communities = *a.communities;
    if (style.sorted_communities) std::sort(communities.begin(), communities.end());
    out += " community " + list(communities, community_text);
  }
  if (a.originator_id) out += " originator-id " + dotted_quad(*a.originator_id);
  if (a.cluster_list) out += " cluster-list " + list(*a.cluster_list, dotted_quad);
  if (a.extended_communities)
    out += " extended-community " + list(*a.extended_communities, extended_community_text);
  if (a.aigp) out += fmt::format(" aigp {}", *a.aigp);
  if (a.large_communities)
    out += " large-community " + list(*a.large_communities, [](const LargeCommunity& c) {
             return fmt::format("{}:{}:{}", c[0], c[1], c[2]);
           });
  for (const auto& r : a.other) {
    out += fmt::format(" attribute [ 0x{} 0x{} 0x", fmt::format(fmt::runtime(byte_format), r.code),
                       fmt::format(fmt::runtime(byte_format), r.flags));
    for (auto b : r.value) out += fmt::format(fmt::runtime(byte_format), b);
    out += " ]";
  }
  return out;
}

}  // namespace values

}  // namespace bgpsim::config
