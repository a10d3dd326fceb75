// The trace: every observable event of a run, in order, with a stable 64-bit
// hash (a word-wise multiply-shift hash over a canonical little-endian
// serialization, trace.cpp). The hash is kept
// incrementally; events are stored only when asked (needed to report the
// first difference between two runs).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bgpsim::sim {

enum class TraceKind : std::uint8_t {
  connect = 1,  // aux = connection id; SYN sent
  established,  // client side handshake completed
  accepted,     // server side connection queued on the listener
  refused,      // connect got RST: nothing listening
  timed_out,    // connect gave up (partition, node down, no such host)
  write,        // bytes accepted into the send buffer
  deliver,      // bytes arrived in the receiver's buffer
  fin,          // FIN arrived at the receiver
  reset,        // the connection was reset (seen by this node)
  close,        // the application closed its socket
  crash,        // node crashed
  restart,      // node restarted
  fault_on,     // aux = rule id
  fault_off,    // aux = rule id
  user,         // free-form note from code under test
  // Speaker-level events (scenarios/engine.cpp), bytes = a one-line text:
  bgp_state,     // a session came up or went down ("10.0.0.2 established")
  bgp_sent,      // a message sent, decoded ("10.0.0.2 update 10.1.0.0/24 ...")
  bgp_received,  // a message received, decoded
  bgp_routes,    // Adj-RIB-In changes ("10.0.0.2 +10.1.0.0/24 -10.2.0.0/24")
  step,          // a scenario timeline step (faults, commands, checks); aux = index
};
// Whether the event's bytes are text (the speaker-level and step events).
bool is_text(TraceKind kind);

const char* to_string(TraceKind kind);

struct TraceEvent {
  std::int64_t at_ns = 0;
  std::uint32_t node = 0;
  TraceKind kind = TraceKind::user;
  std::uint64_t aux = 0;
  std::vector<std::uint8_t> bytes;
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

std::string format_event(const TraceEvent& e);

// An event as the observer sees it: the bytes are borrowed for the call, so
// observing a run copies nothing (a 1,000-speaker run has 45 M events).
struct TraceView {
  std::int64_t at_ns = 0;
  std::uint32_t node = 0;
  TraceKind kind = TraceKind::user;
  std::uint64_t aux = 0;
  std::span<const std::uint8_t> bytes;
};

struct TraceOptions {
  bool keep_events = true;  // store events, not just the hash
};

class Trace {
 public:
  explicit Trace(TraceOptions options = {}) : options_(options) {}
  void record(TraceEvent e);
  // Same, without building a TraceEvent when nothing keeps it (hash only).
  void record(std::int64_t at_ns, std::uint32_t node, TraceKind kind, std::uint64_t aux,
              std::span<const std::uint8_t> bytes);
  std::uint64_t hash() const { return hash_; }
  std::uint64_t size() const { return count_; }
  const std::vector<TraceEvent>& events() const { return events_; }
  const TraceOptions& options() const { return options_; }
  // Called for every event (the scenario engine's checks); nullptr to remove.
  std::function<void(const TraceView&)> observer;

 private:
  void mix(std::int64_t at_ns, std::uint32_t node, TraceKind kind, std::uint64_t aux,
           std::span<const std::uint8_t> bytes);
  TraceOptions options_;
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t count_ = 0;
  std::vector<TraceEvent> events_;
};

// What a run hands back to the determinism check.
struct RunResult {
  std::uint64_t seed = 0;
  std::uint64_t hash = 0;
  std::vector<TraceEvent> events;
};

struct DeterminismReport {
  bool same = true;
  std::uint64_t seed = 0;
  std::uint64_t hash_first = 0;
  std::uint64_t hash_second = 0;
  std::optional<std::size_t> first_difference;  // index into the event lists
  std::string message;                          // human-readable summary
};

// Runs the scenario twice with one seed and compares trace hashes; on a
// mismatch the message names the first differing event of each run.
DeterminismReport check_determinism(std::uint64_t seed,
                                    const std::function<RunResult(std::uint64_t)>& run);

}  // namespace bgpsim::sim
