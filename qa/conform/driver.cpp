#include "qa/conform/driver.hpp"

namespace bgpsim::conform {

std::string_view to_string(CaseResult::Status s) {
  switch (s) {
    case CaseResult::Status::pass:
      return "pass";
    case CaseResult::Status::fail:
      return "FAIL";
    case CaseResult::Status::not_applicable:
      return "n/a";
  }
  return "?";
}

bool parse_open(const Bytes& m, TargetOpen& out) {
  if (m.size() < 29 || m[18] != msg::open) return false;
  out = TargetOpen{};
  out.version = m[19];
  out.asn = std::uint32_t(m[20]) << 8 | m[21];
  out.hold_s = static_cast<std::uint16_t>(m[22] << 8 | m[23]);
  out.id =
      std::uint32_t(m[24]) << 24 | std::uint32_t(m[25]) << 16 | std::uint32_t(m[26]) << 8 | m[27];
  std::size_t at = 29;
  std::size_t end = std::min<std::size_t>(m.size(), 29 + m[28]);
  bool extended = false;
  if (m[28] == 255 && m.size() >= 32 && m[29] == 255) {  // RFC 9072
    extended = true;
    end = std::min<std::size_t>(m.size(), 32 + (std::size_t(m[30]) << 8 | m[31]));
    at = 32;
  }
  while (at + 2 <= end) {
    const std::uint8_t type = m[at];
    std::size_t length = m[at + 1];
    std::size_t value = at + 2;
    if (extended) {
      if (at + 3 > end) break;
      length = std::size_t(m[at + 1]) << 8 | m[at + 2];
      value = at + 3;
    }
    const std::size_t stop = std::min(end, value + length);
    if (type == 2) {
      for (std::size_t c = value; c + 2 <= stop;) {
        const std::uint8_t code = m[c];
        const std::size_t l = m[c + 1];
        const std::size_t v = c + 2;
        if (v + l > stop) break;
        out.capabilities.insert(code);
        if (code == 1 && l == 4)
          out.families.insert({std::uint16_t(m[v] << 8 | m[v + 1]), m[v + 3]});
        if (code == 65 && l == 4)
          out.asn = std::uint32_t(m[v]) << 24 | std::uint32_t(m[v + 1]) << 16 |
                    std::uint32_t(m[v + 2]) << 8 | m[v + 3];
        if (code == 9 && l == 1) out.role = m[v];
        if (code == 64 && l >= 2) out.gr_notification = (m[v] & 0x40) != 0;
        if (code == 69)
          for (std::size_t e = v; e + 4 <= v + l; e += 4)
            if (m[e] == 0 && m[e + 1] == 1 && m[e + 2] == 1 && (m[e + 3] & 1))
              out.add_path_receive_ipv4 = true;
        c = v + l;
      }
    }
    at = value + length;
  }
  // RFC 4760 8: no Multiprotocol capability means IPv4 unicast.
  if (out.families.empty()) out.families.insert({1, 1});
  return true;
}

namespace {
std::string_view code_name(std::uint8_t code) {
  switch (code) {
    case 1:
      return "Message Header Error";
    case 2:
      return "OPEN Message Error";
    case 3:
      return "UPDATE Message Error";
    case 4:
      return "Hold Timer Expired";
    case 5:
      return "Finite State Machine Error";
    case 6:
      return "Cease";
    case 7:
      return "ROUTE-REFRESH Message Error";
  }
  return "unknown code";
}
}  // namespace

std::string describe(const Bytes& m) {
  if (m.size() < 19) return "a truncated message";
  switch (m[18]) {
    case msg::open:
      return "an OPEN";
    case msg::update:
      return is_end_of_rib(m) ? "an End-of-RIB" : "an UPDATE";
    case msg::keepalive:
      return "a KEEPALIVE";
    case msg::route_refresh:
      return "a ROUTE-REFRESH";
    case msg::notification:
      if (m.size() < 21) return "a short NOTIFICATION";
      return fmt::format("NOTIFICATION {}/{} ({})", m[19], m[20], code_name(m[19]));
  }
  return fmt::format("a message of type {}", m[18]);
}

bool is_end_of_rib(const Bytes& m) {
  if (m.size() == 23 && m[18] == msg::update) return true;
  // An MP_UNREACH_NLRI with AFI/SAFI only (RFC 4724 2).
  return m.size() == 29 && m[18] == msg::update && m[19] == 0 && m[20] == 0 && m[22] == 6 &&
         m[24] == 15 && m[25] == 3;
}

bool offers(const TargetOpen& open, Needs needs) {
  switch (needs) {
    case Needs::nothing:
      return true;
    case Needs::graceful_restart_notification:
      return open.capabilities.count(64) && open.gr_notification;
    case Needs::add_path_receive:
      return open.add_path_receive_ipv4;
    default:
      return open.capabilities.count(static_cast<std::uint8_t>(needs)) != 0;
  }
}

bool role_pairs(std::uint8_t ours, std::uint8_t theirs) {
  constexpr std::uint8_t provider = 0, rs = 1, rs_client = 2, customer = 3, peer = 4;
  return (ours == provider && theirs == customer) || (ours == customer && theirs == provider) ||
         (ours == rs && theirs == rs_client) || (ours == rs_client && theirs == rs) ||
         (ours == peer && theirs == peer);
}

}  // namespace bgpsim::conform
