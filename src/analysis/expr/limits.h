// Bounds that keep compiling and evaluating a condition total on any input: no unbounded
// recursion, no unbounded memory, no evaluation that runs for minutes. Conditions written by
// people stay far below every one of them.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace devflow::expr {

// Longest accepted source text, in bytes.
inline constexpr size_t kMaxSourceBytes = 64 * 1024;
// Most AST nodes one expression may have.
inline constexpr int kMaxNodes = 10000;
// Deepest nesting of sub-expressions (parentheses, operands, arguments). Evaluation recurses
// along the AST, so this also bounds the evaluator's stack.
inline constexpr int kMaxNestingDepth = 200;
// Deepest nesting of arrays and maps inside a value (environment values and built values).
inline constexpr int kMaxValueDepth = 256;
// Most elements a range `a..b` may produce.
inline constexpr int64_t kMaxRangeSize = 1'000'000;
// Evaluation steps one evaluation may take. A step is a node visited, an element compared or
// iterated, a regex state advanced; building a list element costs kStepsPerElement and building
// a string one step per kBytesPerStep bytes, so the budget also bounds memory (to about 50 MB).
// Argo conditions take well under 10,000 steps; 5,000,000 run in about a tenth of a second.
inline constexpr int64_t kMaxSteps = 5'000'000;
inline constexpr int64_t kStepsPerElement = 4;
inline constexpr int64_t kBytesPerStep = 8;

// Counts the work of one evaluation against kMaxSteps. Not thread-safe; one per evaluation.
class Budget {
 public:
  explicit Budget(int64_t steps = kMaxSteps) : left_(steps), limit_(steps) {}

  // Spends `n` steps. Returns ok, or InvalidArgument once the budget is exhausted (and on every
  // later call).
  Status Spend(int64_t n = 1) {
    left_ -= n;
    if (left_ >= 0) return Status();
    return InvalidArgumentError("evaluation too expensive: exceeded the budget of " +
                                std::to_string(limit_) + " steps");
  }
  // Spends the cost of building `n` list elements.
  Status SpendElements(size_t n) { return Spend(static_cast<int64_t>(n) * kStepsPerElement); }
  // Spends the cost of building `n` bytes of string.
  Status SpendBytes(size_t n) { return Spend(static_cast<int64_t>(n / kBytesPerStep)); }

 private:
  int64_t left_;
  int64_t limit_;
};

}  // namespace devflow::expr
