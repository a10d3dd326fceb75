// The case table. Rows are generated from smaller tables (headers x states,
// attributes x malformations, Cease subcodes, ...): each row names the RFC
// text it checks. Expected reactions come from the RFCs, not from any
// implementation.
#include "qa/conform/cases.hpp"

#include <fmt/format.h>

namespace bgpsim::conform {

namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using Accepted = std::vector<std::pair<std::uint8_t, int>>;

// ------------------------------------------------------------- step makers

Step connect_step(int conn = 0) {
  Step s;
  s.op = Step::connect;
  s.conn = conn;
  return s;
}
Step send(Build b, int conn = 0) {
  Step s;
  s.op = Step::send;
  s.bytes = std::move(b);
  s.conn = conn;
  return s;
}
Step send_bytes(Bytes b, int conn = 0) {
  return send([b = std::move(b)](const Context&) { return b; }, conn);
}
Step expect(Outcome o, int conn = 0) {
  Step s;
  s.op = Step::expect;
  s.outcome = std::move(o);
  s.conn = conn;
  return s;
}
Step wait(ms t) {
  Step s;
  s.op = Step::wait;
  s.time = t;
  return s;
}
Step silence(int conn = 0) {
  Step s;
  s.op = Step::silence;
  s.conn = conn;
  return s;
}
// A connection the target must accept at once (it is listening).
Step connect_once(int conn) {
  Step s = connect_step(conn);
  s.once = true;
  return s;
}
Step close_step(int conn = 0) {
  Step s;
  s.op = Step::close;
  s.conn = conn;
  return s;
}
Step route(std::string prefix, bool present) {
  Step s;
  s.op = Step::route;
  s.prefix = std::move(prefix);
  s.present = present;
  return s;
}

Outcome notify(Accepted accepted, ms within = 5s) {
  return Outcome{Outcome::notification, std::move(accepted), within};
}
Outcome alive(ms within = 2s) { return Outcome{Outcome::alive, {}, within}; }
Outcome either(Accepted accepted, ms within = 3s) {
  return Outcome{Outcome::alive_or_notification, std::move(accepted), within};
}
Outcome of_kind(Outcome::Kind kind, ms within) { return Outcome{kind, {}, within}; }

// ------------------------------------------------------------------ bytes

bool as4(const Context& c) { return c.target.capabilities.count(65) != 0; }

Bytes asn(const Context& c, std::uint32_t v) {
  return as4(c) ? u32(v) : u16(static_cast<std::uint16_t>(v));
}

// Our OPEN: the families the target offers among IPv4 and IPv6 unicast
// (IPv4 unicast at least), route refresh, 4-octet ASNs.
OpenSpec base_open(const Context& c) {
  OpenSpec o;
  o.my_as = c.suite_as > 0xFFFF ? 23456 : static_cast<std::uint16_t>(c.suite_as);
  o.id = c.suite_id;
  o.capabilities.push_back(cap_multiprotocol(1, 1));
  if (c.target.families.count({2, 1})) o.capabilities.push_back(cap_multiprotocol(2, 1));
  o.capabilities.push_back(capability(2, {}));
  o.capabilities.push_back(cap_as4(c.suite_as));
  return o;
}

using Edit = std::function<void(OpenSpec&, const Context&)>;

Build open_with(Edit edit = {}) {
  return [edit](const Context& c) {
    OpenSpec o = base_open(c);
    if (edit) edit(o, c);
    return open(o);
  };
}

// Connect, exchange OPENs and KEEPALIVEs: the session is Established.
void establish(std::vector<Step>& steps, Edit edit = {}, int conn = 0) {
  steps.push_back(connect_step(conn));
  steps.push_back(send(open_with(std::move(edit)), conn));
  steps.push_back(expect(of_kind(Outcome::keepalive, 5s), conn));
  steps.push_back(send_bytes(keepalive(), conn));
}

Bytes origin_attr(std::uint8_t v = 0) { return attribute(0x40, 1, {v}); }
Bytes as_path_attr(const Context& c) {
  return attribute(0x40, 2, concat({{2, 1}, asn(c, c.suite_as)}));
}
Bytes next_hop_attr(const Context& c) {
  return attribute(0x40, 3, Bytes(c.next_hop.begin(), c.next_hop.end()));
}
Bytes base_attributes(const Context& c) {
  return concat({origin_attr(), as_path_attr(c), next_hop_attr(c)});
}

constexpr std::string_view P = "203.0.113.0/24";
constexpr std::string_view Q = "198.18.0.0/24";

Build announce(std::string_view prefix = P) {
  const std::string p(prefix);
  return [p](const Context& c) { return update({}, base_attributes(c), prefix4(p)); };
}

// Established, P announced and the target given a second to take it.
std::vector<Step> announced(Edit edit) {
  std::vector<Step> steps;
  establish(steps, std::move(edit));
  steps.push_back(send(announce()));
  steps.push_back(expect(alive(1s)));
  return steps;
}

// An UPDATE for P whose attributes are `attrs(ctx)`.
Build update_for(std::function<Bytes(const Context&)> attrs, std::string_view prefix = P) {
  const std::string p(prefix);
  return
      [attrs = std::move(attrs), p](const Context& c) { return update({}, attrs(c), prefix4(p)); };
}

// The base attributes with `extra` appended.
std::function<Bytes(const Context&)> plus(std::function<Bytes(const Context&)> extra) {
  return [extra = std::move(extra)](const Context& c) {
    return concat({base_attributes(c), extra(c)});
  };
}
std::function<Bytes(const Context&)> plus_bytes(Bytes extra) {
  return plus([extra = std::move(extra)](const Context&) { return extra; });
}

// The base attributes with one of ORIGIN (1), AS_PATH (2), NEXT_HOP (3)
// replaced by `replacement` (empty: left out).
std::function<Bytes(const Context&)> replacing(std::uint8_t code,
                                               std::function<Bytes(const Context&)> replacement) {
  return [code, replacement = std::move(replacement)](const Context& c) {
    Bytes out;
    for (std::uint8_t k : std::initializer_list<std::uint8_t>{1, 2, 3}) {
      Bytes a = k == code ? replacement(c)
                : k == 1  ? origin_attr()
                : k == 2  ? as_path_attr(c)
                          : next_hop_attr(c);
      out.insert(out.end(), a.begin(), a.end());
    }
    return out;
  };
}

// --------------------------------------------------------------- the table

class Table {
 public:
  std::vector<Case> cases;

