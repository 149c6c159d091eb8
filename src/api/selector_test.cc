#include "api/selector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/name_rules.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

using Op = SelectorOperator;
using Labels = std::map<std::string, std::string>;

// ParseLabelSelector accepts these; `want` is the canonical parse.
struct AcceptRow {
  const char* name;
  std::string input;
  Selector want;
};

const std::vector<AcceptRow>& AcceptRows() {
  static const std::vector<AcceptRow> rows = {
      {"empty", "", {}},
      {"only blanks", " \t\r\n", {}},
      {"equals", "a=b", {{{"a", Op::kEquals, {"b"}}}}},
      {"double equals kept apart", "a==b", {{{"a", Op::kDoubleEquals, {"b"}}}}},
      {"not equals", "a!=b", {{{"a", Op::kNotEquals, {"b"}}}}},
      {"in sorts and dedupes", "a in (y,x,y)", {{{"a", Op::kIn, {"x", "y"}}}}},
      {"notin", "a notin (x)", {{{"a", Op::kNotIn, {"x"}}}}},
      {"exists", "a", {{{"a", Op::kExists, {}}}}},
      {"does not exist", "!a", {{{"a", Op::kDoesNotExist, {}}}}},
      {"blank after bang", "! a", {{{"a", Op::kDoesNotExist, {}}}}},
      {"greater than", "a>1", {{{"a", Op::kGreaterThan, {"1"}}}}},
      {"less than", "a<10", {{{"a", Op::kLessThan, {"10"}}}}},
      {"blanks around tokens",
       "  a  =  b  ,\tc\n",
       {{{"a", Op::kEquals, {"b"}}, {"c", Op::kExists, {}}}}},
      {"blanks inside a set", "a in ( x , y )", {{{"a", Op::kIn, {"x", "y"}}}}},
      {"no blank before paren", "a in(x)", {{{"a", Op::kIn, {"x"}}}}},
      {"empty exact value", "a=", {{{"a", Op::kEquals, {""}}}}},
      {"empty exact value before comma",
       "a!=,b",
       {{{"a", Op::kNotEquals, {""}}, {"b", Op::kExists, {}}}}},
      {"empty set means empty value", "a in ()", {{{"a", Op::kIn, {""}}}}},
      {"leading empty set value", "a in (,x)", {{{"a", Op::kIn, {"", "x"}}}}},
      {"trailing empty set value", "a notin (x,)", {{{"a", Op::kNotIn, {"", "x"}}}}},
      {"inner empty set value", "a in (x,,y)", {{{"a", Op::kIn, {"", "x", "y"}}}}},
      {"keywords are values in a set", "a in (in,notin)", {{{"a", Op::kIn, {"in", "notin"}}}}},
      {"keyword as exact value", "a=notin", {{{"a", Op::kEquals, {"notin"}}}}},
      {"keyword as key", "in=x", {{{"in", Op::kEquals, {"x"}}}}},
      {"prefixed key", "example.com/app=web", {{{"example.com/app", Op::kEquals, {"web"}}}}},
      {"sorted by key", "b=1,a=2", {{{"a", Op::kEquals, {"2"}}, {"b", Op::kEquals, {"1"}}}}},
      {"same key sorted by operator",
       "a!=2,a=1",
       {{{"a", Op::kEquals, {"1"}}, {"a", Op::kNotEquals, {"2"}}}}},
      {"duplicates kept", "a,a", {{{"a", Op::kExists, {}}, {"a", Op::kExists, {}}}}},
      {"nul byte where a token starts ends the input",
       std::string("a=b \0,c", 8),
       {{{"a", Op::kEquals, {"b"}}}}},
      {"nul byte after a symbol is skipped",
       std::string("a,\0b", 4),
       {{{"a", Op::kExists, {}}, {"b", Op::kExists, {}}}}},
      {"nul byte inside a word ends the word",
       std::string("a=b\0,c", 6),
       {{{"a", Op::kEquals, {"b"}}, {"c", Op::kExists, {}}}}},
  };
  return rows;
}

TEST(SelectorParse, Accepts) {
  for (const AcceptRow& row : AcceptRows()) {
    Result<Selector> got = ParseLabelSelector(row.input);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    EXPECT_EQ(*got, row.want) << row.name << ": got " << ToString(*got);
  }
}

