// The one place the speaker is compiled for the simulator's runtime
// (speaker_on_sim.hpp says why).
#include "sim/speaker_on_sim.hpp"

template class bgpsim::session::Peer<bgpsim::sim::SimRuntime>;
template class bgpsim::reactor::Reactor<bgpsim::sim::SimRuntime>;
template class bgpsim::api::ApiHost<bgpsim::sim::SimRuntime>;
template class bgpsim::api::Dispatcher<bgpsim::sim::SimRuntime>;
