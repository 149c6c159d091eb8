// Randomised robustness tests: many generated and mutated expressions are compiled and
// evaluated against several provider results. Whatever the input, compiling and evaluating
// must return (a value or an error), never crash, hang or overflow the stack; run under
// -DDEVFLOW_SANITIZE=ON to also catch undefined behaviour.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "analysis/expr/builtins.h"
#include "analysis/expr/evaluator.h"
#include "analysis/expr/syntax.h"
#include "common/json_reader.h"

namespace devflow::expr {
namespace {

class ExpressionGenerator {
 public:
  explicit ExpressionGenerator(uint32_t seed) : rng_(seed) {}

  std::string Expression(int depth) {
    if (depth <= 0) return Leaf();
    switch (Pick(12)) {
      case 0:
      case 1:
        return Expression(depth - 1) + " " + Pick(kBinary) + " " + Expression(depth - 1);
      case 2:
        return Pick(kUnary) + Expression(depth - 1);
      case 3:
        return "(" + Expression(depth - 1) + ")";
      case 4:
        return Expression(depth - 1) + " ? " + Expression(depth - 1) + " : " +
               Expression(depth - 1);
      case 5:
        return Pick(kPredicates) + "(" + Expression(depth - 1) + ", {" + Closure(depth - 1) + "})";
      case 6: {
        const std::string& name = Pick(kFunctions);
        const Builtin* builtin = FindBuiltin(name);
        int spread = builtin->max_args < 0 ? 3 : builtin->max_args - builtin->min_args + 1;
        int args = builtin->min_args + static_cast<int>(Pick(static_cast<size_t>(spread)));
        std::string call = name + "(";
        for (int i = 0; i < args; i++) call += (i ? ", " : "") + Expression(depth - 1);
        return call + ")";
      }
      // Literals take no postfix operators in expr, so the object is parenthesized.
      case 7:
        return "(" + Expression(depth - 1) + ")[" + Expression(depth - 1) + "]";
      case 8:
        return "(" + Expression(depth - 1) + ")[" + Leaf() + ":" + Leaf() + "]";
      case 9:
        return "(" + Expression(depth - 1) + ")" + Pick(kMember);
      case 10:
        return "[" + Expression(depth - 1) + ", " + Expression(depth - 1) + "]";
      default:
        return "{a: " + Expression(depth - 1) + ", 'b': " + Expression(depth - 1) + "}";
    }
  }

  // Damages `text` a few times: inserted, deleted or replaced characters.
  std::string Mutate(std::string text) {
    static const std::string kAlphabet = "()[]{}.,:?!#'\"`\\+-*/%^<>=&|~@ 0123456789aeinrstx_\n";
    int edits = 1 + static_cast<int>(Pick(4));
    for (int i = 0; i < edits; i++) {
      size_t at = text.empty() ? 0 : Pick(text.size() + 1);
      char c = Pick(8) == 0 ? static_cast<char>(Pick(256)) : kAlphabet[Pick(kAlphabet.size())];
      switch (Pick(3)) {
        case 0:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1 + Pick(3));
          break;
        default:
          if (at < text.size()) text[at] = c;
          break;
      }
    }
    return text;
  }

 private:
  static inline const std::vector<std::string> kBinary = {
      "+",      "-",        "*",          "/",        "%",       "**", "^",   "==", "!=",
      "<",      ">",        "<=",         ">=",       "&&",      "||", "and", "or", "in",
      "not in", "contains", "startsWith", "endsWith", "matches", "..", "??"};
  static inline const std::vector<std::string> kUnary = {"-", "+", "!", "not "};
  static inline const std::vector<std::string> kPredicates = {
      "all",   "any", "none", "one",       "filter",   "map",
      "count", "sum", "find", "findIndex", "findLast", "findLastIndex"};
  static inline const std::vector<std::string> kFunctions = {
      "len",   "abs",   "ceil",    "floor",   "round",   "int",      "float",  "string",  "max",
      "min",   "mean",  "median",  "first",   "last",    "keys",     "values", "upper",   "lower",
      "trim",  "split", "join",    "replace", "now",     "duration", "asInt",  "asFloat", "isNaN",
      "isInf", "isNil", "default", "type",    "reverse", "indexOf"};
  static inline const std::vector<std::string> kMember = {".a", ".b", "?.a", ".major", "?.[0]"};
  static inline const std::vector<std::string> kLeaves = {"result",
                                                          "result",
                                                          "result",
                                                          "0",
                                                          "1",
                                                          "-1",
                                                          "2.5",
                                                          "0.95",
                                                          "1e308",
                                                          "9223372036854775807",
                                                          "'a'",
                                                          "'1'",
                                                          "\"It worked!\"",
                                                          "'^a.*$'",
                                                          "'(a*)*b'",
                                                          "'5m'",
                                                          "true",
                                                          "false",
                                                          "nil",
                                                          "[]",
                                                          "[1, 2]",
                                                          "{}",
                                                          "{a: 1}",
                                                          "1..3",
                                                          "0..100000",
                                                          "now()",
                                                          "duration('1h')",
                                                          "'\\u00e9'",
                                                          "NaNish"};

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  const std::string& Pick(const std::vector<std::string>& options) {
    return options[Pick(options.size())];
  }
  std::string Leaf() { return Pick(kLeaves); }
  std::string Closure(int depth) {
    switch (Pick(4)) {
      case 0:
        return "# " + Pick(kBinary) + " " + Expression(depth);
      case 1:
        return ".a " + Pick(kBinary) + " " + Expression(depth);
      case 2:
        return "#index > 0";
      default:
        return Expression(depth);
    }
  }

