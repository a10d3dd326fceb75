#include "speaker/config/parser.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace bgpsim::config {

using namespace bgpsim::wire;

std::string Location::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::vector<Family> Neighbor::negotiated_families() const {
  if (!families.empty()) return families;
  FamilySet set;
  set.insert(ipv4_unicast);
  for (const auto& r : routes) set.insert(r.family);
  return set.items();
}

namespace {

// --- Tokens -------------------------------------------------------------

struct Token {
  std::string text;
  std::size_t line = 0, column = 0;
  bool quoted = false;
  bool is(std::string_view s) const { return !quoted && text == s; }
};

// Words, quoted strings, and the punctuation { } ; [ ] ( ) as tokens of their
// own; '#' starts a comment to the end of the line.
std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::size_t line = 1, column = 1;
  std::size_t i = 0;
  auto advance = [&] {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++i;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') advance();
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      advance();
    } else if (std::string_view("{};[]()").find(c) != std::string_view::npos) {
      out.push_back(Token{std::string(1, c), line, column});
      advance();
    } else if (c == '"' || c == '\'') {
      Token t{"", line, column, true};
      advance();
      while (i < text.size() && text[i] != c) {
        t.text.push_back(text[i]);
        advance();
      }
      if (i < text.size()) advance();
      out.push_back(std::move(t));
    } else {
      Token t{"", line, column};
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) &&
             std::string_view("{};[]()#").find(text[i]) == std::string_view::npos) {
        t.text.push_back(text[i]);
        advance();
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

// --- Statements -----------------------------------------------------------

// `words... ;` or `words... { statements }`.
struct Statement {
  std::vector<Token> words;
  std::optional<std::vector<Statement>> block;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string file)
      : tokens_(std::move(tokens)), file_(std::move(file)) {}

  std::variant<std::vector<Statement>, ParseError> statements(bool nested) {
    std::vector<Statement> out;
    while (pos_ < tokens_.size()) {
      if (tokens_[pos_].is("}")) {
        if (!nested) return error(tokens_[pos_], "'}' without a matching '{'");
        ++pos_;
        return out;
      }
      Statement s;
      while (pos_ < tokens_.size() && !tokens_[pos_].is(";") && !tokens_[pos_].is("{") &&
             !tokens_[pos_].is("}"))
        s.words.push_back(tokens_[pos_++]);
      if (pos_ >= tokens_.size())
        return error(tokens_.back(), "statement is not ended by ';' or a block");
      if (tokens_[pos_].is("}")) return error(tokens_[pos_], "missing ';' before '}'");
      if (s.words.empty()) return error(tokens_[pos_], "empty statement");
      if (tokens_[pos_++].is("{")) {
        auto inner = statements(true);
        if (auto* e = std::get_if<ParseError>(&inner)) return *e;
        s.block = std::move(std::get<std::vector<Statement>>(inner));
      }
      out.push_back(std::move(s));
    }
    if (nested) return ParseError{end_location(), "missing '}' at the end of the file"};
    return out;
  }

  ParseError error(const Token& t, std::string reason) const {
    return ParseError{Location{file_, t.line, t.column}, std::move(reason)};
  }
  Location location(const Token& t) const { return Location{file_, t.line, t.column}; }
  Location end_location() const {
    return tokens_.empty() ? Location{file_, 1, 1}
                           : Location{file_, tokens_.back().line, tokens_.back().column};
  }

 private:
  std::vector<Token> tokens_;
  std::string file_;
  std::size_t pos_ = 0;
};

// --- Values ---------------------------------------------------------------

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// ASN "65000" or asdot "1.10".
std::optional<std::uint32_t> asn(std::string_view s) {
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return number<std::uint32_t>(s);
  auto high = number<std::uint16_t>(s.substr(0, dot));
  auto low = number<std::uint16_t>(s.substr(dot + 1));
  if (!high || !low) return std::nullopt;
  return (std::uint32_t{*high} << 16) | *low;
}

// An IPv4 address or a number, as ExaBGP accepts for ids and path-information.
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

