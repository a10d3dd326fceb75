// ExaBGP JSON for OPEN, NOTIFICATION and ROUTE-REFRESH bodies (the value
// under "open", "notification" and "route-refresh" in ExaBGP's envelope,
// exabgp/reactor/api/response/json.py). Capabilities render through the
// capability table (capability.cpp).
#include <algorithm>
#include <string>

#include "speaker/wire/address.hpp"
#include "speaker/wire/json.hpp"
#include "speaker/wire/utf8.hpp"

namespace bgpsim::wire {

namespace {

// ExaBGP keeps capabilities in a dict keyed by code, so repeated codes merge:
// list-like capabilities (multiprotocol, extended next hop, add-path) gather
// their entries, and for the others the last one received wins.
void merge_capability(Json& into, const Capability& c) {
  const std::string key = std::to_string(capability_code(c));
  Json rendered = capability_to_json(c);
  if (!into.contains(key)) {
    into[key] = std::move(rendered);
    return;
  }
  Json& existing = into[key];
  if (std::holds_alternative<cap::Multiprotocol>(c) ||
      std::holds_alternative<cap::ExtendedNextHop>(c)) {
    const char* list = std::holds_alternative<cap::Multiprotocol>(c) ? "families" : "conversion";
    for (auto& item : rendered[list])
      if (std::find(existing[list].begin(), existing[list].end(), item) == existing[list].end())
        existing[list].push_back(item);
  } else if (std::holds_alternative<cap::AddPath>(c)) {
    existing.update(rendered);
  } else {
    existing = std::move(rendered);
  }
}

std::string hex_data(const Bytes& data) { return "0x" + to_hex(data); }

// Text a reader can take as it is: UTF-8 without control characters. Other
// data (a hard reset's inner code and subcode, say) is shown as hex.
bool printable(std::string_view s) {
  for (char ch : s) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7F) return false;
  }
  return valid_utf8(s);
}

// The human side of a NOTIFICATION's data, in ExaBGP's words for shutdown
// communications (exabgp/bgp/message/notification.py).
std::string notification_message(const Notification& n) {
  const bool shutdown =
      n.code == static_cast<std::uint8_t>(NotifyCode::cease) &&
      (n.subcode == cease::administrative_shutdown || n.subcode == cease::administrative_reset);
  std::string_view raw(reinterpret_cast<const char*>(n.data.data()), n.data.size());
  if (!shutdown) return printable(raw) ? std::string(raw) : hex_data(n.data);
  if (n.data.empty()) return "";
  std::size_t length = n.data[0];
  auto payload = raw.substr(1);
  if (length == 0) return "empty Shutdown Communication.";
  if (payload.size() < length)
    return "invalid Shutdown Communication (buffer underrun) length : " + std::to_string(length) +
           " [" + hex_data(Bytes(n.data.begin() + 1, n.data.end())) + "]";
  auto text = payload.substr(0, length);
  if (!valid_utf8(text))
    return "invalid Shutdown Communication (invalid UTF-8) length : " + std::to_string(length) +
           " [" + hex_data(Bytes(n.data.begin() + 1, n.data.end())) + "]";
  std::string message = "Shutdown Communication: \"";
  for (char ch : text) message += (ch == '\r' || ch == '\n') ? ' ' : ch;
  message += "\"";
  if (payload.size() > length)
    message +=
        ", trailing data: " +
        hex_data(Bytes(n.data.begin() + 1 + static_cast<std::ptrdiff_t>(length), n.data.end()));
  return message;
}

std::string refresh_subtype(std::uint8_t subtype) {  // ExaBGP's Reserved.__str__
  switch (subtype) {
    case RouteRefresh::request:
      return "query";
    case RouteRefresh::begin_of_rib:
      return "begin";
    case RouteRefresh::end_of_rib:
      return "end";
  }
  return "invalid";
}

}  // namespace

// "asn" is the two-byte My Autonomous System field, as ExaBGP prints it
// (AS_TRANS when the speaker's ASN needs four bytes; see capability "65").
Json open_to_json(const Open& o) {
  Json capabilities = Json::object();
  for (const auto& group : o.capability_parameters)
    for (const auto& c : group) merge_capability(capabilities, c);
  return {{"version", o.version},
          {"asn", o.my_as},
          {"hold_time", o.hold_time_s},
          {"router_id", dotted_quad(o.bgp_identifier)},
          {"capabilities", std::move(capabilities)}};
}

// ExaBGP prints "data" as 0x-prefixed hex and "message" as text. Unlike
// ExaBGP, whose "data" for a shutdown is the hex of its own rendered text,
// "data" here is always the data field as received.
Json notification_to_json(const Notification& n) {
  return {{"code", n.code},
          {"subcode", n.subcode},
          {"data", hex_data(n.data)},
          {"message", notification_message(n)}};
}

Json route_refresh_to_json(const RouteRefresh& r) {
  return {{"afi", r.family.afi_name()},
          {"safi", r.family.safi_name()},
          {"subtype", refresh_subtype(r.subtype)}};
}

}  // namespace bgpsim::wire
