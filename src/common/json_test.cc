#include <gtest/gtest.h>

#include "common/json_reader.h"
#include "common/json_value.h"

namespace devflow::json {
namespace {

TEST(JsonReaderTest, KeepsIntegersDoublesAndStringsApart) {
  auto v = Parse(R"({"a": 25, "b": "25", "c": 2.5, "d": 1e3, "e": -7})");
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_TRUE(v->Find("a")->is_int());
  EXPECT_TRUE(v->Find("b")->is_string());
  EXPECT_TRUE(v->Find("c")->is_double());
  EXPECT_TRUE(v->Find("d")->is_double());
  EXPECT_EQ(v->Find("e")->as_int(), -7);
}

TEST(JsonReaderTest, DecodesEscapesAndSurrogatePairs) {
  auto v = Parse(R"(["a\"b\\c\n", "\u00e9", "\ud83d\ude00", "\/"])");
  ASSERT_TRUE(v.ok()) << v.error();
  const Array& a = v->as_array();
  EXPECT_EQ(a[0].as_string(), "a\"b\\c\n");
  EXPECT_EQ(a[1].as_string(), "\xC3\xA9");
  EXPECT_EQ(a[2].as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(a[3].as_string(), "/");
}

TEST(JsonReaderTest, RejectsMalformedInputWithPosition) {
  struct Row {
    const char* name;
    const char* text;
    const char* error;
  } rows[] = {
      {"trailing comma", "{\"a\": 1,}", "line 1, column 9: expected a string key in object"},
      {"missing colon", "{\"a\" 1}", "line 1, column 6: expected ':' after object key"},
      {"second line", "{\n  \"a\": tru\n}", "line 2, column 8: invalid literal, expected 'true'"},
      {"garbage after", "{} x", "line 1, column 4: unexpected data after the JSON value"},
      {"unterminated", "\"abc", "line 1, column 5: unterminated string"},
      {"bad number", "-", "line 1, column 2: invalid number"},
      {"empty", "", "line 1, column 1: unexpected end of input, expected a value"},
  };
  for (const Row& row : rows) {
    auto v = Parse(row.text);
    ASSERT_FALSE(v.ok()) << row.name;
    EXPECT_EQ(v.error().message(), row.error) << row.name;
  }
}

TEST(JsonReaderTest, RejectsDeepNestingInsteadOfOverflowingTheStack) {
  std::string deep(100000, '[');
  auto v = Parse(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("nesting deeper than"), std::string::npos);
}

TEST(JsonReaderTest, RecordsPositionsByFieldPath) {
  SourceMap positions;
  auto v =
      Parse("{\n  \"spec\": {\n    \"steps\": [{\"setWeight\": 120}],\n    \"x.y/z\": 1\n  }\n}",
            &positions);
  ASSERT_TRUE(v.ok()) << v.error();
  const SourcePosition* p =
      positions.Find(FieldPath("spec").Child("steps").Index(0).Child("setWeight"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->value, (Mark{3, 29}));
  EXPECT_EQ(p->key, (Mark{3, 16}));
  ASSERT_NE(positions.Find(FieldPath("spec").Child("x.y/z")), nullptr);
  // A quoted string's position is its opening quote; offsets into its text skip the quote.
  SourceMap strings;
  ASSERT_TRUE(Parse("{\"c\": \"result > 1\"}", &strings).ok());
  EXPECT_EQ(strings.Locate(FieldPath("c")), (Mark{1, 7}));
  EXPECT_EQ(strings.Locate(FieldPath("c"), 7), (Mark{1, 15}));
}

TEST(JsonWriterTest, RoundTripsAndKeepsMemberOrder) {
  const char* text = R"({"z":1,"a":[true,false,null],"m":{"k":"v\n"},"d":2.5,"i":-3,"f":3.0})";
  auto v = Parse(text);
  ASSERT_TRUE(v.ok()) << v.error();
  EXPECT_EQ(Write(*v), text);
  auto again = Parse(WritePretty(*v));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *v);
}

TEST(JsonValueTest, ObjectEqualityIgnoresOrderButNotKind) {
  Object a{{"x", 1}, {"y", "2"}};
  Object b{{"y", "2"}, {"x", 1}};
  EXPECT_EQ(Value(a), Value(b));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_NE(Value("1"), Value(1));
}

}  // namespace
}  // namespace devflow::json

namespace devflow::json {
namespace {

TEST(JsonStringAtTest, ReadsAStringThroughObjectsOrGivesEmpty) {
  const Value pod =
      Parse(R"({"metadata":{"name":"web","labels":["x"],"generation":2},"s":"top"})").value();
  EXPECT_EQ(StringAt(pod, {"metadata", "name"}), "web");
  EXPECT_EQ(StringAt(pod, {"s"}), "top");
  EXPECT_EQ(StringAt(pod, {"metadata", "uid"}), "") << "absent";
  EXPECT_EQ(StringAt(pod, {"metadata", "generation"}), "") << "not a string";
  EXPECT_EQ(StringAt(pod, {"s", "deeper"}), "") << "through a string";
  EXPECT_EQ(StringAt(pod, {"metadata", "labels", "x"}), "") << "through an array";
}

}  // namespace
}  // namespace devflow::json
