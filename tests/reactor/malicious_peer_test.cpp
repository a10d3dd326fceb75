// The malicious peer (issue 16 item 6): a bgpsim speaker S in the simulator
// has two neighbors, a healthy bgpsim speaker H (eBGP) and a hand-written
// peer M (iBGP) that sends generated malformed OPENs and UPDATEs from the RFC
// 7606 catalogue: bad lengths and flags for every attribute, duplicates,
// missing well-known attributes, bad prefix lengths, MP_REACH/MP_UNREACH
// damage, header damage, truncated OPEN parameters. Each damage has the
// outcome RFC 4271/4760/7606/7607 require, from the table below (keyed by the
// damage, never asked of the decoder under test), and the outcome is read
// from what S does:
//  - session reset: M reads one NOTIFICATION with the table's code and
//    subcode, S's session with M is down and its routes from M are flushed;
//  - treat-as-withdraw: no NOTIFICATION; the damaged UPDATE's routes are gone
//    (P was announced before, R is new), the others (Q before, T after) stay;
//  - attribute discard (and a duplicate, whose later copies are discarded):
//    the route is kept with the attributes of the same UPDATE undamaged (T);
// and in every case H's session never went down and the routes each side
// learnt from the other are exactly the configured ones.
//
// M writes its messages by hand (bytes below), not with the codec under test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "sim/sim_runtime.hpp"
#include "sim/speaker_on_sim.hpp"
#include "speaker/reactor/reactor.hpp"
#include "tests/reactor/sim_fixture.hpp"

