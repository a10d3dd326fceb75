#include "speaker/api/commands.hpp"

#include <fmt/format.h>

#include <regex>
#include <set>

#include "speaker/config/values.hpp"
#include "speaker/rib/adj_rib_in.hpp"
#include "speaker/wire/family_row.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/nlri.hpp"

namespace bgpsim::api {

using wire::IpAddress;

Encoder encoder_of(const config::Process& p) {
  return p.encoder == "json" ? Encoder::json : Encoder::text;
}

namespace {

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

bool is_selector_key(std::string_view k) {
  return k == "local-ip" || k == "local-as" || k == "peer-as" || k == "router-id" ||
         k == "family-allowed";
}

}  // namespace

std::string SplitCommand::rest_after(std::size_t word) const {
  return join(words, word, words.size());
}

std::variant<SplitCommand, std::string> split_command(std::string_view line) {
  SplitCommand out;
  auto words = split_words(line);
  std::size_t i = 0;
  // ExaBGP (command/limit.py): `neighbor IP` then KEY VALUE pairs; a ','
  // (alone or ending a value) starts the next neighbor's selector.
  while (i < words.size() && words[i] == "neighbor") {
    if (i + 1 >= words.size()) return std::string("'neighbor' needs an address or '*'");
    Selector s;
    bool next = false;
    auto take = [&](const std::string& key, std::string value) {
      if (!value.empty() && value.back() == ',') {
        value.pop_back();
        next = true;
      }
      s.push_back(SelectorTerm{key, std::move(value)});
    };
    take("neighbor", words[i + 1]);
    i += 2;
    while (!next && i < words.size()) {
      if (words[i] == ",") {
        next = true;
        ++i;
        break;
      }
      if (!is_selector_key(words[i])) break;
      if (i + 1 >= words.size()) return "selector '" + words[i] + "' needs a value";
      take(words[i], words[i + 1]);
      i += 2;
    }
    if (next && i < words.size() && words[i] == ",") ++i;
    out.selectors.push_back(std::move(s));
    if (next && (i >= words.size() || words[i] != "neighbor"))
      return std::string("',' must be followed by another 'neighbor IP'");
  }
  out.words.assign(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
  return out;
}

NeighborView view_of(const config::Neighbor& n) {
  NeighborView v;
  v.address = n.peer_address.to_string();
  v.local_address = n.local_address ? n.local_address->to_string() : "";
  v.local_as = n.local_as;
  v.peer_as = n.peer_as;
  v.router_id = n.router_id.value_or(0);
  v.families = n.families;
  v.api = n.api;
  return v;
}

std::string family_allowed(const NeighborView& n) {
  if (n.families.empty()) return "in-open";
  std::string out;
  for (auto f : n.families) {
    if (!out.empty()) out += '/';
    out += f.afi_name() + "-" + f.safi_name();
  }
  return out;
}

bool matches(const Selector& selector, const NeighborView& n) {
  auto same_address = [](const std::string& written, const std::string& ours) {
    auto ip = IpAddress::parse(written);
    return ip && ip->to_string() == ours;
  };
  for (const auto& t : selector) {
    bool ok = false;
    if (t.key == "neighbor")
      ok = t.value == "*" || same_address(t.value, n.address);
    else if (t.key == "local-ip")
      ok = same_address(t.value, n.local_address);
    else if (t.key == "local-as")
      ok = config::values::asn(t.value) == n.local_as;
    else if (t.key == "peer-as")
      ok = config::values::asn(t.value) == n.peer_as;
    else if (t.key == "router-id")
      ok = config::values::id_value(t.value) == n.router_id;
    else if (t.key == "family-allowed")
      ok = t.value == family_allowed(n);
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> bound_processes(const config::ApiBinding& binding,
                                         const std::vector<config::Process>& processes) {
  std::vector<std::string> out = binding.processes;
  for (const auto& pattern : binding.processes_match) {
    std::regex re;
    try {
      re = std::regex(pattern);
    } catch (const std::regex_error&) {
      continue;  // the configuration check reports it
    }
    for (const auto& p : processes)
      if (std::regex_search(p.name, re) && std::find(out.begin(), out.end(), p.name) == out.end())
        out.push_back(p.name);
  }
  return out;
}

std::variant<config::Neighbor, std::string> created_neighbor(std::span<const std::string> words) {
  if (words.empty()) return std::string("'create neighbor' needs an address");
  config::Neighbor n;
  auto peer = IpAddress::parse(words[0]);
  if (!peer) return "'" + words[0] + "' is not an IP address";
  n.peer_address = *peer;
  std::set<std::string> seen;
  for (std::size_t i = 1; i < words.size(); i += 2) {
    std::string key = words[i] == "local-ip" ? "local-address" : words[i];
    if (i + 1 >= words.size()) return "'" + key + "' needs a value";
    const std::string& value = words[i + 1];
    if (key != "api" && !seen.insert(key).second) return "'" + key + "' given twice";
    auto bad = [&] { return "'" + value + "' is not a valid " + key; };
    if (key == "local-address") {
      n.local_address = IpAddress::parse(value);
      if (!n.local_address) return bad();
    } else if (key == "local-as" || key == "peer-as") {
      auto as = config::values::asn(value);
      if (!as) return bad();
      (key == "local-as" ? n.local_as : n.peer_as) = *as;
    } else if (key == "router-id") {
      n.router_id = config::values::id_value(value);
      if (!n.router_id) return bad();
    } else if (key == "family-allowed") {
      if (value == "in-open") continue;  // negotiated from the OPENs: the default set
      std::size_t from = 0;
      while (from <= value.size()) {
        const std::size_t to = std::min(value.find('/', from), value.size());
        std::string f = value.substr(from, to - from);
        if (auto dash = f.find('-'); dash != std::string::npos) f[dash] = ' ';
        auto family = wire::Family::parse(f);
        if (!family) return "'" + value.substr(from, to - from) + "' is not a family";
        n.families.push_back(*family);
        from = to + 1;
      }
    } else if (key == "graceful-restart") {
      auto s = config::values::number<std::uint16_t>(value);
      if (!s) return bad();
      if (*s != 0) n.capabilities.graceful_restart_s = *s;
    } else if (key == "group-updates") {
      if (value != "true" && value != "false") return bad();
      n.group_updates = value == "true";
    } else if (key == "api") {
      if (n.api.empty()) n.api.emplace_back();
      n.api.front().processes.push_back(value);
    } else {
      return "unknown word '" + words[i] +
             "' (expected local-address, local-as, peer-as, "
             "router-id, family-allowed, graceful-restart, group-updates or api)";
    }
  }
  for (const char* required : {"local-address", "local-as", "peer-as"})
    if (!seen.count(required)) return std::string("'create neighbor' needs ") + required;
  return n;
}

// --- Route commands -----------------------------------------------------------

std::variant<FlowWords, std::string> split_flow_words(std::span<const std::string> words) {
  enum class Part : std::uint8_t { route, match, scope, then };
  auto part_of = [](std::string_view w) -> std::optional<Part> {
    if (w == "rd" || w == "route-distinguisher" || w == "next-hop") return Part::route;
    if (w == "source" || w == "destination") return Part::match;
    for (auto name : wire::flow_component_names())
      if (w == name) return Part::match;
    if (w == "interface-set") return Part::scope;
    if (w == "community" || w == "extended-community" || w == "large-community") return Part::then;
    for (auto name : wire::flow_action_names())
      if (w == name) return Part::then;
    return std::nullopt;
  };
  FlowWords out;
  bool matched = false;
  for (std::size_t i = 0; i < words.size();) {
    const std::string& key = words[i];
    const auto part = part_of(key);
    if (!part)
      return "'" + key +
             "' is not a flow match component, action, rd or next-hop (a flow route's words)";
    // The values: the words up to the next keyword, a [ list ] whole.
    std::string statement = key;
    int depth = 0;
    std::size_t values = 0;
    for (++i; i < words.size() && (depth > 0 || !part_of(words[i])); ++i, ++values) {
      for (char c : words[i]) depth += c == '[' ? 1 : c == ']' ? -1 : 0;
      statement += ' ' + words[i];
    }
    if (depth > 0) return "'" + key + "': a '[' without its ']'";
    if (values == 0 && (*part == Part::route || *part == Part::match || *part == Part::scope))
      return "'" + key + "' needs a value";
    statement += ';';
    auto& into = *part == Part::route   ? out.route
                 : *part == Part::match ? out.match
                 : *part == Part::scope ? out.scope
                                        : out.then;
    into.push_back(std::move(statement));
    matched = matched || *part == Part::match;
  }
  if (!matched)
    return std::string("a flow route needs a match component (source, destination, ...)");
  return out;
}

std::string flow_block(const FlowWords& f) {
  std::string out = "flow { route { ";
  auto part = [&](const char* name, const std::vector<std::string>& statements) {
    if (statements.empty()) return;
    out += std::string(name) + " { ";
    for (const auto& s : statements) out += s + ' ';
    out += "} ";
  };
  for (const auto& s : f.route) out += s + ' ';
  part("match", f.match);
  part("scope", f.scope);
  part("then", f.then);
  return out + "} }";
}

namespace {

// Whether the flow route's words make an IPv6 route, as the configuration's
// flow block decides it (an IPv6 prefix or an IPv6-only component).
bool flow_words_v6(const FlowWords& f) {
  for (const auto& s : f.match) {
    const auto space = s.find(' ');
    const std::string_view key = std::string_view(s).substr(0, space);
    if (key == "next-header" || key == "traffic-class" || key == "flow-label" ||
        key.ends_with("-ipv6"))
      return true;
    if ((key.starts_with("source") || key.starts_with("destination")) &&
        s.find(':') != std::string::npos)
      return true;
  }
  return false;
}

// `ipv4|ipv6 flow|flow-vpn WORDS` (ExaBGP's announce form, the family given)
// or the one-line `flow route WORDS` (`family` empty) -> the flow block.
Statements flat_flow(std::span<const std::string> words, std::optional<wire::Family> family) {
  auto split = split_flow_words(words);
  if (auto* error = std::get_if<std::string>(&split)) return {{}, *error};
  const auto& f = std::get<FlowWords>(split);
  if (family) {
    const bool v6 = family->afi == static_cast<std::uint16_t>(wire::Afi::ipv6);
    if (v6 != flow_words_v6(f))
      return {{},
              family->to_string() + ": the match makes an " + (v6 ? "IPv4" : "IPv6") +
                  " route (an IPv6 route names an IPv6 prefix, next-header, traffic-class or "
                  "flow-label)"};
    const bool vpn = family->safi == static_cast<std::uint8_t>(wire::Safi::flow_vpn);
    const bool rd = std::any_of(f.route.begin(), f.route.end(), [](const std::string& s) {
      return s.starts_with("rd ") || s.starts_with("route-distinguisher ");
    });
    if (vpn && !rd) return {{}, family->to_string() + " needs an rd"};
  }
  return {flow_block(f), {}};
}

}  // namespace

Statements route_statements(const std::vector<std::string>& words) {
  if (words.empty()) return {{}, "expected route, attributes, ipv4, ipv6, vpls or flow"};
  const std::string& kind = words[0];
  const std::string rest = join(words, 1, words.size());
  // One statement each: a ';' or a brace would let a command say more.
  if (kind != "flow" && rest.find_first_of(";{}") != std::string::npos)
    return {{}, "'" + kind + "' takes no ';', '{' or '}'"};
  if (kind == "route") {
    if (words.size() < 2) return {{}, "route needs a prefix"};
    return {"route " + rest + ";", {}};
  }
  if (kind == "attribute" || kind == "attributes") {
    std::size_t nlri = 1;
    while (nlri < words.size() && words[nlri] != "nlri") ++nlri;
    if (nlri == words.size()) return {{}, kind + " needs 'nlri PREFIX...'"};
    if (nlri + 1 == words.size()) return {{}, "'nlri' needs at least one prefix"};
    const std::string attributes = join(words, 1, nlri);
    std::string text;
    for (std::size_t i = nlri + 1; i < words.size(); ++i)
      text += "route " + words[i] + (attributes.empty() ? "" : " " + attributes) + ";\n";
    return {text, {}};
  }
  if (kind == "ipv4" || kind == "ipv6") {
    if (words.size() < 3) return {{}, kind + " needs a SAFI and the route"};
    if (words[1] == "flow" || words[1] == "flow-vpn")
      return flat_flow(std::span(words).subspan(2), wire::Family::parse(words[0] + " " + words[1]));
    return {"announce { " + kind + " { " + rest + "; } }", {}};
  }
  if (kind == "vpls" || (kind == "l2vpn" && words.size() > 1 && words[1] == "vpls")) {
    const std::string body = kind == "vpls" ? rest : join(words, 2, words.size());
    return {"l2vpn { vpls " + body + "; }", {}};
  }
  if (kind == "flow") {
    if (words.size() < 2 || words[1] != "route")
      return {{}, "expected 'flow route { ... }' or 'flow route WORDS'"};
    if (words.size() > 2 && words[2].starts_with("{")) return {"flow { " + rest + " }", {}};
    return flat_flow(std::span(words).subspan(2), std::nullopt);
  }
  return {{}, "unknown route kind '" + kind + "'"};
}

// --- Answers --------------------------------------------------------------------

std::string answer_done(Encoder e) {
  // ExaBGP's Answer.json_done, as exabgp_api.py reads it.
  return e == Encoder::json ? R"({ "answer": "done", "message": "command completed" })" : "done";
}

std::string answer_error(Encoder e, std::string_view reason) {
  if (e == Encoder::text) return "error";
  wire::Json j;
  j["answer"] = "error";
  j["message"] = std::string(reason);
  return wire::exabgp_text(j);
}

// --- Text events ----------------------------------------------------------------

std::string text_up(const std::string& peer) { return "neighbor " + peer + " up"; }

std::string text_down(const std::string& peer, const std::string& reason) {
  return "neighbor " + peer + " down - " + reason;
}

std::string text_attributes(const wire::PathAttributes& a) {
  // ExaBGP's text encoder: routes keyed by next hop elsewhere, an empty
  // AS_PATH (iBGP, our own routes) left out as its scripts expect ("... origin
  // igp local-preference 100"), lists of one without brackets.
  config::values::AttributeWordsStyle style;
  style.next_hop = false;
  style.empty_as_path = false;
  style.bare_single = true;
  style.sorted_communities = true;
  style.set_after_sequence = true;
  style.upper_hex = true;
  return config::values::attribute_words(a, style);
}

namespace {
// ExaBGP's Text._header_body.
std::string text_header_body(wire::ByteView raw) {
  if (raw.empty()) return {};
  std::string out = " header " + wire::exabgp_hex(wire::header_of(raw));
  if (!wire::body_of(raw).empty()) out += " body " + wire::exabgp_hex(wire::body_of(raw));
  return out;
}
std::string text_head(const std::string& peer, bool sent) {
  return "neighbor " + peer + (sent ? " send" : " receive");
}
}  // namespace

std::string text_packets(const std::string& peer, wire::ByteView raw, bool sent) {
  const unsigned type = raw.size() >= wire::header_size ? raw[wire::header_size - 1] : 0;
  return fmt::format("{} {}{}", text_head(peer, sent), type, text_header_body(raw));
}

std::vector<std::string> text_message(const std::string& peer, const wire::Message& m,
                                      const wire::DecodeContext& ctx, bool sent,
                                      wire::ByteView raw) {
  (void)ctx;
  const std::string head = text_head(peer, sent);
  std::vector<std::string> out;
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, wire::Keepalive>) {
          out.push_back(head + " keepalive");
        } else if constexpr (std::is_same_v<T, wire::Notification>) {
          // ExaBGP's hexstring: 0x and upper-case digits, "0x" alone when empty.
          out.push_back(fmt::format("{} notification code {} subcode {} data {}", head, msg.code,
                                    msg.subcode, wire::exabgp_hex(msg.data)));
        } else if constexpr (std::is_same_v<T, wire::RouteRefresh>) {
          out.push_back(fmt::format("{} route-refresh afi {} safi {} {}", head,
                                    msg.family.afi_name(), msg.family.safi_name(),
                                    msg.subtype == wire::RouteRefresh::request        ? "query"
                                    : msg.subtype == wire::RouteRefresh::begin_of_rib ? "begin"
                                                                                      : "end"));
        } else if constexpr (std::is_same_v<T, wire::Open>) {
          out.push_back(fmt::format("{} open version {} asn {} hold_time {} router_id {}", head,
                                    msg.version, msg.my_as, msg.hold_time_s,
                                    wire::dotted_quad(msg.bgp_identifier)));
        } else if constexpr (std::is_same_v<T, wire::Update>) {
          const std::string u = head + " update";
          out.push_back(u + " start");
          if (auto eor = msg.end_of_rib()) {
            out.push_back(
                fmt::format("{} route eor {}/{} ({})", u, eor->afi, eor->safi, eor->to_string()));
          } else {
            // RFC 7606 treat-as-withdraw: the routes are reported withdrawn,
            // as the Adj-RIB-In applies them.
            const bool as_withdraw = msg.treat_as_withdraw();
            const auto& a = msg.attributes;
            auto withdrawn = [&](wire::Family f, const wire::Nlri& n) {
              out.push_back(u + " withdrawn " + wire::nlri_text(f, n));
            };
            auto announced = [&](wire::Family f, const wire::Nlri& n,
                                 const wire::PathAttributes& ra) {
              std::string line = u + " announced " + wire::nlri_text(f, n);
              if (ra.next_hop) line += " next-hop " + ra.next_hop->to_string();
              out.push_back(line + text_attributes(ra));
            };
            for (const auto& n : msg.withdrawn) withdrawn(wire::ipv4_unicast, n);
            if (a.mp_unreach)
              for (const auto& n : a.mp_unreach->nlri) withdrawn(a.mp_unreach->family, n);
            if (!msg.nlri.empty()) {
              const auto ra = rib::route_attributes(a, std::nullopt);
              for (const auto& n : msg.nlri)
                as_withdraw ? withdrawn(wire::ipv4_unicast, n)
                            : announced(wire::ipv4_unicast, n, ra);
            }
            if (a.mp_reach) {
              const auto ra = rib::route_attributes(a, a.mp_reach->family);
              for (const auto& n : a.mp_reach->nlri)
                as_withdraw ? withdrawn(a.mp_reach->family, n)
                            : announced(a.mp_reach->family, n, ra);
            }
          }
          if (!raw.empty()) out.push_back(text_header_body(raw));
          out.push_back(u + " end");
        }
      },
      m);
  if (!raw.empty() && !std::holds_alternative<wire::Update>(m)) out.back() += text_header_body(raw);
  return out;
}

}  // namespace bgpsim::api
