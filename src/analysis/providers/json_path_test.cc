#include "analysis/providers/json_path.h"

#include <gtest/gtest.h>

#include "common/json_reader.h"

namespace devflow::analysis::providers {
namespace {

json::Value Doc(std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok()) ADD_FAILURE() << "bad test JSON: " << parsed.error();
  return parsed.value_or(nullptr);
}

constexpr std::string_view kDocument = R"({
  "data": {"ok": true, "successPercent": 0.95, "a.b": "dotted"},
  "items": [{"value": 1, "name": "x"}, {"value": 2}, {"value": 3, "name": "z"}],
  "a": {"b": [10, 20, 30]},
  "empty": [],
  "nothing": null
})";

struct MatchRow {
  const char* name;
  const char* path;
  const char* want;  // the JSON array of every match
};

class JsonPathMatchTest : public ::testing::TestWithParam<MatchRow> {};

TEST_P(JsonPathMatchTest, GivenTheDocumentWhenThePathIsEvaluatedThenItYieldsTheMatches) {
  const MatchRow& row = GetParam();
  Result<JsonPath> path = JsonPath::Parse(row.path);
  ASSERT_TRUE(path.ok()) << row.name << ": " << path.error();
  Result<std::vector<json::Value>> found = path->FindAll(Doc(kDocument));
  ASSERT_TRUE(found.ok()) << row.name << ": " << found.error();
  EXPECT_EQ(json::Value(json::Array(found->begin(), found->end())), Doc(row.want)) << row.name;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, JsonPathMatchTest,
    ::testing::Values(MatchRow{"root_member", "{$.empty}", "[[]]"},
                      MatchRow{"member_chain", "{$.data.ok}", "[true]"},
                      MatchRow{"without_dollar", "{.data.successPercent}", "[0.95]"},
                      MatchRow{"index", "{.items[0].value}", "[1]"},
                      MatchRow{"nested_index", "{$.a.b[1]}", "[20]"},
                      MatchRow{"negative_index", "{.a.b[-1]}", "[30]"},
                      MatchRow{"slice", "{.a.b[0:2]}", "[10, 20]"},
                      MatchRow{"open_slice", "{.a.b[1:]}", "[20, 30]"},
                      MatchRow{"slice_with_step", "{.a.b[0:3:2]}", "[10, 30]"},
                      MatchRow{"wildcard_index", "{.items[*].value}", "[1, 2, 3]"},
                      MatchRow{"member_found_in_some", "{.items[*].name}", "[\"x\", \"z\"]"},
                      MatchRow{"union", "{.a.b[0,2]}", "[10, 30]"},
                      MatchRow{"quoted_member", "{.data['a.b']}", "[\"dotted\"]"},
                      MatchRow{"escaped_dot", "{.data.a\\.b}", "[\"dotted\"]"},
                      MatchRow{"member_wildcard", "{.a.*}", "[[10, 20, 30]]"},
                      MatchRow{"recursive", "{..value}", "[1, 2, 3]"},
                      MatchRow{"empty_list_wildcard", "{.empty[*]}", "[]"},
                      MatchRow{"null_member", "{.nothing}", "[null]"},
                      MatchRow{"text_and_action", "ok={.data.ok}", "[\"ok=\", true]"},
                      MatchRow{"spaces_inside", "{ .data.ok }", "[true]"}),
    [](const auto& info) { return info.param.name; });

struct ErrorRow {
  const char* name;
  const char* path;
  const char* want;  // the error message
};

