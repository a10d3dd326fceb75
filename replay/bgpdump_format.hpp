// `bgpdump -m`'s one-line format (bgpdump 1.6), byte for byte, so scripts
// written against bgpdump keep working on `bgpsim replay decode --format bgpdump`:
//   TABLE_DUMP2|time|B|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|atomic_agg|aggregator|
//   BGP4MP|time|A|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|atomic_agg|aggregator|
//   BGP4MP|time|W|peer_ip|peer_as|prefix
//   BGP4MP|time|STATE|peer_ip|peer_as|old_state|new_state
// To match it exactly this reads the path attributes the way bgpdump does,
// quirks included (see docs/replay.md, "bgpdump format"), rather than through
// the codec: e.g. 2-byte AS numbers for BGP4MP_MESSAGE whatever the session
// negotiated, AS4_PATH merged as bgpdump merges it, host bits of prefixes kept,
// 255.255.255.255 for a missing NEXT_HOP, OPEN/NOTIFICATION/KEEPALIVE skipped.
#pragma once

#include <string>

#include "replay/record.hpp"

namespace bgpsim::replay {

// Appends the lines `bgpdump -m` prints for this MRT record (none for errors,
// non-UPDATE messages and the record kinds bgpdump does not print).
void format_bgpdump(const Record& r, std::string& out);

}  // namespace bgpsim::replay
