// ExaBGP's configuration language (the subset the speaker uses today):
//   neighbor ADDRESS { router-id; local-address; local-as; peer-as; hold-time;
//     passive; listen; connect; group-updates; description; host-name;
//     domain-name; md5-password; outgoing-ttl; incoming-ttl;
//     capability { asn4; route-refresh; graceful-restart; add-path;
//       extended-message; nexthop; software-version; multi-session; operational }
//     family { AFI SAFI; ... }   add-path { AFI SAFI; ... }
//     static { route PREFIX ATTRIBUTES...; route PREFIX { ATTRIBUTE VALUE; ... } } }
// Unknown keywords are errors naming file:line:col, never silently ignored.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

#include "speaker/config/model.hpp"

namespace bgpsim::config {

struct ParseError {
  Location where;
  std::string reason;
  std::string to_string() const { return where.to_string() + ": " + reason; }
};

std::variant<Config, ParseError> parse_config(std::string_view text, std::string file_name);
std::variant<Config, ParseError> load_config(const std::filesystem::path& path);

// One route in ExaBGP's words, "PREFIX next-hop 10.0.0.1 origin igp med 10
// community [65000:1]" (what follows `route` in `static` or in the API's
// `announce route`). Errors name `where` with the column of the bad word.
std::variant<StaticRoute, ParseError> parse_route(std::string_view words, Location where);

}  // namespace bgpsim::config
