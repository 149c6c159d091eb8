#include "analysis/expr/builtins.h"

#include <gtest/gtest.h>

#include "analysis/expr/eval_rows_test_util.h"

namespace devflow::expr {
namespace {

TEST(ExprBuiltinsTest, EveryDocumentedFunctionResolves) {
  for (const char* name :
       {"len",        "abs",     "ceil",      "floor",       "round",         "int",
        "float",      "string",  "sum",       "mean",        "median",        "max",
        "min",        "first",   "last",      "keys",        "values",        "upper",
        "lower",      "trim",    "split",     "join",        "now",           "duration",
        "asInt",      "asFloat", "isNaN",     "isInf",       "isNil",         "default",
        "all",        "any",     "none",      "one",         "filter",        "map",
        "count",      "find",    "findIndex", "findLast",    "findLastIndex", "trimPrefix",
        "trimSuffix", "replace", "indexOf",   "lastIndexOf", "hasPrefix",     "hasSuffix",
        "reverse",    "type"}) {
    EXPECT_NE(FindBuiltin(name), nullptr) << name;
  }
  EXPECT_EQ(FindBuiltin("nosuch"), nullptr);
  EXPECT_EQ(FindBuiltin("Len"), nullptr);
}

const EvalRow kNumbers[] = {
    {"len of list", "len([1, 2, 3])", "{}", "3", nullptr},
    {"len of map", "len({a: 1})", "{}", "1", nullptr},
    {"len counts runes", "len('h\u00e9llo')", "{}", "5", nullptr},
    {"len of number", "len(5)", "{}", nullptr, "invalid argument for len (type int)"},
    {"len of nil", "len(result)", R"({"result": null})", nullptr,
     "invalid argument for len (type <nil>)"},
    {"abs int", "abs(-3)", "{}", "3", nullptr},
    {"abs float", "abs(-2.5)", "{}", "2.5", nullptr},
    {"abs string", "abs('x')", "{}", nullptr, "invalid argument for abs (type string)"},
    {"ceil", "ceil(1.2)", "{}", "2.0", nullptr},
    {"ceil of int is float", "ceil(2)", "{}", "2.0", nullptr},
    {"floor", "floor(-1.2)", "{}", "-2.0", nullptr},
    {"round half away from zero", "round(2.5) + round(-2.5)", "{}", "0.0", nullptr},
    {"round", "round(2.4)", "{}", "2.0", nullptr},
    {"int truncates", "int(3.9)", "{}", "3", nullptr},
    {"int of negative", "int(-3.9)", "{}", "-3", nullptr},
    {"int of string", "int('42')", "{}", "42", nullptr},
    {"int of bad string", "int('4.2')", "{}", nullptr, "invalid operation: int(4.2)"},
    {"int of huge float", "int(1e30)", "{}", nullptr,
     "invalid operation: int(1e+30): not representable as an int"},
    {"int of duration", "int(duration('1us'))", "{}", "1000", nullptr},
    {"float of int", "float(2)", "{}", "2.0", nullptr},
    {"float of string", "float('1.5e2')", "{}", "150.0", nullptr},
    {"float of bad string", "float('abc')", "{}", nullptr, "invalid operation: float(abc)"},
    {"float of bool", "float(true)", "{}", nullptr, "invalid operation: float(bool)"},
    {"max mixed", "max(1, 2.5, [3, 0])", "{}", "3", nullptr},
    {"max of list", "max(result)", R"({"result": [0.2, 0.9, 0.5]})", "0.9", nullptr},
    {"min", "min(result)", R"({"result": [0.2, 0.9, -1]})", "-1", nullptr},
    {"min of nothing", "min([])", "{}", "null", nullptr},
    {"max of strings", "max(['a'])", "{}", nullptr, "invalid argument for max (type string)"},
    {"mean", "mean([1, 2, 3, 4])", "{}", "2.5", nullptr},
    {"mean of nothing", "mean([])", "{}", "0.0", nullptr},
    {"median odd", "median([3, 1, 2])", "{}", "2.0", nullptr},
    {"median even", "median([4, 1, 3, 2])", "{}", "2.5", nullptr},
    {"asInt of float", "asInt(3.7)", "{}", "3", nullptr},
    {"asInt of string", "asInt('-42')", "{}", "-42", nullptr},
    {"asInt of bad string", "asInt('x')", "{}", nullptr,
     "strconv.ParseInt: parsing \"x\": invalid syntax"},
    {"asInt out of range", "asInt('9223372036854775808')", "{}", nullptr,
     "strconv.ParseInt: parsing \"9223372036854775808\": value out of range"},
    {"asInt of bool", "asInt(true)", "{}", nullptr, "asInt() not supported on bool true"},
    {"asFloat of string", "asFloat('0.25')", "{}", "0.25", nullptr},
    {"asFloat of bad string", "asFloat('1,5')", "{}", nullptr,
     "strconv.ParseFloat: parsing \"1,5\": invalid syntax"},
    {"asFloat of nil", "asFloat(result)", R"({"result": null})", nullptr,
     "asFloat() not supported on <nil> <nil>"},
    {"default keeps value", "default(result, 5)", R"({"result": 3})", "3", nullptr},
    {"default of missing field", "default(result.x, 5)", R"({"result": {}})", "5", nullptr},
    {"isNil of missing field", "isNil(result.x)", R"({"result": {}})", "true", nullptr},
};

TEST(ExprBuiltinsTest, Numbers) { RunRows(kNumbers, std::size(kNumbers)); }

const EvalRow kStringsAndCollections[] = {
    {"string of float", "string(0.5)", "{}", "\"0.5\"", nullptr},
    {"string of large float", "string(1e6)", "{}", "\"1e+06\"", nullptr},
    {"string of whole float", "string(2.0)", "{}", "\"2\"", nullptr},
    {"string of list", "string([1, 'a', nil, true])", "{}", "\"[1 a <nil> true]\"", nullptr},
    {"string of map sorts keys", "string({b: 1, a: 2})", "{}", "\"map[a:2 b:1]\"", nullptr},
    {"string of duration", "string(duration('90s'))", "{}", "\"1m30s\"", nullptr},
    {"string of time", "string(now())", "{}", "\"2024-05-01 10:00:00 +0000 UTC\"", nullptr},
    {"type", "[type(1), type(1.5), type('a'), type(nil), type([]), type({})]", "{}",
     R"(["int", "float", "string", "nil", "array", "map"])", nullptr},
    {"upper", "upper('abC')", "{}", "\"ABC\"", nullptr},
    {"lower", "lower('AbC')", "{}", "\"abc\"", nullptr},
    {"upper of number", "upper(1)", "{}", nullptr, "invalid argument for upper (type int)"},
    {"trim spaces", "trim('  a b \\n')", "{}", "\"a b\"", nullptr},
    {"trim cutset", "trim('xxaxx', 'x')", "{}", "\"a\"", nullptr},
    {"trim everything", "trim('xx', 'x')", "{}", "\"\"", nullptr},
    {"trimPrefix", "trimPrefix('v1.2', 'v')", "{}", "\"1.2\"", nullptr},
    {"trimSuffix", "trimSuffix('a.json', '.json')", "{}", "\"a\"", nullptr},
    {"split", "split('a,b,,c', ',')", "{}", R"(["a", "b", "", "c"])", nullptr},
    {"split with limit", "split('a,b,c', ',', 2)", "{}", R"(["a", "b,c"])", nullptr},
    {"split into runes", "split('h\u00e9', '')", "{}", "[\"h\", \"\u00e9\"]", nullptr},
    {"split empty string", "split('', ',')", "{}", R"([""])", nullptr},
    {"join", "join(['a', 'b'], '-')", "{}", "\"a-b\"", nullptr},
    {"join without glue", "join(['a', 'b'])", "{}", "\"ab\"", nullptr},
    {"join numbers", "join([1])", "{}", nullptr,
     "invalid argument for join: element 0 is int, not string"},
    {"replace", "replace('a-b-c', '-', '+')", "{}", "\"a+b+c\"", nullptr},
    {"replace limited", "replace('a-b-c', '-', '+', 1)", "{}", "\"a+b-c\"", nullptr},
    {"replace empty old", "replace('ab', '', '-')", "{}", "\"-a-b-\"", nullptr},
    {"indexOf", "indexOf('hello', 'l')", "{}", "2", nullptr},
    {"lastIndexOf", "lastIndexOf('hello', 'l')", "{}", "3", nullptr},
    {"indexOf missing", "indexOf('hello', 'z')", "{}", "-1", nullptr},
    {"hasPrefix", "hasPrefix('hello', 'he') && hasSuffix('hello', 'lo')", "{}", "true", nullptr},
    {"first", "first([1, 2])", "{}", "1", nullptr},
    {"last", "last([1, 2])", "{}", "2", nullptr},
    {"first of empty", "first([])", "{}", "null", nullptr},
    {"first of number", "first(1)", "{}", nullptr, "cannot get first element from int"},
    {"keys in order", "keys({b: 1, a: 2})", "{}", R"(["b", "a"])", nullptr},
    {"values in order", "values({b: 1, a: 2})", "{}", "[1, 2]", nullptr},
    {"keys of list", "keys([1])", "{}", nullptr, "cannot get keys from []interface {}"},
    {"reverse", "reverse([1, 2, 3])", "{}", "[3, 2, 1]", nullptr},
};

TEST(ExprBuiltinsTest, StringsAndCollections) {
  RunRows(kStringsAndCollections, std::size(kStringsAndCollections));
}

const EvalRow kTime[] = {
    {"now is the injected clock", "now()", "{}", "\"2024-05-01T10:00:00Z\"", nullptr},
    {"time minus duration", "now() - duration('1h30m')", "{}", "\"2024-05-01T08:30:00Z\"", nullptr},
    {"duration plus time", "duration('1.5s') + now()", "{}", "\"2024-05-01T10:00:01.5Z\"", nullptr},
    {"time minus time", "now() - (now() - duration('2m'))", "{}", "120000000000", nullptr},
    {"durations compare", "duration('1h30m') == duration('90m')", "{}", "true", nullptr},
    {"times compare", "now() > now() - duration('1ns')", "{}", "true", nullptr},
    {"duration times int", "duration('1m') * 2 == duration('2m')", "{}", "true", nullptr},
    {"duration as nanoseconds", "duration('1ms')", "{}", "1000000", nullptr},
    {"negative duration", "duration('-1.5h') < duration('0')", "{}", "true", nullptr},
    {"bad duration", "duration('5')", "{}", nullptr, "time: missing unit in duration \"5\""},
    {"unknown unit", "duration('5d')", "{}", nullptr,
     "time: unknown unit \"d\" in duration \"5d\""},
    {"garbage duration", "duration('abc')", "{}", nullptr, "time: invalid duration \"abc\""},
    {"time plus int", "now() + 1", "{}", nullptr, "invalid operation: time.Time + int"},
    {"time overflow", "now() + duration('2562047h')", "{}", nullptr,
     "time out of range: 2024-05-01 10:00:00 +0000 UTC + 2562047h0m0s"},
};

TEST(ExprBuiltinsTest, TimeAndDuration) { RunRows(kTime, std::size(kTime)); }

}  // namespace
}  // namespace devflow::expr
