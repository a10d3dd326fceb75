// The speaker on real sockets: Peer, Reactor, ApiHost and Dispatcher compiled
// for AsioRuntime once, in on_asio.cpp (library bgpsim_api), not in every file
// that runs a live speaker (sim/speaker_on_sim.hpp says why this pays).
#pragma once

#include "speaker/api/api_host.hpp"
#include "speaker/api/dispatcher.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/runtime/asio_runtime.hpp"
#include "speaker/session/peer.hpp"

extern template class bgpsim::session::Peer<bgpsim::runtime::AsioRuntime>;
extern template class bgpsim::reactor::Reactor<bgpsim::runtime::AsioRuntime>;
extern template class bgpsim::api::ApiHost<bgpsim::runtime::AsioRuntime>;
extern template class bgpsim::api::Dispatcher<bgpsim::runtime::AsioRuntime>;
