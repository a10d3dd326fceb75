// The BGP finite state machine (RFC 4271 section 8) as a pure step function:
//   step(config, state, now, event) -> actions, updating `state` in place.
// It reads no clock (the caller passes `now`, virtual or real), draws no random
// numbers (back-off jitter is a hash of a configured seed) and does no I/O:
// the session coroutines carry out the actions and feed back events.
//
// Driving it: after every step, wait until next_deadline(state) (if any) or the
// next socket event, whichever comes first, and step Tick{} when the deadline
// passes. Timers are deadlines in the state, keyed by Timer; a Tick fires every
// deadline <= now, so after any step no deadline lies at or before `now`.
//
// Optional attributes of RFC 4271 8.1.1 implemented: DelayOpen (with
// DelayOpenTime; events 12 and 20), SendNOTIFICATIONwithoutOPEN (events 21
// and 22 while the OPEN is delayed), and the SendHoldTimer of RFC 9687.
//
// Connect and Active both listen: an inbound connection is accepted in
// either (RFC 4271 8.2.2). A TCP connection that fails before the BGP
// connection is up (OpenSent, event 18; Connect) goes to Active with the
// ConnectRetryTimer restarted; the timer's expiry in Active dials again
// (Connect). Its value "is a local matter" (RFC 4271 10): the back-off delay
// of the consecutive failures (counted for the back-off only, not as the
// RFC's ConnectRetryCounter), at most the ConnectRetryTime. Two speakers that
// both dial therefore always find each other: the one whose attempt failed
// listens in Active.
//
// Deviations from RFC 4271 8.2.2, chosen for a speaker that reconnects on its own:
//  - DampPeerOscillations' separate counters are not implemented; every
//    failure that increments the ConnectRetryCounter instead goes to Idle and
//    arms the IdleHoldTimer with an exponential back-off (RFC 4271 8.1.1
//    allows "IdleHoldTimer" damping); expiry is AutomaticStart (Idle refuses
//    connections meanwhile, as the RFC says).
//  - Connect, TcpConnectionFails without DelayOpen: the RFC goes to Idle
//    (without counting a failure) for an AutomaticStart, which would either
//    dial again at once (a busy loop against a peer that refuses) or hold
//    Idle and refuse the peer's own attempt (two dialling speakers then miss
//    each other forever). It goes to Active like the DelayOpen branch of the
//    same event (and RFC 1771): listening, the ConnectRetryTimer restarted.
//  - Passive peers arm no ConnectRetryTimer in Active (RFC 4271 8.1.1
//    PassiveTcpEstablishment: "the BGP FSM will wait for the remote peer to
//    initiate"): they never dial.
//  - A NOTIFICATION received is never answered with one (RFC 4271 6: the
//    connection is closed right after a NOTIFICATION is sent).
//  - Each FsmState is one connection's FSM (RFC 4271 8: "one instance of the
//    BGP FSM per connection"). A second TCP connection for the same peer
//    (TcpConnected in OpenSent or later) is ignored by this FSM: the session
//    driver (peer.hpp) runs a second FsmState for it and, when an OPEN makes
//    the collision decidable (RFC 4271 6.8), steps OpenCollisionDump into the
//    loser chosen by collision_winner() below.
//
// No-busy-loop invariant: two consecutive Connect actions are always at least
// min_reconnect_interval(config) apart in `now` -- a Start soon after the last
// Connect arms the IdleHoldTimer for the remainder instead of connecting.
// (Passive peers never emit Connect; inbound connections are the peer's pace.)
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "speaker/session/negotiate.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::session {

using Time = std::chrono::nanoseconds;  // since any epoch the caller chooses

enum class State : std::uint8_t { idle, connect, active, open_sent, open_confirm, established };
inline constexpr std::size_t state_count = 6;
std::string_view to_string(State s);

enum class Timer : std::uint8_t {
  connect_retry,  // ConnectRetryTimer (RFC 4271 10): Connect, and Active of an active peer
  hold,           // HoldTimer: 4 minutes in OpenSent, then the negotiated hold time
  keepalive,      // KeepaliveTimer: negotiated hold time / 3
  idle_hold,      // IdleHoldTimer: reconnect back-off while Idle
  delay_open,     // DelayOpenTimer: Connect/Active with the connection up, OPEN not yet sent
  send_hold,      // SendHoldTimer (RFC 9687): OpenConfirm/Established, restarted by each send
};
inline constexpr std::size_t timer_count = 6;
std::string_view to_string(Timer t);

// RFC 4271 8.2.2: "sets the HoldTimer to a large value ... A HoldTimer value
// of 4 minutes is suggested." (OpenSent)
inline constexpr std::chrono::seconds open_sent_hold_time{240};
// RFC 9687 4: SendHoldTime defaults to "8 minutes or 2 times the negotiated
// HoldTime, whichever is greater" (PeerConfig::send_hold_time_s = 0).
inline constexpr std::chrono::seconds send_hold_time_min{480};
// The SendHoldTime of a session with this negotiated hold time (0: none, as
// no KEEPALIVEs flow when the hold time is zero).
std::chrono::seconds send_hold_time(const PeerConfig& config, std::uint16_t negotiated_hold_s);

