// RFC 7606 outcomes applied to a decoded UPDATE.
#include "speaker/session/update_errors.hpp"

#include <algorithm>
#include <utility>

namespace bgpsim::session {

std::vector<wire::Update> as_withdrawals(const wire::Update& update) {
  std::vector<wire::Update> out;
  const auto& a = update.attributes;
  wire::Update base;
  base.withdrawn = update.withdrawn;
  base.withdrawn.insert(base.withdrawn.end(), update.nlri.begin(), update.nlri.end());
  if (!base.withdrawn.empty()) out.push_back(std::move(base));

  std::optional<wire::MpUnreach> other = a.mp_unreach;
  if (a.mp_reach) {
    wire::Update mp;
    wire::MpUnreach unreach{a.mp_reach->family, a.mp_reach->nlri, a.mp_reach->opaque_nlri};
    if (other && other->family == unreach.family) {
      unreach.nlri.insert(unreach.nlri.end(), other->nlri.begin(), other->nlri.end());
      unreach.opaque_nlri.insert(unreach.opaque_nlri.end(), other->opaque_nlri.begin(),
                                 other->opaque_nlri.end());
      other.reset();
    }
    mp.attributes.mp_unreach = std::move(unreach);
    out.push_back(std::move(mp));
  }
  if (other) {
    wire::Update mp;
    mp.attributes.mp_unreach = std::move(other);
    out.push_back(std::move(mp));
  }
  return out;
}

UpdateOutcome apply_rfc7606(wire::Update update) {
  UpdateOutcome outcome;
  for (const auto& e : update.attribute_errors)
    if (!outcome.worst || e.action > *outcome.worst) outcome.worst = e.action;
  if (!outcome.worst || *outcome.worst == wire::ErrorAction::attribute_discard) {
    // RFC 7606 2: "attribute discard: ... the malformed attribute is
    // discarded and the UPDATE message continues to be processed" -- the
    // codec did not keep it.
    outcome.to_apply.push_back(std::move(update));
    return outcome;
  }
  if (*outcome.worst == wire::ErrorAction::session_reset) {
    const auto it = std::find_if(
        update.attribute_errors.begin(), update.attribute_errors.end(),
        [](const wire::AttributeError& e) { return e.action == wire::ErrorAction::session_reset; });
    outcome.reset = it->error;
    return outcome;
  }
  // treat_as_withdraw, and afi_safi_disable (not configured: its routes are
  // withdrawn all the same).
  outcome.to_apply = as_withdrawals(update);
  return outcome;
}

}  // namespace bgpsim::session
