#include "analysis/measurement_outcome.h"

#include "analysis/expr/evaluator.h"

namespace devflow::analysis {
namespace {

namespace phase = api::analysis_phase;

constexpr char kNoData[] =
    "metric result is nil or empty: no data returned from the metric provider";

bool IsNilOrEmpty(const json::Value& result) {
  return result.is_null() || (result.is_array() && result.as_array().empty());
}

}  // namespace

CompiledConditions::CompiledConditions(const api::Metric& metric) {
  auto compile = [](std::string field, const std::string& source) {
    Condition c{std::move(field), source, std::nullopt, Status::Ok()};
    Result<expr::Program> program = expr::Compile(source);
    if (program.ok()) {
      c.program = *program;
    } else {
      c.compile_error = program.error();
    }
    return c;
  };
  if (!metric.success_condition.empty()) {
    success_ = compile("successCondition", metric.success_condition);
  }
  if (!metric.failure_condition.empty()) {
    failure_ = compile("failureCondition", metric.failure_condition);
  }
}

Result<bool> CompiledConditions::EvaluateOne(const Condition& c, const json::Value& result,
                                             api::TimePoint now) {
  Status error = c.compile_error;
  if (c.program) {
    expr::EvalOptions options;
    options.now = std::chrono::time_point_cast<expr::Duration>(now);
    Result<bool> value = expr::EvaluateCondition(*c.program, result, options);
    if (value.ok()) return *value;
    error = value.error();
  }
  const std::string cause = IsNilOrEmpty(result) ? std::string(kNoData) : error.message();
  return InvalidArgumentError("could not evaluate " + c.field + " \"" + c.source + "\": " + cause);
}

MeasurementOutcome CompiledConditions::Evaluate(const json::Value& result,
                                                api::TimePoint now) const {
  bool success = false;
  bool failure = false;
  if (success_) {
    Result<bool> v = EvaluateOne(*success_, result, now);
    if (!v.ok()) return {std::string(phase::kError), v.error().message()};
    success = *v;
  }
  if (failure_) {
    Result<bool> v = EvaluateOne(*failure_, result, now);
    if (!v.ok()) return {std::string(phase::kError), v.error().message()};
    failure = *v;
  }
  if (!success_ && !failure_) return {std::string(phase::kSuccessful), ""};
  if (!failure_) failure = !success;
  if (!success_) success = !failure;
  if (failure) return {std::string(phase::kFailed), ""};
  if (success) return {std::string(phase::kSuccessful), ""};
  return {std::string(phase::kInconclusive), ""};
}

MeasurementOutcome EvaluateMeasurement(const api::Metric& metric, const json::Value& result,
                                       api::TimePoint now) {
  return CompiledConditions(metric).Evaluate(result, now);
}

}  // namespace devflow::analysis