namespace bgpsim {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
using Awaitable = boost::asio::awaitable<void, sim::Executor>;

// ------------------------------------------------------------------- bytes

void put16(Bytes& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xFFFF);
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes u32(std::uint32_t v) {
  Bytes b;
  put32(b, v);
  return b;
}

// A whole message: marker, length (as given, or the true one), type, body.
Bytes message(std::uint8_t type, const Bytes& body, std::optional<std::size_t> length = {}) {
  Bytes m(16, 0xFF);
  put16(m, length.value_or(19 + body.size()));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}
Bytes keepalive() { return message(4, {}); }

// One path attribute; extended-length form when asked (or needed).
Bytes attribute(std::uint8_t flags, std::uint8_t code, const Bytes& value, bool extended = false,
                std::optional<std::size_t> length = {}) {
  const std::size_t l = length.value_or(value.size());
  extended = extended || l > 255;
  Bytes a{static_cast<std::uint8_t>(extended ? flags | 0x10 : flags & ~0x10), code};
  if (extended)
    put16(a, l);
  else
    a.push_back(static_cast<std::uint8_t>(l));
  a.insert(a.end(), value.begin(), value.end());
  return a;
}

Bytes update(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri) {
  Bytes body;
  put16(body, withdrawn.size());
  body.insert(body.end(), withdrawn.begin(), withdrawn.end());
  put16(body, attributes.size());
  body.insert(body.end(), attributes.begin(), attributes.end());
  body.insert(body.end(), nlri.begin(), nlri.end());
  return message(2, body);
}

// The routes M announces: 10.9.N.0/24 and 2001:db8:N::/48.
Bytes v4_prefix(std::uint8_t n) { return {24, 10, 9, n}; }
Bytes v6_prefix(std::uint8_t n) { return {48, 0x20, 0x01, 0x0d, 0xb8, 0x00, n}; }
wire::Nlri v4_nlri(std::uint8_t n) {
  wire::Nlri x;
  x.prefix =
      wire::IpPrefix{wire::IpAddress::v4_from_u32(0x0A090000u | (std::uint32_t{n} << 8)), 24};
  return x;
}
wire::Nlri v6_nlri(std::uint8_t n) {
  wire::Nlri x;
  x.prefix = *wire::IpPrefix::parse("2001:db8:" + std::to_string(n) + "::/48");
  return x;
}

constexpr std::uint8_t P = 1, Q = 2, R = 3, T = 4;  // route numbers (see the header)

// ------------------------------------------------------------ the catalogue

enum class Outcome { accepted, attribute_discard, treat_as_withdraw, session_reset };

struct Expected {
  Outcome outcome = Outcome::accepted;
  std::uint8_t code = 0, subcode = 0;  // the NOTIFICATION, for session_reset
};
Expected reset(std::uint8_t code, std::uint8_t subcode) {
  return {Outcome::session_reset, code, subcode};
}

// An attribute of the base set, with what RFC 7606 section 7 (and RFC 8092
// 6 for LARGE_COMMUNITY) says of a bad length, and RFC 7606 3(c) of bad
// Optional/Transitive flags ("treat-as-withdraw" unless the attribute's
// specification says otherwise; none of these does).
struct AttributeRow {
  std::uint8_t code;
  const char* name;
  std::uint8_t flags;
  Outcome on_bad_length;
  bool (*length_ok)(std::size_t);
  std::uint8_t fill;  // value bytes of a damaged attribute
};
bool len_0(std::size_t l) { return l == 0; }
bool len_1(std::size_t l) { return l == 1; }
bool len_4(std::size_t l) { return l == 4; }
bool len_8(std::size_t l) { return l == 8; }  // AGGREGATOR with 4-octet ASNs
bool len_x4(std::size_t l) { return l != 0 && l % 4 == 0; }
bool len_x8(std::size_t l) { return l != 0 && l % 8 == 0; }
bool len_x12(std::size_t l) { return l != 0 && l % 12 == 0; }

constexpr std::uint8_t well_known = 0x40, optional_transitive = 0xC0, optional_only = 0x80;
const std::vector<AttributeRow>& attribute_rows() {
  static const std::vector<AttributeRow> rows{
      {1, "ORIGIN", well_known, Outcome::treat_as_withdraw, len_1, 0},                 // 7.1
      {3, "NEXT_HOP", well_known, Outcome::treat_as_withdraw, len_4, 10},              // 7.3
      {4, "MED", optional_only, Outcome::treat_as_withdraw, len_4, 0},                 // 7.4
      {5, "LOCAL_PREF", well_known, Outcome::treat_as_withdraw, len_4, 0},             // 7.5 (iBGP)
      {6, "ATOMIC_AGGREGATE", well_known, Outcome::attribute_discard, len_0, 0},       // 7.6
      {7, "AGGREGATOR", optional_transitive, Outcome::attribute_discard, len_8, 1},    // 7.7
      {8, "COMMUNITIES", optional_transitive, Outcome::treat_as_withdraw, len_x4, 1},  // 7.8
      {9, "ORIGINATOR_ID", optional_only, Outcome::treat_as_withdraw, len_4, 10},      // 7.9
      {10, "CLUSTER_LIST", optional_only, Outcome::treat_as_withdraw, len_x4, 10},     // 7.10
      {16, "EXTENDED_COMMUNITIES", optional_transitive, Outcome::treat_as_withdraw, len_x8,
       2},  // 7.14
      {32, "LARGE_COMMUNITY", optional_transitive, Outcome::treat_as_withdraw, len_x12,
       1},  // 8092 6
  };
  return rows;
}

enum class Damage {
  none,                      // control: the UPDATE as it should be (extended lengths at random)
  bad_length,                // an attribute of the row with a length its RFC forbids
  bad_flags,                 // an attribute of the row with other Optional/Transitive bits
  duplicate,                 // an attribute of the row twice, the second with another value
  origin_value,              // ORIGIN 3..255 (7.1)
  as_path_overrun,           // a segment longer than the attribute (7.2)
  as_path_underrun,          // one byte after the last segment (7.2)
  as_path_zero_segment,      // a segment of length 0 (7.2)
  as_path_segment_type,      // an unknown segment type (7.2)
  as_path_as_zero,           // AS 0 in AS_PATH (RFC 7607 2)
  aggregator_as_zero,        // AGGREGATOR with AS 0 (RFC 7607 2: attribute discard)
  missing_origin,            // 3(d)
  missing_as_path,           // 3(d)
  missing_next_hop,          // 3(d), with NLRI in the base field
  last_attribute_overrun,    // the last attribute runs past the field (4)
  stray_attribute_byte,      // fewer than three bytes left for an attribute header (4)
  unknown_well_known,        // an unrecognised type with the Optional bit clear: 3/2 (RFC 4271 6.3)
  no_nlri_malformed,         // malformed ORIGIN in an UPDATE without NLRI (5.2: session reset)
  nlri_prefix_length,        // a prefix longer than 32 in the NLRI field
  withdrawn_prefix_length,   // ... in the withdrawn routes
  withdrawn_length_overrun,  // Withdrawn Routes Length past the message
  attributes_length_overrun,  // Total Path Attribute Length past the message
  mp_reach_flags,             // MP_REACH_NLRI marked transitive
  mp_reach_next_hop_length,   // an IPv6 next hop of a length 4760 does not allow
  mp_reach_prefix_length,     // an IPv6 prefix longer than 128
  mp_reach_truncated,         // shorter than AFI, SAFI, next-hop length
  mp_reach_twice,             // 3(g): Malformed Attribute List
  mp_unreach_prefix_length,   // an IPv6 withdrawn prefix longer than 128
  header_marker,              // a marker byte not 0xFF
  header_length_short,        // a length under 19
  header_length_long,         // a length over 4096 (no extended message negotiated)
  header_type,                // a type this speaker does not know
  update_too_short,           // an UPDATE of fewer than 23 bytes
  open_version,
  open_peer_as,
  open_as_zero,
  open_hold_time,
  open_identifier_zero,
  open_too_short,
  open_parameters_overrun,  // Optional Parameters Length past the message
  open_parameter_overrun,   // one parameter past the parameters field
  open_capability_overrun,  // one capability past its parameter
  open_unsupported_parameter,
};

// The outcome each damage requires. Where the RFCs name no subcode, the
// comment says what is used: OPEN parameters that run past their field get
// 2/0 (Unspecific, RFC 4271 4.5), MP_REACH/MP_UNREACH damage 3/9 (Optional
// Attribute Error, RFC 4760 7).
Expected expected_of(Damage d, const AttributeRow& row) {
  switch (d) {
    case Damage::none:
      return {};
    case Damage::bad_length:
      return {row.on_bad_length};
    case Damage::bad_flags:
      return {Outcome::treat_as_withdraw};
    case Damage::duplicate:  // 3(g): all but the first discarded
    case Damage::aggregator_as_zero:
      return {Outcome::attribute_discard};
    case Damage::origin_value:
    case Damage::as_path_overrun:
    case Damage::as_path_underrun:
    case Damage::as_path_zero_segment:
    case Damage::as_path_segment_type:
    case Damage::as_path_as_zero:
    case Damage::missing_origin:
    case Damage::missing_as_path:
    case Damage::missing_next_hop:
    case Damage::last_attribute_overrun:
    case Damage::stray_attribute_byte:
      return {Outcome::treat_as_withdraw};
    case Damage::unknown_well_known:
      return reset(3, 2);
    case Damage::no_nlri_malformed:
      return reset(3, 5);  // ORIGIN of length 2: Attribute Length Error
    case Damage::nlri_prefix_length:
    case Damage::withdrawn_prefix_length:
      return reset(3, 10);  // RFC 4271 6.3 Invalid Network Field
    case Damage::withdrawn_length_overrun:
    case Damage::attributes_length_overrun:
      return reset(3, 1);  // RFC 4271 6.3 Malformed Attribute List
    case Damage::mp_reach_flags:
      return reset(3, 4);  // 3(c) and 5.3: Attribute Flags Error, session reset
    case Damage::mp_reach_next_hop_length:
    case Damage::mp_reach_prefix_length:
    case Damage::mp_reach_truncated:
    case Damage::mp_unreach_prefix_length:
      return reset(3, 9);
    case Damage::mp_reach_twice:
      return reset(3, 1);
    case Damage::header_marker:
      return reset(1, 1);
    case Damage::header_length_short:
    case Damage::header_length_long:
    case Damage::update_too_short:
    case Damage::open_too_short:
      return reset(1, 2);
    case Damage::header_type:
      return reset(1, 3);
    case Damage::open_version:
      return reset(2, 1);
    case Damage::open_peer_as:
    case Damage::open_as_zero:
      return reset(2, 2);
    case Damage::open_identifier_zero:
      return reset(2, 3);
    case Damage::open_unsupported_parameter:
      return reset(2, 4);
    case Damage::open_hold_time:
      return reset(2, 6);
    case Damage::open_parameters_overrun:
    case Damage::open_parameter_overrun:
    case Damage::open_capability_overrun:
      return reset(2, 0);
  }
  std::abort();
}

bool is_open_damage(Damage d) { return d >= Damage::open_version; }
bool uses_row(Damage d) {
  return d == Damage::bad_length || d == Damage::bad_flags || d == Damage::duplicate;
}

// --------------------------------------------------------------- the case

constexpr std::uint32_t speaker_as = 65001, healthy_as = 65003;

struct Case {
  Damage damage = Damage::none;
  std::size_t row = 0;       // attribute_rows() index, for bad_length/bad_flags/duplicate
  bool mp = false;           // the routes travel in MP_REACH_NLRI (IPv6)
  bool extended = false;     // every attribute in the extended-length form
  std::size_t bad = 0;       // the damaged length, value or type (reduced per damage)
  std::size_t position = 0;  // where the damaged attribute goes among the others
  std::string describe() const;
};

const char* damage_name(Damage d) {
  static const char* names[] = {"none",
                                "bad_length",
                                "bad_flags",
                                "duplicate",
                                "origin_value",
                                "as_path_overrun",
                                "as_path_underrun",
                                "as_path_zero_segment",
                                "as_path_segment_type",
                                "as_path_as_zero",
                                "aggregator_as_zero",
                                "missing_origin",
                                "missing_as_path",
                                "missing_next_hop",
                                "last_attribute_overrun",
                                "stray_attribute_byte",
                                "unknown_well_known",
                                "no_nlri_malformed",
                                "nlri_prefix_length",
                                "withdrawn_prefix_length",
                                "withdrawn_length_overrun",
                                "attributes_length_overrun",
                                "mp_reach_flags",
                                "mp_reach_next_hop_length",
                                "mp_reach_prefix_length",
                                "mp_reach_truncated",
                                "mp_reach_twice",
                                "mp_unreach_prefix_length",
                                "header_marker",
                                "header_length_short",
                                "header_length_long",
                                "header_type",
                                "update_too_short",
                                "open_version",
                                "open_peer_as",
                                "open_as_zero",
                                "open_hold_time",
                                "open_identifier_zero",
                                "open_too_short",
                                "open_parameters_overrun",
                                "open_parameter_overrun",
                                "open_capability_overrun",
                                "open_unsupported_parameter"};
  static_assert(std::size(names) ==
                static_cast<std::size_t>(Damage::open_unsupported_parameter) + 1);
  return names[static_cast<int>(d)];
}

std::string Case::describe() const {
  std::string s = damage_name(damage);
  if (uses_row(damage)) s += std::string(" ") + attribute_rows()[row].name;
  s += mp ? " mp" : " v4";
  if (extended) s += " extended";
  s += " bad=" + std::to_string(bad) + " position=" + std::to_string(position);
  return s;
}

// The valid value of each base attribute (MED `med`), for the UPDATE of routes `nlri`.
Bytes valid_value(std::uint8_t code, std::uint32_t med) {
  switch (code) {
    case 1:
      return {0};  // ORIGIN IGP
    case 2:
      return {};  // AS_PATH, empty (iBGP)
    case 3:
      return {10, 0, 0, 2};  // NEXT_HOP: M
    case 4:
      return u32(med);  // MED
    case 5:
      return u32(100);  // LOCAL_PREF
    case 6:
      return {};  // ATOMIC_AGGREGATE
    case 7:
      return cat({u32(65010), {192, 0, 2, 7}});  // AGGREGATOR, 4-octet ASN
    case 8:
      return cat({u32(0xFDE80001), u32(0xFDE80002)});  // COMMUNITIES
    case 9:
      return {10, 0, 0, 9};  // ORIGINATOR_ID
    case 10:
      return {10, 0, 0, 10};  // CLUSTER_LIST
    case 16:
      return {0x00, 0x02, 0xFD, 0xE8, 0, 0, 0, 1};  // target:65000:1
    case 32:
      return cat({u32(65000), u32(1), u32(2)});  // LARGE_COMMUNITY
  }
  std::abort();
}

Bytes mp_reach(const Bytes& nlri, std::uint8_t next_hop_length = 16, std::uint8_t flags = 0x80) {
  Bytes v{0, 2, 1, next_hop_length};  // AFI 2, SAFI 1
  for (std::uint8_t i = 0; i < next_hop_length; ++i)
    v.push_back(i == 0 ? 0x20 : i == 1 ? 0x01 : i == 2 ? 0x0d : i == 3 ? 0xb8 : i == 15 ? 2 : 0);
  v.push_back(0);  // reserved
  v.insert(v.end(), nlri.begin(), nlri.end());
  return attribute(flags, 14, v);
}
Bytes mp_unreach(const Bytes& nlri) { return attribute(0x80, 15, cat({{0, 2, 1}, nlri})); }

// The attributes of one UPDATE: the base set (ORIGIN, AS_PATH, NEXT_HOP
// unless mp, MED `med`, LOCAL_PREF, and for a row damage the row's attribute
// too), each encoded in its valid form; `damaged` replaces the attribute of
// `code` (or, when `code` is 0, goes in at `position`).
struct AttributeList {
  std::vector<std::pair<std::uint8_t, Bytes>> items;  // code, whole attribute
  Bytes bytes() const {
    Bytes out;
    for (const auto& [c, a] : items) out.insert(out.end(), a.begin(), a.end());
    return out;
  }
  void erase(std::uint8_t code) {
    std::erase_if(items, [code](const auto& i) { return i.first == code; });
  }
  void replace(std::uint8_t code, Bytes a) {
    for (auto& i : items)
      if (i.first == code) i.second = std::move(a);
  }
  void insert(std::size_t position, std::uint8_t code, Bytes a) {
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(position % (items.size() + 1)),
                 {code, std::move(a)});
  }
};

