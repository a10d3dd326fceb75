// The canonical form of a configuration: every setting spelled out, values
// in one spelling (communities A:B, extended communities as 0x hex), routes
// one per line. It parses back to the same model (tests/config).
#include <fmt/format.h>

#include <algorithm>

#include "speaker/config/parser.hpp"
#include "speaker/config/values.hpp"
#include "speaker/wire/capability.hpp"
#include "speaker/wire/family_row.hpp"

namespace bgpsim::config {

using namespace bgpsim::wire;

namespace {

std::string quote(std::string_view s) {
  if (s.find('"') != std::string_view::npos) return fmt::format("'{}'", s);
  return fmt::format("\"{}\"", s);
}

// A word as the lexer reads it back: quoted when it holds anything but a word.
std::string word(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s)
    plain = plain && !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
                       c == ',' || c == '\\' || c == '#' || c == '"' || c == '\'' || c == '{' ||
                       c == '}' || c == ';' || c == '[' || c == ']' || c == '(' || c == ')');
  return plain ? std::string(s) : quote(s);
}

const char* on_off(bool b) { return b ? "enable" : "disable"; }
const char* yes_no(bool b) { return b ? "true" : "false"; }

std::string extras_words(const RouteExtras& x) {
  std::string out;
  if (x.rd) out += " rd " + x.rd->to_string();
  if (!x.labels.empty()) {
    out += " label [";
    for (auto l : x.labels) out += fmt::format(" {}", l);
    out += " ]";
  }
  if (!x.name.empty()) out += " name " + word(x.name);
  if (!x.watchdog.empty()) out += " watchdog " + word(x.watchdog);
  if (x.withdrawn) out += " withdraw";
  if (x.prefix_sid) {
    out += fmt::format(" bgp-prefix-sid [ {}", x.prefix_sid->label_index);
    if (!x.prefix_sid->srgbs.empty()) {
      out += " [";
      for (auto [base, range] : x.prefix_sid->srgbs) out += fmt::format(" ( {} {} )", base, range);
      out += " ]";
    }
    out += " ]";
  }
  if (x.prefix_sid_srv6) {
    const auto& s = *x.prefix_sid_srv6;
    out += fmt::format(" bgp-prefix-sid-srv6 ( {} {}", s.l2_service ? "l2-service" : "l3-service",
                       s.sid.to_string());
    if (s.behavior) out += fmt::format(" {}", *s.behavior);
    if (s.structure) {
      out += " [";
      for (auto b : *s.structure) out += fmt::format(" {}", b);
      out += " ]";
    }
    out += " )";
  }
  return out;
}

// The attributes of a route with its extras: the Prefix-SID attribute the
// parser made of `bgp-prefix-sid` words is printed as those words only.
std::string attribute_words(const PathAttributes& a, const RouteExtras& x) {
  if (!x.prefix_sid && !x.prefix_sid_srv6) return values::attribute_words(a);
  PathAttributes without = a;
  std::erase_if(without.other,
                [](const wire::RawAttribute& r) { return r.code == wire::prefix_sid::code; });
  return values::attribute_words(without);
}

std::string route_words(const StaticRoute& r) {
  std::string out = r.nlri.prefix.to_string();
  if (r.nlri.path_id) out += fmt::format(" path-information {}", *r.nlri.path_id);
  out += extras_words(r.extra());
  if (r.next_hop_self) out += " next-hop self";
  out += attribute_words(*r.attributes, r.extra());
  return out;
}

// The family the parser gives a route written in `static`.
Family static_family(const StaticRoute& r) {
  const auto afi = r.nlri.prefix.address.v6 ? Afi::ipv6 : Afi::ipv4;
  const auto& x = r.extra();
  return Family(afi, x.rd ? Safi::mpls_vpn : !x.labels.empty() ? Safi::nlri_mpls : Safi::unicast);
}

std::string family_text(Family f) {
  std::string s = f.to_string();
  return s;
}

