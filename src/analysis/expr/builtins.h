// The functions a condition may call: expr-lang's builtins that Argo conditions use, and the
// functions Argo Rollouts adds to the environment (asInt, asFloat, isNaN, isInf, isNil,
// default). The table is fixed, so the parser resolves calls and checks argument counts at
// compile time; an unknown function is a syntax error, as expr reports it at compile time.
#pragma once

#include <span>
#include <string_view>

#include "analysis/expr/limits.h"
#include "analysis/expr/value.h"
#include "common/result.h"

namespace devflow::expr {

// What a builtin may use besides its arguments.
struct CallContext {
  TimePoint now;   // what now() returns
  Budget* budget;  // charged for work proportional to the size of the arguments
};

// An ordinary function, or a predicate: a function taking a list and a closure `{...}` that
// the evaluator runs once per element.
enum class CallKind {
  kFunction,
  kAll,
  kAny,
  kNone,
  kOne,
  kFilter,
  kMap,
  kCount,
  kSum,
  kFind,
  kFindIndex,
  kFindLast,
  kFindLastIndex,
};

struct Builtin {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number
  CallKind kind = CallKind::kFunction;
  // For ordinary functions: computes the result. Errors are InvalidArgument with expr-like
  // messages ("invalid argument for len (type int)").
  Result<Value> (*call)(std::span<const Value> args, CallContext& context) = nullptr;
};

// Returns the builtin named `name`, or nullptr.
const Builtin* FindBuiltin(std::string_view name);

}  // namespace devflow::expr
