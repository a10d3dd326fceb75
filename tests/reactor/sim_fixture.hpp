// What the simulator tests of the speaker share: an observer that records a
// session's life, and the neighbor two speakers on one link are given.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sim/sim_runtime.hpp"
#include "sim/world.hpp"
#include "speaker/config/model.hpp"
#include "speaker/session/peer.hpp"

namespace bgpsim::simtest {

struct SessionRecorder : session::PeerObserver {
  sim::World* world = nullptr;  // when set, each Down is stamped with its virtual time
  int established = 0;
  std::vector<session::Down> downs;
  std::vector<std::chrono::nanoseconds> down_times;
  std::vector<wire::Notification> received;  // NOTIFICATIONs the peer sent us
  void on_established(const std::string&, const session::Negotiated&) override { ++established; }
  void on_down(const std::string&, const session::Down& d) override {
    downs.push_back(d);
    if (world) down_times.push_back(world->now());
  }
  void on_message(const std::string&, const wire::Message& m, const wire::DecodeContext&,
                  wire::ByteView) override {
    if (const auto* n = std::get_if<wire::Notification>(&m)) received.push_back(*n);
  }
};

// An active neighbor with a 9 s hold time whose router id is its local address.
inline config::Neighbor sim_neighbor(const char* local, const char* peer, std::uint32_t local_as,
                                     std::uint32_t peer_as) {
  config::Neighbor n;
  n.local_address = wire::IpAddress::parse(local);
  n.peer_address = *wire::IpAddress::parse(peer);
  n.local_as = local_as;
  n.peer_as = peer_as;
  n.router_id = n.local_address->v4_u32();
  n.hold_time_s = 9;
  return n;
}

// A passive session::Peer's settings on `self` for the speaker at `remote`
// (port 179), hold time 9 s, router id its address.
inline session::PeerSettings passive_settings(const char* self, const char* remote,
                                              std::uint32_t local_as, std::uint32_t peer_as) {
  session::PeerSettings s;
  s.name = remote;
  s.remote = sim::Endpoint(boost::asio::ip::make_address(remote), 179);
  s.fsm.local_as = local_as;
  s.fsm.peer_as = peer_as;
  s.fsm.router_id = wire::IpAddress::parse(self)->v4_u32();
  s.fsm.hold_time_s = 9;
  s.fsm.passive = true;
  return s;
}

// Listens on `address`:179 and hands every connection to `peer`.
template <class Peer>
boost::asio::awaitable<void, sim::Executor> accept_into(sim::SimRuntime rt, const char* address,
                                                        Peer& peer) {
  auto token = boost::asio::as_tuple(boost::asio::use_awaitable_t<sim::Executor>{});
  auto acceptor = rt.listen(sim::Endpoint(boost::asio::ip::make_address(address), 179));
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(token);
    if (ec) co_return;
    peer.accept(std::move(socket));
  }
}

// Reads one whole BGP message, header included, by its length field, without
// the codec (hand-written peers); empty at the end of the stream or on a
// length below 19.
template <class Socket>
boost::asio::awaitable<std::vector<std::uint8_t>, sim::Executor> read_message(Socket& socket) {
  constexpr auto token = boost::asio::as_tuple(boost::asio::use_awaitable_t<sim::Executor>{});
  std::vector<std::uint8_t> m(19);
  auto [e1, n1] = co_await boost::asio::async_read(socket, boost::asio::buffer(m), token);
  if (e1) co_return std::vector<std::uint8_t>{};
  const std::size_t length = std::size_t{m[16]} << 8 | m[17];
  if (length < 19) co_return std::vector<std::uint8_t>{};
  m.resize(length);
  if (length > 19) {
    auto [e2, n2] = co_await boost::asio::async_read(
        socket, boost::asio::buffer(m.data() + 19, length - 19), token);
    if (e2) co_return std::vector<std::uint8_t>{};
  }
  co_return m;
}

// An IPv4 unicast route as configured: ORIGIN IGP, an empty AS_PATH, the
// next hop given.
inline config::StaticRoute static_route(const char* prefix,
                                        std::optional<wire::IpAddress> next_hop) {
  config::StaticRoute r;
  r.family = wire::ipv4_unicast;
  r.nlri.prefix = *wire::IpPrefix::parse(prefix);
  wire::PathAttributes a;
  a.origin = wire::Origin::igp;
  a.as_path = wire::AsPath{};
  a.next_hop = next_hop;
  r.attributes = config::share(std::move(a));
  return r;
}

}  // namespace bgpsim::simtest
