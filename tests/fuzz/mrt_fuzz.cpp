// libFuzzer target for the MRT reader and the bgpdump format: any bytes are
// read as an (uncompressed) MRT file; every Record is formatted the bgpdump
// way and its message or attributes decoded with the codec in the context the
// reader gives. Nothing may crash, read out of bounds or overflow (ASan,
// UBSan), errors must say where they happened, and records come in order.
// Seeds: the files of ../shared/corpus/mrt, decompressed (docs/replay.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "replay/bgpdump_format.hpp"
#include "replay/mrt/mrt_reader.hpp"
#include "speaker/wire/message.hpp"

using namespace bgpsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string out;
  std::uint64_t last_record = 0, last_offset = 0;
  replay::read_mrt_bytes(wire::ByteView(data, size), "fuzz", [&](const replay::Record& r) {
    if (r.origin.record < last_record || r.origin.offset < last_offset) std::abort();
    if (r.origin.offset > size) std::abort();
    last_record = r.origin.record;
    last_offset = r.origin.offset;
    if (r.kind == replay::RecordKind::error) {
      if (r.error.find("fuzz: record ") != 0) std::abort();
      return;
    }
    replay::format_bgpdump(r, out);
    const auto ctx = replay::mrt_decode_context(r);
    if (r.kind == replay::RecordKind::message) {
      (void)wire::decode_message(r.bytes, ctx);
    } else if (r.kind == replay::RecordKind::rib_entry) {
      (void)wire::decode_attributes(wire::Reader(r.bytes), ctx, true);
    }
  });
  if (!out.empty() && out.back() != '\n') std::abort();
  return 0;
}
