#include "replay/file_kind.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace bgpsim::replay {

FileKind file_kind(std::span<const std::uint8_t> head) {
  if (head.size() < 4) return FileKind::other;
  const std::uint32_t be = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                           (std::uint32_t{head[2]} << 8) | std::uint32_t{head[3]};
  switch (be) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
      return FileKind::pcap;
    case 0x0a0d0d0a:
      return FileKind::pcapng;
    default:
      return FileKind::other;
  }
}

FileKind file_kind(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f{std::fopen(path.c_str(), "rb"),
                                                          &std::fclose};
  if (!f) throw std::runtime_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::array<std::uint8_t, 4> head{};
  const std::size_t n = std::fread(head.data(), 1, head.size(), f.get());
  return file_kind(std::span<const std::uint8_t>(head.data(), n));
}

std::string_view to_string(FileKind kind) {
  switch (kind) {
    case FileKind::pcap:
      return "pcap";
    case FileKind::pcapng:
      return "pcapng";
    case FileKind::other:
      return "other";
  }
  return "other";
}

}  // namespace bgpsim::replay
