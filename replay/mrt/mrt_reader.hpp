// MRT (RFC 6396, RFC 8050 add-path) read as a stream of Records: TABLE_DUMP,
// TABLE_DUMP_V2 (one rib_entry per route), BGP4MP and BGP4MP_ET (messages and
// state changes), and the obsolete BGP type of the 1999-2001 RIPE RIS files.
// Plain, gzip or bzip2 input (told apart by their magic bytes). The file is
// read record by record, so memory does not grow with it. A damaged record is
// reported as an error Record (file, record number, byte offset) and skipped;
// a truncated file ends with an error Record.
#pragma once

#include <functional>
#include <string>

#include "replay/record.hpp"
#include "speaker/wire/bytes.hpp"
#include "speaker/wire/context.hpp"

namespace bgpsim::replay {

using RecordSink = std::function<void(const Record&)>;

// Reads the file at `path` (plain, .gz or .bz2 content). A file that cannot be
// opened gives one error Record.
void read_mrt(const std::string& path, const RecordSink& sink);

// Reads MRT records from memory (uncompressed); `name` labels the Records.
void read_mrt_bytes(wire::ByteView data, const std::string& name, const RecordSink& sink);

// Whether the first bytes look like MRT we can read (compressed or not); for
// `bgpsim replay decode` to tell MRT from pcap.
bool looks_like_mrt(const std::string& path);

// The codec context for a message Record read from MRT. BGP4MP_MESSAGE and
// _LOCAL carry no negotiation, so like bgpdump we assume 2-byte AS numbers in
// the AS_PATH for them and 4-byte for the _AS4 subtypes; the RFC 8050 _ADDPATH
// subtypes mean path ids on every unicast and multicast family.
wire::DecodeContext mrt_decode_context(const Record& r);

// RFC 6396 type and subtype numbers.
namespace mrt {
inline constexpr std::uint16_t bgp = 5;  // obsolete (RFC 6396 B.2.1), RIPE RIS 1999-2001
inline constexpr std::uint16_t table_dump = 12;
inline constexpr std::uint16_t table_dump_v2 = 13;
inline constexpr std::uint16_t bgp4mp = 16;
inline constexpr std::uint16_t bgp4mp_et = 17;

namespace bgp_subtype {
inline constexpr std::uint16_t update = 1, state_change = 3, open = 5, notify = 6, keepalive = 7;
}
namespace td2 {
inline constexpr std::uint16_t peer_index_table = 1, rib_ipv4_unicast = 2, rib_ipv4_multicast = 3,
                               rib_ipv6_unicast = 4, rib_ipv6_multicast = 5, rib_generic = 6,
                               rib_ipv4_unicast_addpath = 8, rib_ipv4_multicast_addpath = 9,
                               rib_ipv6_unicast_addpath = 10, rib_ipv6_multicast_addpath = 11,
                               rib_generic_addpath = 12;
}
namespace bgp4mp_subtype {
inline constexpr std::uint16_t state_change = 0, message = 1, message_as4 = 4, state_change_as4 = 5,
                               message_local = 6, message_as4_local = 7, message_addpath = 8,
                               message_as4_addpath = 9, message_local_addpath = 10,
                               message_as4_local_addpath = 11;
}
bool is_addpath(std::uint16_t type, std::uint16_t subtype);
bool is_local(std::uint16_t subtype);  // BGP4MP *_LOCAL: the local speaker sent it
bool is_as4(std::uint16_t subtype);    // BGP4MP *_AS4*
}  // namespace mrt

}  // namespace bgpsim::replay