void print_neighbor(std::string& out, const Neighbor& n) {
  auto line = [&](std::string_view s) { out += fmt::format("\t{}\n", s); };
  out += fmt::format("neighbor {} {{\n", n.peer_address.to_string());
  if (n.router_id) line(fmt::format("router-id {};", dotted_quad(*n.router_id)));
  if (n.local_address) line(fmt::format("local-address {};", n.local_address->to_string()));
  line(fmt::format("local-as {};", n.local_as));
  line(fmt::format("peer-as {};", n.peer_as));
  line(fmt::format("hold-time {};", n.hold_time_s));
  line(fmt::format("connect {};", n.connect_port));
  line(fmt::format("listen {};", n.listen_port));
  line(fmt::format("passive {};", yes_no(n.passive)));
  line(fmt::format("group-updates {};", yes_no(n.group_updates)));
  line(fmt::format("auto-flush {};", yes_no(n.auto_flush)));
  line(fmt::format("manual-eor {};", yes_no(n.manual_eor)));
  line(fmt::format("adj-rib-in {};", yes_no(n.adj_rib_in)));
  line(fmt::format("adj-rib-out {};", yes_no(n.adj_rib_out)));
  if (!n.description.empty()) line(fmt::format("description {};", quote(n.description)));
  if (!n.host_name.empty()) line(fmt::format("host-name {};", quote(n.host_name)));
  if (n.role) line(fmt::format("role {};", wire::cap::role_name(*n.role)));
  if (n.role_strict) line("role-strict true;");
  if (n.connect_retry_s != Neighbor{}.connect_retry_s)
    line(fmt::format("connect-retry {};", n.connect_retry_s));
  if (n.delay_open_s) line(fmt::format("delay-open {};", n.delay_open_s));
  if (n.send_notification_without_open) line("send-notification-without-open true;");
  if (n.send_hold_time_s) line(fmt::format("send-hold-time {};", n.send_hold_time_s));
  if (n.stale_routes_time_s != Neighbor{}.stale_routes_time_s)
    line(fmt::format("stale-routes-time {};", n.stale_routes_time_s));
  if (n.refresh_stale_time_s != Neighbor{}.refresh_stale_time_s)
    line(fmt::format("refresh-stale-time {};", n.refresh_stale_time_s));
  for (const auto& [family, limit] : n.maximum_prefix)
    line(fmt::format("maximum-prefix {} {};", family_text(family), limit));
  if (!n.domain_name.empty()) line(fmt::format("domain-name {};", quote(n.domain_name)));
  if (!n.md5_password.empty()) line(fmt::format("md5-password {};", quote(n.md5_password)));
  line(fmt::format("md5-base64 {};", yes_no(n.md5_base64)));
  if (n.md5_ip) line(fmt::format("md5-ip {};", n.md5_ip->to_string()));
  if (n.outgoing_ttl) line(fmt::format("outgoing-ttl {};", *n.outgoing_ttl));
  if (n.incoming_ttl) line(fmt::format("incoming-ttl {};", *n.incoming_ttl));
  if (n.local_link_local)
    line(fmt::format("local-link-local {};", n.local_link_local->to_string()));
  if (n.tcp_ao) {
    line("tcp-ao {");
    line(fmt::format("\tkeyid {};", n.tcp_ao->keyid));
    if (!n.tcp_ao->algorithm.empty()) line(fmt::format("\talgorithm {};", n.tcp_ao->algorithm));
    if (!n.tcp_ao->password.empty()) line(fmt::format("\tpassword {};", quote(n.tcp_ao->password)));
    line("}");
  }
  const auto& c = n.capabilities;
  line("capability {");
  line(fmt::format("\tasn4 {};", on_off(c.asn4)));
  line(fmt::format("\troute-refresh {};", on_off(c.route_refresh)));
  if (c.graceful_restart_s)
    line(fmt::format("\tgraceful-restart {};", *c.graceful_restart_s));
  else
    line("\tgraceful-restart disable;");
  if (c.graceful_restart_notification) line("\tgraceful-restart-notification true;");
  if (c.long_lived_stale_s)
    line(fmt::format("\tlong-lived-graceful-restart {};", *c.long_lived_stale_s));
  for (const auto& [family, stale_s] : c.long_lived_families)
    line(fmt::format("\tlong-lived-graceful-restart {} {};", family_text(family), stale_s));
  line(fmt::format("\tadd-path {};", c.add_path.send && c.add_path.receive ? "send/receive"
                                     : c.add_path.send                     ? "send"
                                     : c.add_path.receive                  ? "receive"
                                                                           : "disable"));
  line(fmt::format("\textended-message {};", on_off(c.extended_message)));
  line(fmt::format("\tnexthop {};", on_off(c.extended_next_hop)));
  line(fmt::format("\tsoftware-version {};", on_off(c.software_version)));
  line(fmt::format("\tmulti-session {};", on_off(c.multi_session)));
  line(fmt::format("\toperational {};", on_off(c.operational)));
  line(fmt::format("\tlink-local-nexthop {};", on_off(c.link_local_nexthop)));
  line(fmt::format("\taigp {};", on_off(c.aigp)));
  line("}");
  if (!n.families.empty()) {
    line("family {");
    for (auto f : n.families) line(fmt::format("\t{};", family_text(f)));
    line("}");
  }
  if (!c.add_path_families.empty()) {
    line("add-path {");
    auto limits = c.add_path_limits;
    for (auto f : c.add_path_families) {
      auto it =
          std::find_if(limits.begin(), limits.end(), [&](const auto& l) { return l.first == f; });
      if (it != limits.end()) {
        line(fmt::format("\t{} limit {};", family_text(f), it->second));
        limits.erase(it);
      } else {
        line(fmt::format("\t{};", family_text(f)));
      }
    }
    line("}");
  }
  if (!n.next_hops.empty()) {
    line("nexthop {");
    for (const auto& h : n.next_hops)
      line(fmt::format("\t{} {};", family_text(h.family), h.next_hop_afi == 2 ? "ipv6" : "ipv4"));
    line("}");
  }
  for (const auto& a : n.api) {
    line(a.name.empty() ? std::string("api {") : fmt::format("api {} {{", word(a.name)));
    if (!a.processes.empty()) {
      std::string names;
      for (const auto& p : a.processes) names += " " + word(p);
      line(fmt::format("\tprocesses [{} ];", names));
    }
    if (!a.processes_match.empty()) {
      std::string names;
      for (const auto& p : a.processes_match) names += " " + quote(p);
      line(fmt::format("\tprocesses-match [{} ];", names));
    }
    if (a.neighbor_changes) line("\tneighbor-changes;");
    if (a.negotiated) line("\tnegotiated;");
    for (auto [which, m] : {std::pair<const char*, const MessageSet*>{"receive", &a.receive},
                            std::pair<const char*, const MessageSet*>{"send", &a.send}}) {
      if (*m == MessageSet{}) continue;
      line(fmt::format("\t{} {{", which));
      const std::pair<const char*, bool> kinds[] = {{"parsed", m->parsed},
                                                    {"packets", m->packets},
                                                    {"consolidate", m->consolidate},
                                                    {"open", m->open},
                                                    {"update", m->update},
                                                    {"keepalive", m->keepalive},
                                                    {"notification", m->notification},
                                                    {"refresh", m->refresh},
                                                    {"operational", m->operational}};
      for (auto [name, on] : kinds)
        if (on) line(fmt::format("\t\t{};", name));
      line("\t}");
    }
    line("}");
  }
  // In `static` when the parser gives every route its family from its words;
  // otherwise all under `announce`, whose blocks name the family (runs of one
  // AFI, so the order of the routes is kept).
  // Routes of a family whose NLRI is not a prefix come from `flow` and
  // family routes, printed from their words below.
  std::vector<const StaticRoute*> routes;
  for (const auto& r : n.routes)
    if (const auto* row = wire::family_row(r.family); !row || !(row->flow || row->raw))
      routes.push_back(&r);
  bool all_static = true;
  for (const auto* r : routes) all_static = all_static && static_family(*r) == r->family;
  if (all_static && !routes.empty()) {
    line("static {");
    for (const auto* r : routes) line(fmt::format("\troute {};", route_words(*r)));
    line("}");
  }
  if ((!all_static && !routes.empty()) || !n.family_routes.empty()) {
    line("announce {");
    std::string afi;
    auto open = [&](const std::string& next) {
      if (next == afi) return;
      if (!afi.empty()) out += "\t\t}\n";
      afi = next;
      out += fmt::format("\t\t{} {{\n", afi);
    };
    if (!all_static)
      for (const auto* r : routes) {
        open(r->family.afi_name());
        out += fmt::format("\t\t\t{} {};\n", r->family.safi_name(), route_words(*r));
      }
    for (const auto& r : n.family_routes) {
      open(r.family.afi_name());
      std::string words = r.kind;
      if (!r.name.empty()) words += " name " + word(r.name);
      if (r.rd) words += " rd " + r.rd->to_string();
      words += extras_words(r.extras);
      if (r.next_hop_self) words += " next-hop self";
      for (const auto& f : r.fields) {
        words += " " + f.key;
        for (const auto& v : f.values) words += " " + v;
      }
      words += attribute_words(*r.attributes, r.extras);
      out += fmt::format("\t\t\t{};\n", words);
    }
    if (!afi.empty()) out += "\t\t}\n";
    line("}");
  }
  if (!n.flow_routes.empty()) {
    line("flow {");
    for (const auto& r : n.flow_routes) {
      line(r.name.empty() ? std::string("\troute {") : fmt::format("\troute {} {{", quote(r.name)));
      if (r.rd) line(fmt::format("\t\trd {};", r.rd->to_string()));
      if (r.next_hop) line(fmt::format("\t\tnext-hop {};", r.next_hop->to_string()));
      line("\t\tmatch {");
      for (const auto& m : r.match) {
        if (m.terms.size() == 1) {
          line(fmt::format("\t\t\t{} {};", m.component, m.terms[0]));
        } else {
          std::string terms;
          for (const auto& t : m.terms) terms += " " + t;
          line(fmt::format("\t\t\t{} [{} ];", m.component, terms));
        }
      }
      line("\t\t}");
      line("\t\tthen {");
      for (const auto& f : r.then) {
        std::string words = f.key;
        for (const auto& v : f.values) words += " " + v;
        line(fmt::format("\t\t\t{};", words));
      }
      const auto& a = *r.attributes;
      if (a.communities || a.extended_communities || a.large_communities) {
        PathAttributes only;
        only.communities = a.communities;
        only.extended_communities = a.extended_communities;
        only.large_communities = a.large_communities;
        std::string words = values::attribute_words(only);
        // One statement per attribute: split at the keywords.
        for (const char* k : {" community [", " extended-community [", " large-community ["}) {
          auto at = words.find(k);
          if (at == std::string::npos) continue;
          auto end = words.find(" ]", at);
          line(fmt::format("\t\t\t{};", words.substr(at + 1, end + 2 - at - 1)));
        }
      }
      line("\t\t}");
      if (!r.scope.empty()) {
        line("\t\tscope {");
        for (const auto& f : r.scope) {
          std::string words = f.key;
          for (const auto& v : f.values) words += " " + word(v);
          line(fmt::format("\t\t\t{};", words));
        }
        line("\t\t}");
      }
      line("\t}");
    }
    line("}");
  }
  out += "}\n";
}

}  // namespace

std::string print_config(const Config& config) {
  std::string out;
  for (const auto& p : config.processes) {
    out += fmt::format("process {} {{\n", word(p.name));
    std::string run;
    for (const auto& w : p.run) run += " " + word(w);
    out += fmt::format("\trun{};\n", run);
    out += fmt::format("\tencoder {};\n", p.encoder);
    out += fmt::format("\trespawn {};\n", yes_no(p.respawn));
    out += "}\n\n";
  }
  for (const auto& n : config.neighbors) {
    print_neighbor(out, n);
    out += "\n";
  }
  return out;
}

}  // namespace bgpsim::config
