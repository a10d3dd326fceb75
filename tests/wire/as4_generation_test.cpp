// Issue 17: AS4_PATH and AS4_AGGREGATOR generated towards 2-octet-ASN peers
// (RFC 6793 4.2.2), never to 4-octet ones (RFC 6793 6), and the receiving
// side's merge (RFC 6793 4.2.3) giving back the path that was sent.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "speaker/wire/message.hpp"
#include "tests/wire/gen_attributes.hpp"

namespace bgpsim::wire {
namespace {

constexpr std::uint32_t big = 4200000000u;  // FA56EA00
constexpr auto sequence = AsPathSegment::as_sequence;
constexpr auto set = AsPathSegment::as_set;
constexpr auto confed_sequence = AsPathSegment::confed_sequence;
constexpr auto confed_set = AsPathSegment::confed_set;

Bytes hex(std::string_view h) { return *parse_hex(h); }

CodecContext context(bool four_octet_asn) {
  CodecContext ctx;
  ctx.four_octet_asn = four_octet_asn;
  return ctx;
}

std::string encode(const PathAttributes& a, bool four_octet_asn) {
  Bytes out;
  Writer w(out);
  EXPECT_FALSE(encode_attributes(a, context(four_octet_asn), w));
  return to_hex(out);
}

// ORIGIN IGP, `path`, NEXT_HOP 10.0.0.1: what every test starts from.
PathAttributes route(std::initializer_list<AsPathSegment> path) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{path};
  a.next_hop = IpAddress::v4_from_u32(0x0A000001);
  return a;
}
const std::string origin = "40010100";
const std::string next_hop = "4003040A000001";

// ------------------------------------------------------------ byte pairs

TEST(As4Generation, PathWithAFourOctetAsnTowardsAnOldPeer) {
  const PathAttributes a = route({{sequence, {65001, big}}});
  // AS_PATH [65001 AS_TRANS], then AS4_PATH [65001 4200000000] (optional
  // transitive, type 17) in type-code order.
  EXPECT_EQ(encode(a, false), origin +
                                  "40020602"
                                  "02FDE95BA0" +
                                  next_hop +
                                  "C0110A0202"
                                  "0000FDE9FA56EA00");
  // To a NEW peer: the 4-octet AS_PATH alone.
  EXPECT_EQ(encode(a, true), origin +
                                 "40020A0202"
                                 "0000FDE9FA56EA00" +
                                 next_hop);
}

TEST(As4Generation, PathOfTwoOctetAsnsOnlyHasNoAs4Path) {
  // RFC 6793 4.2.2: "the NEW speaker SHOULD NOT send the AS4_PATH attribute".
  const PathAttributes a = route({{sequence, {65001, 65002}}, {set, {1, 2}}});
  EXPECT_EQ(encode(a, false), origin +
                                  "40020C"
                                  "0202FDE9FDEA"
                                  "010200010002" +
                                  next_hop);
}

TEST(As4Generation, ConfederationSegmentsStayOutOfAs4Path) {
  // RFC 6793 6: AS_CONFED_* "MUST NOT be carried in the AS4_PATH attribute".
  const PathAttributes a = route({{confed_sequence, {big}}, {sequence, {65001, big}}});
  EXPECT_EQ(encode(a, false), origin +
                                  "40020A"
                                  "03015BA0"
                                  "0202FDE95BA0" +
                                  next_hop +
                                  "C0110A0202"
                                  "0000FDE9FA56EA00");
  // Only a confederation member does not fit: AS4_PATH would carry nothing of it.
  const PathAttributes only_confed = route({{confed_set, {big}}, {sequence, {65001}}});
  EXPECT_EQ(encode(only_confed, false), origin +
                                            "400208"
                                            "04015BA0"
                                            "0201FDE9" +
                                            next_hop);
}

TEST(As4Generation, AggregatorWithAFourOctetAsn) {
  PathAttributes a = route({{sequence, {65001}}});
  a.aggregator = Aggregator{big, IpAddress::v4_from_u32(0xC0000201)};
  // AGGREGATOR AS_TRANS 192.0.2.1, then AS4_AGGREGATOR 4200000000 192.0.2.1.
  EXPECT_EQ(encode(a, false),
            origin + "4002040201FDE9" + next_hop + "C007065BA0C0000201" + "C01208FA56EA00C0000201");
  EXPECT_EQ(encode(a, true), origin +
                                 "400206020100"
                                 "00FDE9" +
                                 next_hop + "C00708FA56EA00C0000201");
  // RFC 6793 4.2.2: "if the AS number is 2-octets only, then the
  // AS4_AGGREGATOR attribute SHOULD NOT be sent".
  a.aggregator->asn = 65002;
  EXPECT_EQ(encode(a, false), origin + "4002040201FDE9" + next_hop + "C00706FDEAC0000201");
}

TEST(As4Generation, NeverSentToANewPeer) {
  // Attributes holding AS4_PATH and AS4_AGGREGATOR (as an OLD speaker sent
  // them): RFC 6793 6 "MUST NOT send" them to a NEW speaker...
  PathAttributes a = route({{sequence, {65001, as_trans}}});
  a.aggregator = Aggregator{as_trans, IpAddress::v4_from_u32(1)};
  a.as4_path = AsPath{{{sequence, {big}}}};
  a.as4_aggregator = Aggregator{big, IpAddress::v4_from_u32(1)};
  EXPECT_EQ(encode(a, true), origin +
                                 "40020A0202"
                                 "0000FDE900005BA0" +
                                 next_hop +
                                 "C007080000"
                                 "5BA000000001");
  // ...and pass them on to an OLD one as they are.
  EXPECT_EQ(encode(a, false), origin + "4002060202FDE95BA0" + next_hop + "C007065BA000000001" +
                                  "C011060201FA56EA00"
                                  "C01208FA56EA0000000001");
}

TEST(As4Generation, MadeFromTheCurrentPathNotAStaleOne) {
  // An AS4_PATH held from before, while AS_PATH itself has an ASN that does
  // not fit: the one sent is made from AS_PATH.
  PathAttributes a = route({{sequence, {big, 65001}}});
  a.as4_path = AsPath{{{sequence, {7}}}};
  EXPECT_EQ(encode(a, false), origin + "40020602025BA0FDE9" + next_hop +
                                  "C0110A0202"
                                  "FA56EA000000FDE9");
}

TEST(As4Generation, ARawAs4PathIsNotDoubled) {
  // The configuration's generic `attribute [ 0x11 0xc0 ... ]` is sent as given.
  PathAttributes a = route({{sequence, {big}}});
  a.other = {RawAttribute{0xC0, attr::as4_path, hex("020100000007")}};
  EXPECT_EQ(encode(a, false), origin +
                                  "400204"
                                  "02015BA0" +
                                  next_hop + "C01106020100000007");
}

TEST(As4Generation, WholeUpdateTowardsAnOldPeerDecodesToThePathSent) {
  Update u;
  u.attributes = route({{sequence, {65001, big}}});
  Nlri nlri;
  nlri.prefix = *IpPrefix::parse("10.0.0.0/8");
  u.nlri.push_back(nlri);
  const Bytes bytes = encode_message(Message{u}, context(false));
  ASSERT_FALSE(bytes.empty());
  auto m = decode_message(bytes, context(false));
  ASSERT_TRUE(m.ok()) << m.error().reason;
  PathAttributes got = std::get<Update>(*m).attributes;
  EXPECT_EQ(got.as_path, (AsPath{{{sequence, {65001, as_trans}}}}));
  merge_as4_attributes(got);
  EXPECT_EQ(got, u.attributes);
}

// --------------------------------------------------------- merge (4.2.3)

TEST(As4Merge, AnOldSpeakerPrependedItsAsn) {
  // An OLD speaker (AS 100) passed the route on: its AS_PATH is one longer
  // than the AS4_PATH it did not touch.
  PathAttributes a = route({{sequence, {100, 65001, as_trans}}});
  a.as4_path = AsPath{{{sequence, {65001, big}}}};
  merge_as4_attributes(a);
  EXPECT_EQ(a.as_path, (AsPath{{{sequence, {100, 65001, big}}}}));
  EXPECT_FALSE(a.as4_path);

  // An AS_SET counts one (RFC 4271 9.1.2.2), a confederation segment none.
  PathAttributes b = route({{confed_sequence, {9}}, {set, {1, 2}}, {sequence, {as_trans}}});
  b.as4_path = AsPath{{{sequence, {big}}}};
  merge_as4_attributes(b);
  EXPECT_EQ(b.as_path, (AsPath{{{confed_sequence, {9}}, {set, {1, 2}}, {sequence, {big}}}}));
}

TEST(As4Merge, ALongerAs4PathIsIgnored) {
  // "If the number of AS numbers in the AS_PATH attribute is less than the
  // number of AS numbers in the AS4_PATH attribute, then the AS4_PATH
  // attribute SHALL be ignored".
  PathAttributes a = route({{sequence, {as_trans}}});
  a.as4_path = AsPath{{{sequence, {1, big}}}};
  merge_as4_attributes(a);
  EXPECT_EQ(a.as_path, (AsPath{{{sequence, {as_trans}}}}));
  EXPECT_FALSE(a.as4_path);
}

TEST(As4Merge, AggregatorDecides) {
  // AGGREGATOR AS_TRANS: AS4_AGGREGATOR names the aggregator, AS4_PATH counts.
  PathAttributes a = route({{sequence, {as_trans}}});
  a.aggregator = Aggregator{as_trans, IpAddress::v4_from_u32(1)};
  a.as4_aggregator = Aggregator{big, IpAddress::v4_from_u32(1)};
  a.as4_path = AsPath{{{sequence, {big}}}};
  PathAttributes merged = a;
  merge_as4_attributes(merged);
  EXPECT_EQ(merged.aggregator, (Aggregator{big, IpAddress::v4_from_u32(1)}));
  EXPECT_EQ(merged.as_path, (AsPath{{{sequence, {big}}}}));
  EXPECT_FALSE(merged.as4_aggregator);

  // "If the AGGREGATOR attribute contains an AS number other than AS_TRANS,
  // then: the AS4_AGGREGATOR attribute and the AS4_PATH attribute SHALL be
  // ignored".
  a.aggregator->asn = 65002;
  merge_as4_attributes(a);
  EXPECT_EQ(a.aggregator, (Aggregator{65002, IpAddress::v4_from_u32(1)}));
  EXPECT_EQ(a.as_path, (AsPath{{{sequence, {as_trans}}}}));
  EXPECT_FALSE(a.as4_path);
  EXPECT_FALSE(a.as4_aggregator);
}

// ------------------------------------------------------------ properties

// ASNs of both sizes, never AS 0 (RFC 7607) nor AS_TRANS (reserved, RFC 6793 9).
rc::Gen<std::uint32_t> any_asn() {
  return rc::gen::weightedOneOf<std::uint32_t>(
      {{1, rc::gen::inRange<std::uint32_t>(1, as_trans)},
       {1, rc::gen::inRange<std::uint32_t>(as_trans + 1, 0x10000)},
       {2, rc::gen::inRange<std::uint32_t>(0x10000, 0xFFFFFFFF)}});
}

rc::Gen<AsPathSegment> segment(std::uint8_t min_type, std::uint8_t max_type) {
  return rc::gen::build<AsPathSegment>(
      rc::gen::set(&AsPathSegment::type, rc::gen::inRange<std::uint8_t>(min_type, max_type + 1)),
      rc::gen::set(&AsPathSegment::asns, gen::non_empty_vector(any_asn(), 12)));
}

// Confederation segments first, as RFC 5065 puts them, then AS_SEQUENCE and
// AS_SET segments.
rc::Gen<AsPath> path_with_leading_confederation() {
  return rc::gen::exec([] {
    AsPath p;
    p.segments = *rc::gen::container<std::vector<AsPathSegment>>(
        *rc::gen::inRange<std::size_t>(0, 3), segment(3, 4));
    for (auto& s : *rc::gen::container<std::vector<AsPathSegment>>(
             *rc::gen::inRange<std::size_t>(0, 5), segment(1, 2)))
      p.segments.push_back(std::move(s));
    return p;
  });
}

AsPath with_as_trans(AsPath p, bool confederation_only) {
  for (auto& s : p.segments) {
    const bool confederation =
        s.type == AsPathSegment::confed_sequence || s.type == AsPathSegment::confed_set;
    if (confederation || !confederation_only)
      for (auto& asn : s.asns)
        if (asn > 0xFFFF) asn = as_trans;
  }
  return p;
}

AsPath without_confederation(AsPath p) {
  std::erase_if(p.segments, [](const AsPathSegment& s) {
    return s.type == AsPathSegment::confed_sequence || s.type == AsPathSegment::confed_set;
  });
  return p;
}

// Encoded for an OLD peer, decoded as that peer would, merged as RFC 6793
// 4.2.3 says.
PathAttributes through_old_peer(const PathAttributes& a) {
  Bytes b;
  Writer w(b);
  RC_ASSERT(!encode_attributes(a, context(false), w));
  auto d = decode_attributes(Reader(b), context(false), true);
  RC_ASSERT(d.ok());
  RC_ASSERT(d->errors.empty());
  // What went out: 2-octet ASNs only, AS4_PATH exactly when one did not fit.
  const bool expect_as4 =
      without_confederation(*a.as_path) != with_as_trans(without_confederation(*a.as_path), false);
  RC_ASSERT(d->attributes.as4_path.has_value() == expect_as4);
  RC_ASSERT(d->attributes.as_path == with_as_trans(*a.as_path, false));
  PathAttributes merged = d->attributes;
  merge_as4_attributes(merged);
  return merged;
}

RC_GTEST_PROP(As4Property, MergeGivesBackThePathSentToAnOldPeer, ()) {
  const PathAttributes a = route({});
  PathAttributes sent = a;
  sent.as_path = *path_with_leading_confederation();
  const PathAttributes got = through_old_peer(sent);
  // Everything but the confederation members that do not fit, which no
  // attribute can carry to an OLD speaker.
  PathAttributes expected = sent;
  expected.as_path = with_as_trans(*sent.as_path, true);
  RC_ASSERT(got == expected);
}

RC_GTEST_PROP(As4Property, SequencesAndSetsSurviveConfederationSegmentsAnywhere, ()) {
  PathAttributes sent = route({});
  sent.as_path->segments = *rc::gen::container<std::vector<AsPathSegment>>(
      *rc::gen::inRange<std::size_t>(0, 6), segment(1, 4));
  const PathAttributes got = through_old_peer(sent);
  RC_ASSERT(without_confederation(*got.as_path) == without_confederation(*sent.as_path));
}

RC_GTEST_PROP(As4Property, AggregatorSurvivesAndDecidesThePath, ()) {
  PathAttributes sent = route({});
  sent.as_path = *path_with_leading_confederation();
  sent.aggregator = Aggregator{*any_asn(), *gen::ipv4_address()};
  const PathAttributes got = through_old_peer(sent);
  RC_ASSERT(got.aggregator == sent.aggregator);
  // An aggregator of 2 octets says an OLD speaker aggregated: RFC 6793 4.2.3
  // then ignores AS4_PATH, and the path is AS_PATH as sent.
  const bool old_aggregator = sent.aggregator->asn <= 0xFFFF;
  RC_ASSERT(got.as_path == with_as_trans(*sent.as_path, !old_aggregator));
}

RC_GTEST_PROP(As4Property, NothingOfAs4ReachesANewPeer, ()) {
  PathAttributes sent = route({});
  sent.as_path = *path_with_leading_confederation();
  sent.aggregator = Aggregator{*any_asn(), *gen::ipv4_address()};
  sent.as4_path = *gen::as_path(true, 1, 2);
  sent.as4_aggregator = *gen::aggregator(true);
  Bytes b;
  Writer w(b);
  RC_ASSERT(!encode_attributes(sent, context(true), w));
  auto d = decode_attributes(Reader(b), context(true), true);
  RC_ASSERT(d.ok());
  RC_ASSERT(d->errors.empty());  // a received AS4_* would be recorded as discarded
  PathAttributes expected = sent;
  expected.as4_path.reset();
  expected.as4_aggregator.reset();
  RC_ASSERT(d->attributes == expected);
}

}  // namespace
}  // namespace bgpsim::wire
