// OPEN capabilities (RFC 5492) as typed values; one table row per code in
// capability.cpp (decode, encode, JSON). Unknown codes are kept as raw bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "speaker/wire/bytes.hpp"
#include "speaker/wire/error.hpp"
#include "speaker/wire/family.hpp"

namespace bgpsim::wire {

namespace cap {

enum Code : std::uint8_t {
  multiprotocol = 1,
  route_refresh = 2,
  extended_next_hop = 5,
  extended_message = 6,
  bgp_role = 9,
  graceful_restart = 64,
  four_octet_asn = 65,
  add_path = 69,
  enhanced_route_refresh = 70,
  long_lived_graceful_restart = 71,
  fqdn = 73,
  software_version = 75,
  link_local_next_hop = 77,
  multisession = 131,
  route_refresh_cisco = 128,
  operational = 185,
};

struct Multiprotocol {  // RFC 4760
  Family family;
  bool operator==(const Multiprotocol&) const = default;
};
struct RouteRefresh {  // RFC 2918 (code 2) or the pre-standard Cisco form (code 128)
  std::uint8_t code = route_refresh;
  bool operator==(const RouteRefresh&) const = default;
};
struct ExtendedNextHop {  // RFC 8950
  struct Entry {
    Family nlri;  // NLRI AFI + SAFI (the SAFI is 16 bits on the wire)
    std::uint16_t next_hop_afi = 2;
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool operator==(const ExtendedNextHop&) const = default;
};
struct ExtendedMessage {  // RFC 8654
  bool operator==(const ExtendedMessage&) const = default;
};
struct GracefulRestart {       // RFC 4724
  bool restart_state = false;  // R bit
  bool notification = false;   // N bit (RFC 8538)
  std::uint16_t restart_time_s = 0;
  struct Entry {
    Family family;
    bool forwarding_preserved = false;
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> families;
  bool operator==(const GracefulRestart&) const = default;
};
struct FourOctetAsn {  // RFC 6793
  std::uint32_t asn = 0;
  bool operator==(const FourOctetAsn&) const = default;
};
struct AddPath {  // RFC 7911
  enum Direction : std::uint8_t { receive = 1, send = 2, both = 3 };
  struct Entry {
    Family family;
    std::uint8_t direction = both;
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool operator==(const AddPath&) const = default;
};
struct EnhancedRouteRefresh {  // RFC 7313
  bool operator==(const EnhancedRouteRefresh&) const = default;
};
struct LongLivedGracefulRestart {  // RFC 9494
  struct Entry {
    Family family;
    std::uint8_t flags = 0;          // F bit = 0x80
    std::uint32_t stale_time_s = 0;  // 24 bits on the wire
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool operator==(const LongLivedGracefulRestart&) const = default;
};
struct Fqdn {  // draft-walton-bgp-hostname-capability
  std::string host_name;
  std::string domain_name;
  bool operator==(const Fqdn&) const = default;
};
struct SoftwareVersion {  // draft-ietf-idr-software-version
  std::string version;
  bool operator==(const SoftwareVersion&) const = default;
};
struct LinkLocalNextHop {  // draft-ietf-idr-linklocal-capability (no value)
  bool operator==(const LinkLocalNextHop&) const = default;
};
struct Multisession {  // draft-ietf-idr-bgp-multisession (Cisco code 131)
  std::uint8_t code = multisession;
  Bytes value;  // capability codes this session carries (ExaBGP: raw)
  bool operator==(const Multisession&) const = default;
};
struct Operational {  // draft-ietf-idr-operational-message (no value)
  bool operator==(const Operational&) const = default;
};
// RFC 9234 4.1: the BGP Role capability, one octet. Roles pair Provider with
// Customer, RS with RS-Client, Peer with Peer (4.2).
struct Role {
  std::uint8_t value = 0;
  bool operator==(const Role&) const = default;
};
namespace role {
inline constexpr std::uint8_t provider = 0, rs = 1, rs_client = 2, customer = 3, peer = 4;
}
// "provider", "rs", "rs-client", "customer", "peer"; "unknown" otherwise.
std::string_view role_name(std::uint8_t value);
std::optional<std::uint8_t> role_from_name(std::string_view name);
// RFC 9234 4.2: whether a speaker of role `local` may peer with one of `remote`.
bool roles_pair(std::uint8_t local, std::uint8_t remote);

struct Unknown {
  std::uint8_t code = 0;
  Bytes value;
  bool operator==(const Unknown&) const = default;
};

}  // namespace cap

using Capability =
    std::variant<cap::Multiprotocol, cap::RouteRefresh, cap::ExtendedNextHop, cap::ExtendedMessage,
                 cap::GracefulRestart, cap::FourOctetAsn, cap::AddPath, cap::EnhancedRouteRefresh,
                 cap::LongLivedGracefulRestart, cap::Fqdn, cap::SoftwareVersion,
                 cap::LinkLocalNextHop, cap::Multisession, cap::Operational, cap::Role,
                 cap::Unknown>;

std::uint8_t capability_code(const Capability& c);
// ExaBGP's name for a capability code ("multiprotocol", "asn4"...), "unknown"
// for codes without a table row.
std::string_view capability_name(std::uint8_t code);

// Decodes one capability value (the bytes after code and length). Errors are
// OPEN Message Errors; `r` spans exactly the value.
Result<Capability> decode_capability(std::uint8_t code, Reader r);
// Appends code, length and value.
void encode_capability(const Capability& c, Writer& w);

}  // namespace bgpsim::wire
