// A session simulated by sim/ (two bgpsim speakers, scenarios/two_speakers,
// with a reset and a partition), written to pcap by sim::PcapWriter and read
// back, gives the messages the simulation delivered: per connection and
// direction, the same BGP messages in the same order.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "scenarios/two_speakers.hpp"
#include "speaker/wire/message.hpp"
#include "tests/replay/capture_util.hpp"

namespace bgpsim::replay::test {
namespace {

namespace fs = std::filesystem;

using Stream = std::vector<Bytes>;  // whole messages in order

// Cuts a byte stream into messages by the header's length field.
Stream cut_messages(const Bytes& bytes) {
  Stream out;
  std::size_t at = 0;
  while (bytes.size() - at >= 19) {
    const std::size_t length = (std::size_t{bytes[at + 16]} << 8) | bytes[at + 17];
    if (length < 19 || bytes.size() - at < length) break;
    out.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                     bytes.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
  }
  return out;
}

TEST(SimCapture, ReadBackGivesTheMessagesTheSimulationDelivered) {
  const fs::path path = fs::temp_directory_path() / "bgpsim-replay-two-speakers.pcap";
  scenarios::TwoSpeakersOptions o;
  o.seed = 7;
  o.routes = 300;
  o.pcap_path = path.string();
  const auto run = scenarios::run_two_speakers(o);
  ASSERT_TRUE(run.ok());

  // The trace: bytes delivered, per (connection, receiving node).
  std::map<std::pair<std::uint64_t, std::uint32_t>, Bytes> delivered;
  for (const auto& e : run.run.events)
    if (e.kind == sim::TraceKind::deliver)
      delivered[{e.aux, e.node}].insert(delivered[{e.aux, e.node}].end(), e.bytes.begin(),
                                        e.bytes.end());
  std::vector<Stream> expected;
  for (const auto& [key, bytes] : delivered) {
    auto s = cut_messages(bytes);
    if (!s.empty()) expected.push_back(std::move(s));
  }

  // The capture: messages per (session, direction).
  const auto r = read_back(path.string());
  ASSERT_TRUE(r.result.opened) << r.result.error;
  std::map<std::pair<std::uint32_t, int>, Stream> captured;
  for (const auto& rec : r.records) {
    EXPECT_NE(rec.kind, RecordKind::error) << rec.error;
    EXPECT_NE(rec.kind, RecordKind::gap) << rec.error;
    if (rec.kind == RecordKind::message) {
      captured[{rec.session, rec.side}].push_back(rec.bytes);
      // UPDATEs follow both OPENs: their context comes from the OPENs (the
      // speakers negotiate 4-byte ASNs). An OPEN sent before the peer's
      // arrived is decoded under an inferred context, which it does not need.
      if (rec.bytes[18] == 2) {
        EXPECT_FALSE(rec.context_inferred);
      }
      ASSERT_TRUE(rec.context.has_value());
      EXPECT_TRUE(rec.context->four_octet_asn);
      EXPECT_TRUE(wire::decode_message(rec.bytes, *rec.context).ok());
    }
  }
  std::vector<Stream> got;
  for (auto& [key, s] : captured) got.push_back(std::move(s));
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  EXPECT_GE(r.result.sessions.size(), 2u);  // the reset makes a second session
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
}

}  // namespace
}  // namespace bgpsim::replay::test
