// Whole messages, every type: decode(encode(m)) == m, encode(decode(b)) == b
// for canonical bytes, and arbitrary bytes never crash or overrun (run under
// ASan/UBSan in CI).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "speaker/wire/message.hpp"
#include "tests/wire/gen_attributes.hpp"
#include "tests/wire/gen_open.hpp"

namespace bgpsim::wire {
namespace {

rc::Gen<Nlri> prefix(bool v6, bool add_path) {
  return rc::gen::exec([v6, add_path] {
    Nlri n;
    n.prefix.address.v6 = v6;
    n.prefix.length = *rc::gen::inRange<std::uint8_t>(0, v6 ? 129 : 33);
    for (std::size_t i = 0; i < n.prefix.address.size(); ++i)
      n.prefix.address.bytes[i] = *rc::gen::arbitrary<std::uint8_t>();
    // Canonical: no bits past the prefix length.
    for (unsigned bit = n.prefix.length; bit < 128; ++bit)
      n.prefix.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    if (add_path) n.path_id = *rc::gen::arbitrary<std::uint32_t>();
    return n;
  });
}

rc::Gen<std::vector<Nlri>> prefixes(bool v6, bool add_path) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, 40), [v6, add_path](std::size_t n) {
    return rc::gen::container<std::vector<Nlri>>(n, prefix(v6, add_path));
  });
}

// A well-formed UPDATE for `ctx`: the mandatory attributes are present
// whenever routes are announced (otherwise RFC 7606 would turn it into a
// withdrawal, a different value).
rc::Gen<Update> update(const CodecContext& ctx) {
  return rc::gen::exec([ctx] {
    Update u;
    const bool v4_add_path = ctx.add_path.contains(ipv4_unicast);
    const bool v6_add_path = ctx.add_path.contains(ipv6_unicast);
    u.withdrawn = *prefixes(false, v4_add_path);
    u.nlri = *prefixes(false, v4_add_path);
    u.attributes = *gen::path_attributes(ctx.four_octet_asn);
    if (*rc::gen::arbitrary<bool>()) {
      MpReach reach{ipv6_unicast, {}, {}, {}};
      reach.next_hop = *rc::gen::container<Bytes>(16, rc::gen::arbitrary<std::uint8_t>());
      reach.nlri = *rc::gen::nonEmpty(prefixes(true, v6_add_path));
      u.attributes.mp_reach = reach;
    }
    if (*rc::gen::arbitrary<bool>())
      u.attributes.mp_unreach =
          MpUnreach{ipv6_unicast, *rc::gen::nonEmpty(prefixes(true, v6_add_path)), {}};
    const bool announces = !u.nlri.empty() || u.attributes.mp_reach;
    if (announces) {
      if (!u.attributes.origin) u.attributes.origin = Origin::igp;
      if (!u.attributes.as_path) u.attributes.as_path = AsPath{};
    }
    if (!u.nlri.empty() && !u.attributes.next_hop)
      u.attributes.next_hop = IpAddress::v4_from_u32(1);
    return u;
  });
}

rc::Gen<CodecContext> context() {
  return rc::gen::exec([] {
    CodecContext ctx;
    ctx.four_octet_asn = *rc::gen::arbitrary<bool>();
    ctx.extended_message = true;  // generated UPDATEs may exceed 4096 bytes
    if (*rc::gen::arbitrary<bool>()) ctx.add_path.insert(ipv4_unicast);
    if (*rc::gen::arbitrary<bool>()) ctx.add_path.insert(ipv6_unicast);
    return ctx;
  });
}

rc::Gen<Message> message(const CodecContext& ctx) {
  return rc::gen::oneOf(rc::gen::cast<Message>(update(ctx)), rc::gen::cast<Message>(gen::open()),
                        rc::gen::cast<Message>(gen::notification()),
                        rc::gen::cast<Message>(gen::route_refresh()),
                        rc::gen::just(Message(Keepalive{})));
}

RC_GTEST_PROP(MessageProperty, DecodeInvertsEncode, ()) {
  const auto ctx = *context();
  const auto m = *message(ctx);
  const Bytes bytes = encode_message(m, ctx);
  RC_PRE(bytes.size() <= ctx.max_message_size());
  auto decoded = decode_message(bytes, ctx);
  RC_ASSERT(decoded.ok());
  RC_ASSERT(*decoded == m);
  // The bytes are canonical: encoding the decoded value gives them back.
  RC_ASSERT(encode_message(*decoded, ctx) == bytes);
}

RC_GTEST_PROP(MessageProperty, FramingAgreesWithEncoding, ()) {
  const auto ctx = *context();
  const Bytes bytes = encode_message(*message(ctx), ctx);
  RC_PRE(bytes.size() <= ctx.max_message_size());
  const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
  RC_ASSERT(!next_frame(ByteView(bytes.data(), cut), ctx).has_value());  // waits for the rest
  auto frame = next_frame(bytes, ctx);
  RC_ASSERT(frame.has_value() && frame->ok());
  RC_ASSERT((*frame)->length == bytes.size());
}

// Any body behind a valid header, for each type: an error value or a message,
// never a crash or a read past the end.
RC_GTEST_PROP(MessageProperty, ArbitraryBodiesNeverCrash, ()) {
  const auto ctx = *context();
  const auto type = *rc::gen::inRange<std::uint8_t>(1, 6);
  const auto body = *gen::bytes(600);
  Bytes bytes(16, 0xFF);
  const std::size_t length = bytes.size() + 3 + body.size();
  bytes.push_back(static_cast<std::uint8_t>(length >> 8));
  bytes.push_back(static_cast<std::uint8_t>(length));
  bytes.push_back(type);
  bytes.insert(bytes.end(), body.begin(), body.end());
  auto decoded = decode_message(bytes, ctx);
  if (!decoded) RC_ASSERT(decoded.error().offset <= bytes.size());
}

RC_GTEST_PROP(MessageProperty, ArbitraryBytesNeverCrash, ()) {
  const auto bytes = *gen::bytes(300);
  auto decoded = decode_message(bytes, *context());
  if (!decoded) RC_ASSERT(decoded.error().offset <= bytes.size());
}

// Corrupting one byte of a valid message never crashes either.
RC_GTEST_PROP(MessageProperty, CorruptedMessagesNeverCrash, ()) {
  const auto ctx = *context();
  Bytes bytes = encode_message(*message(ctx), ctx);
  RC_PRE(bytes.size() <= ctx.max_message_size());
  const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
  bytes[at] = *rc::gen::arbitrary<std::uint8_t>();
  auto decoded = decode_message(bytes, ctx);
  if (!decoded) RC_ASSERT(decoded.error().offset <= bytes.size());
}

}  // namespace
}  // namespace bgpsim::wire
