// The MRT reader (replay/mrt) and the bgpdump -m format: hand-built records
// of every type, damaged and truncated input, compressed input, and every
// file of ../shared/corpus/mrt against the installed bgpdump.
#include <bzlib.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "replay/bgpdump_format.hpp"
#include "replay/mrt/mrt_reader.hpp"
#include "speaker/wire/message.hpp"
#include "tests/require.hpp"

namespace fs = std::filesystem;
using namespace bgpsim;
using namespace bgpsim::replay;
using Bytes = std::vector<std::uint8_t>;

namespace {

// --- Building MRT bytes ---------------------------------------------------------
void u8(Bytes& b, std::size_t v) { b.push_back(static_cast<std::uint8_t>(v)); }
void u16(Bytes& b, std::size_t v) {
  u8(b, v >> 8);
  u8(b, v);
}
void u32(Bytes& b, std::uint32_t v) {
  u16(b, v >> 16);
  u16(b, v & 0xffff);
}
void ip4(Bytes& b, unsigned a, unsigned b2, unsigned c, unsigned d) {
  u8(b, a);
  u8(b, b2);
  u8(b, c);
  u8(b, d);
}
void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

Bytes mrt(std::uint32_t time, unsigned type, unsigned subtype, const Bytes& body) {
  Bytes b;
  u32(b, time);
  u16(b, type);
  u16(b, subtype);
  u32(b, static_cast<std::uint32_t>(body.size()));
  append(b, body);
  return b;
}

// Path attributes: ORIGIN IGP, AS_PATH (one AS_SEQUENCE), NEXT_HOP, MED,
// COMMUNITIES.
Bytes attrs(const std::vector<std::uint32_t>& path, unsigned asn_len, bool with_next_hop = true) {
  Bytes a;
  u8(a, 0x40), u8(a, 1), u8(a, 1), u8(a, 0);
  u8(a, 0x40), u8(a, 2), u8(a, 2 + path.size() * asn_len), u8(a, 2), u8(a, path.size());
  for (auto as : path) asn_len == 2 ? u16(a, as) : u32(a, as);
  if (with_next_hop) u8(a, 0x40), u8(a, 3), u8(a, 4), ip4(a, 192, 0, 2, 1);
  u8(a, 0x80), u8(a, 4), u8(a, 4), u32(a, 7);
  u8(a, 0xc0), u8(a, 8), u8(a, 8), u32(a, (65000u << 16) | 100), u32(a, 0xFFFFFF01);
  return a;
}

Bytes update(const Bytes& withdrawn, const Bytes& attributes, const Bytes& nlri) {
  Bytes body;
  u16(body, withdrawn.size());
  append(body, withdrawn);
  u16(body, attributes.size());
  append(body, attributes);
  append(body, nlri);
  Bytes m(16, 0xff);
  u16(m, 19 + body.size());
  u8(m, 2);
  append(m, body);
  return m;
}

Bytes bgp4mp_header(bool as4, bool v6 = false) {
  Bytes b;
  as4 ? u32(b, 65001) : u16(b, 65001);
  as4 ? u32(b, 65000) : u16(b, 65000);
  u16(b, 0);
  u16(b, v6 ? 2 : 1);
  if (v6) {
    Bytes peer = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    Bytes local = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    append(b, peer);
    append(b, local);
  } else {
    ip4(b, 10, 0, 0, 1);
    ip4(b, 10, 0, 0, 2);
  }
  return b;
}

std::vector<Record> read_all(const Bytes& data) {
  std::vector<Record> out;
  read_mrt_bytes(data, "fixture", [&](const Record& r) { out.push_back(r); });
  return out;
}
std::string bgpdump_lines(const std::vector<Record>& records) {
  std::string out;
  for (const auto& r : records) format_bgpdump(r, out);
  return out;
}

// --- Unit tests -----------------------------------------------------------------
TEST(MrtReader, TableDumpV1Ipv4) {
  Bytes body;
  u16(body, 0), u16(body, 5);                 // view, sequence
  ip4(body, 10, 1, 0, 0), u8(body, 16);       // prefix
  u8(body, 1), u32(body, 1000);               // status, originated
  ip4(body, 192, 0, 2, 9), u16(body, 64500);  // peer
  const Bytes a = attrs({64500, 3356}, 2);
  u16(body, a.size());
  append(body, a);
  const auto recs = read_all(mrt(2000, 12, 1, body));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].kind, RecordKind::rib_entry);
  EXPECT_EQ(recs[0].prefix.to_string(), "10.1.0.0/16");
  EXPECT_EQ(recs[0].from.asn, 64500u);
  EXPECT_EQ(recs[0].originated.sec, 1000);
  EXPECT_EQ(bgpdump_lines(recs),
            "TABLE_DUMP|2000|B|192.0.2.9|64500|10.1.0.0/16|64500 3356|IGP|192.0.2.1|0|7|"
            "65000:100 no-export|NAG||\n");
}

