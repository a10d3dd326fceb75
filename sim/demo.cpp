#include "sim/demo.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <memory>

#include "sim/pcap.hpp"
#include "sim/sim_runtime.hpp"

namespace bgpsim::sim {
namespace {

namespace asio = boost::asio;
using Task = asio::awaitable<void, Executor>;
constexpr auto tok = asio::use_awaitable_t<Executor>{};

std::vector<std::uint8_t> open_body(std::uint16_t as, std::uint8_t id) {
  return {4, static_cast<std::uint8_t>(as >> 8), static_cast<std::uint8_t>(as), 0, 90, 10, 0, 0, id,
          0};
}

std::vector<std::uint8_t> update_body(int i) {
  // ORIGIN IGP, empty AS_PATH, NEXT_HOP 10.0.0.1, NLRI 10.<i>.0.0/16.
  std::vector<std::uint8_t> attrs = {0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, 10, 0, 0, 1};
  std::vector<std::uint8_t> b = {0, 0, 0, static_cast<std::uint8_t>(attrs.size())};
  b.insert(b.end(), attrs.begin(), attrs.end());
  b.insert(b.end(), {16, 10, static_cast<std::uint8_t>(i)});
  return b;
}

// Reads one framed message (header, then body); empty on eof or error.
asio::awaitable<std::vector<std::uint8_t>, Executor> read_message(Socket& s) {
  std::vector<std::uint8_t> msg(19);
  const std::vector<std::uint8_t> none;
  auto [ec, n] = co_await asio::async_read(s, asio::buffer(msg), asio::as_tuple(tok));
  if (ec) co_return none;
  const std::size_t len = (std::size_t(msg[16]) << 8) | msg[17];
  msg.resize(len);
  std::tie(ec, n) =
      co_await asio::async_read(s, asio::buffer(msg.data() + 19, len - 19), asio::as_tuple(tok));
  if (ec) co_return none;
  co_return msg;
}

Task speaker(SimRuntime rt, Endpoint peer, int updates) {
  auto s = co_await rt.async_connect(peer, tok);
  auto timer = rt.make_timer();
  // Named buffers: GCC 12 mishandles some temporaries inside co_await.
  const auto open = bgp_message(1, open_body(65001, 1));
  const auto keepalive = bgp_message(4, {});
  const auto notification = bgp_message(3, {6, 2});
  co_await asio::async_write(s, asio::buffer(open), tok);
  co_await asio::async_write(s, asio::buffer(keepalive), tok);
  for (int i = 0; i < updates; ++i) {
    timer.expires_after(std::chrono::milliseconds(rt.random() % 50));
    co_await timer.async_wait(tok);
    const auto update = bgp_message(2, update_body(i));
    co_await asio::async_write(s, asio::buffer(update), tok);
  }
  co_await asio::async_write(s, asio::buffer(notification), tok);
  s.shutdown_send();
  for (;;) {
    const auto echoed = co_await read_message(s);
    if (echoed.empty()) break;
  }
}

Task echo(Acceptor& acceptor) {
  auto s = co_await acceptor.async_accept(tok);
  for (;;) {
    auto msg = co_await read_message(s);
    if (msg.empty()) break;
    co_await asio::async_write(s, asio::buffer(msg), tok);
  }
  s.shutdown_send();
}

}  // namespace

std::vector<std::uint8_t> bgp_message(std::uint8_t type, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> m(16, 0xff);
  const std::size_t len = 19 + body.size();
  m.push_back(static_cast<std::uint8_t>(len >> 8));
  m.push_back(static_cast<std::uint8_t>(len));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

RunResult run_demo(const DemoOptions& o) {
  World world(o.seed);
  NetConfig config;
  config.link.segment_bytes_max = o.segment_bytes_max;
  Network& net = Network::install(world, config);
  const Address a1 =
      o.ipv6 ? Address::from_string("2001:db8::1") : Address::from_string("10.0.0.1");
  const Address a2 =
      o.ipv6 ? Address::from_string("2001:db8::2") : Address::from_string("10.0.0.2");
  const NodeId r1 = net.add_node("r1", {a1});
  const NodeId r2 = net.add_node("r2", {a2});
  std::unique_ptr<PcapWriter> pcap;
  if (!o.pcap_path.empty()) pcap = std::make_unique<PcapWriter>(net, o.pcap_path);
  const Endpoint ep(a2, o.port);
  Acceptor acceptor = net.listen(r2, ep);
  net.spawn(r2, echo(acceptor));
  net.spawn(r1, speaker(SimRuntime(net, r1), ep, o.updates));

  const auto fault_at = std::chrono::milliseconds(world.rng().uniform(0, 500));
  const auto fault_for = std::chrono::milliseconds(world.rng().uniform(1, 2000));
  world.run_for(fault_at);
  {
    FaultGuard partition = net.add_fault({Match{r1, r2}, FaultAction::partition});
    world.run_for(fault_for);
  }
  world.run();
  for (const auto& f : net.failures())
    world.record(kNoNode, TraceKind::user, 0,
                 {reinterpret_cast<const std::uint8_t*>(f.data()), f.size()});
  return RunResult{o.seed, world.trace().hash(), world.trace().events()};
}

}  // namespace bgpsim::sim
