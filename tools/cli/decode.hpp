#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "speaker/wire/json.hpp"

namespace bgpsim::cli {

struct DecodeOptions {
  std::vector<std::string> hex;
  wire::DecodeContext context;
  wire::JsonEnvelope envelope;
};

// Returns the exit code: 0 when every message decoded, 1 otherwise.
int run_decode(const DecodeOptions& options, std::istream& in, std::ostream& out);
void add_decode_command(CLI::App& app, DecodeOptions& options, int& exit_code);

}  // namespace bgpsim::cli
