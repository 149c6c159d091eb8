// UTF-8 decoding with Go's rules: an invalid or truncated sequence decodes as U+FFFD and is one
// byte long, so every byte string can be walked rune by rune.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace devflow::expr::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;
inline constexpr char32_t kMaxRune = 0x10FFFF;

struct Decoded {
  char32_t rune;  // kReplacement for an invalid sequence
  int size;       // bytes consumed, >= 1; 0 only at the end of `s`
  bool valid;     // false when the bytes were not valid UTF-8
};

// Decodes the rune starting at s[pos]. At the end of `s` returns {kReplacement, 0, false}.
Decoded DecodeAt(std::string_view s, size_t pos);

// Appends the UTF-8 encoding of `rune`; surrogates and values above kMaxRune append U+FFFD.
void Append(char32_t rune, std::string& out);

// Number of runes in `s` (Go's utf8.RuneCountInString).
size_t RuneCount(std::string_view s);

}  // namespace devflow::expr::utf8