AttributeList base_attributes(const Case& c, std::uint32_t med, const Bytes& nlri) {
  AttributeList l;
  std::vector<std::uint8_t> codes{1, 2, 3, 4, 5};
  if (c.mp) codes = {1, 2, 4, 5};
  if (uses_row(c.damage)) {
    const auto code = attribute_rows()[c.row].code;
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  }
  for (auto code : codes) {
    const auto& rows = attribute_rows();
    auto row =
        std::find_if(rows.begin(), rows.end(), [code](const auto& r) { return r.code == code; });
    const std::uint8_t flags = row != rows.end() ? row->flags : well_known;
    l.items.push_back({code, attribute(flags, code, valid_value(code, med), c.extended)});
  }
  if (c.mp) l.items.push_back({14, mp_reach(nlri)});
  return l;
}

// An UPDATE announcing `routes` with the base attributes (MED `med`).
Bytes announce(const Case& c, std::uint32_t med, std::initializer_list<std::uint8_t> routes) {
  Bytes nlri;
  for (auto r : routes) nlri = cat({nlri, c.mp ? v6_prefix(r) : v4_prefix(r)});
  auto attributes = base_attributes(c, med, nlri);
  return update({}, attributes.bytes(), c.mp ? Bytes{} : nlri);
}

// M's OPEN: version 4, AS 65001, hold 9, identifier 10.0.0.2, capabilities
// multiprotocol IPv4 and IPv6 unicast and 4-octet AS 65001.
struct OpenFields {
  std::uint8_t version = 4;
  std::uint16_t as = speaker_as;
  std::uint16_t hold = 9;
  std::uint32_t id = 0x0A000002;
  Bytes parameters =
      cat({{2, 6, 1, 4, 0, 1, 0, 1}, {2, 6, 1, 4, 0, 2, 0, 1}, {2, 6, 65, 4}, u32(speaker_as)});
  std::optional<std::size_t> parameters_length;
};
Bytes open_message(const OpenFields& f) {
  Bytes body{f.version};
  put16(body, f.as);
  put16(body, f.hold);
  put32(body, f.id);
  body.push_back(static_cast<std::uint8_t>(f.parameters_length.value_or(f.parameters.size())));
  body.insert(body.end(), f.parameters.begin(), f.parameters.end());
  return message(1, body);
}

