// DecodeContext: the state of one decode, shared by every codec.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"

namespace devflow::api {

// Carries the path being decoded and collects errors. Paths are kept as a stack of views (into
// the field names and the input's keys) and rendered only when an error is recorded.
class DecodeContext {
 public:
  explicit DecodeContext(FieldErrors* errors) : errors_(errors) {}

  void Error(std::string message);
  FieldPath CurrentPath() const;

  void PushKey(std::string_view key) { stack_.push_back(Elem{key, 0, false}); }
  void PushIndex(size_t index) { stack_.push_back(Elem{{}, index, true}); }
  void Pop() { stack_.pop_back(); }

 private:
  struct Elem {
    std::string_view key;
    size_t index;
    bool is_index;
  };
  std::vector<Elem> stack_;
  FieldErrors* errors_;
};

}  // namespace devflow::api