// Extended communities in ExaBGP's words (RFC 4360, RFC 5668, RFC 8955):
// target:/origin: with AS2:N, IP:N or AS4:N, redirect:AS:N, bare A:B as a
// route target, or the raw 8 bytes as 0x hex.
std::optional<std::uint64_t> extended_community(std::string_view s) {
  if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) {
    auto hex = s.substr(2);
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec != std::errc{} || end != hex.data() + hex.size() || hex.size() > 16) return std::nullopt;
    return v;
  }
  std::uint8_t subtype = 0x02;  // route target
  bool redirect = false;
  if (s.rfind("target:", 0) == 0) {
    s.remove_prefix(7);
  } else if (s.rfind("origin:", 0) == 0) {
    subtype = 0x03;
    s.remove_prefix(7);
  } else if (s.rfind("redirect:", 0) == 0) {
    redirect = true;
    s.remove_prefix(9);
  }
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto global = s.substr(0, colon);
  auto local = s.substr(colon + 1);
  auto local_value = id_value(local);
  if (!local_value) return std::nullopt;
  if (global.find('.') != std::string_view::npos) {  // IPv4-address-specific
    auto ip = IpAddress::parse(global);
    if (!ip || ip->v6 || *local_value > 0xFFFF) return std::nullopt;
    const std::uint64_t type = redirect ? 0x8108 : (0x0100u | subtype);
    return (type << 48) | (std::uint64_t{ip->v4_u32()} << 16) | *local_value;
  }
  auto as = number<std::uint32_t>(global);
  if (!as) return std::nullopt;
  if (*as > 0xFFFF) {  // four-octet AS specific (RFC 5668)
    if (*local_value > 0xFFFF) return std::nullopt;
    const std::uint64_t type = redirect ? 0x8208 : (0x0200u | subtype);
    return (type << 48) | (std::uint64_t{*as} << 16) | *local_value;
  }
  const std::uint64_t type = redirect ? 0x8008 : subtype;
  return (type << 48) | (std::uint64_t{*as} << 32) | *local_value;
}

// A value or a bracketed list of values: `x` or `[ x y z ]`.
std::vector<const Token*> list_at(const std::vector<Token>& w, std::size_t& i) {
  std::vector<const Token*> out;
  if (i < w.size() && w[i].is("[")) {
    ++i;
    while (i < w.size() && !w[i].is("]")) out.push_back(&w[i++]);
    if (i < w.size()) ++i;
  } else if (i < w.size()) {
    out.push_back(&w[i++]);
  }
  return out;
}

using MaybeError = std::optional<ParseError>;

