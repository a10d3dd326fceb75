#include "replay/pcap/pcap_reader.hpp"

#include <pcap/pcap.h>

#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "replay/pcap/packet.hpp"

namespace bgpsim::replay {

namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

PcapResult read_open(pcap_t* p, const std::string& name, const RecordSink& sink,
                     const ExtractOptions& options) {
  PcapResult result;
  result.opened = true;
  std::unique_ptr<pcap_t, PcapCloser> guard(p);
  result.link_type = pcap_datalink(p);
  const bool nanoseconds = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  std::FILE* file = pcap_file(p);

  SessionExtractor extractor(sink, options);
  int link_type = result.link_type;
  pcap::PacketDecoder decoder(link_type);
  Origin origin;
  origin.file = name;
  Timestamp time;

  auto report = [&](std::string what) {
    Record r;
    r.kind = RecordKind::error;
    r.time = time;
    r.origin = origin;
    r.error = fmt::format("{}: packet {} (byte {}): {}", name, origin.record, origin.offset,
                          std::move(what));
    ++result.errors;
    sink(r);
  };

  while (true) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const long before = file ? std::ftell(file) : -1;
    const int rc = pcap_next_ex(p, &header, &data);
    if (rc == PCAP_ERROR_BREAK) break;  // end of file
    ++origin.record;
    origin.offset = before < 0 ? 0 : static_cast<std::uint64_t>(before);
    if (rc != 1) {
      report(fmt::format("cannot read on: {}", pcap_geterr(p)));
      break;
    }
    ++result.packets;
    time.sec = header->ts.tv_sec;
    time.usec =
        static_cast<std::uint32_t>(nanoseconds ? header->ts.tv_usec / 1000 : header->ts.tv_usec);
    // pcapng files may mix interfaces of different link types.
    const int lt = pcap_datalink(p);
    if (lt != link_type) {
      link_type = lt;
      decoder = pcap::PacketDecoder(link_type);
    }
    if (!pcap::supported_link_type(link_type)) {
      report(fmt::format(
          "link type {} ({}) is not supported", link_type,
          pcap_datalink_val_to_name(link_type) ? pcap_datalink_val_to_name(link_type) : "unknown"));
      continue;
    }
    const wire::ByteView frame(data, header->caplen);
    auto decoded = decoder.decode(frame);
    for (auto& dropped : decoder.take_dropped()) report(std::move(dropped));
    switch (decoded.kind) {
      case pcap::PacketResult::Kind::ignored:
      case pcap::PacketResult::Kind::fragment:
        break;
      case pcap::PacketResult::Kind::error:
        report(header->caplen < header->len
                   ? fmt::format("{} (captured {} of {} bytes)", decoded.reason, header->caplen,
                                 header->len)
                   : decoded.reason);
        break;
      case pcap::PacketResult::Kind::tcp: {
        ++result.tcp_segments;
        const auto& t = decoded.segment;
        Segment s;
        s.src = t.src;
        s.dst = t.dst;
        s.sport = t.sport;
        s.dport = t.dport;
        s.seq = t.seq;
        s.ack = t.ack;
        s.syn = t.flags & pcap::tcp_flag::syn;
        s.ack_flag = t.flags & pcap::tcp_flag::ack;
        s.fin = t.flags & pcap::tcp_flag::fin;
        s.rst = t.flags & pcap::tcp_flag::rst;
        s.payload = t.payload;
        s.missing = t.missing;
        extractor.segment(s, time, origin);
        break;
      }
    }
  }
  for (auto& left : decoder.incomplete()) report(std::move(left));
  extractor.finish(time, origin);
  result.sessions = extractor.summaries();
  return result;
}

}  // namespace

PcapResult read_pcap(const std::string& path, const RecordSink& sink,
                     const ExtractOptions& options) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (!p) {
    PcapResult r;
    r.error = fmt::format("{}: {}", path, errbuf);
    return r;
  }
  return read_open(p, path, sink, options);
}

PcapResult read_pcap_bytes(wire::ByteView data, const std::string& name, const RecordSink& sink,
                           const ExtractOptions& options) {
  PcapResult r;
  if (data.empty()) {
    r.error = fmt::format("{}: empty", name);
    return r;
  }
  // libpcap reads from a FILE*; fmemopen gives one over the bytes.
  std::FILE* f = fmemopen(const_cast<std::uint8_t*>(data.data()), data.size(), "rb");
  if (!f) {
    r.error = fmt::format("{}: fmemopen failed", name);
    return r;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (!p) {
    std::fclose(f);
    r.error = fmt::format("{}: {}", name, errbuf);
    return r;
  }
  return read_open(p, name, sink, options);  // pcap_close closes f
}

}  // namespace bgpsim::replay
