// Nodes sharing a loopback address (ExaBGP's tests put the speaker and its
// peer both on 127.0.0.1 or ::1): who may share, where a connect lands, the
// 4-tuples, and that a run stays deterministic.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/sim_runtime.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace bgpsim::sim;

namespace {

constexpr auto tuple_tok = asio::as_tuple(asio::use_awaitable_t<Executor>{});
constexpr auto aw_tok = asio::use_awaitable_t<Executor>{};

const Address v4_loopback = Address::from_string("127.0.0.1");
const Address v6_loopback = Address::from_string("::1");

// Accepts connections and answers each with the node's name.
asio::awaitable<void, Executor> name_server(Acceptor& acceptor, std::string name, int count,
                                            std::vector<Endpoint>* peers = nullptr) {
  for (int i = 0; i < count; ++i) {
    Socket s = co_await acceptor.async_accept(aw_tok);
    if (peers) peers->push_back(s.remote_endpoint());
    co_await asio::async_write(s, asio::buffer(name), aw_tok);
    s.shutdown_send();
    std::array<char, 16> sink{};
    co_await s.async_read_some(asio::buffer(sink), tuple_tok);  // until the client's FIN
  }
}

// Connects to `to` and reads what the server says.
asio::awaitable<void, Executor> ask(Endpoint to, std::string& answer, Endpoint* local = nullptr,
                                    boost::system::error_code* error = nullptr) {
  auto [ec, s] = co_await async_connect(co_await asio::this_coro::executor, to, tuple_tok);
  if (error) *error = ec;
  if (ec) co_return;
  if (local) *local = s.local_endpoint();
  std::array<char, 32> buf{};
  auto [rec, n] = co_await asio::async_read(s, asio::buffer(buf), tuple_tok);
  answer.assign(buf.data(), n);
  s.shutdown_send();
}

}  // namespace

TEST(SharedAddress, OnlyLoopbackAddressesMayBeShared) {
  World world(1);
  Network& net = Network::install(world);
  net.add_node("a", {v4_loopback, v6_loopback, Address::from_string("10.0.0.1")});
  EXPECT_NO_THROW(net.add_node("b", {v4_loopback, v6_loopback}));
  EXPECT_NO_THROW(net.add_node("c", {Address::from_string("127.0.0.2")}));
  EXPECT_THROW(net.add_node("d", {Address::from_string("10.0.0.1")}), std::invalid_argument);
  EXPECT_THROW(
      net.add_node("e", {Address::from_string("10.0.0.5"), Address::from_string("10.0.0.5")}),
      std::invalid_argument);
  EXPECT_EQ(net.node_count(), 3u);
}

TEST(SharedAddress, ConnectReachesTheOtherNodeListening) {
  for (const Address& address : {v4_loopback, v6_loopback}) {
    World world(3);
    Network& net = Network::install(world);
    const NodeId speaker = net.add_node("speaker", {v4_loopback, v6_loopback});
    const NodeId peer = net.add_node("peer", {v4_loopback, v6_loopback});
    const Endpoint ep(address, 179);
    // Both listen on the same (address, port): allowed, one listener per node.
    Acceptor speaker_listener = net.listen(speaker, ep);
    Acceptor peer_listener = net.listen(peer, ep);
    std::vector<Endpoint> seen_by_peer;
    std::string answer;
    Endpoint local;
    net.spawn(peer, name_server(peer_listener, "peer", 1, &seen_by_peer));
    net.spawn(speaker, ask(ep, answer, &local));
    world.run_for(1s);
    EXPECT_EQ(answer, "peer") << address;
    // The connection comes from the shared address itself, unchanged.
    EXPECT_EQ(local.address(), address);
    ASSERT_EQ(seen_by_peer.size(), 1u);
    EXPECT_EQ(seen_by_peer[0], local);
    EXPECT_TRUE(net.failures().empty());
  }
}