  std::mt19937 rng_;
};

std::vector<json::Value> ProviderResults() {
  std::vector<json::Value> results = {
      json::Value(),           json::Value(0.99),
      json::Value(int64_t{3}), json::Value("It worked!"),
      json::Value(true),       json::Value(std::numeric_limits<double>::quiet_NaN()),
  };
  for (const char* text : {"[]", "[0.99, 0.5]", R"({"major": "1", "a": {"a": [1]}})",
                           R"([{"a": 1, "b": "x"}, {"a": null}])", "[[1, 2], [3]]"}) {
    auto parsed = json::Parse(text);
    EXPECT_TRUE(parsed.ok());
    results.push_back(*parsed);
  }
  return results;
}

// Compiles and evaluates `source` with every result; returns whether it compiled.
bool Exercise(const std::string& source, const std::vector<json::Value>& results) {
  std::optional<SyntaxError> syntax = CheckSyntax(source);
  auto program = Compile(source);
  EXPECT_EQ(program.ok(), !syntax.has_value()) << source;
  if (syntax) {
    EXPECT_GE(syntax->offset, 0) << source;
    EXPECT_LE(syntax->offset, static_cast<int>(source.size())) << source;
    EXPECT_FALSE(syntax->message.empty()) << source;
    return false;
  }
  EvalOptions options;
  options.now = TimePoint(std::chrono::seconds(1714557600));
  options.max_steps = 200'000;
  for (const json::Value& result : results) {
    auto value = Evaluate(*program, json::Object{{"result", result}}, options);
    if (!value.ok()) {
      EXPECT_FALSE(value.error().message().empty()) << source;
    }
    (void)EvaluateCondition(*program, result, options);
  }
  return true;
}

TEST(ExprRandomTest, GeneratedExpressionsNeverCrash) {
  const std::vector<json::Value> results = ProviderResults();
  ExpressionGenerator generator(20240501);
  int compiled = 0;
  const int kCount = 4000;
  for (int i = 0; i < kCount; i++) {
    if (Exercise(generator.Expression(1 + i % 5), results)) compiled++;
  }
  // The generator mostly writes valid expressions; if most fail to compile, the test is not
  // exercising the evaluator.
  EXPECT_GT(compiled, kCount * 3 / 4);
}

TEST(ExprRandomTest, MutatedExpressionsNeverCrash) {
  const std::vector<json::Value> results = ProviderResults();
  ExpressionGenerator generator(7);
  for (int i = 0; i < 6000; i++) {
    Exercise(generator.Mutate(generator.Expression(1 + i % 4)), results);
  }
}

TEST(ExprRandomTest, DeepInputsAreErrorsNotStackOverflows) {
  const std::vector<json::Value> results = ProviderResults();
  std::vector<std::string> inputs;
  for (const char* unit : {"(", "[", "-", "!", "not ", "{a: ", "len(", "all(result, {", "a ? ",
                           "result?.[", "1 ** ", "'x' + "}) {
    std::string s;
    for (int i = 0; i < 20000; i++) s += unit;
    inputs.push_back(s + "1");
  }
  std::string members = "result";
  for (int i = 0; i < 20000; i++) members += ".a";
  inputs.push_back(members);
  std::string comparisons = "1";
  for (int i = 0; i < 20000; i++) comparisons += " < 1";
  inputs.push_back(comparisons);
  for (const std::string& input : inputs) {
    EXPECT_FALSE(Exercise(input, results)) << input.substr(0, 40);
  }
}

TEST(ExprRandomTest, DeepValuesAreErrorsNotStackOverflows) {
  json::Value deep = json::Value(1);
  for (int i = 0; i < 1000; i++) {
    json::Array wrapper;
    wrapper.push_back(std::move(deep));
    deep = json::Value(std::move(wrapper));
  }
  auto program = Compile("result == result");
  ASSERT_TRUE(program.ok());
  auto got = EvaluateCondition(*program, deep);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), "value nested deeper than 256 levels");
}

}  // namespace
}  // namespace devflow::expr