  Case& add(std::string id, std::string rfc, std::string section, std::string level,
            std::string text, std::vector<Step> steps) {
    Case c;
    c.id = std::move(id);
    c.rfc = std::move(rfc);
    c.section = std::move(section);
    c.level = std::move(level);
    c.text = std::move(text);
    c.steps = std::move(steps);
    cases.push_back(std::move(c));
    return cases.back();
  }
};

// Where a message arrives: as the first message (OpenSent) or once Established.
enum class State { open_sent, established };

std::vector<Step> in_state(State s, Step stimulus, Outcome outcome) {
  std::vector<Step> steps;
  if (s == State::open_sent)
    steps.push_back(connect_step());
  else
    establish(steps);
  steps.push_back(std::move(stimulus));
  steps.push_back(expect(std::move(outcome)));
  return steps;
}

// RFC 4271 6.1: message header errors, in OpenSent and in Established.
void header_cases(Table& t) {
  for (State s : {State::open_sent, State::established}) {
    const std::string where = s == State::open_sent ? "opensent" : "established";
    struct Marker {
      std::string name;
      std::size_t at;
      std::uint8_t value;
    };
    for (const auto& m : {Marker{"first-octet-0", 0, 0x00}, Marker{"last-octet-fe", 15, 0xFE},
                          Marker{"middle-octet-7f", 7, 0x7F}}) {
      Bytes k = keepalive();
      k[m.at] = m.value;
      t.add(fmt::format("4271-6.1-marker-{}-{}", m.name, where), "RFC 4271", "6.1", "MUST",
            "a Marker not all ones: NOTIFICATION Message Header Error / Connection Not "
            "Synchronized",
            in_state(s, send_bytes(k), notify({{1, 1}})));
    }
    Bytes zero = keepalive();
    std::fill(zero.begin(), zero.begin() + 16, 0);
    t.add("4271-6.1-marker-all-zero-" + where, "RFC 4271", "6.1", "MUST",
          "an all-zero Marker: Connection Not Synchronized",
          in_state(s, send_bytes(zero), notify({{1, 1}})));
    for (std::uint16_t length : std::initializer_list<std::uint16_t>{0, 1, 18}) {
      t.add(fmt::format("4271-6.1-length-{}-{}", length, where), "RFC 4271", "6.1", "MUST",
            "a Length below 19: Message Header Error / Bad Message Length",
            in_state(s, send_bytes(message_with_length(msg::keepalive, {}, length)),
                     notify({{1, 2}})));
    }
    for (std::uint16_t length : std::initializer_list<std::uint16_t>{4097, 65535}) {
      // The whole announced length is sent: the target need not wait for more.
      t.add(
          fmt::format("4271-6.1-length-{}-{}", length, where), "RFC 4271 / RFC 8654", "6.1 / 4",
          "MUST", "a Length above 4096 without the Extended Message capability: Bad Message Length",
          in_state(s, send_bytes(message(msg::update, Bytes(length - 19u, 0))), notify({{1, 2}})));
    }
    for (std::uint8_t type : std::initializer_list<std::uint8_t>{0, 6, 100, 254, 255}) {
      t.add(fmt::format("4271-6.1-type-{}-{}", type, where), "RFC 4271", "6.1", "MUST",
            "an unrecognised Type: Message Header Error / Bad Message Type",
            in_state(s, send_bytes(message(type, {})), notify({{1, 3}})));
    }
  }
  // Per-type minimum and fixed lengths, once Established.
  struct Length {
    std::string name;
    Bytes bytes;
    Accepted accepted;
    std::string text;
  };
  const std::vector<Length> lengths = {
      {"keepalive-20",
       message(msg::keepalive, {0}),
       {{1, 2}},
       "a KEEPALIVE longer than 19 octets: Bad Message Length"},
      {"keepalive-23",
       message(msg::keepalive, {0, 0, 0, 0}),
       {{1, 2}},
       "a KEEPALIVE longer than 19 octets: Bad Message Length"},
      {"update-22",
       message(msg::update, {0, 0, 0}),
       {{1, 2}, {3, 1}},
       "an UPDATE shorter than 23 octets: Bad Message Length (Malformed Attribute List also "
       "read as right: the lengths cannot be read)"},
      {"update-19",
       message(msg::update, {}),
       {{1, 2}, {3, 1}},
       "an UPDATE of 19 octets: Bad Message Length"},
      {"open-28",
       message(msg::open, Bytes(9, 0)),
       {{1, 2}, {5, -1}},
       "an OPEN shorter than 29 octets: Bad Message Length (an OPEN in Established is an FSM "
       "error too)"},
  };
  for (const auto& l : lengths)
    t.add("4271-6.1-" + l.name + "-established", "RFC 4271", "6.1", "MUST", l.text,
          in_state(State::established, send_bytes(l.bytes), notify(l.accepted)));
  // RFC 4271 6.4: no NOTIFICATION answers a NOTIFICATION.
  t.add("4271-6.4-short-notification", "RFC 4271", "6.1 / 6.4", "MUST",
        "a NOTIFICATION of 20 octets: the connection is closed, and no NOTIFICATION answers it",
        in_state(State::established, send_bytes(message(msg::notification, {6})),
                 of_kind(Outcome::closed, 5s)));
  t.add("4271-6.1-open-28-opensent", "RFC 4271", "6.1", "MUST",
        "an OPEN shorter than 29 octets: Bad Message Length",
        in_state(State::open_sent, send_bytes(message(msg::open, Bytes(9, 0))),
                 notify({{1, 2}, {2, 0}})));
}

// RFC 4271 6.2: OPEN message errors, and what the OPEN may carry.
void open_cases(Table& t) {
  auto first = [](Build open, Outcome outcome) {
    return std::vector<Step>{connect_step(), send(std::move(open)), expect(std::move(outcome))};
  };
  for (std::uint8_t v : std::initializer_list<std::uint8_t>{0, 1, 2, 3, 5, 255}) {
    t.add(fmt::format("4271-6.2-version-{}", v), "RFC 4271", "6.2", "MUST",
          "an unsupported version number: OPEN Message Error / Unsupported Version Number",
          first(open_with([v](OpenSpec& o, const Context&) { o.version = v; }), notify({{2, 1}})));
  }
  t.add("4271-6.2-bad-peer-as", "RFC 4271", "6.2", "MUST",
        "My AS other than the configured peer AS: OPEN Message Error / Bad Peer AS",
        first(open_with([](OpenSpec& o, const Context& c) {
                o.my_as = static_cast<std::uint16_t>(c.suite_as + 1);
                o.capabilities.back() = cap_as4(c.suite_as + 1);
              }),
              notify({{2, 2}})));
  t.add("6793-4.1-as4-capability-wrong", "RFC 6793", "4.1", "MUST",
        "a 4-octet AS capability naming another AS (My AS right): Bad Peer AS",
        first(open_with([](OpenSpec& o, const Context& c) {
                o.capabilities.back() = cap_as4(c.suite_as + 7);
              }),
              notify({{2, 2}})));
  t.add("6793-4.1-as-trans-in-my-as", "RFC 6793", "4.1", "MUST",
        "My AS = AS_TRANS with the true AS in the 4-octet AS capability: accepted",
        first(open_with([](OpenSpec& o, const Context&) { o.my_as = 23456; }),
              of_kind(Outcome::keepalive, 5s)));
  t.add("7607-3-my-as-0", "RFC 7607", "3", "MUST",
        "AS 0 in My AS: OPEN Message Error / Bad Peer AS",
        first(open_with([](OpenSpec& o, const Context&) { o.my_as = 0; }), notify({{2, 2}})));
  t.add("7607-3-as4-capability-0", "RFC 7607", "3", "MUST",
        "AS 0 in the 4-octet AS capability: Bad Peer AS",
        first(open_with([](OpenSpec& o, const Context&) { o.capabilities.back() = cap_as4(0); }),
              notify({{2, 2}})));
  for (std::uint16_t hold : std::initializer_list<std::uint16_t>{1, 2}) {
    t.add(fmt::format("4271-6.2-hold-{}", hold), "RFC 4271", "6.2", "MUST",
          "a Hold Time of 1 or 2 seconds: OPEN Message Error / Unacceptable Hold Time",
          first(open_with([hold](OpenSpec& o, const Context&) { o.hold_s = hold; }),
                notify({{2, 6}})));
  }
  for (std::uint16_t hold : std::initializer_list<std::uint16_t>{0, 3, 65535}) {
    t.add(fmt::format("4271-4.2-hold-{}-accepted", hold), "RFC 4271", "4.2 / 6.2", "MUST",
          "a Hold Time of 0 or at least 3 seconds is acceptable",
          first(open_with([hold](OpenSpec& o, const Context&) { o.hold_s = hold; }),
                of_kind(Outcome::keepalive, 5s)));
  }
  t.add("6286-2.2-id-zero", "RFC 6286 / RFC 4271", "2.2 / 6.2", "MUST",
        "BGP Identifier 0: OPEN Message Error / Bad BGP Identifier",
        first(open_with([](OpenSpec& o, const Context&) { o.id = 0; }), notify({{2, 3}})));
  {
    Case& c = t.add("6286-2.2-id-same-as-target-ebgp", "RFC 6286", "2.2", "MAY",
                    "an external peer's identifier equal to the target's own: accepted, or Bad "
                    "BGP Identifier",
                    first(open_with([](OpenSpec& o, const Context& x) { o.id = x.target.id; }),
                          either({{2, 3}}, 3s)));
    c.note = "RFC 6286 requires unique identifiers within an AS only; rejecting is allowed";
  }
  for (std::uint8_t type : std::initializer_list<std::uint8_t>{1, 3, 4, 200}) {
    t.add(fmt::format("4271-6.2-parameter-{}", type), "RFC 4271", "6.2", "MUST",
          "an unrecognised Optional Parameter: OPEN Message Error / Unsupported Optional "
          "Parameter",
          first(open_with([type](OpenSpec& o, const Context&) {
                  o.parameters.push_back({type, 2, 0xAB, 0xCD});
                }),
                notify({{2, 4}})));
  }
  for (std::uint8_t code : std::initializer_list<std::uint8_t>{0, 100, 200, 255}) {
    t.add(fmt::format("5492-5-unknown-capability-{}", code), "RFC 5492", "5", "MUST",
          "an unrecognised capability is ignored",
          first(open_with([code](OpenSpec& o, const Context&) {
                  o.capabilities.push_back(capability(code, {1, 2, 3}));
                }),
                of_kind(Outcome::keepalive, 5s)));
  }
  t.add("5492-4-capabilities-in-one-parameter", "RFC 5492", "4", "MUST",
        "several capabilities in one Capabilities parameter are read like separate ones",
        first(
            [](const Context& c) {
              OpenSpec o = base_open(c);
              Bytes all;
              for (const auto& cap : o.capabilities) all.insert(all.end(), cap.begin(), cap.end());
              o.capabilities.clear();
              o.parameters.push_back(concat({{2, static_cast<std::uint8_t>(all.size())}, all}));
              return open(o);
            },
            of_kind(Outcome::keepalive, 5s)));
  t.add("5492-4-no-capabilities", "RFC 5492 / RFC 4760", "3 / 8", "SHOULD",
        "an OPEN without any capability: a session for IPv4 unicast (or Unsupported "
        "Capability)",
        first(
            [](const Context& c) {
              OpenSpec o = base_open(c);
              o.capabilities.clear();
              return open(o);
            },
            Outcome{Outcome::alive_or_notification, {{2, 7}}, 3s}))
      .note = "a speaker that requires capabilities may refuse with 2/7 (RFC 5492 5)";
  {
    Case& c = t.add("4271-6.2-parameter-overrun", "RFC 4271", "6.2", "MUST",
                    "Optional Parameters Length beyond the message: an OPEN Message Error (any "
                    "subcode) or Bad Message Length",
                    first(
                        [](const Context& x) {
                          Bytes m = open(base_open(x));
                          m[28] = static_cast<std::uint8_t>(m[28] + 10);
                          return m;
                        },
                        notify({{2, -1}, {1, 2}})));
    c.note = "RFC 4271 names no subcode for it";
  }
  {
    Case& c = t.add("5492-4-capability-overrun", "RFC 5492", "4", "MUST",
                    "a capability whose length runs past its parameter: OPEN Message Error",
                    first(
                        [](const Context& x) {
                          OpenSpec o = base_open(x);
                          o.parameters.push_back({2, 4, 65, 9, 0, 0});
                          return open(o);
                        },
                        notify({{2, -1}})));
    c.note = "RFC 5492 names no subcode for it";
  }
  t.add("9072-2-extended-parameters", "RFC 9072", "2", "MUST",
        "Optional Parameters in the extended (two-octet length) form are accepted",
        first(open_with([](OpenSpec& o, const Context&) { o.extended_parameters = true; }),
              of_kind(Outcome::keepalive, 5s)));
  // RFC 9234 roles: the target's role decides which of ours pairs with it.
  for (std::uint8_t ours : std::initializer_list<std::uint8_t>{0, 1, 2, 3, 4}) {
    Case& c = t.add(fmt::format("9234-4.2-role-{}", ours), "RFC 9234", "4.2", "MUST",
                    "a BGP Role that does not pair with the target's: OPEN Message Error / Role "
                    "Mismatch; the pairing one is accepted",
                    first(open_with([ours](OpenSpec& o, const Context&) {
                            o.capabilities.push_back(capability(9, {ours}));
                          }),
                          Outcome{Outcome::role, {}, 5s, ours}));
    c.needs = Needs::role;
    c.note = "pairs: Provider (0) - Customer (3), RS (1) - RS-Client (2), Peer (4) - Peer (4)";
  }
}

// RFC 9234 5: the Only to Customer attribute, on a session whose roles pair.
std::uint8_t pairing_role(std::uint8_t target) {
  switch (target) {
    case 0:
      return 3;  // provider -> we are its customer
    case 3:
      return 0;
    case 1:
      return 2;  // RS -> RS-client
    case 2:
      return 1;
  }
  return 4;  // peer
}

void otc_cases(Table& t) {
  auto paired = [](OpenSpec& o, const Context& c) {
    o.capabilities.push_back(capability(9, {pairing_role(c.target.role)}));
  };
  // Where the target sits: routes from a provider or RS may carry OTC.
  auto from_above = [](const Context& c) { return c.target.role == 3 || c.target.role == 2; };
  auto otc = [](std::function<Bytes(const Context&)> value) {
    return plus(
        [value = std::move(value)](const Context& c) { return attribute(0xC0, 35, value(c)); });
  };
  struct Row {
    std::string name, level, text;
    std::function<Bytes(const Context&)> attrs;
    std::function<bool(const Context&)> kept;
  };
  const std::vector<Row> rows = {
      {"otc-foreign-as", "MUST",
       "a route with OTC of another AS: a leak (ineligible) from a customer, RS-client or peer; "
       "kept from a provider or RS",
       otc([](const Context&) { return u32(64999); }), from_above},
      {"otc-own-as", "MUST",
       "a route with OTC equal to the sender's AS: a leak from a customer or RS-client; kept from "
       "a peer, provider or RS",
       otc([](const Context& c) { return u32(c.suite_as); }),
       [](const Context& c) { return c.target.role != 0 && c.target.role != 1; }},
      {"otc-length-3", "MUST", "a malformed OTC (length 3): treat-as-withdraw",
       otc([](const Context&) {
         return Bytes{0, 0, 1};
       }),
       [](const Context&) { return false; }},
      {"otc-absent", "MUST",
       "a route without OTC is accepted (OTC added when from above or a peer)",
       [](const Context& c) { return base_attributes(c); }, [](const Context&) { return true; }},
  };
  for (const auto& r : rows) {
    std::vector<Step> steps;
    establish(steps, paired);
    steps.push_back(send(update_for(r.attrs)));
    steps.push_back(expect(alive(2s)));
    Step check = route(std::string(P), true);
    check.present_if = r.kept;
    steps.push_back(std::move(check));
    Case& c = t.add("9234-5-" + r.name, "RFC 9234", "5", r.level, r.text, std::move(steps));
    c.needs = Needs::role;
    c.note = "the suite takes the role that pairs with the target's";
  }
  {
    // Egress: the target's own route (a live daemon announces one it is
    // configured with, so it carries no OTC before the target adds one).
    std::vector<Step> steps;
    establish(steps, paired);
    Outcome sent = of_kind(Outcome::update, 5s);
    sent.check = [](const Bytes& m, const Context& c) -> std::string {
      Bytes value;
      const bool has = find_attribute(m, 35, value);
      // The target is our Provider, RS or Peer: we are below it, or its peer.
      const bool to_below = c.target.role == 0 || c.target.role == 1 || c.target.role == 4;
      if (!to_below) return has ? "a route with OTC sent to its provider or RS" : std::string();
      if (!has) return "no OTC on a route sent to its customer, RS-client or peer";
      if (value != u32(c.target.asn))
        return fmt::format("OTC of {} octets ({}) where the target's AS {} was due", value.size(),
                           value.size() == 4 ? "another AS" : "malformed", c.target.asn);
      return "";
    };
    steps.push_back(expect(std::move(sent)));
    Case& c = t.add("9234-5-otc-egress", "RFC 9234", "5", "MUST",
                    "a route sent to a customer, RS-client or peer carries OTC (the local AS when "
                    "it had none); one sent to a provider or RS carries none",
                    std::move(steps));
    c.needs = Needs::role;
    c.note = "the target must announce a route of its own";
  }
  {
    Case& c = t.add("9234-4.2-two-roles", "RFC 9234", "4.2", "MUST",
                    "two BGP Role capabilities with different values: Role Mismatch",
                    {connect_step(), send(open_with([](OpenSpec& o, const Context& x) {
                       o.capabilities.push_back(capability(9, {pairing_role(x.target.role)}));
                       o.capabilities.push_back(capability(
                           9, {static_cast<std::uint8_t>((pairing_role(x.target.role) + 1) % 5)}));
                     })),
                     expect(notify({{2, 11}}))});
    c.needs = Needs::role;
  }
}

// RFC 4271 4.4, 6.5, 8: timers.
void timer_cases(Table& t) {
  for (std::uint16_t hold : std::initializer_list<std::uint16_t>{3, 9, 30}) {
    std::vector<Step> steps;
    establish(steps, [hold](OpenSpec& o, const Context&) { o.hold_s = hold; });
    steps.push_back(silence());
    steps.push_back(expect(notify({{4, 0}}, ms(hold * 1000 + 1500))));
    t.add(fmt::format("4271-6.5-hold-expired-{}", hold), "RFC 4271", "6.5 / 8.2.2", "MUST",
          "nothing received for the Hold Time: NOTIFICATION Hold Timer Expired", std::move(steps));
  }
  for (std::uint16_t hold : std::initializer_list<std::uint16_t>{3, 9, 30}) {
    std::vector<Step> steps;
    establish(steps, [hold](OpenSpec& o, const Context&) { o.hold_s = hold; });
    steps.push_back(wait(1s));
    steps.push_back(expect(of_kind(Outcome::keepalive, ms(hold * 1000 / 3 + 1000))));
    steps.push_back(expect(of_kind(Outcome::keepalive, ms(hold * 1000 / 3 + 1000))));
    t.add(fmt::format("4271-4.4-keepalive-interval-{}", hold), "RFC 4271", "4.4 / 10", "SHOULD",
          "KEEPALIVEs at most a third of the Hold Time apart", std::move(steps));
  }
  {
    std::vector<Step> steps;
    steps.push_back(connect_step());
    steps.push_back(send(open_with([](OpenSpec& o, const Context&) { o.hold_s = 9; })));
    steps.push_back(expect(of_kind(Outcome::keepalive, 5s)));
    steps.push_back(expect(notify({{4, 0}}, 11s)));
    t.add("4271-8.2.2-hold-expired-openconfirm", "RFC 4271", "8.2.2", "MUST",
          "OpenConfirm and no KEEPALIVE for the Hold Time: Hold Timer Expired", std::move(steps));
  }
  {
    std::vector<Step> steps{connect_step(), expect(notify({{4, 0}}, 300s))};
    Case& c = t.add("4271-8.2.2-opensent-hold", "RFC 4271", "8.2.2", "SHOULD",
                    "no OPEN from the peer: OpenSent's large hold timer (4 minutes suggested) "
                    "expires with Hold Timer Expired",
                    std::move(steps));
    c.long_timer = true;
  }
  {
    std::vector<Step> steps;
    establish(steps, [](OpenSpec& o, const Context&) { o.hold_s = 0; });
    steps.push_back(silence());
    steps.push_back(wait(1s));
    steps.push_back(expect(of_kind(Outcome::quiet, 200s)));
    Case& c = t.add("4271-4.4-hold-zero", "RFC 4271", "4.4 / 4.2", "MUST",
                    "a negotiated Hold Time of 0: no KEEPALIVEs sent, the session never times "
                    "out",
                    std::move(steps));
    c.long_timer = true;
  }
}

// RFC 4271 8.2.2 and RFC 6608: messages in the wrong state.
void fsm_cases(Table& t) {
  struct Wrong {
    std::string name;
    Build bytes;
  };
  const std::vector<Wrong> messages = {
      {"update", announce()},
      {"keepalive", [](const Context&) { return keepalive(); }},
      {"route-refresh", [](const Context&) { return route_refresh(1, 0, 1); }},
  };
  for (const auto& w : messages) {
    t.add("6608-opensent-" + w.name, "RFC 4271 / RFC 6608", "8.2.2 / 4", "MUST",
          "a message other than OPEN or NOTIFICATION in OpenSent: Finite State Machine Error "
          "(subcode 1 by RFC 6608)",
          std::vector<Step>{connect_step(), send(w.bytes), expect(notify({{5, 0}, {5, 1}}))});
  }
  for (const auto& w : std::vector<Wrong>{messages[0], messages[2]}) {
    t.add("6608-openconfirm-" + w.name, "RFC 4271 / RFC 6608", "8.2.2 / 4", "MUST",
          "a message other than KEEPALIVE or NOTIFICATION in OpenConfirm: Finite State Machine "
          "Error (subcode 2 by RFC 6608)",
          std::vector<Step>{connect_step(), send(open_with()),
                            expect(of_kind(Outcome::keepalive, 5s)), send(w.bytes),
                            expect(notify({{5, 0}, {5, 2}}))});
  }
  {
    Case& c = t.add("6608-openconfirm-open", "RFC 4271 / RFC 6608", "8.2.2 / 6.8", "MUST",
                    "a second OPEN in OpenConfirm: Finite State Machine Error, or Cease / "
                    "Connection Collision Resolution",
                    std::vector<Step>{connect_step(), send(open_with()),
                                      expect(of_kind(Outcome::keepalive, 5s)), send(open_with()),
                                      expect(notify({{5, 0}, {5, 2}, {6, 7}}))});
    c.note = "RFC 4271 8.2.2 runs collision detection on an OPEN in OpenConfirm";
  }
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send(open_with()));
    steps.push_back(expect(notify({{5, 0}, {5, 3}})));
    t.add("6608-established-open", "RFC 4271 / RFC 6608", "8.2.2 / 4", "MUST",
          "an OPEN in Established: Finite State Machine Error (subcode 3 by RFC 6608)",
          std::move(steps));
  }
  // A NOTIFICATION from us ends the session; none comes back (RFC 4271 6.4).
  for (std::uint8_t sub = 1; sub <= 10; ++sub) {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send_bytes(notification(6, sub)));
    steps.push_back(expect(of_kind(Outcome::closed, 5s)));
    t.add(fmt::format("4486-cease-{}", sub), "RFC 4271 / RFC 4486", "6.4 / 8.2.2", "MUST",
          "a Cease NOTIFICATION ends the session; no NOTIFICATION is sent back", std::move(steps));
  }
  for (std::uint8_t code : std::initializer_list<std::uint8_t>{1, 2, 3, 4, 5, 7, 9, 200}) {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send_bytes(notification(code, 0)));
    steps.push_back(expect(of_kind(Outcome::closed, 5s)));
    t.add(fmt::format("4271-6.4-notification-{}", code), "RFC 4271", "6.4 / 8.2.2", "MUST",
          "a NOTIFICATION (any code, known or not) ends the session without a NOTIFICATION "
          "back",
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps);
    const std::string text = "maintenance until 06:00";
    Bytes data{static_cast<std::uint8_t>(text.size())};
    data.insert(data.end(), text.begin(), text.end());
    steps.push_back(send_bytes(notification(6, 2, data)));
    steps.push_back(expect(of_kind(Outcome::closed, 5s)));
    t.add("9003-2-shutdown-communication", "RFC 9003", "2", "MUST",
          "Administrative Shutdown with a Shutdown Communication ends the session",
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send_bytes(notification(6, 4, {200, 'x', 'y'})));
    steps.push_back(expect(of_kind(Outcome::closed, 5s)));
    t.add("9003-4-malformed-communication", "RFC 9003", "4", "MUST",
          "a Shutdown Communication whose length overruns the data still ends the session, "
          "without a NOTIFICATION back",
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    steps.push_back(connect_step());
    steps.push_back(send_bytes(notification(6, 2)));
    steps.push_back(expect(of_kind(Outcome::closed, 5s)));
    t.add("4271-8.2.2-notification-opensent", "RFC 4271", "8.2.2", "MUST",
          "a NOTIFICATION in OpenSent closes the connection", std::move(steps));
  }
  // Event 24, NotifMsgVerErr: OPEN Message Error / Unsupported Version
  // Number (data: the version we would speak). OpenSent and OpenConfirm "drop
  // the TCP connection, and change [their] state to Idle"; no NOTIFICATION
  // answers it.
  for (bool confirm : {false, true}) {
    Outcome closed = of_kind(Outcome::closed, 5s);
    closed.silent = true;
    std::vector<Step> steps{connect_step()};
    if (confirm) {
      steps.push_back(send(open_with()));
      steps.push_back(expect(of_kind(Outcome::keepalive, 5s)));
    }
    steps.push_back(send_bytes(notification(2, 1, {0, 4})));
    steps.push_back(expect(std::move(closed)));
    t.add(fmt::format("4271-8.2.2-version-error-{}", confirm ? "openconfirm" : "opensent"),
          "RFC 4271", "8.2.2", "MUST",
          fmt::format("NotifMsgVerErr (event 24: NOTIFICATION 2/1) in {} closes the connection "
                      "without a NOTIFICATION back",
                      confirm ? "OpenConfirm" : "OpenSent"),
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    steps.push_back(connect_step());
    steps.push_back(send(open_with()));
    steps.push_back(expect(of_kind(Outcome::keepalive, 5s)));
    steps.push_back(send_bytes(notification(6, 2)));
    steps.push_back(expect(of_kind(Outcome::closed, 5s)));
    t.add("4271-8.2.2-notification-openconfirm", "RFC 4271", "8.2.2", "MUST",
          "a NOTIFICATION in OpenConfirm closes the connection", std::move(steps));
  }
  // RFC 4271 6.8: a second connection while one is Established.
  {
    std::vector<Step> steps;
    establish(steps);
    Step second = connect_step(1);
    second.closed_ok = true;
    steps.push_back(std::move(second));
    steps.push_back(send(open_with(), 1));
    steps.push_back(expect(Outcome{Outcome::closed, {{6, 7}, {6, 5}}, 5s}, 1));
    steps.push_back(expect(alive(2s), 0));
    Case& c = t.add("4271-6.8-collision-established", "RFC 4271 / RFC 4486", "6.8", "MUST",
                    "a new connection colliding with an Established one is closed (Cease / "
                    "Connection Collision Resolution); the Established one stays",
                    std::move(steps));
    c.note =
        "Cease / Connection Rejected (6/5) on the new connection is accepted too, and so "
        "is closing it before or without the target's OPEN";
  }
  // RFC 4271 8.2.2 OpenSent, TcpConnectionFails (event 18): "closes the BGP
  // connection, restarts the ConnectRetryTimer, continues to listen for a
  // connection that may be initiated by the remote BGP peer, and changes its
  // state to Active" -- a new connection right after is accepted, no hold-down.
  {
    std::vector<Step> steps{connect_step(),       close_step(),
                            wait(200ms),          connect_once(1),
                            send(open_with(), 1), expect(of_kind(Outcome::keepalive, 5s), 1)};
    t.add("4271-8.2.2-opensent-tcp-fails-active", "RFC 4271", "8.2.2", "MUST",
          "the connection closed in OpenSent (event 18): the target goes to Active and "
          "accepts the peer's next connection at once",
          std::move(steps));
  }
  // OpenSent, events 16/17: "A second TCP connection may be in progress. This
  // second TCP connection is tracked per Connection Collision processing
  // (Section 6.8) until an OPEN message is received." The target answers it
  // with its own OPEN, and an OPEN on it is processed.
  {
    std::vector<Step> steps{connect_step(), connect_once(1), send(open_with(), 1),
                            expect(of_kind(Outcome::keepalive, 5s), 1)};
    t.add("4271-8.2.2-opensent-second-connection", "RFC 4271", "8.2.2 / 6.8", "MUST",
          "a second connection while the first is in OpenSent is tracked: the target sends "
          "its OPEN on it and takes the peer's OPEN there",
          std::move(steps));
  }
  // RFC 4271 6.8 with one connection in OpenConfirm and the OPEN on a second:
  // "If the value of the local BGP Identifier is less than the remote one, the
  // local system closes the BGP connection that already exists (the one that
  // is already in the OpenConfirm state), and accepts the BGP connection
  // initiated by the remote system. Otherwise, the local system closes the
  // newly created BGP connection (the one associated with the newly received
  // OPEN message)". Both connections are ours, so the text decides alone.
  for (bool remote_higher : {true, false}) {
    const Edit id = [remote_higher](OpenSpec& o, const Context& c) {
      o.id = remote_higher ? c.target.id + 1 : c.target.id - 1;
    };
    std::vector<Step> steps{connect_step(), send(open_with(id)),
                            expect(of_kind(Outcome::keepalive, 5s)), connect_once(1),
                            send(open_with(id), 1)};
    const int dumped = remote_higher ? 0 : 1, kept = 1 - dumped;
    steps.push_back(expect(notify({{6, 7}}), dumped));
    if (kept == 1) {
      steps.push_back(expect(of_kind(Outcome::keepalive, 5s), 1));
    } else {  // already past its KEEPALIVE: Established by ours, and stays up
      steps.push_back(send_bytes(keepalive(), 0));
      steps.push_back(expect(alive(2s), 0));
    }
    t.add(fmt::format("4271-6.8-collision-openconfirm-{}", remote_higher ? "higher" : "lower"),
          "RFC 4271 / RFC 4486", "6.8", "MUST",
          remote_higher ? "an OPEN with a higher BGP Identifier on a second connection: the "
                          "one in OpenConfirm is closed (Cease / Connection Collision "
                          "Resolution), the new one goes on"
                        : "an OPEN with a lower BGP Identifier on a second connection: the new "
                          "one is closed (Cease / Connection Collision Resolution), the one in "
                          "OpenConfirm goes on",
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(expect(alive(5s)));
    t.add("4271-8.2.2-established", "RFC 4271", "8.2.2", "MUST",
          "OPEN, KEEPALIVE: the session is Established and stays up", std::move(steps));
  }
}

// RFC 4271 6.3 and RFC 7606: UPDATE errors. Each case announces P first and
// checks the target holds it, then sends the faulty UPDATE for P.
enum class Action { withdraw, discard, reset, accept };

void update_case(Table& t, std::string id, std::string rfc, std::string section, std::string text,
                 Build faulty, Action action, Accepted reset_codes = {{3, -1}}) {
  std::vector<Step> steps;
  establish(steps);
  steps.push_back(send(announce()));
  steps.push_back(expect(alive(1s)));
  steps.push_back(route(std::string(P), true));
  steps.push_back(send(std::move(faulty)));
  switch (action) {
    case Action::withdraw:
      steps.push_back(expect(alive(2s)));
      steps.push_back(route(std::string(P), false));
      text += ": treat-as-withdraw (the session stays, the route goes)";
      break;
    case Action::discard:
    case Action::accept:
      steps.push_back(expect(alive(2s)));
      steps.push_back(route(std::string(P), true));
      text += action == Action::discard ? ": attribute discard (the session and the route stay)"
                                        : ": accepted";
      break;
    case Action::reset:
      steps.push_back(expect(notify(std::move(reset_codes))));
      text += ": session reset (NOTIFICATION)";
      break;
  }
  t.add(std::move(id), std::move(rfc), std::move(section), "MUST", std::move(text),
        std::move(steps));
}

struct AttrCase {
  std::string name;
  std::string section;
  std::string text;
  std::function<Bytes(const Context&)> attrs;  // the whole attribute field
  Action action;
};

void attribute_cases(Table& t) {
  auto with = [](std::uint8_t code, Bytes attr) {
    return replacing(code, [attr = std::move(attr)](const Context&) { return attr; });
  };
  std::vector<AttrCase> rows = {
      // ORIGIN
      {"origin-length-0", "7.1", "ORIGIN of length 0", with(1, attribute(0x40, 1, {})),
       Action::withdraw},
      {"origin-length-2", "7.1", "ORIGIN of length 2", with(1, attribute(0x40, 1, {0, 0})),
       Action::withdraw},
      {"origin-value-3", "7.1", "ORIGIN value 3 (undefined)", with(1, attribute(0x40, 1, {3})),
       Action::withdraw},
      {"origin-value-255", "7.1", "ORIGIN value 255", with(1, attribute(0x40, 1, {255})),
       Action::withdraw},
      {"origin-missing", "3(d)", "no ORIGIN", replacing(1, [](const Context&) { return Bytes{}; }),
       Action::withdraw},
      // AS_PATH
      {"as-path-segment-type-0", "7.2", "an AS_PATH segment of type 0",
       replacing(2,
                 [](const Context& c) {
                   return attribute(0x40, 2, concat({{0, 1}, asn(c, c.suite_as)}));
                 }),
       Action::withdraw},
      {"as-path-segment-type-5", "7.2", "an AS_PATH segment of type 5",
       replacing(2,
                 [](const Context& c) {
                   return attribute(0x40, 2, concat({{5, 1}, asn(c, c.suite_as)}));
                 }),
       Action::withdraw},
      {"as-path-segment-type-255", "7.2", "an AS_PATH segment of type 255",
       replacing(2,
                 [](const Context& c) {
                   return attribute(0x40, 2, concat({{255, 1}, asn(c, c.suite_as)}));
                 }),
       Action::withdraw},
      {"as-path-segment-length-0", "7.2", "an AS_PATH segment of length 0",
       replacing(2,
                 [](const Context& c) {
                   return attribute(0x40, 2, concat({{2, 1}, asn(c, c.suite_as), {2, 0}}));
                 }),
       Action::withdraw},
      {"as-path-overrun", "7.2", "an AS_PATH segment longer than the attribute",
       replacing(2,
                 [](const Context& c) {
                   return attribute(0x40, 2, concat({{2, 3}, asn(c, c.suite_as), asn(c, 64512)}));
                 }),
       Action::withdraw},
      {"as-path-underrun", "7.2", "an AS_PATH with one octet after its last segment",
       replacing(2,
                 [](const Context& c) {
                   return attribute(0x40, 2, concat({{2, 1}, asn(c, c.suite_as), {2}}));
                 }),
       Action::withdraw},
      {"as-path-odd-octets", "7.2", "an AS_PATH whose segment is cut inside an AS number",
       replacing(2,
                 [](const Context& c) {
                   Bytes v = concat({{2, 2}, asn(c, c.suite_as), asn(c, 64512)});
                   v.pop_back();
                   return attribute(0x40, 2, v);
                 }),
       Action::withdraw},
      {"as-path-missing", "3(d)", "no AS_PATH",
       replacing(2, [](const Context&) { return Bytes{}; }), Action::withdraw},
      // NEXT_HOP
      {"next-hop-length-3", "7.3", "NEXT_HOP of length 3", with(3, attribute(0x40, 3, {127, 0, 0})),
       Action::withdraw},
      {"next-hop-length-5", "7.3", "NEXT_HOP of length 5",
       with(3, attribute(0x40, 3, {127, 0, 0, 2, 0})), Action::withdraw},
      {"next-hop-length-16", "7.3", "NEXT_HOP of length 16",
       with(3, attribute(0x40, 3, Bytes(16, 1))), Action::withdraw},
      {"next-hop-missing", "3(d)", "no NEXT_HOP with NLRI",
       replacing(3, [](const Context&) { return Bytes{}; }), Action::withdraw},
      // MULTI_EXIT_DISC
      {"med-length-0", "7.4", "MULTI_EXIT_DISC of length 0", plus_bytes(attribute(0x80, 4, {})),
       Action::withdraw},
      {"med-length-3", "7.4", "MULTI_EXIT_DISC of length 3",
       plus_bytes(attribute(0x80, 4, {0, 0, 1})), Action::withdraw},
      {"med-length-5", "7.4", "MULTI_EXIT_DISC of length 5",
       plus_bytes(attribute(0x80, 4, {0, 0, 0, 0, 1})), Action::withdraw},
      // ATOMIC_AGGREGATE
      {"atomic-aggregate-length-1", "7.6", "ATOMIC_AGGREGATE of length 1",
       plus_bytes(attribute(0x40, 6, {0})), Action::discard},
      {"atomic-aggregate-length-4", "7.6", "ATOMIC_AGGREGATE of length 4",
       plus_bytes(attribute(0x40, 6, {0, 0, 0, 0})), Action::discard},
      // AGGREGATOR
      {"aggregator-length-0", "7.7", "AGGREGATOR of length 0", plus_bytes(attribute(0xC0, 7, {})),
       Action::discard},
      {"aggregator-length-5", "7.7", "AGGREGATOR of length 5",
       plus_bytes(attribute(0xC0, 7, {0, 1, 10, 0, 0})), Action::discard},
      {"aggregator-length-7", "7.7", "AGGREGATOR of length 7",
       plus_bytes(attribute(0xC0, 7, {0, 0, 1, 10, 0, 0, 1})), Action::discard},
      {"aggregator-length-9", "7.7", "AGGREGATOR of length 9",
       plus_bytes(attribute(0xC0, 7, Bytes(9, 1))), Action::discard},
      // COMMUNITIES
      {"communities-length-0", "7.8", "COMMUNITIES of length 0", plus_bytes(attribute(0xC0, 8, {})),
       Action::withdraw},
      {"communities-length-3", "7.8", "COMMUNITIES of length 3",
       plus_bytes(attribute(0xC0, 8, {0, 1, 0})), Action::withdraw},
      {"communities-length-5", "7.8", "COMMUNITIES of length 5",
       plus_bytes(attribute(0xC0, 8, {0, 1, 0, 1, 0})), Action::withdraw},
      {"communities-length-6", "7.8", "COMMUNITIES of length 6",
       plus_bytes(attribute(0xC0, 8, {0, 1, 0, 1, 0, 2})), Action::withdraw},
      // EXTENDED_COMMUNITIES
      {"extended-communities-length-0", "7.14", "EXTENDED_COMMUNITIES of length 0",
       plus_bytes(attribute(0xC0, 16, {})), Action::withdraw},
      {"extended-communities-length-7", "7.14", "EXTENDED_COMMUNITIES of length 7",
       plus_bytes(attribute(0xC0, 16, Bytes(7, 1))), Action::withdraw},
      {"extended-communities-length-9", "7.14", "EXTENDED_COMMUNITIES of length 9",
       plus_bytes(attribute(0xC0, 16, Bytes(9, 1))), Action::withdraw},
      {"extended-communities-length-12", "7.14", "EXTENDED_COMMUNITIES of length 12",
       plus_bytes(attribute(0xC0, 16, Bytes(12, 1))), Action::withdraw},
      // AS4_PATH / AS4_AGGREGATOR from a NEW speaker: ignored (RFC 6793 6)
      {"as4-path-segment-type-0", "RFC 6793 6", "a malformed AS4_PATH (segment type 0)",
       plus_bytes(attribute(0xC0, 17, {0, 1, 0, 0, 0xFD, 0xE9})), Action::discard},
      {"as4-path-length-3", "RFC 6793 6", "an AS4_PATH of length 3",
       plus_bytes(attribute(0xC0, 17, {2, 1, 0})), Action::discard},
      {"as4-aggregator-length-7", "RFC 6793 6", "an AS4_AGGREGATOR of length 7",
       plus_bytes(attribute(0xC0, 18, Bytes(7, 1))), Action::discard},
      {"as4-aggregator-length-0", "RFC 6793 6", "an AS4_AGGREGATOR of length 0",
       plus_bytes(attribute(0xC0, 18, {})), Action::discard},
      // LARGE_COMMUNITY (RFC 8092 5)
      {"large-communities-length-0", "RFC 8092 5", "LARGE_COMMUNITY of length 0",
       plus_bytes(attribute(0xC0, 32, {})), Action::withdraw},
      {"large-communities-length-11", "RFC 8092 5", "LARGE_COMMUNITY of length 11",
       plus_bytes(attribute(0xC0, 32, Bytes(11, 1))), Action::withdraw},
      {"large-communities-length-13", "RFC 8092 5", "LARGE_COMMUNITY of length 13",
       plus_bytes(attribute(0xC0, 32, Bytes(13, 1))), Action::withdraw},
      {"large-communities-length-16", "RFC 8092 5", "LARGE_COMMUNITY of length 16",
       plus_bytes(attribute(0xC0, 32, Bytes(16, 1))), Action::withdraw},
      // RFC 7607: AS 0
      {"as-path-as-0", "RFC 7607 2", "AS 0 in AS_PATH",
       replacing(2,
                 [](const Context& c) {
                   return attribute(0x40, 2, concat({{2, 2}, asn(c, c.suite_as), asn(c, 0)}));
                 }),
       Action::withdraw},
      {"aggregator-as-0", "RFC 7607 2", "AS 0 in AGGREGATOR", plus([](const Context& c) {
         return attribute(0xC0, 7, concat({asn(c, 0), {10, 0, 0, 1}}));
       }),
       Action::discard},
      {"as4-path-as-0", "RFC 7607 2", "AS 0 in AS4_PATH",
       plus_bytes(attribute(0xC0, 17, {2, 1, 0, 0, 0, 0})), Action::discard},
      // Lengths that do not add up inside the attribute field
      {"attribute-overruns-field", "4", "an attribute whose length runs past the attribute field",
       [](const Context& c) {
         Bytes a = base_attributes(c);
         Bytes med = attribute(0x80, 4, {0, 0, 0, 1});
         med[2] = 40;  // claims 40 octets, 4 follow
         return concat({a, med});
       },
       Action::withdraw},
      {"attribute-header-truncated", "4", "fewer than three octets left for an attribute header",
       [](const Context& c) {
         return concat({base_attributes(c), {0x80, 4}});
       },
       Action::withdraw},
      // Duplicates: all but the first dropped (3(g))
      {"duplicate-origin", "3(g)", "ORIGIN twice", plus_bytes(attribute(0x40, 1, {2})),
       Action::accept},
      {"duplicate-med", "3(g)", "MULTI_EXIT_DISC twice",
       plus_bytes(concat({attribute(0x80, 4, {0, 0, 0, 1}), attribute(0x80, 4, {0, 0, 0, 2})})),
       Action::accept},
      {"duplicate-communities", "3(g)", "COMMUNITIES twice",
       plus_bytes(concat({attribute(0xC0, 8, {0, 1, 0, 1}), attribute(0xC0, 8, {0, 1, 0, 2})})),
       Action::accept},
      // Optional attributes we do not know: kept or ignored, never an error
      {"unknown-optional-transitive", "RFC 4271 5", "an unrecognised optional transitive attribute",
       plus_bytes(attribute(0xC0, 250, {1, 2, 3})), Action::accept},
      {"unknown-optional-non-transitive", "RFC 4271 5",
       "an unrecognised optional non-transitive attribute",
       plus_bytes(attribute(0x80, 251, {1, 2, 3})), Action::accept},
      {"unknown-optional-partial", "RFC 4271 5",
       "an unrecognised optional transitive attribute with the Partial bit",
       plus_bytes(attribute(0xE0, 252, {1})), Action::accept},
      {"extended-length-short-value", "RFC 4271 4.3",
       "an attribute with the Extended Length bit and a short value",
       plus_bytes(attribute(0x90, 4, {0, 0, 0, 7})), Action::accept},
      {"partial-bit-well-known", "RFC 4271 4.3",
       "the Partial bit on a well-known attribute (ignored by the receiver)",
       with(1, attribute(0x60, 1, {0})), Action::accept},
      {"low-flag-bits", "RFC 4271 4.3", "the unused low-order flag bits set (ignored)",
       with(1, attribute(0x4F, 1, {0})), Action::accept},
      {"local-pref-from-external", "7.5", "LOCAL_PREF from an external peer (of a bad length)",
       plus_bytes(attribute(0x40, 5, {0, 0, 1})), Action::discard},
  };
  // RFC 7606 3(c): Optional / Transitive bits in conflict with the type.
  struct Flags {
    std::string name;
    std::uint8_t code;
    std::uint8_t right;
    Bytes value;
    bool base;  // one of ORIGIN, AS_PATH, NEXT_HOP (replaced) or appended
    Action action;
  };
  const std::vector<Flags> flags = {
      {"origin", 1, 0x40, {0}, true, Action::withdraw},
      {"next-hop", 3, 0x40, {127, 0, 0, 2}, true, Action::withdraw},
      {"med", 4, 0x80, {0, 0, 0, 1}, false, Action::withdraw},
      {"communities", 8, 0xC0, {0, 1, 0, 1}, false, Action::withdraw},
      {"extended-communities", 16, 0xC0, {0, 2, 0, 1, 0, 0, 0, 1}, false, Action::withdraw},
      {"large-communities", 32, 0xC0, Bytes(12, 1), false, Action::withdraw},
  };
  for (const auto& f : flags) {
    for (std::uint8_t wrong : std::initializer_list<std::uint8_t>{0x00, 0x40, 0x80, 0xC0}) {
      if (wrong == f.right) continue;
      Bytes attr = attribute(wrong, f.code, f.value);
      rows.push_back(AttrCase{fmt::format("{}-flags-{:02x}", f.name, wrong), "3(c)",
                              fmt::format("{} with flags 0x{:02X}", f.name, wrong),
                              f.base ? with(f.code, attr) : plus_bytes(attr), f.action});
    }
  }
  for (std::uint8_t wrong : std::initializer_list<std::uint8_t>{0x00, 0x80, 0xC0}) {
    rows.push_back(
        AttrCase{fmt::format("as-path-flags-{:02x}", wrong), "3(c)",
                 fmt::format("AS_PATH with flags 0x{:02X}", wrong),
                 replacing(2,
                           [wrong](const Context& c) {
                             return attribute(wrong, 2, concat({{2, 1}, asn(c, c.suite_as)}));
                           }),
                 Action::withdraw});
  }
  for (auto& r : rows) {
    const bool other_rfc = r.section.rfind("RFC", 0) == 0;
    update_case(t, "7606-" + r.name, other_rfc ? r.section.substr(0, 8) : "RFC 7606",
                other_rfc ? r.section.substr(9) : r.section, r.text, update_for(r.attrs), r.action);
  }

  // Session reset: what cannot be parsed.
  struct Reset {
    std::string name;
    std::string rfc, section;
    std::string text;
    Build bytes;
    Accepted accepted;
  };
  const std::vector<Reset> resets = {
      {"withdrawn-length-overrun",
       "RFC 4271",
       "6.3",
       "Withdrawn Routes Length beyond the message: Malformed Attribute List",
       [](const Context&) {
         return message(msg::update, {0, 50, 0, 0});
       },
       {{3, 1}}},
      {"attribute-length-overrun",
       "RFC 4271",
       "6.3",
       "Total Path Attribute Length beyond the message: Malformed Attribute List",
       [](const Context& c) {
         Bytes m = update({}, base_attributes(c), prefix4(P));
         m[22] = static_cast<std::uint8_t>(m[22] + 30);
         return m;
       },
       {{3, 1}}},
      {"nlri-length-33",
       "RFC 4271 / RFC 7606",
       "6.3 / 5.3",
       "an NLRI prefix length of 33: Invalid Network Field",
       [](const Context& c) {
         return update({}, base_attributes(c), {33, 10, 0, 0, 0, 0});
       },
       {{3, 10}, {3, 1}}},
      {"nlri-length-255",
       "RFC 4271 / RFC 7606",
       "6.3 / 5.3",
       "an NLRI prefix length of 255: Invalid Network Field",
       [](const Context& c) {
         return update({}, base_attributes(c), {255, 10, 0, 0, 0});
       },
       {{3, 10}, {3, 1}}},
      {"nlri-truncated",
       "RFC 4271 / RFC 7606",
       "6.3 / 5.3",
       "an NLRI prefix cut short by the message end: Invalid Network Field",
       [](const Context& c) {
         return update({}, base_attributes(c), {24, 203, 0});
       },
       {{3, 10}, {3, 1}}},
      {"withdrawn-length-33",
       "RFC 4271 / RFC 7606",
       "6.3 / 5.3",
       "a withdrawn prefix length of 33: Invalid Network Field",
       [](const Context&) {
         return update({33, 10, 0, 0, 0, 0}, {}, {});
       },
       {{3, 10}, {3, 1}}},
      {"withdrawn-truncated",
       "RFC 4271 / RFC 7606",
       "6.3 / 5.3",
       "a withdrawn prefix cut short: Invalid Network Field",
       [](const Context&) {
         return update({24, 203}, {}, {});
       },
       {{3, 10}, {3, 1}}},
      {"unrecognised-well-known",
       "RFC 4271",
       "6.3",
       "an unrecognised well-known attribute: Unrecognized Well-known Attribute",
       update_for(plus_bytes(attribute(0x40, 250, {1}))),
       {{3, 2}}},
      {"duplicate-mp-reach",
       "RFC 7606",
       "3(g)",
       "MP_REACH_NLRI twice: Malformed Attribute List",
       update_for(plus_bytes(
           concat({attribute(0x80, 14, concat({u16(1), {1, 4, 127, 0, 0, 2, 0}, prefix4(Q)})),
                   attribute(0x80, 14, concat({u16(1), {1, 4, 127, 0, 0, 2, 0}, prefix4(Q)}))}))),
       {{3, 1}}},
      {"duplicate-mp-unreach",
       "RFC 7606",
       "3(g)",
       "MP_UNREACH_NLRI twice: Malformed Attribute List",
       [](const Context&) {
         return update({},
                       concat({attribute(0x80, 15, concat({u16(1), {1}, prefix4(Q)})),
                               attribute(0x80, 15, concat({u16(1), {1}, prefix4(Q)}))}),
                       {});
       },
       {{3, 1}}},
      {"mp-reach-short",
       "RFC 7606",
       "5.3 / 7.11",
       "MP_REACH_NLRI shorter than 5 octets: session reset (or AFI/SAFI disable)",
       update_for(plus_bytes(attribute(0x80, 14, {0, 1, 1}))),
       {{3, -1}}},
      {"mp-reach-next-hop-overrun",
       "RFC 7606",
       "7.11",
       "an MP_REACH_NLRI next-hop length beyond the attribute: session reset",
       update_for(plus_bytes(attribute(0x80, 14, {0, 1, 1, 40, 127, 0, 0, 2, 0}))),
       {{3, -1}}},
      {"mp-unreach-short",
       "RFC 7606",
       "5.3",
       "MP_UNREACH_NLRI shorter than 3 octets: session reset",
       [](const Context&) {
         return update({}, attribute(0x80, 15, {0, 1}), {});
       },
       {{3, -1}}},
      {"mp-reach-prefix-length-33",
       "RFC 7606 / RFC 4760",
       "5.3 / 7",
       "an MP_REACH_NLRI prefix of length 33: session reset",
       update_for(
           plus_bytes(attribute(0x80, 14, {0, 1, 1, 4, 127, 0, 0, 2, 0, 33, 10, 0, 0, 0, 0}))),
       {{3, -1}}},
      {"attributes-without-nlri",
       "RFC 7606",
       "5.2",
       "a malformed attribute in an UPDATE without NLRI: nothing to withdraw, so session reset",
       [](const Context& c) {
         return update({}, concat({base_attributes(c), attribute(0xC0, 8, {0, 1, 0})}), {});
       },
       {{3, -1}}},
  };
  for (const auto& r : resets) {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send(r.bytes));
    steps.push_back(expect(notify(r.accepted)));
    Case& c = t.add("7606-reset-" + r.name, r.rfc, r.section, "MUST", r.text, std::move(steps));
    if (r.name.rfind("mp-", 0) == 0)
      c.note = "RFC 7606 5.3 also allows AFI/SAFI disable instead of the reset";
  }
  // RFC 4271 6.3 MAY: the first AS of an external peer's path.
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send(update_for(replacing(2, [](const Context& c) {
      return attribute(0x40, 2, concat({{2, 1}, asn(c, 64999)}));
    }))));
    steps.push_back(expect(either({{3, 11}}, 2s)));
    Case& c = t.add("4271-6.3-first-as", "RFC 4271 / RFC 7606", "6.3 / 7.2", "MAY",
                    "an external peer's AS_PATH not starting with its AS: Malformed AS_PATH, or "
                    "accepted (the check is optional)",
                    std::move(steps));
    c.note = "RFC 4271 6.3 says MAY check";
  }
}

