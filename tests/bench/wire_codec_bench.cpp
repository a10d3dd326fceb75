// Codec throughput: packed IPv4 UPDATEs (prefixes per second) and
// single-prefix UPDATEs (messages per second), decoding and encoding.
// Figures and the machine are recorded in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "speaker/wire/message.hpp"

namespace {

using namespace bgpsim::wire;

Update make_update(std::size_t prefixes, std::uint32_t first) {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{AsPathSegment{AsPathSegment::as_sequence, {65001, 65002}}}};
  u.attributes.next_hop = IpAddress::parse("192.0.2.1");
  u.attributes.med = 10;
  u.attributes.local_pref = 100;
  u.attributes.communities = std::vector<std::uint32_t>{0xFDE80001};
  for (std::size_t i = 0; i < prefixes; ++i)
    u.nlri.push_back(
        Nlri{IpPrefix{IpAddress::v4_from_u32(first + (std::uint32_t(i) << 8)), 24}, {}});
  return u;
}

// As many /24s as fit a 4096-byte UPDATE with these attributes.
const std::size_t packed_prefixes = [] {
  std::size_t n = 1;
  while (encode_message(Message(make_update(n + 1, 0x0A000000)), EncodeContext{}).size() <= 4096) ++n;
  return n;
}();

void BM_DecodePackedUpdate(benchmark::State& state) {
  Bytes bytes = encode_message(Message(make_update(packed_prefixes, 0x0A000000)), EncodeContext{});
  DecodeContext ctx;
  if (!decode_message(bytes, ctx).ok()) state.SkipWithError("the UPDATE does not decode");
  for (auto _ : state) {
    auto m = decode_message(bytes, ctx);
    benchmark::DoNotOptimize(m);
  }
  state.counters["prefixes"] = double(packed_prefixes);
  state.counters["prefixes/s"] =
      benchmark::Counter(double(state.iterations() * packed_prefixes), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes.size()));
}
BENCHMARK(BM_DecodePackedUpdate);

void BM_DecodeSinglePrefixUpdate(benchmark::State& state) {
  Bytes bytes = encode_message(Message(make_update(1, 0x0A000000)), EncodeContext{});
  DecodeContext ctx;
  if (!decode_message(bytes, ctx).ok()) state.SkipWithError("the UPDATE does not decode");
  for (auto _ : state) {
    auto m = decode_message(bytes, ctx);
    benchmark::DoNotOptimize(m);
  }
  state.counters["messages/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeSinglePrefixUpdate);

void BM_EncodePackedUpdate(benchmark::State& state) {
  Message m(make_update(packed_prefixes, 0x0A000000));
  EncodeContext ctx;
  Bytes out;
  out.reserve(4096);
  for (auto _ : state) {
    out.clear();
    encode_message(m, ctx, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["prefixes/s"] =
      benchmark::Counter(double(state.iterations() * packed_prefixes), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodePackedUpdate);

void BM_EncodeSinglePrefixUpdate(benchmark::State& state) {
  Message m(make_update(1, 0x0A000000));
  EncodeContext ctx;
  Bytes out;
  out.reserve(128);
  for (auto _ : state) {
    out.clear();
    encode_message(m, ctx, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["messages/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeSinglePrefixUpdate);

}  // namespace
