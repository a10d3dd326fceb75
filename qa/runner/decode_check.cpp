#include "qa/runner/decode_check.hpp"

#include <fstream>
#include <regex>
#include <sstream>

#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::qa {

using namespace bgpsim::wire;

namespace {

std::set<std::string> families_in(const nlohmann::json& expected) {
  std::set<std::string> out;
  const auto& neighbor = expected.value("neighbor", nlohmann::json::object());
  const auto& update =
      neighbor.value("message", nlohmann::json::object()).value("update", nlohmann::json::object());
  for (const char* key : {"announce", "withdraw"})
    if (update.contains(key))
      for (const auto& [family, _] : update[key].items()) out.insert(family);
  return out;
}

nlohmann::json normalised(nlohmann::json j) {
  for (const char* key : {"time", "host", "pid", "ppid", "counter"}) j.erase(key);
  if (j.contains("exabgp")) j["exabgp"] = "";
  return j;
}

JsonEnvelope envelope_of(const nlohmann::json& expected) {
  JsonEnvelope env;
  const auto& n = expected.value("neighbor", nlohmann::json::object());
  if (n.contains("address")) {
    env.local_address = n["address"].value("local", env.local_address);
    env.peer_address = n["address"].value("peer", env.peer_address);
  }
  if (n.contains("asn")) {
    env.local_as = n["asn"].value("local", 0u);
    env.peer_as = n["asn"].value("peer", 0u);
  }
  if (n.contains("router-id"))
    if (auto id = IpAddress::parse(n["router-id"].get<std::string>())) env.router_id = id->v4_u32();
  env.direction = n.value("direction", env.direction);
  return env;
}

}  // namespace

std::set<std::string> decodable_families() {
  std::set<std::string> out;
  for (Family f : supported_families()) out.insert(f.to_string());
  return out;
}

PairOutcome check_raw_json_pair(const RawJsonPair& pair, const DecodeContext& ctx) {
  PairOutcome out;
  nlohmann::json expected;
  try {
    expected = nlohmann::json::parse(pair.json);
  } catch (const nlohmann::json::exception& e) {
    out.detail = std::string("expected JSON does not parse: ") + e.what();
    return out;
  }
  out.families = families_in(expected);
  const auto ours = decodable_families();
  for (const auto& f : out.families)
    if (!ours.count(f)) out.kind = PairOutcome::other_family;
  if (out.kind == PairOutcome::other_family) return out;

  auto bytes = parse_hex(pair.raw);
  if (!bytes) {
    out.detail = "raw line is not hexadecimal";
    return out;
  }
  auto message = decode_message(*bytes, ctx);
  if (!message) {
    out.detail = "decode error at byte " + std::to_string(message.error().offset) + ": " +
                 message.error().reason;
    return out;
  }
  auto actual = nlohmann::json::parse(to_json(*message, ctx, envelope_of(expected)).dump());
  if (normalised(actual) == normalised(expected)) {
    out.kind = PairOutcome::pass;
  } else {
    out.detail =
        "expected " + normalised(expected).dump() + "\n  actual   " + normalised(actual).dump();
  }
  return out;
}

DecodeContext context_from_exabgp_config(const std::filesystem::path& config) {
  DecodeContext ctx;
  // ExaBGP keeps an unknown attribute with the Optional bit clear, where RFC
  // 4271 6.3 resets the session (encoding/conf-generic-attribute.ci relies on it).
  ctx.keep_unknown_well_known = true;
  std::ifstream in(config);
  std::stringstream text;
  text << in.rdbuf();
  const std::string conf = text.str();
  if (conf.find("asn4 disable") != std::string::npos) ctx.four_octet_asn = false;
  if (conf.find("extended-message enable") != std::string::npos) ctx.extended_message = true;
  // RFC 8950 extended next hop: families named in a `nexthop { AFI SAFI NH-AFI; }` block.
  static const std::regex nexthop_block(R"(nexthop\s*\{([^}]*)\})");
  static const std::regex nexthop_entry(R"((ipv4|ipv6)\s+([a-z-]+)\s+(ipv4|ipv6)\s*;)");
  std::smatch nh;
  if (std::regex_search(conf, nh, nexthop_block)) {
    const std::string entries = nh[1].str();
    for (std::sregex_iterator it(entries.begin(), entries.end(), nexthop_entry), end; it != end;
         ++it)
      if (auto f = Family::parse((*it)[1].str() + " " + (*it)[2].str()))
        ctx.extended_next_hop.insert(*f);
  }
  static const std::regex add_path_capability(R"(add-path\s+(send|receive|send/receive)\s*;)");
  if (!std::regex_search(conf, add_path_capability)) return ctx;
  // Families named in an `add-path { ... }` block, or every family if none.
  static const std::regex block(R"(add-path\s*\{([^}]*)\})");
  static const std::regex family_name(R"((ipv4|ipv6|l2vpn)\s+([a-z-]+))");
  std::smatch m;
  const std::string families = std::regex_search(conf, m, block) ? m[1].str() : "";
  bool any = false;
  for (std::sregex_iterator it(families.begin(), families.end(), family_name), end; it != end;
       ++it) {
    if (auto f = Family::parse((*it)[1].str() + " " + (*it)[2].str())) {
      ctx.add_path.insert(*f);
      any = true;
    }
  }
  if (!any)
    for (Family f : supported_families()) ctx.add_path.insert(f);
  return ctx;
}

}  // namespace bgpsim::qa