// Routes that must be accepted, withdrawn, refreshed.
void route_cases(Table& t) {
  {
    std::vector<Step> steps = announced({});
    steps.push_back(route(std::string(P), true));
    steps.push_back(send([](const Context&) { return update(prefix4(P), {}, {}); }));
    steps.push_back(expect(alive(1s)));
    steps.push_back(route(std::string(P), false));
    t.add("4271-9-withdraw", "RFC 4271", "4.3 / 9", "MUST",
          "a route announced then withdrawn (Withdrawn Routes) is gone", std::move(steps));
  }
  {
    std::vector<Step> steps = announced({});
    steps.push_back(send([](const Context& c) {
      return update({}, concat({base_attributes(c), attribute(0xC0, 8, {0xFD, 0xE9, 0, 1})}),
                    prefix4(P));
    }));
    steps.push_back(expect(alive(1s)));
    steps.push_back(route(std::string(P), true));
    t.add("4271-9-implicit-withdraw", "RFC 4271", "3.1 / 9", "MUST",
          "a route announced again replaces the first (implicit withdraw)", std::move(steps));
  }
  {
    std::vector<Step> steps = announced({});
    steps.push_back(close_step());
    steps.push_back(wait(2s));
    steps.push_back(route(std::string(P), false));
    t.add("4271-9-session-down-flush", "RFC 4271", "8.2.2 / 9", "MUST",
          "the connection closes (no graceful restart): the peer's routes are removed",
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send([](const Context& c) {
      Bytes nlri;
      for (int i = 0; i < 200; ++i) {
        Bytes p = {24, 10, static_cast<std::uint8_t>(i / 256 + 100), static_cast<std::uint8_t>(i)};
        nlri.insert(nlri.end(), p.begin(), p.end());
      }
      return update({}, base_attributes(c), nlri);
    }));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route("10.100.199.0/24", true));
    t.add("4271-4.3-many-nlri", "RFC 4271", "4.3", "MUST",
          "one UPDATE with 200 prefixes: every one is accepted", std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send([](const Context& c) {
      Bytes communities;
      for (std::uint16_t i = 0; i < 900; ++i) {
        auto v = concat({u16(65001), u16(i)});
        communities.insert(communities.end(), v.begin(), v.end());
      }
      return update({}, concat({base_attributes(c), attribute(0xC0, 8, communities)}), prefix4(P));
    }));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route(std::string(P), true));
    t.add("4271-4.3-extended-length", "RFC 4271", "4.3", "MUST",
          "an attribute of 3,600 octets (Extended Length) in a 3,700-octet UPDATE is accepted",
          std::move(steps));
  }
  // RFC 4760: IPv6 unicast over MP_REACH_NLRI.
  auto mp6 = [](std::uint8_t next_hop_length) {
    return [next_hop_length](const Context& c) {
      Bytes nh(next_hop_length, 0);
      nh[0] = 0x20;
      nh[1] = 0x01;
      nh[2] = 0x0d;
      nh[3] = 0xb8;
      nh[15 % next_hop_length] = 2;
      if (next_hop_length == 32) {
        nh[16] = 0xfe;
        nh[17] = 0x80;
        nh[31] = 2;
      }
      Bytes mp = concat({u16(2), {1, next_hop_length}, nh, {0}, prefix6("2001:db8:77::/48")});
      return update({}, concat({origin_attr(), as_path_attr(c), attribute(0x80, 14, mp)}), {});
    };
  };
  for (std::uint8_t length : std::initializer_list<std::uint8_t>{16, 32}) {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send(mp6(length)));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route("2001:db8:77::/48", true));
    Case& c = t.add(fmt::format("4760-3-ipv6-next-hop-{}", length), "RFC 4760 / RFC 2545", "3 / 3",
                    "MUST",
                    "IPv6 unicast in MP_REACH_NLRI with a next hop of 16 (global) or 32 "
                    "(global and link-local) octets is accepted",
                    std::move(steps));
    c.needs = Needs::nothing;
  }
  for (std::uint8_t length : std::initializer_list<std::uint8_t>{4, 12}) {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send(mp6(length)));
    steps.push_back(expect(either({{3, -1}}, 2s)));
    steps.push_back(route("2001:db8:77::/48", false));
    Case& c = t.add(fmt::format("7606-7.11-ipv6-next-hop-{}", length), "RFC 7606 / RFC 4760",
                    "7.11 / 3", "MUST",
                    "IPv6 unicast with a next hop of a length no IPv6 form has: session reset "
                    "or AFI/SAFI disable, never the route",
                    std::move(steps));
    c.note = "AFI/SAFI disable keeps the session";
  }
  // RFC 2918 / 7313: route refresh.
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(wait(3s));
    steps.push_back(send_bytes(route_refresh(1, 0, 1)));
    steps.push_back(expect(of_kind(Outcome::update, 5s)));
    Case& c = t.add("2918-4-refresh-resends", "RFC 2918", "4", "MUST",
                    "a ROUTE-REFRESH for IPv4 unicast: the target sends its Adj-RIB-Out again",
                    std::move(steps));
    c.needs = Needs::route_refresh;
    c.note = "needs a route the target announces to the suite";
  }
  for (auto [afi, safi] :
       std::vector<std::pair<std::uint16_t, std::uint8_t>>{{2, 128}, {999, 1}, {1, 77}}) {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send_bytes(route_refresh(afi, 0, safi)));
    steps.push_back(expect(alive(3s)));
    Case& c =
        t.add(fmt::format("2918-4-refresh-unadvertised-{}-{}", afi, safi), "RFC 2918", "4", "MUST",
              "a ROUTE-REFRESH for a family not advertised is ignored", std::move(steps));
    c.needs = Needs::route_refresh;
  }
  auto with_err = [](OpenSpec& o, const Context&) { o.capabilities.push_back(capability(70, {})); };
  {
    std::vector<Step> steps;
    establish(steps, with_err);
    steps.push_back(wait(3s));
    steps.push_back(send_bytes(route_refresh(1, 0, 1)));
    steps.push_back(expect(Outcome{Outcome::refresh, {}, 5s, 1}));
    steps.push_back(expect(Outcome{Outcome::refresh, {}, 10s, 2}));
    Case& c = t.add("7313-4-borr-eorr", "RFC 7313", "4", "MUST",
                    "with Enhanced Route Refresh, a refresh is framed by BoRR and EoRR",
                    std::move(steps));
    c.needs = Needs::enhanced_route_refresh;
  }
  for (std::uint8_t subtype : std::initializer_list<std::uint8_t>{3, 128, 255}) {
    std::vector<Step> steps;
    establish(steps, with_err);
    steps.push_back(send_bytes(route_refresh(1, subtype, 1)));
    steps.push_back(expect(alive(3s)));
    Case& c = t.add(fmt::format("7313-5-subtype-{}", subtype), "RFC 7313", "5", "MUST",
                    "a ROUTE-REFRESH with an unknown subtype is ignored", std::move(steps));
    c.needs = Needs::enhanced_route_refresh;
  }
  for (std::size_t length : {3, 5, 8}) {
    std::vector<Step> steps;
    establish(steps, with_err);
    steps.push_back(send_bytes(message(msg::route_refresh, Bytes(length, 1))));
    steps.push_back(expect(notify({{7, 1}})));
    Case& c = t.add(fmt::format("7313-5-length-{}", length), "RFC 7313", "5", "MUST",
                    "a ROUTE-REFRESH whose body is not 4 octets: ROUTE-REFRESH Message Error / "
                    "Invalid Message Length",
                    std::move(steps));
    c.needs = Needs::enhanced_route_refresh;
  }
  {
    std::vector<Step> steps;
    establish(steps, with_err);
    steps.push_back(send(announce(P)));
    steps.push_back(send(announce(Q)));
    steps.push_back(expect(alive(1s)));
    steps.push_back(route(std::string(Q), true));
    steps.push_back(send_bytes(route_refresh(1, 1, 1)));
    steps.push_back(send(announce(P)));
    steps.push_back(send_bytes(route_refresh(1, 2, 1)));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route(std::string(P), true));
    steps.push_back(route(std::string(Q), false));
    Case& c = t.add("7313-4.2-eorr-purges", "RFC 7313", "4.2", "MUST",
                    "after the peer's EoRR, routes not re-advertised since its BoRR are purged",
                    std::move(steps));
    c.needs = Needs::enhanced_route_refresh;
  }
}

