#include "api/json_patch.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json_reader.h"

namespace devflow::api {
namespace {

json::Value J(const char* text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.value_or(json::Value());
}

struct ApplyRow {
  const char* name;
  const char* target;
  const char* operations;
  const char* want;
};

// The examples of RFC 6902 appendix A that succeed, plus the rules they leave out.
TEST(JsonPatchTest, AppliesEachOperation) {
  const ApplyRow rows[] = {
      {"add sets a new member", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])",
       R"({"foo":"bar","baz":"qux"})"},
      {"add inserts before an array index", R"({"foo":["bar","baz"]})",
       R"([{"op":"add","path":"/foo/1","value":"qux"}])", R"({"foo":["bar","qux","baz"]})"},
      {"remove deletes a member", R"({"baz":"qux","foo":"bar"})",
       R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"},
      {"remove deletes an array element", R"({"foo":["bar","qux","baz"]})",
       R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})"},
      {"replace swaps a value", R"({"baz":"qux","foo":"bar"})",
       R"([{"op":"replace","path":"/baz","value":"boo"}])", R"({"baz":"boo","foo":"bar"})"},
      {"move carries a member to another object",
       R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
       R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
       R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
      {"move reorders an array (removal first)", R"({"foo":["all","grass","cows","eat"]})",
       R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
       R"({"foo":["all","cows","eat","grass"]})"},
      {"passing tests change nothing", R"({"baz":"qux","foo":["a",2,"c"]})",
       R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
       R"({"baz":"qux","foo":["a",2,"c"]})"},
      {"add creates a nested object", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
       R"({"foo":"bar","child":{"grandchild":{}}})"},
      {"unknown members of an operation are ignored", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])", R"({"foo":"bar","baz":"qux"})"},
      {"~01 is ~1, not /", R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])",
       R"({"/":9,"~1":10})"},
      {"~1 is /", R"({"/":9,"~1":10})", R"([{"op":"replace","path":"/~1","value":1}])",
       R"({"/":1,"~1":10})"},
      {"adding an array value appends it as one element", R"({"foo":["bar"]})",
       R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
       R"({"foo":["bar",["abc","def"]]})"},
      {"add replaces an existing member", R"({"a":1})", R"([{"op":"add","path":"/a","value":2}])",
       R"({"a":2})"},
      {"add at the array's end index appends", R"({"a":[1]})",
       R"([{"op":"add","path":"/a/1","value":2}])", R"({"a":[1,2]})"},
      {"add with path \"\" replaces the document", R"({"a":1})",
       R"([{"op":"add","path":"","value":[1]}])", "[1]"},
      {"replace with path \"\" replaces the document", R"({"a":1})",
       R"([{"op":"replace","path":"","value":{"b":2}}])", R"({"b":2})"},
      {"copy duplicates a value", R"({"a":{"b":[1]}})",
       R"([{"op":"copy","from":"/a/b","path":"/c"}])", R"({"a":{"b":[1]},"c":[1]})"},
      {"move onto itself changes nothing", R"({"a":1})",
       R"([{"op":"move","from":"/a","path":"/a"}])", R"({"a":1})"},
      {"test compares numbers by value", R"({"a":1,"b":2.5})",
       R"([{"op":"test","path":"/a","value":1.0},{"op":"test","path":"/b","value":2.5}])",
       R"({"a":1,"b":2.5})"},
      {"test ignores member order", R"({"a":{"x":1,"y":[1,{"p":1,"q":2}]}})",
       R"([{"op":"test","path":"/a","value":{"y":[1,{"q":2,"p":1}],"x":1}}])",
       R"({"a":{"x":1,"y":[1,{"p":1,"q":2}]}})"},
      {"test of null", R"({"a":null})", R"([{"op":"test","path":"/a","value":null}])",
       R"({"a":null})"},
      {"the empty key is a member name", R"({"":1})", R"([{"op":"replace","path":"/","value":2}])",
       R"({"":2})"},
      {"operations see earlier ones", R"({"spec":{}})",
       R"([{"op":"add","path":"/spec/replicas","value":1},
           {"op":"replace","path":"/spec/replicas","value":3},
           {"op":"test","path":"/spec/replicas","value":3}])",
       R"({"spec":{"replicas":3}})"},
      {"no operations", R"({"a":1})", "[]", R"({"a":1})"},
  };
  for (const ApplyRow& row : rows) {
    Result<json::Value> got = ApplyJsonPatch(J(row.target), J(row.operations));
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    EXPECT_EQ(*got, J(row.want)) << row.name << ": got " << json::Write(*got);
  }
}

