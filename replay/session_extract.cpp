#include "replay/session_extract.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

#include <fmt/format.h>

#include "speaker/session/negotiate.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::replay {

namespace {

constexpr std::size_t marker_size = 16;
constexpr std::size_t max_held_records = 16;

// Whether `b` (at least 19 bytes) starts with what a BGP header looks like
// when looking for one after losing the message boundary: the marker, a
// length the protocol allows and a type we know (1..5), with the lengths each
// type needs at least.
bool plausible_header(wire::ByteView b) {
  for (std::size_t i = 0; i < marker_size; ++i)
    if (b[i] != 0xff) return false;
  const std::size_t length = (std::size_t{b[16]} << 8) | b[17];
  const std::uint8_t type = b[18];
  switch (type) {
    case 1:
      return length >= 29;
    case 2:
      return length >= 23;
    case 3:
      return length >= 21;
    case 4:
      return length == 19;
    case 5:
      return length >= 23;
    default:
      return false;
  }
}

}  // namespace

wire::DecodeContext inference_candidate(int index) {
  wire::DecodeContext c;
  c.four_octet_asn = (index % 2) == 0;
  c.extended_message = true;  // accept any length: the OPENs that would say are not there
  if (index >= 2)
    for (auto f :
         {wire::ipv4_unicast, wire::ipv4_multicast, wire::ipv6_unicast, wire::ipv6_multicast})
      c.add_path.insert(f);
  return c;
}

std::uint8_t best_contexts(wire::ByteView update, std::uint8_t among) {
  std::uint8_t best = 0;
  std::size_t best_errors = SIZE_MAX;
  for (int i = 0; i < inference_candidates; ++i) {
    if (!(among & (1u << i))) continue;
    auto u = wire::decode_update(update, inference_candidate(i));
    if (!u) continue;  // a decode error rules the candidate out
    const std::size_t errors = u.value().attribute_errors.size();
    if (errors < best_errors) {
      best_errors = errors;
      best = 0;
    }
    if (errors == best_errors) best |= static_cast<std::uint8_t>(1u << i);
  }
  return best;
}

struct SessionExtractor::Direction {
  TcpStream stream;
  wire::Bytes buf;  // bytes not yet cut into messages, from buf[pos]
  std::size_t pos = 0;
  std::uint64_t offset = 0;  // stream offset of buf[pos]
  bool synced = false;       // buf[pos] is the first byte of a message
  std::optional<wire::Open> open;
  std::uint8_t viable = (1u << inference_candidates) - 1;
  bool settled = false;
  std::size_t tried = 0;

  explicit Direction(std::size_t max_buffered) : stream(max_buffered) {}
  wire::ByteView view() const { return wire::ByteView(buf).subspan(pos); }
  void consume(std::size_t n) {
    pos += n;
    offset += n;
    if (pos == buf.size()) {
      buf.clear();
      pos = 0;
    } else if (pos > 65536 && pos * 2 > buf.size()) {
      buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pos));
      pos = 0;
    }
  }
};

struct SessionExtractor::Connection {
  Endpoint ep[2];
  std::unique_ptr<Direction> dir[2];
  bool bgp = false;
  SessionSummary summary;
  std::optional<wire::DecodeContext> negotiated[2];  // for what side i sends
  std::vector<Record> held;                          // gaps and errors before the first BGP message
  bool fin[2] = {false, false};
  bool rst = false;
};

namespace {
// A record about one direction of a connection (side 0 is a -> b), its
// envelope filled in. A template only because Connection is private.
template <class Conn>
Record directed_record(const Conn& c, int side, RecordKind kind, const Timestamp& time,
                       const Origin& origin) {
  Record r;
  r.kind = kind;
  r.time = time;
  r.origin = origin;
  r.side = static_cast<std::uint8_t>(side);
  r.from = c.ep[side];
  r.to = c.ep[1 - side];
  return r;
}
}  // namespace

SessionExtractor::SessionExtractor(RecordSink sink, ExtractOptions options)
    : sink_(std::move(sink)), options_(options) {}

SessionExtractor::~SessionExtractor() = default;

