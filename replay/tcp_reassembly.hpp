// One direction of a TCP connection turned back into its byte stream. Pure:
// segments in (sequence number, flags, payload), data and gaps out, in stream
// order. No libpcap, no clock.
//
//  - Sequence numbers are unwrapped with serial arithmetic (RFC 1982): each
//    is read as the 64-bit stream offset nearest to the next expected byte,
//    so a stream may run past 2^32 bytes.
//  - The stream starts after the SYN when the handshake was captured, else
//    at the first segment seen (bytes sent earlier are out of reach).
//  - Retransmissions and overlaps deliver each byte once (the first copy).
//  - Out-of-order segments wait until the hole before them fills.
//  - A hole becomes a gap, reported once with its stream offset and length,
//    when it can no longer fill: the peer acknowledged bytes past it, more
//    than `max_buffered` bytes wait behind it, or the stream ends (flush).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "speaker/wire/bytes.hpp"

namespace bgpsim::replay {

struct StreamEvents {
  // `offset`: stream offset of the first byte of `data` (0 = first byte after
  // the SYN, or the first byte captured).
  std::function<void(std::uint64_t offset, wire::ByteView data)> data;
  std::function<void(std::uint64_t offset, std::uint64_t length)> gap;
};

class TcpStream {
 public:
  explicit TcpStream(std::size_t max_buffered = std::size_t{4} << 20)
      : max_buffered_(max_buffered) {}

  // One captured segment of this direction.
  void segment(std::uint32_t seq, bool syn, bool fin, wire::ByteView payload,
               const StreamEvents& out);
  // The other direction acknowledged everything before `ack` (its ACK field).
  void acknowledged(std::uint32_t ack, const StreamEvents& out);
  // End of capture or of the connection: whatever waits behind holes is
  // delivered, each hole reported as a gap.
  void flush(const StreamEvents& out);

  bool started() const { return started_; }
  bool fin_seen() const { return fin_end_.has_value(); }
  std::uint64_t next_offset() const { return next_; }
  std::size_t buffered() const { return buffered_; }
  // The stream's sequence number for offset 0 (valid once started).
  std::uint32_t initial_sequence() const { return isn_; }

 private:
  // Stream offset of `seq`, nearest to next_ (negative: before the start).
  std::int64_t offset_of(std::uint32_t seq) const;
  void deliver(std::uint64_t offset, wire::ByteView data, const StreamEvents& out);
  void drain(const StreamEvents& out);
  void gap_to(std::uint64_t offset, const StreamEvents& out);

  std::size_t max_buffered_;
  bool started_ = false;
  std::uint32_t isn_ = 0;
  std::uint64_t next_ = 0;   // next stream offset to deliver
  std::uint64_t acked_ = 0;  // highest offset the peer acknowledged
  std::optional<std::uint64_t> fin_end_;
  std::map<std::uint64_t, wire::Bytes> pending_;  // out-of-order, by offset
  std::size_t buffered_ = 0;
};

}  // namespace bgpsim::replay
