#include "common/field_path.h"

namespace devflow {
namespace {

bool IsPlainKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '$';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void FieldPath::AppendKey(std::string_view key) {
  if (IsPlainKey(key)) {
    if (!path_.empty()) path_ += '.';
    path_ += key;
  } else {
    path_ += '[';
    path_ += key;
    path_ += ']';
  }
}

FieldPath FieldPath::Parent() const {
  FieldPath p;
  if (path_.empty()) return p;
  size_t cut;
  if (path_.back() == ']') {
    // A bracketed key may itself contain '[' (rare); take the last '[' that opens a segment.
    cut = path_.rfind('[');
  } else {
    size_t dot = path_.rfind('.');
    size_t bracket = path_.rfind(']');
    if (dot == std::string::npos) {
      cut = (bracket == std::string::npos) ? 0 : bracket + 1;
    } else {
      cut = (bracket != std::string::npos && bracket > dot) ? bracket + 1 : dot;
    }
  }
  p.path_ = path_.substr(0, cut);
  return p;
}

}  // namespace devflow
