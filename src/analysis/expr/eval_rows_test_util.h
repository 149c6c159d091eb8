// Table-test helpers shared by the condition-language tests: rows of (source, variables,
// expected JSON value or exact error message), evaluated at a fixed now().
#pragma once

#include <gtest/gtest.h>

#include "analysis/expr/evaluator.h"
#include "common/json_reader.h"

namespace devflow::expr {

// 2024-05-01T10:00:00Z
inline const TimePoint kNow{std::chrono::seconds(1714557600)};

inline EvalOptions FixedNow() {
  EvalOptions options;
  options.now = kNow;
  return options;
}

struct EvalRow {
  const char* name;
  const char* source;
  const char* env;    // a JSON object: the variables
  const char* want;   // the JSON of the expected value; nullptr when an error is expected
  const char* error;  // the expected error message when want is nullptr
};

// Evaluates every row, reporting each failing row by name (a failure does not stop the table).
inline void RunRows(const EvalRow* rows, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const EvalRow& row = rows[i];
    auto env = json::Parse(row.env);
    if (!env.ok()) {
      ADD_FAILURE() << row.name << ": bad env " << env.error();
      continue;
    }
    auto program = Compile(row.source);
    if (!program.ok()) {
      ADD_FAILURE() << row.name << ": " << program.error();
      continue;
    }
    auto got = Evaluate(*program, env->as_object(), FixedNow());
    if (row.want == nullptr) {
      if (got.ok()) {
        ADD_FAILURE() << row.name << ": want error \"" << row.error << "\", got "
                      << json::Write(*got);
      } else {
        EXPECT_EQ(got.error().message(), row.error) << row.name;
      }
      continue;
    }
    auto want = json::Parse(row.want);
    if (!want.ok()) {
      ADD_FAILURE() << row.name << ": bad want " << want.error();
    } else if (!got.ok()) {
      ADD_FAILURE() << row.name << ": " << got.error();
    } else {
      EXPECT_EQ(*got, *want) << row.name << ": got " << json::Write(*got);
    }
  }
}

}  // namespace devflow::expr