// What M sends after the speaker's OPEN: its OPEN and KEEPALIVE, then (an
// undamaged OPEN) the UPDATE of P and Q (MED 1), the damaged message, the
// UPDATE of T (MED 2).
Bytes script(const Case& c) {
  OpenFields open;
  const auto bad = c.bad;
  switch (c.damage) {
    case Damage::open_version:
      open.version = static_cast<std::uint8_t>(bad % 2 ? 3 : 5 + bad % 250);
      break;
    case Damage::open_peer_as:  // in both fields (RFC 6793: the capability's counts)
      open.as = static_cast<std::uint16_t>(65002 + bad % 500);
      open.parameters.resize(open.parameters.size() - 4);
      open.parameters = cat({open.parameters, u32(open.as)});
      break;
    case Damage::open_as_zero:  // RFC 7607 2: in My AS, or in the 4-octet AS capability
      if (bad % 2) {
        open.as = 0;
      } else {
        open.as = 23456;  // AS_TRANS
        open.parameters.resize(open.parameters.size() - 4);
        open.parameters = cat({open.parameters, u32(0)});
      }
      break;
    case Damage::open_hold_time:
      open.hold = static_cast<std::uint16_t>(1 + bad % 2);
      break;
    case Damage::open_identifier_zero:
      open.id = 0;
      break;
    case Damage::open_parameters_overrun:
      open.parameters_length = open.parameters.size() + 1 + bad % 200;
      break;
    case Damage::open_parameter_overrun:  // the last capability parameter claims more
      open.parameters =
          cat({open.parameters, {2, static_cast<std::uint8_t>(3 + bad % 100), 65, 4}});
      break;
    case Damage::open_capability_overrun:  // a capability longer than its parameter
      open.parameters =
          cat({open.parameters, {2, 4, 64, static_cast<std::uint8_t>(3 + bad % 100), 0, 0}});
      break;
    case Damage::open_unsupported_parameter: {
      // 1 (authentication, deprecated by RFC 5492) and 3..254 are not defined;
      // 255 is RFC 9072's extended form.
      const auto type = static_cast<std::uint8_t>(bad % 2 ? 1 : 3 + bad % 252);
      open.parameters = cat({open.parameters, {type, 2, 0, 0}});
      break;
    }
    case Damage::open_too_short: {
      Bytes m = open_message(open);
      const std::size_t length = 19 + bad % 10;  // under 29: RFC 4271 4.2's minimum
      m.resize(length);
      m[16] = 0;
      m[17] = static_cast<std::uint8_t>(length);
      return m;
    }
    default:
      break;
  }
  Bytes out = cat({open_message(open), keepalive()});
  if (is_open_damage(c.damage)) return out;
  out = cat({out, announce(c, 1, {P, Q})});

  const auto& row = attribute_rows()[c.row];
  Bytes nlri = cat({c.mp ? v6_prefix(P) : v4_prefix(P), c.mp ? v6_prefix(R) : v4_prefix(R)});
  AttributeList attributes = base_attributes(c, 2, nlri);
  Bytes withdrawn;
  std::optional<Bytes> whole;  // the damaged message, when not an UPDATE of these parts
  switch (c.damage) {
    case Damage::none:
      break;
    case Damage::bad_length: {
      std::size_t length = bad % 40;
      if (row.length_ok(length)) ++length;
      if (row.length_ok(length)) ++length;
      attributes.replace(row.code,
                         attribute(row.flags, row.code, Bytes(length, row.fill), c.extended));
      break;
    }
    case Damage::bad_flags: {
      // One of the other three Optional/Transitive combinations.
      static const std::uint8_t combos[] = {0x00, 0x40, 0x80, 0xC0};
      std::uint8_t flags = combos[bad % 4];
      if (flags == row.flags) flags = combos[(bad + 1) % 4];
      attributes.replace(row.code,
                         attribute(flags, row.code, valid_value(row.code, 2), c.extended));
      break;
    }
    case Damage::duplicate: {
      // The same attribute again, valued otherwise (MED 9; for others a
      // malformed copy would be discarded first anyway: a valid one tests
      // that the first is kept).
      Bytes value = row.code == 4 ? u32(9) : valid_value(row.code, 2);
      if (row.code == 1) value = {2};             // ORIGIN INCOMPLETE
      if (row.code == 3) value = {10, 0, 0, 99};  // another next hop
      if (row.code == 5) value = u32(7);
      if (row.code == 8 || row.code == 10) value = u32(0xFDE80063);
      if (row.code == 9) value = {10, 0, 0, 99};
      if (row.code == 16) value = {0x00, 0x02, 0xFD, 0xE8, 0, 0, 0, 9};
      if (row.code == 32) value = cat({u32(65000), u32(9), u32(9)});
      if (row.code == 7) value = cat({u32(65099), {192, 0, 2, 99}});
      if (row.code == 6) value = {};
      const std::size_t first = std::find_if(attributes.items.begin(), attributes.items.end(),
                                             [&](const auto& i) { return i.first == row.code; }) -
                                attributes.items.begin();
      // Anywhere after the first.
      attributes.insert(first + 1 + bad % (attributes.items.size() - first), row.code,
                        attribute(row.flags, row.code, value, c.extended));
      break;
    }
    case Damage::origin_value:
      attributes.replace(
          1, attribute(well_known, 1, {static_cast<std::uint8_t>(3 + bad % 253)}, c.extended));
      break;
    case Damage::as_path_overrun:  // a sequence of n ASNs with fewer given
      attributes.replace(
          2,
          attribute(well_known, 2, cat({{2, static_cast<std::uint8_t>(2 + bad % 10)}, u32(65001)}),
                    c.extended));
      break;
    case Damage::as_path_underrun:
      attributes.replace(2, attribute(well_known, 2, cat({{2, 1}, u32(65001), {2}}), c.extended));
      break;
    case Damage::as_path_zero_segment:
      attributes.replace(2, attribute(well_known, 2, {2, 0}, c.extended));
      break;
    case Damage::as_path_segment_type: {
      // 1 AS_SET, 2 AS_SEQUENCE, 3 and 4 confederation segments (RFC 5065).
      const auto type = static_cast<std::uint8_t>(bad % 2 ? 0 : 5 + bad % 251);
      attributes.replace(2, attribute(well_known, 2, cat({{type, 1}, u32(65001)}), c.extended));
      break;
    }
    case Damage::as_path_as_zero:
      attributes.replace(2,
                         attribute(well_known, 2, cat({{2, 2}, u32(65001), u32(0)}), c.extended));
      break;
    case Damage::aggregator_as_zero:
      attributes.insert(
          c.position, 7,
          attribute(optional_transitive, 7, cat({u32(0), {192, 0, 2, 7}}), c.extended));
      break;
    case Damage::missing_origin:
      attributes.erase(1);
      break;
    case Damage::missing_as_path:
      attributes.erase(2);
      break;
    case Damage::missing_next_hop:
      attributes.erase(3);
      break;
    case Damage::last_attribute_overrun: {
      // COMMUNITIES last, claiming more bytes than the attribute field holds
      // (not MP_REACH: there 5.3 asks for a session reset).
      const Bytes value = u32(0xFDE80001);
      auto a = attribute(optional_transitive, 8, value, c.extended, value.size() + 1 + bad % 50);
      attributes.items.push_back({8, a});
      break;
    }
    case Damage::stray_attribute_byte:
      attributes.items.push_back({0, Bytes{static_cast<std::uint8_t>(bad)}});
      break;
    case Damage::unknown_well_known: {
      // A type code no RFC assigns to a well-known attribute (and this
      // speaker does not know): 41..127 hold none it implements.
      const auto code = static_cast<std::uint8_t>(41 + bad % 87);
      attributes.insert(c.position, code, attribute(well_known, code, {1, 2, 3}, c.extended));
      break;
    }
    case Damage::no_nlri_malformed: {
      // An ORIGIN of length 2 in an UPDATE that only withdraws Q (IPv4) or
      // carries only MP_UNREACH_NLRI (IPv6): no reachable NLRI.
      AttributeList l;
      l.items.push_back({1, attribute(well_known, 1, {0, 0}, c.extended)});
      if (c.mp) l.items.push_back({15, mp_unreach(v6_prefix(Q))});
      whole = update(c.mp ? Bytes{} : v4_prefix(Q), l.bytes(), {});
      break;
    }
    case Damage::nlri_prefix_length:
      whole =
          update({}, base_attributes(Case{}, 2, {}).bytes(),
                 cat({v4_prefix(P), {static_cast<std::uint8_t>(33 + bad % 223), 10, 9, 5, 0, 0}}));
      break;
    case Damage::withdrawn_prefix_length:
      whole = update({static_cast<std::uint8_t>(33 + bad % 223), 10, 9, 5, 0, 0}, {}, {});
      break;
    case Damage::withdrawn_length_overrun: {
      Bytes body{0, 0};
      put16(body, 0);
      const std::size_t claimed = 2 + bad % 1000;  // past the 2 bytes that follow
      body[0] = static_cast<std::uint8_t>(claimed >> 8);
      body[1] = static_cast<std::uint8_t>(claimed);
      whole = message(2, body);
      break;
    }
    case Damage::attributes_length_overrun: {
      Bytes attrs = base_attributes(Case{}, 2, {}).bytes();
      Bytes body{0, 0};
      put16(body, attrs.size() + 4 + 1 + bad % 1000);  // the 4 bytes of NLRI and more
      body = cat({body, attrs, v4_prefix(P)});
      whole = message(2, body);
      break;
    }
    case Damage::mp_reach_flags:  // transitive, or well-known
      attributes.erase(14);
      attributes.items.push_back(
          {14, mp_reach(c.mp ? nlri : v6_prefix(R), 16, bad % 2 ? 0xC0 : 0x40)});
      break;
    case Damage::mp_reach_next_hop_length: {
      // RFC 4760 3 / RFC 2545 3: an IPv6 next hop is 16 or 32 bytes.
      auto length = static_cast<std::uint8_t>(bad % 40);
      if (length == 16 || length == 32) ++length;
      attributes.erase(14);
      attributes.items.push_back({14, mp_reach(v6_prefix(R), length)});
      break;
    }
    case Damage::mp_reach_prefix_length:
      attributes.erase(14);
      attributes.items.push_back(
          {14,
           mp_reach(cat({v6_prefix(R), {static_cast<std::uint8_t>(129 + bad % 127), 0x20, 1}}))});
      break;
    case Damage::mp_reach_truncated: {
      const Bytes full = {0, 2, 1, 16};
      attributes.erase(14);
      attributes.items.push_back(
          {14,
           attribute(0x80, 14,
                     Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(bad % 4)))});
      break;
    }
    case Damage::mp_reach_twice:
      attributes.erase(14);
      attributes.items.push_back({14, mp_reach(v6_prefix(R))});
      attributes.insert(c.position, 14, mp_reach(v6_prefix(P)));
      break;
    case Damage::mp_unreach_prefix_length:
      attributes.items.push_back(
          {15, mp_unreach({static_cast<std::uint8_t>(129 + bad % 127), 0x20, 1})});
      break;
    case Damage::header_marker: {
      Bytes m = keepalive();
      m[bad % 16] = static_cast<std::uint8_t>(bad % 255);  // anything but 0xFF
      whole = m;
      break;
    }
    case Damage::header_length_short: {
      Bytes m = keepalive();
      m[17] = static_cast<std::uint8_t>(bad % 19);
      whole = m;
      break;
    }
    case Damage::header_length_long:
      whole = message(2, Bytes(4097 - 19 + bad % 100, 0));  // a length of 4097 or more
      break;
    case Damage::header_type: {
      // 1-5 are OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH.
      const auto type = static_cast<std::uint8_t>(bad % 2 ? 0 : 6 + bad % 250);
      whole = message(type, {});
      break;
    }
    case Damage::update_too_short:
      whole = message(2, Bytes(bad % 4, 0));
      break;
    default:
      std::abort();
  }
  const Bytes damaged =
      whole ? *whole : update(withdrawn, attributes.bytes(), c.mp ? Bytes{} : nlri);
  return cat({out, damaged, announce(c, 2, {T})});
}

