// The family table itself: one row per family, found by family_row, named as
// ExaBGP names the family, and every row passing the shared properties.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/wire/family_check.hpp"

namespace bgpsim::wire {
namespace {

TEST(FamilyTable, OneRowPerFamilyInOrder) {
  const auto rows = family_rows();
  ASSERT_FALSE(rows.empty());
  std::vector<Family> families;
  for (const FamilyRow* row : rows) {
    EXPECT_EQ(family_row(row->family), row) << row->name;
    EXPECT_EQ(row->name, row->family.to_string());
    EXPECT_EQ(Family::parse(row->name), row->family) << row->name;
    families.push_back(row->family);
  }
  EXPECT_TRUE(std::is_sorted(families.begin(), families.end()));
  EXPECT_EQ(std::adjacent_find(families.begin(), families.end()), families.end());
  EXPECT_EQ(supported_families(), families);
  // Only IPv4 unicast uses the UPDATE's own fields (RFC 4271 4.3).
  for (const FamilyRow* row : rows) EXPECT_EQ(row->base_fields, row->family == ipv4_unicast);
}

TEST(FamilyTable, FamiliesWithoutARowTravelOpaque) {
  const Family opaque(1, 241);  // SAFI 241: private use (RFC 4760)
  EXPECT_EQ(family_row(opaque), nullptr);
  EXPECT_FALSE(family_supported(opaque));
  auto decoded = decode_nlri(opaque, Reader(test::hex("0501180A0000")), DecodeContext{}, 10);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
  EXPECT_TRUE(next_hop_length_allowed(opaque, 0, DecodeContext{}));
}

RC_GTEST_PROP(FamilyTable, EveryRowRoundTrips, ()) {
  const auto rows = family_rows();
  test::check_round_trip(**rc::gen::elementOf(rows));
}

RC_GTEST_PROP(FamilyTable, EveryRowSurvivesArbitraryBytes, ()) {
  const auto rows = family_rows();
  test::check_arbitrary_bytes(**rc::gen::elementOf(rows));
}

}  // namespace
}  // namespace bgpsim::wire
