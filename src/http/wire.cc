#include "http/wire.h"

#include <algorithm>
#include <cctype>

namespace devflow::http::wire {

bool IsFieldName(std::string_view name) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != kSpecials.npos;
  });
}

bool IsFieldValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string AppendFields(std::string& out, const Headers& headers,
                         std::initializer_list<std::string_view> managed) {
  std::string dropped;
  for (const auto& [name, value] : headers) {
    if (!IsFieldName(name) || !IsFieldValue(value)) {
      if (dropped.empty()) dropped = name.empty() ? "(empty name)" : name;
      continue;
    }
    bool is_managed = std::any_of(managed.begin(), managed.end(),
                                  [&](std::string_view m) { return EqualsIgnoreCase(name, m); });
    if (is_managed) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  return dropped;
}

}  // namespace devflow::http::wire