// --- Events (RFC 4271 8.1 numbers in the comments) -------------------------
// 1 ManualStart, 4 ManualStart_with_PassiveTcpEstablishment (config.passive).
// Enables automatic restarts until a manual Stop. Ignored outside Idle, and
// while Idle with a back-off pending (which then performs the start).
struct Start {};
// 2 ManualStop (automatic = false): NOTIFICATION if a BGP connection is open
// (default Cease / Administrative Shutdown), Idle, no reconnect.
// 8 AutomaticStop (automatic = true, e.g. Cease / Maximum Number of Prefixes
// Reached or Connection Collision Resolution): the same, then back off and
// reconnect like any failure.
struct Stop {
  std::optional<wire::Notification> notification;
  bool automatic = false;
};
// 9 ConnectRetryTimer_Expires, 10 HoldTimer_Expires, 11 KeepaliveTimer_Expires,
// 12 DelayOpenTimer_Expires, 13 IdleHoldTimer_Expires (which is 3
// AutomaticStart / 5 with passive), and RFC 9687's SendHoldTimer_Expires:
// fires every deadline <= now.
struct Tick {};
// 16 Tcp_CR_Acked (our connect succeeded), 17 TcpConnectionConfirmed (we
// accepted the peer's). With DelayOpen the OPEN waits for the DelayOpenTimer
// (or the peer's OPEN) in Connect/Active. 14/15 (TcpConnection_Valid, Tcp_CR_Invalid) are the
// reactor's address checks before this event.
struct TcpConnected {};
// 18 TcpConnectionFails: connect failed, or the connection closed or broke.
struct TcpFailed {};
// 19 BGPOpen; 20 BGPOpen with DelayOpenTimer running (in Connect/Active: our
// OPEN and a KEEPALIVE go out together, OpenConfirm).
struct OpenReceived {
  wire::Open open;
};
// 21 BGPHeaderErr, 22 BGPOpenMsgErr, 28 UpdateMsgErr: any DecodeError the
// codec reports, including an UPDATE whose RFC 7606 outcome is session reset.
// Before our OPEN went out (DelayOpen), a header or OPEN error is answered
// with a NOTIFICATION only if SendNOTIFICATIONwithoutOPEN is set.
struct MessageError {
  wire::DecodeError error;
};
// 23 OpenCollisionDump: this connection lost a collision (RFC 4271 6.8).
// In OpenSent, OpenConfirm and Established: NOTIFICATION Cease / Connection
// Collision Resolution (RFC 4486), close, Idle, back-off.
struct OpenCollisionDump {};
// 24 NotifMsgVerErr (OPEN Message Error / Unsupported Version Number:
// is_version_error) and 25 NotifMsg. Event 24 in OpenSent, OpenConfirm and,
// with the DelayOpenTimer running, Connect/Active goes to Idle without
// counting a failure (the back-off does not grow); Established treats both
// alike.
struct NotificationReceived {
  wire::Notification notification;
};
// 26 KeepAliveMsg.
struct KeepaliveReceived {};
// 27 UpdateMsg: restarts the HoldTimer; the RIB handles the content.
struct UpdateReceived {};
// ROUTE-REFRESH (RFC 2918, not an RFC 4271 event): like an UPDATE for the FSM.
struct RouteRefreshReceived {};
// We wrote an UPDATE (or KEEPALIVE) ourselves: restarts the KeepaliveTimer
// (RFC 4271 10: KEEPALIVEs are needed only when nothing else was sent) and
// the SendHoldTimer (RFC 9687: the peer is taking our data).
struct MessageSent {};

using Event = std::variant<Start, Stop, Tick, TcpConnected, TcpFailed, OpenReceived, MessageError,
                           OpenCollisionDump, NotificationReceived, KeepaliveReceived,
                           UpdateReceived, RouteRefreshReceived, MessageSent>;
std::string_view event_name(const Event& e);

// --- Actions, in the order to perform them --------------------------------
struct Connect {};  // open a TCP connection to the peer
// Drop the connection (idempotent), or refuse an inbound one in Idle. With
// `abort`, at once: what is queued (the NOTIFICATION) is dropped, because
// output is blocked (SendHoldTimer expired) and waiting would never end.
struct CloseConnection {
  bool abort = false;
};
struct SendOpen {
  wire::Open open;
};
struct SendKeepalive {};
struct SendNotification {
  wire::Notification notification;
};
// OpenConfirm -> Established: start the RIB exchange with these contexts.
struct Established {
  Negotiated negotiated;
};
// A connection (or a connection attempt) ended: back to Idle from any other
// state, or to Active when a connection failed before the BGP connection was
// up (`to`). `from == State::established` means the Adj-RIB-In must be
// flushed, or kept stale when `graceful_restart` is set.
struct Down {
  State from = State::idle;
  std::string reason;
  std::optional<wire::Notification> sent;  // as sent: a Hard Reset when RFC 8538 says so
  std::optional<wire::Notification> received;
  // The peer's Graceful Restart capability when this end of an Established
  // session invokes graceful restart (RFC 4724 4.2, RFC 8538 4): its families'
  // routes are kept, stale, for its Restart Time.
  std::optional<wire::cap::GracefulRestart> graceful_restart;
  // With it, the peer's Long-Lived Graceful Restart capability when both
  // sent one (RFC 9494): its families' routes outlive the Restart Time.
  std::optional<wire::cap::LongLivedGracefulRestart> long_lived_graceful_restart;
  State to = State::idle;
};

