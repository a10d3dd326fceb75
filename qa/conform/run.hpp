// `bgpsim conform`: the cases (cases.hpp) run by the scripted peer
// (driver.hpp) against bgpsim's speaker in a simulated world, one fresh
// world per case in virtual time, or against a live speaker over TCP.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "qa/conform/cases.hpp"
#include "qa/conform/driver.hpp"
#include "speaker/config/model.hpp"

namespace bgpsim::conform {

struct RunOptions {
  std::vector<std::string> filters;  // substrings of the id or the RFC; empty: every case
  bool quick = false;                // skip the cases that wait minutes (live)
  // Live: where the target listens, and our address (the one it peers with).
  std::optional<runtime::Endpoint> target;
  std::optional<boost::asio::ip::address> local;
  // Live: the NEXT_HOP of the routes we send (default: `local`). Some
  // speakers refuse 127.0.0.0/8 next hops as martians (FRR: NOTIFICATION 3/8).
  std::optional<boost::asio::ip::address_v4> next_hop;
  std::uint32_t suite_as = 65001;   // our AS (the target's peer-as)
  std::uint32_t target_as = 65000;  // its AS
  std::uint32_t suite_id = 0x0A000002;
  std::chrono::seconds connect_for{30};  // live: how long to retry a target not ready
  std::chrono::milliseconds pause{0};    // live: between cases
  std::uint64_t seed = 1;
};

struct Report {
  struct Entry {
    const Case* c = nullptr;
    CaseResult result;
    double wall_s = 0;
  };
  std::vector<Entry> entries;
  double wall_s = 0;
  std::string target;  // "bgpsim (simulator)" or HOST:PORT
  int count(CaseResult::Status s) const;
};

std::vector<const Case*> select(const RunOptions& options);
// `progress` is called after every case (nullptr: silent).
Report run_sim(const RunOptions& options,
               const std::function<void(const Report::Entry&)>& progress);
Report run_live(const RunOptions& options,
                const std::function<void(const Report::Entry&)>& progress);

// One case against bgpsim's speaker configured with `target` (sim_target()
// by default) in a fresh simulated world.
CaseResult run_case_sim(const Case& c, const RunOptions& options, const config::Config& target);
config::Config sim_target();

// One line per case, then the table per RFC and the summary line.
void print_report(const Report& report, bool verbose, std::ostream& out);
std::string json_report(const Report& report);
// The configuration of the simulated target (bgpsim's speaker).
std::string sim_target_config();

}  // namespace bgpsim::conform
