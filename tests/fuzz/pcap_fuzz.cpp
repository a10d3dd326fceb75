// libFuzzer target for the pcap/pcapng reader: the input is a whole capture
// file, read from memory through libpcap (fmemopen), every record decoded
// with the context it came with. Seed it with ../shared/corpus/pcap:
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DBGPSIM_FUZZ=ON
//   cmake --build build/fuzz --target pcap_fuzz
//   mkdir -p build/fuzz/pcap-corpus
//   build/fuzz/tests/fuzz/pcap_fuzz build/fuzz/pcap-corpus ../shared/corpus/pcap
//   -max_total_time=300
#include <cstddef>
#include <cstdint>

#include "replay/pcap/pcap_reader.hpp"
#include "speaker/wire/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::size_t decoded = 0;
  bgpsim::replay::read_pcap_bytes(
      bgpsim::wire::ByteView(data, size), "fuzz", [&](const bgpsim::replay::Record& r) {
        if (r.kind == bgpsim::replay::RecordKind::message && r.context)
          decoded += bgpsim::wire::decode_message(r.bytes, *r.context).ok() ? 1 : 0;
      });
  return decoded == SIZE_MAX ? 1 : 0;
}
