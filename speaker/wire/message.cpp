#include "speaker/wire/message.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "speaker/wire/bodies.hpp"

namespace bgpsim::wire {

namespace {

constexpr std::size_t marker_size = 16;

// RFC 4271 6.1 (and RFC 7313, RFC 8654): the smallest and largest length
// each message type may have.
struct TypeRow {
  MessageType type;
  std::string_view name;
  std::size_t min_length;
  bool may_be_extended;  // RFC 8654 4: OPEN and KEEPALIVE never exceed 4096
};
constexpr TypeRow type_table[] = {
    {MessageType::open, "open", 29, false},
    {MessageType::update, "update", 23, true},
    {MessageType::notification, "notification", 21, true},
    {MessageType::keepalive, "keepalive", 19, false},
    // RFC 4271 6.1 gives no minimum for ROUTE-REFRESH; RFC 7313 5 answers a
    // body other than 4 octets, shorter ones too, with 7/1 (decode_route_refresh).
    {MessageType::route_refresh, "route-refresh", 19, true},
};

const TypeRow* find_type(std::uint8_t type) {
  for (const auto& row : type_table)
    if (static_cast<std::uint8_t>(row.type) == type) return &row;
  return nullptr;
}

Bytes u16_bytes(std::size_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

DecodeError bad_length(std::size_t length, std::string reason) {
  // "the Data field MUST contain the erroneous Length field"
  return make_error(16, NotifyCode::message_header, header_error::bad_message_length,
                    std::move(reason), u16_bytes(length));
}

}  // namespace

MessageType type_of(const Message& m) {
  static constexpr MessageType types[] = {MessageType::open, MessageType::update,
                                          MessageType::notification, MessageType::keepalive,
                                          MessageType::route_refresh};
  return types[m.index()];
}

std::string_view message_type_name(std::uint8_t type) {
  const TypeRow* row = find_type(type);
  return row ? row->name : "unknown";
}

std::optional<Result<Frame>> next_frame(ByteView stream, const DecodeContext& ctx) {
  if (stream.size() < header_size) {
    // A wrong marker can be reported before the whole header arrives.
    for (std::size_t i = 0; i < std::min(stream.size(), marker_size); ++i)
      if (stream[i] != 0xFF)
        return Result<Frame>(make_error(i, NotifyCode::message_header,
                                        header_error::connection_not_synchronized,
                                        "marker is not all ones"));
    return std::nullopt;
  }
  Reader r(stream);
  for (std::size_t i = 0; i < marker_size; ++i)
    // "If the Marker field of the message header is not as expected, then a
    // synchronization error has occurred"
    if (*r.u8() != 0xFF)
      return Result<Frame>(make_error(i, NotifyCode::message_header,
                                      header_error::connection_not_synchronized,
                                      "marker is not all ones"));
  const std::size_t length = *r.u16();
  const std::uint8_t type = *r.u8();
  const TypeRow* row = find_type(type);
  if (!row) {
    if (ctx.exabgp_compat) {  // ExaBGP: 1/0 with its text as data
      const std::string text =
          "can not decode update message of type \"" + std::to_string(type) + "\"";
      return Result<Frame>(
          make_error(18, NotifyCode::message_header, 0, text, Bytes(text.begin(), text.end())));
    }
    // RFC 4271 6.1: "If the Type field of the message header is not
    // recognized, then the Error Subcode MUST be set to Bad Message Type. The
    // Data field MUST contain the erroneous Type field."
    return Result<Frame>(make_error(18, NotifyCode::message_header, header_error::bad_message_type,
                                    "unknown message type " + std::to_string(type), Bytes{type}));
  }
  const std::size_t max = row->may_be_extended ? ctx.max_message_size() : 4096;
  if (length < row->min_length || length > max)
    return Result<Frame>(bad_length(
        length, "length " + std::to_string(length) + " of " + std::string(row->name) +
                    " is outside " + std::to_string(row->min_length) + ".." + std::to_string(max)));
  if (row->type == MessageType::keepalive && length != header_size)
    return Result<Frame>(bad_length(length, "KEEPALIVE must be exactly 19 bytes"));
  if (stream.size() < length) return std::nullopt;
  return Result<Frame>(Frame{type, length});
}

std::optional<Family> Update::end_of_rib() const {
  // RFC 4724 2: "For the IPv4 unicast address family, the End-of-RIB marker is
  // an UPDATE message with the minimum length [BGP-4]": no withdrawn routes,
  // no path attribute, no NLRI. An attribute that was received but discarded
  // as malformed (RFC 7606) left an error, not nothing: such an UPDATE is not
  // an End-of-RIB, and its errors stay with it.
  if (!withdrawn.empty() || !nlri.empty() || !attribute_errors.empty()) return std::nullopt;
  if (attributes == PathAttributes{}) return ipv4_unicast;
  // "For any other address family, it is an UPDATE message that contains only
  // the MP_UNREACH_NLRI attribute [BGP-MP] with no withdrawn routes for that
  // <AFI, SAFI>."
  if (attributes.mp_unreach && attributes.mp_unreach->nlri.empty() &&
      attributes.mp_unreach->opaque_nlri.empty()) {
    PathAttributes only_unreach;
    only_unreach.mp_unreach = attributes.mp_unreach;
    if (attributes == only_unreach) return attributes.mp_unreach->family;
  }
  return std::nullopt;
}

Update Update::make_end_of_rib(Family family) {
  Update u;
  if (family != ipv4_unicast) u.attributes.mp_unreach = MpUnreach{family, {}, {}};
  return u;
}

bool Update::treat_as_withdraw() const {
  return std::any_of(attribute_errors.begin(), attribute_errors.end(),
                     [](const auto& e) { return e.action == ErrorAction::treat_as_withdraw; });
}

Result<Update> decode_update(ByteView message, const DecodeContext& ctx) {
  Reader r(message.subspan(header_size), header_size);
  Update u;
  // RFC 7606 5.3 / RFC 4271 6.3: lengths that do not add up are a
  // Malformed Attribute List, handled by session reset.
  auto withdrawn_length = r.u16();
  // "If the Withdrawn Routes Length or Total Attribute Length is too large
  // (i.e., if Withdrawn Routes Length + Total Attribute Length + 23 exceeds
  // the message Length)": the two bytes of Total Attribute Length must fit.
  if (!withdrawn_length || std::size_t{*withdrawn_length} + 2 > r.remaining())
    return make_error(19, NotifyCode::update_message, update_error::malformed_attribute_list,
                      "withdrawn routes length runs past the end of the message");
  auto withdrawn = decode_nlri(ipv4_unicast, *r.sub(*withdrawn_length), ctx,
                               update_error::invalid_network_field);
  if (!withdrawn) return withdrawn.error();
  u.withdrawn = std::move(*withdrawn);

  const std::size_t attributes_length_at = r.offset();
  auto attributes_length = r.u16();
  if (!attributes_length || *attributes_length > r.remaining())
    return make_error(attributes_length_at, NotifyCode::update_message,
                      update_error::malformed_attribute_list,
                      "total path attribute length runs past the end of the message");
  Reader attributes_field = *r.sub(*attributes_length);
  Reader nlri_field = r;
  auto attributes = decode_attributes(attributes_field, ctx, !nlri_field.empty());
  if (!attributes) return attributes.error();
  u.attributes = std::move(attributes->attributes);
  u.attribute_errors = std::move(attributes->errors);

  auto nlri = decode_nlri(ipv4_unicast, nlri_field, ctx, update_error::invalid_network_field);
  if (!nlri) return nlri.error();
  u.nlri = std::move(*nlri);
  return u;
}

Result<Message> decode_message(ByteView message, const DecodeContext& ctx) {
  auto frame = next_frame(message, ctx);
  if (!frame) {
    // The whole header is there but fewer bytes than its length field says:
    // that field is the error (RFC 4271 6.1, the data is the Length field).
    if (message.size() >= header_size) {
      const std::size_t length = std::size_t(message[16]) << 8 | message[17];
      return bad_length(length, "length field says " + std::to_string(length) + " but " +
                                    std::to_string(message.size()) + " bytes were given");
    }
    return make_error(message.size(), NotifyCode::message_header, header_error::bad_message_length,
                      "message is shorter than its header");
  }
  if (!*frame) return frame->error();
  if ((*frame)->length != message.size())
    return bad_length((*frame)->length, "length field says " + std::to_string((*frame)->length) +
                                            " but " + std::to_string(message.size()) +
                                            " bytes were given");
  Reader body(message.subspan(header_size), header_size);
  switch (static_cast<MessageType>((*frame)->type)) {
    case MessageType::open: {
      auto m = decode_open(body);
      if (!m) return m.error();
      return Message(std::move(*m));
    }
    case MessageType::update: {
      auto m = decode_update(message, ctx);
      if (!m) return m.error();
      return Message(std::move(*m));
    }
    case MessageType::notification: {
      auto m = decode_notification(body);
      if (!m) return m.error();
      return Message(std::move(*m));
    }
    case MessageType::keepalive:
      return Message(Keepalive{});
    case MessageType::route_refresh: {
      auto m = decode_route_refresh(body);
      if (!m) return m.error();
      return Message(std::move(*m));
    }
  }
  return make_error(18, NotifyCode::message_header, header_error::bad_message_type,
                    "unknown message type");
}

namespace {

// Patches the two-byte length reserved at `at` with what follows it, unless
// that does not fit two bytes.
std::optional<EncodeError> patch_length(Writer& w, std::size_t at, std::string_view what) {
  const std::size_t length = w.size() - at - 2;
  if (length > 0xFFFF)
    return EncodeError{
        fmt::format("{} of {} bytes exceed the 65535 their length field can say", what, length)};
  w.patch_u16(at, static_cast<std::uint16_t>(length));
  return std::nullopt;
}

std::optional<EncodeError> encode_update_body(const Update& u, const EncodeContext& ctx,
                                              Writer& w) {
  auto withdrawn_at = w.reserve_u16();
  for (const auto& n : u.withdrawn) encode_nlri(ipv4_unicast, n, ctx, w);
  if (auto e = patch_length(w, withdrawn_at, "withdrawn routes")) return e;
  auto attributes_at = w.reserve_u16();
  if (auto e = encode_attributes(u.attributes, ctx, w)) return e;
  if (auto e = patch_length(w, attributes_at, "path attributes")) return e;
  for (const auto& n : u.nlri) encode_nlri(ipv4_unicast, n, ctx, w);
  return std::nullopt;
}

// RFC 4271 4.1: "The value of the Length field MUST always be at least 19 and
// no greater than 4096"; RFC 8654 2 raises the limit to 65535 once both
// speakers advertised the Extended Message capability, for every type but
// OPEN and KEEPALIVE (RFC 8654 4). Anything larger is never sent: the 16-bit
// length would wrap and desynchronise the stream.
std::optional<EncodeError> check_size(std::uint8_t type, std::size_t size,
                                      const EncodeContext& ctx) {
  const TypeRow* row = find_type(type);
  const std::size_t max = row && row->may_be_extended ? ctx.max_message_size() : 4096;
  if (size <= max) return std::nullopt;
  return EncodeError{fmt::format(
      "{} of {} bytes exceeds the {} bytes the session allows{}", message_type_name(type), size,
      max, max == 4096 && row && row->may_be_extended ? " (no RFC 8654 extended message)" : "")};
}

std::size_t begin_message(std::uint8_t type, Writer& w) {
  for (std::size_t i = 0; i < marker_size; ++i) w.u8(0xFF);
  auto length_at = w.reserve_u16();
  w.u8(type);
  return length_at;
}

}  // namespace

std::optional<EncodeError> encode_message(const Message& m, const EncodeContext& ctx, Bytes& out) {
  Writer w(out);
  const std::size_t start = out.size();
  const auto type = static_cast<std::uint8_t>(type_of(m));
  auto length_at = begin_message(type, w);
  std::optional<EncodeError> error;
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, Open>) encode_open_body(msg, w);
        if constexpr (std::is_same_v<T, Update>) error = encode_update_body(msg, ctx, w);
        if constexpr (std::is_same_v<T, Notification>) encode_notification_body(msg, w);
        if constexpr (std::is_same_v<T, RouteRefresh>) encode_route_refresh_body(msg, w);
      },
      m);
  if (!error) error = check_size(type, out.size() - start, ctx);
  if (error) {
    out.resize(start);
    return error;
  }
  w.patch_u16(length_at, static_cast<std::uint16_t>(out.size() - start));
  return std::nullopt;
}

Bytes encode_message(const Message& m, const EncodeContext& ctx) {
  Bytes out;
  out.reserve(64);  // a KEEPALIVE, NOTIFICATION or ROUTE-REFRESH in one allocation
  encode_message(m, ctx, out);
  return out;
}

std::optional<EncodeError> encode_unknown(const UnknownMessage& m, Bytes& out) {
  // Any type, any size the length field can say (tests send what peers must refuse).
  if (header_size + m.body.size() > 0xFFFF)
    return EncodeError{fmt::format("message of {} bytes exceeds the 65535 its length can say",
                                   header_size + m.body.size())};
  Writer w(out);
  const std::size_t start = out.size();
  auto length_at = begin_message(m.type, w);
  w.bytes(m.body);
  w.patch_u16(length_at, static_cast<std::uint16_t>(out.size() - start));
  return std::nullopt;
}

Notification to_notification(const DecodeError& e) { return {e.code, e.subcode, e.data}; }

}  // namespace bgpsim::wire
