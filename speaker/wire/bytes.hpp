// Bounds-checked byte reading and writing for the codec.
// A Reader never reads past its span: every read checks the remaining length
// first and reports failure, so decoders cannot overrun a buffer whatever the
// input. Offsets are absolute (from the start of the message) so errors can
// name the byte where they happened.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bgpsim::wire {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

class Reader {
 public:
  Reader(ByteView data, std::size_t base_offset = 0) : data_(data), base_(base_offset) {}

  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  // Absolute offset of the next byte (from the start of the enclosing message).
  std::size_t offset() const { return base_ + pos_; }

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[pos_++];
  }
  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<std::uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += 4;
    return v;
  }
  std::optional<std::uint64_t> u64() {
    if (remaining() < 8) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += 8;
    return v;
  }
  // A sub-reader over the next n bytes, with offsets that stay absolute.
  std::optional<Reader> sub(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    Reader r(data_.subspan(pos_, n), base_ + pos_);
    pos_ += n;
    return r;
  }
  std::optional<ByteView> take(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    auto v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  ByteView rest() {
    auto v = data_.subspan(pos_);
    pos_ = data_.size();
    return v;
  }
  ByteView peek_rest() const { return data_.subspan(pos_); }

 private:
  ByteView data_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;
};

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out_.push_back(static_cast<std::uint8_t>(v >> s));
  }
  void u64(std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out_.push_back(static_cast<std::uint8_t>(v >> s));
  }
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  std::size_t size() const { return out_.size(); }
  // Reserve a length field to be patched once the body is written.
  std::size_t reserve_u8() {
    out_.push_back(0);
    return out_.size() - 1;
  }
  std::size_t reserve_u16() {
    out_.insert(out_.end(), 2, 0);
    return out_.size() - 2;
  }
  void patch_u8(std::size_t at, std::uint8_t v) { out_[at] = v; }
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }
  Bytes& buffer() { return out_; }

 private:
  Bytes& out_;
};

// Hex helpers: parsing ignores ':' and whitespace, as ExaBGP's .ci files do.
std::optional<Bytes> parse_hex(std::string_view text);
std::string to_hex(ByteView data, bool upper = true);

}  // namespace bgpsim::wire
