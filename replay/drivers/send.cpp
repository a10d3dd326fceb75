#include "replay/drivers/send.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <functional>
#include <set>

#include "replay/drivers/run.hpp"
#include "replay/file_kind.hpp"
#include "replay/mrt/mrt_reader.hpp"
#include "speaker/reactor/on_asio.hpp"
#include "speaker/reactor/reactor.hpp"
#include "speaker/runtime/asio_runtime.hpp"
#include "speaker/wire/json.hpp"

namespace bgpsim::replay {

namespace {

using Nanos = std::chrono::nanoseconds;
using namespace std::chrono_literals;

Nanos since(const Timestamp& t, const Timestamp& base) {
  return std::chrono::seconds(t.sec - base.sec) +
         std::chrono::microseconds(std::int64_t(t.usec) - std::int64_t(base.usec));
}

void put16(wire::Bytes& b, std::size_t v) {
  b.push_back(std::uint8_t(v >> 8));
  b.push_back(std::uint8_t(v));
}

void put_prefix(wire::Bytes& b, const wire::IpPrefix& p) {
  b.push_back(p.length);
  for (std::size_t i = 0; i < (std::size_t(p.length) + 7) / 8; ++i) b.push_back(p.address.bytes[i]);
}

// A RIB entry as the UPDATE that would have announced it. RFC 6396 4.3.4:
// in TABLE_DUMP_V2 the MP_REACH_NLRI attribute holds only the next-hop length
// and next hop; the full attribute (AFI, SAFI, next hop, reserved, NLRI) is
// put back. Empty when the attributes are cut short.
std::optional<wire::Bytes> rib_entry_update(const Record& r) {
  const wire::ByteView a = r.bytes;
  const bool ipv4_unicast = r.family == wire::ipv4_unicast;
  wire::Bytes attributes;
  bool has_next_hop = false, has_mp_reach = false;
  for (std::size_t i = 0; i < a.size();) {
    if (i + 3 > a.size()) return std::nullopt;
    const std::uint8_t flags = a[i], type = a[i + 1];
    const bool extended = (flags & 0x10) != 0;
    const std::size_t header = extended ? 4 : 3;
    if (i + header > a.size()) return std::nullopt;
    const std::size_t length = extended ? (std::size_t(a[i + 2]) << 8 | a[i + 3]) : a[i + 2];
    if (i + header + length > a.size()) return std::nullopt;
    const auto value = a.subspan(i + header, length);
    if (type == 3) has_next_hop = true;
    if (type == 14) {
      has_mp_reach = true;
      if (!ipv4_unicast || !has_next_hop) {
        wire::Bytes full;
        const bool abbreviated = !value.empty() && value[0] == value.size() - 1;
        if (abbreviated) {
          put16(full, r.family.afi);
          full.push_back(r.family.safi);
          full.insert(full.end(), value.begin(), value.end());
          full.push_back(0);  // reserved
          put_prefix(full, r.prefix);
        } else {
          full.assign(value.begin(), value.end());
        }
        attributes.push_back(std::uint8_t(flags | 0x10));
        attributes.push_back(type);
        put16(attributes, full.size());
        attributes.insert(attributes.end(), full.begin(), full.end());
      }
    } else {
      attributes.insert(attributes.end(), a.begin() + std::ptrdiff_t(i),
                        a.begin() + std::ptrdiff_t(i + header + length));
    }
    i += header + length;
  }
  // Dumps without a next hop for the route (BIRD's IPv6 dumps have no
  // MP_REACH_NLRI): the unspecified address, which --next-hop replaces.
  if (!ipv4_unicast && !has_mp_reach) {
    wire::Bytes full;
    put16(full, r.family.afi);
    full.push_back(r.family.safi);
    const std::size_t length = r.prefix.address.v6 ? 16 : 4;
    full.push_back(std::uint8_t(length));
    full.insert(full.end(), length, 0);
    full.push_back(0);  // reserved
    put_prefix(full, r.prefix);
    attributes.push_back(0x90);  // optional, extended length
    attributes.push_back(14);
    put16(attributes, full.size());
    attributes.insert(attributes.end(), full.begin(), full.end());
    has_mp_reach = true;
  }
  if (ipv4_unicast && !has_next_hop && !has_mp_reach) {
    const std::uint8_t next_hop[] = {0x40, 3, 4, 0, 0, 0, 0};
    attributes.insert(attributes.end(), std::begin(next_hop), std::end(next_hop));
    has_next_hop = true;
  }
  wire::Bytes m(16, 0xff);
  put16(m, 0);  // length, below
  m.push_back(2);
  put16(m, 0);  // no withdrawn routes
  put16(m, attributes.size());
  m.insert(m.end(), attributes.begin(), attributes.end());
  if (ipv4_unicast && !(has_mp_reach && !has_next_hop)) put_prefix(m, r.prefix);
  m[16] = std::uint8_t(m.size() >> 8);
  m[17] = std::uint8_t(m.size());
  return m;
}

void finish(SendSource& s) {
  std::set<wire::Family> families;
  for (const auto& b : s.batches)
    for (const auto& c : b.changes) {
      families.insert(c.key.family);
      if (c.attributes)
        ++s.announcements;
      else
        ++s.withdrawals;
    }
  s.families.assign(families.begin(), families.end());
}

void add_update(SendSource& s, rib::AdjRibIn& table, rib::AttributePool& pool, Nanos at,
                wire::ByteView bytes, const wire::DecodeContext& ctx) {
  if (bytes.size() < wire::header_size || bytes[18] != 2) return;
  auto m = wire::decode_message(bytes, ctx);
  if (!m) return;
  auto changes = table.apply(std::get<wire::Update>(m.value()), pool);
  if (!changes.empty()) s.batches.push_back(RouteBatch{at, std::move(changes)});
}

}  // namespace

std::variant<SendSource, std::string> load_send_source(const std::string& path,
                                                       const SendSourceOptions& options) {
  SendSource s;
  rib::AttributePool pool;
  rib::AdjRibIn table;
  FileKind kind;
  try {
    kind = file_kind(path);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  if (kind != FileKind::other) {
    auto loaded = load_session(path, options.session);
    if (auto* e = std::get_if<std::string>(&loaded)) return *e;
    const auto& session = std::get<CapturedSession>(loaded);
    for (const auto& m : session.messages)
      if (m.side == options.side)
        add_update(s, table, pool, since(m.time, session.messages.front().time), m.bytes,
                   m.context);
    finish(s);
    return s;
  }
  if (!looks_like_mrt(path)) return path + ": neither a pcap/pcapng capture nor an MRT file";
  RouteBatch rib;
  std::optional<Timestamp> first_message;
  read_mrt(path, [&](const Record& r) {
    if (r.kind == RecordKind::error) {
      s.notes.push_back(r.error);
      return;
    }
    if (r.kind == RecordKind::rib_entry) {
      if (options.mrt_peer && r.from.address != *options.mrt_peer) {
        ++s.skipped;
        return;
      }
      if (table.find(rib::RouteKey{r.family, wire::Nlri{r.prefix, std::nullopt}})) {
        ++s.skipped;  // another peer's route for the prefix
        return;
      }
      const auto update = rib_entry_update(r);
      wire::DecodeContext ctx;
      ctx.four_octet_asn = r.mrt_type == mrt::table_dump_v2;  // RFC 6396 4.3.4
      ctx.extended_message = true;
      const std::string where = fmt::format("{}: record {} (byte {}): the route {}", r.origin.file,
                                            r.origin.record, r.origin.offset, r.prefix.to_string());
      if (!update) {
        s.notes.push_back(where + ": its attributes are cut short");
        return;
      }
      auto decoded = wire::decode_update(*update, ctx);
      if (!decoded) {
        s.notes.push_back(where + ": " + wire::error_to_json(decoded.error()).dump());
        return;
      }
      for (auto& c : table.apply(*decoded, pool)) rib.changes.push_back(std::move(c));
      return;
    }
    if (r.kind == RecordKind::message && r.session == options.session) {
      if (!first_message) first_message = r.time;
      add_update(s, table, pool, since(r.time, *first_message), r.bytes, mrt_decode_context(r));
    }
  });
  if (!rib.changes.empty()) {
    // A dump holds one table: its routes go out together, whatever the pace.
    s.batches.clear();
    s.batches.push_back(std::move(rib));
  }
  finish(s);
  return s;
}

SendReport send_routes(const SendSource& source, const SendOptions& options,
                       const std::function<void(const std::string&)>& progress) {
  using Reactor = reactor::Reactor<runtime::AsioRuntime>;
  using Executor = runtime::AsioRuntime::executor_type;
  constexpr auto tok = boost::asio::as_tuple(boost::asio::use_awaitable_t<Executor>{});
  SendReport report;

  struct Observer : session::PeerObserver {
    const std::function<void(const std::string&)>* progress = nullptr;
    bool established = false, down = false;
    std::string down_reason;
    void on_established(const std::string& peer, const session::Negotiated& n) override {
      established = true;
      wire::Json j{{"type", "established"}, {"peer", peer}, {"hold-time", n.hold_time_s}};
      Json families = Json::array();
      for (auto f : n.families.items()) families.push_back(f.to_string());
      j["families"] = std::move(families);
      (*progress)(j.dump());
    }
    void on_down(const std::string& peer, const session::Down& d) override {
      if (!established) return;  // connection attempts before the session: retried
      down = true;
      down_reason = d.reason;
      (*progress)(wire::Json{{"type", "down"}, {"peer", peer}, {"reason", d.reason}}.dump());
    }
    using Json = wire::Json;
  } observer;
  observer.progress = &progress;

  config::Neighbor n;
  const auto host = wire::IpAddress::parse(options.host);
  if (!host) {
    report.error = "not an IP address: " + options.host;
    return report;
  }
  n.peer_address = *host;
  n.connect_port = options.port;
  n.local_address = options.local_address;
  n.local_as = options.local_as;
  n.peer_as = options.peer_as;
  n.router_id = options.router_id != 0                    ? options.router_id
                : n.local_address && !n.local_address->v6 ? n.local_address->v4_u32()
                                                          : 0x01010101u;
  n.hold_time_s = options.hold_time_s;
  n.families = source.families;
  if (n.families.empty()) n.families.push_back(wire::ipv4_unicast);
  n.capabilities.route_refresh = true;

  boost::asio::io_context io;
  runtime::AsioRuntime rt(io);
  Reactor speaker(rt, observer);
  try {
    if (auto error = speaker.configure(config::Config{{}, {n}})) {
      report.error = *error;
      return report;
    }
  } catch (const boost::system::system_error& e) {
    report.error = e.what();
    return report;
  }
  auto* peer = speaker.find_peer(n.peer_address.to_string());

  bool stopping = false;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    stopping = true;
    if (report.error.empty() && !report.completed) report.error = "interrupted";
    speaker.stop();
  });

