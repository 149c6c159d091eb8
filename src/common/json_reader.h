// Parses JSON text (RFC 8259) into a json::Value.
#pragma once

#include <string_view>

#include "common/json_value.h"
#include "common/result.h"
#include "common/source_map.h"

namespace devflow::json {

struct ReadOptions {
  // Nesting deeper than this is rejected, so hostile input cannot exhaust the stack.
  int max_depth = 256;
};

// Returns the value of `text`, which must hold exactly one JSON value (surrounding whitespace
// allowed). Numbers without fraction or exponent that fit int64 become integers, all others
// doubles. A repeated object key keeps its last value, as Go's encoding/json does.
// On malformed input returns InvalidArgument "line L, column C: <what is wrong>".
// When `positions` is not null, records the position of every value by field path.
Result<Value> Parse(std::string_view text, SourceMap* positions = nullptr,
                    ReadOptions options = {});

}  // namespace devflow::json
