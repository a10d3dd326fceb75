// The test peer's script: what a .ci file asks of the peer on the other end
// of the speaker's session (../shared/exabgp-qa/README.md, docs/qa.md), and
// the matching of what the speaker sends against it. Pure: bytes in,
// decisions out; qa/peer/test_peer.hpp runs it over a socket.
//
// Matching follows ExaBGP's qa/sbin/bgp: expected lines sharing (letter,
// number) form a group; groups are consumed in order of letter, then number;
// inside a group order is free. KEEPALIVEs (empty bodies) are never compared.
// An action line (`notification:`, `signal:`, and our `send:HEX`, which
// sends the bytes as they are, malformed or not) is performed when it
// reaches the front of its group's remaining lines. After the last group
// only End-of-RIB UPDATEs may arrive.
//
// Depends on: qa/runner/ci_file.hpp only (no codec: the oracle does not
// share the speaker's decoder).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "qa/runner/ci_file.hpp"

namespace bgpsim::qa {

using Bytes = std::vector<std::uint8_t>;

struct PeerOptions {
  std::optional<std::uint16_t> asn;      // option:asn:N (ExaBGP's peer takes 0..65535)
  bool ipv6 = false;                     // option:bind:ipv6: listen on ::1
  bool send_unknown_capability = false;  // option:open:send-unknown-capability
  bool inspect_open = false;             // option:open:inspect-open-message
  bool send_unknown_message = false;     // option:open:send-unknown-message
  bool send_default_route = false;       // option:update:send-default-route
  int tcp_connections = 0;               // option:tcp_connections:N, 0 = unlimited
  std::optional<int> timeout_s;          // option:timeout:S
};

struct Expected {
  enum Kind { message, notification, signal, send } kind = message;
  Bytes bytes;       // message: the whole message; send: the bytes to send
  std::string text;  // notification: the Cease text; signal: the name
  std::size_t line_number = 0;
};

struct Group {
  std::string name;  // "A1"
  std::vector<Expected> lines;
};

struct PeerScript {
  PeerOptions options;
  std::vector<Group> groups;  // in consumption order
};

// The peer's part of a .ci file; errors name file:line.
std::variant<PeerScript, CiError> peer_script(const CiFile& file);

// The reply to the speaker's OPEN, as ExaBGP's test peer builds it: the same
// bytes with the BGP Identifier's last byte plus one; with `asn`, the My AS
// field and the 4-octet AS capability (when present) carry it instead and
// the identifier is kept; with send_unknown_capability, a capability 66 of
// ten bytes ("loremipsum") appended in its own parameter. nullopt when
// `open` is not an OPEN long enough to edit.
std::optional<Bytes> echo_open(const Bytes& open, const PeerOptions& options);

Bytes keepalive_message();
// Cease (code 6, subcode 0) carrying `text`, as the peer's notification: line.
Bytes cease_message(const std::string& text);
// An UPDATE for 0.0.0.0/0 (next hop 127.0.0.1, LOCAL_PREF 100), what
// option:update:send-default-route sends.
Bytes default_route_message();
// A message of type 255 with an empty body (option:open:send-unknown-message).
Bytes unknown_type_message();
// End-of-RIB: IPv4 unicast (empty UPDATE) or any family (an UPDATE whose only
// attribute is an empty MP_UNREACH_NLRI, in either length form).
bool is_end_of_rib(const Bytes& message);

std::string to_hex(const Bytes& bytes);

// The matching state over every connection of a test.
class Checker {
 public:
  explicit Checker(PeerScript script) : script_(std::move(script)) {}

  struct Action {
    Expected::Kind kind;
    std::string text;
    Bytes bytes;  // send: what to write
  };
  // Moves to the next group when the open one is done and collects the
  // actions now at the front. Called after the OPEN exchange and after each match.
  std::vector<Action> advance();

  enum class Verdict { matched, ignored, unexpected };
  // A message received from the speaker (whole, header included).
  Verdict receive(const Bytes& message);

  bool completed() const { return open_.empty() && next_group_ >= script_.groups.size(); }
  const PeerOptions& options() const { return script_.options; }
  // The group being matched ("" once completed) and what it still expects.
  const std::string& group_name() const { return group_name_; }
  const std::vector<Expected>& remaining() const { return open_; }
  std::size_t groups_total() const { return script_.groups.size(); }
  std::size_t groups_done() const { return next_group_ - (open_.empty() ? 0 : 1); }

 private:
  PeerScript script_;
  std::size_t next_group_ = 0;
  std::vector<Expected> open_;
  std::string group_name_;
};

}  // namespace bgpsim::qa
