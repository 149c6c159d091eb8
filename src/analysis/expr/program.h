// expr::Program: a compiled condition, ready to be evaluated many times.
//
// Compile once per metric (Argo compiles successCondition and failureCondition on every
// measurement; the result is the same) and evaluate per measurement with evaluator.h.
// A Program is an immutable value: copies share the syntax tree, and it may be evaluated from
// several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "analysis/expr/ast.h"
#include "common/result.h"

namespace devflow::expr {

class Program {
 public:
  // The source text the program was compiled from.
  const std::string& source() const { return source_; }
  // The root of the syntax tree; never null.
  const Node& root() const { return *root_; }

 private:
  friend Result<Program> Compile(std::string_view source);
  Program(std::string source, NodePtr root) : source_(std::move(source)), root_(std::move(root)) {}

  std::string source_;
  NodePtr root_;
};

// Parses `source` and resolves its function calls. On a syntax error (see syntax.h and
// parser.h) returns InvalidArgument "syntax error at offset <n>: <message>", for instance
// "syntax error at offset 11: unexpected ')', expected an operand". Calling a function that is
// not a builtin, or a builtin with the wrong number of arguments, is a syntax error, as expr
// reports both at compile time; so is a `matches` with an invalid literal pattern.
Result<Program> Compile(std::string_view source);

}  // namespace devflow::expr
