// RFC 7606 outcomes of a decoded UPDATE, applied before the RIB sees it.
// The codec already leaves out attributes whose outcome is "attribute
// discard" and returns a DecodeError (-> FSM MessageError -> NOTIFICATION)
// for "session reset"; what remains here is "treat-as-withdraw".
#pragma once

#include <vector>

#include "speaker/wire/message.hpp"

namespace bgpsim::session {

struct UpdateOutcome {
  // The most severe outcome met, or nullopt for a well-formed UPDATE.
  std::optional<wire::ErrorAction> worst;
  // What the RIB applies, in order: the UPDATE itself, or under
  // treat-as-withdraw one withdrawal-only UPDATE per family it touched.
  std::vector<wire::Update> to_apply;
  // Set when an error asks for a session reset: step the FSM with
  // MessageError{*reset} instead of applying anything.
  std::optional<wire::DecodeError> reset;
};

UpdateOutcome apply_rfc7606(wire::Update update);

// RFC 7606 2: "treat-as-withdraw: ... the routes carried in the UPDATE
// message (NLRI and MP_REACH_NLRI) are treated as though they were withdrawn".
// Returns withdrawal-only UPDATEs: the IPv4 withdrawn field plus the NLRI
// field, then MP_UNREACH for the MP_REACH family (merged with an MP_UNREACH
// of the same family), then an MP_UNREACH of another family unchanged.
std::vector<wire::Update> as_withdrawals(const wire::Update& update);

}  // namespace bgpsim::session
