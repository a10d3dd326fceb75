// `bgpsim decode`: hex in, one ExaBGP-format JSON object per message out.
#include "tools/cli/decode.hpp"

#include <fmt/format.h>

#include <iostream>
#include <optional>
#include <string>

#include "speaker/wire/attributes.hpp"
#include "speaker/wire/family_row.hpp"
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

// A bare NLRI field of one family (ExaBGP's `decode --nlri`): every NLRI in
// it as the family row renders it, or the error at its byte offset.
bool decode_nlri(const Bytes& bytes, const DecodeOptions& options, std::ostream& out,
                 const InputPlace& place) {
  const Family family = options.families.empty() ? ipv4_unicast : options.families.front();
  const FamilyRow* row = family_row(family);
  if (!row) {
    Json j{{"error",
            {{"input", place.index},
             {"reason",
              fmt::format("no NLRI decoder for family {} in this build", family.to_string())}}}};
    if (place.line) j["error"]["line"] = *place.line;
    out << j.dump() << "\n";
    return false;
  }
  std::vector<Nlri> nlri;
  Reader r{ByteView(bytes)};
  if (auto e = row->decode(r, options.context.add_path.contains(family),
                           update_error::invalid_network_field, nlri)) {
    print_error(out, *e, place);
    return false;
  }
  Json list = Json::array();
  for (const auto& n : nlri) {
    Json one = Json::object();
    row->to_json(n, one);
    list.push_back(std::move(one));
  }
  out << Json{{"family", std::string(row->name)}, {"nlri", std::move(list)}}.dump() << "\n";
  return true;
}

// Whether a path-attribute field holds an MP_REACH_NLRI, from the attribute
// headers alone (flags, type, one or two length octets; RFC 4271 4.3).
bool has_mp_reach(const Bytes& field) {
  for (std::size_t at = 0; at + 3 <= field.size();) {
    const bool extended = field[at] & attr::flag::extended_length;
    if (field[at + 1] == attr::mp_reach_nlri) return true;
    if (extended && at + 4 > field.size()) break;
    const std::size_t length =
        extended ? std::size_t(field[at + 2]) << 8 | field[at + 3] : field[at + 2];
    at += (extended ? 4 : 3) + length;
  }
  return false;
}

// A bare path-attribute field: the attributes as an UPDATE's JSON shows them,
// with what RFC 7606 did to any of them; a session-reset error is an error.
bool decode_attribute_field(const Bytes& bytes, const DecodeOptions& options, std::ostream& out,
                            const InputPlace& place) {
  // Judged as the attributes of a route: RFC 7606's outcomes are then those
  // a route would meet, a missing well-known attribute included. Its NLRI are
  // in MP_REACH_NLRI when there is one, else in the UPDATE's own NLRI field
  // (which makes NEXT_HOP mandatory, RFC 4760 3).
  auto decoded = decode_attributes(Reader{ByteView(bytes)}, options.context, !has_mp_reach(bytes));
  if (!decoded) {
    print_error(out, decoded.error(), place);
    return false;
  }
  // Rendered as an UPDATE with these attributes would be (MP_REACH and
  // MP_UNREACH as "announce"/"withdraw"), plus the NEXT_HOP, which ExaBGP
  // shows only as the key of IPv4 NLRI that a bare field does not have.
  Update u;
  u.attributes = decoded->attributes;
  u.attribute_errors = decoded->errors;
  Json j = update_to_json(u, options.context)["update"];
  // Under treat-as-withdraw an UPDATE hides its attributes; a bare field shows them.
  j["attribute"] = Json::object();
  attributes_to_json(decoded->attributes, options.context, j["attribute"]);
  if (decoded->attributes.next_hop)
    j["attribute"]["next-hop"] = decoded->attributes.next_hop->to_string();
  out << j.dump() << "\n";
  return true;
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
  if (options.input == DecodeOptions::Input::nlri) return decode_nlri(*bytes, options, out, place);
  if (options.input == DecodeOptions::Input::attributes)
    return decode_attribute_field(*bytes, options, out, place);
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
         "-f,--family",
         [&options](const std::vector<std::string>& families) {
           for (const auto& f : families) {
             auto family = Family::parse(f);
             if (!family) throw CLI::ValidationError("--family", "unknown family: " + f);
             options.families.push_back(*family);
           }
         },
         "A family as ExaBGP spells it, e.g. \"ipv4 mpls-vpn\": the family of a bare NLRI "
         "(--nlri; the first given); messages decode every family this build has")
      ->allow_extra_args(false);  // one family per use: the hex that follows is not a family
  cmd->add_flag_callback(
      "-n,--nlri", [&options] { options.input = DecodeOptions::Input::nlri; },
      "Each input is a bare NLRI field of --family (default ipv4 unicast), as ExaBGP's decode -n");
  cmd->add_flag_callback(
      "-a,--attributes", [&options] { options.input = DecodeOptions::Input::attributes; },
      "Each input is a bare path-attribute field (attributes back to back, no UPDATE around them)");
  cmd->add_flag_callback(
      "-i,--path-information",
      [&options] {
        // After parsing: every --family given (or ipv4 unicast) carries path ids.
        options.path_information = true;
      },
      "NLRI of the --family families carry ADD-PATH path identifiers (RFC 7911), as ExaBGP's -i");
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
  cmd->callback([&options, &exit_code] {
    if (options.path_information) {
      if (options.families.empty()) options.context.add_path.insert(ipv4_unicast);
      for (const auto& f : options.families) options.context.add_path.insert(f);
    }
    exit_code = run_decode(options, std::cin, std::cout);
  });
}

}  // namespace bgpsim::cli