TEST(SelectorParse, RoundTripsThroughToString) {
  for (const AcceptRow& row : AcceptRows()) {
    Result<Selector> parsed = ParseLabelSelector(row.input);
    ASSERT_TRUE(parsed.ok()) << row.name << ": " << parsed.status();
    std::string text = ToString(*parsed);
    Result<Selector> again = ParseLabelSelector(text);
    ASSERT_TRUE(again.ok()) << row.name << ": " << text << ": " << again.status();
    EXPECT_EQ(*again, *parsed) << row.name << ": " << text;
  }
}

struct RejectRow {
  const char* name;
  std::string input;
  std::string message;
};

TEST(SelectorParse, RejectsWithPositionAndExpectation) {
  const std::string too_long_key(64, 'k');
  const std::vector<RejectRow> rows = {
      {"two words", "a b",
       "unable to parse requirement: found 'b' at column 3, expected: in, notin, =, ==, !=, gt, "
       "lt"},
      {"bang as operator", "a !b",
       "unable to parse requirement: found '!' at column 3, expected: in, notin, =, ==, !=, gt, "
       "lt"},
      {"junk after value", "a=b c", "found 'c' at column 5, expected: ',' or 'end of string'"},
      {"operator after does-not-exist", "!a=b",
       "found '=' at column 3, expected: ',' or 'end of string'"},
      {"leading comma", ",a", "found ',' at column 1, expected: !, identifier, or 'end of string'"},
      {"leading operator", "=a",
       "found '=' at column 1, expected: !, identifier, or 'end of string'"},
      {"trailing comma", "a,", "found '' at column 3, expected: identifier after ','"},
      {"double comma", "a,,b", "found ',' at column 3, expected: identifier after ','"},
      {"nul where a token starts", std::string("a, \0b", 5),
       "found '' at column 4, expected: identifier after ','"},
      {"bang alone", "!",
       "unable to parse requirement: found '' at column 2, expected: identifier"},
      {"bang before operator", "!=a",
       "found '!=' at column 1, expected: !, identifier, or 'end of string'"},
      {"in without set", "a in",
       "unable to parse requirement: found '' at column 5, expected: '('"},
      {"in with a word", "a in b",
       "unable to parse requirement: found 'b' at column 6, expected: '('"},
      {"unclosed set", "a in (x",
       "unable to parse requirement: found '' at column 8, expected: ',' or ')'"},
      {"operator opens set", "a in (=)",
       "unable to parse requirement: found '=' at column 7, expected: ',', ')' or identifier"},
      {"operator inside set", "a in (x,=)",
       "unable to parse requirement: found '=' at column 9, expected: ',', or identifier"},
      {"two words in set", "a in (x y)",
       "unable to parse requirement: found 'y' at column 9, expected: ',' or ')'"},
      {"paren as exact value", "a=(",
       "unable to parse requirement: found '(' at column 3, expected: identifier"},
      {"bad key", "-a=b",
       "unable to parse requirement: invalid label key at column 1: " + CheckQualifiedName("-a")},
      {"key too long", too_long_key,
       "unable to parse requirement: invalid label key at column 1: " +
           CheckQualifiedName(too_long_key)},
      {"bad key after bang", "!a/",
       "unable to parse requirement: invalid label key at column 2: " + CheckQualifiedName("a/")},
      {"bad exact value", "a=-b",
       "unable to parse requirement: invalid label value at column 3: " + CheckLabelValue("-b")},
      {"bad set value", "a in (ok, b_)",
       "unable to parse requirement: invalid label value at column 11: " + CheckLabelValue("b_")},
      {"gt not an integer", "a>x",
       "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer, got "
       "'x' at column 3"},
      {"gt empty", "a>",
       "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer, got "
       "'' at column 3"},
      {"lt overflows int64", "a<9223372036854775808",
       "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer, got "
       "'9223372036854775808' at column 3"},
      {"gt negative is not a label value", "a>-1",
       "unable to parse requirement: invalid label value at column 3: " + CheckLabelValue("-1")},
  };
  for (const RejectRow& row : rows) {
    Result<Selector> got = ParseLabelSelector(row.input);
    ASSERT_FALSE(got.ok()) << row.name << ": parsed as " << ToString(*got);
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().message(), row.message) << row.name;
  }
}

