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
  // encode_message answers an empty buffer once the UPDATE no longer fits.
  while (!encode_message(Message(make_update(n + 1, 0x0A000000)), EncodeContext{}).empty()) ++n;
  return n;
}();

// One loop per direction; `prefixes` per UPDATE is the benchmark's argument.
// Packed UPDATEs report prefixes/s, single-prefix ones messages/s.
void count(benchmark::State& state, std::size_t prefixes) {
  const double per_iteration = prefixes == 1 ? 1.0 : double(prefixes);
  state.counters[prefixes == 1 ? "messages/s" : "prefixes/s"] =
      benchmark::Counter(double(state.iterations()) * per_iteration, benchmark::Counter::kIsRate);
  if (prefixes > 1) state.counters["prefixes"] = double(prefixes);
}

void decode_bench(benchmark::State& state, std::size_t prefixes) {
  const Bytes bytes = encode_message(Message(make_update(prefixes, 0x0A000000)), EncodeContext{});
  const DecodeContext ctx;
  if (!decode_message(bytes, ctx).ok()) state.SkipWithError("the UPDATE does not decode");
  for (auto _ : state) {
    auto m = decode_message(bytes, ctx);
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes.size()));
  count(state, prefixes);
}

void encode_bench(benchmark::State& state, std::size_t prefixes) {
  const Message m(make_update(prefixes, 0x0A000000));
  const EncodeContext ctx;
  Bytes out;
  out.reserve(4096);
  for (auto _ : state) {
    out.clear();
    encode_message(m, ctx, out);
    benchmark::DoNotOptimize(out.data());
  }
  count(state, prefixes);
}

void BM_DecodePackedUpdate(benchmark::State& state) { decode_bench(state, packed_prefixes); }
void BM_DecodeSinglePrefixUpdate(benchmark::State& state) { decode_bench(state, 1); }
void BM_EncodePackedUpdate(benchmark::State& state) { encode_bench(state, packed_prefixes); }
void BM_EncodeSinglePrefixUpdate(benchmark::State& state) { encode_bench(state, 1); }
BENCHMARK(BM_DecodePackedUpdate);
BENCHMARK(BM_DecodeSinglePrefixUpdate);
BENCHMARK(BM_EncodePackedUpdate);
BENCHMARK(BM_EncodeSinglePrefixUpdate);

}  // namespace
