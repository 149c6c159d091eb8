// Evaluating compiled conditions, as Argo Rollouts' analysis does with expr-lang.
//
// Evaluation is total: whatever the program and the environment, it returns a value or an
// InvalidArgument error and never crashes, throws, recurses without bound or runs without
// bound (see limits.h). Errors carry expr-style messages without positions (Argo drops them):
//   "index out of range: 3 with length 1"     "cannot fetch foo from <nil>"
//   "invalid operation: string + int"         "integer divide by zero"
//   "unknown name foo"                        "expected bool, but got float64"
//
// Deliberate differences from expr-lang under Argo, all toward clearer outcomes:
//   - int overflow is an error (Go wraps silently);
//   - isNil(x) and default(x, fallback) look at their argument (Argo's look at `result`
//     whatever the argument; the same for the usual isNil(result) and default(result, 0));
//   - `x / 0` is +Inf/-Inf/NaN like Go's float division, not an error (`x % 0` is an error);
//   - types are checked when evaluating, not when compiling: expr rejects `result == 'x'` at
//     compile time when result is a float64, here it is false (as expr does for untyped values).
// Nothing here reads the clock unless EvalOptions::now is unset.
#pragma once

#include <optional>

#include "analysis/expr/limits.h"
#include "analysis/expr/program.h"
#include "analysis/expr/value.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::expr {

struct EvalOptions {
  // What now() returns. Unset: the system clock at the start of the evaluation.
  std::optional<TimePoint> now;
  // The step budget of one evaluation (see Budget).
  int64_t max_steps = kMaxSteps;
};

// Evaluates `program` with the variables of `env` (e.g. {"result": [0.99]}). Returns the
// value; a name missing from `env` fails with "unknown name <name>".
Result<Value> EvaluateValue(const Program& program, const json::Object& env,
                            const EvalOptions& options = {});

// EvaluateValue converted to JSON (see ToJson: a time becomes RFC 3339 text, a duration its
// nanoseconds).
Result<json::Value> Evaluate(const Program& program, const json::Object& env,
                             const EvalOptions& options = {});

// Argo's EvalCondition: evaluates with `result` bound to the provider's value and requires a
// bool; any other outcome fails with "expected bool, but got <Go type>" (e.g. "float64",
// "<nil>", "[]interface {}").
Result<bool> EvaluateCondition(const Program& program, const json::Value& result,
                               const EvalOptions& options = {});

// Argo's EvalTime (Prometheus rangeQuery start/end, e.g. `now() - duration("5m")`): evaluates
// with no variables and requires a time; otherwise fails with
// "expected time.Time, but got <Go type>".
Result<TimePoint> EvaluateTime(const Program& program, const EvalOptions& options = {});

}  // namespace devflow::expr