Bytes peer_index_table() {
  Bytes b;
  ip4(b, 1, 2, 3, 4), u16(b, 4);
  b.insert(b.end(), {'v', 'i', 'e', 'w'});
  u16(b, 2);
  u8(b, 0x02), ip4(b, 9, 9, 9, 9), ip4(b, 192, 0, 2, 7), u32(b, 4200000000u);  // IPv4, AS4
  u8(b, 0x01), ip4(b, 9, 9, 9, 8);                                             // IPv6, AS2
  append(b, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7});
  u16(b, 65002);
  return mrt(3000, 13, 1, b);
}

TEST(MrtReader, TableDumpV2WithAddPath) {
  Bytes data = peer_index_table();
  Bytes rib;
  u32(rib, 1), u8(rib, 24), u8(rib, 198), u8(rib, 51), u8(rib, 100);
  u16(rib, 2);
  for (unsigned peer : {0u, 1u}) {
    u16(rib, peer), u32(rib, 2500), u32(rib, 40 + peer);
    const Bytes a = attrs({4200000000u, 65002}, 4);
    u16(rib, a.size());
    append(rib, a);
  }
  append(data, mrt(3000, 13, 8, rib));
  const auto recs = read_all(data);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].from.address.to_string(), "2001:db8::7");
  EXPECT_EQ(recs[1].path_id, 41u);
  EXPECT_EQ(bgpdump_lines(recs),
            "TABLE_DUMP2_AP|3000|B|192.0.2.7|4200000000|198.51.100.0/24|40|4200000000 65002|IGP|"
            "192.0.2.1|0|7|65000:100 no-export|NAG||\n"
            "TABLE_DUMP2_AP|3000|B|2001:db8::7|65002|198.51.100.0/24|41|4200000000 65002|IGP|"
            "192.0.2.1|0|7|65000:100 no-export|NAG||\n");
  // RIB attributes are 4-byte AS: the codec decodes them with the record's context.
  auto ctx = mrt_decode_context(recs[0]);
  EXPECT_TRUE(ctx.four_octet_asn);
  EXPECT_TRUE(ctx.add_path.contains(wire::ipv4_unicast));
}

TEST(MrtReader, RibEntryWithUnknownPeerIsReportedAndSkipped) {
  Bytes data = peer_index_table();
  Bytes rib;
  u32(rib, 1), u8(rib, 8), u8(rib, 10);
  u16(rib, 2);
  for (unsigned peer : {7u, 0u}) {  // 7 is not in the table
    u16(rib, peer), u32(rib, 2500);
    const Bytes a = attrs({65002}, 4);
    u16(rib, a.size());
    append(rib, a);
  }
  append(data, mrt(3000, 13, 2, rib));
  const auto recs = read_all(data);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].kind, RecordKind::error);
  EXPECT_NE(recs[0].error.find("peer index 7"), std::string::npos) << recs[0].error;
  EXPECT_NE(recs[0].error.find("record 2 (byte "), std::string::npos) << recs[0].error;
  EXPECT_EQ(recs[1].kind, RecordKind::rib_entry);
  EXPECT_EQ(recs[1].prefix.to_string(), "10.0.0.0/8");
}

TEST(MrtReader, RibGeneric) {
  Bytes data = peer_index_table();
  Bytes rib;
  u32(rib, 9), u16(rib, 2), u8(rib, 1), u8(rib, 32);
  append(rib, {0x20, 0x01, 0x0d, 0xb8});
  u16(rib, 1), u16(rib, 1), u32(rib, 77);
  const Bytes a = attrs({65002}, 4, false);
  u16(rib, a.size());
  append(rib, a);
  append(data, mrt(3000, 13, 6, rib));
  const auto recs = read_all(data);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].family, wire::ipv6_unicast);
  EXPECT_EQ(recs[0].prefix.to_string(), "2001:db8::/32");
  EXPECT_EQ(bgpdump_lines(recs), "");  // bgpdump does not print RIB_GENERIC
}

