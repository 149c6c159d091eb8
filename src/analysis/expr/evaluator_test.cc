#include "analysis/expr/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analysis/expr/eval_rows_test_util.h"
#include "common/json_reader.h"

namespace devflow::expr {
namespace {

const EvalRow kArgoConditions[] = {
    {"prometheus vector passes", "result[0] >= 0.95", R"({"result": [0.99]})", "true", nullptr},
    {"prometheus vector fails", "result[0] >= 0.95", R"({"result": [0.5]})", "false", nullptr},
    {"guarded index on empty", "len(result) > 0 && result[0] < 0.05", R"({"result": []})", "false",
     nullptr},
    {"guarded index on data", "len(result) > 0 && result[0] < 0.05", R"({"result": [0.01]})",
     "true", nullptr},
    {"scalar", "result < 0.05", R"({"result": 0.01})", "true", nullptr},
    {"all above", "all(result, {# > 0.9})", R"({"result": [0.95, 0.99]})", "true", nullptr},
    {"all with one below", "all(result, {# > 0.9})", R"({"result": [0.95, 0.5]})", "false",
     nullptr},
    {"all of nothing", "all(result, {# > 0.9})", R"({"result": []})", "true", nullptr},
    {"default on nil", "default(result, 0) > 1", R"({"result": null})", "false", nullptr},
    {"default on value", "default(result, 0) > 1", R"({"result": 2.5})", "true", nullptr},
    {"isNil on nil", "isNil(result)", R"({"result": null})", "true", nullptr},
    {"isNil on value", "isNil(result)", R"({"result": []})", "false", nullptr},
    {"web json field", "result.major == '1'", R"({"result": {"major": "1", "minor": "27"}})",
     "true", nullptr},
    {"web json nested", "result.data.ok == true && result.data.count >= 3",
     R"({"result": {"data": {"ok": true, "count": 3}}})", "true", nullptr},
    {"web string body", "result == 'It worked!'", R"({"result": "It worked!"})", "true", nullptr},
    {"web string other", "result == 'It worked!'", R"({"result": "no"})", "false", nullptr},
    {"asInt of string", "asInt(result) > 2", R"({"result": "3"})", "true", nullptr},
    {"asFloat of string", "asFloat(result) < 0.5", R"({"result": "0.25"})", "true", nullptr},
    {"newrelic rows", "all(result, {.errorRate < 0.01})",
     R"({"result": [{"errorRate": 0.001}, {"errorRate": 0.002}]})", "true", nullptr},
    {"index on empty", "result[0] >= 0.95", R"({"result": []})", nullptr,
     "index out of range: 0 with length 0"},
    {"index past end", "result[3]", R"({"result": [1]})", nullptr,
     "index out of range: 3 with length 1"},
    {"field of nil", "result.major == '1'", R"({"result": null})", nullptr,
     "cannot fetch major from <nil>"},
    {"compare string with number", "result > 1", R"({"result": "x"})", nullptr,
     "invalid operation: string > int"},
};

TEST(ExprEvaluateTest, ArgoConditions) { RunRows(kArgoConditions, std::size(kArgoConditions)); }

const EvalRow kLiterals[] = {
    {"prefixed ints", "0x1F + 0o17 + 0b11 + 1_000", "{}", "1049", nullptr},
    {"floats", ".5 + 2.", "{}", "2.5", nullptr},
    {"exponent is float", "1e3", "{}", "1000.0", nullptr},
    {"escapes", R"("\u00e9\x41\101\t\\")", "{}", "\"\u00e9AA\\t\\\\\"", nullptr},
    {"quote escape", R"('it\'s')", "{}", R"("it's")", nullptr},
    {"raw string", "`a\\n`", "{}", R"("a\\n")", nullptr},
    {"list", "[1, 'a', nil, true, 2.5]", "{}", R"([1, "a", null, true, 2.5])", nullptr},
    {"nested map", "{a: {b: [1]}}", "{}", R"({"a": {"b": [1]}})", nullptr},
    {"computed key", "{('a' + 'b'): 1}", "{}", R"({"ab": 1})", nullptr},
};

TEST(ExprEvaluateTest, Literals) { RunRows(kLiterals, std::size(kLiterals)); }

const EvalRow kPrecedence[] = {
    {"mul before add", "1 + 2 * 3", "{}", "7", nullptr},
    {"parentheses", "(1 + 2) * 3", "{}", "9", nullptr},
    {"left associative minus", "10 - 2 - 3", "{}", "5", nullptr},
    {"mul and mod left to right", "2 * 3 % 4", "{}", "2", nullptr},
    {"power right associative", "2 ** 3 ** 2", "{}", "512.0", nullptr},
    {"caret is power", "2 ^ 3", "{}", "8.0", nullptr},
    {"unary minus below power", "-2 ** 2", "{}", "-4.0", nullptr},
    {"not binds tighter than ==", "not true == false", "{}", "true", nullptr},
    {"and before or", "true || false && false", "{}", "true", nullptr},
    {"or and and words", "false or true and true", "{}", "true", nullptr},
    {"arithmetic before comparison", "1 + 2 == 3 && 4 > 3", "{}", "true", nullptr},
    {"range below addition", "1..1+2", "{}", "[1, 2, 3]", nullptr},
    {"comparison chain", "1 < 2 < 3", "{}", "true", nullptr},
    {"comparison chain false", "3 > 2 > 2", "{}", "false", nullptr},
    {"ternary lowest", "true ? 1 : 2 + 10", "{}", "1", nullptr},
    {"ternary right associative", "false ? 1 : true ? 2 : 3", "{}", "2", nullptr},
    {"elvis", "false ?: true", "{}", "true", nullptr},
    {"coalesce tightest", "(nil ?? 1) + 1", "{}", "2", nullptr},
    {"coalesce chain", "nil ?? nil ?? 3", "{}", "3", nullptr},
    {"coalesce keeps non-nil", "false ?? true", "{}", "false", nullptr},
    {"in below arithmetic", "1 + 1 in [2]", "{}", "true", nullptr},
    {"not in", "3 not in [1, 2]", "{}", "true", nullptr},
    {"not in binds as comparison", "1 + 2 not in [3] || true", "{}", "true", nullptr},
    {"unary minus on member", "-result.a", R"({"result": {"a": 2}})", "-2", nullptr},
};

TEST(ExprEvaluateTest, Precedence) { RunRows(kPrecedence, std::size(kPrecedence)); }

const EvalRow kOperators[] = {
    {"int division gives float", "7 / 2", "{}", "3.5", nullptr},
    {"exact division still float", "6 / 3", "{}", "2.0", nullptr},
    {"modulo", "7 % 3", "{}", "1", nullptr},
    {"modulo truncates", "-7 % 3", "{}", "-1", nullptr},
    {"int plus float", "1 + 0.5", "{}", "1.5", nullptr},
    {"int equals float", "1 == 1.0", "{}", "true", nullptr},
    {"string concat", "'a' + 'b' == 'ab'", "{}", "true", nullptr},
    {"string order", "'abc' < 'abd'", "{}", "true", nullptr},
    {"different types unequal", "1 == '1'", "{}", "false", nullptr},
    {"nil equals nil", "nil == nil", "{}", "true", nullptr},
    {"list equality", "[1, 'a', [2.0]] == [1.0, 'a', [2]]", "{}", "true", nullptr},
    {"map equality ignores order", "{a: 1, b: 2} == {b: 2, a: 1}", "{}", "true", nullptr},
    {"in map keys", "'a' in {a: 1}", "{}", "true", nullptr},
    {"in nil", "1 in nil", "{}", "false", nullptr},
    {"contains", "'hello' contains 'ell'", "{}", "true", nullptr},
    {"startsWith", "'hello' startsWith 'he'", "{}", "true", nullptr},
    {"endsWith", "'hello' endsWith 'lo'", "{}", "true", nullptr},
    {"not contains", "'hello' not contains 'x'", "{}", "true", nullptr},
    {"matches", "'hello' matches '^h.*o$'", "{}", "true", nullptr},
    {"matches is unanchored", "'say hello' matches 'l+o'", "{}", "true", nullptr},
    {"not matches", "'hello' not matches '^x'", "{}", "true", nullptr},
    {"matches dynamic pattern", "result.s matches result.p",
     R"({"result": {"s": "v1.2.3", "p": "^v\\d+\\.\\d+"}})", "true", nullptr},
    {"range", "1..3", "{}", "[1, 2, 3]", nullptr},
    {"empty range", "3..1", "{}", "[]", nullptr},
    {"unary plus", "+1.5", "{}", "1.5", nullptr},
    {"not", "!false", "{}", "true", nullptr},
    {"short-circuit and", "false && result.x.y", R"({"result": null})", "false", nullptr},
    {"short-circuit or", "true || 1 / 0 > 1", "{}", "true", nullptr},
    {"map is not ordered", "result < 1", R"({"result": {"x": 1}})", nullptr,
     "invalid operation: map[string]interface {} < int"},
    {"modulo by zero", "1 % 0", "{}", nullptr, "integer divide by zero"},
    {"modulo of float", "1.5 % 1", "{}", nullptr, "invalid operation: float64 % int"},
    {"overflow", "9223372036854775807 + 1", "{}", nullptr,
     "integer overflow: 9223372036854775807 + 1"},
    {"overflow multiply", "4611686018427387904 * 2", "{}", nullptr,
     "integer overflow: 4611686018427387904 * 2"},
    {"negate minimum", "-(-9223372036854775807 - 1)", "{}", nullptr,
     "integer overflow: -(-9223372036854775808)"},
    {"string plus int", "'a' + 1", "{}", nullptr, "invalid operation: string + int"},
    {"bool arithmetic", "true * 2", "{}", nullptr, "invalid operation: bool * int"},
    {"not of int", "not 1", "{}", nullptr, "invalid operation: not int"},
    {"and of int", "1 && true", "{}", nullptr,
     "invalid operation: operand of && must be bool, got int"},
    {"or right side", "false || 'x'", "{}", nullptr,
     "invalid operation: operand of || must be bool, got string"},
    {"ternary condition", "1 ? 2 : 3", "{}", nullptr,
     "non-bool expression (type int) used as condition"},
    {"in on string", "'a' in 'abc'", "{}", nullptr, "operator \"in\" not defined on string"},
    {"contains on list", "[1] contains 1", "{}", nullptr,
     "invalid operation: []interface {} contains int"},
    {"range of floats", "1.5..3", "{}", nullptr, "invalid operation: float64 .. int"},
    {"range too large", "1..10000000", "{}", nullptr,
     "range too large: 1..10000000 would have more than 1000000 elements"},
    {"range too large at the extremes", "-9223372036854775807..9223372036854775807", "{}", nullptr,
     "range too large: -9223372036854775807..9223372036854775807 would have more than 1000000 "
     "elements"},
    {"bad dynamic pattern", "'a' matches result", R"({"result": "a**"})", nullptr,
     "error parsing regexp: invalid nested repetition operator: `**`"},
    {"unknown variable", "unknownVar > 1", "{}", nullptr, "unknown name unknownVar"},
    {"map key not string", "{(1): 2}", "{}", nullptr, "map key must be a string, got int"},
};

TEST(ExprEvaluateTest, Operators) { RunRows(kOperators, std::size(kOperators)); }

const EvalRow kAccess[] = {
    {"nested fields", "result.a.b", R"({"result": {"a": {"b": 5}}})", "5", nullptr},
    {"bracket field", "result['a-b']", R"({"result": {"a-b": 1}})", "1", nullptr},
    {"missing field is nil", "result.missing", R"({"result": {}})", "null", nullptr},
    {"missing field coalesced", "result.missing ?? 7", R"({"result": {}})", "7", nullptr},
    {"field of missing field", "result.missing.x", R"({"result": {}})", nullptr,
     "cannot fetch x from <nil>"},
    {"optional chain on nil", "result?.a.b", R"({"result": null})", "null", nullptr},
    {"optional chain inner nil", "result.a?.b.c", R"({"result": {"a": null}})", "null", nullptr},
    {"optional chain with value", "result?.a", R"({"result": {"a": 1}})", "1", nullptr},
    {"optional index", "result?.[0]", R"({"result": null})", "null", nullptr},
    {"field of number", "result.x", R"({"result": 5})", nullptr, "cannot fetch x from int"},
    {"negative index", "result[-1]", R"({"result": [1, 2, 3]})", "3", nullptr},
    {"negative index out of range", "result[-4]", R"({"result": [1, 2, 3]})", nullptr,
     "index out of range: -4 with length 3"},
    {"float index truncates", "result[1.9]", R"({"result": [1, 2, 3]})", "2", nullptr},
    {"string index is a byte", "'A'[0]", "{}", "65", nullptr},
    {"index with string", "result['a']", R"({"result": [1]})", nullptr,
     "cannot fetch a from []interface {}"},
    {"index map with int", "result[0]", R"({"result": {"a": 1}})", nullptr,
     "cannot use int as a key of map[string]interface {}"},
    {"slice", "result[1:3]", R"({"result": [1, 2, 3, 4]})", "[2, 3]", nullptr},
    {"slice open start", "result[:2]", R"({"result": [1, 2, 3]})", "[1, 2]", nullptr},
    {"slice negative", "result[-2:]", R"({"result": [1, 2, 3]})", "[2, 3]", nullptr},
    {"slice clamps", "result[1:100]", R"({"result": [1, 2]})", "[2]", nullptr},
    {"slice inverted is empty", "result[2:1]", R"({"result": [1, 2, 3]})", "[]", nullptr},
    {"slice string", "'hello'[1:3]", "{}", "\"el\"", nullptr},
    {"slice number", "result[0:1]", R"({"result": 5})", nullptr, "cannot slice int"},
    {"map literal field", "{a: 1, 'b': 2}.b", "{}", "2", nullptr},
    {"number map key is text", "{1: 'x'}['1']", "{}", "\"x\"", nullptr},
};

TEST(ExprEvaluateTest, MemberIndexAndSlice) { RunRows(kAccess, std::size(kAccess)); }

const EvalRow kPredicates[] = {
    {"any", "any(result, {# > 2})", R"({"result": [1, 3]})", "true", nullptr},
    {"any of nothing", "any([], {# > 2})", "{}", "false", nullptr},
    {"none", "none(result, {# > 2})", R"({"result": [1, 2]})", "true", nullptr},
    {"one", "one(result, {# > 1})", R"({"result": [1, 2, 3]})", "false", nullptr},
    {"one exactly", "one(result, {# > 2})", R"({"result": [1, 2, 3]})", "true", nullptr},
    {"filter", "filter(result, {# % 2 == 0})", R"({"result": [1, 2, 3, 4]})", "[2, 4]", nullptr},
    {"map", "map(result, {# * 10})", R"({"result": [1, 2]})", "[10, 20]", nullptr},
    {"map index", "map(['a', 'b'], {#index})", "{}", "[0, 1]", nullptr},
    {"count", "count(result, {# > 1})", R"({"result": [1, 2, 3]})", "2", nullptr},
    {"count bools", "count([true, false, true])", "{}", "2", nullptr},
    {"sum ints", "sum([1, 2, 3])", "{}", "6", nullptr},
    {"sum floats", "sum([1, 2.5])", "{}", "3.5", nullptr},
    {"sum with closure", "sum(result, {.n})", R"({"result": [{"n": 1}, {"n": 2}]})", "3", nullptr},
    {"sum of nothing", "sum([])", "{}", "0", nullptr},
    {"find", "find(result, {# > 1})", R"({"result": [1, 2, 3]})", "2", nullptr},
    {"find nothing", "find(result, {# > 5})", R"({"result": [1]})", "null", nullptr},
    {"findIndex", "findIndex(result, {# > 1})", R"({"result": [1, 2, 3]})", "1", nullptr},
    {"findLast", "findLast(result, {# > 1})", R"({"result": [1, 2, 3]})", "3", nullptr},
    {"findLastIndex", "findLastIndex(result, {# > 5})", R"({"result": [1]})", "-1", nullptr},
    {"field shorthand", "filter(result, {.ok})", R"({"result": [{"ok": true}, {"ok": false}]})",
     R"([{"ok": true}])", nullptr},
    {"nested predicates", "all(result, {any(#, {# > 2})})", R"({"result": [[1, 3], [4]]})", "true",
     nullptr},
    {"outer element after inner", "map(result, {all([1], {# > 0}) ? # : 0})",
     R"({"result": [5, 6]})", "[5, 6]", nullptr},
    {"bare predicate", "all(result, # > 0)", R"({"result": [1]})", "true", nullptr},
    {"predicate on nil", "all(result, {# > 0})", R"({"result": null})", nullptr,
     "builtin all takes only array (got <nil>)"},
    {"predicate on number", "any(5, {true})", "{}", nullptr,
     "builtin any takes only array (got int)"},
    {"predicate not bool", "all([1], {#})", "{}", nullptr,
     "predicate of all must return bool, got int"},
    {"sum of strings", "sum(['a'])", "{}", nullptr, "invalid operation: sum of string"},
    {"budget", "all(1..1000000, {all(1..1000000, {true})})", "{}", nullptr,
     "evaluation too expensive: exceeded the budget of 5000000 steps"},
};

TEST(ExprEvaluateTest, Predicates) { RunRows(kPredicates, std::size(kPredicates)); }

TEST(ExprEvaluateTest, ConditionsMustBeBool) {
  struct Row {
    const char* name;
    const char* source;
    json::Value result;
    const char* error;  // nullptr: true expected
  } rows[] = {
      {"float", "result", json::Value(0.5), "expected bool, but got float64"},
      {"int", "1", json::Value(), "expected bool, but got int"},
      {"nil", "result", json::Value(), "expected bool, but got <nil>"},
      {"list", "result", json::Value(json::Array{}), "expected bool, but got []interface {}"},
      {"map", "result", json::Value(json::Object{}),
       "expected bool, but got map[string]interface {}"},
      {"string", "'true'", json::Value(), "expected bool, but got string"},
      {"time", "now()", json::Value(), "expected bool, but got time.Time"},
      {"bool", "result", json::Value(true), nullptr},
  };
  for (const Row& row : rows) {
    auto program = Compile(row.source);
    ASSERT_TRUE(program.ok()) << row.name;
    auto got = EvaluateCondition(*program, row.result, FixedNow());
    if (row.error == nullptr) {
      ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
      EXPECT_TRUE(*got) << row.name;
    } else {
      ASSERT_FALSE(got.ok()) << row.name;
      EXPECT_EQ(got.error().message(), row.error) << row.name;
    }
  }
}

TEST(ExprEvaluateTest, NaNAndInfinityFromProviders) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Row {
    const char* name;
    const char* source;
    json::Value result;
    bool want;
  } rows[] = {
      {"isNaN of NaN", "isNaN(result)", json::Value(nan), true},
      {"isNaN of number", "isNaN(result)", json::Value(0.5), false},
      {"isNaN of int", "isNaN(result)", json::Value(1), false},
      {"NaN compares false", "result < 1 || result >= 1", json::Value(nan), false},
      {"NaN is not equal to itself", "result == result", json::Value(nan), false},
      {"isInf", "isInf(result)", json::Value(-inf), true},
      {"isInf of finite", "isInf(result)", json::Value(1.0), false},
      {"NaN in a vector", "any(result, {isNaN(#)})", json::Value(json::Array{1.0, nan}), true},
      {"division by zero is infinite", "isInf(1 / 0) && isNaN(0 / 0.0)", json::Value(), true},
  };
  for (const Row& row : rows) {
    auto program = Compile(row.source);
    ASSERT_TRUE(program.ok()) << row.name;
    auto got = EvaluateCondition(*program, row.result, FixedNow());
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
  auto program = Compile("int(result)");
  ASSERT_TRUE(program.ok());
  auto got = EvaluateValue(*program, json::Object{{"result", nan}}, FixedNow());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), "invalid operation: int(NaN): not representable as an int");
  program = Compile("isNaN('x')");
  ASSERT_TRUE(program.ok());
  got = EvaluateValue(*program, {}, FixedNow());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), "invalid argument for isNaN (type string)");
}

