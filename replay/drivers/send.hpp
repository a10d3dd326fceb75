// `bgpsim replay send`: recorded routes onto a real session. The source is
// one side's UPDATEs of a captured session (pcap/pcapng), the UPDATEs of one
// BGP4MP session of an MRT file, or the routes of an MRT RIB dump
// (TABLE_DUMP, TABLE_DUMP_V2); the speaker (Reactor<AsioRuntime>, the same
// code as `bgpsim live`) opens a session to a live daemon and sends them,
// at their recorded pace or as fast as the session takes them. Routes go out
// as the speaker sends configured ones: towards an external peer our AS is
// prepended and LOCAL_PREF dropped (reactor::neighbor_routes).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "speaker/rib/route.hpp"
#include "speaker/wire/address.hpp"

namespace bgpsim::replay {

// Route changes recorded together (one UPDATE, or a whole RIB dump).
struct RouteBatch {
  std::chrono::nanoseconds at{};    // offset from the first batch
  std::vector<rib::Route> changes;  // attributes null: a withdrawal
};

struct SendSource {
  std::vector<RouteBatch> batches;
  std::vector<wire::Family> families;  // every family the batches hold, sorted
  std::size_t announcements = 0, withdrawals = 0;
  std::size_t skipped = 0;         // RIB entries of other peers or already seen prefixes
  std::vector<std::string> notes;  // damage met while reading
};

struct SendSourceOptions {
  std::uint32_t session = 1;  // pcap: the session; MRT BGP4MP: the peer pair
  int side = 0;               // pcap: the side whose UPDATEs are sent
  // MRT RIB dumps: only routes of this peer (default: the first entry of
  // each prefix, whichever peer it comes from).
  std::optional<wire::IpAddress> mrt_peer;
};

// Reads the routes to send; an error names the file and why.
std::variant<SendSource, std::string> load_send_source(const std::string& path,
                                                       const SendSourceOptions& options);

struct SendOptions {
  std::string host;  // the daemon's address
  std::uint16_t port = 179;
  std::optional<wire::IpAddress> local_address;
  std::uint32_t local_as = 0, peer_as = 0;
  std::uint32_t router_id = 0;  // 0: the local address when IPv4, else 1.1.1.1
  std::uint16_t hold_time_s = 90;
  std::optional<wire::IpAddress> next_hop;  // replaces every route's next hop
  bool recorded_pace = false;               // false: as fast as the session takes them
  std::chrono::seconds timeout{60};         // to reach Established, and to send everything
  // After everything is sent: keep the session up this long (nullopt: until
  // SIGINT/SIGTERM), then Cease / Administrative Shutdown.
  std::optional<std::chrono::seconds> linger = std::chrono::seconds(0);
};

struct SendReport {
  bool established = false;
  bool completed = false;  // every batch handed to the session and written
  std::size_t batches_sent = 0, announced = 0, withdrawn = 0;
  std::chrono::nanoseconds elapsed{};  // from Established to everything written
  std::string error;                   // why it did not complete
};

// Runs the session (blocks). `progress` receives one JSON line per event
// (established, sent, down), for scripts that wait on them.
SendReport send_routes(const SendSource& source, const SendOptions& options,
                       const std::function<void(const std::string&)>& progress);

}  // namespace bgpsim::replay
