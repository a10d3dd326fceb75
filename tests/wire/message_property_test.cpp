// Whole messages, every type: decode(encode(m)) == m, encode(decode(b)) == b
// for canonical bytes; malformed messages (valid or broken headers, random or
// corrupted bodies) decode to a value that survives re-encoding or fail with
// the offset and NOTIFICATION RFC 4271 gives (and never overrun: ASan/UBSan
// in CI).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <initializer_list>

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

// --- Malformed input ------------------------------------------------------
// Every message below is decoded and its outcome checked against what RFC
// 4271 (and RFC 7313 for ROUTE-REFRESH) says about the bytes, worked out here
// from the header alone:
//   - a marker byte that is not 0xFF: Message Header Error / Connection Not
//     Synchronized at that byte (6.1);
//   - an unknown type: Bad Message Type at offset 18, data the type (6.1);
//   - a length outside the type's range, a KEEPALIVE that is not 19 bytes, or
//     a length field that disagrees with the bytes given: Bad Message Length
//     at offset 16, data the length field (6.1);
//   - otherwise the body decides: a message of the header's type whose
//     re-encoding decodes to the same value, or an error inside the message
//     whose NOTIFICATION code and subcode RFC 4271 allows for that type
//     (OPEN 6.2, UPDATE 6.3; NOTIFICATION and KEEPALIVE bodies cannot fail;
//     ROUTE-REFRESH: RFC 7313 5 Invalid Message Length, or code 0 "ignore"
//     for an unknown subtype).
// Under ASan/UBSan this also proves no read past the end.

bool allowed_body_error(std::uint8_t type, const DecodeError& e, const Bytes& bytes) {
  const auto& in = [](std::uint8_t v, std::initializer_list<std::uint8_t> set) {
    return std::find(set.begin(), set.end(), v) != set.end();
  };
  switch (static_cast<MessageType>(type)) {
    case MessageType::open:  // RFC 4271 6.2 (5 deprecated), RFC 5492 (7); 0: unspecific
      return e.code == 2 && in(e.subcode, {0, 1, 2, 3, 4, 6, 7});
    case MessageType::update:  // RFC 4271 6.3 (7 deprecated)
      return e.code == 3 && in(e.subcode, {1, 2, 3, 4, 5, 6, 8, 9, 10, 11});
    case MessageType::route_refresh:
      if (bytes.size() != 23) return e.code == 7 && e.subcode == 1 && e.offset == 16;
      return e.code == 0 && e.offset == 21 && !in(bytes[21], {0, 1, 2});
    case MessageType::notification:
    case MessageType::keepalive:
      return false;
  }
  return false;
}

void check_outcome(const Bytes& bytes, const CodecContext& ctx) {
  RC_PRE(bytes.size() >= header_size);
  const auto decoded = decode_message(bytes, ctx);
  const auto error_is = [&](std::size_t offset, std::uint8_t subcode) {
    RC_ASSERT(!decoded.ok());
    RC_ASSERT(decoded.error().code == 1);
    RC_ASSERT(decoded.error().subcode == subcode);
    RC_ASSERT(decoded.error().offset == offset);
  };
  for (std::size_t i = 0; i < 16; ++i)
    if (bytes[i] != 0xFF) return error_is(i, 1);
  const std::size_t length = std::size_t(bytes[16]) << 8 | bytes[17];
  const std::uint8_t type = bytes[18];
  // ROUTE-REFRESH: no header minimum, a short body is RFC 7313 5's 7/1.
  static constexpr std::size_t min_length[] = {0, 29, 23, 21, 19, 19};
  if (type < 1 || type > 5) {
    error_is(18, 3);
    RC_ASSERT(decoded.error().data == Bytes{type});
    return;
  }
  const bool may_be_extended = type != 1 && type != 4;  // RFC 8654 4
  const std::size_t max = may_be_extended ? ctx.max_message_size() : 4096;
  if (length < min_length[type] || length > max || (type == 4 && length != 19) ||
      length != bytes.size()) {
    error_is(16, 2);
    RC_ASSERT(decoded.error().data == Bytes(bytes.begin() + 16, bytes.begin() + 18));
    return;
  }
  if (!decoded) {
    const auto& e = decoded.error();
    RC_ASSERT(e.offset < bytes.size());
    if (!allowed_body_error(type, e, bytes))
      RC_FAIL("type " + std::to_string(type) + ": error " + std::to_string(e.code) + "/" +
              std::to_string(e.subcode) + " at " + std::to_string(e.offset) + " (" + e.reason +
              ") is not one RFC 4271 allows");
    return;
  }
  RC_ASSERT(static_cast<std::uint8_t>(type_of(*decoded)) == type);
  if (const auto* u = std::get_if<Update>(&*decoded); u && !u->attribute_errors.empty()) {
    // RFC 7606: handled in place (discard, treat-as-withdraw), never a reset;
    // the value is not what was sent, so there is nothing to re-encode.
    for (const auto& e : u->attribute_errors) {
      RC_ASSERT(e.action != ErrorAction::session_reset);
      RC_ASSERT(e.error.code == 3);
      RC_ASSERT(e.error.offset >= 23 && e.error.offset < bytes.size());
    }
    return;
  }
  const Bytes again = encode_message(*decoded, ctx);
  const auto redecoded = decode_message(again, ctx);
  RC_ASSERT(redecoded.ok());
  RC_ASSERT(*redecoded == *decoded);
}

