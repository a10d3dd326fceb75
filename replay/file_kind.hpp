// Which reader a capture file needs, told by its first four bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bgpsim::replay {

enum class FileKind : std::uint8_t {
  pcap,    // libpcap: a1b2c3d4 / a1b23c4d (nanoseconds), either byte order
  pcapng,  // section header block 0a0d0d0a
  other,   // anything else: MRT (possibly compressed) or not a capture at all
};

// From the first bytes of the file (fewer than four: other).
FileKind file_kind(std::span<const std::uint8_t> head);

// Reads the first four bytes of `path`; throws std::runtime_error naming the
// file when it cannot be opened.
FileKind file_kind(const std::string& path);

std::string_view to_string(FileKind kind);

}  // namespace bgpsim::replay