// ------------------------------------------------------------- the world

// Per peer: sessions established and ended, as S's observer sees them.
struct Recorder : session::PeerObserver {
  std::map<std::string, int> established;
  std::map<std::string, std::vector<session::Down>> downs;
  std::map<std::string, std::vector<Bytes>> undecodable;  // their bytes, as the observer saw them
  void on_established(const std::string& p, const session::Negotiated&) override {
    ++established[p];
  }
  void on_undecodable(const std::string& p, wire::ByteView raw, const wire::DecodeError&) override {
    undecodable[p].emplace_back(raw.begin(), raw.end());
  }
  void on_down(const std::string& p, const session::Down& d) override { downs[p].push_back(d); }
};

struct MaliciousLog {
  std::vector<Bytes> notifications;  // what S sent M
  bool closed = false;               // S closed the connection
};

// M: accepts S's one connection (then stops listening, so a reset session
// stays down), answers S's OPEN with the script and every KEEPALIVE with one.
Awaitable malicious_peer(sim::SimRuntime rt, Bytes script, MaliciousLog& log) {
  constexpr auto tok = boost::asio::as_tuple(boost::asio::use_awaitable_t<sim::Executor>{});
  auto acceptor = rt.listen(sim::Endpoint(boost::asio::ip::make_address("10.0.0.2"), 179));
  auto [ec, socket] = co_await acceptor.async_accept(tok);
  acceptor.close();
  if (ec) co_return;
  bool opened = false;
  for (;;) {
    Bytes m = co_await simtest::read_message(socket);
    if (m.empty()) break;
    Bytes answer;
    if (m[18] == 1 && !opened) {
      opened = true;
      answer = script;
    } else if (m[18] == 4) {
      answer = keepalive();
    } else if (m[18] == 3) {
      log.notifications.push_back(m);
    }
    if (!answer.empty()) {
      auto [e3, n3] = co_await boost::asio::async_write(socket, boost::asio::buffer(answer), tok);
      if (e3) break;
    }
  }
  log.closed = true;
  socket.close();
}

