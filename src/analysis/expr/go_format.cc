#include "analysis/expr/go_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "analysis/expr/limits.h"
#include "analysis/expr/time_text.h"

namespace devflow::expr {
namespace {

void AppendValue(const Value& v, int depth, std::string& out) {
  if (depth > kMaxValueDepth) {
    out += "...";
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kNil:
      out += "<nil>";
      return;
    case Value::Kind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case Value::Kind::kFloat:
      out += FormatGoFloat(v.as_float());
      return;
    case Value::Kind::kString:
      out += v.as_string();
      return;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const Value& item : v.as_list()) {
        if (!first) out += ' ';
        first = false;
        AppendValue(item, depth + 1, out);
      }
      out += ']';
      return;
    }
    case Value::Kind::kMap: {
      std::vector<const std::pair<std::string, Value>*> entries;
      for (const auto& entry : v.as_map()) entries.push_back(&entry);
      std::sort(entries.begin(), entries.end(),
                [](const auto* a, const auto* b) { return a->first < b->first; });
      out += "map[";
      bool first = true;
      for (const auto* entry : entries) {
        if (!first) out += ' ';
        first = false;
        out += entry->first;
        out += ':';
        AppendValue(entry->second, depth + 1, out);
      }
      out += ']';
      return;
    }
    case Value::Kind::kTime:
      out += FormatGoTime(v.as_time());
      return;
    case Value::Kind::kDuration:
      out += FormatGoDuration(v.as_duration());
      return;
  }
}

}  // namespace

std::string FormatGoFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // The shortest round-trip digits decide the exponent, as in Go's 'g' with precision -1.
  auto scientific = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string_view text(buf, static_cast<size_t>(scientific.ptr - buf));
  int exponent = std::atoi(std::string(text.substr(text.find('e') + 1)).c_str());
  if (exponent < -4 || exponent >= 6) return std::string(text);
  auto fixed = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

std::string FormatGoValue(const Value& v) {
  std::string out;
  AppendValue(v, 0, out);
  return out;
}

}  // namespace devflow::expr