TEST(MrtReader, Bgp4mpMessagesAndStateChanges) {
  Bytes data;
  Bytes sc = bgp4mp_header(false);
  u16(sc, 3), u16(sc, 6);
  append(data, mrt(100, 16, 0, sc));
  // MESSAGE: 2-byte AS_PATH; one withdrawal and one announcement.
  Bytes m = bgp4mp_header(false);
  append(m, update({16, 10, 9}, attrs({65001, 174}, 2), {24, 203, 0, 113}));
  append(data, mrt(101, 16, 1, m));
  // MESSAGE_AS4_LOCAL in an extended-time header: the peer is the receiver.
  Bytes l;
  u32(l, 250000);
  append(l, bgp4mp_header(true));
  append(l, update({}, attrs({65000, 4200000000u}, 4), {8, 44}));
  append(data, mrt(102, 17, 7, l));
  // A KEEPALIVE: a message Record, no bgpdump line.
  Bytes k = bgp4mp_header(true);
  Bytes ka(16, 0xff);
  u16(ka, 19), u8(ka, 4);
  append(k, ka);
  append(data, mrt(103, 16, 4, k));

  const auto recs = read_all(data);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].kind, RecordKind::state_change);
  EXPECT_EQ(recs[0].new_state, 6);
  EXPECT_EQ(recs[1].kind, RecordKind::message);
  EXPECT_EQ(recs[1].from.address.to_string(), "10.0.0.1");
  EXPECT_EQ(recs[2].from.address.to_string(), "10.0.0.2");  // _LOCAL: we sent it
  EXPECT_EQ(recs[2].time.usec, 250000u);
  EXPECT_EQ(recs[0].session, recs[1].session);
  // The messages decode with the codec in the context the subtype implies.
  for (int i : {1, 2, 3}) {
    auto msg = wire::decode_message(recs[i].bytes, mrt_decode_context(recs[i]));
    EXPECT_TRUE(msg.ok()) << i;
  }
  auto upd = wire::decode_update(recs[2].bytes, mrt_decode_context(recs[2]));
  ASSERT_TRUE(upd.ok());
  EXPECT_EQ(upd->attributes.as_path->segments.at(0).asns.at(1), 4200000000u);
  EXPECT_EQ(bgpdump_lines(recs),
            "BGP4MP|100|STATE|10.0.0.1|65001|3|6\n"
            "BGP4MP|101|W|10.0.0.1|65001|10.9.0.0/16\n"
            "BGP4MP|101|A|10.0.0.1|65001|203.0.113.0/24|65001 174|IGP|192.0.2.1|0|7|"
            "65000:100 no-export|NAG||\n"
            "BGP4MP_ET_LOCAL|102.250000|A|10.0.0.1|65001|44.0.0.0/8|65000 4200000000|IGP|"
            "192.0.2.1|0|7|65000:100 no-export|NAG||\n");
}

TEST(MrtReader, Bgp4mpAddPathAndIpv6) {
  // MESSAGE_AS4_ADDPATH over IPv6 with an MP_REACH for IPv6 and path ids.
  Bytes mp;
  u16(mp, 2), u8(mp, 1), u8(mp, 16);
  append(mp, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  u8(mp, 0);
  u32(mp, 5), u8(mp, 48), append(mp, {0x20, 0x01, 0x0d, 0xb8, 0, 1});
  Bytes a;
  u8(a, 0x40), u8(a, 1), u8(a, 1), u8(a, 2);
  u8(a, 0x40), u8(a, 2), u8(a, 6), u8(a, 1), u8(a, 1), u32(a, 65001);  // AS_SET
  u8(a, 0x80), u8(a, 14), u8(a, mp.size());
  append(a, mp);
  Bytes m = bgp4mp_header(true, true);
  append(m, update({}, a, {}));
  const auto recs = read_all(mrt(200, 16, 9, m));
  ASSERT_EQ(recs.size(), 1u);
  auto upd = wire::decode_update(recs[0].bytes, mrt_decode_context(recs[0]));
  ASSERT_TRUE(upd.ok());
  ASSERT_TRUE(upd->attributes.mp_reach.has_value());
  EXPECT_EQ(upd->attributes.mp_reach->nlri.at(0).path_id, 5u);
  EXPECT_EQ(bgpdump_lines(recs),
            "BGP4MP_AP|200|A|2001:db8::1|65001|2001:db8:1::/48|5|{65001}|INCOMPLETE|"
            "2001:db8::1|0|0||NAG||\n");
}

TEST(MrtReader, ObsoleteBgpType) {
  Bytes b;
  u16(b, 5409), ip4(b, 195, 0, 0, 1), u16(b, 12654), ip4(b, 193, 0, 0, 56);
  const Bytes m = update({}, attrs({5409, 1}, 2), {16, 10, 2});
  b.insert(b.end(), m.begin() + 19, m.end());
  const auto recs = read_all(mrt(900, 5, 1, b));
  ASSERT_EQ(recs.size(), 1u);
  ASSERT_TRUE(wire::decode_message(recs[0].bytes, mrt_decode_context(recs[0])).ok());
  // bgpdump's old BGP lines have no '|' between MED and the communities.
  EXPECT_EQ(
      bgpdump_lines(recs),
      "BGP|900|A|195.0.0.1|5409|10.2.0.0/16|5409 1|IGP|192.0.2.1|0|765000:100 no-export|NAG||\n");
}

TEST(MrtReader, DamagedRecordIsSkippedAndTruncatedFileReported) {
  Bytes data;
  Bytes bad = bgp4mp_header(false);
  append(bad, Bytes(19, 0x00));  // no marker
  append(data, mrt(1, 16, 1, bad));
  Bytes sc = bgp4mp_header(false);
  u16(sc, 1), u16(sc, 2);
  append(data, mrt(2, 16, 0, sc));
  const std::size_t second_end = data.size();
  append(data, mrt(3, 16, 0, sc));
  data.erase(data.end() - 3, data.end());  // the third record is cut short
  const auto recs = read_all(data);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].kind, RecordKind::error);
  EXPECT_NE(recs[0].error.find("fixture: record 1 (byte 0)"), std::string::npos) << recs[0].error;
  EXPECT_EQ(recs[1].kind, RecordKind::state_change);
  EXPECT_EQ(recs[2].kind, RecordKind::error);
  EXPECT_EQ(recs[2].origin.record, 3u);
  EXPECT_EQ(recs[2].origin.offset, second_end);
  EXPECT_NE(recs[2].error.find("truncated"), std::string::npos) << recs[2].error;
}