TEST(SelectorMatch, Rows) {
  struct Row {
    const char* name;
    const char* selector;
    Labels labels;
    bool want;
  };
  const std::vector<Row> rows = {
      {"empty matches nothing set", "", {}, true},
      {"empty matches anything", "", {{"a", "b"}}, true},
      {"equals", "a=b", {{"a", "b"}}, true},
      {"equals other value", "a=b", {{"a", "c"}}, false},
      {"equals absent", "a=b", {}, false},
      {"double equals", "a==b", {{"a", "b"}}, true},
      {"empty value needs the label", "a=", {}, false},
      {"empty value matches empty", "a=", {{"a", ""}}, true},
      {"not equals absent", "a!=b", {}, true},
      {"not equals same", "a!=b", {{"a", "b"}}, false},
      {"not equals other", "a!=b", {{"a", "c"}}, true},
      {"in member", "a in (x,y)", {{"a", "y"}}, true},
      {"in non-member", "a in (x,y)", {{"a", "z"}}, false},
      {"in absent", "a in (x,y)", {}, false},
      {"empty set matches empty value", "a in ()", {{"a", ""}}, true},
      {"notin member", "a notin (x)", {{"a", "x"}}, false},
      {"notin absent", "a notin (x)", {}, true},
      {"exists", "a", {{"a", ""}}, true},
      {"exists absent", "a", {{"b", "x"}}, false},
      {"does not exist", "!a", {{"b", "x"}}, true},
      {"does not exist present", "!a", {{"a", "x"}}, false},
      {"gt greater", "n>5", {{"n", "6"}}, true},
      {"gt equal", "n>5", {{"n", "5"}}, false},
      {"gt absent", "n>5", {}, false},
      {"gt not a number", "n>5", {{"n", "six"}}, false},
      {"gt compares numbers not text", "n>5", {{"n", "10"}}, true},
      {"lt signed label value", "n<0", {{"n", "-3"}}, true},
      {"lt plus sign", "n<4", {{"n", "+3"}}, true},
      {"lt smaller", "n<5", {{"n", "4"}}, true},
      {"all must hold", "a=b,c", {{"a", "b"}}, false},
      {"all hold", "a=b,c,!d", {{"a", "b"}, {"c", "1"}}, true},
  };
  for (const Row& row : rows) {
    Result<Selector> s = ParseLabelSelector(row.selector);
    ASSERT_TRUE(s.ok()) << row.name << ": " << s.status();
    EXPECT_EQ(Matches(*s, row.labels), row.want) << row.name;
  }
}

TEST(SelectorToString, CanonicalForm) {
  struct Row {
    const char* name;
    const char* input;
    const char* want;
  };
  const std::vector<Row> rows = {
      {"empty", "", ""},
      {"sorted by key, values sorted", "b=1, a in (z,y)", "a in (y,z),b=1"},
      {"double equals kept", "a==b", "a==b"},
      {"exists before does-not-exist", "!a,a", "a,!a"},
      {"notin without blanks", "x notin ( c , b )", "x notin (b,c)"},
      {"empty set", "a in ()", "a in ()"},
      {"empty set member", "a in (x,)", "a in (,x)"},
      {"empty exact value", "a=", "a="},
      {"comparison", "n > 3", "n>3"},
      {"prefixed key", "example.com/app!=web", "example.com/app!=web"},
  };
  for (const Row& row : rows) {
    Result<Selector> s = ParseLabelSelector(row.input);
    ASSERT_TRUE(s.ok()) << row.name << ": " << s.status();
    EXPECT_EQ(ToString(*s), row.want) << row.name;
  }
}

TEST(SelectorToString, NormalizesAHandBuiltSelector) {
  Selector s{{{"b", Op::kEquals, {"1"}}, {"a", Op::kIn, {"z", "y"}}, {"a", Op::kExists, {}}}};
  EXPECT_EQ(ToString(s), "a in (y,z),a,b=1");
}

LabelSelectorRequirement Expr(std::string key, std::string op, std::vector<std::string> values) {
  return {std::move(key), std::move(op), std::move(values)};
}