// Parses route words from w[i] on into `route`.
MaybeError parse_route_words(const std::vector<Token>& w, std::size_t i, StaticRoute& route,
                             const Parser& p) {
  auto& a = route.attributes;
  auto need_value = [&](const Token& key) -> MaybeError {
    if (i >= w.size()) return p.error(key, "'" + key.text + "' needs a value");
    return std::nullopt;
  };
  while (i < w.size()) {
    const Token& key = w[i++];
    const std::string& k = key.text;
    if (k == "next-hop") {
      if (auto e = need_value(key)) return e;
      const Token& v = w[i++];
      if (v.text == "self") {
        route.next_hop_self = true;
      } else if (auto ip = IpAddress::parse(v.text)) {
        a.next_hop = ip;
      } else {
        return p.error(v, "next-hop '" + v.text + "' is not an IP address or 'self'");
      }
    } else if (k == "origin") {
      if (auto e = need_value(key)) return e;
      const Token& v = w[i++];
      if (v.text == "igp")
        a.origin = Origin::igp;
      else if (v.text == "egp")
        a.origin = Origin::egp;
      else if (v.text == "incomplete")
        a.origin = Origin::incomplete;
      else
        return p.error(v, "origin must be igp, egp or incomplete");
    } else if (k == "as-path") {
      if (auto e = need_value(key)) return e;
      AsPath path;
      AsPathSegment sequence{AsPathSegment::as_sequence, {}};
      auto values = list_at(w, i);
      for (std::size_t j = 0; j < values.size(); ++j) {
        if (values[j]->is("(")) {
          if (!sequence.asns.empty()) path.segments.push_back(sequence);
          sequence.asns.clear();
          AsPathSegment set{AsPathSegment::as_set, {}};
          for (++j; j < values.size() && !values[j]->is(")"); ++j) {
            auto v = asn(values[j]->text);
            if (!v) return p.error(*values[j], "'" + values[j]->text + "' is not an AS number");
            set.asns.push_back(*v);
          }
          path.segments.push_back(set);
          continue;
        }
        auto v = asn(values[j]->text);
        if (!v) return p.error(*values[j], "'" + values[j]->text + "' is not an AS number");
        sequence.asns.push_back(*v);
      }
      if (!sequence.asns.empty()) path.segments.push_back(sequence);
      a.as_path = path;
    } else if (k == "med") {
      if (auto e = need_value(key)) return e;
      auto v = number<std::uint32_t>(w[i].text);
      if (!v) return p.error(w[i], "med must be a 32-bit number");
      a.med = *v;
      ++i;
    } else if (k == "local-preference") {
      if (auto e = need_value(key)) return e;
      auto v = number<std::uint32_t>(w[i].text);
      if (!v) return p.error(w[i], "local-preference must be a 32-bit number");
      a.local_pref = *v;
      ++i;
    } else if (k == "atomic-aggregate") {
      a.atomic_aggregate = true;
    } else if (k == "aggregator") {
      if (auto e = need_value(key)) return e;
      auto values = list_at(w, i);
      std::string text;
      for (auto* v : values) text += v->text;
      auto colon = text.find(':');
      auto as = colon == std::string::npos ? std::nullopt : asn(text.substr(0, colon));
      auto ip =
          colon == std::string::npos ? std::nullopt : IpAddress::parse(text.substr(colon + 1));
      if (!as || !ip || ip->v6) return p.error(key, "aggregator must be ASN:IPv4");
      a.aggregator = Aggregator{*as, *ip};
    } else if (k == "community") {
      if (auto e = need_value(key)) return e;
      std::vector<std::uint32_t> values;
      for (auto* v : list_at(w, i)) {
        auto c = community(v->text);
        if (!c)
          return p.error(
              *v, "'" + v->text + "' is not a community (A:B, a number or a well-known name)");
        values.push_back(*c);
      }
      a.communities = values;
    } else if (k == "extended-community") {
      if (auto e = need_value(key)) return e;
      std::vector<std::uint64_t> values;
      for (auto* v : list_at(w, i)) {
        auto c = extended_community(v->text);
        if (!c) return p.error(*v, "'" + v->text + "' is not an extended community");
        values.push_back(*c);
      }
      a.extended_communities = values;
    } else if (k == "large-community") {
      if (auto e = need_value(key)) return e;
      std::vector<LargeCommunity> values;
      for (auto* v : list_at(w, i)) {
        auto c = large_community(v->text);
        if (!c) return p.error(*v, "'" + v->text + "' is not a large community (A:B:C)");
        values.push_back(*c);
      }
      a.large_communities = values;
    } else if (k == "originator-id") {
      if (auto e = need_value(key)) return e;
      auto v = id_value(w[i].text);
      if (!v) return p.error(w[i], "originator-id must be an IPv4 address");
      a.originator_id = *v;
      ++i;
    } else if (k == "cluster-list") {
      if (auto e = need_value(key)) return e;
      std::vector<std::uint32_t> values;
      for (auto* v : list_at(w, i)) {
        auto c = id_value(v->text);
        if (!c) return p.error(*v, "cluster-list entries are IPv4 addresses");
        values.push_back(*c);
      }
      a.cluster_list = values;
    } else if (k == "path-information") {
      if (auto e = need_value(key)) return e;
      auto v = id_value(w[i].text);
      if (!v) return p.error(w[i], "path-information must be a number or an IPv4 address");
      route.nlri.path_id = *v;
      ++i;
    } else if (k == "aigp") {
      if (auto e = need_value(key)) return e;
      auto v = number<std::uint64_t>(w[i].text);
      if (!v) return p.error(w[i], "aigp must be a number");
      a.aigp = *v;
      ++i;
    } else {
      return p.error(key, "unknown route attribute '" + k + "'");
    }
  }
  if (!a.origin) a.origin = Origin::igp;  // ExaBGP's default
  if (!a.as_path) a.as_path = AsPath{};
  return std::nullopt;
}

MaybeError parse_prefix(const Token& t, StaticRoute& route, const Parser& p) {
  auto prefix = IpPrefix::parse(t.text);
  if (!prefix) return p.error(t, "'" + t.text + "' is not a prefix");
  route.nlri.prefix = *prefix;
  route.family = prefix->address.v6 ? ipv6_unicast : ipv4_unicast;
  route.where = p.location(t);
  return std::nullopt;
}

// `route PREFIX words;` or `route PREFIX { key value; ... }`.
MaybeError parse_static(const std::vector<Statement>& block, Neighbor& n, const Parser& p) {
  for (const auto& s : block) {
    if (!s.words[0].is("route") || s.words.size() < 2)
      return p.error(s.words[0], "expected 'route PREFIX ...' in static");
    StaticRoute route;
    if (auto e = parse_prefix(s.words[1], route, p)) return e;
    std::vector<Token> words(s.words.begin() + 2, s.words.end());
    if (s.block)
      for (const auto& inner : *s.block)
        words.insert(words.end(), inner.words.begin(), inner.words.end());
    if (auto e = parse_route_words(words, 0, route, p)) return e;
    n.routes.push_back(std::move(route));
  }
  return std::nullopt;
}

