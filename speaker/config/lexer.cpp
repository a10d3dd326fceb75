#include "speaker/config/lexer.hpp"

namespace bgpsim::config {

namespace {
constexpr bool is_punct(int c) {
  return c == '{' || c == '}' || c == ';' || c == '[' || c == ']' || c == '(' || c == ')';
}
constexpr bool is_blank(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ',' ||
         c == '\\';
}
// Characters that end a word: blanks, punctuation, a comment.
constexpr auto word_end_table = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = is_blank(c) || is_punct(c) || c == '#';
  return t;
}();
}  // namespace

bool Lexer::fill() {
  pos_ = 0;
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  len_ = static_cast<std::size_t>(in_.gcount());
  return len_ > 0;
}

void Lexer::next(Token& t) {
  t.text.clear();
  for (;;) {
    int c = peek();
    if (c < 0) {
      t.kind = Token::end;
      t.line = line_;
      t.column = column_;
      return;
    }
    if (c == '#') {
      while ((c = peek()) >= 0 && c != '\n') advance();
      continue;
    }
    if (is_blank(c)) {
      advance();
      continue;
    }
    t.line = line_;
    t.column = column_;
    if (is_punct(c)) {
      t.kind = Token::punct;
      t.text.push_back(static_cast<char>(c));
      advance();
      return;
    }
    if (c == '"' || c == '\'') {
      t.kind = Token::quoted;
      advance();
      int q;
      while ((q = peek()) >= 0 && q != c) {
        t.text.push_back(static_cast<char>(q));
        advance();
      }
      if (q >= 0) advance();
      return;
    }
    t.kind = Token::word;
    // A word has no newline: it is taken a buffer's run at a time (the
    // column moves by its length), not a character at a time.
    while (peek() >= 0) {
      std::size_t end = pos_;
      while (end < len_ && !word_end_table[static_cast<unsigned char>(buf_[end])]) ++end;
      t.text.append(buf_.data() + pos_, end - pos_);
      column_ += static_cast<std::uint32_t>(end - pos_);
      pos_ = end;
      if (pos_ < len_) break;
    }
    return;
  }
}

}  // namespace bgpsim::config