config::Neighbor route_to(config::Neighbor n, const char* prefix) {
  n.routes.push_back(simtest::static_route(prefix, n.local_address));
  return n;
}

// What a run leaves, read before the world ends.
struct Result {
  Recorder s, h;  // as they were before the end of the run (stop() adds Downs)
  MaliciousLog m;
  bool m_established = false;
  std::map<std::string, wire::PathAttributes> from_m;  // S's Adj-RIB-In from M, by prefix
  std::vector<std::string> s_from_h, h_from_s;         // prefixes
  bool h_established = false, s_h_established = false;
  std::vector<std::string> failures;
};

void run(const Case& c, Result& out) {
  using Reactor = reactor::Reactor<sim::SimRuntime>;
  sim::World world(7);
  auto& net = sim::Network::install(world);
  const auto node_s = net.add_node("s", {boost::asio::ip::make_address("10.0.0.1")});
  const auto node_m = net.add_node("m", {boost::asio::ip::make_address("10.0.0.2")});
  const auto node_h = net.add_node("h", {boost::asio::ip::make_address("10.0.0.3")});
  sim::SimRuntime rt_s(net, node_s), rt_m(net, node_m), rt_h(net, node_h);
  Recorder recorder_s, recorder_h;
  MaliciousLog log_m;
  Reactor s(rt_s, recorder_s), h(rt_h, recorder_h);

  config::Config cs, ch;
  auto to_m = simtest::sim_neighbor("10.0.0.1", "10.0.0.2", speaker_as, speaker_as);
  to_m.families = {wire::ipv4_unicast, wire::ipv6_unicast};
  cs.neighbors.push_back(to_m);
  cs.neighbors.push_back(route_to(
      simtest::sim_neighbor("10.0.0.1", "10.0.0.3", speaker_as, healthy_as), "192.0.2.0/24"));
  auto to_s = route_to(simtest::sim_neighbor("10.0.0.3", "10.0.0.1", healthy_as, speaker_as),
                       "198.51.100.0/24");
  to_s.passive = true;
  to_s.listen_port = 179;
  ch.neighbors.push_back(to_s);
  if (auto e = s.configure(cs)) out.failures.push_back("configure S: " + *e);
  if (auto e = h.configure(ch)) out.failures.push_back("configure H: " + *e);

  net.spawn(node_m, malicious_peer(rt_m, script(c), log_m));
  net.spawn(node_h, h.run());
  net.spawn(node_s, s.run());
  world.run_for(15s);

  auto prefixes = [](const rib::AdjRibIn& in) {
    std::vector<std::string> p;
    for (const auto& [key, attributes] : in.routes()) p.push_back(key.nlri.prefix.to_string());
    return p;
  };
  auto* sm = s.find_peer("10.0.0.2");
  auto* sh = s.find_peer("10.0.0.3");
  auto* hs = h.find_peer("10.0.0.1");
  if (!sm || !sh || !hs) {
    out.failures.push_back("a peer is missing");
    s.stop();
    h.stop();
    world.run_for(5s);
    return;
  }
  out.m_established = sm->state() == session::State::established;
  for (const auto& [key, attributes] : sm->adj_rib_in().routes())
    out.from_m[key.nlri.prefix.to_string()] = *attributes;
  out.s_from_h = prefixes(sh->adj_rib_in());
  out.h_from_s = prefixes(hs->adj_rib_in());
  out.s_h_established = sh->state() == session::State::established;
  out.h_established = hs->state() == session::State::established;
  out.s = recorder_s;
  out.h = recorder_h;
  out.m = log_m;
  // Every coroutine ends before the world does.
  s.stop();
  h.stop();
  world.run_for(5s);
  for (const auto& f : net.failures()) out.failures.push_back(f);
}

