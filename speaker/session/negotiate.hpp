// Session configuration and OPEN negotiation (RFC 4271 4.2/6.2, RFC 5492).
// Pure functions: the OPEN we send is built from the configuration, and the
// two OPENs (sent and received) decide what the session carries, including
// the wire::DecodeContext / wire::EncodeContext the codec needs. Depends on
// speaker/wire only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "speaker/wire/capability.hpp"
#include "speaker/wire/context.hpp"
#include "speaker/wire/message.hpp"
#include "speaker/wire/open.hpp"

namespace bgpsim::session {

// RFC 7911 wish for one family: whether we want to send and/or receive path ids.
struct AddPathWish {
  wire::Family family;
  bool send = false;
  bool receive = false;
  bool operator==(const AddPathWish&) const = default;
};

// What we are and what we offer to one peer. make_open() turns the capability
// fields into the capabilities of our OPEN; negotiate() reads the OPENs only
// (plus peer_as / router_id for the checks), so a hand-written OPEN works too.
struct PeerConfig {
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;            // expected peer AS; 0 accepts any
  std::uint32_t router_id = 0;          // our BGP identifier, host order
  std::uint16_t hold_time_s = 180;      // 0 (no KEEPALIVEs, no hold timer) or >= 3
  std::uint16_t connect_retry_s = 120;  // ConnectRetryTime, >= 1
  bool passive = false;                 // never initiate: wait in Active for the peer to connect
  // RFC 4271 8.1.1 DelayOpen / DelayOpenTime: 0 sends the OPEN as soon as the
  // connection is up; otherwise wait this long (or for the peer's OPEN).
  std::uint16_t delay_open_s = 0;
  // RFC 4271 8.1.1 SendNOTIFICATIONwithoutOPEN: a header or OPEN error that
  // arrives while our OPEN is delayed is answered with a NOTIFICATION.
  bool send_notification_without_open = false;
  // RFC 9687 SendHoldTime: 0 is max(8 minutes, 2 x the negotiated hold time).
  std::uint32_t send_hold_time_s = 0;
  // RFC 9234: our BGP Role on this session (wire::cap::role), advertised in
  // the OPEN; a peer's role that does not pair with it is a Role Mismatch,
  // and so is none at all when `role_strict`.
  std::optional<std::uint8_t> role;
  bool role_strict = false;

  // Capabilities we advertise.
  std::vector<wire::Family> families{wire::ipv4_unicast};  // one Multiprotocol each
  std::vector<AddPathWish> add_path;
  bool four_octet_asn = true;
  bool route_refresh = true;
  bool enhanced_route_refresh = false;
  bool extended_message = false;
  std::vector<wire::cap::ExtendedNextHop::Entry> extended_next_hop;
  std::optional<wire::cap::GracefulRestart> graceful_restart;
  // RFC 9494: sent after the Graceful Restart capability, and only with it.
  std::optional<wire::cap::LongLivedGracefulRestart> long_lived_graceful_restart;
  // Appended as given after the others (hostname, software version, link-local
  // next hop: ExaBGP's order).
  std::vector<wire::Capability> extra_capabilities;
  // Where ExaBGP departs from the RFCs on the wire (wire::CodecContext::
  // exabgp_compat): off unless a program turns it on; the qa runner does
  // for ExaBGP's functional tests.
  bool exabgp_compat = false;

  // Reconnect back-off (the IdleHoldTimer, RFC 4271 8.1.1): after the n-th
  // consecutive failure the FSM waits min(backoff_max_s, backoff_min_s * 2^(n-1))
  // plus a jitter of [0, backoff_jitter_percent]% of that, uniformly drawn from
  // a hash of (backoff_seed, attempt number): no randomness inside the FSM.
  std::uint32_t backoff_min_s = 1;            // >= 1
  std::uint32_t backoff_max_s = 120;          // >= backoff_min_s
  std::uint32_t backoff_jitter_percent = 25;  // 0..100
  std::uint64_t backoff_seed = 0;
  // A session Established at least this long resets the failure count.
  std::uint32_t backoff_reset_s = 60;

  bool ibgp() const { return peer_as != 0 && peer_as == local_as; }
};

// Why a configuration cannot run (hold time 1-2, zero timers, ...), or nullopt.
std::optional<std::string> config_error(const PeerConfig& config);

// What both sides agreed on; valid from OpenConfirm on.
struct Negotiated {
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::uint32_t peer_router_id = 0;
  std::uint16_t hold_time_s = 0;        // min(ours, theirs); 0 = no hold timer
  std::uint16_t keepalive_s = 0;        // hold_time_s / 3; 0 = no KEEPALIVEs
  wire::FamilySet families;             // both advertised (IPv4 unicast if one sent no MP)
  wire::DecodeContext receive;          // for decoding what the peer sends
  wire::EncodeContext send;             // for encoding what we send
  bool route_refresh = false;           // both sent code 2 (or Cisco's 128)
  bool enhanced_route_refresh = false;  // both sent code 70
  // The peer's Graceful Restart capability (restart time, per-family F bits)
  // when both sides sent one.
  std::optional<wire::cap::GracefulRestart> graceful_restart;
  // The peer's Long-Lived Graceful Restart capability when both sides sent
  // one and graceful restart is negotiated too (RFC 9494 3: it is used only
  // together with the Graceful Restart capability).
  std::optional<wire::cap::LongLivedGracefulRestart> long_lived_graceful_restart;

  // RFC 9234: our role when one is configured, and the peer's when it sent one.
  std::optional<std::uint8_t> local_role, peer_role;

  bool ibgp() const { return local_as == peer_as; }
  bool operator==(const Negotiated&) const = default;
};

// What the software-version capability says when the configuration does not
// choose: the project's name and version (CMakeLists.txt project()).
inline constexpr std::string_view default_software_version = "bgpsim/0.1.0";

// Our OPEN: AS_TRANS in My AS when local_as needs 4 bytes (RFC 6793 4.1), one
// capability per optional parameter, in ExaBGP's order (multiprotocol, asn4,
// extended next hop, add-path, graceful restart, route refresh, extended
// message, then the extra capabilities), so its inspect-open tests match.
wire::Open make_open(const PeerConfig& config);

// Judges the received OPEN (RFC 4271 6.2 checks beyond what the codec does)
// and intersects capabilities. An error carries the NOTIFICATION to send:
//  - version other than 4: Unsupported Version Number (data: 4)
//  - peer AS 0 (RFC 7607), or not the configured one: Bad Peer AS
//  - BGP identifier 0, or equal to ours on an iBGP session (RFC 6286 2.2):
//    Bad BGP Identifier
//  - hold time 1 or 2: Unacceptable Hold Time
//  - an optional parameter other than capabilities: Unsupported Optional Parameter
//  - no family in common: Unsupported Capability with our Multiprotocol
//    capabilities as data (RFC 5492 5 lets a speaker end a session that lacks
//    a capability it needs; a session that could carry no route is useless,
//    and FRR answers the same way).
wire::Result<Negotiated> negotiate(const PeerConfig& config, const wire::Open& sent,
                                   const wire::Open& received);

}  // namespace bgpsim::session