using Action = std::variant<Connect, CloseConnection, SendOpen, SendKeepalive, SendNotification,
                            Established, Down>;
std::string_view action_name(const Action& a);

struct FsmState {
  State state = State::idle;
  bool started = false;  // between Start and a manual Stop: failures reconnect
  std::array<std::optional<Time>, timer_count> deadlines{};
  std::optional<wire::Open> open_sent;   // from OpenSent on
  std::optional<Negotiated> negotiated;  // from OpenConfirm on
  std::uint32_t failures = 0;            // consecutive, drives the back-off
  std::uint64_t backoffs = 0;            // back-offs drawn so far: the jitter index
  std::optional<Time> last_connect_at;
  std::optional<Time> established_at;

  const std::optional<Time>& deadline(Timer t) const {
    return deadlines[static_cast<std::size_t>(t)];
  }
  // A BGP connection exists, so errors are reported with a NOTIFICATION.
  bool connection_open() const {
    return state == State::open_sent || state == State::open_confirm || state == State::established;
  }
  // Connect/Active with the TCP connection up and our OPEN delayed.
  bool open_delayed() const { return deadline(Timer::delay_open).has_value(); }
  // This FSM holds a TCP connection.
  bool has_connection() const { return connection_open() || open_delayed(); }
};

// Requires config_error(config) == nullopt.
std::vector<Action> step(const PeerConfig& config, FsmState& state, Time now, const Event& event);
// The earliest armed deadline: when the caller must step Tick{}.
std::optional<Time> next_deadline(const FsmState& state);

// The IdleHoldTimer delay after `failures` consecutive failures (>= 1), with
// the jitter drawn for back-off number `index`; always >= backoff_min_s.
Time backoff_delay(const PeerConfig& config, std::uint32_t failures, std::uint64_t index);
// The shortest gap between two Connect actions: min(connect retry, back-off min).
Time min_reconnect_interval(const PeerConfig& config);

// Convenience owner of a configuration and its state.
class Fsm {
 public:
  explicit Fsm(PeerConfig config) : config_(std::move(config)) {}
  std::vector<Action> step(Time now, const Event& event) {
    return session::step(config_, state_, now, event);
  }
  std::optional<Time> next_deadline() const { return session::next_deadline(state_); }
  const FsmState& state() const { return state_; }
  // For the session driver: a connection that won a collision takes over.
  FsmState& mutable_state() { return state_; }
  const PeerConfig& config() const { return config_; }

 private:
  PeerConfig config_;
  FsmState state_;
};

// --- Connection collision (RFC 4271 6.8, RFC 6286 2.3) --------------------
enum class Initiator : std::uint8_t { local, remote };
// Which of two colliding connections to keep. RFC 4271 6.8: "If the value of
// the local BGP Identifier is less than the remote one, the local system
// closes the BGP connection that already exists ... and accepts the BGP
// connection initiated by the remote system. Otherwise, the local system
// closes the newly created BGP connection" -- i.e. keep the connection
// initiated by the higher BGP Identifier (compared as host-order integers).
// RFC 6286 2.3: "If the BGP Identifiers of the peers involved in the
// connection collision are identical, then the connection initiated by the
// BGP speaker with the larger AS number is preserved."
// The loser is sent Stop{Cease / Connection Collision Resolution} and dropped.
Initiator collision_winner(std::uint32_t local_router_id, std::uint32_t remote_router_id,
                           std::uint32_t local_as, std::uint32_t remote_as);
wire::Notification collision_notification();

// Down::reason for a NOTIFICATION received: code and subcode names, and the
// Shutdown Communication of Cease 2/4 (RFC 9003) when well formed; a
// malformed one is reported as such, never shown.
std::string received_reason(const wire::Notification& n);
// RFC 4271 8.1: NotifMsgVerErr is a NOTIFICATION "with "version error""
// (OPEN Message Error / Unsupported Version Number, 2/1).
bool is_version_error(const wire::Notification& n);

// --- Maximum number of prefixes (RFC 4486 4) ---------------------------------
// A configured upper bound on the routes of one family a peer may announce.
struct PrefixLimit {
  wire::Family family;
  std::uint32_t limit = 0;
  bool operator==(const PrefixLimit&) const = default;
};
// Cease / Maximum Number of Prefixes Reached with the optional data of RFC
// 4486 4: "AFI (2 octets), SAFI (1 octet), Prefix upper bound (4 octets)".
wire::Notification max_prefixes_notification(const PrefixLimit& limit);
// The limit `routes` (the family's count in the Adj-RIB-In) exceeds, if any.
std::optional<PrefixLimit> exceeded_limit(const std::vector<PrefixLimit>& limits,
                                          wire::Family family, std::size_t routes);

}  // namespace bgpsim::session
