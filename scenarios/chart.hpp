// A message sequence chart of a scenario run as SVG (`bgpsim sim SCENARIO
// --svg out.svg`): speakers as columns, time downwards, one arrow per BGP
// message from its sending to its receiving, labelled with the decoded
// summary (the whole summary as the arrow's tooltip), session changes as
// notes, link faults shaded between the columns they cut, crashed speakers'
// columns shaded until their restart, resets as a red bar.
//
// Built from the speaker-level trace events (run the engine with
// keep_events); no simulator state is needed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "sim/trace.hpp"

namespace bgpsim::scenarios {

struct Chart {
  std::string svg;
  std::size_t messages = 0;  // arrows drawn: one per message sent
  std::size_t lost = 0;      // of which never received (reset or crash in flight)
  std::size_t rows = 0;
};

// The vertical axis is ordinal: one row per drawn event, in trace order,
// with the virtual time written beside each row where it changed; a linear
// axis would squeeze a handshake's messages into one pixel next to minutes
// of keepalives.
Chart render_chart(const Scenario& scenario, const std::vector<sim::TraceEvent>& events);

}  // namespace bgpsim::scenarios
