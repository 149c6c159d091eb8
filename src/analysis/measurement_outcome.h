// The outcome of one measurement: a metric's successCondition / failureCondition applied to what
// a provider read (Argo's evaluate.EvaluateResult, spec §5.5 "Outcome rules").
//
//   both conditions empty                  Successful
//   only successCondition                  Successful when true, else Failed
//   only failureCondition                  Failed when true, else Successful
//   both                                   Failed when failure is true; else Successful when
//                                          success is true; else Inconclusive
//   a condition fails to compile/evaluate  Error, message
//       could not evaluate <successCondition|failureCondition> "<expr>": <error>
//     and when the result is null or an empty list, <error> is replaced by
//       metric result is nil or empty: no data returned from the metric provider
//
// successCondition is evaluated first, and its error ends the evaluation. Only errors get a
// message; conditions that are merely false leave it empty.
#pragma once

#include <optional>
#include <string>

#include "analysis/expr/program.h"
#include "api/analysis.h"
#include "api/time.h"
#include "common/json_value.h"
#include "common/status.h"

namespace devflow::analysis {

// A measurement's phase (an analysis_phase) and message.
struct MeasurementOutcome {
  std::string phase;
  std::string message;
  friend bool operator==(const MeasurementOutcome&, const MeasurementOutcome&) = default;
};

// A metric's two conditions, compiled once and evaluated per measurement. Immutable; may be
// shared between threads. A condition that does not compile is kept as its error and reported
// by every Evaluate, as Argo reports it at each measurement (validation normally rejects it at
// admission).
class CompiledConditions {
 public:
  explicit CompiledConditions(const api::Metric& metric);

  // Applies the rules above to `result` (what the provider read). `now` is what now() returns
  // inside the conditions.
  MeasurementOutcome Evaluate(const json::Value& result, api::TimePoint now) const;

 private:
  struct Condition {
    std::string field;   // "successCondition" or "failureCondition"
    std::string source;  // as written
    std::optional<expr::Program> program;
    Status compile_error;  // set when program is not
  };
  // Evaluates one condition: its value, or the Error outcome's message.
  static Result<bool> EvaluateOne(const Condition& c, const json::Value& result,
                                  api::TimePoint now);

  std::optional<Condition> success_;
  std::optional<Condition> failure_;
};

// CompiledConditions(metric).Evaluate(result, now), for a single use.
MeasurementOutcome EvaluateMeasurement(const api::Metric& metric, const json::Value& result,
                                       api::TimePoint now);

}  // namespace devflow::analysis