TEST(SharedAddress, ConnectReachesOwnListenerWhenNoOtherListens) {
  World world(4);
  Network& net = Network::install(world);
  const NodeId a = net.add_node("a", {v4_loopback});
  net.add_node("b", {v4_loopback});
  const Endpoint ep(v4_loopback, 1790);
  Acceptor own = net.listen(a, ep);
  std::string answer;
  net.spawn(a, name_server(own, "a", 1));
  net.spawn(a, ask(ep, answer));
  world.run_for(1s);
  EXPECT_EQ(answer, "a");
}

TEST(SharedAddress, NoListenerAnywhereIsRefused) {
  World world(5);
  Network& net = Network::install(world);
  const NodeId a = net.add_node("a", {v4_loopback});
  net.add_node("b", {v4_loopback});
  boost::system::error_code ec;
  std::string answer;
  net.spawn(a, ask(Endpoint(v4_loopback, 179), answer, nullptr, &ec));
  world.run_for(1s);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST(SharedAddress, ListenerOpenedBetweenSynRetriesIsFound) {
  World world(6);
  Network& net = Network::install(world);
  const NodeId a = net.add_node("a", {v4_loopback});
  const NodeId b = net.add_node("b", {v4_loopback});
  const Endpoint ep(v4_loopback, 179);
  // b is down while a's first SYN goes out (lost, not refused); when b comes
  // up with its listener, the retransmitted SYN must reach it.
  auto crash = net.crash(b);
  std::string answer;
  net.spawn(a, ask(ep, answer));
  world.run_for(500ms);
  crash.release();
  Acceptor listener = net.listen(b, ep);
  net.spawn(b, name_server(listener, "b", 1));
  world.run_for(5s);
  EXPECT_EQ(answer, "b");
}

TEST(SharedAddress, EveryConnectionHasItsOwnFourTuple) {
  World world(7);
  Network& net = Network::install(world);
  const NodeId a = net.add_node("a", {v4_loopback});
  const NodeId b = net.add_node("b", {v4_loopback});
  const NodeId c = net.add_node("c", {v4_loopback});
  const Endpoint ep(v4_loopback, 179);
  Acceptor listener = net.listen(c, ep);
  std::vector<Endpoint> clients;
  net.spawn(c, name_server(listener, "c", 4, &clients));
  std::string answers[4];
  net.spawn(a, ask(ep, answers[0]));
  net.spawn(b, ask(ep, answers[1]));
  net.spawn(a, ask(ep, answers[2]));
  net.spawn(b, ask(ep, answers[3]));
  world.run_for(2s);
  ASSERT_EQ(clients.size(), 4u);
  std::set<Endpoint> distinct(clients.begin(), clients.end());
  EXPECT_EQ(distinct.size(), 4u);  // same address, four different ports
  for (const auto& e : clients) EXPECT_EQ(e.address(), v4_loopback);
  for (const auto& answer : answers) EXPECT_EQ(answer, "c");
}

TEST(SharedAddress, RunsAreDeterministic) {
  auto run = [](std::uint64_t seed) {
    World world(seed);
    Network& net = Network::install(world);
    const NodeId a = net.add_node("a", {v4_loopback, v6_loopback});
    const NodeId b = net.add_node("b", {v4_loopback, v6_loopback});
    Acceptor l4 = net.listen(b, Endpoint(v4_loopback, 179));
    Acceptor l6 = net.listen(b, Endpoint(v6_loopback, 179));
    std::string x, y;
    net.spawn(b, name_server(l4, std::string(3000, 'v'), 1));
    net.spawn(b, name_server(l6, std::string(3000, 'w'), 1));
    net.spawn(a, ask(Endpoint(v4_loopback, 179), x));
    net.spawn(a, ask(Endpoint(v6_loopback, 179), y));
    world.run_for(2s);
    return world.trace().hash();
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));  // segment sizes follow the seed
}
