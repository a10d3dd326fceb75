// Decoding and encoding throughput of labeled, VPN, flowspec, EVPN and BGP-LS
// UPDATEs (NLRI per second), to set beside the unicast figures of
// wire_codec_bench.cpp from the same run (docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <functional>

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

// ---------------------------------------------------------------- NLRI from bytes
// Families whose NLRI the benchmarks write as bytes (flowspec, EVPN, BGP-LS):
// `nlri(i)` is the i-th NLRI, different for each i, decoded by the row.

Nlri nlri_of(Family family, const Bytes& bytes) {
  auto n = nlri_from_bytes(family, bytes);
  if (!n.ok()) std::abort();  // the benchmark's own bytes: a bug here
  return std::move(n.value());
}

Update bytes_update(Family family, Bytes next_hop, std::size_t count,
                    const std::function<Bytes(std::size_t)>& nlri,
                    std::vector<RawAttribute> other) {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{AsPathSegment{AsPathSegment::as_sequence, {65001, 65002}}}};
  u.attributes.local_pref = 100;
  u.attributes.other = std::move(other);
  MpReach reach{family, std::move(next_hop), {}, {}};
  for (std::size_t i = 0; i < count; ++i) reach.nlri.push_back(nlri_of(family, nlri(i)));
  u.attributes.mp_reach = std::move(reach);
  return u;
}

// As many NLRI as fit 4,096 bytes (count 0), or `count`.
void decode_bytes_bench(benchmark::State& state, Family family, const Bytes& next_hop,
                        const std::function<Bytes(std::size_t)>& nlri,
                        const std::vector<RawAttribute>& other, std::size_t count = 0,
                        std::vector<std::uint64_t> communities = {}) {
  auto message = [&](std::size_t n) {
    Update u = bytes_update(family, next_hop, n, nlri, other);
    if (!communities.empty()) u.attributes.extended_communities = communities;
    return encode_message(Message(std::move(u)), EncodeContext{});
  };
  if (count == 0)
    for (count = 1; !message(count + 1).empty();) ++count;
  const Bytes bytes = message(count);
  const DecodeContext ctx;
  auto first = decode_message(bytes, ctx);
  if (!first.ok()) return state.SkipWithError(first.error().reason.c_str());
  for (auto _ : state) {
    auto m = decode_message(bytes, ctx);
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * bytes.size()));
  state.counters["nlri/s"] =
      benchmark::Counter(double(state.iterations()) * double(count), benchmark::Counter::kIsRate);
  state.counters["nlri"] = double(count);
}

Bytes hex_bytes(std::string_view text) { return *parse_hex(text); }

