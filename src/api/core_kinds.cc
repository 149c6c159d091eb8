#include "api/core_kinds.h"

#include <algorithm>
#include <array>

#include "common/field_path.h"

namespace devflow::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps a byte to its 6-bit value, or -1 when it is not in the alphabet.
constexpr std::array<int8_t, 256> MakeReverse() {
  std::array<int8_t, 256> table{};
  for (int8_t& v : table) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}
constexpr std::array<int8_t, 256> kReverse = MakeReverse();

Status Invalid(std::string what) {
  return InvalidArgumentError(
      "is not valid base64 (standard alphabet A-Z a-z 0-9 + /, '=' padding to a "
      "multiple of 4 characters): " +
      what);
}

}  // namespace

Result<std::string> DecodeBase64(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) {
    return Invalid("length " + std::to_string(clean.size()) + " is not a multiple of 4");
  }
  std::string out;
  out.reserve(clean.size() / 4 * 3);
  for (size_t i = 0; i < clean.size(); i += 4) {
    bool last = i + 4 == clean.size();
    int padding = 0;
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = clean[i + j];
      if (c == '=') {
        // Padding only in the last group's last one or two places.
        if (!last || j < 2 || (j == 2 && clean[i + 3] != '=')) {
          return Invalid("'=' at offset " + std::to_string(i + j) + " is not final padding");
        }
        ++padding;
        group <<= 6;
        continue;
      }
      int8_t v = kReverse[static_cast<unsigned char>(c)];
      if (v < 0) {
        return Invalid("character '" + std::string(1, c) + "' at offset " + std::to_string(i + j) +
                       " is not in the alphabet");
      }
      group = (group << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<char>((group >> 16) & 0xFF));
    if (padding < 2) out.push_back(static_cast<char>((group >> 8) & 0xFF));
    if (padding < 1) out.push_back(static_cast<char>(group & 0xFF));
  }
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group <<= 8;
      if (j < n) group |= static_cast<unsigned char>(bytes[i + j]);
    }
    out.push_back(kAlphabet[(group >> 18) & 0x3F]);
    out.push_back(kAlphabet[(group >> 12) & 0x3F]);
    out.push_back(n > 1 ? kAlphabet[(group >> 6) & 0x3F] : '=');
    out.push_back(n > 2 ? kAlphabet[group & 0x3F] : '=');
  }
  return out;
}

Result<std::string> SecretValue(const Secret& secret, std::string_view key) {
  std::string k(key);
  if (auto it = secret.string_data.find(k); it != secret.string_data.end()) return it->second;
  auto it = secret.data.find(k);
  if (it == secret.data.end()) {
    return NotFoundError("secret has no key \"" + k + "\" in data or stringData");
  }
  Result<std::string> decoded = DecodeBase64(it->second);
  if (!decoded.ok()) {
    return InvalidArgumentError(decoded.error().message(), FieldPath("data").Child(k).str());
  }
  return decoded;
}

}  // namespace devflow::api
