// Member access, indexing and slicing (`a.b`, `a["b"]`, `a[0]`, `a[-1]`, `a[1:3]`), as
// expr-lang's runtime Fetch and Slice do them.
#pragma once

#include "analysis/expr/limits.h"
#include "analysis/expr/value.h"
#include "common/result.h"

namespace devflow::expr {

// `object[key]` and `object.key`:
//   map: the value at a string key, or nil when absent;
//   list: the element at an int index (a float index truncates), negative counting from the
//         end; out of range fails with "index out of range: 3 with length 1";
//   string: the byte at the index, as an int (Go indexes strings by byte);
//   anything else, nil included, fails with "cannot fetch <key> from <type>".
// A map lookup spends a step per key searched.
Result<Value> Fetch(const Value& object, const Value& key, Budget& budget);

// `object[from:to]` on a list or string (by byte). Absent bounds (nullptr) mean the start and
// the end; negative bounds count from the end; bounds are clamped into range and an inverted
// range is empty, as in expr. Fails for other types and for non-number bounds. Spends the
// budget for the elements or bytes copied.
Result<Value> Slice(const Value& object, const Value* from, const Value* to, Budget& budget);

}  // namespace devflow::expr