TEST(LabelSelectorStringConversion, FromLabelSelector) {
  struct Row {
    const char* name;
    LabelSelector in;
    const char* want;
  };
  const std::vector<Row> rows = {
      {"empty selects everything", {}, ""},
      {"match labels", {{{"app", "web"}, {"tier", "front"}}}, "app=web,tier=front"},
      {"expressions",
       {{},
        {Expr("d", "DoesNotExist", {}), Expr("a", "In", {"y", "x", "y"}), Expr("b", "NotIn", {"z"}),
         Expr("c", "Exists", {})}},
       "a in (x,y),b notin (z),c,!d"},
      {"labels and expressions",
       {{{"app", "web"}}, {Expr("app", "In", {"web", "api"})}},
       "app=web,app in (api,web)"},
  };
  for (const Row& row : rows) {
    Result<Selector> s = FromLabelSelector(row.in);
    ASSERT_TRUE(s.ok()) << row.name << ": " << s.status();
    EXPECT_EQ(ToString(*s), row.want) << row.name;
    Result<Selector> reparsed = ParseLabelSelector(row.want);
    ASSERT_TRUE(reparsed.ok()) << row.name;
    EXPECT_EQ(*reparsed, *s) << row.name << ": the string form parses to the same selector";
  }
}

TEST(LabelSelectorStringConversion, FromLabelSelectorErrorsNameTheField) {
  struct Row {
    const char* name;
    LabelSelector in;
    std::string path;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"bad label key",
       {{{"-app", "web"}}},
       "matchLabels",
       "invalid label key: " + CheckQualifiedName("-app")},
      {"bad label value",
       {{{"app", "w b"}}},
       "matchLabels.app",
       "invalid label value: " + CheckLabelValue("w b")},
      {"unknown operator",
       {{}, {Expr("a", "In", {"x"}), Expr("a", "Equals", {"x"})}},
       "matchExpressions[1].operator",
       "\"Equals\" is not a valid label selector operator"},
      {"bad expression key",
       {{}, {Expr("a b", "Exists", {})}},
       "matchExpressions[0].key",
       "invalid label key: " + CheckQualifiedName("a b")},
      {"in without values",
       {{}, {Expr("a", "In", {})}},
       "matchExpressions[0].values",
       "must be specified when `operator` is 'In' or 'NotIn'"},
      {"notin without values",
       {{}, {Expr("a", "NotIn", {})}},
       "matchExpressions[0].values",
       "must be specified when `operator` is 'In' or 'NotIn'"},
      {"exists with values",
       {{}, {Expr("a", "Exists", {"x"})}},
       "matchExpressions[0].values",
       "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"},
      {"does not exist with values",
       {{}, {Expr("a", "DoesNotExist", {"x"})}},
       "matchExpressions[0].values",
       "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"},
      {"bad expression value",
       {{}, {Expr("a", "In", {"x", "-y"})}},
       "matchExpressions[0].values[1]",
       "invalid label value: " + CheckLabelValue("-y")},
  };
  for (const Row& row : rows) {
    Result<Selector> s = FromLabelSelector(row.in);
    ASSERT_FALSE(s.ok()) << row.name << ": converted to " << ToString(*s);
    EXPECT_EQ(s.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(s.error().field_path(), row.path) << row.name;
    EXPECT_EQ(s.error().message(), row.message) << row.name;
  }
}

TEST(LabelSelectorStringConversion, ToLabelSelector) {
  struct Row {
    const char* name;
    const char* selector;
    LabelSelector want;
  };
  const std::vector<Row> rows = {
      {"empty", "", {}},
      {"every form",
       "a=1,b!=2,c in (y,x),d,!e,f==3,g notin (z)",
       {{{"a", "1"}, {"f", "3"}},
        {Expr("b", "NotIn", {"2"}), Expr("c", "In", {"x", "y"}), Expr("d", "Exists", {}),
         Expr("e", "DoesNotExist", {}), Expr("g", "NotIn", {"z"})}}},
      {"second value for a key", "a=1,a=2", {{{"a", "1"}}, {Expr("a", "In", {"2"})}}},
      {"same value twice", "a=1,a==1", {{{"a", "1"}}, {}}},
  };
  for (const Row& row : rows) {
    Result<Selector> s = ParseLabelSelector(row.selector);
    ASSERT_TRUE(s.ok()) << row.name << ": " << s.status();
    Result<LabelSelector> got = ToLabelSelector(*s);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    EXPECT_EQ(*got, row.want) << row.name << ": got " << ToSelectorString(*got);
  }
}

