// RapidCheck generators for capabilities, OPEN, NOTIFICATION and ROUTE-REFRESH.
// They produce canonical values: ones that encode to bytes which decode back
// to the same value (no capability value over 255 bytes, no Unknown with a
// code the table knows, route refresh subtypes 0..2, ...).
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "speaker/wire/capability.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::wire::gen {

// Capability codes with a table row (capability.cpp); Unknown avoids them.
inline constexpr std::array<std::uint8_t, 17> known_capability_codes{
    1, 2, 5, 6, 9, 64, 65, 68, 69, 70, 71, 73, 75, 77, 128, 131, 185};

inline rc::Gen<std::uint8_t> byte() { return rc::gen::arbitrary<std::uint8_t>(); }

inline rc::Gen<Bytes> bytes(std::size_t max_size) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, max_size + 1), [](std::size_t n) {
    return rc::gen::container<Bytes>(n, rc::gen::arbitrary<std::uint8_t>());
  });
}

inline rc::Gen<std::string> text(std::size_t max_size) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, max_size + 1), [](std::size_t n) {
    return rc::gen::container<std::string>(n, rc::gen::arbitrary<char>());
  });
}

template <class T>
rc::Gen<std::vector<T>> up_to(std::size_t max_size, rc::Gen<T> g) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, max_size + 1),
                         [g](std::size_t n) { return rc::gen::container<std::vector<T>>(n, g); });
}

// Mostly families a session would use, sometimes any AFI/SAFI pair.
inline rc::Gen<Family> family() {
  return rc::gen::weightedOneOf<Family>(
      {{3, rc::gen::element(ipv4_unicast, ipv6_unicast, ipv4_multicast,
                            Family(Afi::ipv4, Safi::mpls_vpn), Family(Afi::ipv6, Safi::flow),
                            Family(Afi::l2vpn, Safi::evpn))},
       {1, rc::gen::construct<Family>(rc::gen::arbitrary<std::uint16_t>(), byte())}});
}

template <class T>
rc::Gen<Capability> as_capability(rc::Gen<T> g) {
  return rc::gen::map(std::move(g), [](T v) { return Capability(std::move(v)); });
}

inline rc::Gen<Capability> capability() {
  using namespace cap;
  auto multiprotocol = rc::gen::map(family(), [](Family f) { return Multiprotocol{f}; });
  auto route_refresh =
      rc::gen::map(rc::gen::element<std::uint8_t>(cap::route_refresh, cap::route_refresh_cisco),
                   [](std::uint8_t code) { return cap::RouteRefresh{code}; });
  auto next_hop_entry =
      rc::gen::construct<ExtendedNextHop::Entry>(family(), rc::gen::element<std::uint16_t>(1, 2));
  auto extended_next_hop = rc::gen::map(
      up_to(8, next_hop_entry), [](auto entries) { return ExtendedNextHop{std::move(entries)}; });
  auto gr_entry = rc::gen::construct<GracefulRestart::Entry>(family(), rc::gen::arbitrary<bool>());
  auto graceful_restart = rc::gen::construct<GracefulRestart>(
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
      rc::gen::inRange<std::uint16_t>(0, 4096), up_to(8, gr_entry));
  // RFC 7607: AS 0 is refused (Bad Peer AS).
  auto four_octet_asn = rc::gen::construct<FourOctetAsn>(rc::gen::suchThat(
      rc::gen::arbitrary<std::uint32_t>(), [](std::uint32_t a) { return a != 0; }));
  auto add_path_entry = rc::gen::construct<AddPath::Entry>(family(), byte());
  auto add_path = rc::gen::map(up_to(8, add_path_entry),
                               [](auto entries) { return AddPath{std::move(entries)}; });
  auto llgr_entry = rc::gen::construct<LongLivedGracefulRestart::Entry>(
      family(), byte(), rc::gen::inRange<std::uint32_t>(0, 1u << 24));
  auto llgr = rc::gen::map(up_to(8, llgr_entry), [](auto entries) {
    return LongLivedGracefulRestart{std::move(entries)};
  });
  auto fqdn = rc::gen::construct<Fqdn>(text(64), text(64));
  auto software_version = rc::gen::construct<SoftwareVersion>(text(64));
  auto multisession = rc::gen::construct<Multisession>(
      rc::gen::element<std::uint8_t>(68, cap::multisession), bytes(8));
  auto unknown_code = rc::gen::suchThat(byte(), [](std::uint8_t c) {
    return std::find(known_capability_codes.begin(), known_capability_codes.end(), c) ==
           known_capability_codes.end();
  });
  auto unknown = rc::gen::construct<Unknown>(unknown_code, bytes(40));
  return rc::gen::oneOf(
      as_capability(multiprotocol), as_capability(route_refresh), as_capability(extended_next_hop),
      as_capability(rc::gen::just(ExtendedMessage{})), as_capability(graceful_restart),
      as_capability(four_octet_asn), as_capability(add_path),
      as_capability(rc::gen::just(EnhancedRouteRefresh{})), as_capability(llgr),
      as_capability(fqdn), as_capability(software_version),
      as_capability(rc::gen::just(LinkLocalNextHop{})), as_capability(multisession),
      as_capability(rc::gen::just(Operational{})), as_capability(unknown));
}

