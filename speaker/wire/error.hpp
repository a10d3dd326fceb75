// Errors as values: NOTIFICATION codes and subcodes (RFC 4271 section 4.5 and
// later RFCs), decode errors that name the byte offset and the NOTIFICATION
// they imply, and the RFC 7606 outcome of a malformed path attribute.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "speaker/wire/bytes.hpp"

namespace bgpsim::wire {

enum class NotifyCode : std::uint8_t {
  message_header = 1,
  open_message = 2,
  update_message = 3,
  hold_timer_expired = 4,
  fsm = 5,
  cease = 6,
  route_refresh = 7,            // RFC 7313
  send_hold_timer_expired = 8,  // RFC 9687
};

namespace header_error {  // RFC 4271 6.1
inline constexpr std::uint8_t connection_not_synchronized = 1;
inline constexpr std::uint8_t bad_message_length = 2;
inline constexpr std::uint8_t bad_message_type = 3;
}  // namespace header_error

namespace open_error {  // RFC 4271 6.2, RFC 5492, RFC 9072
inline constexpr std::uint8_t unspecific = 0;
inline constexpr std::uint8_t unsupported_version = 1;
inline constexpr std::uint8_t bad_peer_as = 2;
inline constexpr std::uint8_t bad_bgp_identifier = 3;
inline constexpr std::uint8_t unsupported_optional_parameter = 4;
inline constexpr std::uint8_t unacceptable_hold_time = 6;
inline constexpr std::uint8_t unsupported_capability = 7;
inline constexpr std::uint8_t role_mismatch = 11;
}  // namespace open_error

namespace update_error {  // RFC 4271 6.3
inline constexpr std::uint8_t malformed_attribute_list = 1;
inline constexpr std::uint8_t unrecognized_well_known_attribute = 2;
inline constexpr std::uint8_t missing_well_known_attribute = 3;
inline constexpr std::uint8_t attribute_flags_error = 4;
inline constexpr std::uint8_t attribute_length_error = 5;
inline constexpr std::uint8_t invalid_origin_attribute = 6;
inline constexpr std::uint8_t invalid_next_hop_attribute = 8;
inline constexpr std::uint8_t optional_attribute_error = 9;
inline constexpr std::uint8_t invalid_network_field = 10;
inline constexpr std::uint8_t malformed_as_path = 11;
}  // namespace update_error

namespace fsm_error {  // RFC 6608
inline constexpr std::uint8_t unspecified = 0;
inline constexpr std::uint8_t unexpected_in_opensent = 1;
inline constexpr std::uint8_t unexpected_in_openconfirm = 2;
inline constexpr std::uint8_t unexpected_in_established = 3;
}  // namespace fsm_error

namespace cease {  // RFC 4486, RFC 8538
inline constexpr std::uint8_t max_prefixes = 1;
inline constexpr std::uint8_t administrative_shutdown = 2;
inline constexpr std::uint8_t peer_deconfigured = 3;
inline constexpr std::uint8_t administrative_reset = 4;
inline constexpr std::uint8_t connection_rejected = 5;
inline constexpr std::uint8_t other_configuration_change = 6;
inline constexpr std::uint8_t connection_collision_resolution = 7;
inline constexpr std::uint8_t out_of_resources = 8;
inline constexpr std::uint8_t hard_reset = 9;
inline constexpr std::uint8_t bfd_down = 10;
}  // namespace cease

namespace route_refresh_error {  // RFC 7313
inline constexpr std::uint8_t invalid_message_length = 1;
}

// Human names, e.g. ("Cease", "Administrative Shutdown").
std::string_view notify_code_name(std::uint8_t code);
std::string_view notify_subcode_name(std::uint8_t code, std::uint8_t subcode);

// A message that cannot be accepted: where, why, and the NOTIFICATION to send.
struct DecodeError {
  std::size_t offset = 0;  // from the first byte of the message (marker)
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  std::string reason;
  Bytes data;  // NOTIFICATION data field, as RFC 4271 asks for each error

  bool operator==(const DecodeError&) const = default;
};

// A message that cannot go on the wire for this session: a length that does
// not fit its field, or a message larger than the negotiated maximum.
struct EncodeError {
  std::string reason;
  bool operator==(const EncodeError&) const = default;
};

// RFC 7606 section 2: the outcomes of a malformed attribute, least to most severe.
enum class ErrorAction : std::uint8_t {
  attribute_discard,  // drop the attribute, keep the route
  treat_as_withdraw,  // the UPDATE's NLRI are withdrawn
  afi_safi_disable,   // (unused unless configured) the family is disabled
  session_reset,      // send the NOTIFICATION and close
};
std::string_view to_string(ErrorAction a);

// One malformed attribute and what RFC 7606 says to do about it.
struct AttributeError {
  std::uint8_t type_code = 0;
  ErrorAction action = ErrorAction::attribute_discard;
  DecodeError error;  // offset, subcode and reason; sent only on session_reset
  bool operator==(const AttributeError&) const = default;
};

// A value or a DecodeError (std::expected is C++23).
template <class T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(DecodeError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const DecodeError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, DecodeError> v_;
};

inline DecodeError make_error(std::size_t offset, NotifyCode code, std::uint8_t subcode,
                              std::string reason, Bytes data = {}) {
  return DecodeError{offset, static_cast<std::uint8_t>(code), subcode, std::move(reason),
                     std::move(data)};
}

}  // namespace bgpsim::wire
