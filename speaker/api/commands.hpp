// The runtime-independent half of ExaBGP's text API: reading a command line
// (neighbor selectors, the command's words, the route statements it stands
// for), the answers (`done`/`error` in the text and JSON encoders) and the
// event lines of the text encoder. dispatcher.hpp executes commands against
// a Reactor; this file does no I/O and holds no state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "speaker/config/model.hpp"
#include "speaker/rib/route.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::api {

// A process's encoder (the configuration's `encoder json|text`).
enum class Encoder : std::uint8_t { text, json };
Encoder encoder_of(const config::Process& p);

// One term of a neighbor selector: `neighbor IP`, `local-ip IP`,
// `local-as N`, `peer-as N`, `router-id ID`, `family-allowed F`.
struct SelectorTerm {
  std::string key;
  std::string value;
  bool operator==(const SelectorTerm&) const = default;
};
using Selector = std::vector<SelectorTerm>;  // every term must match

// A command line read as ExaBGP's extract_neighbors reads it:
// `neighbor IP [KEY VALUE]... [, neighbor IP ...] COMMAND`.
struct SplitCommand {
  std::vector<Selector> selectors;                 // empty: every neighbor bound to the process
  std::vector<std::string> words;                  // the command, split on blanks
  std::string rest_after(std::size_t word) const;  // the words from `word` on, joined
  bool operator==(const SplitCommand&) const = default;
};
// An error when a selector is malformed (a key without a value, an unknown key).
std::variant<SplitCommand, std::string> split_command(std::string_view line);

// What a selector matches against (a configured neighbor).
struct NeighborView {
  std::string address;
  std::string local_address;
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::uint32_t router_id = 0;
  std::vector<wire::Family> families;  // configured; empty: "in-open"
  std::vector<config::ApiBinding> api;
};
NeighborView view_of(const config::Neighbor& n);
// `neighbor *` matches every neighbor; other terms compare their value with
// the neighbor's (addresses and numbers as written canonically).
bool matches(const Selector& selector, const NeighborView& n);
// ExaBGP's `family-allowed` value: "ipv4-unicast/ipv6-unicast" or "in-open".
std::string family_allowed(const NeighborView& n);

// The processes an api binding names: `processes` and the `processes-match`
// regular expressions against the configured process names.
std::vector<std::string> bound_processes(const config::ApiBinding& binding,
                                         const std::vector<config::Process>& processes);

// `create neighbor IP local-address IP local-as N peer-as N [router-id ID]
// [family-allowed AFI-SAFI/...|in-open] [graceful-restart S]
// [group-updates true|false] [api PROCESS]...`, ExaBGP 5's dynamic peer:
// `words` from the address on -> the neighbor, or why the words make none.
// Unset: router-id (the local address), families (IPv4 unicast).
std::variant<config::Neighbor, std::string> created_neighbor(std::span<const std::string> words);

// --- Route commands -> configuration statements --------------------------

// The neighbor-block statement(s) a route command stands for, so the
// configuration parser reads it (config::parse_neighbor_routes):
//   route WORDS                     -> "route WORDS;"
//   attribute(s) ATTRS nlri P1 P2   -> "route P1 ATTRS; route P2 ATTRS;"
//   ipv4|ipv6 SAFI WORDS            -> "announce { ipv4 { SAFI WORDS; } }"
//   l2vpn vpls WORDS / vpls WORDS   -> "l2vpn { vpls WORDS; }"
//   flow route { ... }              -> "flow { route { ... } }"
//   flow route WORDS                -> "flow { route { match {..} scope {..} then {..} } }"
//   ipv4|ipv6 flow|flow-vpn WORDS   -> the same, checked against the family
// `words` start at the kind (after announce/withdraw). An error for a
// malformed command (no nlri, a ';' where none belongs...).
struct Statements {
  std::string text;   // the statements, when error is empty
  std::string error;  // why the command is malformed
};
Statements route_statements(const std::vector<std::string>& words);

// ExaBGP's one-line flow route (its AnnounceFlow: match components, actions,
// interface-set, rd and next-hop in any order, each with the words up to the
// next such word, a [ list ] whole) split into the statements of the flow
// block's parts, "source 10.0.0.0/8;" each. An error names the word that
// is none of them, or a word without its value.
struct FlowWords {
  std::vector<std::string> route;  // rd, route-distinguisher, next-hop
  std::vector<std::string>
      match;  // flow components (wire::flow_component_names, source, destination)
  std::vector<std::string> scope;  // interface-set
  std::vector<std::string> then;   // the other actions (wire::flow_action_names), communities
  bool operator==(const FlowWords&) const = default;
};
std::variant<FlowWords, std::string> split_flow_words(std::span<const std::string> words);
// "flow { route { rd ..; match { ... } scope { ... } then { ... } } }"
std::string flow_block(const FlowWords& f);

// --- Answers ----------------------------------------------------------------

std::string answer_done(Encoder e);
// The answer line to an error; the reason is part of the JSON form only.
std::string answer_error(Encoder e, std::string_view reason);

// --- Events in ExaBGP's text encoder ----------------------------------------

// "neighbor 10.0.0.1 up" / "neighbor 10.0.0.1 down - REASON"
std::string text_up(const std::string& peer);
std::string text_down(const std::string& peer, const std::string& reason);
// A message received (or `sent`) as ExaBGP's text encoder writes it (one or
// more lines); UPDATEs as "neighbor P receive update start", one line per
// announced or withdrawn NLRI, "neighbor P receive update end" ("send" for
// what the speaker sent).
// With `raw` (`consolidate` and `packets`), the message's bytes follow as
// ExaBGP's text encoder writes them: " header 0x.. body 0x.." at the end of
// the line, or for an UPDATE on a line of its own before "end".
std::vector<std::string> text_message(const std::string& peer, const wire::Message& m,
                                      const wire::DecodeContext& ctx, bool sent = false,
                                      wire::ByteView raw = {});
// `packets` alone: "neighbor P receive TYPE header 0x.. body 0x.." (TYPE the
// message type number, as ExaBGP writes it; no body part when it is empty).
std::string text_packets(const std::string& peer, wire::ByteView raw, bool sent = false);
// Attributes as ExaBGP's text encoder writes them (" origin igp as-path [ 1 2 ] ...").
std::string text_attributes(const wire::PathAttributes& a);

}  // namespace bgpsim::api