// The classic optional parameters form carries at most 255 bytes, each
// parameter at most 255 (RFC 9072 2); encode_open_body switches to the
// extended form past that, so the canonical value says so.
inline bool needs_extended_parameters(const Open& o) {
  std::size_t total = 0;
  for (const auto& group : o.capability_parameters) {
    Bytes value;
    Writer w(value);
    for (const auto& c : group) encode_capability(c, w);
    if (value.size() > 255) return true;
    total += 2 + value.size();
  }
  for (const auto& p : o.other_parameters) {
    if (p.value.size() > 255) return true;
    total += 2 + p.value.size();
  }
  return total > 255;
}

inline rc::Gen<Open> open() {
  auto hold_time = rc::gen::suchThat(rc::gen::arbitrary<std::uint16_t>(),
                                     [](std::uint16_t h) { return h != 1 && h != 2; });
  auto identifier = rc::gen::suchThat(rc::gen::arbitrary<std::uint32_t>(),
                                      [](std::uint32_t id) { return id != 0; });
  // What a speaker accepts: My AS not 0 (RFC 7607), no optional parameter
  // but capabilities (RFC 4271 6.2: others are Unsupported Optional Parameter).
  auto my_as = rc::gen::suchThat(rc::gen::arbitrary<std::uint16_t>(),
                                 [](std::uint16_t a) { return a != 0; });
  auto o = rc::gen::build<Open>(
      rc::gen::set(&Open::my_as, my_as), rc::gen::set(&Open::hold_time_s, hold_time),
      rc::gen::set(&Open::bgp_identifier, identifier),
      rc::gen::set(&Open::capability_parameters, up_to(4, up_to(5, capability()))),
      rc::gen::set(&Open::extended_parameters));
  return rc::gen::map(o, [](Open v) {
    if (needs_extended_parameters(v)) v.extended_parameters = true;
    return v;
  });
}

inline rc::Gen<Notification> notification() {
  return rc::gen::build<Notification>(rc::gen::set(&Notification::code),
                                      rc::gen::set(&Notification::subcode),
                                      rc::gen::set(&Notification::data, bytes(64)));
}

inline rc::Gen<RouteRefresh> route_refresh() {
  return rc::gen::build<RouteRefresh>(
      rc::gen::set(&RouteRefresh::family, family()),
      rc::gen::set(&RouteRefresh::subtype, rc::gen::inRange<std::uint8_t>(0, 3)));
}

}  // namespace bgpsim::wire::gen
