// The message-level JSON: ExaBGP's envelope and the UPDATE body (announce,
// withdraw, End-of-RIB). Attribute, OPEN and NOTIFICATION bodies are rendered
// next to their codecs (attributes_json.cpp, open_json.cpp).
#include "speaker/wire/json.hpp"

#include <algorithm>
#include <array>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::wire {

namespace {

// The family's row renders each NLRI as ExaBGP does.
Json nlri_to_json(const FamilyRow& row, const Nlri& n) {
  Json j = Json::object();
  row.to_json(n, j);
  return j;
}

// ExaBGP keys announced routes by next hop; a field of another shape
// (another family's) is shown in hex, and an empty one (flowspec, RFC 8955
// 4) as ExaBGP's NoNextHop.
std::string next_hop_key(Family family, const Bytes& field) {
  if (auto a = next_hop_address(family, field)) return a->to_string();
  return field.empty() ? "no-nexthop" : "0x" + to_hex(field);
}

// A family without a row has no decoded NLRI (its bytes are rendered
// opaque), so only its name is needed.
Json& family_list(Json& parent, Family family) {
  const FamilyRow* row = family_row(family);
  return parent[row ? std::string(row->name) : family.to_string()];
}

void add_nlri(Json& list, Family family, const std::vector<Nlri>& nlri) {
  if (list.is_null()) list = Json::array();
  if (nlri.empty()) return;
  const FamilyRow& row = *family_row(family);  // decoded NLRI: the family has a row
  for (const auto& n : nlri) list.push_back(nlri_to_json(row, n));
}

void add_announce(Json& announce, Family family, const std::string& next_hop,
                  const std::vector<Nlri>& nlri) {
  add_nlri(family_list(announce, family)[next_hop], family, nlri);
}

void add_withdraw(Json& withdraw, Family family, const std::vector<Nlri>& nlri) {
  add_nlri(family_list(withdraw, family), family, nlri);
}

Json opaque_to_json(const Bytes& b) { return Json{{"raw", "0x" + to_hex(b)}}; }

}  // namespace

Json update_to_json(const Update& u, const DecodeContext& ctx) {
  if (auto family = u.end_of_rib())
    return Json{{"eor", {{"afi", family->afi_name()}, {"safi", family->safi_name()}}}};

  const auto& a = u.attributes;
  const bool withdraw_all = u.treat_as_withdraw();
  Json attribute = Json::object();
  attributes_to_json(a, ctx, attribute);
  if (a.next_hop && u.nlri.empty() && !a.mp_reach) {
    // ExaBGP shows NEXT_HOP as the key of the routes it announces; an UPDATE
    // that announces none shows it among the attributes, in type-code order
    // (after ORIGIN and AS_PATH). ExaBGP's api-vpnv4.ci expects this of a
    // withdrawal in MP_UNREACH_NLRI; conf-vpn.ci and extended-nexthop.ci
    // expect no such key when MP_REACH_NLRI announces.
    Json ordered = Json::object();
    for (const char* key : {"origin", "as-path"})
      if (attribute.contains(key)) ordered[key] = attribute[key];
    ordered["next-hop"] = a.next_hop->to_string();
    for (auto& [key, value] : attribute.items())
      if (!ordered.contains(key)) ordered[key] = std::move(value);
    attribute = std::move(ordered);
  }

  Json announce = Json::object();
  Json withdraw = Json::object();
  const Family v4 = ipv4_unicast;  // the UPDATE's own fields (RFC 4271 4.3)
  if (!u.withdrawn.empty()) add_withdraw(withdraw, v4, u.withdrawn);
  if (a.mp_unreach) {
    const Family family = a.mp_unreach->family;
    if (!a.mp_unreach->opaque_nlri.empty())
      withdraw[family.to_string()] = opaque_to_json(a.mp_unreach->opaque_nlri);
    else
      add_withdraw(withdraw, family, a.mp_unreach->nlri);
  }
  // RFC 7606 2: under treat-as-withdraw the announced routes are withdrawn.
  if (!u.nlri.empty()) {
    if (withdraw_all)
      add_withdraw(withdraw, v4, u.nlri);
    else
      add_announce(announce, v4, a.next_hop ? a.next_hop->to_string() : "null", u.nlri);
  }
  if (a.mp_reach) {
    const Family family = a.mp_reach->family;
    if (!a.mp_reach->opaque_nlri.empty())
      announce[family.to_string()][next_hop_key(family, a.mp_reach->next_hop)] =
          opaque_to_json(a.mp_reach->opaque_nlri);
    else if (withdraw_all)
      add_withdraw(withdraw, family, a.mp_reach->nlri);
    else
      add_announce(announce, family, next_hop_key(family, a.mp_reach->next_hop), a.mp_reach->nlri);
  }

  Json body = Json::object();
  if (!attribute.empty() && !withdraw_all) body["attribute"] = std::move(attribute);
  if (!announce.empty()) body["announce"] = std::move(announce);
  if (!withdraw.empty()) body["withdraw"] = std::move(withdraw);
  if (!u.attribute_errors.empty()) body["errors"] = attribute_errors_to_json(u.attribute_errors);
  return Json{{"update", std::move(body)}};
}