// RFC 6793: 4-octet ASNs towards an OLD (2-octet) speaker.
void as4_cases(Table& t) {
  auto old = [](OpenSpec& o, const Context&) { o.capabilities.pop_back(); };
  {
    std::vector<Step> steps;
    establish(steps, old);
    steps.push_back(send([](const Context& c) {
      return update(
          {},
          concat(
              {origin_attr(),
               attribute(0x40, 2,
                         concat({{2, 2}, u16(static_cast<std::uint16_t>(c.suite_as)), u16(23456)})),
               next_hop_attr(c), attribute(0xC0, 17, concat({{2, 1}, u32(4200000000u)}))}),
          prefix4(P));
    }));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route(std::string(P), true));
    t.add("6793-4.2.3-old-speaker-as4-path", "RFC 6793", "4.2.3", "MUST",
          "from an OLD speaker, AS_PATH with AS_TRANS and an AS4_PATH is accepted",
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps, old);
    steps.push_back(send([](const Context& c) {
      return update(
          {},
          concat({origin_attr(),
                  attribute(0x40, 2, concat({{2, 1}, u16(static_cast<std::uint16_t>(c.suite_as))})),
                  next_hop_attr(c)}),
          prefix4(P));
    }));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route(std::string(P), true));
    t.add("6793-4.2-old-speaker-two-octet-path", "RFC 6793", "4.2", "MUST",
          "a session without the 4-octet AS capability carries 2-octet AS_PATHs", std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps, old);
    steps.push_back(send([](const Context& c) {
      return update(
          {},
          concat({origin_attr(),
                  attribute(0x40, 2, concat({{2, 1}, u16(static_cast<std::uint16_t>(c.suite_as))})),
                  next_hop_attr(c), attribute(0xC0, 17, {0, 1, 0, 0, 0, 1})}),
          prefix4(P));
    }));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route(std::string(P), true));
    t.add("6793-6-old-speaker-malformed-as4-path", "RFC 6793", "6", "MUST",
          "a malformed AS4_PATH from an OLD speaker: attribute discard", std::move(steps));
  }
}

