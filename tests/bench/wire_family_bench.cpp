// Decoding and encoding throughput of labeled and VPN UPDATEs (prefixes per
// second), to set beside the unicast figures of wire_codec_bench.cpp from the
// same run (docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include "speaker/wire/family_row.hpp"
#include "speaker/wire/message.hpp"

namespace {

using namespace bgpsim::wire;

Update make_update(Family family, std::size_t prefixes) {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{AsPathSegment{AsPathSegment::as_sequence, {65001, 65002}}}};
  u.attributes.local_pref = 100;
  u.attributes.extended_communities = std::vector<std::uint64_t>{0x0002FDE800000001};
  MpReach reach{family, next_hop_field(family, *IpAddress::parse("192.0.2.1")), {}, {}};
  for (std::size_t i = 0; i < prefixes; ++i) {
    Nlri n;
    n.prefix = IpPrefix{IpAddress::v4_from_u32(0x0A000000 + (std::uint32_t(i) << 8)), 24};
    n.labels = LabelStack::from_labels({1000 + std::uint32_t(i)});
    if (family_row(family)->rd) n.rd = *RouteDistinguisher::parse("65000:1");
    reach.nlri.push_back(n);
  }
  u.attributes.mp_reach = std::move(reach);
  return u;
}

std::size_t packed(Family family) {
  std::size_t n = 1;
  // encode_message answers an empty buffer once the UPDATE no longer fits.
  while (!encode_message(Message(make_update(family, n + 1)), EncodeContext{}).empty()) ++n;
  return n;
}

void decode_bench(benchmark::State& state, Family family) {
  const std::size_t prefixes = packed(family);
  const Bytes bytes = encode_message(Message(make_update(family, prefixes)), EncodeContext{});
  const DecodeContext ctx;
  if (!decode_message(bytes, ctx).ok()) state.SkipWithError("the UPDATE does not decode");
  for (auto _ : state) {
    auto m = decode_message(bytes, ctx);
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes.size()));
  state.counters["prefixes/s"] = benchmark::Counter(double(state.iterations()) * double(prefixes),
                                                    benchmark::Counter::kIsRate);
  state.counters["prefixes"] = double(prefixes);
}

void encode_bench(benchmark::State& state, Family family) {
  const std::size_t prefixes = packed(family);
  const Message m(make_update(family, prefixes));
  Bytes out;
  out.reserve(4096);
  for (auto _ : state) {
    out.clear();
    encode_message(m, EncodeContext{}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["prefixes/s"] = benchmark::Counter(double(state.iterations()) * double(prefixes),
                                                    benchmark::Counter::kIsRate);
}

const Family vpn4(Afi::ipv4, Safi::mpls_vpn);
const Family labeled4(Afi::ipv4, Safi::nlri_mpls);

void BM_DecodePackedVpnv4Update(benchmark::State& state) { decode_bench(state, vpn4); }
void BM_DecodePackedLabeledUpdate(benchmark::State& state) { decode_bench(state, labeled4); }
void BM_EncodePackedVpnv4Update(benchmark::State& state) { encode_bench(state, vpn4); }

}  // namespace

BENCHMARK(BM_DecodePackedVpnv4Update);
BENCHMARK(BM_DecodePackedLabeledUpdate);
BENCHMARK(BM_EncodePackedVpnv4Update);
