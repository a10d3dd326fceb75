// What the functional runner (functional.cpp in the simulator,
// functional_live.cpp on real sockets) shares beside the run itself
// (functional_run.hpp): the context the speaker encoded with, and a failed
// group's report with the expected and received messages side by side.
#pragma once

#include <optional>
#include <string>

#include "qa/peer/test_peer.hpp"
#include "qa/runner/ci_file.hpp"
#include "speaker/session/peer.hpp"

namespace bgpsim::qa {

// Keeps the session's negotiated context, to decode what the speaker sent
// the way it was encoded.
struct ContextKeeper : session::PeerObserver {
  std::optional<wire::CodecContext> sent;
  void on_established(const std::string&, const session::Negotiated& n) override { sent = n.send; }
};

// The group being matched, what it still expects (file:line and hex), and
// the received message beside the closest expected one, both decoded.
std::string failure_detail(const PeerOutcome& o, const CiFile& file, const wire::CodecContext& ctx);

}  // namespace bgpsim::qa