// Not in ExaBGP: what RFC 7606 made of a malformed attribute, so nothing is
// silently dropped.
Json attribute_errors_to_json(const std::vector<AttributeError>& attribute_errors) {
  Json errors = Json::array();
  for (const auto& e : attribute_errors)
    errors.push_back({{"attribute", e.type_code},
                      {"action", std::string(to_string(e.action))},
                      {"offset", e.error.offset},
                      {"reason", e.error.reason}});
  return errors;
}

Json envelope_to_json(const JsonEnvelope& env) {
  Json neighbor;
  neighbor["address"] = {{"local", env.local_address}, {"peer", env.peer_address}};
  neighbor["asn"] = {{"local", env.local_as}, {"peer", env.peer_as}};
  if (env.router_id) neighbor["router-id"] = dotted_quad(*env.router_id);
  neighbor["direction"] = env.direction;
  return neighbor;
}

Json to_json(const Message& m, const DecodeContext& ctx, const JsonEnvelope& env) {
  Json j;
  j["exabgp"] = exabgp_json_version;
  Json neighbor = envelope_to_json(env);
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, Update>) {
          j["type"] = "update";
          neighbor["message"] = update_to_json(msg, ctx);
        } else if constexpr (std::is_same_v<T, Open>) {
          j["type"] = "open";
          neighbor["open"] = open_to_json(msg);
        } else if constexpr (std::is_same_v<T, Notification>) {
          j["type"] = "notification";
          neighbor["notification"] = notification_to_json(msg);
        } else if constexpr (std::is_same_v<T, Keepalive>) {
          j["type"] = "keepalive";
        } else if constexpr (std::is_same_v<T, RouteRefresh>) {
          j["type"] = "refresh";
          neighbor["route-refresh"] = route_refresh_to_json(msg);
        }
      },
      m);
  j["neighbor"] = std::move(neighbor);
  return j;
}

std::string exabgp_hex(ByteView bytes) { return "0x" + to_hex(bytes, true); }

std::string_view exabgp_type_name(std::uint8_t type) {
  static constexpr std::array<std::string_view, 7> names = {
      "nop", "open", "update", "notification", "keepalive", "route refresh", "operational"};
  return type < names.size() ? names[type] : "unknown";
}

ByteView header_of(ByteView raw) { return raw.first(std::min(raw.size(), header_size)); }
ByteView body_of(ByteView raw) { return raw.subspan(header_of(raw).size()); }

Json packets_to_json(ByteView raw, const JsonEnvelope& env) {
  const std::uint8_t type = raw.size() >= header_size ? raw[header_size - 1] : 0;
  Json j;
  j["exabgp"] = exabgp_json_version;
  j["type"] = std::string(exabgp_type_name(type));
  Json neighbor = envelope_to_json(env);
  neighbor["message"] = {{"category", type},
                         {"header", exabgp_hex(header_of(raw))},
                         {"body", exabgp_hex(body_of(raw))}};
  j["neighbor"] = std::move(neighbor);
  return j;
}

Json with_header_body(const Json& parsed, ByteView raw) {
  Json j;
  for (const auto& [key, value] : parsed.items()) {
    if (key == "neighbor") {
      j["header"] = exabgp_hex(header_of(raw));
      if (!body_of(raw).empty()) j["body"] = exabgp_hex(body_of(raw));
    }
    j[key] = value;
  }
  return j;
}

Json error_to_json(const DecodeError& e) {
  Json notification;
  notification["code"] = e.code;
  notification["subcode"] = e.subcode;
  notification["name"] = std::string(notify_code_name(e.code));
  notification["subname"] = std::string(notify_subcode_name(e.code, e.subcode));
  notification["data"] = to_hex(e.data);
  return Json{
      {"error",
       {{"offset", e.offset}, {"reason", e.reason}, {"notification", std::move(notification)}}}};
}

std::string exabgp_text(const Json& j) {
  std::string out;
  auto write = [&out](const auto& self, const Json& v) -> void {
    if (v.is_object()) {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        out += first ? " " : ", ";
        first = false;
        out += Json(key).dump();
        out += ": ";
        self(self, value);
      }
      out += " }";
    } else if (v.is_array()) {
      out += '[';
      bool first = true;
      for (const auto& value : v) {
        out += first ? " " : ", ";
        first = false;
        self(self, value);
      }
      out += " ]";
    } else {
      out += v.dump();
    }
  };
  write(write, j);
  return out;
}

}  // namespace bgpsim::wire
