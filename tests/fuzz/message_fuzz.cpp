// libFuzzer target for the message decoder. The first input byte chooses the
// CodecContext the session would have negotiated (bit 0: 4-byte ASNs, bit 1:
// extended message, bit 2: add-path for every family the codec knows, bit 3:
// RFC 8950 extended next hop for IPv4, bit 4: ExaBGP compatibility); the
// rest is a byte stream cut into messages by next_frame as the session cuts
// it. Properties, besides no crash/leak/UB (ASan, UBSan):
//  - an error names a byte offset inside the message it comes from and maps
//    to a NOTIFICATION a decoder may send: Message Header, OPEN Message,
//    UPDATE Message or ROUTE-REFRESH Message Error (codes 1, 2, 3, 7), or
//    code 0 for a message to drop silently (RFC 7313 5: an unknown
//    ROUTE-REFRESH subtype);
//  - a message that decodes without RFC 7606 errors and encodes again in the
//    same context decodes to the same message (decode -> encode -> decode;
//    with ExaBGP compatibility, which reorders and adds, encode -> decode ->
//    encode gives the same bytes);
//  - nothing encoded is longer than the context allows.
// Seeds: tests/fuzz/make_corpus.py (qa/ and ../shared/exabgp-qa messages).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "speaker/wire/message.hpp"

using namespace bgpsim;

namespace {

wire::CodecContext context_of(std::uint8_t selector) {
  wire::CodecContext ctx;
  ctx.four_octet_asn = (selector & 1) != 0;
  ctx.extended_message = (selector & 2) != 0;
  if (selector & 4)  // add-path on every (AFI, SAFI) the codec implements
    for (const auto afi : {wire::Afi::ipv4, wire::Afi::ipv6, wire::Afi::l2vpn})
      for (const auto safi :
           {wire::Safi::unicast, wire::Safi::multicast, wire::Safi::nlri_mpls,
            wire::Safi::mcast_vpn, wire::Safi::vpls, wire::Safi::evpn, wire::Safi::mup,
            wire::Safi::mpls_vpn, wire::Safi::rtc, wire::Safi::flow, wire::Safi::flow_vpn})
        ctx.add_path.insert(wire::Family{afi, safi});
  if (selector & 8) {
    ctx.extended_next_hop.insert(wire::ipv4_unicast);
    ctx.extended_next_hop.insert(wire::Family{wire::Afi::ipv4, wire::Safi::mpls_vpn});
  }
  ctx.exabgp_compat = (selector & 16) != 0;
  ctx.keep_unknown_well_known = ctx.exabgp_compat;
  return ctx;
}

// A broken property: says which, with the bytes, then aborts (libFuzzer
// saves the input).
[[noreturn]] void fail(const char* what, wire::ByteView first, wire::ByteView second) {
  std::fprintf(stderr, "message_fuzz: %s\n  message:   ", what);
  for (auto b : first) std::fprintf(stderr, "%02X", b);
  std::fprintf(stderr, "\n  re-encoded: ");
  for (auto b : second) std::fprintf(stderr, "%02X", b);
  std::fprintf(stderr, "\n");
  std::abort();
}

void check_message(wire::ByteView bytes, const wire::CodecContext& ctx) {
  auto decoded = wire::decode_message(bytes, ctx);
  if (!decoded.ok()) {
    const auto& e = decoded.error();
    if (e.offset > bytes.size()) fail("error offset past the message", bytes, {});
    const auto n = wire::to_notification(e);
    if (n.code != 0 && n.code != 1 && n.code != 2 && n.code != 3 && n.code != 7)
      fail("error code a decoder cannot send", bytes, {});
    return;
  }
  const wire::Message& m = decoded.value();
  if (const auto* u = std::get_if<wire::Update>(&m); u && !u->attribute_errors.empty()) return;
  wire::Bytes again;
  if (wire::encode_message(m, ctx, again)) return;  // refused (too long): fine
  if (again.size() > ctx.max_message_size()) fail("encoded past the maximum size", bytes, again);
  auto redecoded = wire::decode_message(again, ctx);
  if (!redecoded.ok()) fail("the re-encoding does not decode", bytes, again);
  if (!ctx.exabgp_compat) {
    if (!(redecoded.value() == m)) fail("the re-encoding decodes to another message", bytes, again);
    return;
  }
  // ExaBGP's wire order sorts extended communities and adds NEXT_HOP beside
  // MP_REACH_NLRI (context.hpp): the first encoding is the fixed point.
  wire::Bytes third;
  if (wire::encode_message(redecoded.value(), ctx, third) || third != again)
    fail("the re-encoding is not stable", again, third);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto ctx = context_of(data[0]);
  wire::ByteView stream(data + 1, size - 1);
  // Message by message, as the session reads them; a framing error ends the stream.
  for (int i = 0; i < 64 && !stream.empty(); ++i) {
    auto frame = wire::next_frame(stream, ctx);
    if (!frame) break;
    if (!frame->ok()) {
      if (frame->error().offset > stream.size()) std::abort();
      break;
    }
    const auto length = frame->value().length;
    if (length < wire::header_size || length > stream.size()) std::abort();
    check_message(stream.subspan(0, length), ctx);
    stream = stream.subspan(length);
  }
  return 0;
}
