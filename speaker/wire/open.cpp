// OPEN (RFC 4271 4.2): fixed fields, then optional parameters in either the
// classic form (one-byte lengths) or RFC 9072's extended form (two-byte
// lengths). Capabilities (parameter type 2, RFC 5492) are decoded through the
// capability table; other parameter types are kept raw for the session to judge.
#include <optional>
#include <string>
#include <utility>

#include "speaker/wire/open.hpp"

namespace bgpsim::wire {

namespace {

constexpr std::uint8_t bgp_version = 4;
constexpr std::size_t fixed_fields_size = 10;  // version .. optional parameters length
constexpr std::size_t length_field_offset = 16;
constexpr std::uint8_t capabilities_parameter = 2;    // RFC 5492 4
constexpr std::uint8_t extended_length_marker = 255;  // RFC 9072 2

DecodeError open_error_at(std::size_t offset, std::uint8_t subcode, std::string reason,
                          Bytes data = {}) {
  return make_error(offset, NotifyCode::open_message, subcode, std::move(reason), std::move(data));
}

Bytes u16_bytes(std::size_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

// Code(1) Length(1) Value, repeated to the end of the parameter.
Result<std::vector<Capability>> decode_capability_parameter(Reader r) {
  std::vector<Capability> group;
  while (!r.empty()) {
    auto code = *r.u8();
    auto length_at = r.offset();
    auto length = r.u8();
    if (!length)
      return open_error_at(length_at, open_error::unspecific, "capability length is missing");
    auto value = r.sub(*length);
    if (!value)
      return open_error_at(length_at, open_error::unspecific,
                           "capability " + std::to_string(code) + " length " +
                               std::to_string(*length) + " overruns its parameter");
    auto c = decode_capability(code, *value);
    if (!c) return c.error();
    group.push_back(std::move(*c));
  }
  return group;
}

Result<Open> decode_parameters(Open o, Reader params, bool extended) {
  while (!params.empty()) {
    const auto type_at = params.offset();
    auto type = *params.u8();
    auto length_at = params.offset();
    std::optional<std::size_t> length;
    if (extended) {
      if (auto l = params.u16()) length = *l;
    } else if (auto l = params.u8()) {
      length = *l;
    }
    if (!length)
      return open_error_at(length_at, open_error::unspecific,
                           "optional parameter length is missing");
    auto value = params.sub(*length);
    if (!value)
      return open_error_at(length_at, open_error::unspecific,
                           "optional parameter " + std::to_string(type) + " length " +
                               std::to_string(*length) + " overruns the parameters");
    if (type == capabilities_parameter) {
      auto group = decode_capability_parameter(*value);
      if (!group) return group.error();
      o.capability_parameters.push_back(std::move(*group));
    } else {
      // RFC 4271 6.2: "If one of the Optional Parameters in the OPEN message
      // is not recognized, then the Error Subcode MUST be set to Unsupported
      // Optional Parameters." Capabilities (RFC 5492) are the one parameter
      // in use; type 1 (authentication, RFC 1771) is gone from RFC 4271.
      // Other parameters can still be encoded, to test a peer's answer.
      return open_error_at(type_at, open_error::unsupported_optional_parameter,
                           "optional parameter type " + std::to_string(type) + " is not supported");
    }
  }
  return o;
}

// Each parameter with a one- or two-byte length (RFC 9072 2).
Bytes encode_parameters(const Open& o, bool extended) {
  Bytes out;
  Writer w(out);
  auto parameter = [&](std::uint8_t type, auto&& write_value) {
    w.u8(type);
    auto at = extended ? w.reserve_u16() : w.reserve_u8();
    auto start = w.size();
    write_value();
    auto length = w.size() - start;
    if (extended)
      w.patch_u16(at, static_cast<std::uint16_t>(length));
    else
      w.patch_u8(at, static_cast<std::uint8_t>(length));
  };
  for (const auto& group : o.capability_parameters)
    parameter(capabilities_parameter, [&] {
      for (const auto& c : group) encode_capability(c, w);
    });
  for (const auto& p : o.other_parameters) parameter(p.type, [&] { w.bytes(p.value); });
  return out;
}

// Whether the classic form can carry the parameters: the total and each
// parameter's value must fit one byte.
bool fits_classic(const Open& o, std::size_t classic_size) {
  if (classic_size > 255) return false;
  for (const auto& group : o.capability_parameters) {
    Bytes value;
    Writer w(value);
    for (const auto& c : group) encode_capability(c, w);
    if (value.size() > 255) return false;
  }
  for (const auto& p : o.other_parameters)
    if (p.value.size() > 255) return false;
  return true;
}

}  // namespace

std::vector<Capability> Open::capabilities() const {
  std::vector<Capability> all;
  for (const auto& group : capability_parameters) all.insert(all.end(), group.begin(), group.end());
  return all;
}

std::uint32_t Open::asn() const {
  for (const auto& group : capability_parameters)
    for (const auto& c : group)
      if (const auto* asn4 = std::get_if<cap::FourOctetAsn>(&c)) return asn4->asn;
  return my_as;
}

Result<Open> decode_open(Reader body) {
  // RFC 4271 6.1: an OPEN shorter than its fixed fields is a Bad Message
  // Length, and "the Data field MUST contain the erroneous Length field".
  if (body.remaining() < fixed_fields_size)
    return make_error(length_field_offset, NotifyCode::message_header,
                      header_error::bad_message_length, "OPEN is shorter than 29 bytes",
                      u16_bytes(body.offset() + body.remaining()));
  Open o;
  auto version_at = body.offset();
  o.version = *body.u8();
  // RFC 4271 6.2: "the Data field is a 2-octet unsigned integer, which
  // indicates the largest, locally-supported version number less than the
  // version the remote BGP peer bid". We support only 4.
  if (o.version != bgp_version)
    return open_error_at(version_at, open_error::unsupported_version,
                         "BGP version " + std::to_string(o.version) + " is not supported",
                         u16_bytes(bgp_version));
  auto as_at = body.offset();
  o.my_as = *body.u16();
  // RFC 7607 2: "If a BGP speaker receives zero as the peer AS in an OPEN
  // message, it MUST abort the connection and send a NOTIFICATION with Error
  // Code "OPEN Message Error" and subcode "Bad Peer AS"".
  if (o.my_as == 0)
    return open_error_at(as_at, open_error::bad_peer_as, "My Autonomous System is 0");
  auto hold_at = body.offset();
  o.hold_time_s = *body.u16();
  // RFC 4271 6.2: "An implementation MUST reject Hold Time values of one or two seconds."
  if (o.hold_time_s == 1 || o.hold_time_s == 2)
    return open_error_at(hold_at, open_error::unacceptable_hold_time,
                         "hold time of " + std::to_string(o.hold_time_s) + " seconds");
  auto id_at = body.offset();
  o.bgp_identifier = *body.u32();
  // RFC 6286 2.1: the BGP Identifier is a non-zero 4-octet unsigned integer.
  if (o.bgp_identifier == 0)
    return open_error_at(id_at, open_error::bad_bgp_identifier, "BGP identifier is zero");

  auto length_at = body.offset();
  std::size_t params_length = *body.u8();
  // RFC 9072 2: a Non-Ext OP Len of 255 followed by a Non-Ext OP Type of 255
  // announces the extended form, with a two-byte length for the parameters
  // and for each parameter.
  auto rest = body.peek_rest();
  if (params_length == extended_length_marker && !rest.empty() &&
      rest[0] == extended_length_marker) {
    const auto marker_at = body.offset();
    body.u8();
    length_at = body.offset();
    auto extended_length = body.u16();
    // Point at the marker when its length is cut off: the offset stays inside the message.
    if (!extended_length)
      return open_error_at(marker_at, open_error::unspecific,
                           "extended optional parameters length is missing");
    params_length = *extended_length;
    o.extended_parameters = true;
  }
  if (params_length != body.remaining())
    return open_error_at(length_at, open_error::unspecific,
                         "optional parameters length " + std::to_string(params_length) + " but " +
                             std::to_string(body.remaining()) + " bytes follow");
  const bool extended = o.extended_parameters;
  return decode_parameters(std::move(o), body, extended);
}

void encode_open_body(const Open& open, Writer& w) {
  w.u8(open.version);
  w.u16(open.my_as);
  w.u16(open.hold_time_s);
  w.u32(open.bgp_identifier);
  // Capability parameters are written before other parameters. The classic
  // form is used unless asked for or unless the parameters do not fit it
  // (RFC 9072 2: the extended form is for when they exceed 255 bytes).
  bool extended = open.extended_parameters;
  Bytes params = encode_parameters(open, extended);
  if (!extended && !fits_classic(open, params.size())) {
    extended = true;
    params = encode_parameters(open, extended);
  }
  if (extended) {
    w.u8(extended_length_marker);
    w.u8(extended_length_marker);
    w.u16(static_cast<std::uint16_t>(params.size()));
  } else {
    w.u8(static_cast<std::uint8_t>(params.size()));
  }
  w.bytes(params);
}

}  // namespace bgpsim::wire
