#include "speaker/config/parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>

#include "speaker/config/lexer.hpp"
#include "speaker/config/values.hpp"
#include "speaker/wire/capability.hpp"
#include "speaker/wire/family_row.hpp"

namespace bgpsim::config {

using namespace bgpsim::wire;
using values::number;

namespace {

// A neighbor being parsed and the words it set itself (for `inherit`).
struct Draft {
  Neighbor n;
  std::set<std::string> set;  // keywords written in this neighbor (capability ones prefixed)
  bool has(const std::string& k) const { return set.count(k) != 0; }
};

// The family words of ExaBGP that wire::Family spells otherwise.
std::optional<Family> family_words(std::string_view afi, std::string_view safi) {
  if (safi == "sr-policy") safi = "srte";
  return Family::parse(fmt::format("{} {}", afi, safi));
}

bool keyword_like(const Token& t) {
  if (t.kind != Token::word || t.text.empty()) return false;
  if (!(t.text[0] >= 'a' && t.text[0] <= 'z')) return false;
  for (char c : t.text)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

// Interns attribute sets: routes with equal attributes share one.
struct AttributeLess {
  bool operator()(const SharedAttributes& a, const SharedAttributes& b) const { return *a < *b; }
};

// What follows a route's prefix, once parsed: shared between routes that
// wrote the same words (the common case in big files is one attribute set).
struct RouteTail {
  SharedAttributes attributes;
  std::shared_ptr<const RouteExtras> extras;
  bool next_hop_self = false;
  std::optional<std::uint32_t> path_id;
  std::optional<std::uint8_t> split;
};

class Parser {
 public:
  Parser(std::istream& in, std::string_view file, std::uint32_t line = 1, std::uint32_t column = 1)
      : lex_(in, line, column), file_(file, 0, 0) {}

  ParseResult run() {
    statements_to_end([&] {
      top_statement();
      return true;
    });
    return ParseResult{std::move(config_), std::move(errors_)};
  }

  // For parse_neighbor_routes: the whole input is the body of a neighbor.
  NeighborRoutes neighbor_body() {
    Draft d;
    statements_to_end([&] {
      neighbor_statement(d);
      return !eof_;
    });
    return NeighborRoutes{std::move(d.n), std::move(errors_)};
  }

  // Reads statements until the input ends, handing each to `each` (false:
  // stop); a '}' with no block open and a last statement without ';' are
  // errors that name their place.
  template <class F>
  void statements_to_end(F&& each) {
    for (;;) {
      read_statement();
      if (end_.kind == Token::end) {
        if (n_) error(words_[0], "statement is not ended by ';' or a block");
        break;
      }
      if (end_.is('}')) {
        error(end_, "'}' without a matching '{'");
        if (n_) error(words_[0], "statement is not ended by ';' or a block");
        continue;
      }
      if (n_ == 0) continue;
      if (!each()) break;
    }
  }

  // For parse_route: the whole input is one route's words.
  std::variant<StaticRoute, ParseError> single_route() {
    n_ = 0;
    for (;;) {
      if (n_ == words_.size()) words_.emplace_back();
      lex_.next(words_[n_]);
      if (words_[n_].kind == Token::end) break;
      ++n_;
    }
    Draft d;
    if (n_ == 0) return ParseError{at(words_[0]), "route needs a prefix"};
    static_route(d, std::span<const Token>(words_.data(), n_), std::nullopt);
    if (!errors_.empty()) return errors_.front();
    return d.n.routes.front();
  }

 private:
  // --- Statements -----------------------------------------------------------

  // Reads words up to ';', '{', '}' or the end into words_[0, n_) and end_.
  void read_statement() {
    n_ = 0;
    for (;;) {
      if (n_ == words_.size()) words_.emplace_back();
      Token& t = words_[n_];
      lex_.next(t);
      if (t.kind == Token::end || t.is(';') || t.is('{') || t.is('}')) {
        std::swap(end_, t);
        return;
      }
      ++n_;
    }
  }

  // Reads the statements of the block just opened, calling on() for each;
  // returns after its '}' (or at the end of the input, with an error).
  template <class F>
  void block(F&& on) {
    for (;;) {
      read_statement();
      if (end_.kind == Token::end) {
        if (n_) error(words_[0], "statement is not ended by ';' or a block");
        error(end_, "missing '}' at the end of the file");
        eof_ = true;
        return;
      }
      if (end_.is('}')) {
        if (n_) {
          error(end_, "missing ';' before '}'");
          if (!end_of_input()) on();  // still read what it says
        }
        return;
      }
      if (n_ == 0) {
        if (end_.is('{')) {
          error(end_, "a block needs a name");
          skip_block();
        }
        continue;
      }
      on();
      if (eof_) return;
    }
  }
  bool end_of_input() const { return eof_; }

  // Skips the rest of the block just opened (after an error).
  void skip_block() {
    int depth = 1;
    Token t;
    while (depth > 0) {
      lex_.next(t);
      if (t.kind == Token::end) {
        error(t, "missing '}' at the end of the file");
        eof_ = true;
        return;
      }
      if (t.is('{')) ++depth;
      if (t.is('}')) --depth;
    }
  }

  // The statement must end with ';' (a block is an error and is skipped).
  bool simple() {
    if (end_.is('{')) {
      error(words_[0], "'" + words_[0].text + "' does not take a block");
      skip_block();
      return false;
    }
    return true;
  }
  // The statement must open a block.
  bool opens_block() {
    if (!end_.is('{')) {
      error(words_[0], "'" + words_[0].text + "' needs a block { ... }");
      return false;
    }
    return true;
  }
  void unknown(std::string_view where) {
    error(words_[0], fmt::format("unknown keyword '{}' in {}", words_[0].text, where));
    if (end_.is('{')) skip_block();
  }

  Location at(const Token& t) const {
    Location l = file_;
    l.set(t.line, t.column);
    return l;
  }
  void error(const Token& t, std::string reason) {
    if (errors_.size() < 1000) errors_.push_back(ParseError{at(t), std::move(reason)});
  }

  // --- Top level ----------------------------------------------------------

  void top_statement() {
    const std::string& k = words_[0].text;
    if (words_[0].is("neighbor")) {
      if (n_ != 2) {
        error(words_[0], "expected 'neighbor ADDRESS { ... }'");
        if (end_.is('{')) skip_block();
        return;
      }
      if (!opens_block()) return;
      Draft d;
      d.n.where = at(words_[0]);
      const Token keyword = words_[0];
      auto peer = IpAddress::parse(words_[1].text);
      if (!peer) error(words_[1], "'" + words_[1].text + "' is not an IP address");
      if (peer) d.n.peer_address = *peer;
      block([&] { neighbor_statement(d); });
      if (!peer || eof_) return;  // cut short: its missing settings say nothing
      finish_neighbor(d, keyword);
      config_.neighbors.push_back(std::move(d.n));
    } else if (words_[0].is("process")) {
      process();
    } else if (words_[0].is("template")) {
      if (n_ != 1) error(words_[1], "template takes no name: 'template { neighbor NAME { } }'");
      if (!opens_block()) return;
      block([&] {
        if (!words_[0].is("neighbor") || n_ != 2)
          return unknown("template (expected 'neighbor NAME')");
        if (!opens_block()) return;
        std::string name = words_[1].text;
        Draft d;
        d.n.where = at(words_[0]);
        block([&] { neighbor_statement(d); });
        templates_[name] = std::move(d);
      });
    } else {
      error(words_[0], "unknown top-level statement '" + k + "'");
      if (end_.is('{')) skip_block();
    }
  }

  void process() {
    if (n_ != 2) {
      error(words_[0], "expected 'process NAME { ... }'");
      if (end_.is('{')) skip_block();
      return;
    }
    if (!opens_block()) return;
    Process p;
    p.name = words_[1].text;
    p.where = at(words_[0]);
    const Token keyword = words_[0];
    block([&] {
      if (!simple()) return;
      const Token& key = words_[0];
      if (key.is("run")) {
        if (n_ < 2) return error(key, "run needs a command");
        p.run.clear();
        for (std::size_t i = 1; i < n_; ++i) p.run.push_back(words_[i].text);
      } else if (key.is("encoder")) {
        if (n_ != 2 || (!words_[1].is("json") && !words_[1].is("text")))
          return error(n_ > 1 ? words_[1] : key, "encoder is json or text");
        p.encoder = words_[1].text;
      } else if (key.is("respawn")) {
        auto on = switch_value();
        if (!on) return;
        p.respawn = *on;
      } else {
        unknown("process");
      }
    });
    if (p.run.empty()) error(keyword, "process '" + p.name + "' needs 'run COMMAND'");
    for (const auto& other : config_.processes)
      if (other.name == p.name) error(keyword, "process '" + p.name + "' is defined twice");
    config_.processes.push_back(std::move(p));
  }

  // `enable`/`disable`, `true`/`false` (or nothing, meaning enable).
  std::optional<bool> switch_value() {
    if (n_ == 1) return true;
    const Token& v = words_[1];
    if (n_ == 2 && (v.is("enable") || v.is("true"))) return true;
    if (n_ == 2 && (v.is("disable") || v.is("false"))) return false;
    error(v, "'" + words_[0].text + "' takes enable/disable or true/false");
    return std::nullopt;
  }

  // --- Neighbor -----------------------------------------------------------

  void neighbor_statement(Draft& d) {
    Neighbor& n = d.n;
    const Token& key = words_[0];
    const std::string k = key.text;
    if (end_.is('{')) {
      if (n_ == 1) {
        if (k == "static") return block([&] { static_statement(d); });
        if (k == "family") return block([&] { family_statement(n.families); });
        if (k == "add-path") return block([&] { add_path_statement(n.capabilities); });
        if (k == "capability") return block([&] { capability_statement(d); });
      }
      if (k == "api" && n_ <= 2) {
        n.api.emplace_back();
        if (n_ == 2) n.api.back().name = words_[1].text;
        {
          std::size_t index = n.api.size() - 1;
          return block([&] { api_statement(n.api[index]); });
        }
      }
      if (n_ == 1) {
        if (k == "announce") return block([&] { announce_statement(d); });
        if (k == "flow") return block([&] { flow_statement(d); });
        if (k == "l2vpn") return block([&] { l2vpn_statement(d); });
        if (k == "nexthop") return block([&] { nexthop_statement(n); });
        if (k == "tcp-ao") {
          d.set.insert(k);
          TcpAo ao;
          block([&] { tcp_ao_statement(ao); });
          n.tcp_ao = ao;
          return;
        }
      }
      if (k == "route") {  // route PREFIX { ... } directly in the neighbor
        return static_statement(d);
      }
      return unknown("neighbor");
    }
    if (k == "route") return static_statement(d);
    if (k == "inherit") {
      for (std::size_t i = 1; i < n_; ++i) {
        if (words_[i].is('[') || words_[i].is(']')) continue;
        auto t = templates_.find(words_[i].text);
        if (t == templates_.end()) {
          error(words_[i], "no template named '" + words_[i].text + "'");
          continue;
        }
        inherit(d, t->second);
      }
      if (n_ < 2) error(key, "inherit needs a template name");
      return;
    }
    static const std::set<std::string, std::less<>> switches = {
        "passive",    "group-updates", "auto-flush",
        "manual-eor", "adj-rib-in",    "adj-rib-out",
        "md5-base64", "role-strict",   "send-notification-without-open"};
    if (switches.count(k)) {
      auto on = switch_value();
      if (!on) return;
      d.set.insert(k);
      bool& field = k == "passive"                          ? n.passive
                    : k == "group-updates"                  ? n.group_updates
                    : k == "auto-flush"                     ? n.auto_flush
                    : k == "manual-eor"                     ? n.manual_eor
                    : k == "adj-rib-in"                     ? n.adj_rib_in
                    : k == "adj-rib-out"                    ? n.adj_rib_out
                    : k == "role-strict"                    ? n.role_strict
                    : k == "send-notification-without-open" ? n.send_notification_without_open
                                                            : n.md5_base64;
      field = *on;
      return;
    }
    static const std::set<std::string, std::less<>> scalars = {
        "router-id",         "local-address", "local-as",         "peer-as",
        "hold-time",         "listen",        "connect",          "outgoing-ttl",
        "incoming-ttl",      "description",   "host-name",        "domain-name",
        "md5-password",      "md5-ip",        "local-link-local", "role",
        "connect-retry",     "delay-open",    "send-hold-time",   "stale-routes-time",
        "refresh-stale-time"};
    if (k == "maximum-prefix") return maximum_prefix_statement(d);
    if (!scalars.count(k)) return unknown("neighbor");
    if (n_ != 2) return error(key, "'" + k + "' takes one value");
    const Token& v = words_[1];
    auto bad = [&](std::string what) { error(v, k + " " + what); };
    d.set.insert(k);
    if (k == "router-id") {
      auto id = values::id_value(v.text);
      if (!id) return bad("must be an IPv4 address");
      n.router_id = *id;
    } else if (k == "local-address" || k == "md5-ip" || k == "local-link-local") {
      auto ip = IpAddress::parse(v.text);
      if (!ip) return bad("must be an IP address");
      (k == "local-address" ? n.local_address
       : k == "md5-ip"      ? n.md5_ip
                            : n.local_link_local) = *ip;
    } else if (k == "local-as" || k == "peer-as") {
      auto as = values::asn(v.text);
      if (!as) return bad("must be an AS number");
      (k == "local-as" ? n.local_as : n.peer_as) = *as;
    } else if (k == "hold-time") {
      auto h = number<std::uint16_t>(v.text);
      // RFC 4271 4.2: "Hold Time MUST be either zero or at least three seconds."
      if (!h || *h == 1 || *h == 2) return bad("must be 0 or 3..65535 seconds");
      n.hold_time_s = *h;
    } else if (k == "connect-retry" || k == "delay-open") {
      auto t = number<std::uint16_t>(v.text);
      if (k == "connect-retry" && (!t || *t == 0)) return bad("must be 1..65535 seconds");
      if (!t) return bad("must be 0..65535 seconds (0: off)");
      (k == "connect-retry" ? n.connect_retry_s : n.delay_open_s) = *t;
    } else if (k == "stale-routes-time" || k == "refresh-stale-time") {
      auto t = number<std::uint16_t>(v.text);
      if (!t || *t == 0) return bad("must be 1..65535 seconds");
      (k == "stale-routes-time" ? n.stale_routes_time_s : n.refresh_stale_time_s) = *t;
    } else if (k == "send-hold-time") {
      auto t = number<std::uint32_t>(v.text);
      if (!t) return bad("must be a number of seconds (0: the RFC 9687 default)");
      n.send_hold_time_s = *t;
    } else if (k == "listen" || k == "connect") {
      auto port = number<std::uint16_t>(v.text);
      if (!port) return bad("must be a TCP port");
      (k == "listen" ? n.listen_port : n.connect_port) = *port;
    } else if (k == "outgoing-ttl" || k == "incoming-ttl") {
      auto ttl = number<std::uint8_t>(v.text);
      if (!ttl || *ttl == 0) return bad("must be 1..255");
      (k == "outgoing-ttl" ? n.outgoing_ttl : n.incoming_ttl) = *ttl;
    } else if (k == "role") {
      auto role = wire::cap::role_from_name(v.text);
      if (!role) return bad("must be provider, rs, rs-client, customer or peer (RFC 9234)");
      n.role = *role;
    } else if (k == "description") {
      n.description = v.text;
    } else if (k == "host-name") {
      n.host_name = v.text;
    } else if (k == "domain-name") {
      n.domain_name = v.text;
    } else if (k == "md5-password") {
      if (v.text.size() > 80) return bad("is longer than the 80 bytes TCP_MD5SIG allows");
      n.md5_password = v.text;
    }
  }

  // `maximum-prefix AFI SAFI N;` -- one limit per family, the last one wins.
  void maximum_prefix_statement(Draft& d) {
    if (n_ != 4) return error(words_[0], "expected 'maximum-prefix AFI SAFI N'");
    auto f = family_words(words_[1].text, words_[2].text);
    if (!f)
      return error(words_[1],
                   fmt::format("unknown family '{} {}'", words_[1].text, words_[2].text));
    auto limit = number<std::uint32_t>(words_[3].text);
    if (!limit) return error(words_[3], "maximum-prefix must be a number of routes");
    d.set.insert("maximum-prefix");
    auto& limits = d.n.maximum_prefix;
    std::erase_if(limits, [&](const auto& l) { return l.first == *f; });
    limits.emplace_back(*f, *limit);
  }

  // Takes from template `t` what the neighbor did not set itself; lists
  // (families, routes, api...) are the template's followed by the neighbor's.
  static void inherit(Draft& d, const Draft& t) {
    Neighbor& n = d.n;
    const Neighbor& f = t.n;
    auto take = [&](const char* key, auto member) {
      if (t.has(key) && !d.has(key)) {
        n.*member = f.*member;
        d.set.insert(key);
      }
    };
    take("router-id", &Neighbor::router_id);
    take("local-address", &Neighbor::local_address);
    take("local-as", &Neighbor::local_as);
    take("peer-as", &Neighbor::peer_as);
    take("hold-time", &Neighbor::hold_time_s);
    take("listen", &Neighbor::listen_port);
    take("connect", &Neighbor::connect_port);
    take("outgoing-ttl", &Neighbor::outgoing_ttl);
    take("incoming-ttl", &Neighbor::incoming_ttl);
    take("description", &Neighbor::description);
    take("host-name", &Neighbor::host_name);
    take("domain-name", &Neighbor::domain_name);
    take("md5-password", &Neighbor::md5_password);
    take("md5-ip", &Neighbor::md5_ip);
    take("local-link-local", &Neighbor::local_link_local);
    take("role", &Neighbor::role);
    take("role-strict", &Neighbor::role_strict);
    take("connect-retry", &Neighbor::connect_retry_s);
    take("delay-open", &Neighbor::delay_open_s);
    take("send-notification-without-open", &Neighbor::send_notification_without_open);
    take("send-hold-time", &Neighbor::send_hold_time_s);
    take("stale-routes-time", &Neighbor::stale_routes_time_s);
    take("refresh-stale-time", &Neighbor::refresh_stale_time_s);
    take("maximum-prefix", &Neighbor::maximum_prefix);
    take("passive", &Neighbor::passive);
    take("group-updates", &Neighbor::group_updates);
    take("auto-flush", &Neighbor::auto_flush);
    take("manual-eor", &Neighbor::manual_eor);
    take("adj-rib-in", &Neighbor::adj_rib_in);
    take("adj-rib-out", &Neighbor::adj_rib_out);
    take("md5-base64", &Neighbor::md5_base64);
    take("tcp-ao", &Neighbor::tcp_ao);
    auto cap = [&](const char* key, auto member) {
      const std::string k = std::string("capability ") + key;
      if (t.has(k) && !d.has(k)) {
        n.capabilities.*member = f.capabilities.*member;
        d.set.insert(k);
      }
    };
    cap("asn4", &Capabilities::asn4);
    cap("route-refresh", &Capabilities::route_refresh);
    cap("graceful-restart", &Capabilities::graceful_restart_s);
    cap("graceful-restart-notification", &Capabilities::graceful_restart_notification);
    cap("long-lived-graceful-restart", &Capabilities::long_lived_stale_s);
    cap("add-path", &Capabilities::add_path);
    cap("extended-message", &Capabilities::extended_message);
    cap("nexthop", &Capabilities::extended_next_hop);
    cap("software-version", &Capabilities::software_version);
    cap("multi-session", &Capabilities::multi_session);
    cap("operational", &Capabilities::operational);
    cap("link-local-nexthop", &Capabilities::link_local_nexthop);
    cap("aigp", &Capabilities::aigp);
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(n.capabilities.add_path_families, f.capabilities.add_path_families);
    append(n.capabilities.add_path_limits, f.capabilities.add_path_limits);
    append(n.capabilities.long_lived_families, f.capabilities.long_lived_families);
    append(n.families, f.families);
    append(n.next_hops, f.next_hops);
    append(n.api, f.api);
    append(n.routes, f.routes);
    append(n.flow_routes, f.flow_routes);
    append(n.family_routes, f.family_routes);
  }

  void finish_neighbor(Draft& d, const Token& keyword) {
    Neighbor& n = d.n;
    if (n.local_as == 0) error(keyword, "neighbor needs local-as");
    if (n.peer_as == 0) error(keyword, "neighbor needs peer-as");
    if (!n.router_id && n.local_address && !n.local_address->v6)
      n.router_id = n.local_address->v4_u32();
    if (!n.router_id) error(keyword, "neighbor needs router-id (or an IPv4 local-address)");
    canonical_route_order(n);
    for (const auto& a : n.api)
      for (const auto& name : a.processes) {
        bool found = false;
        for (const auto& p : config_.processes) found = found || p.name == name;
        if (!found) error(keyword, "api names process '" + name + "', which is not defined");
      }
  }

  // The routes built from family and flow routes go after the prefix routes,
  // family before flow, each in the order written: the order the printer
  // writes them in, so that a printed configuration parses to the same model
  // whatever templates and blocks the routes came from.
  static void canonical_route_order(Neighbor& n) {
    auto rank = [](const StaticRoute& r) {
      const wire::FamilyRow* row = wire::family_row(r.family);
      return !row ? 0 : row->flow ? 2 : row->raw ? 1 : 0;
    };
    if (std::all_of(n.routes.begin(), n.routes.end(),
                    [&](const StaticRoute& r) { return rank(r) == 0; }))
      return;
    std::stable_sort(n.routes.begin(), n.routes.end(),
                     [&](const StaticRoute& a, const StaticRoute& b) { return rank(a) < rank(b); });
  }

  void family_statement(std::vector<Family>& out) {
    if (!simple()) return;
    if (n_ == 1 && words_[0].is("all")) {
      for (Family f : supported_families()) out.push_back(f);
      return;
    }
    if (n_ != 2) return error(words_[0], "expected 'AFI SAFI'");
    auto f = family_words(words_[0].text, words_[1].text);
    if (!f)
      return error(words_[0],
                   fmt::format("unknown family '{} {}'", words_[0].text, words_[1].text));
    out.push_back(*f);
  }

  void add_path_statement(Capabilities& c) {
    if (!simple()) return;
    if (n_ != 2 && !(n_ == 4 && words_[2].is("limit")))
      return error(words_[0], "expected 'AFI SAFI' or 'AFI SAFI limit N'");
    auto f = family_words(words_[0].text, words_[1].text);
    if (!f)
      return error(words_[0],
                   fmt::format("unknown family '{} {}'", words_[0].text, words_[1].text));
    c.add_path_families.push_back(*f);
    if (n_ == 4) {
      auto limit = number<std::uint32_t>(words_[3].text);
      if (!limit) return error(words_[3], "limit must be a number");
      c.add_path_limits.emplace_back(*f, *limit);
    }
  }

  void nexthop_statement(Neighbor& n) {
    if (!simple()) return;
    if (n_ != 3) return error(words_[0], "expected 'AFI SAFI NEXTHOP-AFI'");
    auto f = family_words(words_[0].text, words_[1].text);
    if (!f)
      return error(words_[0],
                   fmt::format("unknown family '{} {}'", words_[0].text, words_[1].text));
    std::uint16_t afi = words_[2].is("ipv4") ? 1 : words_[2].is("ipv6") ? 2 : 0;
    if (!afi) return error(words_[2], "next-hop AFI is ipv4 or ipv6");
    n.next_hops.push_back(NextHopFamily{*f, afi});
  }

  void tcp_ao_statement(TcpAo& ao) {
    if (!simple()) return;
    if (n_ != 2) return error(words_[0], "'" + words_[0].text + "' takes one value");
    if (words_[0].is("keyid")) {
      auto v = number<std::uint32_t>(words_[1].text);
      if (!v || *v > 255) return error(words_[1], "keyid is 0..255");
      ao.keyid = *v;
    } else if (words_[0].is("algorithm")) {
      static const std::set<std::string, std::less<>> known = {"hmac-sha-1-96", "aes-128-cmac-96",
                                                               "hmac-sha-256"};
      if (!known.count(words_[1].text))
        return error(words_[1], "algorithm is hmac-sha-1-96, aes-128-cmac-96 or hmac-sha-256");
      ao.algorithm = words_[1].text;
    } else if (words_[0].is("password")) {
      ao.password = words_[1].text;
    } else {
      unknown("tcp-ao");
    }
  }

  void capability_statement(Draft& d) {
    if (!simple()) return;
    Capabilities& c = d.n.capabilities;
    const Token& key = words_[0];
    const std::string& k = key.text;
    if (k == "add-path") {
      const std::string v = n_ > 1 ? words_[1].text : "";
      if (v == "send")
        c.add_path = {true, false};
      else if (v == "receive")
        c.add_path = {false, true};
      else if (v == "send/receive")
        c.add_path = {true, true};
      else if (v == "disable")
        c.add_path = {};
      else
        return error(key, "add-path takes send, receive, send/receive or disable");
      d.set.insert("capability " + k);
      return;
    }
    if (k == "graceful-restart") {
      d.set.insert("capability " + k);
      if (n_ > 1) {
        if (words_[1].is("disable") || words_[1].is("false")) {
          c.graceful_restart_s.reset();
          return;
        }
        if (words_[1].is("enable") || words_[1].is("true")) {
          c.graceful_restart_s = 120;
          return;
        }
        auto v = number<std::uint16_t>(words_[1].text);
        if (!v || *v > 4095) return error(words_[1], "graceful-restart time is 0..4095 seconds");
        c.graceful_restart_s = *v;
      } else {
        c.graceful_restart_s = 120;
      }
      return;
    }
    if (k == "long-lived-graceful-restart") return long_lived_statement(d);
    bool* field = k == "graceful-restart-notification" ? &c.graceful_restart_notification
                  : k == "asn4"                        ? &c.asn4
                  : k == "route-refresh"               ? &c.route_refresh
                  : k == "extended-message"            ? &c.extended_message
                  : k == "nexthop"                     ? &c.extended_next_hop
                  : k == "software-version"            ? &c.software_version
                  : k == "multi-session"               ? &c.multi_session
                  : k == "operational"                 ? &c.operational
                  : k == "link-local-nexthop"          ? &c.link_local_nexthop
                  : k == "aigp"                        ? &c.aigp
                                                       : nullptr;
    if (!field) return error(key, "unknown capability '" + k + "'");
    auto on = switch_value();
    if (!on) return;
    *field = *on;
    d.set.insert("capability " + k);
  }

  // RFC 9494: `long-lived-graceful-restart S|disable;` for every family,
  // `long-lived-graceful-restart AFI SAFI S;` for one (the last one wins).
  // The Long-Lived Stale Time is 24 bits on the wire.
  void long_lived_statement(Draft& d) {
    Capabilities& c = d.n.capabilities;
    const std::string k = "capability long-lived-graceful-restart";
    auto stale_time = [&](const Token& w) -> std::optional<std::uint32_t> {
      auto v = number<std::uint32_t>(w.text);
      if (!v || *v > 0xFFFFFF) {
        error(w, "long-lived stale time is 0..16777215 seconds");
        return std::nullopt;
      }
      return v;
    };
    if (n_ == 2 && (words_[1].is("disable") || words_[1].is("false"))) {
      c.long_lived_stale_s.reset();
      c.long_lived_families.clear();
      d.set.insert(k);
      return;
    }
    if (n_ == 2) {
      auto v = stale_time(words_[1]);
      if (!v) return;
      c.long_lived_stale_s = *v;
      d.set.insert(k);
      return;
    }
    if (n_ != 4)
      return error(words_[0],
                   "expected 'long-lived-graceful-restart SECONDS' or "
                   "'long-lived-graceful-restart AFI SAFI SECONDS'");
    auto f = family_words(words_[1].text, words_[2].text);
    if (!f)
      return error(words_[1],
                   fmt::format("unknown family '{} {}'", words_[1].text, words_[2].text));
    auto v = stale_time(words_[3]);
    if (!v) return;
    auto& list = c.long_lived_families;
    list.erase(
        std::remove_if(list.begin(), list.end(), [&](const auto& e) { return e.first == *f; }),
        list.end());
    list.emplace_back(*f, *v);
  }

  // Words of a list: `x` or `[ x y z ]` from words_[i]; i moves past it.
  std::vector<std::string> list_words(std::size_t& i) {
    std::vector<std::string> out;
    if (i < n_ && words_[i].is('[')) {
      for (++i; i < n_ && !words_[i].is(']'); ++i) out.push_back(words_[i].text);
      if (i < n_) ++i;
    } else if (i < n_) {
      out.push_back(words_[i++].text);
    }
    return out;
  }

  void api_statement(ApiBinding& api) {
    const Token& key = words_[0];
    if (key.is("receive") || key.is("send")) {
      if (!opens_block()) return;
      MessageSet& m = key.is("receive") ? api.receive : api.send;
      return block([&] {
        if (!simple()) return;
        if (n_ != 1) return error(words_[1], "message kinds take no value");
        const std::string& w = words_[0].text;
        bool* field = w == "parsed"         ? &m.parsed
                      : w == "packets"      ? &m.packets
                      : w == "consolidate"  ? &m.consolidate
                      : w == "open"         ? &m.open
                      : w == "update"       ? &m.update
                      : w == "keepalive"    ? &m.keepalive
                      : w == "notification" ? &m.notification
                      : w == "refresh"      ? &m.refresh
                      : w == "operational"  ? &m.operational
                                            : nullptr;
        if (!field) return unknown("api receive/send");
        *field = true;
      });
    }
    if (!simple()) return;
    if (key.is("processes") || key.is("processes-match")) {
      std::size_t i = 1;
      auto names = list_words(i);
      if (i != n_) return error(words_[i], "expected one list: '" + key.text + " [ NAME ... ]'");
      auto& to = key.is("processes") ? api.processes : api.processes_match;
      to.insert(to.end(), names.begin(), names.end());
    } else if (key.is("neighbor-changes")) {
      api.neighbor_changes = true;
    } else if (key.is("negotiated")) {
      api.negotiated = true;
    } else {
      unknown("api");
    }
  }

  // --- Routes -------------------------------------------------------------

  void static_statement(Draft& d) {
    if (words_[0].is("sr-policy")) return family_route(d, std::nullopt, "sr-policy");
    if (!words_[0].is("route")) return unknown("static (expected 'route PREFIX ...')");
    if (n_ < 2) {
      error(words_[0], "route needs a prefix");
      if (end_.is('{')) skip_block();
      return;
    }
    route_with_block(d, 1, std::nullopt);
  }

  // words_[from] is the prefix; a '{' block adds `key value;` statements.
  void route_with_block(Draft& d, std::size_t from, std::optional<Family> family) {
    if (!end_.is('{'))
      return static_route(d, std::span<const Token>(words_.data() + from, n_ - from), family);
    collected_.assign(words_.begin() + static_cast<std::ptrdiff_t>(from),
                      words_.begin() + static_cast<std::ptrdiff_t>(n_));
    block([&] {
      if (!simple()) return;
      collected_.insert(collected_.end(), words_.begin(),
                        words_.begin() + static_cast<std::ptrdiff_t>(n_));
    });
    static_route(d, collected_, family);
  }

  // Parses one attribute word from w[i] (i moves past its values) into `a`
  // and `x`. Returns false when the word is not an attribute.
  bool attribute_word(std::span<const Token> w, std::size_t& i, PathAttributes& a, RouteExtras& x,
                      bool& self, bool& failed) {
    const Token& key = w[i];
    const std::string& k = key.text;
    auto value = [&]() -> const Token* {
      if (i + 1 >= w.size()) {
        error(key, "'" + k + "' needs a value");
        failed = true;
        return nullptr;
      }
      i += 2;
      return &w[i - 1];
    };
    // `[ a b ]` or a single word; nested brackets kept as tokens.
    auto list = [&]() -> std::optional<std::span<const Token>> {
      if (i + 1 >= w.size()) {
        error(key, "'" + k + "' needs a value");
        failed = true;
        return std::nullopt;
      }
      std::size_t j = i + 1;
      if (w[j].is('[') || w[j].is('(')) {
        int depth = 0;
        std::size_t start = j + 1;
        for (; j < w.size(); ++j) {
          if (w[j].is('[') || w[j].is('(')) ++depth;
          if (w[j].is(']') || w[j].is(')')) --depth;
          if (depth == 0) break;
        }
        if (j == w.size()) {
          error(w[i + 1], "'" + w[i + 1].text + "' is not closed");
          failed = true;
          return std::nullopt;
        }
        i = j + 1;
        return w.subspan(start, j - start);
      }
      i = j + 1;
      return w.subspan(j, 1);
    };
    auto fail = [&](const Token& t, std::string reason) {
      error(t, std::move(reason));
      failed = true;
      return true;
    };
    if (k == "next-hop") {
      const Token* v = value();
      if (!v) return true;
      if (v->is("self")) {
        self = true;
      } else if (auto ip = IpAddress::parse(v->text)) {
        a.next_hop = ip;
      } else {
        return fail(*v, "next-hop '" + v->text + "' is not an IP address or 'self'");
      }
    } else if (k == "origin") {
      const Token* v = value();
      if (!v) return true;
      if (v->is("igp"))
        a.origin = Origin::igp;
      else if (v->is("egp"))
        a.origin = Origin::egp;
      else if (v->is("incomplete"))
        a.origin = Origin::incomplete;
      else
        return fail(*v, "origin must be igp, egp or incomplete");
    } else if (k == "as-path") {
      auto values = list();
      if (!values) return true;
      AsPath path;
      AsPathSegment sequence{AsPathSegment::as_sequence, {}};
      for (std::size_t j = 0; j < values->size(); ++j) {
        const Token& t = (*values)[j];
        if (t.is('(')) {
          if (!sequence.asns.empty()) path.segments.push_back(sequence);
          sequence.asns.clear();
          AsPathSegment set{AsPathSegment::as_set, {}};
          for (++j; j < values->size() && !(*values)[j].is(')'); ++j) {
            auto v = values::asn((*values)[j].text);
            if (!v) return fail((*values)[j], "'" + (*values)[j].text + "' is not an AS number");
            set.asns.push_back(*v);
          }
          path.segments.push_back(set);
          continue;
        }
        auto v = values::asn(t.text);
        if (!v) return fail(t, "'" + t.text + "' is not an AS number");
        sequence.asns.push_back(*v);
      }
      if (!sequence.asns.empty()) path.segments.push_back(sequence);
      a.as_path = path;
    } else if (k == "med" || k == "local-preference") {
      const Token* v = value();
      if (!v) return true;
      auto n = number<std::uint32_t>(v->text);
      if (!n) return fail(*v, k + " must be a 32-bit number");
      (k == "med" ? a.med : a.local_pref) = *n;
    } else if (k == "atomic-aggregate") {
      ++i;
      a.atomic_aggregate = true;
    } else if (k == "aggregator") {
      auto values = list();
      if (!values) return true;
      std::string text;
      for (const auto& v : *values) text += v.text;
      auto colon = text.find(':');
      auto as = colon == std::string::npos ? std::nullopt : values::asn(text.substr(0, colon));
      auto ip =
          colon == std::string::npos ? std::nullopt : IpAddress::parse(text.substr(colon + 1));
      if (!as || !ip || ip->v6) return fail(key, "aggregator must be ASN:IPv4");
      a.aggregator = Aggregator{*as, *ip};
    } else if (k == "community") {
      auto values = list();
      if (!values) return true;
      std::vector<std::uint32_t> out;
      for (const auto& v : *values) {
        auto c = values::community(v.text);
        if (!c)
          return fail(v,
                      "'" + v.text + "' is not a community (A:B, a number or a well-known name)");
        out.push_back(*c);
      }
      a.communities = std::move(out);
    } else if (k == "extended-community") {
      auto values = list();
      if (!values) return true;
      std::vector<std::uint64_t> out;
      for (const auto& v : *values) {
        auto c = values::extended_community(v.text);
        if (!c) return fail(v, "'" + v.text + "' is not an extended community");
        out.push_back(*c);
      }
      a.extended_communities = std::move(out);
    } else if (k == "large-community") {
      auto values = list();
      if (!values) return true;
      std::vector<LargeCommunity> out;
      for (const auto& v : *values) {
        auto c = values::large_community(v.text);
        if (!c) return fail(v, "'" + v.text + "' is not a large community (A:B:C)");
        out.push_back(*c);
      }
      a.large_communities = std::move(out);
    } else if (k == "originator-id") {
      const Token* v = value();
      if (!v) return true;
      auto id = values::id_value(v->text);
      if (!id) return fail(*v, "originator-id must be an IPv4 address");
      a.originator_id = *id;
    } else if (k == "cluster-list") {
      auto values = list();
      if (!values) return true;
      std::vector<std::uint32_t> out;
      for (const auto& v : *values) {
        auto c = values::id_value(v.text);
        if (!c) return fail(v, "cluster-list entries are IPv4 addresses");
        out.push_back(*c);
      }
      a.cluster_list = std::move(out);
    } else if (k == "aigp") {
      const Token* v = value();
      if (!v) return true;
      auto n = number<std::uint64_t>(v->text);
      if (!n) return fail(*v, "aigp must be a number");
      a.aigp = *n;
    } else if (k == "attribute") {  // [ CODE FLAGS VALUE ], ExaBGP's generic attribute
      auto values = list();
      if (!values) return true;
      if (values->size() != 3) return fail(key, "attribute is [ 0xCODE 0xFLAGS 0xVALUE ]");
      auto code = number<std::uint8_t>((*values)[0].text);
      auto flags = number<std::uint8_t>((*values)[1].text);
      std::string_view hex = (*values)[2].text;
      if (!code) return fail((*values)[0], "attribute code must be a number 0..255");
      if (!flags) return fail((*values)[1], "attribute flags must be a number 0..255");
      if (hex.substr(0, 2) != "0x" && hex.substr(0, 2) != "0X")
        return fail((*values)[2], "attribute value must be hexadecimal (0x...)");
      hex.remove_prefix(2);
      if (hex.size() % 2) return fail((*values)[2], "attribute value needs whole bytes");
      RawAttribute raw{*flags, *code, {}};
      for (std::size_t j = 0; j < hex.size(); j += 2) {
        auto byte = number<std::uint8_t>(std::string("0x") + std::string(hex.substr(j, 2)));
        if (!byte) return fail((*values)[2], "attribute value must be hexadecimal (0x...)");
        raw.value.push_back(*byte);
      }
      auto pos = std::lower_bound(
          a.other.begin(), a.other.end(), raw,
          [](const RawAttribute& l, const RawAttribute& r) { return l.code < r.code; });
      if (pos != a.other.end() && pos->code == raw.code)
        return fail(key, "attribute code " + std::to_string(raw.code) + " given twice");
      a.other.insert(pos, std::move(raw));
    } else if (k == "rd" || k == "route-distinguisher") {
      const Token* v = value();
      if (!v) return true;
      auto rd = values::route_distinguisher(v->text);
      if (!rd) return fail(*v, "rd must be ASN:N or IPv4:N");
      x.rd = *rd;
    } else if (k == "label") {
      auto values = list();
      if (!values) return true;
      x.labels.clear();
      for (const auto& v : *values) {
        auto l = number<std::uint32_t>(v.text);
        if (!l || *l >= (1u << 20)) return fail(v, "a label is 0..1048575");
        x.labels.push_back(*l);
      }
    } else if (k == "name") {
      const Token* v = value();
      if (!v) return true;
      x.name = v->text;
    } else if (k == "watchdog") {
      const Token* v = value();
      if (!v) return true;
      x.watchdog = v->text;
    } else if (k == "withdraw") {
      ++i;
      x.withdrawn = true;
    } else if (k == "bgp-prefix-sid") {  // [ INDEX ] or [ INDEX, [ ( BASE,RANGE ) ... ] ]
      auto values = list();
      if (!values) return true;
      PrefixSid sid;
      std::size_t j = 0;
      if (values->empty()) return fail(key, "bgp-prefix-sid needs a label index");
      auto index = number<std::uint32_t>((*values)[j++].text);
      if (!index) return fail((*values)[0], "bgp-prefix-sid label index must be a number");
      sid.label_index = *index;
      std::vector<std::uint32_t> numbers;
      for (; j < values->size(); ++j) {
        const Token& t = (*values)[j];
        if (t.kind == Token::punct) continue;
        auto v = number<std::uint32_t>(t.text);
        if (!v) return fail(t, "bgp-prefix-sid SRGB values are numbers");
        numbers.push_back(*v);
      }
      if (numbers.size() % 2) return fail(key, "bgp-prefix-sid SRGBs are ( BASE,RANGE ) pairs");
      for (std::size_t p = 0; p < numbers.size(); p += 2)
        sid.srgbs.emplace_back(numbers[p], numbers[p + 1]);
      x.prefix_sid = sid;
    } else if (k == "bgp-prefix-sid-srv6") {  // ( l3-service|l2-service SID [BEHAVIOR] [[6]] )
      auto values = list();
      if (!values) return true;
      PrefixSidSrv6 sid;
      std::size_t j = 0;
      if (values->size() < 2)
        return fail(key, "bgp-prefix-sid-srv6 is ( l3-service|l2-service SID ... )");
      if ((*values)[0].is("l2-service"))
        sid.l2_service = true;
      else if (!(*values)[0].is("l3-service"))
        return fail((*values)[0], "expected l3-service or l2-service");
      auto ip = IpAddress::parse((*values)[1].text);
      if (!ip || !ip->v6) return fail((*values)[1], "the SRv6 SID must be an IPv6 address");
      sid.sid = *ip;
      j = 2;
      if (j < values->size() && (*values)[j].kind == Token::word) {
        auto b = number<std::uint16_t>((*values)[j].text);
        if (!b) return fail((*values)[j], "the endpoint behavior must be a number");
        sid.behavior = *b;
        ++j;
      }
      if (j < values->size()) {
        if (!(*values)[j].is('[') || values->size() != j + 8 || !(*values)[j + 7].is(']'))
          return fail((*values)[j], "the SID structure is [ 6 numbers ]");
        std::array<std::uint8_t, 6> s{};
        for (std::size_t p = 0; p < 6; ++p) {
          auto b = number<std::uint8_t>((*values)[j + 1 + p].text);
          if (!b) return fail((*values)[j + 1 + p], "SID structure values are 0..255");
          s[p] = *b;
        }
        sid.structure = s;
      }
      x.prefix_sid_srv6 = sid;
    } else {
      return false;
    }
    return true;
  }

  // `PREFIX WORDS...` (w[0] is the prefix); family forced by `announce`.
  void static_route(Draft& d, std::span<const Token> w, std::optional<Family> forced) {
    auto prefix = values::prefix(w[0].text);
    if (!prefix) return error(w[0], "'" + w[0].text + "' is not a prefix");
    std::span<const Token> tail = w.subspan(1);
    // The same words as the route before: the same tail, no work.
    bool same = cache_valid_ && tail.size() == last_tail_.size();
    for (std::size_t j = 0; same && j < tail.size(); ++j)
      same = tail[j].kind == last_tail_[j].kind && tail[j].text == last_tail_[j].text;
    if (!same) {
      cache_valid_ = false;
      PathAttributes a;
      RouteExtras x;
      RouteTail t;
      bool failed = false;
      for (std::size_t i = 0; i < tail.size() && !failed;) {
        if (tail[i].is("path-information")) {
          if (i + 1 >= tail.size()) return error(tail[i], "'path-information' needs a value");
          auto v = values::id_value(tail[i + 1].text);
          if (!v) return error(tail[i + 1], "path-information must be a number or an IPv4 address");
          t.path_id = *v;
          i += 2;
        } else if (tail[i].is("split")) {
          if (i + 1 >= tail.size()) return error(tail[i], "'split' needs a value");
          std::string_view s = tail[i + 1].text;
          if (!s.empty() && s[0] == '/') s.remove_prefix(1);
          auto len = number<std::uint8_t>(s);
          if (!len) return error(tail[i + 1], "split is /LENGTH");
          t.split = *len;
          i += 2;
        } else if (!attribute_word(tail, i, a, x, t.next_hop_self, failed)) {
          return error(tail[i], "unknown route attribute '" + tail[i].text + "'");
        }
      }
      if (failed) return;
      if (!a.next_hop && !t.next_hop_self)
        return error(w[0], "route " + w[0].text + " needs a next-hop");
      if (!a.origin) a.origin = Origin::igp;  // ExaBGP's default
      if (!a.as_path) a.as_path = AsPath{};
      add_prefix_sid(a, x);
      t.attributes = intern(std::move(a));
      if (x != RouteExtras{}) t.extras = std::make_shared<const RouteExtras>(std::move(x));
      tail_ = std::move(t);
      last_tail_.resize(tail.size());
      for (std::size_t j = 0; j < tail.size(); ++j) {
        last_tail_[j].kind = tail[j].kind;
        last_tail_[j].text = tail[j].text;
      }
      cache_valid_ = true;
    }
    StaticRoute r;
    r.nlri.prefix = *prefix;
    r.nlri.path_id = tail_.path_id;
    r.next_hop_self = tail_.next_hop_self;
    r.attributes = tail_.attributes;
    r.extras = tail_.extras;
    r.where = at(w[0]);
    const auto afi = prefix->address.v6 ? Afi::ipv6 : Afi::ipv4;
    if (forced) {
      if (forced->afi != static_cast<std::uint16_t>(afi))
        return error(w[0], fmt::format("{} is not a prefix of {}", w[0].text, forced->to_string()));
      r.family = *forced;
    } else {
      const auto& x = r.extra();
      r.family = Family(afi, x.rd                ? Safi::mpls_vpn
                             : !x.labels.empty() ? Safi::nlri_mpls
                                                 : Safi::unicast);
    }
    if (!tail_.split) return d.n.routes.push_back(std::move(r));
    const unsigned max = prefix->address.v6 ? 128 : 32;
    const unsigned to = *tail_.split;
    if (to < prefix->length || to > max)
      return error(w[0],
                   fmt::format("split /{} is not within {}..{}", to, int{prefix->length}, max));
    if (to - prefix->length > 16)
      return error(w[0],
                   fmt::format("split /{} of {} makes more than 65536 routes", to, w[0].text));
    const std::uint32_t count = 1u << (to - prefix->length);
    for (std::uint32_t i = 0; i < count; ++i) {
      StaticRoute piece = r;
      piece.nlri.prefix.length = static_cast<std::uint8_t>(to);
      for (unsigned b = 0; b < to - prefix->length; ++b) {
        const unsigned bit = to - 1 - b;
        if ((i >> b) & 1)
          piece.nlri.prefix.address.bytes[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
      }
      d.n.routes.push_back(std::move(piece));
    }
  }

  SharedAttributes intern(PathAttributes a) {
    auto shared = share(std::move(a));
    auto [it, inserted] = pool_.insert(shared);
    return *it;
  }

  // `announce { ipv4 { unicast PREFIX ...; mup ...; } l2vpn { vpls ...; } }`
  void announce_statement(Draft& d) {
    if (!opens_block()) return;
    if (n_ != 1) return unknown("announce (expected ipv4, ipv6 or l2vpn)");
    const std::string afi = words_[0].text;
    if (afi != "ipv4" && afi != "ipv6" && afi != "l2vpn")
      return unknown("announce (expected ipv4, ipv6 or l2vpn)");
    block([&] {
      const std::string safi = words_[0].text;
      auto f = family_words(afi, safi);
      if (!f) return unknown("announce " + afi);
      if (safi == "unicast" || safi == "multicast" || safi == "nlri-mpls" || safi == "mpls-vpn") {
        if (n_ < 2) {
          error(words_[0], safi + " needs a prefix");
          if (end_.is('{')) skip_block();
          return;
        }
        return route_with_block(d, 1, *f);
      }
      if (safi == "sr-policy" || safi == "mup" || safi == "mcast-vpn" || safi == "vpls" ||
          safi == "rtc")
        return family_route(d, *f, safi);
      unknown("announce " + afi);
    });
  }

  void l2vpn_statement(Draft& d) {
    if (!words_[0].is("vpls")) return unknown("l2vpn (expected vpls)");
    family_route(d, Family(Afi::l2vpn, Safi::vpls), "vpls");
  }

  // sr-policy, mup, mcast-vpn, vpls: attributes typed, the NLRI's fields in
  // order. `KIND [NAME] WORDS;` or `KIND NAME { WORD VALUE; }`.
  void family_route(Draft& d, std::optional<Family> family, const std::string& kind) {
    FamilyRoute r;
    r.kind = kind;
    r.where = at(words_[0]);
    std::size_t from = 1;
    if (end_.is('{') && n_ > 1) {  // `vpls site5 { ... }`
      r.name = words_[1].text;
      from = 2;
    }
    collected_.assign(words_.begin() + static_cast<std::ptrdiff_t>(from),
                      words_.begin() + static_cast<std::ptrdiff_t>(n_));
    if (end_.is('{'))
      block([&] {
        if (!simple()) return;
        collected_.insert(collected_.end(), words_.begin(),
                          words_.begin() + static_cast<std::ptrdiff_t>(n_));
      });
    std::span<const Token> w = collected_;
    PathAttributes a;
    RouteExtras x;
    bool failed = false;
    for (std::size_t i = 0; i < w.size() && !failed;) {
      if (keyword_like(w[i]) && attribute_word(w, i, a, x, r.next_hop_self, failed)) continue;
      if (!keyword_like(w[i])) {
        error(w[i], fmt::format("expected a keyword of {}, not '{}'", kind, w[i].text));
        return;
      }
      Field field{w[i].text, {}};
      for (++i; i < w.size() && !keyword_like(w[i]); ++i) {
        if (w[i].kind == Token::quoted)
          field.values.push_back("\"" + w[i].text + "\"");
        else
          field.values.push_back(w[i].text);
      }
      r.fields.push_back(std::move(field));
    }
    if (failed) return;
    if (!x.name.empty()) r.name = x.name;
    r.rd = x.rd;
    x.name.clear();
    x.rd.reset();
    r.extras = std::move(x);
    if (!a.origin) a.origin = Origin::igp;
    if (!a.as_path) a.as_path = AsPath{};
    add_prefix_sid(a, r.extras);
    if (!family) {  // `sr-policy` in static: the endpoint's address family
      family = Family(Afi::ipv4, Safi::srte);
      for (const auto& f : r.fields)
        if (f.key == "endpoint" && !f.values.empty())
          if (auto ip = IpAddress::parse(f.values[0]); ip && ip->v6)
            family = Family(Afi::ipv6, Safi::srte);
    }
    r.family = *family;
    std::vector<wire::NlriField> fields;
    for (const auto& f : r.fields) fields.push_back({f.key, f.values});
    // Attributes the family's words make (sr-policy: Tunnel Encapsulation).
    if (const wire::FamilyRow* row = wire::family_row(r.family); row && row->route_attributes) {
      std::vector<wire::RawAttribute> made;
      if (auto why = row->route_attributes(fields, made))
        return error(r.where, r.family.to_string() + " route: " + *why);
      for (auto& m : made) {
        auto at = std::lower_bound(
            a.other.begin(), a.other.end(), m.code,
            [](const wire::RawAttribute& o, std::uint8_t c) { return o.code < c; });
        if (at != a.other.end() && at->code == m.code)
          *at = std::move(m);
        else
          a.other.insert(at, std::move(m));
      }
    }
    r.attributes = intern(std::move(a));
    if (family_supported(r.family))
      add_built_route(d, r.family, r.rd, fields, r.where, r.attributes, r.extras, r.next_hop_self);
    d.n.family_routes.push_back(std::move(r));
  }

  // A flow or family route as the speaker sends it: a StaticRoute whose NLRI
  // the family's row builds from the words (FamilyRow::from_fields), beside
  // the words kept for printing. An error names the route's first word.
  void add_built_route(Draft& d, Family family, const std::optional<RouteDistinguisher>& rd,
                       std::span<const wire::NlriField> fields, const Location& where,
                       SharedAttributes attributes, RouteExtras x, bool next_hop_self) {
    const wire::FamilyRow* row = wire::family_row(family);
    if (!row || !row->from_fields)
      return error(where, "family " + family.to_string() + " has no route words");
    std::optional<wire::RouteDistinguisher> wire_rd;
    if (rd) wire_rd = wire::RouteDistinguisher{rd->type, rd->value};
    auto built = row->from_fields(wire_rd, fields);
    if (auto* why = std::get_if<std::string>(&built))
      return error(where, family.to_string() + " route: " + *why);
    if (row->maps_ipv4_next_hop && family.afi == static_cast<std::uint16_t>(Afi::ipv6) &&
        attributes->next_hop && !attributes->next_hop->v6) {
      PathAttributes mapped = *attributes;
      IpAddress v6;
      v6.v6 = true;
      v6.bytes[10] = v6.bytes[11] = 0xFF;
      std::copy_n(attributes->next_hop->bytes.begin(), 4, v6.bytes.begin() + 12);
      mapped.next_hop = v6;
      attributes = intern(std::move(mapped));
    }
    StaticRoute s;
    s.family = family;
    s.next_hop_self = next_hop_self;
    s.attributes = std::move(attributes);
    s.where = where;
    s.extras = std::make_shared<const RouteExtras>(std::move(x));
    s.set_route_nlri(std::get<wire::Nlri>(built));
    d.n.routes.push_back(std::move(s));
  }

  void error(const Location& where, std::string reason) {
    if (errors_.size() < 1000) errors_.push_back(ParseError{where, std::move(reason)});
  }

  // `flow { route NAME { rd; next-hop; match {..} then {..} scope {..} } }`
  void flow_statement(Draft& d) {
    if (!words_[0].is("route")) return unknown("flow (expected 'route NAME { ... }')");
    if (!opens_block()) return;
    if (n_ > 2) return unknown("flow (expected 'route NAME { ... }')");
    FlowRoute r;
    r.where = at(words_[0]);
    if (n_ == 2) r.name = words_[1].text;
    PathAttributes a;
    bool v6 = false, vpn = false, failed = false;
    block([&] {
      const Token& key = words_[0];
      if (key.is("match") || key.is("then") || key.is("scope")) {
        if (!opens_block() || n_ != 1) {
          if (end_.is('{')) skip_block();
          if (n_ != 1) error(key, key.text + " takes no value");
          return;
        }
        const std::string which = key.text;
        return block([&] {
          if (!simple()) return;
          if (which == "match") return flow_match(r, v6, failed);
          if (which == "scope") {
            Field f{words_[0].text, {}};
            for (std::size_t i = 1; i < n_; ++i) f.values.push_back(words_[i].text);
            const auto action = wire::flow_action(f.key, f.values);
            if (const auto* why = std::get_if<std::string>(&action)) {
              failed = true;
              return error(words_[0], *why);
            }
            r.scope.push_back(std::move(f));
            return;
          }
          flow_then(r, a, failed);
        });
      }
      if (!simple()) return;
      if (n_ != 2) return error(key, "'" + key.text + "' takes one value");
      if (key.is("rd") || key.is("route-distinguisher")) {
        auto rd = values::route_distinguisher(words_[1].text);
        if (!rd) return error(words_[1], "rd must be ASN:N or IPv4:N");
        r.rd = *rd;
        vpn = true;
      } else if (key.is("next-hop")) {
        auto ip = IpAddress::parse(words_[1].text);
        if (!ip) return error(words_[1], "next-hop must be an IP address");
        r.next_hop = *ip;
      } else {
        unknown("flow route");
      }
    });
    if (failed) return;
    r.attributes = intern(a);
    r.family = Family(v6 ? Afi::ipv6 : Afi::ipv4, vpn ? Safi::flow_vpn : Safi::flow);
    // What is sent: the actions as communities and a next hop, ExaBGP's
    // default origin and AS path.
    std::optional<IpAddress> next_hop = r.next_hop;
    for (const auto* actions : {&r.then, &r.scope})
      for (const auto& f : *actions) {
        auto action = wire::flow_action(f.key, f.values);
        if (auto* why = std::get_if<std::string>(&action)) return error(r.where, *why);
        auto& add = std::get<wire::FlowAction>(action);
        if (!add.extended_communities.empty()) {
          if (!a.extended_communities) a.extended_communities.emplace();
          a.extended_communities->insert(a.extended_communities->end(),
                                         add.extended_communities.begin(),
                                         add.extended_communities.end());
        }
        for (auto& v6_community : add.ipv6_extended_communities)
          add_raw_attribute(a, ipv6_extended_communities, std::move(v6_community));
        if (add.next_hop && !next_hop) next_hop = add.next_hop;
      }
    a.next_hop = next_hop;
    if (!a.origin) a.origin = Origin::igp;
    if (!a.as_path) a.as_path = AsPath{};
    std::vector<wire::NlriField> fields;
    for (const auto& m : r.match) fields.push_back({m.component, m.terms});
    add_built_route(d, r.family, r.rd, fields, r.where, intern(std::move(a)), {}, false);
    d.n.flow_routes.push_back(std::move(r));
  }

  // RFC 8669, RFC 9252: `bgp-prefix-sid` and `bgp-prefix-sid-srv6` are sent
  // as the BGP Prefix-SID attribute (40); the extras keep the words for
  // printing, and the printer leaves the attribute out when they are there.
  static void add_prefix_sid(PathAttributes& a, const RouteExtras& x) {
    if (!x.prefix_sid && !x.prefix_sid_srv6) return;
    Bytes value;
    wire::Writer w(value);
    if (x.prefix_sid) {
      wire::prefix_sid::label_index(w, x.prefix_sid->label_index);
      if (!x.prefix_sid->srgbs.empty()) wire::prefix_sid::originator_srgb(w, x.prefix_sid->srgbs);
    }
    if (const auto& s = x.prefix_sid_srv6)
      wire::prefix_sid::srv6_service(w, s->l2_service, s->sid, s->behavior.value_or(0),
                                     s->structure);
    add_raw_attribute(a, wire::prefix_sid::attribute({}), std::move(value));
  }

  // RFC 5701: the IPv6 Address Specific Extended Community attribute (25),
  // optional transitive, which the codec carries as a RawAttribute.
  static constexpr wire::RawAttribute ipv6_extended_communities{
      wire::attr::flag::optional | wire::attr::flag::transitive, 25, {}};
  // Appends `value` to the attribute of `kind`'s code in `a.other` (kept
  // sorted by code), adding the attribute when it is not there.
  static void add_raw_attribute(PathAttributes& a, const wire::RawAttribute& kind, Bytes value) {
    auto at = std::lower_bound(
        a.other.begin(), a.other.end(), kind.code,
        [](const wire::RawAttribute& x, std::uint8_t code) { return x.code < code; });
    if (at == a.other.end() || at->code != kind.code)
      at = a.other.insert(at, wire::RawAttribute{kind.flags, kind.code, {}});
    at->value.insert(at->value.end(), value.begin(), value.end());
  }

  void flow_match(FlowRoute& r, bool& v6, bool& failed) {
    static const std::set<std::string, std::less<>> numeric = {
        "port",       "destination-port", "source-port",   "protocol", "next-header",
        "icmp-type",  "icmp-code",        "packet-length", "dscp",     "traffic-class",
        "flow-label", "fragment",         "tcp-flags"};
    const Token& key = words_[0];
    FlowMatch m{key.text, {}};
    std::size_t i = 1;
    if (key.is("source") || key.is("destination") || key.is("source-ipv4") ||
        key.is("destination-ipv4") || key.is("source-ipv6") || key.is("destination-ipv6")) {
      if (n_ != 2) return (void)(failed = true, error(key, key.text + " takes one prefix"));
      // PREFIX or, for IPv6, PREFIX/OFFSET (RFC 8956).
      std::string_view text = words_[1].text;
      auto second = text.find('/') == std::string_view::npos ? std::string_view::npos
                                                             : text.find('/', text.find('/') + 1);
      auto p = values::prefix(text.substr(0, second));
      if (!p || (second != std::string_view::npos &&
                 (!p->address.v6 || !number<std::uint8_t>(text.substr(second + 1)))))
        return (void)(failed = true,
                      error(words_[1], "'" + words_[1].text + "' is not a flow prefix"));
      v6 = v6 || p->address.v6;
      m.terms.push_back(words_[1].text);
    } else if (numeric.count(key.text)) {
      if (key.is("next-header") || key.is("traffic-class") || key.is("flow-label")) v6 = true;
      auto terms = list_words(i);
      if (i != n_ || terms.empty())
        return (void)(failed = true, error(key, key.text + " takes a value or a [ list ]"));
      for (const auto& t : terms) {
        // Operators (= > < ! & and letters for names) then a value.
        bool ok = !t.empty();
        for (char c : t)
          ok = ok &&
               ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '=' || c == '>' || c == '<' || c == '!' || c == '&' || c == '-' || c == '+');
        if (!ok)
          return (void)(failed = true,
                        error(key, "'" + t + "' is not a flow " + key.text + " term"));
      }
      m.terms = std::move(terms);
    } else {
      failed = true;
      return error(key, "unknown flow match component '" + key.text + "'");
    }
    r.match.push_back(std::move(m));
  }

  void flow_then(FlowRoute& r, PathAttributes& a, bool& failed) {
    const Token& key = words_[0];
    if (key.is("community") || key.is("extended-community") || key.is("large-community")) {
      RouteExtras x;
      bool self = false;
      std::span<const Token> w(words_.data(), n_);
      std::size_t i = 0;
      attribute_word(w, i, a, x, self, failed);
      if (!failed && i != n_) {
        failed = true;
        error(words_[i], "unexpected '" + words_[i].text + "'");
      }
      return;
    }
    // The family's row knows the actions (wire::flow_action); checked here
    // so that an error names the word.
    Field f{key.text, {}};
    for (std::size_t i = 1; i < n_; ++i) f.values.push_back(words_[i].text);
    const auto action = wire::flow_action(f.key, f.values);
    if (const auto* why = std::get_if<std::string>(&action)) {
      failed = true;
      return error(key, *why);
    }
    r.then.push_back(std::move(f));
  }

  Lexer lex_;
  Location file_;
  std::vector<Token> words_;
  std::size_t n_ = 0;
  Token end_;
  bool eof_ = false;
  std::vector<Token> collected_;
  Config config_;
  std::vector<ParseError> errors_;
  std::map<std::string, Draft> templates_;
  std::set<SharedAttributes, AttributeLess> pool_;
  // The last route's words after its prefix, and what they gave.
  std::vector<Token> last_tail_;
  RouteTail tail_;
  bool cache_valid_ = false;
};

}  // namespace

ParseResult parse_stream(std::istream& in, std::string_view file_name) {
  return Parser(in, file_name).run();
}

ParseResult parse_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return ParseResult{{}, {ParseError{Location{path.string(), 0, 0}, "cannot open the file"}}};
  return parse_stream(in, path.string());
}

namespace {
std::variant<Config, ParseError> first_error(ParseResult r) {
  if (!r.errors.empty()) return r.errors.front();
  return std::move(r.config);
}
}  // namespace

std::variant<Config, ParseError> parse_config(std::string_view text, std::string file_name) {
  std::istringstream in{std::string(text)};
  return first_error(parse_stream(in, file_name));
}

std::variant<Config, ParseError> load_config(const std::filesystem::path& path) {
  return first_error(parse_file(path));
}

std::variant<StaticRoute, ParseError> parse_route(std::string_view words, Location where) {
  std::istringstream in{std::string(words)};
  Parser p(in, where.file(), static_cast<std::uint32_t>(where.line()),
           static_cast<std::uint32_t>(where.column()));
  return p.single_route();
}

NeighborRoutes parse_neighbor_routes(std::string_view statements, Location where) {
  std::istringstream in{std::string(statements)};
  Parser p(in, where.file(), static_cast<std::uint32_t>(where.line()),
           static_cast<std::uint32_t>(where.column()));
  return p.neighbor_body();
}

}  // namespace bgpsim::config
