// Feeds arbitrary text to the condition language as a successCondition would be: syntax check,
// compile, then evaluation against every shape of result a metric provider returns. Any crash,
// sanitizer report, hang or unbounded allocation is a bug; error Results are expected.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "analysis/expr/evaluator.h"
#include "analysis/expr/program.h"
#include "analysis/expr/syntax.h"
#include "common/json_value.h"

namespace {

using devflow::json::Array;
using devflow::json::Object;
using devflow::json::Value;

const std::vector<Value>& Results() {
  static const std::vector<Value> results = {
      Value(),                                       // nil (datadog with no points)
      Value(0.97),                                   // prometheus scalar
      Value(Array{0.99, 0.5}),                       // prometheus vector
      Value(Array{}),                                // empty vector
      Value("It worked!"),                           // web, non-JSON body
      Value(Object{{"major", "1"}, {"n", 3}}),       // web, JSON map
      Value(Array{Value(Object{{"v", 1.5}}), 2}),    // mixed list
      Value(int64_t{9223372036854775807}),           // int64 max
      Value(Array{Value(Array{1, 2}), Value(Array{})}),
  };
  return results;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  (void)devflow::expr::CheckSyntax(source);
  auto program = devflow::expr::Compile(source);
  if (!program.ok()) return 0;
  devflow::expr::EvalOptions options;
  options.now = devflow::expr::TimePoint(std::chrono::seconds(1800000000));
  for (const Value& result : Results()) {
    (void)devflow::expr::EvaluateCondition(*program, result, options);
  }
  return 0;
}
