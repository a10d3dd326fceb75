// Graceful restart, the Receiving Speaker's side (RFC 4724 4.2), and the
// NOTIFICATION rules of RFC 8538 once both sides set the N bit: which end of
// a session keeps the peer's routes (stale) and which NOTIFICATIONs go out as
// Hard Reset. Pure functions: the FSM asks them when a session ends, and the
// Peer (peer.hpp) keeps the stale routes and the timers across sessions.
#pragma once

#include <optional>

#include "speaker/wire/capability.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::session {

// RFC 8538 5.1: once the N bit is exchanged, these Cease subcodes end the
// session "fully" and are sent as Hard Reset: Maximum Number of Prefixes
// Reached, Administrative Shutdown, Peer De-configured, and Hard Reset
// itself. Administrative Reset is left to the user by the RFC; we keep it
// graceful, as FRR does by default (`teardown` is a reset, not a removal).
bool requires_hard_reset(const wire::Notification& n);

// RFC 8538 3: Cease / Hard Reset whose data is the original NOTIFICATION's
// code, subcode and data.
wire::Notification hard_reset(const wire::Notification& n);
bool is_hard_reset(const wire::Notification& n);

// Whether the end of an Established session keeps the peer's routes for
// graceful restart. `peer` is the peer's Graceful Restart capability of that
// session (present only when both sides advertised one), `n_bit` whether both
// sides set the N bit. RFC 4724 4.2 retains on "termination of the TCP
// session": with a NOTIFICATION sent or received the session ended normally
// and the routes go. RFC 8538 4: with the N bit exchanged, a NOTIFICATION
// other than Hard Reset, sent or received, retains them too.
bool retains_routes(const std::optional<wire::cap::GracefulRestart>& peer, bool n_bit,
                    const std::optional<wire::Notification>& sent,
                    const std::optional<wire::Notification>& received);

// RFC 4724 4.2, on the session that follows: "if the Graceful Restart
// Capability is not received in the re-established session at all, or if the
// capability is received but the 'Forwarding State' bit for an address family
// is not set, the Receiving Speaker MUST immediately remove all the stale
// routes from the peer that it is retaining for that address family."
// RFC 9494 4.2 adds the same rule for the Long-Lived Graceful Restart
// capability's F bit: a family is kept when either capability lists it with
// the bit set.
bool keeps_stale_family(const std::optional<wire::cap::GracefulRestart>& peer,
                        const std::optional<wire::cap::LongLivedGracefulRestart>& long_lived,
                        wire::Family family);

// RFC 9494 4.2: the family's Long-Lived Stale Time, or nullopt when the peer
// did not list it or gave 0 (its stale routes then go with the Restart Time).
std::optional<std::uint32_t> long_lived_stale_time(
    const std::optional<wire::cap::LongLivedGracefulRestart>& long_lived, wire::Family family);

}  // namespace bgpsim::session
