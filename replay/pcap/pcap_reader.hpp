// pcap and pcapng files (through libpcap's pcap_open_offline) read as a
// stream of Records: every BGP message of every TCP connection, found by
// content, with its session, direction, capture time and codec context;
// gaps, damaged and truncated packets as gap/error Records. Packets are read
// one at a time: memory holds only the per-connection reassembly state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "replay/session_extract.hpp"
#include "speaker/wire/bytes.hpp"

namespace bgpsim::replay {

struct PcapResult {
  bool opened = false;  // false: `error` says why (not a capture, unreadable)
  std::string error;
  int link_type = -1;         // pcap_datalink() of the (first) interface
  std::uint64_t packets = 0;  // packets read
  std::uint64_t tcp_segments = 0;
  std::uint64_t errors = 0;  // error Records emitted
  std::vector<SessionSummary> sessions;
};

// Reads the capture at `path`. Records go to `sink` as they are found.
PcapResult read_pcap(const std::string& path, const RecordSink& sink,
                     const ExtractOptions& options = {});

// The same from memory (for the fuzzer and tests); `name` labels the Records.
PcapResult read_pcap_bytes(wire::ByteView data, const std::string& name, const RecordSink& sink,
                           const ExtractOptions& options = {});

}  // namespace bgpsim::replay
