// TcpStream: any segmentation, reordering, duplication and retransmission of a
// byte stream reassembles to the same bytes; a hole is one gap, reported once.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>

#include "replay/tcp_reassembly.hpp"

namespace bgpsim::replay {
namespace {

struct Out {
  wire::Bytes bytes;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;
  std::uint64_t expected_offset = 0;
  bool contiguous = true;
  StreamEvents events() {
    StreamEvents e;
    e.data = [this](std::uint64_t offset, wire::ByteView d) {
      if (offset != expected_offset) contiguous = false;
      bytes.insert(bytes.end(), d.begin(), d.end());
      expected_offset = offset + d.size();
    };
    e.gap = [this](std::uint64_t offset, std::uint64_t length) {
      if (offset != expected_offset) contiguous = false;
      gaps.emplace_back(offset, length);
      expected_offset = offset + length;
    };
    return e;
  }
};

struct Piece {
  std::size_t offset, length;
};

// Cuts [begin, end) into segments at random points, then adds retransmissions
// (random sub-ranges, possibly overlapping segment boundaries) and duplicates.
std::vector<Piece> cut(std::size_t begin, std::size_t end) {
  std::vector<Piece> pieces;
  std::size_t at = begin;
  while (at < end) {
    const auto n = *rc::gen::inRange<std::size_t>(1, std::min<std::size_t>(end - at, 700) + 1);
    pieces.push_back({at, n});
    at += n;
  }
  const auto extra = *rc::gen::inRange<std::size_t>(0, pieces.size() + 1);
  for (std::size_t i = 0; i < extra && end > begin; ++i) {
    const auto s = *rc::gen::inRange<std::size_t>(begin, end);
    const auto n = *rc::gen::inRange<std::size_t>(1, end - s + 1);
    pieces.push_back({s, n});
  }
  return pieces;
}

rc::Gen<std::uint32_t> isn_gen() {
  // Half the time close below 2^32, so the stream wraps.
  return rc::gen::oneOf(rc::gen::arbitrary<std::uint32_t>(),
                        rc::gen::inRange<std::uint32_t>(0xffffe000u, 0xffffffffu));
}

void feed(TcpStream& s, std::uint32_t isn, const wire::Bytes& data, const std::vector<Piece>& ps,
          Out& out) {
  const auto events = out.events();
  for (const auto& p : ps)
    s.segment(isn + static_cast<std::uint32_t>(p.offset), false, false,
              wire::ByteView(data).subspan(p.offset, p.length), events);
}

// The stream cut into pieces (see cut), in a random order.
auto shuffled_cut(std::size_t size) {
  auto pieces = cut(0, size);
  std::mt19937 rng(*rc::gen::arbitrary<std::uint32_t>());
  std::shuffle(pieces.begin(), pieces.end(), rng);
  return pieces;
}

RC_GTEST_PROP(TcpStream, AnySegmentationOrderAndDuplicationGivesTheStream, ()) {
  const auto data = *rc::gen::container<wire::Bytes>(*rc::gen::inRange<std::size_t>(1, 6000),
                                                     rc::gen::arbitrary<std::uint8_t>());
  const std::uint32_t isn = *isn_gen();
  const auto pieces = shuffled_cut(data.size());
  TcpStream stream;
  Out out;
  // The SYN comes first (the handshake was captured): the stream starts there.
  stream.segment(isn - 1, true, false, {}, out.events());
  feed(stream, isn, data, pieces, out);
  stream.flush(out.events());
  RC_ASSERT(out.gaps.empty());
  RC_ASSERT(out.bytes == data);
  RC_ASSERT(out.contiguous);
  RC_ASSERT(stream.buffered() == 0u);
}

RC_GTEST_PROP(TcpStream, WithoutHandshakeTheStreamStartsAtTheFirstSegment, ()) {
  const auto data = *rc::gen::container<wire::Bytes>(*rc::gen::inRange<std::size_t>(2, 4000),
                                                     rc::gen::arbitrary<std::uint8_t>());
  const std::uint32_t isn = *isn_gen();
  const auto pieces = shuffled_cut(data.size());
  TcpStream stream;
  Out out;
  feed(stream, isn, data, pieces, out);
  stream.flush(out.events());
  // Bytes before the first captured segment are out of reach; the rest is whole.
  const std::size_t start = pieces.front().offset;
  RC_ASSERT(out.gaps.empty());
  RC_ASSERT(out.bytes ==
            wire::Bytes(data.begin() + static_cast<std::ptrdiff_t>(start), data.end()));
}

RC_GTEST_PROP(TcpStream, AHoleIsReportedExactlyOnceWithItsPosition, (bool acked)) {
  const auto data = *rc::gen::container<wire::Bytes>(*rc::gen::inRange<std::size_t>(3, 5000),
                                                     rc::gen::arbitrary<std::uint8_t>());
  const std::uint32_t isn = *isn_gen();
  const auto g0 = *rc::gen::inRange<std::size_t>(1, data.size() - 1);
  const auto g1 = *rc::gen::inRange<std::size_t>(g0 + 1, data.size());
  auto pieces = cut(0, g0);
  auto after = cut(g1, data.size());
  pieces.insert(pieces.end(), after.begin(), after.end());
  std::mt19937 rng(*rc::gen::arbitrary<std::uint32_t>());
  std::shuffle(pieces.begin(), pieces.end(), rng);
  TcpStream stream;
  Out out;
  stream.segment(isn - 1, true, false, {}, out.events());
  feed(stream, isn, data, pieces, out);
  // The peer's acknowledgement of everything reveals the hole before the end.
  if (acked) stream.acknowledged(isn + static_cast<std::uint32_t>(data.size()), out.events());
  stream.flush(out.events());
  stream.flush(out.events());  // a second flush reports nothing new
  RC_ASSERT(out.gaps.size() == 1u);
  RC_ASSERT(out.gaps[0].first == g0);
  RC_ASSERT(out.gaps[0].second == g1 - g0);
  wire::Bytes expected(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(g0));
  expected.insert(expected.end(), data.begin() + static_cast<std::ptrdiff_t>(g1), data.end());
  RC_ASSERT(out.bytes == expected);
  RC_ASSERT(out.contiguous);
}

TEST(TcpStream, AcknowledgementPastAHoleReportsItAtOnce) {
  wire::Bytes data(300);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  TcpStream stream;
  Out out;
  const std::uint32_t isn = 0xfffffff0u;  // wraps inside the stream
  stream.segment(isn - 1, true, false, {}, out.events());
  stream.segment(isn, false, false, wire::ByteView(data).subspan(0, 100), out.events());
  stream.segment(isn + 200, false, false, wire::ByteView(data).subspan(200, 100), out.events());
  EXPECT_TRUE(out.gaps.empty());
  EXPECT_EQ(stream.buffered(), 100u);
  stream.acknowledged(isn + 250, out.events());
  ASSERT_EQ(out.gaps.size(), 1u);
  EXPECT_EQ(out.gaps[0], (std::pair<std::uint64_t, std::uint64_t>{100, 100}));
  EXPECT_EQ(out.bytes.size(), 200u);
  EXPECT_EQ(stream.buffered(), 0u);
}

TEST(TcpStream, BufferLimitTurnsAHoleIntoAGap) {
  wire::Bytes data(1000, 0xab);
  TcpStream stream(/*max_buffered=*/250);
  Out out;
  stream.segment(99, true, false, {}, out.events());
  for (std::size_t at = 100; at < 1000; at += 100)
    stream.segment(100 + static_cast<std::uint32_t>(at), false, false,
                   wire::ByteView(data).subspan(at, 100), out.events());
  ASSERT_EQ(out.gaps.size(), 1u);
  EXPECT_EQ(out.gaps[0], (std::pair<std::uint64_t, std::uint64_t>{0, 100}));
  EXPECT_EQ(out.bytes.size(), 900u);
}

TEST(TcpStream, FinAfterMissingBytesIsAGap) {
  wire::Bytes data(50, 1);
  TcpStream stream;
  Out out;
  stream.segment(9, true, false, {}, out.events());
  stream.segment(10, false, false, data, out.events());
  stream.segment(80, false, true, {}, out.events());  // FIN at offset 70: 20 bytes never seen
  stream.flush(out.events());
  ASSERT_EQ(out.gaps.size(), 1u);
  EXPECT_EQ(out.gaps[0], (std::pair<std::uint64_t, std::uint64_t>{50, 20}));
}

}  // namespace
}  // namespace bgpsim::replay