  // Routes as the speaker sends configured ones (our AS prepended towards
  // external peers, LOCAL_PREF only towards internal ones), the next hop
  // replaced when asked.
  auto apply = [&](const RouteBatch& batch) {
    config::Neighbor routes = n;
    std::vector<rib::RouteKey> withdrawn;
    for (const auto& c : batch.changes) {
      if (!c.attributes) {
        withdrawn.push_back(c.key);
        continue;
      }
      config::StaticRoute r;
      r.family = c.key.family;
      r.set_route_nlri(c.key.nlri);
      r.nlri.path_id.reset();  // no ADD-PATH towards the daemon
      if (options.next_hop) {
        auto a = *c.attributes;
        a.next_hop = options.next_hop;
        r.attributes = config::share(std::move(a));
      } else {
        r.attributes = c.attributes;
      }
      routes.routes.push_back(std::move(r));
    }
    auto resolved = reactor::neighbor_routes(routes);
    auto& out = peer->adj_rib_out();
    for (auto key : withdrawn) {
      key.nlri.path_id.reset();
      out.withdraw(key);
      ++report.withdrawn;
    }
    if (auto* m = std::get_if<0>(&resolved))
      for (auto& [key, attributes] : *m) {
        out.announce(key, speaker.pool().intern(std::move(attributes)));
        ++report.announced;
      }
    peer->routes_changed();
  };

