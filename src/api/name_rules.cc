#include "api/name_rules.h"

#include "api/validation_util.h"

namespace devflow::api {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::string CheckDnsLabel(std::string_view s) {
  const std::string rule =
      "must be at most 63 lowercase letters, digits and '-', starting and ending with a letter "
      "or digit, got " +
      Quoted(s);
  if (s.empty() || s.size() > 63) return rule;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return rule;
  }
  if (!IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return rule;
  return {};
}

std::string CheckDnsSubdomain(std::string_view s) {
  const std::string rule =
      "must be at most 253 lowercase letters, digits, '-' and '.', starting and ending with a "
      "letter or digit, got " +
      Quoted(s);
  if (s.empty() || s.size() > 253) return rule;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-' && c != '.') return rule;
  }
  if (!IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return rule;
  return {};
}

std::string CheckLabelValue(std::string_view s) {
  if (s.empty()) return {};
  const std::string rule =
      "must be empty or at most 63 letters, digits, '-', '_' and '.', starting and ending with "
      "a letter or digit, got " +
      Quoted(s);
  if (s.size() > 63) return rule;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return rule;
  }
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) return rule;
  return {};
}

std::string CheckQualifiedName(std::string_view s) {
  std::string_view name = s;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = s.substr(0, slash);
    name = s.substr(slash + 1);
    if (!CheckDnsSubdomain(prefix).empty()) {
      return "prefix before '/' must be a DNS subdomain (lowercase letters, digits, '-', '.'), "
             "got " +
             Quoted(s);
    }
  }
  if (name.empty()) return "must have a name after the prefix, got " + Quoted(s);
  std::string value_check = CheckLabelValue(name);
  if (!value_check.empty()) {
    return "must be [prefix/]name with a name of at most 63 letters, digits, '-', '_' and '.', "
           "starting and ending with a letter or digit, got " +
           Quoted(s);
  }
  return {};
}

}  // namespace devflow::api