TEST(LabelSelectorStringConversion, ToLabelSelectorRejectsComparisons) {
  for (const char* selector : {"n>1", "a=b,n<2"}) {
    Result<Selector> s = ParseLabelSelector(selector);
    ASSERT_TRUE(s.ok()) << selector;
    Result<LabelSelector> got = ToLabelSelector(*s);
    ASSERT_FALSE(got.ok()) << selector;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << selector;
    EXPECT_NE(got.error().message().find("has no LabelSelector form"), std::string::npos)
        << selector << ": " << got.error().message();
  }
}

// The converted selector selects what meta.h's Matches(LabelSelector) selects, and what the
// LabelSelector converted back selects.
TEST(LabelSelectorStringConversion, ConversionsSelectTheSameObjects) {
  const std::vector<LabelSelector> selectors = {
      {{{"app", "web"}},
       {Expr("tier", "NotIn", {"db", "cache"}), Expr("legacy", "DoesNotExist", {})}},
      {{}, {Expr("app", "In", {"web", "api"}), Expr("canary", "Exists", {})}},
  };
  const std::vector<Labels> label_sets = {
      {},
      {{"app", "web"}},
      {{"app", "web"}, {"tier", "db"}},
      {{"app", "web"}, {"tier", "front"}, {"canary", "1"}},
      {{"app", "api"}, {"canary", ""}},
      {{"app", "web"}, {"legacy", "yes"}, {"canary", "1"}},
  };
  for (size_t i = 0; i < selectors.size(); ++i) {
    Result<Selector> s = FromLabelSelector(selectors[i]);
    ASSERT_TRUE(s.ok()) << i;
    Result<LabelSelector> back = ToLabelSelector(*s);
    ASSERT_TRUE(back.ok()) << i;
    for (size_t j = 0; j < label_sets.size(); ++j) {
      EXPECT_EQ(Matches(*s, label_sets[j]), Matches(selectors[i], label_sets[j]))
          << "selector " << i << ", labels " << j;
      EXPECT_EQ(Matches(*back, label_sets[j]), Matches(selectors[i], label_sets[j]))
          << "selector " << i << " converted back, labels " << j;
    }
  }
}

FieldRequirement Term(std::string field, FieldOperator op, std::string value) {
  return {std::move(field), op, std::move(value)};
}

constexpr FieldOperator kEq = FieldOperator::kEquals;
constexpr FieldOperator kNe = FieldOperator::kNotEquals;

struct FieldAcceptRow {
  const char* name;
  std::string input;
  FieldSelector want;
  std::string canonical;
};

const std::vector<FieldAcceptRow>& FieldAcceptRows() {
  static const std::vector<FieldAcceptRow> rows = {
      {"empty", "", {}, ""},
      {"only commas", ",,", {}, ""},
      {"equals", "metadata.name=web", {{Term("metadata.name", kEq, "web")}}, "metadata.name=web"},
      {"double equals is equals",
       "metadata.name==web",
       {{Term("metadata.name", kEq, "web")}},
       "metadata.name=web"},
      {"not equals",
       "status.phase!=Running",
       {{Term("status.phase", kNe, "Running")}},
       "status.phase!=Running"},
      {"sorted by term",
       "spec.nodeName=n1,metadata.name=x",
       {{Term("metadata.name", kEq, "x"), Term("spec.nodeName", kEq, "n1")}},
       "metadata.name=x,spec.nodeName=n1"},
      {"not equals sorts before equals",
       "a=x,a!=y",
       {{Term("a", kNe, "y"), Term("a", kEq, "x")}},
       "a!=y,a=x"},
      {"escapes", R"(a=x\,y\=z\\w)", {{Term("a", kEq, R"(x,y=z\w)")}}, R"(a=x\,y\=z\\w)"},
      {"escaped bang", R"(a=\!b)", {{Term("a", kEq, "!b")}}, "a=!b"},
      {"bang in value needs no escape", "a=!b", {{Term("a", kEq, "!b")}}, "a=!b"},
      {"empty value", "a=", {{Term("a", kEq, "")}}, "a="},
      {"empty not-equals value", "a!=", {{Term("a", kNe, "")}}, "a!="},
      {"empty terms skipped", ",a=b,,", {{Term("a", kEq, "b")}}, "a=b"},
      {"blanks are kept", " a = b ", {{Term(" a ", kEq, " b ")}}, " a = b "},
      {"value starting with equals", R"(a=\=b)", {{Term("a", kEq, "=b")}}, R"(a=\=b)"},
      {"first operator splits", "a!=b!c", {{Term("a", kNe, "b!c")}}, "a!=b!c"},
  };
  return rows;
}

