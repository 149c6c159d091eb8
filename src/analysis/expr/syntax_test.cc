#include "analysis/expr/syntax.h"

#include <gtest/gtest.h>

#include <string>

#include "analysis/expr/program.h"

namespace devflow::expr {
namespace {

constexpr int kValid = -1;

struct SyntaxRow {
  const char* name;
  std::string source;
  int offset;           // kValid when the source must parse
  const char* message;  // the exact message of the first error
};

const SyntaxRow kRows[] = {
    // Conditions from Argo's documentation and examples parse.
    {"index compare", "result[0] >= 0.95", kValid, ""},
    {"guarded index", "len(result) > 0 && result[0] < 0.05", kValid, ""},
    {"field access", "result.major == '1'", kValid, ""},
    {"string equality", "result == \"It worked!\"", kValid, ""},
    {"predicate closure", "all(result, {# > 0.9})", kValid, ""},
    {"predicate bare", "any(result, # > 0.9)", kValid, ""},
    {"predicate field shorthand", "all(result, {.status == 'ok'})", kValid, ""},
    {"predicate index", "all(result, {#index < 3})", kValid, ""},
    {"nested predicate", "all(result, {any(#, {# > 1})})", kValid, ""},
    {"count without closure", "count([true, false]) == 1", kValid, ""},
    {"default and isNil", "default(result, 0) > 1 || isNil(result)", kValid, ""},
    {"not in", "'a' not in ['b']", kValid, ""},
    {"not matches", "result not matches '^a+$'", kValid, ""},
    {"ternary", "result > 1 ? 'big' : 'small'", kValid, ""},
    {"nested ternary", "a ? 1 : b ? 2 : 3", kValid, ""},
    {"elvis", "a ?: b", kValid, ""},
    {"optional chain", "result?.a?.b ?? 0", kValid, ""},
    {"optional index", "result?.[0]", kValid, ""},
    {"slices", "result[1:3] == result[:2] && result[1:] != result[:]", kValid, ""},
    {"negative index", "result[-1]", kValid, ""},
    {"map literal", "{a: 1, 'b': 2, 3: 4, (\"c\" + \"d\"): 5}.a", kValid, ""},
    {"array trailing comma", "[1, 2,]", kValid, ""},
    {"range", "1..3", kValid, ""},
    {"power chain", "2 ** 3 ^ 2", kValid, ""},
    {"coalesce chain", "a ?? b ?? c", kValid, ""},
    {"comparison chain", "1 < result < 3", kValid, ""},
    {"keyword operators", "a and b or not c", kValid, ""},
    {"keyword as field", "result.in + result.not", kValid, ""},
    {"numbers", "0x1F + 0o17 + 0b11 + 1_000 + .5 + 1e-3 + 2.", kValid, ""},
    {"escapes", R"("\t\n\u00e9\x41\101\\" + '\'')", kValid, ""},
    {"raw string", "`a\\b` == 'a\\\\b'", kValid, ""},
    {"comments", "1 /* one */ + 2 // two", kValid, ""},
    {"duration math", "now() - duration('5m')", kValid, ""},

    // Errors: the first problem by position, with its byte offset.
    {"missing operand", "result[0] >= )", 13, "unexpected ')', expected an operand"},
    {"empty", "", 0, "unexpected end of expression, expected an operand"},
    {"blank", "   ", 3, "unexpected end of expression, expected an operand"},
    {"dangling operator", "1 +", 3, "unexpected end of expression, expected an operand"},
    {"unary at end", "-", 1, "unexpected end of expression, expected an operand"},
    {"unclosed paren", "(result > 1", 11, "unexpected end of expression, expected ')'"},
    {"extra paren", "result > 1)", 10,
     "unexpected ')', expected an operator or the end of the expression"},
    {"two operands", "result 1", 7,
     "unexpected number 1, expected an operator or the end of the expression"},
    {"assignment", "result = 1", 7,
     "unexpected '=', expected an operator or the end of the expression (use '==' to compare)"},
    {"unterminated string", "result == 'abc", 10, "string literal not terminated"},
    {"newline in string", "'a\nb'", 0, "string literal not terminated"},
    {"bad escape", R"('\q')", 1, R"(invalid escape sequence '\q' in string)"},
    {"bad unicode escape", R"("\uD800")", 1, R"(invalid escape sequence '\u' in string)"},
    {"unexpected character", "result @ 1", 7, "unexpected character '@'"},
    {"lone ampersand", "a & b", 2, "unexpected character '&'"},
    {"lexical error after parse error", ") 'abc", 0, "unexpected ')', expected an operand"},
    {"parse error after lexical error", "'abc ) ", 0, "string literal not terminated"},
    {"unclosed comment", "1 /* x", 2, "unclosed comment"},
    {"bad hex", "0x", 0, "invalid number '0x'"},
    {"letters after number", "12ab", 0, "invalid number '12a'"},
    {"integer too large", "99999999999999999999", 0,
     "integer literal '99999999999999999999' is too large"},
    {"unknown function", "foo(result)", 0, "unknown function 'foo'"},
    {"unsupported expr builtin", "1 + reduce(result, #acc + #)", 4,
     "function 'reduce' is not supported"},
    {"too many arguments", "len(result, 1)", 0,
     "wrong number of arguments for len: expected 1, got 2"},
    {"too few arguments", "split('a')", 0,
     "wrong number of arguments for split: expected 2 or 3, got 1"},
    {"predicate without closure", "all(result)", 0,
     "wrong number of arguments for all: expected 2, got 1"},
    {"predicate without list", "any()", 0, "wrong number of arguments for any: expected 2, got 0"},
    {"pointer outside predicate", "# > 1", 0,
     "'#' is only valid inside a predicate closure, as in all(list, {# > 0})"},
    {"unknown pointer", "all(x, {#acc})", 8, "unknown pointer '#acc'; use '#' or '#index'"},
    {"dot outside predicate", ".a", 0, "unexpected '.', expected an operand"},
    {"method call", "result.foo()", 10, "method calls are not supported: 'foo(...)'"},
    {"pipe", "result | len()", 7, "the pipe operator '|' is not supported"},
    {"sequence", "1; 2", 1, "';' sequences are not supported"},
    {"if", "if x { 1 } else { 2 }", 0, "'if' is not supported; use 'condition ? a : b'"},
    {"let", "let x = 1; x", 0, "'let' is not supported; use 'condition ? a : b'"},
    {"not without operator", "1 not 2", 6,
     "unexpected number 2, expected 'in', 'matches', 'contains', 'startsWith' or 'endsWith' "
     "after 'not'"},
    {"mixed coalesce", "a ?? b + c", 7,
     "operator '+' and '?\?' cannot be mixed; wrap either in parentheses"},
    {"bad literal regex", "'a' matches '('", 12, "error parsing regexp: missing closing ): `(`"},
    {"unclosed array", "[1, 2", 5, "unexpected end of expression, expected ',' or ']'"},
    {"array missing comma", "[1 2]", 3, "unexpected number 2, expected ',' or ']'"},
    {"map missing colon", "{a 1}", 3, "unexpected number 1, expected ':'"},
    {"bad map key", "{[1]: 2}", 1,
     "unexpected '[', expected a map key (a string, a number, a name or an expression in "
     "parentheses)"},
    {"bad field name", "a.(b)", 2, "unexpected '(', expected a field name after '.'"},
    {"missing ternary else", "a ? 1", 5, "unexpected end of expression, expected ':'"},
    {"unclosed index", "result[0", 8, "unexpected end of expression, expected ']'"},
    {"unclosed closure", "all(x, {# > 1)", 13, "unexpected ')', expected '}'"},
    {"number after member", "result.1", 6,
     "unexpected number .1, expected an operator or the end of the expression"},
    {"nested too deeply", std::string(300, '(') + "1" + std::string(300, ')'), 200,
     "expression nested too deeply (more than 200 levels)"},
    {"chained too long",
     "1" +
         [] {
           std::string s;
           for (int i = 0; i < 300; i++) s += " + 1";
           return s;
         }(),
     798, "expression nested too deeply (more than 200 levels)"},
    {"too long", std::string(70000, ' '), 65536, "expression too long (more than 65536 bytes)"},
};

TEST(ExprSyntaxTest, ReportsTheFirstErrorWithItsOffset) {
  for (const SyntaxRow& row : kRows) {
    std::optional<SyntaxError> error = CheckSyntax(row.source);
    if (row.offset == kValid) {
      EXPECT_FALSE(error.has_value()) << row.name << ": " << (error ? error->message : "") << " at "
                                      << (error ? error->offset : 0);
      continue;
    }
    ASSERT_TRUE(error.has_value()) << row.name;
    EXPECT_EQ(error->offset, row.offset) << row.name << ": " << error->message;
    EXPECT_EQ(error->message, row.message) << row.name;
  }
}

TEST(ExprSyntaxTest, CompileAgreesWithCheckSyntaxAndNamesTheOffset) {
  for (const SyntaxRow& row : kRows) {
    auto program = Compile(row.source);
    EXPECT_EQ(program.ok(), row.offset == kValid) << row.name;
    if (!program.ok() && row.offset != kValid) {
      EXPECT_EQ(program.error().message(),
                "syntax error at offset " + std::to_string(row.offset) + ": " + row.message)
          << row.name;
    }
  }
}

TEST(ExprSyntaxTest, ProgramsAreCopyableValues) {
  auto program = Compile("result > 1");
  ASSERT_TRUE(program.ok());
  Program copy = *program;
  EXPECT_EQ(copy.source(), "result > 1");
  EXPECT_EQ(&copy.root(), &program->root());
}

}  // namespace
}  // namespace devflow::expr
