// ExaBGP-format JSON for every message (ExaBGP 5/6 "json" encoder), using
// nlohmann::ordered_json so keys keep ExaBGP's order.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "speaker/wire/message.hpp"

namespace bgpsim::wire {

using Json = nlohmann::ordered_json;

// Who sent the message, as ExaBGP puts it in its "neighbor" envelope.
struct JsonEnvelope {
  std::string local_address = "127.0.0.1";
  std::string peer_address = "127.0.0.1";
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::optional<std::uint32_t> router_id;  // the peer's BGP identifier, when known
  std::string direction = "in";            // "in" (received) or "out" (sent)
};

inline constexpr const char* exabgp_json_version = "6.0.0";

Json to_json(const Message& m, const DecodeContext& ctx, const JsonEnvelope& env);
// The "neighbor" object every line carries: addresses, ASNs, router id, direction.
Json envelope_to_json(const JsonEnvelope& env);

// The API's raw forms (`api { receive { packets; consolidate; } }`), as
// ExaBGP's JSON encoder writes them (reactor/api/response/json.py). `raw` is
// a whole message: its first 19 bytes are the header, the rest the body.
// ExaBGP's hexstring: "0x" and upper-case hex ("0x" alone for no bytes).
std::string exabgp_hex(ByteView bytes);
// A message's header (marker, length, type) and body; a buffer shorter than
// a header is all header.
ByteView header_of(ByteView raw);
ByteView body_of(ByteView raw);
// ExaBGP's long name of a message type (bgp/message/message.py), the "type"
// of a `packets` line: "route refresh" for 5 (message_type_name says
// "route-refresh"), "unknown" past 6.
std::string_view exabgp_type_name(std::uint8_t type);
// `packets`: { "exabgp", "type": NAME, "neighbor": { ENVELOPE, "message":
// { "category": TYPE, "header": HEX, "body": HEX } } }.
Json packets_to_json(ByteView raw, const JsonEnvelope& env);
// `consolidate` with `packets`: a parsed line with "header" and "body" after
// "type" (ExaBGP's JSON._header; "body" only when there is one).
Json with_header_body(const Json& parsed, ByteView raw);

// One line of JSON spaced as ExaBGP writes its API lines by hand: objects
// "{ "key": value, ... }", arrays "[ a, b ]". A JSON parser does not care;
// helper scripts that look for a substring such as '"nlri": "10.0.0.0/24"'
// (ExaBGP's etc/run/api-rr.run) do.
std::string exabgp_text(const Json& j);
// The body under "message" (update) or the message key (open, notification...).
Json update_to_json(const Update& u, const DecodeContext& ctx);
Json open_to_json(const Open& o);
Json notification_to_json(const Notification& n);
Json route_refresh_to_json(const RouteRefresh& r);
Json capability_to_json(const Capability& c);
// Fills `out` with one key per present attribute (except MP_REACH/MP_UNREACH
// and NEXT_HOP, which ExaBGP renders inside "announce").
void attributes_to_json(const PathAttributes& a, const DecodeContext& ctx, Json& out);
// An extended community as ExaBGP's "string" shows it ("target:65000:1"), or
// "" for a form it does not name.
std::string extended_community_text(std::uint64_t value);
// A malformed message: {"error": {...}} with offset, reason and the NOTIFICATION.
Json error_to_json(const DecodeError& e);
// The RFC 7606 outcome of each malformed attribute (an UPDATE's "errors").
Json attribute_errors_to_json(const std::vector<AttributeError>& errors);

}  // namespace bgpsim::wire