TEST(FieldSelectorParse, Accepts) {
  for (const FieldAcceptRow& row : FieldAcceptRows()) {
    Result<FieldSelector> got = ParseFieldSelector(row.input);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    EXPECT_EQ(*got, row.want) << row.name << ": got " << ToString(*got);
    EXPECT_EQ(ToString(*got), row.canonical) << row.name;
    Result<FieldSelector> again = ParseFieldSelector(ToString(*got));
    ASSERT_TRUE(again.ok()) << row.name << ": " << again.status();
    EXPECT_EQ(*again, *got) << row.name << ": round trip";
  }
}

TEST(FieldSelectorParse, Rejects) {
  const std::vector<RejectRow> rows = {
      {"no operator", "abc", "invalid selector: 'abc'; can't understand 'abc'"},
      {"second term without operator", "a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"},
      {"unescaped equals", "a=b=c",
       "invalid field selector: unescaped character '=' in value of term 'a=b=c'"},
      {"operator in value", "a!=b!=c",
       "invalid field selector: unescaped character '=' in value of term 'a!=b!=c'"},
      {"triple equals", "a===b",
       "invalid field selector: unescaped character '=' in value of term 'a===b'"},
      {"unknown escape", R"(a=\x)",
       R"(invalid field selector: invalid escape sequence: \x in term 'a=\x')"},
      {"unknown escape of a multibyte character", "a=\\\xc3\xa9",
       "invalid field selector: invalid escape sequence: \\\xc3\xa9 in term 'a=\\\xc3\xa9'"},
      {"trailing backslash", R"(a=b\)",
       R"(invalid field selector: invalid escape sequence: \ in term 'a=b\')"},
  };
  for (const RejectRow& row : rows) {
    Result<FieldSelector> got = ParseFieldSelector(row.input);
    ASSERT_FALSE(got.ok()) << row.name << ": parsed as " << ToString(*got);
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().message(), row.message) << row.name;
  }
}

TEST(FieldSelectorParse, EscapeValue) {
  EXPECT_EQ(EscapeFieldValue(R"(a\b,c=d!e)"), R"(a\\b\,c\=d!e)");
  EXPECT_EQ(EscapeFieldValue(""), "");
}

json::Value Json(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  if (!v.ok()) {
    ADD_FAILURE() << "bad test JSON: " << v.status();
    return json::Value();
  }
  return *v;
}

