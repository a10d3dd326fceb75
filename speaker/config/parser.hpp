// ExaBGP's configuration language, streamed into the typed model (model.hpp):
//   process NAME { run CMD; encoder json|text; respawn BOOL; }
//   template { neighbor NAME { ...neighbor body... } }
//   neighbor ADDRESS { inherit NAME; router-id; local-address; local-as; peer-as;
//     hold-time; passive; listen; connect; group-updates; auto-flush; manual-eor;
//     adj-rib-in; adj-rib-out; description; host-name; domain-name; md5-password;
//     md5-base64; md5-ip; tcp-ao { keyid; algorithm; password; } outgoing-ttl;
//     incoming-ttl; local-link-local;
//     capability { asn4; route-refresh; graceful-restart; add-path; extended-message;
//       nexthop; software-version; multi-session; operational; aigp; link-local-nexthop }
//     family { AFI SAFI; ... }  add-path { AFI SAFI [limit N]; }  nexthop { AFI SAFI NH-AFI; }
//     api { processes [..]; processes-match [..]; neighbor-changes; negotiated;
//       receive {..} send {..} }
//     static { route PREFIX WORDS; route PREFIX { WORD VALUE; } sr-policy WORDS; }
//     announce { ipv4|ipv6|l2vpn { unicast|multicast|nlri-mpls|mpls-vpn PREFIX WORDS;
//       sr-policy|mup|mcast-vpn|vpls WORDS; } }
//     flow { route NAME { rd; next-hop; match { .. } then { .. } scope { .. } } }
//     l2vpn { vpls [NAME] WORDS; vpls NAME { WORD VALUE; } } }
// docs/config.md lists every word. The text is read in chunks and each
// statement becomes model before the next is read: a million routes are
// never held as tokens. Errors name file:line:col; parsing goes on after an
// error at the next ';' or '}' so every error of a file is reported.
#pragma once

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "speaker/config/model.hpp"

namespace bgpsim::config {

struct ParseError {
  Location where;
  std::string reason;
  std::string to_string() const { return where.to_string() + ": " + reason; }
};

// Everything a file says, and every error in it (the model is partial when
// there are errors).
struct ParseResult {
  Config config;
  std::vector<ParseError> errors;
};

ParseResult parse_stream(std::istream& in, std::string_view file_name);
ParseResult parse_file(const std::filesystem::path& path);

// The first error, or the configuration.
std::variant<Config, ParseError> parse_config(std::string_view text, std::string file_name);
std::variant<Config, ParseError> load_config(const std::filesystem::path& path);

// One route in ExaBGP's words, "PREFIX next-hop 10.0.0.1 origin igp med 10
// community [65000:1]" (what follows `route` in `static` or in the API's
// `announce route`). Errors name `where` with the column of the bad word.
std::variant<StaticRoute, ParseError> parse_route(std::string_view words, Location where);

// Statements of a neighbor block that make routes -- `route PREFIX WORDS;`,
// `announce { ipv4 { unicast PREFIX WORDS; } }`, `flow { route { ... } }`,
// `l2vpn { vpls WORDS; }` -- read as in a configuration file, for the text
// API (speaker/api): the routes land in `neighbor`'s lists (a `split` route
// is all its pieces). Every error, with `where`'s file and the line and
// column within `statements`.
struct NeighborRoutes {
  Neighbor neighbor;
  std::vector<ParseError> errors;
};
NeighborRoutes parse_neighbor_routes(std::string_view statements, Location where);

// The canonical form: parse_stream(print_config(c)) == c.
std::string print_config(const Config& config);

}  // namespace bgpsim::config