// --- Compressed files -------------------------------------------------------------
Bytes sample_file() {
  Bytes data;
  for (std::uint32_t t = 0; t < 50; ++t) {
    Bytes sc = bgp4mp_header(false);
    u16(sc, 1 + t % 6), u16(sc, 2);
    append(data, mrt(t, 16, 0, sc));
  }
  return data;
}

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("bgpsim_mrt_test_" + std::to_string(::getpid()) + name);
}

std::string lines_of_file(const fs::path& p) {
  std::string out;
  read_mrt(p.string(), [&](const Record& r) {
    if (r.kind == RecordKind::error) out += "ERROR " + r.error + "\n";
    format_bgpdump(r, out);
  });
  return out;
}

TEST(MrtReader, GzipAndBzip2ReadLikePlain) {
  const Bytes data = sample_file();
  const std::string expected = bgpdump_lines(read_all(data));
  ASSERT_EQ(std::count(expected.begin(), expected.end(), '\n'), 50);

  const auto gz = temp_path(".gz");
  {
    gzFile g = gzopen(gz.c_str(), "wb");
    ASSERT_NE(g, nullptr);
    // Two members, as concatenated .gz files are.
    gzwrite(g, data.data(), static_cast<unsigned>(data.size() / 2));
    gzclose(g);
    g = gzopen(gz.c_str(), "ab");
    gzwrite(g, data.data() + data.size() / 2, static_cast<unsigned>(data.size() - data.size() / 2));
    gzclose(g);
  }
  EXPECT_EQ(lines_of_file(gz), expected);

  const auto bz = temp_path(".bz2");
  {
    std::FILE* f = std::fopen(bz.c_str(), "wb");
    int err = 0;
    BZFILE* b = BZ2_bzWriteOpen(&err, f, 9, 0, 0);
    BZ2_bzWrite(&err, b, const_cast<std::uint8_t*>(data.data()), static_cast<int>(data.size()));
    BZ2_bzWriteClose(&err, b, 0, nullptr, nullptr);
    std::fclose(f);
  }
  EXPECT_EQ(lines_of_file(bz), expected);

  const auto plain = temp_path(".mrt");
  std::ofstream(plain, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  EXPECT_EQ(lines_of_file(plain), expected);

  // A gzip file cut in the middle: the records before, then one error.
  const auto cut = temp_path("_cut.gz");
  {
    std::ifstream in(gz, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(cut, std::ios::binary)
        .write(all.data(), static_cast<std::streamsize>(all.size() / 3));
  }
  const std::string partial = lines_of_file(cut);
  EXPECT_NE(partial.find("ERROR"), std::string::npos) << partial;
  EXPECT_EQ(partial.find("ERROR"), partial.rfind("ERROR"));
  for (const auto& p : {gz, bz, plain, cut}) fs::remove(p);
}

// --- The corpus against bgpdump ----------------------------------------------------
std::string run(const std::string& command) {
  std::string out;
  std::FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 1 << 16> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

// Where bgpdump 1.6.2 prints what is not in the file, because of a bug of its
// own, we print what is in the file. Each such bug is a rule that explains a
// differing line; the test asserts which files need which rule, so a new
// difference, or a rule that stops applying, fails.
enum Rule { none = 0, peer_for_prefix = 1, overflowed_length = 2 };

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> f;
  std::size_t at = 0;
  for (;;) {
    const auto bar = line.find('|', at);
    f.push_back(line.substr(at, bar - at));
    if (bar == std::string::npos) return f;
    at = bar + 1;
  }
}

// The rules (a bit set) that turn our line into bgpdump's; 0 when none does.
int explain(const std::string& ours, const std::string& theirs) {
  const auto a = split(ours), b = split(theirs);
  if (a.size() != b.size() || a.size() < 6 || (a[2] != "A" && a[2] != "W")) return none;
  const auto sa = a[5].find('/'), sb = b[5].find('/');
  if (sa == std::string::npos || sb == std::string::npos) return none;
  int used = none;
  std::string address = a[5].substr(0, sa), length = a[5].substr(sa + 1);
  // 1. Old BGP-type withdrawals: bgpdump passes inet_ntoa() twice to one
  //    printf, and its static buffer makes the prefix print as the peer address.
  if (a[0] == "BGP" && a[2] == "W" && address != b[5].substr(0, sb) && b[5].substr(0, sb) == a[3]) {
    address = a[3];
    used |= peer_for_prefix;
  }
  // 2. A prefix length beyond any address (garbage, or an add-path session
  //    dumped as plain BGP4MP_MESSAGE): bgpdump copies up to 32 bytes into its
  //    16-byte address and overwrites the length with the 17th byte.
  if (length != b[5].substr(sb + 1) && std::stoi(length) > 128) {
    length = b[5].substr(sb + 1);
    used |= overflowed_length;
  }
  auto expect = a;
  expect[5] = address + "/" + length;
  return expect == b ? used : none;
}

const std::map<std::string, int>& expected_rules() {
  static const std::map<std::string, int> rules = {
      {"bgpkit__tests_fixtures_ripe_rrc00_1999.09_updates.19990903.1041.gz", peer_for_prefix},
      {"bgpkit__tests_fixtures_ripe_rrc00_1999.12_updates.19991214.1621.gz", peer_for_prefix},
      {"bgpkit__tests_fixtures_ripe_rrc00_2000.01_updates.20000102.2014.gz", peer_for_prefix},
      {"bgpkit__tests_fixtures_ripe_rrc00_2000.03_updates.20000325.0345.gz",
       peer_for_prefix | overflowed_length},
      {"mrtparse__bird6_bgp", overflowed_length},
  };
  return rules;
}

TEST(MrtCorpus, EveryFileMatchesBgpdump) {
  const fs::path dir = test::shared_dir() / "corpus" / "mrt";
  if (!fs::exists(dir)) return test::skip_or_fail(dir.string() + " is absent");
  if (run("command -v bgpdump").empty()) return test::skip_or_fail("bgpdump is not installed");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  std::size_t total_lines = 0;
  for (const auto& f : files) {
    std::string ours;
    read_mrt(f.string(), [&](const Record& r) { format_bgpdump(r, ours); });
    const std::string theirs = run("bgpdump -m -v '" + f.string() + "' 2>/dev/null");
    std::istringstream a(ours), b(theirs);
    std::string la, lb;
    int line = 0, used = 0;
    for (;;) {
      ++line;
      const bool ga = static_cast<bool>(std::getline(a, la));
      const bool gb = static_cast<bool>(std::getline(b, lb));
      if (!ga && !gb) break;
      if (ga && gb && la == lb) continue;
      const int rule = ga && gb ? explain(la, lb) : none;
      if (rule == none) {
        ADD_FAILURE() << f.filename() << " line " << line << "\n ours:    " << (ga ? la : "<end>")
                      << "\n bgpdump: " << (gb ? lb : "<end>");
        break;
      }
      used |= rule;
    }
    total_lines += static_cast<std::size_t>(line - 1);
    const auto want = expected_rules().find(f.filename().string());
    EXPECT_EQ(used, want == expected_rules().end() ? 0 : want->second)
        << f.filename() << ": the bgpdump bugs it shows are not the ones listed";
  }
  EXPECT_GT(total_lines, 1000u);
}

}  // namespace