// Takes out what attribute discard takes out (the rows whose bad length is
// discarded).
void clear(wire::PathAttributes& a, std::uint8_t code) {
  if (code == 6) a.atomic_aggregate = false;
  if (code == 7) a.aggregator.reset();
}

std::string prefix_of(const Case& c, std::uint8_t route) {
  return (c.mp ? v6_nlri(route) : v4_nlri(route)).prefix.to_string();
}

// Checks one case; returns what went wrong (empty: the case passed).
std::vector<std::string> check(const Case& c) {
  Result r;
  run(c, r);
  std::vector<std::string> wrong = r.failures;
  auto expect = [&wrong](bool ok, std::string what) {
    if (!ok) wrong.push_back(std::move(what));
  };
  // H untouched, whatever M did.
  expect(r.s_h_established && r.h_established, "the healthy session is not Established");
  expect(r.s.established["10.0.0.3"] == 1 && r.s.downs["10.0.0.3"].empty(),
         "the healthy session went down");
  expect(r.s_from_h == std::vector<std::string>{"198.51.100.0/24"}, "S's routes from H changed");
  expect(r.h_from_s == std::vector<std::string>{"192.0.2.0/24"}, "H's routes from S changed");

  const auto& row = attribute_rows()[c.row];
  const Expected e = expected_of(c.damage, row);
  const auto p = prefix_of(c, P), q = prefix_of(c, Q), rr = prefix_of(c, R), t = prefix_of(c, T);
  if (e.outcome == Outcome::session_reset) {
    expect(r.m.notifications.size() == 1,
           "M read " + std::to_string(r.m.notifications.size()) + " NOTIFICATIONs, expected one");
    if (!r.m.notifications.empty()) {
      const auto& n = r.m.notifications.front();
      const auto code = n.size() > 20 ? n[19] : 0, subcode = n.size() > 20 ? n[20] : 0;
      expect(code == e.code && subcode == e.subcode,
             "NOTIFICATION " + std::to_string(code) + "/" + std::to_string(subcode) +
                 ", expected " + std::to_string(e.code) + "/" + std::to_string(e.subcode));
    }
    // An UPDATE the codec refused reaches the observer whole (the API's
    // `packets` shows it), once.
    if (e.code == 3) {
      const auto& u = r.s.undecodable["10.0.0.2"];
      expect(u.size() == 1 && u[0].size() >= 19 && u[0][18] == 2 &&
                 static_cast<std::size_t>((u[0][16] << 8) | u[0][17]) == u[0].size(),
             "the observer saw " + std::to_string(u.size()) +
                 " undecodable messages, expected the UPDATE");
    }
    expect(r.m.closed, "S did not close the connection");
    expect(!r.m_established, "the session with M is still Established");
    expect(r.from_m.empty(), "routes from M survive the reset");
    return wrong;
  }
  expect(r.m.notifications.empty(), "S sent M a NOTIFICATION");
  expect(r.s.undecodable["10.0.0.2"].empty(), "an UPDATE kept was reported undecodable");
  expect(r.m_established && r.s.established["10.0.0.2"] == 1 && r.s.downs["10.0.0.2"].empty(),
         "the session with M did not stay up");
  expect(r.from_m.contains(q), "Q (an earlier UPDATE) is gone");
  expect(r.from_m.contains(t), "T (a later UPDATE) is missing");
  if (e.outcome == Outcome::treat_as_withdraw) {
    expect(!r.from_m.contains(p), "P was not withdrawn (treat-as-withdraw)");
    expect(!r.from_m.contains(rr), "R was installed (treat-as-withdraw)");
    return wrong;
  }
  // Accepted, or the damaged attribute discarded: P and R as T, less the
  // discarded attribute when T carries it valid.
  expect(r.from_m.contains(p) && r.from_m.contains(rr), "P or R is missing");
  if (r.from_m.contains(p) && r.from_m.contains(t)) {
    auto want = r.from_m.at(t);
    if (c.damage == Damage::bad_length) clear(want, row.code);
    expect(r.from_m.at(p) == want, "P's attributes differ from the undamaged UPDATE's");
  }
  return wrong;
}