class JsonPathEvalErrorTest : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(JsonPathEvalErrorTest, GivenTheDocumentWhenThePathCannotMatchThenKubernetesMessage) {
  const ErrorRow& row = GetParam();
  Result<JsonPath> path = JsonPath::Parse(row.path);
  ASSERT_TRUE(path.ok()) << row.name << ": " << path.error();
  Result<std::vector<json::Value>> found = path->FindAll(Doc(kDocument));
  ASSERT_FALSE(found.ok()) << row.name;
  EXPECT_EQ(found.error().code(), StatusCode::kInvalidArgument) << row.name;
  EXPECT_EQ(found.error().message(), row.want) << row.name;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, JsonPathEvalErrorTest,
    ::testing::Values(
        ErrorRow{"missing_member", "{.data.missing}", "missing is not found"},
        ErrorRow{"missing_everywhere", "{.items[*].other}", "other is not found"},
        ErrorRow{"member_after_empty_list", "{.empty[*].value}", "value is not found"},
        ErrorRow{"index_too_big", "{.a.b[3]}", "array index out of bounds: index 3, length 3"},
        ErrorRow{"negative_too_far", "{.a.b[-4]}", "array index out of bounds: index -1, length 3"},
        ErrorRow{"slice_end_too_big", "{.a.b[1:5]}",
                 "array index out of bounds: index 4, length 3"},
        ErrorRow{"slice_reversed", "{.a.b[2:1]}",
                 "starting index 2 is greater than ending index 1"},
        ErrorRow{"index_of_object", "{.data[0]}", "object is not an array"}),
    [](const auto& info) { return info.param.name; });

class JsonPathParseErrorTest : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(JsonPathParseErrorTest, GivenAMalformedTemplateWhenParsedThenInvalidArgumentSaysWhere) {
  const ErrorRow& row = GetParam();
  Result<JsonPath> path = JsonPath::Parse(row.path);
  ASSERT_FALSE(path.ok()) << row.name;
  EXPECT_EQ(path.error().code(), StatusCode::kInvalidArgument) << row.name;
  EXPECT_EQ(path.error().message(), row.want) << row.name;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, JsonPathParseErrorTest,
    ::testing::Values(
        ErrorRow{"unclosed_action", "{.a", "unclosed action at offset 3"},
        ErrorRow{"unterminated_bracket", "{.a[0}", "unterminated '[' at offset 3"},
        ErrorRow{"empty_bracket", "{.a[]}", "empty '[]' at offset 4"},
        ErrorRow{"bad_index", "{.a[x]}", "invalid array index 'x' at offset 4"},
        ErrorRow{"zero_step", "{.a[0:2:0]}", "slice step must be positive in '0:2:0' at offset 4"},
        ErrorRow{"filter", "{.items[?(@.value==1)]}",
                 "filters [?(...)] are not supported at offset 7"},
        ErrorRow{"range", "{range .items[*]}{.value}{end}",
                 "range blocks are not supported at offset 1"},
        ErrorRow{"dot_without_name", "{.a.}", "missing member name after '.' at offset 3"},
        ErrorRow{"literal_in_action", "{'x'}", "unexpected ''' at offset 1"}),
    [](const auto& info) { return info.param.name; });

TEST(JsonPathFirstTest, GivenSeveralMatchesWhenFirstThenOnlyTheFirstIsReturned) {
  Result<JsonPath> path = JsonPath::Parse("{.items[*].value}");
  ASSERT_TRUE(path.ok()) << path.error();
  Result<std::optional<json::Value>> first = path->First(Doc(kDocument));
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(*first, std::optional<json::Value>(json::Value(1)));
}

TEST(JsonPathFirstTest, GivenNoMatchWhenFirstThenNullopt) {
  Result<JsonPath> path = JsonPath::Parse("{.empty[*]}");
  ASSERT_TRUE(path.ok()) << path.error();
  Result<std::optional<json::Value>> first = path->First(Doc(kDocument));
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(*first, std::nullopt);
}

TEST(JsonPathFirstTest, GivenADocumentWhenTheRootIsAskedThenTheWholeDocumentIsReturned) {
  for (const char* root : {"{$}", "{}", "{@}"}) {
    Result<JsonPath> path = JsonPath::Parse(root);
    ASSERT_TRUE(path.ok()) << root << ": " << path.error();
    Result<std::optional<json::Value>> first = path->First(Doc(kDocument));
    ASSERT_TRUE(first.ok()) << root << ": " << first.error();
    EXPECT_EQ(*first, std::optional<json::Value>(Doc(kDocument))) << root;
  }
}

TEST(JsonPathFirstTest, GivenAScalarDocumentWhenTheRootIsAskedThenTheScalarIsReturned) {
  Result<JsonPath> path = JsonPath::Parse("{$}");
  ASSERT_TRUE(path.ok()) << path.error();
  Result<std::optional<json::Value>> first = path->First(json::Value("plain"));
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(*first, std::optional<json::Value>(json::Value("plain")));
}

}  // namespace
}  // namespace devflow::analysis::providers