  auto driver = [&]() -> boost::asio::awaitable<void, Executor> {
    auto timer = rt.make_timer();
    auto sleep = [&](Nanos d) -> boost::asio::awaitable<bool, Executor> {
      timer.expires_after(d);
      auto [ec] = co_await timer.async_wait(tok);
      co_return !ec && !stopping;
    };
    const auto deadline = rt.now() + options.timeout;
    while (!observer.established) {
      if (stopping) co_return;
      if (rt.now() > deadline) {
        report.error = fmt::format("no session with {} port {} within {} s", options.host,
                                   options.port, options.timeout.count());
        speaker.stop();
        co_return;
      }
      if (!co_await sleep(20ms)) co_return;
    }
    report.established = true;
    const auto start = rt.now();
    for (const auto& batch : source.batches) {
      if (options.recorded_pace && rt.now() < start + batch.at)
        if (!co_await sleep(start + batch.at - rt.now())) co_return;
      if (observer.down) break;
      apply(batch);
      ++report.batches_sent;
    }
    // Everything handed to the writer and written (the writer takes batches
    // as the socket drains, so an empty queue means the last write began).
    const auto send_deadline =
        rt.now() + options.timeout;  // after the last batch: the table must drain by then
    while (!observer.down && peer->adj_rib_out().has_pending()) {
      if (rt.now() > send_deadline) {
        report.error = fmt::format("{} routes still queued after {} s",
                                   peer->adj_rib_out().pending(), options.timeout.count());
        speaker.stop();
        co_return;
      }
      if (!co_await sleep(20ms)) co_return;
    }
    report.elapsed = rt.now() - start;
    if (!co_await sleep(200ms)) co_return;  // the last write leaves the socket
    if (observer.down) {
      report.error = "the session went down: " + observer.down_reason;
      speaker.stop();
      co_return;
    }
    report.completed = true;
    progress(wire::Json{{"type", "sent"},
                        {"batches", report.batches_sent},
                        {"announced", report.announced},
                        {"withdrawn", report.withdrawn},
                        {"seconds", std::chrono::duration<double>(report.elapsed).count()}}
                 .dump());
    if (options.linger) {
      if (options.linger->count() > 0 && !co_await sleep(*options.linger)) co_return;
      speaker.stop();
      co_return;
    }
    // Until SIGINT/SIGTERM (the signal handler stops the speaker).
  };

  boost::asio::co_spawn(io, speaker.run(), [&](std::exception_ptr e) {
    if (e) report.error = "the speaker ended with an exception";
    signals.cancel();
  });
  boost::asio::co_spawn(io, driver(), [&](std::exception_ptr e) {
    if (e) {
      report.error = "the sender ended with an exception";
      speaker.stop();
    }
  });
  io.run();
  return report;
}

}  // namespace bgpsim::replay
