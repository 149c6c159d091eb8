// SourceMap: where each field of a parsed document was written, by field path (field_path.h).
//
// Filled by the JSON and YAML readers; used to turn a validation error's field path into
// "FILE:LINE:COL". Lines and columns are 1-based, columns counted in bytes.
#pragma once

#include <string>
#include <unordered_map>

#include "common/field_path.h"

namespace devflow {

struct Mark {
  int line = 0;
  int column = 0;
  friend bool operator==(const Mark&, const Mark&) = default;
};

struct SourcePosition {
  Mark key;    // the member's key (for array elements and the root: same as value)
  Mark value;  // the first character of the value (a quoted string's opening quote)
  // For a string written on one line without escapes: offsets within its text map to columns
  // (used to point at a position inside an expression).
  bool simple_text = false;
  // Columns from `value` to the first character of the text: 1 when quoted, else 0.
  int text_shift = 0;
};

class SourceMap {
 public:
  void Record(const FieldPath& path, SourcePosition position) {
    positions_.insert_or_assign(path.str(), position);
  }
  // Returns the position of path, or nullptr when the document does not contain it.
  const SourcePosition* Find(const FieldPath& path) const {
    auto it = positions_.find(path.str());
    return it == positions_.end() ? nullptr : &it->second;
  }
  // The best mark for an error about path: its value when it was written, else the key of its
  // nearest written ancestor (where a missing field would have to be added). `value_offset`,
  // when >= 0, is a byte offset inside a plain one-line scalar (a position in an expression).
  // `about_key` points at the member's key instead of its value.
  Mark Locate(const FieldPath& path, int value_offset = -1, bool about_key = false) const;
  bool empty() const { return positions_.empty(); }

  // Returns the positions under `prefix`, re-rooted so that `prefix` itself becomes the root
  // (used to give each item of a `List` its own map).
  SourceMap Subtree(const FieldPath& prefix) const;

 private:
  std::unordered_map<std::string, SourcePosition> positions_;
};

}  // namespace devflow
