// RFC 9234 5, the Only to Customer (OTC) attribute on what the speaker sends,
// for a session with a configured BGP Role. A pure function over the UPDATEs
// the Adj-RIB-Out builds: the session (peer.hpp) passes every UPDATE through
// it before encoding, so routes from the configuration, the API and a route
// refresh are all covered. (Ingress, the receiving rules, is in peer.hpp.)
#pragma once

#include <cstdint>
#include <vector>

#include "speaker/wire/context.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::session {

inline constexpr std::uint8_t otc_code = 35;  // optional transitive, 4 octets

// The neighbor from our role on the session (RFC 9234 4.2's pairs): above or
// beside us (our Provider, RS or Peer: we are its Customer, RS-Client or
// Peer), or below or beside us (our Customer, RS-Client or Peer). Both the
// receiving (peer.hpp) and the sending rules are written in these terms.
bool neighbor_above_or_peer(std::uint8_t local_role);
bool neighbor_below_or_peer(std::uint8_t local_role);

// The OTC attribute among a route's other attributes, or end().
std::vector<wire::RawAttribute>::const_iterator find_otc(
    const std::vector<wire::RawAttribute>& attributes);
// Adds OTC = `as` to a route's other attributes, kept in code order.
void add_otc(std::vector<wire::RawAttribute>& attributes, std::uint32_t as);

// The egress rules, with `local_role` our role on the session (so the peer is
// a Customer when we are its Provider, and so on):
//  1. "If a route is to be advertised to a Customer, a Peer, or an RS-Client
//     (when the sender is an RS), and the OTC Attribute is not present, then
//     when advertising the route, an OTC Attribute MUST be added with a value
//     equal to the AS number of the local AS."
//  2. "If a route already contains the OTC Attribute, it MUST NOT be
//     propagated to Providers, Peers, or RSes."
// A route that may not go is sent as a withdrawal instead (the peer may hold
// an earlier version of it without OTC); its attributes are dropped. When the
// added attribute makes an UPDATE longer than `ctx` allows, its NLRI are
// split over several UPDATEs. Updates that announce nothing pass unchanged.
std::vector<wire::Update> only_to_customer_egress(wire::Update update, std::uint8_t local_role,
                                                  std::uint32_t local_as,
                                                  const wire::EncodeContext& ctx);

}  // namespace bgpsim::session