// A body of the header's type: random bytes, or a valid message's body with
// a few bytes changed, cut short or extended (so UPDATE and OPEN parsing goes
// past the first length field).
rc::Gen<Bytes> body_for(std::uint8_t type, const CodecContext& ctx) {
  return rc::gen::exec([type, ctx] {
    Bytes body;
    if (type >= 1 && type <= 5 && *rc::gen::inRange(0, 3) != 0) {
      Message m = Keepalive{};
      switch (type) {
        case 1:
          m = *gen::open();
          break;
        case 2:
          m = *update(ctx);
          break;
        case 3:
          m = *gen::notification();
          break;
        case 5:
          m = *gen::route_refresh();
          break;
      }
      const Bytes whole = encode_message(m, ctx);
      body.assign(whole.begin() + header_size, whole.end());
      const int changes = *rc::gen::inRange(0, 4);
      for (int i = 0; i < changes && !body.empty(); ++i)
        body[*rc::gen::inRange<std::size_t>(0, body.size())] = *rc::gen::arbitrary<std::uint8_t>();
      switch (*rc::gen::inRange(0, 4)) {
        case 0:
          if (!body.empty()) body.resize(*rc::gen::inRange<std::size_t>(0, body.size()));
          break;
        case 1: {
          const auto extra = *gen::bytes(8);
          body.insert(body.end(), extra.begin(), extra.end());
          break;
        }
        default:
          break;
      }
    } else {
      body = *gen::bytes(600);
    }
    return body;
  });
}

// Valid marker (or one wrong byte), each type (and unknown ones), a length
// field that matches the bytes or deliberately does not, and a body as above.
rc::Gen<Bytes> headered_message(const CodecContext& ctx) {
  return rc::gen::exec([ctx] {
    const std::uint8_t type = *rc::gen::inRange(0, 8) == 0 ? *rc::gen::arbitrary<std::uint8_t>()
                                                           : *rc::gen::inRange<std::uint8_t>(1, 6);
    const Bytes body = *body_for(type, ctx);
    Bytes bytes(16, 0xFF);
    if (*rc::gen::inRange(0, 16) == 0)
      bytes[*rc::gen::inRange<std::size_t>(0, 16)] = *rc::gen::inRange<std::uint8_t>(0, 0xFF);
    std::size_t length = header_size + body.size();
    switch (*rc::gen::inRange(0, 16)) {  // 3 in 16: a length that disagrees
      case 0:
        length = *rc::gen::arbitrary<std::uint16_t>();
        break;
      case 1:
        length = length + *rc::gen::inRange<std::size_t>(1, 4);
        break;
      case 2:
        length = length - std::min(length, *rc::gen::inRange<std::size_t>(1, 4));
        break;
      default:
        break;
    }
    bytes.push_back(static_cast<std::uint8_t>(length >> 8));
    bytes.push_back(static_cast<std::uint8_t>(length));
    bytes.push_back(type);
    bytes.insert(bytes.end(), body.begin(), body.end());
    return bytes;
  });
}

RC_GTEST_PROP(MessageProperty, HeaderedRandomMessagesDecodeOrFailAsTheRfcSays, ()) {
  const auto ctx = *context();
  const auto bytes = *headered_message(ctx);
  // How often the decoder's body paths are reached (printed by rapidcheck).
  const bool marker_ok =
      std::all_of(bytes.begin(), bytes.begin() + 16, [](std::uint8_t b) { return b == 0xFF; });
  RC_CLASSIFY(marker_ok && bytes[18] >= 1 && bytes[18] <= 5 &&
                  (std::size_t(bytes[16]) << 8 | bytes[17]) == bytes.size(),
              "header accepted: the body is decoded");
  RC_CLASSIFY(decode_message(bytes, ctx).ok(), "decoded");
  check_outcome(bytes, ctx);
}

// Corrupting one byte of a valid message: the same checks.
RC_GTEST_PROP(MessageProperty, CorruptedMessagesDecodeOrFailAsTheRfcSays, ()) {
  const auto ctx = *context();
  Bytes bytes = encode_message(*message(ctx), ctx);
  RC_PRE(bytes.size() <= ctx.max_message_size());
  const auto at = *rc::gen::inRange<std::size_t>(0, bytes.size());
  bytes[at] = *rc::gen::arbitrary<std::uint8_t>();
  check_outcome(bytes, ctx);
}

}  // namespace
}  // namespace bgpsim::wire