SessionExtractor::Connection& SessionExtractor::connection_for(const Segment& s, int& side,
                                                               const Timestamp& time,
                                                               const Origin& origin) {
  Key forward{s.src, s.sport, s.dst, s.dport};
  Key backward{s.dst, s.dport, s.src, s.sport};
  auto it = connections_.find(forward);
  side = 0;
  if (it == connections_.end()) {
    it = connections_.find(backward);
    side = 1;
  }
  if (it != connections_.end() && s.syn && !s.ack_flag) {
    // A new SYN on a known address pair: the same connection if it repeats
    // the SYN we saw (same sequence number; its data, if any, is then a
    // retransmission), else a new connection reusing the ports.
    Direction& d = *it->second->dir[side];
    const bool repeat = d.stream.started() && d.stream.initial_sequence() == s.seq + 1;
    if (!repeat) {
      close(it, time, origin);
      it = connections_.end();
    }
  }
  if (it == connections_.end()) {
    // Side a: the SYN's sender, else the sender of this first segment (the
    // receiver when it is a SYN-ACK).
    const bool from_server = s.syn && s.ack_flag;
    const Key key = from_server ? backward : forward;
    side = from_server ? 1 : 0;
    auto c = std::make_unique<Connection>();
    c->ep[0] = {from_server ? s.dst : s.src, from_server ? s.dport : s.sport, std::nullopt};
    c->ep[1] = {from_server ? s.src : s.dst, from_server ? s.sport : s.dport, std::nullopt};
    for (auto& d : c->dir) d = std::make_unique<Direction>(options_.max_buffered);
    it = connections_.emplace(key, std::move(c)).first;
  }
  return *it->second;
}

StreamEvents SessionExtractor::events_for(Connection& c, int side, const Timestamp& time,
                                          const Origin& origin) {
  StreamEvents events;
  events.data = [&c, side](std::uint64_t, wire::ByteView data) {
    Direction& d = *c.dir[side];
    d.buf.insert(d.buf.end(), data.begin(), data.end());
  };
  events.gap = [this, &c, side, &time, &origin](std::uint64_t offset, std::uint64_t length) {
    gap(c, side, offset, length, time, origin);
  };
  return events;
}

void SessionExtractor::gap(Connection& c, int side, std::uint64_t offset, std::uint64_t length,
                           const Timestamp& time, const Origin& origin) {
  Direction& d = *c.dir[side];
  frame(c, side, time, origin);  // the messages before the hole
  // A message begun before the hole cannot be completed: drop it and look
  // for the next marker after the hole.
  const std::size_t lost = d.buf.size() - d.pos;
  c.summary.skipped_bytes[side] += lost;
  d.buf.clear();
  d.pos = 0;
  d.offset = offset + length;
  d.synced = false;
  Record r = directed_record(c, side, RecordKind::gap, time, origin);
  r.gap_bytes = length;
  r.stream_offset = offset;
  r.error = fmt::format("packet {}: {} bytes missing from the {} -> {} stream at offset {}{}",
                        origin.record, length, side == 0 ? "a" : "b", side == 0 ? "b" : "a", offset,
                        lost ? fmt::format(" ({} bytes before it dropped with the message they "
                                           "began)",
                                           lost)
                             : std::string());
  ++c.summary.gaps[side];
  c.summary.gap_bytes[side] += length;
  emit(c, std::move(r));
}

void SessionExtractor::segment(const Segment& s, const Timestamp& time, const Origin& origin) {
  int side = 0;
  Connection& c = connection_for(s, side, time, origin);
  Direction& d = *c.dir[side];
  Direction& other = *c.dir[1 - side];
  if (c.bgp) {
    c.summary.last = time;
    c.summary.last_packet = origin.record;
  }
  const StreamEvents events = events_for(c, side, time, origin);
  const StreamEvents other_events = events_for(c, 1 - side, time, origin);

  d.stream.segment(s.seq, s.syn, s.fin, s.payload, events);
  if (s.missing) {
    // The capture cut this segment: the rest of its payload was sent, so the
    // hole it leaves is a gap as soon as the next segment comes (the stream
    // takes it as acknowledged).
    Record r = directed_record(c, side, RecordKind::error, time, origin);
    r.error = fmt::format("packet {}: captured {} of {} TCP payload bytes (snap length)",
                          origin.record, s.payload.size(), s.payload.size() + s.missing);
    ++c.summary.errors[side];
    emit(c, std::move(r));
    if (!s.syn)
      d.stream.acknowledged(s.seq + static_cast<std::uint32_t>(s.payload.size()) + s.missing,
                            events);
  }
  frame(c, side, time, origin);
  if (s.ack_flag && other.stream.started()) {
    other.stream.acknowledged(s.ack, other_events);
    frame(c, 1 - side, time, origin);
  }
  if (s.fin) c.fin[side] = true;
  if (s.rst) c.rst = true;
  if (c.rst || (c.fin[0] && c.fin[1])) {
    Key forward{s.src, s.sport, s.dst, s.dport};
    Key backward{s.dst, s.dport, s.src, s.sport};
    auto it = connections_.find(forward);
    if (it == connections_.end()) it = connections_.find(backward);
    close(it, time, origin);
  }
}