MaybeError parse_families(const std::vector<Statement>& block, std::vector<Family>& out,
                          const Parser& p) {
  for (const auto& s : block) {
    std::string text;
    for (const auto& w : s.words) text += (text.empty() ? "" : " ") + w.text;
    if (text == "all") {
      for (Family f : {ipv4_unicast, ipv4_multicast, ipv6_unicast, ipv6_multicast})
        out.push_back(f);
      continue;
    }
    auto f = Family::parse(text);
    if (!f) return p.error(s.words[0], "unknown family '" + text + "'");
    out.push_back(*f);
  }
  return std::nullopt;
}

// `enable`/`disable` (or nothing, meaning enable).
std::optional<bool> switch_value(const Statement& s) {
  if (s.words.size() == 1) return true;
  if (s.words[1].text == "enable" || s.words[1].text == "true") return true;
  if (s.words[1].text == "disable" || s.words[1].text == "false") return false;
  return std::nullopt;
}

MaybeError parse_capability(const std::vector<Statement>& block, Capabilities& c, const Parser& p) {
  for (const auto& s : block) {
    const auto& k = s.words[0].text;
    if (k == "add-path") {
      const std::string v = s.words.size() > 1 ? s.words[1].text : "";
      if (v == "send")
        c.add_path = {true, false};
      else if (v == "receive")
        c.add_path = {false, true};
      else if (v == "send/receive")
        c.add_path = {true, true};
      else if (v == "disable")
        c.add_path = {};
      else
        return p.error(s.words[0], "add-path takes send, receive, send/receive or disable");
      continue;
    }
    if (k == "graceful-restart") {
      if (s.words.size() > 1) {
        if (s.words[1].text == "disable") {
          c.graceful_restart_s.reset();
          continue;
        }
        auto v = number<std::uint16_t>(s.words[1].text);
        if (!v || *v > 4095) return p.error(s.words[1], "graceful-restart time is 0..4095 seconds");
        c.graceful_restart_s = *v;
      } else {
        c.graceful_restart_s = 120;
      }
      continue;
    }
    auto on = switch_value(s);
    if (!on) return p.error(s.words[1], "expected enable or disable");
    if (k == "asn4")
      c.asn4 = *on;
    else if (k == "route-refresh")
      c.route_refresh = *on;
    else if (k == "extended-message")
      c.extended_message = *on;
    else if (k == "nexthop")
      c.extended_next_hop = *on;
    else if (k == "software-version")
      c.software_version = *on;
    else if (k == "multi-session")
      c.multi_session = *on;
    else if (k == "operational")
      c.operational = *on;
    else
      return p.error(s.words[0], "unknown capability '" + k + "'");
  }
  return std::nullopt;
}

