// The one place the speaker is compiled for real sockets (on_asio.hpp).
#include "speaker/reactor/on_asio.hpp"

template class bgpsim::session::Peer<bgpsim::runtime::AsioRuntime>;
template class bgpsim::reactor::Reactor<bgpsim::runtime::AsioRuntime>;
template class bgpsim::api::ApiHost<bgpsim::runtime::AsioRuntime>;
template class bgpsim::api::Dispatcher<bgpsim::runtime::AsioRuntime>;
