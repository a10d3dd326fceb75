// What every capture reader (pcap/pcapng, MRT) hands on: one BGP message, or
// one session event, with when it happened and on which session. The readers
// produce these as a stream (a callback per record), so memory does not grow
// with the file; `bgpsim replay decode/run/send` consume them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "speaker/wire/address.hpp"
#include "speaker/wire/bytes.hpp"
#include "speaker/wire/context.hpp"
#include "speaker/wire/family.hpp"

namespace bgpsim::replay {

// Capture time: seconds and microseconds since the Unix epoch, as pcap and
// MRT (BGP4MP_ET) record it.
struct Timestamp {
  std::int64_t sec = 0;
  std::uint32_t usec = 0;
  auto operator<=>(const Timestamp&) const = default;
};

// One side of a session as the capture shows it.
struct Endpoint {
  wire::IpAddress address;
  std::uint16_t port = 0;            // 0 when unknown (MRT)
  std::optional<std::uint32_t> asn;  // known from MRT headers or an OPEN
};

// Where a record came from, for error messages: "FILE: record 17 (byte 4242)".
struct Origin {
  std::string file;
  std::uint64_t record = 0;  // packet number in a pcap, record number in MRT (1-based)
  std::uint64_t offset = 0;  // byte offset of the record in the (decompressed) file
};

enum class RecordKind : std::uint8_t {
  message,       // `bytes` holds one whole BGP message (header included)
  state_change,  // BGP4MP_STATE_CHANGE: old_state -> new_state
  gap,           // bytes missing from a TCP stream (`gap_bytes` of them)
  error,         // a damaged record, reported and skipped (`error` says why)
  rib_entry,     // one route of an MRT RIB dump (TABLE_DUMP, TABLE_DUMP_V2): `from` is the
                 // peer, `bytes` the path attributes (no header), `prefix`/`path_id` the route
};

struct Record {
  RecordKind kind = RecordKind::message;
  Timestamp time;
  Origin origin;
  // 1-based id, stable for the file: one per TCP connection or MRT peer pair.
  std::uint32_t session = 0;
  Endpoint from;  // the sender of `bytes`
  Endpoint to;
  wire::Bytes bytes;
  std::uint16_t old_state = 0, new_state = 0;  // state_change (RFC 6396 4.4.1 numbering)
  std::uint64_t gap_bytes = 0;
  std::string error;

  // MRT only (0 elsewhere): the record's type and subtype (RFC 6396 4, RFC 8050),
  // which say how `bytes` is to be read (e.g. 2- or 4-byte AS numbers, add-path).
  std::uint16_t mrt_type = 0, mrt_subtype = 0;
  // rib_entry: the route. The prefix is as the file has it (host bits kept).
  wire::Family family;
  wire::IpPrefix prefix;
  std::optional<std::uint32_t> path_id;
  Timestamp originated;        // when the peer sent the route
  std::uint32_t sequence = 0;  // TABLE_DUMP_V2 sequence number / TABLE_DUMP sequence

  // pcap only: which side sent `bytes` (0: side a, the connection's initiator
  // when the SYN was captured, else the sender of the first captured segment;
  // 1: side b), and the codec context to decode it with: the one the session's
  // two OPENs negotiated, or, when they were not captured, one inferred from
  // the messages (`context_inferred`; see replay/README.md).
  std::uint8_t side = 0;
  std::optional<wire::DecodeContext> context;
  bool context_inferred = false;
  std::uint64_t stream_offset = 0;  // pcap: offset in the TCP byte stream (messages, gaps)
};

}  // namespace bgpsim::replay