TEST(FieldSelectorMatch, Rows) {
  const json::Value pod = Json(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"nodeName": "node-a", "restartPolicy": "Always"},
    "status": {"phase": "Running", "podIP": "10.0.0.9",
               "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]}})");
  const json::Value host_pod = Json(R"({"apiVersion": "v1", "kind": "Pod",
    "spec": {"hostNetwork": true}, "status": {"podIP": "10.0.0.9"}})");
  const json::Value event = Json(R"({
    "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default"},
    "involvedObject": {"kind": "Rollout", "name": "web", "uid": "u-1"},
    "reason": "RolloutUpdated", "type": "Normal", "source": {"component": "devflow"},
    "reportingComponent": "devflow-controller"})");
  const json::Value event_v2 = Json(R"({"apiVersion": "v1", "kind": "Event",
    "reportingComponent": "devflow-controller"})");
  const json::Value job = Json(R"({"apiVersion": "batch/v1", "kind": "Job",
    "status": {"succeeded": 2}})");
  const json::Value empty_job = Json(R"({"apiVersion": "batch/v1", "kind": "Job"})");
  const json::Value rc = Json(R"({"apiVersion": "v1", "kind": "ReplicationController"})");
  const json::Value node = Json(R"({"apiVersion": "v1", "kind": "Node"})");
  const json::Value rs = Json(R"({"apiVersion": "apps/v1", "kind": "ReplicaSet",
    "spec": {"paused": false, "weight": 0.5}, "status": {"replicas": 3}})");
  const json::Value custom_pod = Json(R"({"apiVersion": "example.com/v1", "kind": "Pod"})");
  struct Row {
    const char* name;
    const json::Value& object;
    const char* selector;
    bool want;
  };
  const std::vector<Row> rows = {
      {"empty selector", pod, "", true},
      {"name", pod, "metadata.name=web-1", true},
      {"name mismatch", pod, "metadata.name=web-2", false},
      {"name not equals", pod, "metadata.name!=web-1", false},
      {"two terms", pod, "metadata.namespace=default,status.phase=Running", true},
      {"one term fails", pod, "metadata.namespace=default,status.phase=Pending", false},
      {"absent field is empty", pod, "spec.schedulerName=", true},
      {"absent field not equals", pod, "spec.schedulerName!=x", true},
      {"object field is empty", pod, "spec=", true},
      {"pod IP is the first of podIPs", pod, "status.podIP=10.0.0.1", true},
      {"pod IP falls back to podIP", host_pod, "status.podIP=10.0.0.9", true},
      {"podIPs is never populated", pod, "status.podIPs=", true},
      {"hostNetwork defaults to false", pod, "spec.hostNetwork=false", true},
      {"hostNetwork set", host_pod, "spec.hostNetwork=true", true},
      {"event involved object", event, "involvedObject.kind=Rollout,involvedObject.uid=u-1", true},
      {"event source is the component", event, "source=devflow", true},
      {"event source falls back", event_v2, "source=devflow-controller", true},
      {"event reporting component", event, "reportingComponent=devflow-controller", true},
      {"job successful reads succeeded", job, "status.successful=2", true},
      {"job successful defaults to 0", empty_job, "status.successful=0", true},
      {"replication controller replicas default", rc, "status.replicas=0", true},
      {"node unschedulable default", node, "spec.unschedulable=false", true},
      {"integer field", rs, "status.replicas=3", true},
      {"boolean field", rs, "spec.paused=false", true},
      {"double field", rs, "spec.weight=0.5", true},
      {"computed fields only for their group", custom_pod, "spec.hostNetwork=", true},
  };
  for (const Row& row : rows) {
    Result<FieldSelector> s = ParseFieldSelector(row.selector);
    ASSERT_TRUE(s.ok()) << row.name << ": " << s.status();
    EXPECT_EQ(Matches(*s, row.object), row.want) << row.name;
  }
}

TEST(FieldSelectorSupport, ByGroupKindAndScope) {
  struct Row {
    const char* group;
    const char* kind;
    bool namespaced;
    const char* field;
    bool want;
  };
  const std::vector<Row> rows = {
      {"", "Pod", true, "metadata.name", true},
      {"", "Pod", true, "metadata.namespace", true},
      {"", "Pod", true, "spec.nodeName", true},
      {"", "Pod", true, "spec.restartPolicy", true},
      {"", "Pod", true, "spec.schedulerName", true},
      {"", "Pod", true, "spec.serviceAccountName", true},
      {"", "Pod", true, "spec.hostNetwork", true},
      {"", "Pod", true, "status.phase", true},
      {"", "Pod", true, "status.podIP", true},
      {"", "Pod", true, "status.podIPs", true},
      {"", "Pod", true, "status.nominatedNodeName", true},
      {"", "Pod", true, "spec.host", true},
      {"", "Pod", true, "spec.containers", false},
      {"", "Pod", true, "metadata.labels", false},
      {"", "Event", true, "involvedObject.kind", true},
      {"", "Event", true, "involvedObject.namespace", true},
      {"", "Event", true, "involvedObject.name", true},
      {"", "Event", true, "involvedObject.uid", true},
      {"", "Event", true, "involvedObject.apiVersion", true},
      {"", "Event", true, "involvedObject.resourceVersion", true},
      {"", "Event", true, "involvedObject.fieldPath", true},
      {"", "Event", true, "reason", true},
      {"", "Event", true, "reportingComponent", true},
      {"", "Event", true, "source", true},
      {"", "Event", true, "type", true},
      {"", "Event", true, "message", false},
      {"", "Secret", true, "type", true},
      {"", "Secret", true, "data", false},
      {"", "Service", true, "spec.type", true},
      {"", "Service", true, "spec.clusterIP", true},
      {"", "Namespace", false, "status.phase", true},
      {"", "Namespace", false, "metadata.name", true},
      {"", "Namespace", false, "metadata.namespace", false},
      {"", "Node", false, "spec.unschedulable", true},
      {"", "ReplicationController", true, "status.replicas", true},
      {"batch", "Job", true, "status.successful", true},
      {"batch", "Job", true, "status.succeeded", false},
      {"apps", "ReplicaSet", true, "status.replicas", false},
      {"apps", "ReplicaSet", true, "metadata.namespace", true},
      {"apps", "Deployment", true, "metadata.name", true},
      {"apps", "Deployment", true, "spec.replicas", false},
      {"rbac.authorization.k8s.io", "ClusterRole", false, "metadata.namespace", true},
      {"argoproj.io", "Rollout", true, "metadata.namespace", true},
      {"argoproj.io", "Rollout", true, "status.phase", false},
      {"argoproj.io", "ClusterAnalysisTemplate", false, "metadata.name", true},
      {"argoproj.io", "ClusterAnalysisTemplate", false, "metadata.namespace", false},
      {"example.com", "Pod", true, "spec.nodeName", false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FieldSelectorSupported(row.group, row.kind, row.namespaced, row.field), row.want)
        << row.group << "/" << row.kind << " " << row.field;
  }
}

