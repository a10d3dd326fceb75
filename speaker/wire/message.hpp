// BGP messages (RFC 4271 section 4) and framing. The codec is pure: it takes
// bytes and what the session negotiated, and returns a message or a
// DecodeError naming the byte offset and the NOTIFICATION it implies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/open.hpp"

namespace bgpsim::wire {

inline constexpr std::size_t header_size = 19;
inline constexpr std::size_t min_message_size = 19;

enum class MessageType : std::uint8_t {
  open = 1,
  update = 2,
  notification = 3,
  keepalive = 4,
  route_refresh = 5,
};

struct Update {
  std::vector<Nlri> withdrawn;  // IPv4 unicast
  PathAttributes attributes;
  std::vector<Nlri> nlri;  // IPv4 unicast
  // RFC 7606 outcomes met while decoding (empty for well-formed input).
  std::vector<AttributeError> attribute_errors;

  // RFC 4724 2: an UPDATE with no NLRI and no attributes is the IPv4 End-of-RIB;
  // one whose only attribute is an empty MP_UNREACH is the End-of-RIB of its family.
  std::optional<Family> end_of_rib() const;
  static Update make_end_of_rib(Family family);
  bool treat_as_withdraw() const;
  bool operator==(const Update&) const = default;
};

struct Notification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  Bytes data;

  // RFC 8203/9003: Cease (Administrative Shutdown or Reset) carries a length
  // byte then UTF-8 text. Returns the text when well formed.
  std::optional<std::string> shutdown_communication() const;
  static Notification make_shutdown(std::uint8_t subcode, std::string_view text);
  // RFC 8538: Cease/Hard Reset carries the inner NOTIFICATION's code and subcode.
  std::optional<Notification> hard_reset_inner() const;
  bool operator==(const Notification&) const = default;
};

struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

struct RouteRefresh {  // RFC 2918, RFC 7313 subtypes
  enum Subtype : std::uint8_t { request = 0, begin_of_rib = 1, end_of_rib = 2 };
  Family family;
  std::uint8_t subtype = request;
  bool operator==(const RouteRefresh&) const = default;
};

// Any message type we do not know (ExaBGP's tests send type 255): decoding
// reports it as an error; this type is for tests and the simulator.
struct UnknownMessage {
  std::uint8_t type = 0;
  Bytes body;
  bool operator==(const UnknownMessage&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

MessageType type_of(const Message& m);
std::string_view message_type_name(std::uint8_t type);

// --- Framing -------------------------------------------------------------
// Splits a byte stream into messages: checks the marker and the length only.
struct Frame {
  std::uint8_t type = 0;
  std::size_t length = 0;  // whole message, header included
};
// nullopt: need more bytes. Otherwise the frame at the start of `stream`, or a
// Message Header Error.
std::optional<Result<Frame>> next_frame(ByteView stream, const DecodeContext& ctx);

// --- Whole messages -------------------------------------------------------
// Decodes exactly one message (header included); trailing bytes are an error.
Result<Message> decode_message(ByteView message, const DecodeContext& ctx);
Result<Update> decode_update(ByteView message, const DecodeContext& ctx);
// Appends the whole message (marker, length, type, body), or returns why it
// cannot be sent (a length that does not fit its field, or more bytes than
// ctx.max_message_size()) and leaves `out` as it was: never a wrapped length.
std::optional<EncodeError> encode_message(const Message& m, const EncodeContext& ctx, Bytes& out);
// The message alone; empty when encode_message above refuses it.
Bytes encode_message(const Message& m, const EncodeContext& ctx);
std::optional<EncodeError> encode_unknown(const UnknownMessage& m, Bytes& out);

Notification to_notification(const DecodeError& e);

}  // namespace bgpsim::wire
