// BGP sessions out of TCP segments: one TcpStream per direction of each
// connection, the byte streams cut into BGP messages by content (the 16-byte
// all-ones marker, any port), sessions numbered in order of their first BGP
// message, every message handed on as a Record with the codec context it
// needs (from the two OPENs, or inferred). Pure apart from the sink.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "replay/record.hpp"
#include "replay/tcp_reassembly.hpp"
#include "speaker/wire/open.hpp"

namespace bgpsim::replay {

using RecordSink = std::function<void(const Record&)>;

// What `bgpsim replay decode` prints at the end, per session.
struct SessionSummary {
  std::uint32_t session = 0;
  Endpoint side[2];  // a, b
  Timestamp first, last;
  std::uint64_t first_packet = 0, last_packet = 0;
  // Messages per type (index = BGP type, 0 = other) and direction (0: a -> b).
  std::array<std::array<std::uint64_t, 6>, 2> messages{};
  std::array<std::uint64_t, 2> gaps{}, gap_bytes{}, skipped_bytes{}, errors{};
  bool opens_seen[2] = {false, false};
  bool context_inferred[2] = {true, true};
  wire::DecodeContext context[2];  // the last one used per direction
  bool closed = false;             // FIN or RST seen
};

struct ExtractOptions {
  std::size_t max_buffered = std::size_t{4} << 20;  // per direction, out-of-order bytes
  // UPDATEs tried under every candidate context before inference settles on
  // the best so far (see replay/README.md).
  std::size_t max_inference_updates = 1000;
};

// One captured TCP segment, as pcap::PacketDecoder gives it.
struct Segment {
  wire::IpAddress src, dst;
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  bool syn = false, ack_flag = false, fin = false, rst = false;
  wire::ByteView payload;
  std::uint32_t missing = 0;  // payload bytes the capture cut off
};

class SessionExtractor {
 public:
  SessionExtractor(RecordSink sink, ExtractOptions options = {});
  ~SessionExtractor();
  SessionExtractor(const SessionExtractor&) = delete;
  SessionExtractor& operator=(const SessionExtractor&) = delete;

  void segment(const Segment& s, const Timestamp& time, const Origin& origin);
  // End of capture: every connection flushed (gaps reported).
  void finish(const Timestamp& time, const Origin& origin);

  // Sessions in order of number (only connections that carried BGP).
  std::vector<SessionSummary> summaries() const;

 private:
  struct Connection;
  struct Direction;
  using Key = std::tuple<wire::IpAddress, std::uint16_t, wire::IpAddress, std::uint16_t>;

  Connection& connection_for(const Segment& s, int& side, const Timestamp& time,
                             const Origin& origin);
  StreamEvents events_for(Connection& c, int side, const Timestamp& time, const Origin& origin);
  void gap(Connection& c, int side, std::uint64_t offset, std::uint64_t length,
           const Timestamp& time, const Origin& origin);
  void close(std::map<Key, std::unique_ptr<Connection>>::iterator it, const Timestamp& time,
             const Origin& origin);
  void frame(Connection& c, int side, const Timestamp& time, const Origin& origin);
  void emit_message(Connection& c, int side, wire::ByteView bytes, std::uint64_t offset,
                    const Timestamp& time, const Origin& origin);
  void emit(Connection& c, Record r);
  void number(Connection& c);

  RecordSink sink_;
  ExtractOptions options_;
  std::map<Key, std::unique_ptr<Connection>> connections_;
  std::vector<SessionSummary> finished_;  // sessions of closed connections
  std::uint32_t sessions_ = 0;
};

// Inference of a context when the OPENs were not captured. The candidates,
// in order of preference: 4-byte ASNs, 2-byte ASNs, each first without then
// with ADD-PATH on IPv4/IPv6 unicast and multicast (all accept extended
// messages). best_contexts() returns, as a bit per candidate, those among
// `among` under which `update` (a whole UPDATE) decodes with the fewest
// problems: a decode error rules a candidate out; of the rest, those with the
// fewest RFC 7606 attribute errors (a 2-byte AS_PATH read as 4-byte, or the
// reverse, almost never parses). 0 when every candidate fails.
std::uint8_t best_contexts(wire::ByteView update, std::uint8_t among);
wire::DecodeContext inference_candidate(int index);
inline constexpr int inference_candidates = 4;

}  // namespace bgpsim::replay
