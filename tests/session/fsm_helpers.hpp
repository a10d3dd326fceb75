// Shared by the FSM tests: configurations, a peer's OPEN, and actions
// rendered as short text ("SendNotification(4/0) CloseConnection Down").
#pragma once

#include <string>
#include <vector>

#include "speaker/session/fsm.hpp"

namespace bgpsim::session::fsm_test {

inline PeerConfig test_config(bool passive = false) {
  PeerConfig c;
  c.local_as = 65001;
  c.peer_as = 65002;
  c.router_id = 0x01010101;
  c.hold_time_s = 90;
  c.connect_retry_s = 5;
  c.passive = passive;
  c.backoff_min_s = 1;
  c.backoff_max_s = 16;
  c.backoff_jitter_percent = 0;
  return c;
}

inline wire::Open peer_open(std::uint16_t hold_time_s = 180, std::uint32_t as = 65002) {
  PeerConfig remote;
  remote.local_as = as;
  remote.peer_as = 65001;
  remote.router_id = 0x02020202;
  remote.hold_time_s = hold_time_s;
  return make_open(remote);
}

inline std::string render(const std::vector<Action>& actions) {
  std::string out;
  for (const auto& a : actions) {
    if (!out.empty()) out += ' ';
    out += action_name(a);
    if (const auto* n = std::get_if<SendNotification>(&a))
      out += "(" + std::to_string(n->notification.code) + "/" +
             std::to_string(n->notification.subcode) + ")";
  }
  return out;
}

inline std::chrono::seconds s(long n) { return std::chrono::seconds(n); }

}  // namespace bgpsim::session::fsm_test
