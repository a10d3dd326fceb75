// SimRuntime: the Runtime (speaker/runtime/runtime.hpp) seen from one node of
// a simulated world. Cheap to copy: {network, node}.
#pragma once

#include <string>

#include "sim/net.hpp"
#include "sim/process.hpp"
#include "sim/timer.hpp"
#include "speaker/runtime/runtime.hpp"

namespace bgpsim::sim {

class SimRuntime {
 public:
  using executor_type = Executor;
  using timer_type = Timer;
  using socket_type = Socket;
  using acceptor_type = Acceptor;
  using process_type = Process;

  SimRuntime(Network& net, NodeId node) : net_(&net), node_(node) {}

  Network& network() const { return *net_; }
  World& world() const { return net_->world(); }
  NodeId node() const { return node_; }

  executor_type get_executor() const { return net_->world().executor_for(node_); }
  std::chrono::nanoseconds now() const { return net_->world().now(); }
  std::uint64_t random() { return net_->node_rng(node_).next(); }
  std::uint64_t derive_seed(std::string_view name) const {
    return net_->world().derive_seed(net_->node_name(node_) + "/" + std::string(name));
  }
  std::string host_name() const { return net_->node_name(node_); }

  Timer make_timer() const { return Timer(get_executor()); }
  Acceptor listen(const Endpoint& ep) const { return net_->listen(node_, ep); }
  // A helper process of this node; Python helpers run in virtual time (sim/process.hpp).
  Process spawn(const runtime::ProcessSpec& spec) const {
    return ProcessTable::of(net_->world()).spawn(node_, spec);
  }

  template <class Token>
  auto async_connect(const Endpoint& remote, Token&& token) const {
    return sim::async_connect(get_executor(), remote, std::forward<Token>(token));
  }
  // A node connects from its own address; see runtime::SocketOptions.
  template <class Token>
  auto async_connect(const Endpoint& remote, const runtime::SocketOptions&, Token&& token) const {
    return sim::async_connect(get_executor(), remote, std::forward<Token>(token));
  }

 private:
  Network* net_;
  NodeId node_;
};

static_assert(runtime::Runtime<SimRuntime>);

}  // namespace bgpsim::sim
