#include "analysis/expr/program.h"

#include "analysis/expr/parser.h"

namespace devflow::expr {

Result<Program> Compile(std::string_view source) {
  ParseResult parsed = Parse(source);
  if (parsed.error) {
    return InvalidArgumentError("syntax error at offset " + std::to_string(parsed.error->offset) +
                                ": " + parsed.error->message);
  }
  return Program(std::string(source), std::move(parsed.root));
}

}  // namespace devflow::expr
