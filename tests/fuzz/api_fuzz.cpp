// libFuzzer target for the text API's command reader (speaker/api): each
// input line is split into selectors and words (split_command) and a route
// command is turned into configuration statements (route_statements) and
// parsed as the dispatcher does (config::parse_neighbor_routes), its routes
// then rendered by the text encoder. Properties, besides no crash/leak/UB:
//  - a refused command says why (a non-empty reason);
//  - an error in the statements names the `command` place.
// Seeds: tests/fuzz/make_corpus.py (qa/etc/*.script, ../shared/exabgp-qa/api).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "speaker/api/commands.hpp"
#include "speaker/config/parser.hpp"

using namespace bgpsim;

namespace {

void check_line(std::string_view line) {
  auto split = api::split_command(line);
  if (const auto* why = std::get_if<std::string>(&split)) {
    if (why->empty()) std::abort();
    return;
  }
  const auto& cmd = std::get<api::SplitCommand>(split);
  for (const auto& selector : cmd.selectors)
    for (const auto& term : selector)
      if (term.key.empty()) std::abort();
  if (cmd.words.size() < 2 || (cmd.words[0] != "announce" && cmd.words[0] != "withdraw")) return;
  (void)cmd.rest_after(1);
  const std::vector<std::string> words(cmd.words.begin() + 1, cmd.words.end());
  const auto statements = api::route_statements(words);
  if (!statements.error.empty()) return;
  auto parsed = config::parse_neighbor_routes(statements.text, config::Location("command", 1, 1));
  for (const auto& e : parsed.errors) {
    if (e.where.file() != "command" || e.reason.empty()) std::abort();
  }
  for (const auto& r : parsed.neighbor.routes)
    if (r.attributes) (void)api::text_attributes(*r.attributes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 32 && !text.empty(); ++i) {
    const auto end = text.find('\n');
    check_line(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}
