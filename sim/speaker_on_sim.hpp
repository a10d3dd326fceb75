// The speaker on the simulator's runtime. Peer, Reactor, ApiHost and
// Dispatcher are templates over the Runtime; for SimRuntime they are compiled
// once, in speaker_on_sim.cpp (library bgpsim_speaker_sim), and the
// declarations below stop every other file from compiling them again. Include
// this header wherever a speaker runs in the simulator: before it, each such
// file generated the whole speaker, and those files took 40% of the sanitized
// build's CPU time (docs/testing.md, "Build time").
//
// Members defined inside the class are inline, so a file may still
// instantiate one to inline it; GCC then emits no code for those it does not
// inline, which is where the time went.
#pragma once

#include "sim/sim_runtime.hpp"
#include "speaker/api/api_host.hpp"
#include "speaker/api/dispatcher.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/session/peer.hpp"

extern template class bgpsim::session::Peer<bgpsim::sim::SimRuntime>;
extern template class bgpsim::reactor::Reactor<bgpsim::sim::SimRuntime>;
extern template class bgpsim::api::ApiHost<bgpsim::sim::SimRuntime>;
extern template class bgpsim::api::Dispatcher<bgpsim::sim::SimRuntime>;
