#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "speaker/wire/json.hpp"

namespace bgpsim::cli {

struct DecodeOptions {
  // What each input is: whole messages (or an UPDATE body without its
  // header), a bare NLRI field of `family`, or a bare path-attribute field.
  enum class Input { message, nlri, attributes } input = Input::message;
  std::vector<std::string> hex;
  // --family: the family of a bare NLRI (the first one given; default ipv4
  // unicast); every one given is taken as negotiated.
  std::vector<wire::Family> families;
  bool path_information = false;  // -i: the --family families carry ADD-PATH ids
  wire::DecodeContext context;
  wire::JsonEnvelope envelope;
};

// Returns the exit code: 0 when every message decoded, 1 otherwise.
int run_decode(const DecodeOptions& options, std::istream& in, std::ostream& out);
void add_decode_command(CLI::App& app, DecodeOptions& options, int& exit_code);

}  // namespace bgpsim::cli
