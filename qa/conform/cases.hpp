// The conformance cases: one row each, an RFC requirement (RFC, section,
// MUST/SHOULD/MAY, what it says), the steps a scripted peer takes against the
// target (bytes to send, times to wait) and the reaction it requires
// (NOTIFICATION code/subcode, the session staying up, UPDATEs sent back, the
// route kept or withdrawn). Pure data: qa/conform/driver.hpp runs a case over
// any Runtime.
//
// Where an RFC allows more than one reaction, the case accepts each of them
// and its `note` says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "qa/conform/wire.hpp"

namespace bgpsim::conform {

// What the target said in its OPEN (cases that need a capability are not
// applicable to a target that does not offer it).
struct TargetOpen {
  std::uint8_t version = 0;
  std::uint32_t asn = 0;  // the 4-octet AS capability's, else My AS
  std::uint16_t hold_s = 0;
  std::uint32_t id = 0;
  std::set<std::uint8_t> capabilities;                        // codes
  std::set<std::pair<std::uint16_t, std::uint8_t>> families;  // Multiprotocol AFI/SAFI
  std::uint8_t role = 255;             // RFC 9234 role capability value, 255: none
  bool gr_notification = false;        // RFC 8538: the N bit of its Graceful Restart capability
  bool add_path_receive_ipv4 = false;  // RFC 7911: it receives paths for IPv4 unicast
};

// Who is who on the session under test.
struct Context {
  std::uint32_t suite_as = 65001;
  std::uint32_t target_as = 65000;
  std::uint32_t suite_id = 0x0A000002;                 // 10.0.0.2
  std::array<std::uint8_t, 4> next_hop{127, 0, 0, 2};  // the suite's own address
  TargetOpen target;
};

using Build = std::function<Bytes(const Context&)>;

// What must be seen.
struct Outcome {
  enum Kind {
    notification,           // a NOTIFICATION with one of `accepted` (subcode -1: any)
    closed,                 // the connection ends (a NOTIFICATION before it is allowed:
                            // any, or one of `accepted` when given)
    alive,                  // no NOTIFICATION and no close for `within`
    keepalive,              // a KEEPALIVE within `within`
    update,                 // an UPDATE that is not an End-of-RIB within `within`
    end_of_rib,             // an IPv4 unicast End-of-RIB within `within`
    open,                   // the target's OPEN (and its capabilities) within `within`
    alive_or_notification,  // either stays up or one of `accepted` (RFC leaves it open)
    quiet,                  // alive, and not even a KEEPALIVE (hold time 0)
    refresh,                // a ROUTE-REFRESH of subtype `subtype` within `within`
    role,                   // our BGP Role `subtype`: a KEEPALIVE if it pairs with the
                            // target's (RFC 9234 4.2), else NOTIFICATION 2/11
  } kind = alive;
  std::vector<std::pair<std::uint8_t, int>> accepted;
  std::chrono::milliseconds within{0};
  std::uint8_t subtype = 0;
  // update: what the first UPDATE (not an End-of-RIB) must satisfy; "" when
  // it does, else why not.
  std::function<std::string(const Bytes&, const Context&)> check{};
  // closed: no NOTIFICATION may come first (the case sent one and the RFC
  // asks for the connection to be dropped without one).
  bool silent = false;
};

// The capability a case needs the target to offer (checked in its OPEN).
enum class Needs : std::uint8_t {
  nothing = 0,
  route_refresh = 2,
  extended_message = 6,
  role = 9,
  graceful_restart = 64,
  add_path = 69,
  enhanced_route_refresh = 70,
  long_lived_graceful_restart = 71,
  // Not capability codes: a property of one.
  graceful_restart_notification = 200,  // RFC 8538 N bit
  add_path_receive = 201,               // RFC 7911 receive for IPv4 unicast
};

struct Step {
  enum Op {
    connect,  // a new TCP connection (index `conn`)
    send,     // write `bytes(ctx)`
    expect,   // wait for `outcome`
    wait,     // let `time` pass (KEEPALIVEs keep flowing unless silenced)
    silence,  // stop sending KEEPALIVEs on `conn`
    close,    // close `conn` (no NOTIFICATION)
    route,    // the target holds (`present`) or not the route `prefix` from us
  } op = wait;
  int conn = 0;
  Build bytes;
  Outcome outcome;
  std::chrono::milliseconds time{0};
  std::string prefix;
  bool present = true;
  // When set, decides `present` from what the target said (its BGP Role).
  std::function<bool(const Context&)> present_if;
  // connect: the first attempt must bring the target's OPEN (no retry while
  // the target refuses: it must be listening at once).
  bool once = false;
  // connect: a target that closes the connection before its OPEN has answered
  // (a collision with an Established session, RFC 4271 6.8); the steps on
  // this connection then see it closed. Implies `once`.
  bool closed_ok = false;
};

struct Case {
  std::string id;       // "4271-6.1-marker-0"
  std::string rfc;      // "RFC 4271"
  std::string section;  // "6.1"
  std::string level;    // MUST, SHOULD, MAY
  std::string text;     // what the requirement says, in short
  std::string note;     // why more than one reaction is accepted, if so
  Needs needs = Needs::nothing;
  bool long_timer = false;  // waits minutes of real time live (skipped by --quick)
  std::vector<Step> steps;
};

// Every case, in a stable order.
const std::vector<Case>& all_cases();

}  // namespace bgpsim::conform