TEST(FieldSelectorSupport, ByKindName) {
  struct Row {
    const char* kind;
    const char* field;
    bool want;
  };
  const std::vector<Row> rows = {
      {"Pod", "status.phase", true},
      {"Event", "involvedObject.uid", true},
      {"Namespace", "metadata.namespace", false},
      {"Job", "status.successful", true},
      {"ReplicaSet", "status.replicas", false},
      {"Rollout", "metadata.namespace", true},
      {"ClusterAnalysisTemplate", "metadata.namespace", false},
      {"Widget", "metadata.namespace", true},
      {"Widget", "spec.size", false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FieldSelectorSupported(row.kind, row.field), row.want)
        << row.kind << " " << row.field;
  }
}

TEST(FieldSelectorSupport, ConvertGivesKubernetesMessages) {
  struct Row {
    const char* name;
    const char* group;
    const char* kind;
    bool namespaced;
    const char* selector;
    const char* message;
  };
  const std::vector<Row> rows = {
      {"core kind", "", "Pod", true, "metadata.name=a,spec.foo=b",
       "field label not supported: spec.foo"},
      {"namespace scope", "", "Namespace", false, "metadata.namespace=x",
       "field label not supported: metadata.namespace"},
      {"job", "batch", "Job", true, "status.succeeded=1",
       "field label \"status.succeeded\" not supported for Job"},
      {"built-in default", "apps", "ReplicaSet", true, "status.replicas=0",
       "\"status.replicas\" is not a known field selector: only \"metadata.name\", "
       "\"metadata.namespace\""},
      {"custom resource", "argoproj.io", "Rollout", true, "status.phase=Healthy",
       "field label not supported: status.phase"},
      {"cluster-scoped custom resource", "argoproj.io", "ClusterAnalysisTemplate", false,
       "metadata.namespace=x", "field label not supported: metadata.namespace"},
  };
  for (const Row& row : rows) {
    Result<FieldSelector> s = ParseFieldSelector(row.selector);
    ASSERT_TRUE(s.ok()) << row.name;
    Result<FieldSelector> got = ConvertFieldSelector(row.group, row.kind, row.namespaced, *s);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().message(), row.message) << row.name;
  }
}

TEST(FieldSelectorSupport, ConvertRenamesSpecHost) {
  Result<FieldSelector> s = ParseFieldSelector("spec.host=node-a,metadata.name=web");
  ASSERT_TRUE(s.ok());
  Result<FieldSelector> got = ConvertFieldSelector("", "Pod", true, *s);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(ToString(*got), "metadata.name=web,spec.nodeName=node-a");
  const json::Value pod = Json(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web"}, "spec": {"nodeName": "node-a"}})");
  EXPECT_TRUE(Matches(*got, pod));

  Result<FieldSelector> custom = ConvertFieldSelector("example.com", "Pod", true, *s);
  ASSERT_FALSE(custom.ok()) << "spec.host is a Pod alias only in the core group";
}

}  // namespace
}  // namespace devflow::api
