#include "speaker/session/graceful_restart.hpp"

#include <algorithm>

namespace bgpsim::session {

namespace {
constexpr std::uint8_t cease_code = 6;  // RFC 4271 4.5
}

bool requires_hard_reset(const wire::Notification& n) {
  if (n.code != cease_code) return false;
  switch (n.subcode) {
    case wire::cease::max_prefixes:
    case wire::cease::administrative_shutdown:
    case wire::cease::peer_deconfigured:
    case wire::cease::hard_reset:
      return true;
    default:
      return false;
  }
}

wire::Notification hard_reset(const wire::Notification& n) {
  if (is_hard_reset(n)) return n;
  wire::Notification out;
  out.code = cease_code;
  out.subcode = wire::cease::hard_reset;
  out.data.reserve(2 + n.data.size());
  out.data.push_back(n.code);
  out.data.push_back(n.subcode);
  out.data.insert(out.data.end(), n.data.begin(), n.data.end());
  return out;
}

bool is_hard_reset(const wire::Notification& n) {
  return n.code == cease_code && n.subcode == wire::cease::hard_reset;
}

bool retains_routes(const std::optional<wire::cap::GracefulRestart>& peer, bool n_bit,
                    const std::optional<wire::Notification>& sent,
                    const std::optional<wire::Notification>& received) {
  if (!peer) return false;
  if (!sent && !received) return true;
  if (!n_bit) return false;
  return !(sent && is_hard_reset(*sent)) && !(received && is_hard_reset(*received));
}

bool keeps_stale_family(const std::optional<wire::cap::GracefulRestart>& peer,
                        const std::optional<wire::cap::LongLivedGracefulRestart>& long_lived,
                        wire::Family family) {
  constexpr std::uint8_t forwarding_bit = 0x80;  // RFC 9494 3, as RFC 4724's
  const bool gr =
      peer && std::any_of(peer->families.begin(), peer->families.end(), [&](const auto& e) {
        return e.family == family && e.forwarding_preserved;
      });
  const bool llgr =
      long_lived &&
      std::any_of(long_lived->entries.begin(), long_lived->entries.end(), [&](const auto& e) {
        return e.family == family && (e.flags & forwarding_bit) != 0;
      });
  return gr || llgr;
}

std::optional<std::uint32_t> long_lived_stale_time(
    const std::optional<wire::cap::LongLivedGracefulRestart>& long_lived, wire::Family family) {
  if (!long_lived) return std::nullopt;
  for (const auto& e : long_lived->entries)
    if (e.family == family && e.stale_time_s != 0) return e.stale_time_s;
  return std::nullopt;
}

}  // namespace bgpsim::session
