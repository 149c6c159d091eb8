#include "analysis/argument_substitution.h"

#include <gtest/gtest.h>

#include "api/analysis_codec.h"
#include "api/codec_testing.h"

namespace devflow::analysis {
namespace {

api::Metric Metric(std::string_view json) {
  return api::testing::DecodeJsonText<api::Metric>(json);
}

TEST(SubstituteArgumentsTest, Table) {
  const std::map<std::string, std::string> values = {
      {"service", "web"},
      {"count", "5"},
      {"tricky", "a \"quoted\" \\ back\nline"},
      {"empty", ""},
  };
  struct Row {
    std::string name;
    api::Metric metric;
    std::optional<api::Metric> want;  // nullopt: an error
    std::string error_part;
  };
  const std::vector<Row> rows = {
      {"given a query with an argument, when substituted, then the value is in the query",
       Metric(R"({"name":"m","provider":{"prometheus":{"query":"up{svc=\"{{args.service}}\"}"}}})"),
       Metric(R"({"name":"m","provider":{"prometheus":{"query":"up{svc=\"web\"}"}}})")},
      {"given whitespace inside the braces, when substituted, then it is trimmed",
       Metric(
           R"({"name":"m","provider":{"web":{"url":"http://{{ args.service }}/{{  args.count}}"}}})"),
       Metric(R"({"name":"m","provider":{"web":{"url":"http://web/5"}}})")},
      {"given templated count, interval and failureLimit, when substituted, then each gets its "
       "value",
       Metric(R"({"name":"m","count":"{{args.count}}","interval":"{{args.count}}s",
                  "failureLimit":"{{args.count}}","provider":{"prometheus":{"query":"q"}}})"),
       Metric(R"({"name":"m","count":"5","interval":"5s","failureLimit":"5",
                  "provider":{"prometheus":{"query":"q"}}})")},
      {"given templated headers and a job spec, when substituted, then both are filled",
       Metric(R"({"name":"m","provider":{"web":{"url":"u",
                  "headers":[{"key":"X-Svc","value":"{{args.service}}"}]}}})"),
       Metric(R"({"name":"m","provider":{"web":{"url":"u",
                  "headers":[{"key":"X-Svc","value":"web"}]}}})")},
      {"given a job spec, when substituted, then strings deep inside are filled",
       Metric(R"({"name":"m","provider":{"job":{"spec":{"template":{"spec":{"containers":
                  [{"name":"c","args":["--svc={{args.service}}"]}]}}}}}})"),
       Metric(R"({"name":"m","provider":{"job":{"spec":{"template":{"spec":{"containers":
                  [{"name":"c","args":["--svc=web"]}]}}}}}})")},
      {"given a value with quotes, a backslash and a newline, when substituted, then it stays "
       "one string",
       Metric(R"({"name":"m","provider":{"prometheus":{"query":"<{{args.tricky}}>"}}})"),
       Metric("{\"name\":\"m\",\"provider\":{\"prometheus\":{\"query\":"
              "\"<a \\\"quoted\\\" \\\\ back\\nline>\"}}}")},
      {"given an empty value, when substituted, then the tag disappears",
       Metric(R"({"name":"m{{args.empty}}","provider":{"prometheus":{"query":"q"}}})"),
       Metric(R"({"name":"m","provider":{"prometheus":{"query":"q"}}})")},
      {"given no tags, when substituted, then the metric is unchanged",
       Metric(R"j({"name":"m","successCondition":"result[0] > {1}","provider":{"prometheus":
                  {"query":"sum(x{a=\"}}\"})"}}})j"),
       Metric(R"j({"name":"m","successCondition":"result[0] > {1}","provider":{"prometheus":
                  {"query":"sum(x{a=\"}}\"})"}}})j")},
      {"given a tag closed only by JSON's own braces, when substituted, then failed to resolve "
       "(as in Argo, which also templates the JSON text)",
       Metric(R"({"name":"m","provider":{"prometheus":{"query":"{{args.service"}}})"), std::nullopt,
       "failed to resolve {{args.service\"}}"},
      {"given an unknown argument, when substituted, then failed to resolve, the tag as written",
       Metric(R"({"name":"m","provider":{"prometheus":{"query":"{{ args.nope }}"}}})"),
       std::nullopt, "failed to resolve {{ args.nope }}"},
      {"given a tag that is not args.<name>, when substituted, then failed to resolve",
       Metric(R"({"name":"m","provider":{"prometheus":{"query":"{{service}}"}}})"), std::nullopt,
       "failed to resolve {{service}}"},
      {"given an unclosed tag, when substituted, then cannot parse",
       // The name is the last string: no "}}" follows, not even JSON's closing braces.
       Metric(R"({"name":"m{{args.service"})"), std::nullopt,
       "cannot parse template: no closing \"}}\""},
      {"given a tag spanning two JSON strings, when substituted, then the text no longer parses",
       // The unknown member "}}x" ends the tag that began in the name.
       Metric(R"({"name":"{{args.k","}}x":1})"), std::nullopt, "no longer JSON"},
  };
  // The spanning tag's text is k","  (an odd name, but a name).
  std::map<std::string, std::string> with_spanning = values;
  with_spanning["k\",\""] = "v";
  for (const Row& row : rows) {
    Result<api::Metric> got = SubstituteArguments(
        row.metric, with_spanning, FieldPath::FromRenderedForTest("spec.metrics[2]"));
    if (row.want) {
      ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
      EXPECT_TRUE(*got == *row.want) << row.name << "\n got: " << json::Write(api::Encode(*got))
                                     << "\nwant: " << json::Write(api::Encode(*row.want));
      continue;
    }
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().field_path(), "spec.metrics[2]") << row.name;
    EXPECT_NE(got.error().message().find(row.error_part), std::string::npos)
        << row.name << ": " << got.error();
  }
}

TEST(SubstituteTagsTest, TagsAreReplacedByTheirValuesAsTheyAreAndUnknownTagsFail) {
  const std::map<std::string, std::string> values = {
      {"templates.baseline.podTemplateHash", "abc12"}, {"experiment.availableAt", "a\"b"}};
  struct Row {
    std::string text;
    std::optional<std::string> want;
    std::string error_part;
  };
  const std::vector<Row> rows = {
      {"server=~\"exp-{{ templates.baseline.podTemplateHash }}-.*\"", "server=~\"exp-abc12-.*\"",
       ""},
      {"{{experiment.availableAt}}", "a\"b", ""},
      {"no tags", "no tags", ""},
      {"{{templates.canary.podTemplateHash}}", std::nullopt,
       "failed to resolve {{templates.canary.podTemplateHash}}"},
      {"{{args.x}}", std::nullopt, "failed to resolve {{args.x}}"},
      {"{{experiment.availableAt", std::nullopt, "cannot parse template"},
  };
  for (const Row& row : rows) {
    Result<std::string> got = SubstituteTags(row.text, values);
    if (row.want) {
      ASSERT_TRUE(got.ok()) << row.text << ": " << got.status();
      EXPECT_EQ(*got, *row.want);
      continue;
    }
    ASSERT_FALSE(got.ok()) << row.text;
    EXPECT_NE(got.error().message().find(row.error_part), std::string::npos) << got.error();
  }
}

}  // namespace
}  // namespace devflow::analysis
