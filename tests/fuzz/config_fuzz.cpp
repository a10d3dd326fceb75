// libFuzzer target for the configuration parser (ExaBGP's format): any text
// is parsed as a configuration file. Properties, besides no crash/leak/UB:
//  - every error names the file and a line within the text;
//  - a configuration that parses prints in the canonical form, which parses
//    without error to the same model and prints the same again
//    (parse -> print -> parse equal, print stable).
// Seeds: tests/fuzz/make_corpus.py (qa/etc, tests/config/data and
// ../shared/exabgp-qa/etc).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "speaker/config/parser.hpp"

using namespace bgpsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::istringstream in(text);
  auto parsed = config::parse_stream(in, "fuzz.conf");
  for (const auto& e : parsed.errors) {
    if (e.where.file() != "fuzz.conf") std::abort();
    if (e.where.line() < 1 || e.where.line() > lines) std::abort();
    if (e.reason.empty()) std::abort();
  }
  if (!parsed.errors.empty()) return 0;
  const std::string printed = config::print_config(parsed.config);
  std::istringstream again_in(printed);
  auto again = config::parse_stream(again_in, "printed.conf");
  if (!again.errors.empty()) std::abort();
  if (!(again.config == parsed.config)) std::abort();
  if (config::print_config(again.config) != printed) std::abort();
  return 0;
}
