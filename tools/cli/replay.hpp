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

// `bgpsim replay run` (replay/drivers/run.hpp).
struct ReplayRunOptions {
  std::string file;
  std::uint32_t session = 1;
  std::string side = "a";  // the side the speaker replaces: a | b
  bool json = false;
  std::uint64_t seed = 1;
  std::uint64_t latency_us = 100;  // one-way link latency in the simulator
  std::uint64_t settle_s = 5;      // virtual time run after the last recorded message
  std::string pcap_path;           // write the simulated session here
};

// `bgpsim replay send` (replay/drivers/send.hpp).
struct ReplaySendOptions {
  std::string file;
  std::uint32_t session = 1;
  std::string side = "a";    // pcap: the side whose UPDATEs are sent
  std::string to;            // HOST:PORT
  std::string pace = "max";  // recorded | max
  std::uint32_t local_as = 0, peer_as = 0;
  std::optional<std::string> router_id, local_address, next_hop, mrt_peer;
  std::uint16_t hold_time_s = 90;
  std::uint64_t timeout_s = 60;  // give up when not Established / not drained by then
  std::uint64_t linger_s = 0;    // keep the session up after sending
  bool keep = false;             // keep it up until SIGINT/SIGTERM
};

struct ReplayOptions {
  ReplayDecodeOptions decode;
  ReplayRunOptions run;
  ReplaySendOptions send;
};

// `bgpsim replay decode FILE...`: one JSON line per record, then the summary.
// Returns 0, or 1 when a file could not be read as a capture.
int run_replay_decode(const ReplayDecodeOptions& options, std::ostream& out, std::ostream& err);
// `bgpsim replay run`: 0 no divergence, 1 divergence, 2 the run could not be made.
int run_replay_run(const ReplayRunOptions& options, std::ostream& out, std::ostream& err);
// `bgpsim replay send`: 0 every route sent and the session closed cleanly, 1 otherwise.
int run_replay_send(const ReplaySendOptions& options, std::ostream& out, std::ostream& err);
void add_replay_command(CLI::App& app, ReplayOptions& options, int& exit_code);

}  // namespace bgpsim::cli