void SessionExtractor::frame(Connection& c, int side, const Timestamp& time, const Origin& origin) {
  Direction& d = *c.dir[side];
  while (true) {
    wire::ByteView b = d.view();
    if (!d.synced) {
      // Look for a run of at least 16 0xff bytes followed by a plausible
      // header; the marker is the last 16 bytes of the run.
      std::size_t i = 0, found = b.size();
      bool wait = false;
      while (i < b.size()) {
        if (b[i] != 0xff) {
          ++i;
          continue;
        }
        std::size_t run_end = i;
        while (run_end < b.size() && b[run_end] == 0xff) ++run_end;
        if (run_end - i >= marker_size) {
          const std::size_t start = run_end - marker_size;
          if (b.size() - start < wire::header_size) {
            found = start;
            wait = true;
            break;
          }
          if (plausible_header(b.subspan(start))) {
            found = start;
            break;
          }
        }
        if (run_end == b.size()) {  // a run at the end may continue: keep it
          found = std::max(i, run_end >= marker_size ? run_end - marker_size : i);
          wait = true;
          break;
        }
        i = run_end;
      }
      if (found == b.size() && !wait) {
        c.summary.skipped_bytes[side] += b.size();
        d.consume(b.size());
        return;
      }
      c.summary.skipped_bytes[side] += found;
      d.consume(found);
      if (wait) return;
      d.synced = true;
      continue;
    }
    if (b.size() < wire::header_size) return;
    const std::size_t length = (std::size_t{b[16]} << 8) | b[17];
    const bool marker_ok =
        std::all_of(b.begin(), b.begin() + marker_size, [](std::uint8_t x) { return x == 0xff; });
    if (!marker_ok || length < wire::header_size) {
      Record r = directed_record(c, side, RecordKind::error, time, origin);
      r.stream_offset = d.offset;
      r.error = fmt::format(
          "packet {}: {} at offset {} of the {} -> {} stream; looking for the "
          "next marker",
          origin.record,
          marker_ok ? fmt::format("message length {}", length) : std::string("no BGP marker"),
          d.offset, side == 0 ? "a" : "b", side == 0 ? "b" : "a");
      ++c.summary.errors[side];
      emit(c, std::move(r));
      d.synced = false;
      c.summary.skipped_bytes[side] += 1;
      d.consume(1);
      continue;
    }
    if (b.size() < length) return;
    emit_message(c, side, b.subspan(0, length), d.offset, time, origin);
    d.consume(length);
  }
}

