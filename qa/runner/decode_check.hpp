// Checking raw -> JSON pairs: decode the raw message with the session's
// context and compare the JSON with the expected line, ignoring what ExaBGP
// says varies (time, host, pid, ppid, counter, the version value). The
// neighbor envelope (addresses, ASNs, router-id) is taken from the expected
// line, as the test's configuration would give it.
#pragma once

#include <set>
#include <string>

#include "qa/runner/ci_file.hpp"
#include "speaker/wire/context.hpp"

namespace bgpsim::qa {

struct PairOutcome {
  enum Kind { pass, fail, other_family } kind = fail;
  std::string detail;  // why it failed, or the families it needs
  std::set<std::string> families;
};

PairOutcome check_raw_json_pair(const RawJsonPair& pair, const wire::DecodeContext& ctx);

// The families whose NLRI this build decodes, by ExaBGP name.
std::set<std::string> decodable_families();

// The context an ExaBGP test session negotiates: its test peer echoes the
// speaker's OPEN, so what the configuration asks for is agreed. A scan of the
// capability options until speaker/config parses configurations whole.
wire::DecodeContext context_from_exabgp_config(const std::filesystem::path& config);

}  // namespace bgpsim::qa