// RFC 4724 graceful restart, RFC 8538, RFC 9494.
void graceful_restart_cases(Table& t) {
  // Restart time 5 s; with `restarting` the R bit; IPv4 unicast with F.
  auto gr = [](bool restarting, bool n_bit, std::uint16_t seconds = 5) {
    return [=](OpenSpec& o, const Context&) {
      const std::uint16_t flags =
          static_cast<std::uint16_t>((restarting ? 0x8000 : 0) | (n_bit ? 0x4000 : 0) | seconds);
      o.capabilities.push_back(capability(64, concat({u16(flags), u16(1), {1, 0x80}})));
    };
  };
  {
    std::vector<Step> steps;
    establish(steps, gr(false, false));
    steps.push_back(expect(of_kind(Outcome::end_of_rib, 10s)));
    Case& c = t.add("4724-4-end-of-rib-sent", "RFC 4724", "2 / 4", "MUST",
                    "with Graceful Restart negotiated, the target sends End-of-RIB after its "
                    "initial UPDATEs",
                    std::move(steps));
    c.needs = Needs::graceful_restart;
  }
  {
    std::vector<Step> steps = announced(gr(false, false));
    steps.push_back(close_step());
    steps.push_back(wait(1s));
    steps.push_back(route(std::string(P), true));
    steps.push_back(connect_step());
    steps.push_back(send(open_with(gr(true, false))));
    steps.push_back(expect(of_kind(Outcome::keepalive, 5s)));
    steps.push_back(send_bytes(keepalive()));
    steps.push_back(expect(alive(1s)));
    steps.push_back(route(std::string(P), true));
    steps.push_back(send_bytes(update({}, {}, {})));
    steps.push_back(expect(alive(1s)));
    steps.push_back(route(std::string(P), false));
    Case& c = t.add("4724-4.2-stale-kept-then-cleared", "RFC 4724", "4.2", "MUST",
                    "the session drops without a NOTIFICATION: routes kept (stale) across the "
                    "restart, cleared by the End-of-RIB when not re-announced",
                    std::move(steps));
    c.needs = Needs::graceful_restart;
  }
  {
    std::vector<Step> steps = announced(gr(false, false));
    steps.push_back(close_step());
    steps.push_back(wait(1s));
    steps.push_back(route(std::string(P), true));
    steps.push_back(wait(7s));
    steps.push_back(route(std::string(P), false));
    Case& c = t.add("4724-4.2-restart-time-expires", "RFC 4724", "4.2", "MUST",
                    "the peer does not come back within its Restart Time: stale routes deleted",
                    std::move(steps));
    c.needs = Needs::graceful_restart;
  }
  {
    std::vector<Step> steps;
    establish(steps, gr(false, false));
    steps.push_back(send(announce()));
    steps.push_back(send(announce(Q)));
    steps.push_back(expect(alive(1s)));
    steps.push_back(close_step());
    steps.push_back(wait(1s));
    steps.push_back(connect_step());
    steps.push_back(send(open_with(gr(true, false))));
    steps.push_back(expect(of_kind(Outcome::keepalive, 5s)));
    steps.push_back(send_bytes(keepalive()));
    steps.push_back(send(announce(Q)));
    steps.push_back(send_bytes(update({}, {}, {})));
    steps.push_back(expect(alive(1s)));
    steps.push_back(route(std::string(Q), true));
    steps.push_back(route(std::string(P), false));
    Case& c = t.add("4724-4.2-re-announced-kept", "RFC 4724", "4.2", "MUST",
                    "after a restart, a re-announced route replaces its stale copy and stays "
                    "past the End-of-RIB",
                    std::move(steps));
    c.needs = Needs::graceful_restart;
  }
  // A NOTIFICATION ends the session: the routes go, unless both sides set
  // the N bit and it is not a Hard Reset (RFC 8538).
  struct Ending {
    std::string id, rfc, section, text;
    bool n_bit;
    Bytes notification;
    bool kept;
    Needs needs;
  };
  const std::vector<Ending> endings = {
      {"4724-4.2-notification-flushes", "RFC 4724 / RFC 8538", "4.2 / 3",
       "without the N bit, a NOTIFICATION ends graceful restart: routes removed", false,
       notification(6, 2), false, Needs::graceful_restart},
      {"8538-4-notification-keeps-stale", "RFC 8538", "4",
       "with the N bit negotiated, a NOTIFICATION other than Hard Reset keeps the routes as "
       "stale",
       true, notification(6, 2), true, Needs::graceful_restart_notification},
      {"8538-5-hard-reset-flushes", "RFC 8538", "5",
       "Cease / Hard Reset removes the routes even with the N bit", true,
       notification(6, 9, {6, 2}), false, Needs::graceful_restart_notification},
  };
  for (const auto& e : endings) {
    std::vector<Step> steps = announced(gr(false, e.n_bit));
    steps.push_back(send_bytes(e.notification));
    steps.push_back(expect(of_kind(Outcome::closed, 5s)));
    steps.push_back(wait(1s));
    steps.push_back(route(std::string(P), e.kept));
    t.add(e.id, e.rfc, e.section, "MUST", e.text, std::move(steps)).needs = e.needs;
  }
  {
    std::vector<Step> steps;
    establish(steps, [gr](OpenSpec& o, const Context& c) {
      gr(false, false, 2)(o, c);
      // RFC 9494 3: AFI, SAFI, flags (F), 24-bit long-lived stale time (10 s).
      o.capabilities.push_back(capability(71, {0, 1, 1, 0x80, 0, 0, 10}));
    });
    steps.push_back(send(announce()));
    steps.push_back(expect(alive(1s)));
    steps.push_back(close_step());
    steps.push_back(wait(5s));
    steps.push_back(route(std::string(P), true));
    steps.push_back(wait(10s));
    steps.push_back(route(std::string(P), false));
    Case& c = t.add("9494-4.2-long-lived-stale", "RFC 9494", "4.2", "MUST",
                    "with long-lived graceful restart, stale routes outlive the Restart Time "
                    "until the long-lived stale time ends",
                    std::move(steps));
    c.needs = Needs::long_lived_graceful_restart;
  }
}