struct ErrorRow {
  const char* name;
  const char* target;
  const char* operations;
  const char* message;  // the whole message
};

TEST(JsonPatchTest, ErrorsNameTheOperationAndTheProblem) {
  const char* deployment = R"({"spec":{"template":{}},"list":[1,2,3],"n":5})";
  const ErrorRow rows[] = {
      {"replace of a missing member", deployment,
       R"([{"op":"test","path":"/n","value":5},{"op":"add","path":"/x","value":1},
           {"op":"replace","path":"/spec/replicas","value":3}])",
       "operations[2] (replace /spec/replicas): path does not exist"},
      {"failed test (RFC A.9)", R"({"baz":"qux"})",
       R"([{"op":"test","path":"/baz","value":"bar"}])",
       R"(operations[0] (test /baz): test failed: value is "qux", want "bar")"},
      {"a string is not a number (RFC A.15)", R"({"/":9,"~1":10})",
       R"([{"op":"test","path":"/~01","value":"10"}])",
       R"(operations[0] (test /~01): test failed: value is 10, want "10")"},
      {"add under a missing parent (RFC A.12)", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/baz/bat","value":"qux"}])",
       "operations[0] (add /baz/bat): path does not exist (nothing at /baz)"},
      {"remove of a missing member", deployment, R"([{"op":"remove","path":"/nope"}])",
       "operations[0] (remove /nope): path does not exist"},
      {"a path through a scalar", deployment, R"([{"op":"add","path":"/n/x","value":1}])",
       "operations[0] (add /n/x): path does not exist: /n is an integer, not an object or array"},
      {"add past the end of an array", deployment, R"([{"op":"add","path":"/list/4","value":1}])",
       "operations[0] (add /list/4): index 4 is out of range: the array has 3 elements"},
      {"remove past the end of an array", deployment, R"([{"op":"remove","path":"/list/3"}])",
       "operations[0] (remove /list/3): path does not exist"},
      {"an index with a leading zero", deployment,
       R"([{"op":"replace","path":"/list/01","value":1}])",
       R"(operations[0] (replace /list/01): "01" is not an array index)"},
      {"a negative index", deployment, R"([{"op":"remove","path":"/list/-1"}])",
       R"(operations[0] (remove /list/-1): "-1" is not an array index)"},
      {"\"-\" names no element to remove", deployment, R"([{"op":"remove","path":"/list/-"}])",
       R"(operations[0] (remove /list/-): "-" names no element (it is the slot past the end))"},
      {"\"-\" names no element to replace", deployment,
       R"([{"op":"replace","path":"/list/-","value":1}])",
       "operations[0] (replace /list/-): path does not exist"},
      {"a pointer without a leading slash", deployment, R"([{"op":"add","path":"spec","value":1}])",
       R"(operations[0] (add spec): path "spec" is not a JSON pointer: it must be empty or start with "/")"},
      {"a bad escape", deployment, R"([{"op":"remove","path":"/a~2"}])",
       R"(operations[0] (remove /a~2): path "/a~2" is not a JSON pointer: "~" must be followed by 0 or 1)"},
      {"removing the document", deployment, R"([{"op":"remove","path":""}])",
       R"(operations[0] (remove ""): cannot remove the whole document)"},
      {"moving a value into itself", deployment,
       R"([{"op":"move","from":"/spec","path":"/spec/template/x"}])",
       "operations[0] (move from /spec to /spec/template/x): cannot move a value into itself"},
      {"moving from a missing member", deployment,
       R"([{"op":"move","from":"/gone","path":"/here"}])",
       "operations[0] (move from /gone to /here): from does not exist"},
      {"copying from a missing member", deployment,
       R"([{"op":"copy","from":"/spec/x/y","path":"/here"}])",
       "operations[0] (copy from /spec/x/y to /here): from does not exist (nothing at /spec/x)"},
      {"add without a value", deployment, R"([{"op":"add","path":"/x"}])",
       R"(operations[0] (add /x): missing "value")"},
      {"test without a value", deployment, R"([{"op":"test","path":"/n"}])",
       R"(operations[0] (test /n): missing "value")"},
      {"move without from", deployment, R"([{"op":"move","path":"/x"}])",
       R"(operations[0] (move /x): missing "from")"},
      {"an operation without op", deployment, R"([{"path":"/x"}])",
       R"(operations[0]: missing "op")"},
      {"an operation without path", deployment, R"([{"op":"remove"}])",
       R"(operations[0] (remove): missing "path")"},
      {"a path that is not a string", deployment, R"([{"op":"remove","path":3}])",
       R"(operations[0] (remove): "path" must be a string, got integer)"},
      {"an unknown op", deployment, R"([{"op":"increment","path":"/n"}])",
       R"(operations[0] (increment): unknown op "increment", want add, remove, replace, move, copy or test)"},
      {"an operation that is not an object", deployment, R"([{"op":"remove","path":"/n"},"add"])",
       "operations[1]: must be an object, got string"},
      {"operations that are not an array", deployment, R"({"op":"remove","path":"/n"})",
       "operations: must be an array, got object"},
      {"a long value is cut in the message",
       R"({"a":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})",
       R"([{"op":"test","path":"/a","value":1}])",
       R"(operations[0] (test /a): test failed: value is "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..., want 1)"},
  };
  for (const ErrorRow& row : rows) {
    Result<json::Value> got = ApplyJsonPatch(J(row.target), J(row.operations));
    ASSERT_FALSE(got.ok()) << row.name << ": got " << json::Write(*got);
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().message(), row.message) << row.name;
  }
}

