// The typed configuration model the reactor consumes. Parsers (today the
// ExaBGP-syntax subset in parser.cpp) produce it; the reactor never sees text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/family.hpp"

namespace bgpsim::config {

// Where something was written: "file:line:col".
struct Location {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string to_string() const;
};

struct StaticRoute {
  wire::Family family;
  wire::Nlri nlri;
  wire::PathAttributes attributes;  // next hop in attributes.next_hop (see rib/route.hpp)
  bool next_hop_self = false;       // `next-hop self`: the session's local address
  Location where;
};

struct AddPath {
  bool send = false;
  bool receive = false;
};

struct Capabilities {
  bool asn4 = true;
  bool route_refresh = false;
  std::optional<std::uint16_t> graceful_restart_s;
  AddPath add_path;
  std::vector<wire::Family> add_path_families;  // empty: every configured family
  bool extended_message = false;
  bool extended_next_hop = false;
  bool software_version = false;
  bool multi_session = false;
  bool operational = false;
};

struct Neighbor {
  wire::IpAddress peer_address;
  std::optional<wire::IpAddress> local_address;
  std::uint16_t connect_port = 179;  // ExaBGP `connect`: the peer's port we dial
  std::uint16_t listen_port = 0;     // ExaBGP `listen`: our port (0: do not listen)
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::optional<std::uint32_t> router_id;  // default: the local address if IPv4
  std::uint16_t hold_time_s = 180;
  bool passive = false;
  bool group_updates = true;
  std::string description;
  std::string host_name;
  std::string domain_name;
  std::string md5_password;                  // RFC 2385 TCP-MD5
  std::optional<std::uint8_t> outgoing_ttl;  // GTSM (RFC 5082): TTL we send
  std::optional<std::uint8_t> incoming_ttl;  // GTSM: minimum TTL we accept
  Capabilities capabilities;
  std::vector<wire::Family> families;  // empty: ipv4 unicast, plus what the routes need
  std::vector<StaticRoute> routes;
  Location where;

  // Families to negotiate: the configured ones, or the defaults.
  std::vector<wire::Family> negotiated_families() const;
};

struct Config {
  std::vector<Neighbor> neighbors;
};

}  // namespace bgpsim::config
