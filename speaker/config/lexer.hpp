// A streaming tokenizer for ExaBGP's configuration language: it reads its
// input in fixed-size chunks, so a file of any size costs one buffer, and
// hands out one token at a time with its line and column.
//   words, "quoted" or 'quoted' strings, and the punctuation { } ; [ ] ( );
//   '#' starts a comment to the end of the line; ',' and a '\' (line
//   continuation) separate words like blanks.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

namespace bgpsim::config {

struct Token {
  enum Kind : std::uint8_t { word, quoted, punct, end };
  std::string text;
  std::uint32_t line = 0, column = 0;
  Kind kind = end;
  bool is(std::string_view s) const { return kind == word && text == s; }
  bool is(char c) const { return kind == punct && text.size() == 1 && text[0] == c; }
};

class Lexer {
 public:
  explicit Lexer(std::istream& in, std::uint32_t first_line = 1, std::uint32_t first_column = 1)
      : in_(in), line_(first_line), column_(first_column) {}
  // Fills `t` with the next token (kind `end` at the end of the input).
  void next(Token& t);
  std::uint32_t line() const { return line_; }
  std::uint32_t column() const { return column_; }

 private:
  int peek() {
    if (pos_ == len_ && !fill()) return -1;
    return static_cast<unsigned char>(buf_[pos_]);
  }
  void advance() {
    if (buf_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }
  bool fill();

  std::istream& in_;
  // Not zeroed: only [0, len_) is read, and every API command makes a Lexer.
  std::array<char, 1 << 16> buf_;
  std::size_t pos_ = 0, len_ = 0;
  std::uint32_t line_, column_;
};

}  // namespace bgpsim::config
