#include "analysis/expr/utf8.h"

namespace devflow::expr::utf8 {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

Decoded DecodeAt(std::string_view s, size_t pos) {
  if (pos >= s.size()) return {kReplacement, 0, false};
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  const size_t left = s.size() - pos;
  unsigned char c0 = byte(0);
  if (c0 < 0x80) return {c0, 1, true};
  const Decoded invalid{kReplacement, 1, false};
  int size;
  char32_t rune;
  char32_t min;
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    size = 2;
    rune = c0 & 0x1F;
    min = 0x80;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    size = 3;
    rune = c0 & 0x0F;
    min = 0x800;
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    size = 4;
    rune = c0 & 0x07;
    min = 0x10000;
  } else {
    return invalid;
  }
  if (left < static_cast<size_t>(size)) return invalid;
  for (int i = 1; i < size; i++) {
    if (!IsContinuation(byte(i))) return invalid;
    rune = (rune << 6) | (byte(i) & 0x3F);
  }
  if (rune < min || rune > kMaxRune || (rune >= 0xD800 && rune <= 0xDFFF)) return invalid;
  return {rune, size, true};
}

void Append(char32_t rune, std::string& out) {
  if (rune > kMaxRune || (rune >= 0xD800 && rune <= 0xDFFF)) rune = kReplacement;
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

size_t RuneCount(std::string_view s) {
  size_t count = 0;
  for (size_t pos = 0; pos < s.size(); pos += static_cast<size_t>(DecodeAt(s, pos).size)) {
    count++;
  }
  return count;
}

}  // namespace devflow::expr::utf8
