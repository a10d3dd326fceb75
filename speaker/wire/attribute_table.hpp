// The path attribute table, private to attributes.cpp and attributes_json.cpp:
// one row per modelled attribute code with its flags, decoder, encoder and
// JSON renderer, so adding an attribute means adding one row.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/json.hpp"

namespace bgpsim::wire::attr_table {

// A malformed attribute value: which NOTIFICATION subcode it implies and why.
// The row decides the RFC 7606 action.
struct Malformed {
  std::uint8_t subcode = update_error::attribute_length_error;
  std::string reason;
};

// Decoders read the whole value and store it only when it is well formed.
using DecodeFn = std::optional<Malformed> (*)(Reader& value, const DecodeContext& ctx,
                                              PathAttributes& out);
using PresentFn = bool (*)(const PathAttributes& a);
using EncodeFn = void (*)(const PathAttributes& a, const EncodeContext& ctx, Writer& w);
using RenderFn = void (*)(const PathAttributes& a, const DecodeContext& ctx, Json& out);

struct Row {
  std::uint8_t code;
  std::string_view name;
  std::uint8_t flags;  // the Optional and Transitive bits the RFC fixes
  ErrorAction on_malformed;
  ErrorAction on_bad_flags;
  DecodeFn decode;
  PresentFn present;
  EncodeFn encode;
  RenderFn render;  // nullptr: rendered elsewhere (NEXT_HOP, MP_REACH, MP_UNREACH)
};

// Rows in ascending code order.
std::span<const Row> rows();
const Row* find(std::uint8_t code);

// Renderers, defined in attributes_json.cpp.
void render_origin(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_as_path(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_med(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_local_pref(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_atomic_aggregate(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_aggregator(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_communities(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_originator_id(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_cluster_list(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_extended_communities(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_as4_path(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_as4_aggregator(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_aigp(const PathAttributes& a, const DecodeContext& ctx, Json& out);
void render_large_communities(const PathAttributes& a, const DecodeContext& ctx, Json& out);

}  // namespace bgpsim::wire::attr_table
