// Checks every family row must pass, shared by the tests/wire/family_*_test.cpp
// files: NLRI pairs both ways, the round trip, and arbitrary bytes.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <nlohmann/json.hpp>

#include "speaker/wire/family_row.hpp"
#include "tests/wire/gen_nlri.hpp"

namespace bgpsim::wire::test {

inline Bytes hex(std::string_view text) { return *parse_hex(text); }

// The NLRI field `bytes` of `row`, decoded (a test failure when it does not).
inline std::vector<Nlri> decode_field(const FamilyRow& row, const Bytes& bytes,
                                      bool add_path = false) {
  std::vector<Nlri> out;
  Reader r(bytes);
  auto error = row.decode(r, add_path, 10, out);
  EXPECT_FALSE(error) << row.name << ": " << (error ? error->reason : "");
  return out;
}

inline Bytes encode_field(const FamilyRow& row, const std::vector<Nlri>& nlri,
                          bool add_path = false) {
  Bytes out;
  Writer w(out);
  for (const auto& n : nlri) {
    EXPECT_EQ(row.invalid(n), std::nullopt);
    row.encode(n, add_path, w);
  }
  return out;
}

// A (bytes, value) pair, both ways.
inline void expect_pair(const FamilyRow& row, std::string_view bytes, const Nlri& value,
                        bool add_path = false) {
  EXPECT_EQ(decode_field(row, hex(bytes), add_path), std::vector<Nlri>{value}) << bytes;
  EXPECT_EQ(encode_field(row, {value}, add_path), hex(bytes)) << bytes;
  EXPECT_EQ(row.size(value, add_path), hex(bytes).size());
}

// The decode error of `bytes`: offset and reason.
inline DecodeError decode_error(const FamilyRow& row, std::string_view bytes,
                                bool add_path = false) {
  std::vector<Nlri> out;
  const Bytes b = hex(bytes);
  Reader r(b);
  auto error = row.decode(r, add_path, 10, out);
  EXPECT_TRUE(error) << row.name << " accepted " << bytes;
  return error.value_or(DecodeError{});
}

// The NLRI of a row held as bytes (FamilyRow::raw), built from `bytes`.
inline Nlri from_hex(const FamilyRow& row, std::string_view bytes) {
  auto n = nlri_from_bytes(row.family, hex(bytes));
  EXPECT_TRUE(n.ok()) << row.name << " " << bytes << ": " << (n.ok() ? "" : n.error().reason);
  return n.ok() ? n.value() : Nlri{};
}

// The row's JSON of `bytes` is `expected` (as ExaBGP writes it, in any key
// order), and the bytes encode back.
inline void expect_json(const FamilyRow& row, std::string_view bytes, std::string_view expected) {
  const Nlri n = from_hex(row, bytes);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  row.to_json(n, out);
  EXPECT_EQ(nlohmann::json::parse(out.dump()), nlohmann::json::parse(expected)) << bytes;
  expect_pair(row, bytes, n);
}

// decode(encode(x)) == x, and the size the builder counts is what is written.
inline void check_round_trip(const FamilyRow& row) {
  const bool add_path = *rc::gen::arbitrary<bool>();
  const auto nlri = *rc::gen::container<std::vector<Nlri>>(*rc::gen::inRange<std::size_t>(0, 20),
                                                           gen::nlri(row, add_path));
  Bytes bytes;
  Writer w(bytes);
  std::size_t size = 0;
  for (const auto& n : nlri) {
    RC_ASSERT(row.invalid(n) == std::nullopt);
    row.encode(n, add_path, w);
    size += row.size(n, add_path);
  }
  RC_ASSERT(size == bytes.size());
  std::vector<Nlri> back;
  Reader r(bytes);
  RC_ASSERT(!row.decode(r, add_path, 10, back));
  RC_ASSERT(back == nlri);
}

// Any bytes: an error inside the input, or NLRI whose encoding decodes to the
// same NLRI (decoding canonicalises the bits past a prefix length).
inline void check_arbitrary_bytes(const FamilyRow& row) {
  const bool add_path = *rc::gen::arbitrary<bool>();
  const auto bytes = *rc::gen::container<Bytes>(*rc::gen::inRange<std::size_t>(0, 64),
                                                rc::gen::arbitrary<std::uint8_t>());
  std::vector<Nlri> nlri;
  Reader r(bytes);
  if (auto error = row.decode(r, add_path, 10, nlri)) {
    RC_ASSERT(error->offset < bytes.size());
    RC_ASSERT(!error->reason.empty());
    return;
  }
  Bytes again;
  Writer w(again);
  for (const auto& n : nlri) row.encode(n, add_path, w);
  RC_ASSERT(again.size() == bytes.size());
  std::vector<Nlri> back;
  Reader r2(again);
  RC_ASSERT(!row.decode(r2, add_path, 10, back));
  RC_ASSERT(back == nlri);
}

}  // namespace bgpsim::wire::test