TEST(ExprEvaluateTest, TimesForRangeQueries) {
  auto program = Compile("now() - duration('5m')");
  ASSERT_TRUE(program.ok());
  auto t = EvaluateTime(*program, FixedNow());
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(*t, kNow - std::chrono::minutes(5));
  auto as_json = Evaluate(*program, {}, FixedNow());
  ASSERT_TRUE(as_json.ok()) << as_json.error();
  EXPECT_EQ(*as_json, json::Value("2024-05-01T09:55:00Z"));

  program = Compile("1");
  ASSERT_TRUE(program.ok());
  t = EvaluateTime(*program, FixedNow());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message(), "expected time.Time, but got int");
}

TEST(ExprEvaluateTest, ProgramsEvaluateRepeatedlyWithDifferentResults) {
  auto program = Compile("result[0] >= 0.95");
  ASSERT_TRUE(program.ok());
  for (int i = 0; i < 3; i++) {
    auto pass = EvaluateCondition(*program, json::Value(json::Array{0.99}), FixedNow());
    auto fail = EvaluateCondition(*program, json::Value(json::Array{0.1}), FixedNow());
    ASSERT_TRUE(pass.ok() && fail.ok());
    EXPECT_TRUE(*pass);
    EXPECT_FALSE(*fail);
  }
}

}  // namespace
}  // namespace devflow::expr