// RFC 8955 4: destination 10.i.i/24, source 192.168.0.0/16, protocol = 6,
// destination port = 80, packet length >= 64 (each operator byte ends its list).
Bytes flow_nlri(std::size_t i) {
  Bytes body = hex_bytes("0118 0A0000 0210 C0A8 0381 06 0591 0050 0A93 0040");
  body[3] = static_cast<std::uint8_t>(i >> 8);
  body[4] = static_cast<std::uint8_t>(i);
  Bytes out{static_cast<std::uint8_t>(body.size())};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// RFC 7432 7.2: RD 65000:1, ESI 0, tag 0, MAC 00:00:5E:00:i, IPv4 10.0.i, label 1000.
Bytes evpn_mac_ip(std::size_t i) {
  Bytes out = hex_bytes(
      "0225 0000FDE800000001 00000000000000000000 00000000 30 00005E000000 20 0A000000 003E81");
  out[29] = out[34] = static_cast<std::uint8_t>(i >> 8);  // MAC and IP, last two bytes
  out[30] = out[35] = static_cast<std::uint8_t>(i);
  return out;
}

// RFC 9136 3.1: RD, ESI 0, tag 0, 10.i.0/24, gateway 0.0.0.0, label 1000.
Bytes evpn_prefix(std::size_t i) {
  Bytes out =
      hex_bytes("0522 0000FDE800000001 00000000000000000000 00000000 18 0A000000 00000000 003E81");
  out[26] = static_cast<std::uint8_t>(i >> 8);  // the prefix's second and third bytes
  out[27] = static_cast<std::uint8_t>(i);
  return out;
}

// RFC 9552 5.2: IS-IS L2 node, link and IPv4 prefix NLRI, node i, and the
// BGP-LS attribute each carries in a topology feed.
Bytes ls_node(std::size_t i) {
  Bytes out = hex_bytes(
      "0001 0027 02 0000000000000000"
      "0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000000");
  out[out.size() - 2] = static_cast<std::uint8_t>(i >> 8);
  out[out.size() - 1] = static_cast<std::uint8_t>(i);
  return out;
}
Bytes ls_link(std::size_t i) {
  Bytes out = hex_bytes(
      "0002 0055 02 0000000000000000"
      "0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000000"
      "0101 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 0000000000FF"
      "0103 0004 C0000001 0104 0004 C0000002");
  out[41] = static_cast<std::uint8_t>(i >> 8);  // the local system ID's last two bytes
  out[42] = static_cast<std::uint8_t>(i);
  return out;
}
Bytes ls_prefix(std::size_t i) {
  Bytes out = hex_bytes(
      "0003 002F 02 0000000000000000"
      "0100 001A 0200 0004 0000FDE8 0201 0004 00000000 0203 0006 000000000000"
      "0109 0004 18 0A0000");
  out[out.size() - 2] = static_cast<std::uint8_t>(i >> 8);
  out[out.size() - 1] = static_cast<std::uint8_t>(i);
  return out;
}
RawAttribute ls_attribute(std::string_view tlvs) { return RawAttribute{0x80, 29, hex_bytes(tlvs)}; }
// Node flags, name, local TE router ID, SR capabilities (SRGB 16000+8000), algorithms.
const RawAttribute ls_node_attribute = ls_attribute(
    "0400 0001 00 0402 0004 72747231 0404 0004 0A000001 040A 000C 0000 001F40 0489 0003 003E80"
    "040B 0001 00");
// Admin group, max and reservable bandwidth, TE and IGP metric, an adjacency SID.
const RawAttribute ls_link_attribute = ls_attribute(
    "0440 0004 00000001 0441 0004 4E9502F9 0442 0004 4E9502F9 0444 0004 0000000A"
    "0447 0003 00000A 044B 0007 30 00 0000 005DC0");
// IGP flags, prefix metric, a prefix SID (index 100).
const RawAttribute ls_prefix_attribute =
    ls_attribute("0480 0001 00 0483 0004 0000000A 0486 0008 40 00 0000 00000064");

// RFC 9830 2.1: an IPv4 SR Policy (distinguisher i, color 100, endpoint
// 10.0.0.1) and its candidate path (RFC 9012 Tunnel Encapsulation, ExaBGP's
// conf-sr-policy.ci route: preference, binding SID, one segment list).
Bytes sr_policy(std::size_t i) {
  Bytes out = hex_bytes("60 00000000 00000064 0A000001");
  out[3] = static_cast<std::uint8_t>(i >> 8);
  out[4] = static_cast<std::uint8_t>(i);
  return out;
}
const RawAttribute sr_policy_attribute{
    0xC0, 23,
    hex_bytes("000F0024 0C06 0000 00000064 0D06 0000 05DC0000 800011 00 0906 0000 00000001 0106 "
              "0000 03E81000")};

const Family flow4(Afi::ipv4, Safi::flow);
const Family sr_policy4(Afi::ipv4, Safi::srte);
const Family evpn(Afi::l2vpn, Safi::evpn);
const Family bgp_ls(Afi::bgp_ls, Safi::bgp_ls);
const Bytes v4_next_hop = hex_bytes("C0000201");

void BM_DecodePackedFlowUpdate(benchmark::State& state) {
  // RFC 8955 7: traffic-rate 0 (discard).
  decode_bytes_bench(state, flow4, {}, flow_nlri, {}, 0, {0x8006000000000000});
}
void BM_DecodePackedEvpnMacIpUpdate(benchmark::State& state) {
  decode_bytes_bench(state, evpn, v4_next_hop, evpn_mac_ip, {});
}
void BM_DecodePackedEvpnPrefixUpdate(benchmark::State& state) {
  decode_bytes_bench(state, evpn, v4_next_hop, evpn_prefix, {});
}
void BM_DecodeBgplsNodeUpdate(benchmark::State& state) {
  decode_bytes_bench(state, bgp_ls, v4_next_hop, ls_node, {ls_node_attribute}, 1);
}
void BM_DecodeBgplsLinkUpdate(benchmark::State& state) {
  decode_bytes_bench(state, bgp_ls, v4_next_hop, ls_link, {ls_link_attribute}, 1);
}
void BM_DecodeBgplsPrefixUpdate(benchmark::State& state) {
  decode_bytes_bench(state, bgp_ls, v4_next_hop, ls_prefix, {ls_prefix_attribute}, 1);
}
// Prefix NLRI sharing one attribute, packed.
void BM_DecodePackedBgplsPrefixUpdate(benchmark::State& state) {
  decode_bytes_bench(state, bgp_ls, v4_next_hop, ls_prefix, {ls_prefix_attribute});
}
void BM_DecodeSrPolicyUpdate(benchmark::State& state) {
  decode_bytes_bench(state, sr_policy4, v4_next_hop, sr_policy, {sr_policy_attribute}, 1);
}

}  // namespace

BENCHMARK(BM_DecodePackedFlowUpdate);
BENCHMARK(BM_DecodePackedEvpnMacIpUpdate);
BENCHMARK(BM_DecodePackedEvpnPrefixUpdate);
BENCHMARK(BM_DecodeBgplsNodeUpdate);
BENCHMARK(BM_DecodeBgplsLinkUpdate);
BENCHMARK(BM_DecodeBgplsPrefixUpdate);
BENCHMARK(BM_DecodePackedBgplsPrefixUpdate);
BENCHMARK(BM_DecodeSrPolicyUpdate);
BENCHMARK(BM_DecodePackedVpnv4Update);
BENCHMARK(BM_DecodePackedLabeledUpdate);
BENCHMARK(BM_EncodePackedVpnv4Update);