void SessionExtractor::emit_message(Connection& c, int side, wire::ByteView bytes,
                                    std::uint64_t offset, const Timestamp& time,
                                    const Origin& origin) {
  Direction& d = *c.dir[side];
  const std::uint8_t type = bytes[18];
  if (!c.bgp) {
    c.bgp = true;
    number(c);
    c.summary.first = time;
    c.summary.first_packet = origin.record;
    c.summary.last = time;
    c.summary.last_packet = origin.record;
  }
  if (type == static_cast<std::uint8_t>(wire::MessageType::open)) {
    auto m = wire::decode_message(bytes, inference_candidate(0));
    if (m) {
      d.open = std::get<wire::Open>(m.value());
      c.ep[side].asn = d.open->asn();
      c.summary.side[side].asn = d.open->asn();
      c.summary.opens_seen[side] = true;
      c.negotiated[0].reset();
      c.negotiated[1].reset();
      if (c.dir[0]->open && c.dir[1]->open) {
        for (int s = 0; s < 2; ++s) {
          // Messages s sends are decoded as the receiver (1 - s) would.
          const wire::Open& receiver = *c.dir[1 - s]->open;
          session::PeerConfig config;
          config.local_as = receiver.asn();
          config.router_id = receiver.bgp_identifier;
          auto n = session::negotiate(config, receiver, *c.dir[s]->open);
          if (n) {
            c.negotiated[s] = n.value().receive;
            c.summary.context[s] = n.value().receive;
            c.summary.context_inferred[s] = false;
          }
        }
      }
    }
  }
  Record r = directed_record(c, side, RecordKind::message, time, origin);
  r.session = c.summary.session;
  r.bytes.assign(bytes.begin(), bytes.end());
  r.stream_offset = offset;
  if (c.negotiated[side]) {
    r.context = c.negotiated[side];
    r.context_inferred = false;
  } else {
    // What a captured OPEN rules out: no 4-byte ASN capability on either
    // side means 2-byte AS paths; no ADD-PATH capability, no path ids.
    std::uint8_t allowed = (1u << inference_candidates) - 1;
    for (const auto& dir : c.dir) {
      if (!dir->open) continue;
      bool asn4 = false, add_path = false;
      for (const auto& cap : dir->open->capabilities()) {
        asn4 = asn4 || std::holds_alternative<wire::cap::FourOctetAsn>(cap);
        add_path = add_path || std::holds_alternative<wire::cap::AddPath>(cap);
      }
      if (!asn4) allowed &= 0b1010;
      if (!add_path) allowed &= 0b0011;
    }
    if ((d.viable & allowed) != 0) d.viable &= allowed;
    if (type == static_cast<std::uint8_t>(wire::MessageType::update) && !d.settled) {
      const std::uint8_t best = best_contexts(bytes, d.viable);
      if (best != 0) d.viable = best;
      if (std::popcount(d.viable) == 1 || ++d.tried >= options_.max_inference_updates)
        d.settled = true;
    }
    r.context = inference_candidate(std::countr_zero(d.viable));
    r.context_inferred = true;
  }
  c.summary.context[side] = *r.context;
  c.summary.context_inferred[side] = r.context_inferred;
  ++c.summary.messages[side][type <= 5 ? type : 0];
  sink_(r);
}

void SessionExtractor::number(Connection& c) {
  c.summary.session = ++sessions_;
  c.summary.side[0] = c.ep[0];
  c.summary.side[1] = c.ep[1];
  for (auto& r : c.held) {
    r.session = c.summary.session;
    sink_(r);
  }
  c.held.clear();
}

void SessionExtractor::emit(Connection& c, Record r) {
  if (c.bgp) {
    r.session = c.summary.session;
    sink_(r);
  } else if (c.held.size() < max_held_records) {
    c.held.push_back(std::move(r));
  }
}

void SessionExtractor::close(std::map<Key, std::unique_ptr<Connection>>::iterator it,
                             const Timestamp& time, const Origin& origin) {
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  for (int side = 0; side < 2; ++side) {
    Direction& d = *c.dir[side];
    const StreamEvents events = events_for(c, side, time, origin);
    d.stream.flush(events);
    frame(c, side, time, origin);
    if (c.bgp && d.buf.size() > d.pos) {
      Record r = directed_record(c, side, RecordKind::error, time, origin);
      r.stream_offset = d.offset;
      r.error =
          fmt::format("the {} -> {} stream ends inside a message ({} bytes at offset {})",
                      side == 0 ? "a" : "b", side == 0 ? "b" : "a", d.buf.size() - d.pos, d.offset);
      ++c.summary.errors[side];
      emit(c, std::move(r));
    }
  }
  c.summary.closed = c.rst || (c.fin[0] && c.fin[1]);
  if (c.bgp) finished_.push_back(c.summary);
  connections_.erase(it);
}

void SessionExtractor::finish(const Timestamp& time, const Origin& origin) {
  while (!connections_.empty()) close(connections_.begin(), time, origin);
}

std::vector<SessionSummary> SessionExtractor::summaries() const {
  std::vector<SessionSummary> out = finished_;
  for (const auto& [key, c] : connections_)
    if (c->bgp) out.push_back(c->summary);
  std::sort(out.begin(), out.end(),
            [](const SessionSummary& a, const SessionSummary& b) { return a.session < b.session; });
  return out;
}

}  // namespace bgpsim::replay
