#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace bgpsim::cli {

struct ReplayDecodeOptions {
  std::vector<std::string> files;
  std::string format = "json";           // json | bgpdump
  std::optional<std::uint32_t> session;  // only this session's records
  bool summary = true;                   // per-session summary lines at the end
  bool gaps_and_errors = true;           // gap and error lines
};

struct ReplayOptions {
  ReplayDecodeOptions decode;
};

// `bgpsim replay decode FILE...`: one JSON line per record, then the summary.
// Returns 0, or 1 when a file could not be read as a capture.
int run_replay_decode(const ReplayDecodeOptions& options, std::ostream& out, std::ostream& err);
void add_replay_command(CLI::App& app, ReplayOptions& options, int& exit_code);

}  // namespace bgpsim::cli