MaybeError parse_neighbor(const Statement& s, Config& config, const Parser& p) {
  if (s.words.size() != 2 || !s.block)
    return p.error(s.words[0], "expected 'neighbor ADDRESS { ... }'");
  Neighbor n;
  auto peer = IpAddress::parse(s.words[1].text);
  if (!peer) return p.error(s.words[1], "'" + s.words[1].text + "' is not an IP address");
  n.peer_address = *peer;
  n.where = p.location(s.words[0]);
  for (const auto& item : *s.block) {
    const Token& key = item.words[0];
    const std::string& k = key.text;
    if (item.block) {
      MaybeError e;
      if (k == "static")
        e = parse_static(*item.block, n, p);
      else if (k == "family")
        e = parse_families(*item.block, n.families, p);
      else if (k == "add-path")
        e = parse_families(*item.block, n.capabilities.add_path_families, p);
      else if (k == "capability")
        e = parse_capability(*item.block, n.capabilities, p);
      else
        return p.error(key, "unknown block '" + k + "' in neighbor");
      if (e) return e;
      continue;
    }
    if (k == "passive" || k == "group-updates") {
      auto on = switch_value(item);
      if (!on) return p.error(item.words[1], "expected true or false");
      (k == "passive" ? n.passive : n.group_updates) = *on;
      continue;
    }
    if (k == "route") {  // a route directly in the neighbor, as ExaBGP allows
      StaticRoute route;
      if (item.words.size() < 2) return p.error(key, "route needs a prefix");
      if (auto e = parse_prefix(item.words[1], route, p)) return e;
      if (auto e = parse_route_words(item.words, 2, route, p)) return e;
      n.routes.push_back(std::move(route));
      continue;
    }
    if (item.words.size() != 2) return p.error(key, "'" + k + "' takes one value");
    const Token& v = item.words[1];
    auto bad = [&](std::string what) { return p.error(v, k + " " + what); };
    if (k == "router-id") {
      auto id = id_value(v.text);
      if (!id) return bad("must be an IPv4 address");
      n.router_id = *id;
    } else if (k == "local-address") {
      auto ip = IpAddress::parse(v.text);
      if (!ip) return bad("must be an IP address");
      n.local_address = *ip;
    } else if (k == "local-as" || k == "peer-as") {
      auto as = asn(v.text);
      if (!as) return bad("must be an AS number");
      (k == "local-as" ? n.local_as : n.peer_as) = *as;
    } else if (k == "hold-time") {
      auto h = number<std::uint16_t>(v.text);
      // RFC 4271 4.2: "Hold Time MUST be either zero or at least three seconds."
      if (!h || *h == 1 || *h == 2) return bad("must be 0 or 3..65535 seconds");
      n.hold_time_s = *h;
    } else if (k == "listen" || k == "connect") {
      auto port = number<std::uint16_t>(v.text);
      if (!port) return bad("must be a TCP port");
      (k == "listen" ? n.listen_port : n.connect_port) = *port;
    } else if (k == "outgoing-ttl" || k == "incoming-ttl") {
      auto ttl = number<std::uint8_t>(v.text);
      if (!ttl || *ttl == 0) return bad("must be 1..255");
      (k == "outgoing-ttl" ? n.outgoing_ttl : n.incoming_ttl) = *ttl;
    } else if (k == "description") {
      n.description = v.text;
    } else if (k == "host-name") {
      n.host_name = v.text;
    } else if (k == "domain-name") {
      n.domain_name = v.text;
    } else if (k == "md5-password") {
      if (v.text.size() > 80) return bad("is longer than the 80 bytes TCP_MD5SIG allows");
      n.md5_password = v.text;
    } else {
      return p.error(key, "unknown neighbor option '" + k + "'");
    }
  }
  if (n.local_as == 0) return p.error(s.words[0], "neighbor needs local-as");
  if (n.peer_as == 0) return p.error(s.words[0], "neighbor needs peer-as");
  if (!n.router_id && n.local_address && !n.local_address->v6)
    n.router_id = n.local_address->v4_u32();
  if (!n.router_id)
    return p.error(s.words[0], "neighbor needs router-id (or an IPv4 local-address)");
  for (auto& r : n.routes)
    if (!r.attributes.next_hop && !r.next_hop_self)
      return ParseError{r.where, "route needs a next-hop"};
  config.neighbors.push_back(std::move(n));
  return std::nullopt;
}

}  // namespace

std::variant<Config, ParseError> parse_config(std::string_view text, std::string file_name) {
  Parser p(tokenize(text), file_name);
  auto statements = p.statements(false);
  if (auto* e = std::get_if<ParseError>(&statements)) return *e;
  Config config;
  for (const auto& s : std::get<std::vector<Statement>>(statements)) {
    if (s.words[0].is("neighbor")) {
      if (auto e = parse_neighbor(s, config, p)) return *e;
    } else {
      return p.error(s.words[0], "unknown top-level statement '" + s.words[0].text + "'");
    }
  }
  return config;
}

std::variant<Config, ParseError> load_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return ParseError{Location{path.string(), 0, 0}, "cannot open the file"};
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

std::variant<StaticRoute, ParseError> parse_route(std::string_view words, Location where) {
  auto tokens = tokenize(words);
  for (auto& t : tokens) {
    if (t.line == 1) t.column += where.column - 1;
    t.line += where.line - 1;
  }
  Parser located(tokens, where.file);
  StaticRoute route;
  if (tokens.empty()) return ParseError{where, "route needs a prefix"};
  if (auto e = parse_prefix(tokens[0], route, located)) return *e;
  if (auto e = parse_route_words(tokens, 1, route, located)) return *e;
  if (!route.attributes.next_hop && !route.next_hop_self)
    return ParseError{where, "route needs a next-hop"};
  return route;
}

}  // namespace bgpsim::config