TEST(JsonPatchTest, IsAtomic) {
  json::Value target = J(R"({"metadata":{"resourceVersion":"41"},"spec":{"replicas":1}})");
  json::Value before = target;
  // The first operation succeeds, the precondition fails: nothing is applied.
  Result<json::Value> got = ApplyJsonPatch(target, J(R"([
      {"op":"replace","path":"/spec/replicas","value":5},
      {"op":"test","path":"/metadata/resourceVersion","value":"42"}])"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(
      got.error().message(),
      R"(operations[1] (test /metadata/resourceVersion): test failed: value is "41", want "42")");
  EXPECT_EQ(target, before);
}

TEST(JsonPatchTest, NumbersEqualOnlyByExactValue) {
  const char* rows[][2] = {
      {"1", "1.5"},
      {"9007199254740993", "9007199254740992.0"},  // 2^53+1 is no double
      {"-1", "1.0"},
      {"true", "1"},
      {"\"1\"", "1"},
      {"[1,2]", "[2,1]"},
      {"{\"a\":1}", "{\"a\":1,\"b\":null}"},
  };
  for (const auto& row : rows) {
    json::Value target = json::Object{{"v", J(row[0])}};
    json::Value ops =
        json::Array{json::Object{{"op", "test"}, {"path", "/v"}, {"value", J(row[1])}}};
    EXPECT_FALSE(ApplyJsonPatch(target, ops).ok()) << row[0] << " == " << row[1];
  }
}

}  // namespace
}  // namespace devflow::api
