#include "replay/tcp_reassembly.hpp"

#include <algorithm>

namespace bgpsim::replay {

std::int64_t TcpStream::offset_of(std::uint32_t seq) const {
  // The 32-bit distance from the next expected byte's sequence number, taken
  // as signed: at most 2^31 bytes either way (RFC 1982 serial arithmetic).
  const auto expected = static_cast<std::uint32_t>(isn_ + static_cast<std::uint32_t>(next_));
  const auto delta = static_cast<std::int32_t>(seq - expected);
  return static_cast<std::int64_t>(next_) + delta;
}

void TcpStream::segment(std::uint32_t seq, bool syn, bool fin, wire::ByteView payload,
                        const StreamEvents& out) {
  if (!started_) {
    started_ = true;
    isn_ = syn ? seq + 1 : seq;
  }
  // The SYN takes one sequence number before the data.
  const std::uint32_t data_seq = syn ? seq + 1 : seq;
  std::int64_t start = offset_of(data_seq);
  if (fin) {
    const std::int64_t end = start + static_cast<std::int64_t>(payload.size());
    if (end >= 0) fin_end_ = static_cast<std::uint64_t>(end);
  }
  if (payload.empty()) return;
  if (start < 0) {  // begins before the stream's start: keep what follows it
    const auto skip = static_cast<std::uint64_t>(-start);
    if (skip >= payload.size()) return;
    payload = payload.subspan(skip);
    start = 0;
  }
  auto offset = static_cast<std::uint64_t>(start);
  const std::uint64_t end = offset + payload.size();
  if (end <= next_) return;  // retransmission of delivered bytes
  if (offset < next_) {      // overlap: deliver only the new part
    payload = payload.subspan(next_ - offset);
    offset = next_;
  }
  if (offset == next_) {
    deliver(offset, payload, out);
    drain(out);
    return;
  }
  // A hole before this segment. If the peer already acknowledged bytes at or
  // past its start, the hole's bytes were sent and received but not captured.
  if (acked_ >= offset) {
    gap_to(offset, out);
    deliver(offset, payload, out);
    drain(out);
    return;
  }
  auto& slot = pending_[offset];
  if (payload.size() > slot.size()) {
    buffered_ += payload.size() - slot.size();
    slot.assign(payload.begin(), payload.end());
  }
  while (buffered_ > max_buffered_ && !pending_.empty()) {
    gap_to(pending_.begin()->first, out);
    drain(out);
  }
}

void TcpStream::acknowledged(std::uint32_t ack, const StreamEvents& out) {
  if (!started_) return;
  const std::int64_t offset = offset_of(ack);
  if (offset <= static_cast<std::int64_t>(acked_)) return;
  acked_ = static_cast<std::uint64_t>(offset);
  if (!pending_.empty() && pending_.begin()->first <= acked_) {
    gap_to(pending_.begin()->first, out);
    drain(out);
  }
}

void TcpStream::flush(const StreamEvents& out) {
  while (!pending_.empty()) {
    gap_to(pending_.begin()->first, out);
    drain(out);
  }
  // Bytes before the FIN that never showed up.
  if (fin_end_ && *fin_end_ > next_) gap_to(*fin_end_, out);
}

void TcpStream::deliver(std::uint64_t offset, wire::ByteView data, const StreamEvents& out) {
  next_ = offset + data.size();
  if (out.data) out.data(offset, data);
}

void TcpStream::drain(const StreamEvents& out) {
  while (!pending_.empty() && pending_.begin()->first <= next_) {
    auto node = pending_.extract(pending_.begin());
    buffered_ -= node.mapped().size();
    const std::uint64_t offset = node.key();
    const wire::Bytes& bytes = node.mapped();
    const std::uint64_t end = offset + bytes.size();
    if (end <= next_) continue;
    deliver(next_, wire::ByteView(bytes).subspan(next_ - offset), out);
  }
}

void TcpStream::gap_to(std::uint64_t offset, const StreamEvents& out) {
  if (offset <= next_) return;
  if (out.gap) out.gap(next_, offset - next_);
  next_ = offset;
}

}  // namespace bgpsim::replay