// RFC 8654 extended messages, RFC 7911 add-path.
void capability_cases(Table& t) {
  auto ext = [](OpenSpec& o, const Context&) { o.capabilities.push_back(capability(6, {})); };
  auto big_update = [](const Context& c) {
    Bytes communities;
    for (std::uint16_t i = 0; i < 1500; ++i) {
      auto v = concat({u16(65001), u16(i)});
      communities.insert(communities.end(), v.begin(), v.end());
    }
    return update({}, concat({base_attributes(c), attribute(0xC0, 8, communities)}), prefix4(P));
  };
  {
    std::vector<Step> steps;
    establish(steps, ext);
    steps.push_back(send(big_update));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route(std::string(P), true));
    Case& c = t.add("8654-4-extended-update", "RFC 8654", "4", "MUST",
                    "with Extended Message negotiated, a 6,000-octet UPDATE is accepted",
                    std::move(steps));
    c.needs = Needs::extended_message;
  }
  {
    std::vector<Step> steps;
    establish(steps);
    steps.push_back(send(big_update));
    steps.push_back(expect(notify({{1, 2}})));
    t.add("8654-4-not-negotiated", "RFC 8654 / RFC 4271", "4 / 6.1", "MUST",
          "without Extended Message (we do not offer it), a 6,000-octet UPDATE: Bad Message "
          "Length",
          std::move(steps));
  }
  {
    std::vector<Step> steps;
    establish(steps, ext);
    steps.push_back(send_bytes(message(msg::keepalive, Bytes(5000, 0))));
    steps.push_back(expect(notify({{1, 2}})));
    Case& c =
        t.add("8654-4-long-keepalive", "RFC 8654", "4", "MUST",
              "Extended Message does not lengthen KEEPALIVE: Bad Message Length", std::move(steps));
    c.needs = Needs::extended_message;
  }
  auto add_path = [](OpenSpec& o, const Context&) {
    o.capabilities.push_back(capability(69, {0, 1, 1, 2}));  // IPv4 unicast, send
  };
  {
    std::vector<Step> steps;
    establish(steps, add_path);
    steps.push_back(send([](const Context& c) {
      return update({}, base_attributes(c), concat({u32(1), prefix4(P), u32(2), prefix4(P)}));
    }));
    steps.push_back(expect(alive(2s)));
    steps.push_back(route(std::string(P) + " path-information 2", true));
    Case& c = t.add("7911-3-paths-accepted", "RFC 7911", "3", "MUST",
                    "with add-path negotiated, NLRI carry a Path Identifier: two paths of one "
                    "prefix are both accepted",
                    std::move(steps));
    c.needs = Needs::add_path_receive;
  }
  {
    std::vector<Step> steps;
    establish(steps, add_path);
    steps.push_back(send([](const Context& c) {
      return update({}, base_attributes(c), concat({u32(1), prefix4(P), u32(2), prefix4(P)}));
    }));
    steps.push_back(expect(alive(1s)));
    steps.push_back(send([](const Context&) {
      return update(concat({u32(1), prefix4(P)}), {}, {});
    }));
    steps.push_back(expect(alive(1s)));
    steps.push_back(route(std::string(P) + " path-information 1", false));
    steps.push_back(route(std::string(P) + " path-information 2", true));
    Case& c = t.add("7911-3-withdraw-one-path", "RFC 7911", "3", "MUST",
                    "withdrawing one Path Identifier leaves the other path", std::move(steps));
    c.needs = Needs::add_path_receive;
  }
}

Table build() {
  Table t;
  header_cases(t);
  open_cases(t);
  otc_cases(t);
  timer_cases(t);
  fsm_cases(t);
  attribute_cases(t);
  route_cases(t);
  as4_cases(t);
  graceful_restart_cases(t);
  capability_cases(t);
  return t;
}

}  // namespace

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = build().cases;
  return cases;
}

}  // namespace bgpsim::conform
