// Every capture in ../shared/corpus/pcap: read without a crash (the suite
// runs under ASan/UBSan in build/asan), and the BGP messages of each type
// counted as tshark counts them (`tshark -r F -Y bgp -T fields -e bgp.type`,
// with `-d tcp.port==P,bgp` for the non-179 ports our sessions use, since
// tshark finds BGP by port and we by content).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "speaker/wire/message.hpp"
#include "tests/replay/capture_util.hpp"
#include "tests/require.hpp"

namespace bgpsim::replay::test {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus() {
  std::vector<fs::path> files;
  const fs::path dir = bgpsim::test::shared_dir() / "corpus" / "pcap";
  if (!fs::is_directory(dir)) return files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PcapCorpus, MessageCountsPerTypeEqualTsharks) {
  const auto files = corpus();
  if (files.empty())
    return bgpsim::test::skip_or_fail((bgpsim::test::shared_dir() / "corpus" / "pcap").string() +
                                      " is absent or empty");
  if (!tshark_available()) return bgpsim::test::skip_or_fail("tshark is not installed");
  std::size_t messages = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    const auto r = read_back(f.string());
    ASSERT_TRUE(r.result.opened) << r.result.error;
    for (const auto& rec : r.records)
      if (rec.kind == RecordKind::error) ADD_FAILURE() << rec.error;
    const auto expected = tshark_counts(f.string(), session_ports(r.result));
    EXPECT_EQ(r.counts, expected);
    for (const auto& [type, n] : r.counts) messages += n;
  }
  EXPECT_GT(messages, 0u);
}

// The context a message comes with (negotiated or inferred) is never worse
// than another: when it fails to decode, every inference candidate fails too
// (the codec rejects the message itself, e.g. bgp-addpath.pcap's MP_REACH_NLRI
// with the wrong flags).
TEST(PcapCorpus, NoOtherContextDecodesWhatOursDoesNot) {
  const auto files = corpus();
  if (files.empty())
    return bgpsim::test::skip_or_fail((bgpsim::test::shared_dir() / "corpus" / "pcap").string() +
                                      " is absent or empty");
  std::size_t decoded = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    const auto r = read_back(f.string());
    for (const auto& rec : r.records) {
      if (rec.kind != RecordKind::message) continue;
      ASSERT_TRUE(rec.context.has_value());
      ASSERT_NE(rec.session, 0u);
      if (wire::decode_message(rec.bytes, *rec.context).ok()) {
        ++decoded;
        continue;
      }
      for (int i = 0; i < inference_candidates; ++i)
        EXPECT_FALSE(wire::decode_message(rec.bytes, inference_candidate(i)).ok())
            << "packet " << rec.origin.record << " decodes under candidate " << i;
    }
  }
  EXPECT_GT(decoded, 0u);
}

}  // namespace
}  // namespace bgpsim::replay::test
