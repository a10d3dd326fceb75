// `bgpsim decode`: hex in, one ExaBGP-format JSON object per message out.
#include "tools/cli/decode.hpp"

#include <fmt/format.h>

#include <iostream>
#include <optional>
#include <string>

#include "speaker/wire/json.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::cli {

using namespace bgpsim::wire;

namespace {

constexpr std::string_view marker_hex = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

// Where an input came from: its index among the inputs, and on standard
// input its line number (1-based, blank lines counted).
struct InputPlace {
  std::size_t index = 0;
  std::optional<std::size_t> line;
};

void print_error(std::ostream& out, const DecodeError& e, const InputPlace& place) {
  Json j = error_to_json(e);
  j["error"]["input"] = place.index;
  if (place.line) j["error"]["line"] = *place.line;
  out << j.dump() << "\n";
}

// Decodes one hex string (one or more whole messages back to back, or an
// UPDATE body without its header) and prints a JSON line per message.
// Offsets count from the first byte of the input: the marker, or for an
// UPDATE body given without its header, the body's first byte.
bool decode_one(const std::string& hex, const DecodeOptions& options, std::ostream& out,
                const InputPlace& place) {
  auto bytes = parse_hex(hex);
  if (!bytes) {
    Json j{{"error", {{"input", place.index}, {"reason", "not hexadecimal: " + hex}}}};
    if (place.line) j["error"]["line"] = *place.line;
    out << j.dump() << "\n";
    return false;
  }
  std::size_t added = 0;  // bytes of header we added in front of the input
  if (bytes->size() < 16 || to_hex(ByteView(bytes->data(), 16)) != marker_hex) {
    // ExaBGP's `decode` accepts an UPDATE without its header: add one, if the
    // body fits a message (the 16-bit length field would otherwise wrap, and
    // the rest of the body be read as more messages).
    const std::size_t length = bytes->size() + header_size;
    const std::size_t max = options.context.max_message_size();
    if (length > max) {
      print_error(
          out,
          make_error(
              max - header_size, NotifyCode::message_header, header_error::bad_message_length,
              fmt::format(
                  "UPDATE body of {} bytes needs a message of {} bytes, "
                  "more than {}{}",
                  bytes->size(), length, max,
                  options.context.extended_message ? "" : " (--extended-message allows 65535)")),
          place);
      return false;
    }
    Bytes whole(16, 0xFF);
    whole.push_back(static_cast<std::uint8_t>(length >> 8));
    whole.push_back(static_cast<std::uint8_t>(length));
    whole.push_back(static_cast<std::uint8_t>(MessageType::update));
    whole.insert(whole.end(), bytes->begin(), bytes->end());
    *bytes = std::move(whole);
    added = header_size;
  }
  auto report = [&](DecodeError e, std::size_t consumed) {
    e.offset = e.offset + consumed >= added ? e.offset + consumed - added : 0;
    print_error(out, e, place);
  };
  ByteView stream(*bytes);
  std::size_t consumed = 0;
  bool ok = true;
  while (consumed < bytes->size()) {
    auto rest = stream.subspan(consumed);
    auto frame = next_frame(rest, options.context);
    if (!frame || !*frame) {
      report(frame ? frame->error()
                   : make_error(rest.size(), NotifyCode::message_header,
                                header_error::bad_message_length, "input ends inside a message"),
             consumed);
      return false;
    }
    auto message = decode_message(rest.subspan(0, (*frame)->length), options.context);
    if (!message) {
      report(message.error(), consumed);
      ok = false;
    } else {
      out << to_json(*message, options.context, options.envelope).dump() << "\n";
    }
    consumed += (*frame)->length;
  }
  return ok;
}

}  // namespace

int run_decode(const DecodeOptions& options, std::istream& in, std::ostream& out) {
  bool ok = true;
  std::size_t index = 0;
  if (!options.hex.empty()) {
    for (const auto& h : options.hex) ok = decode_one(h, options, out, {index++, {}}) && ok;
  } else {
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      ok = decode_one(line, options, out, {index++, line_number}) && ok;
    }
  }
  return ok ? 0 : 1;
}

void add_decode_command(CLI::App& app, DecodeOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "decode", "Decode BGP messages given in hex (arguments, or one per line on stdin) to JSON");
  cmd->add_option("hex", options.hex,
                  "Messages in hex; ':' and spaces are ignored. Without the 16-byte marker the "
                  "input is taken as an UPDATE body");
  cmd->add_option_function<std::vector<std::string>>(
         "--family",
         [](const std::vector<std::string>& families) {
           for (const auto& f : families)
             if (!Family::parse(f)) throw CLI::ValidationError("--family", "unknown family: " + f);
         },
         "Families the session negotiated, e.g. \"ipv4 unicast\" (all supported ones are decoded)")
      ->allow_extra_args(false);  // one family per use: the hex that follows is not a family
  cmd->add_option_function<std::vector<std::string>>(
         "--add-path",
         [&options](const std::vector<std::string>& families) {
           for (const auto& f : families) {
             auto family = Family::parse(f);
             if (!family) throw CLI::ValidationError("--add-path", "unknown family: " + f);
             options.context.add_path.insert(*family);
           }
         },
         "Families whose NLRI carry ADD-PATH path identifiers (RFC 7911)")
      ->allow_extra_args(false);  // one family per use: the hex that follows is not a family
  cmd->add_option_function<std::vector<std::string>>(
         "--extended-next-hop",
         [&options](const std::vector<std::string>& families) {
           for (const auto& f : families) {
             auto family = Family::parse(f);
             if (!family) throw CLI::ValidationError("--extended-next-hop", "unknown family: " + f);
             options.context.extended_next_hop.insert(*family);
           }
         },
         "Families whose MP_REACH_NLRI may carry an IPv6 next hop (RFC 8950)")
      ->allow_extra_args(false);  // one family per use: the hex that follows is not a family
  cmd->add_flag_callback(
      "--asn2", [&options] { options.context.four_octet_asn = false; },
      "The session did not negotiate 4-byte ASNs (AS_PATH holds 2-byte ASNs)");
  cmd->add_flag_callback(
      "--extended-message", [&options] { options.context.extended_message = true; },
      "Accept messages up to 65535 bytes (RFC 8654)");
  cmd->add_option("--local-address", options.envelope.local_address, "Envelope: local address");
  cmd->add_option("--peer-address", options.envelope.peer_address, "Envelope: peer address");
  cmd->add_option("--local-as", options.envelope.local_as, "Envelope: local AS");
  cmd->add_option("--peer-as", options.envelope.peer_as, "Envelope: peer AS");
  cmd->callback([&options, &exit_code] { exit_code = run_decode(options, std::cin, std::cout); });
}

}  // namespace bgpsim::cli
