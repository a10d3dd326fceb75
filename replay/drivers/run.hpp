// `bgpsim replay run`: one side of a captured session replaced by the bgpsim
// speaker inside the simulator. The speaker (a Reactor<SimRuntime>) is
// configured from what the capture shows for its side (the OPEN: AS, router
// id, hold time, capabilities; the addresses and ports; the routes that side
// announced), a scripted peer node replays the other side's recorded
// messages at their recorded offsets in virtual time, and the run is
// compared with the capture: the message kinds the speaker sent against the
// recorded side's, NOTIFICATIONs the capture does not have, and the
// speaker's Adj-RIB-In against what the other side announced.
//
// Deterministic: virtual time only (capture times become offsets from the
// session's first message), every random choice from the world's seed.
// Depends on replay/ (the reader), sim/ and speaker/reactor.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "replay/record.hpp"

namespace bgpsim::replay {

// One session of a capture, both directions, in capture order.
struct CapturedMessage {
  int side = 0;  // the sender: 0 side a, 1 side b
  Timestamp time;
  std::uint64_t packet = 0;  // frame that completed the message
  wire::Bytes bytes;
  wire::DecodeContext context;  // what the receiver decodes it with
};

struct CapturedSession {
  std::string file;
  std::uint32_t session = 0;
  Endpoint side[2];
  std::vector<CapturedMessage> messages;
  std::uint64_t gaps = 0, errors = 0;  // damage in the session's streams
  bool context_inferred = false;       // an OPEN was not captured
};

// Reads session `session` of a pcap/pcapng capture; an error names the file.
std::variant<CapturedSession, std::string> load_session(const std::string& path,
                                                        std::uint32_t session);

struct RunOptions {
  int side = 0;  // the side the speaker replaces: 0 (a) or 1 (b)
  std::uint64_t seed = 1;
  std::chrono::nanoseconds latency{std::chrono::microseconds(100)};  // one way
  std::chrono::nanoseconds settle{std::chrono::seconds(5)};  // run on after the last message
  std::string pcap_path;  // write the simulated session here (empty: no)
};

// A message in one of the two sequences compared.
struct MessageAt {
  std::size_t index = 0;          // 1-based among that side's messages
  std::chrono::nanoseconds at{};  // offset from the session's first message
  std::string kind;               // see message_kind()
};

// A route that differs between two tables: `what` is missing, extra or
// different; the attributes are ExaBGP's JSON for them ("" when absent).
struct RouteDifference {
  std::string route;  // "ipv4 unicast 10.0.0.0/24" (path id appended when present)
  std::string what;
  std::string expected, actual;
};

struct RunReport {
  std::string file;
  std::uint32_t session = 0;
  int side = 0;
  // The speaker's configuration, from the capture.
  std::string speaker_address, peer_address;
  std::uint16_t speaker_port = 0, peer_port = 0;
  bool passive = false;  // the speaker listened (the other side opened the connection)
  std::uint32_t local_as = 0, peer_as = 0, router_id = 0;
  std::uint16_t hold_time_s = 0;
  std::vector<std::string> families, capabilities;  // of the speaker's OPEN
  std::size_t routes_configured = 0;  // what the recorded side announced, the speaker announces
  std::uint64_t seed = 0;
  std::chrono::nanoseconds end{};  // virtual time when the tables were compared
  std::uint64_t trace_hash = 0;

  std::size_t recorded_messages = 0;  // sent by the replaced side in the capture
  std::size_t replayed_messages = 0;  // sent by the scripted peer (the other side)
  std::size_t speaker_messages = 0;   // sent by the speaker
  bool established = false;           // the speaker reached Established
  std::vector<std::string> notes;     // damage, inferred contexts, operator actions

  // Divergences.
  std::optional<MessageAt> first_recorded, first_speaker;  // where the kinds differ
  bool kinds_differ = false;
  std::vector<MessageAt> unexpected_notifications;  // with the NOTIFICATION as text
  std::size_t rib_in_expected = 0, rib_in_actual = 0;
  std::vector<RouteDifference> rib_in;  // speaker's Adj-RIB-In vs what the other side announced
  std::size_t sent_expected = 0, sent_actual = 0;
  std::vector<RouteDifference> sent;  // what the speaker announced vs what the capture did
  std::vector<std::string> failures;  // coroutine failures in the simulator

  bool diverged() const {
    return kinds_differ || !unexpected_notifications.empty() || !rib_in.empty() || !sent.empty() ||
           !failures.empty();
  }
};

// The kind a message is compared by: "open", "keepalive", "update",
// "end-of-rib", "notification 6/2", "route-refresh", or "undecodable".
std::string message_kind(wire::ByteView message, const wire::DecodeContext& ctx);

// The kinds of a side's messages in the form compared: KEEPALIVEs after the
// first dropped (they follow timers, not the exchange) and runs of one kind
// collapsed to one (how a table is packed into UPDATEs is the speaker's
// choice). Returns indexes into `kinds`.
std::vector<std::size_t> compared_kinds(const std::vector<std::string>& kinds);

// Runs the replay; an error (no OPEN captured for a side, ...) names why.
std::variant<RunReport, std::string> run_replay(const CapturedSession& session,
                                                const RunOptions& options);

}  // namespace bgpsim::replay
