// NOTIFICATION (RFC 4271 4.5) and ROUTE-REFRESH (RFC 2918, RFC 7313) bodies,
// the names of error codes and subcodes (IANA "BGP Error Codes" and "BGP Error
// Subcodes"), shutdown communications (RFC 9003) and hard reset (RFC 8538).
#include <array>
#include <string>

#include "speaker/wire/bodies.hpp"
#include "speaker/wire/utf8.hpp"

namespace bgpsim::wire {

namespace {

struct CodeName {
  std::uint8_t code;
  std::string_view name;
};
constexpr std::array code_names{
    CodeName{1, "Message Header Error"},
    CodeName{2, "OPEN Message Error"},
    CodeName{3, "UPDATE Message Error"},
    CodeName{4, "Hold Timer Expired"},
    CodeName{5, "Finite State Machine Error"},  // RFC 6608
    CodeName{6, "Cease"},
    CodeName{7, "ROUTE-REFRESH Message Error"},  // RFC 7313
    CodeName{8, "Send Hold Timer Expired"},      // RFC 9687
};

struct SubcodeName {
  std::uint8_t code;
  std::uint8_t subcode;
  std::string_view name;
};
constexpr std::array subcode_names{
    // RFC 4271 6.1
    SubcodeName{1, 1, "Connection Not Synchronized"},
    SubcodeName{1, 2, "Bad Message Length"},
    SubcodeName{1, 3, "Bad Message Type"},
    // RFC 4271 6.2, RFC 5492 (7), RFC 9234 (11); 5 and 8-10 are deprecated
    SubcodeName{2, 1, "Unsupported Version Number"},
    SubcodeName{2, 2, "Bad Peer AS"},
    SubcodeName{2, 3, "Bad BGP Identifier"},
    SubcodeName{2, 4, "Unsupported Optional Parameter"},
    SubcodeName{2, 5, "[Deprecated] Authentication Failure"},
    SubcodeName{2, 6, "Unacceptable Hold Time"},
    SubcodeName{2, 7, "Unsupported Capability"},
    SubcodeName{2, 8, "[Deprecated] Grouping Conflict"},
    SubcodeName{2, 9, "[Deprecated] Grouping Required"},
    SubcodeName{2, 10, "[Deprecated] Capability Value Mismatch"},
    SubcodeName{2, 11, "Role Mismatch"},
    // RFC 4271 6.3
    SubcodeName{3, 1, "Malformed Attribute List"},
    SubcodeName{3, 2, "Unrecognized Well-known Attribute"},
    SubcodeName{3, 3, "Missing Well-known Attribute"},
    SubcodeName{3, 4, "Attribute Flags Error"},
    SubcodeName{3, 5, "Attribute Length Error"},
    SubcodeName{3, 6, "Invalid ORIGIN Attribute"},
    SubcodeName{3, 7, "[Deprecated] AS Routing Loop"},
    SubcodeName{3, 8, "Invalid NEXT_HOP Attribute"},
    SubcodeName{3, 9, "Optional Attribute Error"},
    SubcodeName{3, 10, "Invalid Network Field"},
    SubcodeName{3, 11, "Malformed AS_PATH"},
    // RFC 6608
    SubcodeName{5, 0, "Unspecified Error"},
    SubcodeName{5, 1, "Receive Unexpected Message in OpenSent State"},
    SubcodeName{5, 2, "Receive Unexpected Message in OpenConfirm State"},
    SubcodeName{5, 3, "Receive Unexpected Message in Established State"},
    // RFC 4486, RFC 8538 (9), RFC 9384 (10)
    SubcodeName{6, 0, "Reserved"},
    SubcodeName{6, 1, "Maximum Number of Prefixes Reached"},
    SubcodeName{6, 2, "Administrative Shutdown"},
    SubcodeName{6, 3, "Peer De-configured"},
    SubcodeName{6, 4, "Administrative Reset"},
    SubcodeName{6, 5, "Connection Rejected"},
    SubcodeName{6, 6, "Other Configuration Change"},
    SubcodeName{6, 7, "Connection Collision Resolution"},
    SubcodeName{6, 8, "Out of Resources"},
    SubcodeName{6, 9, "Hard Reset"},
    SubcodeName{6, 10, "BFD Down"},
    // RFC 7313 5
    SubcodeName{7, 0, "Reserved"},
    SubcodeName{7, 1, "Invalid Message Length"},
};

constexpr std::uint8_t cease_code = static_cast<std::uint8_t>(NotifyCode::cease);

std::string_view as_text(ByteView v) { return {reinterpret_cast<const char*>(v.data()), v.size()}; }

}  // namespace

std::string_view notify_code_name(std::uint8_t code) {
  for (const auto& n : code_names)
    if (n.code == code) return n.name;
  return "Unknown Error";
}

std::string_view notify_subcode_name(std::uint8_t code, std::uint8_t subcode) {
  for (const auto& n : subcode_names)
    if (n.code == code && n.subcode == subcode) return n.name;
  // RFC 4271 4.5: "If no appropriate Error Subcode is defined, then a zero
  // (Unspecific) value is used".
  if (subcode == 0) return "Unspecific";
  return "Unknown Subcode";
}

std::string_view to_string(ErrorAction a) {
  switch (a) {
    case ErrorAction::attribute_discard:
      return "attribute-discard";
    case ErrorAction::treat_as_withdraw:
      return "treat-as-withdraw";
    case ErrorAction::afi_safi_disable:
      return "afi-safi-disable";
    case ErrorAction::session_reset:
      return "session-reset";
  }
  return "unknown";
}

// RFC 9003 2: Cease subcodes 2 and 4 may carry a Length octet and that many
// octets of UTF-8 (up to 255 since RFC 9003; RFC 8203 allowed 128).
std::optional<std::string> Notification::shutdown_communication() const {
  if (code != cease_code) return std::nullopt;
  if (subcode != cease::administrative_shutdown && subcode != cease::administrative_reset)
    return std::nullopt;
  if (data.empty()) return std::nullopt;
  std::size_t length = data[0];
  if (length > data.size() - 1) return std::nullopt;
  auto text = as_text(ByteView(data).subspan(1, length));
  if (!valid_utf8(text)) return std::nullopt;
  return std::string(text);
}

Notification Notification::make_shutdown(std::uint8_t subcode, std::string_view text) {
  // Cut to what the Length octet can say, on a character boundary so the
  // text still decodes (RFC 9003 2 requires well-formed UTF-8).
  std::size_t n = 0;
  while (n < text.size()) {
    auto len = utf8_sequence_length(text, n);
    if (len == 0) len = 1;  // invalid input is not ours to fix, only to bound
    if (n + len > 255) break;
    n += len;
  }
  Notification out{cease_code, subcode, {}};
  out.data.push_back(static_cast<std::uint8_t>(n));
  out.data.insert(out.data.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
  return out;
}

// RFC 8538 3: the Data of a Hard Reset is the inner NOTIFICATION's Error Code,
// Error Subcode and data.
std::optional<Notification> Notification::hard_reset_inner() const {
  if (code != cease_code || subcode != cease::hard_reset || data.size() < 2) return std::nullopt;
  return Notification{data[0], data[1], Bytes(data.begin() + 2, data.end())};
}

Result<Notification> decode_notification(Reader body) {
  if (body.remaining() < 2)
    return make_error(16, NotifyCode::message_header, header_error::bad_message_length,
                      "NOTIFICATION is shorter than 21 bytes",
                      Bytes{0, static_cast<std::uint8_t>(body.offset() + body.remaining())});
  Notification n;
  n.code = *body.u8();
  n.subcode = *body.u8();
  auto rest = body.rest();
  n.data.assign(rest.begin(), rest.end());
  return n;
}

void encode_notification_body(const Notification& n, Writer& w) {
  w.u8(n.code);
  w.u8(n.subcode);
  w.bytes(n.data);
}

Result<RouteRefresh> decode_route_refresh(Reader body) {
  if (body.remaining() != 4) {
    // RFC 7313 5: "the Data field of the NOTIFICATION message MUST contain the
    // complete ROUTE-REFRESH message", which we rebuild from the body.
    auto total = body.offset() + body.remaining();
    Bytes message(16, 0xFF);
    message.push_back(static_cast<std::uint8_t>(total >> 8));
    message.push_back(static_cast<std::uint8_t>(total));
    message.push_back(static_cast<std::uint8_t>(MessageType::route_refresh));
    auto rest = body.peek_rest();
    message.insert(message.end(), rest.begin(), rest.end());
    return make_error(16, NotifyCode::route_refresh, route_refresh_error::invalid_message_length,
                      "ROUTE-REFRESH length " + std::to_string(total) + " is not 23",
                      std::move(message));
  }
  RouteRefresh r;
  auto afi = *body.u16();
  auto subtype_at = body.offset();
  r.subtype = *body.u8();
  r.family = Family(afi, *body.u8());
  // RFC 7313 5: "When the BGP speaker receives a ROUTE-REFRESH message with a
  // 'Message Subtype' field other than 0, 1, or 2, it MUST ignore the received
  // ROUTE-REFRESH message." Code 0 tells the caller to drop it silently.
  if (r.subtype > RouteRefresh::end_of_rib) {
    DecodeError ignore;
    ignore.offset = subtype_at;
    ignore.reason = "ROUTE-REFRESH subtype " + std::to_string(r.subtype) + " is ignored";
    return ignore;
  }
  return r;
}

void encode_route_refresh_body(const RouteRefresh& r, Writer& w) {
  w.u16(r.family.afi);
  w.u8(r.subtype);
  w.u8(r.family.safi);
}

}  // namespace bgpsim::wire