// ------------------------------------------------------------- generator

void showValue(const Case& c, std::ostream& os) { os << c.describe(); }

rc::Gen<Case> gen_case() {
  return rc::gen::apply(
      [](int damage, std::size_t row, bool mp, bool extended, std::size_t bad,
         std::size_t position) {
        Case c;
        c.damage = static_cast<Damage>(damage);
        c.row = row % attribute_rows().size();
        c.mp = mp;
        c.extended = extended;
        c.bad = bad;
        c.position = position;
        // Damage that needs the IPv4 NLRI field (or the row's attribute):
        if (c.damage == Damage::missing_next_hop || c.damage == Damage::nlri_prefix_length ||
            c.damage == Damage::withdrawn_prefix_length)
          c.mp = false;
        // NEXT_HOP with MP_REACH_NLRI alone is to be ignored (RFC 4760 3):
        // its damage is tested with IPv4 NLRI.
        if (uses_row(c.damage) && attribute_rows()[c.row].code == 3) c.mp = false;
        // Damage to MP_REACH_NLRI itself is the same either way; the IPv4
        // route set keeps P and R in the NLRI field then.
        return c;
      },
      rc::gen::inRange(0, static_cast<int>(Damage::open_unsupported_parameter) + 1),
      rc::gen::arbitrary<std::size_t>(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
      rc::gen::inRange<std::size_t>(0, 1000), rc::gen::inRange<std::size_t>(0, 8));
}

// Every damage once, in both route sets: a quick, exhaustive smoke pass
// whose failures name the damage.
TEST(MaliciousPeer, EveryDamageOnce) {
  for (int d = 0; d <= static_cast<int>(Damage::open_unsupported_parameter); ++d)
    for (bool mp : {false, true}) {
      Case c;
      c.damage = static_cast<Damage>(d);
      c.mp = mp && c.damage != Damage::missing_next_hop && c.damage != Damage::nlri_prefix_length &&
             c.damage != Damage::withdrawn_prefix_length;
      c.bad = 5;
      for (const auto& w : check(c)) ADD_FAILURE() << c.describe() << ": " << w;
    }
}

// Every attribute row's bad length, bad flags and duplicate.
TEST(MaliciousPeer, EveryAttributeRow) {
  for (std::size_t row = 0; row < attribute_rows().size(); ++row)
    for (auto d : {Damage::bad_length, Damage::bad_flags, Damage::duplicate}) {
      Case c;
      c.damage = d;
      c.row = row;
      c.bad = 3;
      for (const auto& w : check(c)) ADD_FAILURE() << c.describe() << ": " << w;
    }
}

// The property, at 1,000 cases whatever RC_PARAMS says for the binary's
// other properties ($BGPSIM_MALICIOUS_CASES overrides, for a longer sweep).
TEST(MaliciousPeer, GeneratedDamageHasTheRfcOutcome) {
  auto params = rc::detail::configuration().testParams;
  params.maxSuccess = 1000;
  if (const char* n = std::getenv("BGPSIM_MALICIOUS_CASES")) params.maxSuccess = std::atoi(n);
  rc::detail::TestMetadata metadata;
  metadata.id = "MaliciousPeer/GeneratedDamageHasTheRfcOutcome";
  metadata.description = "GeneratedDamageHasTheRfcOutcome";
  const auto result = rc::detail::checkTestable(
      [] {
        const Case c = *gen_case();
        const auto wrong = check(c);
        if (wrong.empty()) return;
        std::string all = c.describe();
        for (const auto& w : wrong) all += "\n  " + w;
        RC_FAIL(all);
      },
      metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream ss;
    rc::detail::printResultMessage(result, ss);
    ADD_FAILURE() << ss.str();
  }
}

}  // namespace
}  // namespace bgpsim
