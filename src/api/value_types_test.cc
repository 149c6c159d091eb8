// Table tests for the value types every kind uses: durations, int-or-percent, times, label
// selectors and name rules.
#include <gtest/gtest.h>

#include <chrono>

#include "api/duration.h"
#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/name_rules.h"
#include "api/time.h"

namespace devflow::api {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(GoDurationTest, ParsesWhatGoParses) {
  struct Row {
    const char* text;
    nanoseconds want;
  } rows[] = {
      {"30s", 30s},     {"1m30s", 90s},        {"2h", 2h},
      {"300ms", 300ms}, {"1.5h", 90min},       {"0", 0s},
      {"-1m", -1min},   {"+5s", 5s},           {"1h2m3s4ms", 1h + 2min + 3s + 4ms},
      {"10us", 10us},   {"10\xC2\xB5s", 10us}, {"7ns", 7ns},
      {".5s", 500ms},   {"1.s", 1s},           {"2m0.25s", 120s + 250ms},
  };
  for (const Row& row : rows) {
    auto d = ParseGoDuration(row.text);
    ASSERT_TRUE(d.ok()) << row.text << ": " << d.error();
    EXPECT_EQ(*d, row.want) << row.text;
  }
}

TEST(GoDurationTest, RejectsWhatGoRejects) {
  for (const char* text : {"", "30", "1x", "s", "1 m", "1m 30s", "--1s", "1.2.3s", "5d", "."}) {
    auto d = ParseGoDuration(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(
        d.error().message(),
        std::string("must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got \"") +
            text + "\"");
  }
}

TEST(GoDurationTest, FormatsAsGoDoes) {
  struct Row {
    nanoseconds d;
    const char* want;
  } rows[] = {
      {0s, "0s"},       {90s, "1m30s"},      {2h, "2h0m0s"},
      {300ms, "300ms"}, {1500ms, "1.5s"},    {-1min, "-1m0s"},
      {7ns, "7ns"},     {1h + 1s, "1h0m1s"}, {10us, "10\xC2\xB5s"},
  };
  for (const Row& row : rows) EXPECT_EQ(FormatGoDuration(row.d), row.want) << row.want;
}

TEST(PauseDurationTest, IntegersAndNumericStringsAreSeconds) {
  struct Row {
    IntOrString in;
    bool ok;
    nanoseconds want;
  } rows[] = {
      {IntOrString(10), true, 10s},    {IntOrString("10"), true, 10s},
      {IntOrString("10s"), true, 10s}, {IntOrString("1h"), true, 1h},
      {IntOrString(0), true, 0s},      {IntOrString(-1), false, 0s},
      {IntOrString("-1s"), false, 0s}, {IntOrString("soon"), false, 0s},
  };
  for (const Row& row : rows) {
    auto d = ParsePauseDuration(row.in);
    EXPECT_EQ(d.ok(), row.ok) << row.in.ToString();
    if (d.ok() && row.ok) EXPECT_EQ(*d, row.want) << row.in.ToString();
  }
}

TEST(TemplatePlaceholderTest, FindsArgsPlaceholders) {
  EXPECT_TRUE(HasTemplatePlaceholder("{{args.interval}}"));
  EXPECT_TRUE(HasTemplatePlaceholder("x {{ args.a }} y"));
  EXPECT_FALSE(HasTemplatePlaceholder("{{args.a"));
  EXPECT_FALSE(HasTemplatePlaceholder("30s"));
}

// Argo's int-or-percent: integers are counts, any string is a percentage.
TEST(ScaledValueTest, ResolvesAsArgoRolloutsDoes) {
  struct Row {
    const char* name;
    IntOrString v;
    int32_t total;
    bool round_up;
    int32_t want;
  } rows[] = {
      {"count", IntOrString(3), 10, true, 3},
      {"percent up", IntOrString("25%"), 10, true, 3},
      {"percent down", IntOrString("25%"), 10, false, 2},
      {"bare string is a percent", IntOrString("25"), 10, true, 3},
      {"argo default 25 down of 3", IntOrString("25"), 3, false, 0},
      {"100%", IntOrString("100%"), 7, false, 7},
      {"0%", IntOrString("0%"), 7, true, 0},
  };
  for (const Row& row : rows) {
    auto got = ScaledValue(row.v, row.total, row.round_up);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
  EXPECT_FALSE(ScaledValue(IntOrString("a%"), 10, true).ok());
  EXPECT_FALSE(ScaledValue(IntOrString("%"), 10, true).ok());
  EXPECT_FALSE(ScaledValue(IntOrString("-5%"), 10, true).ok());
}

TEST(ParsePercentTest, AcceptsOnlyNPercent) {
  EXPECT_EQ(*ParsePercent("25%"), 25);
  EXPECT_FALSE(ParsePercent("25").ok());
  EXPECT_FALSE(ParsePercent("x%").ok());
}

TEST(Rfc3339Test, ParsesAndFormats) {
  auto t = ParseRfc3339("2026-11-23T03:16:00Z");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T03:16:00Z");
  auto offset = ParseRfc3339("2026-11-23T04:16:00.5+01:00");
  ASSERT_TRUE(offset.ok()) << offset.error();
  EXPECT_EQ(*offset - *t, 500ms);
  EXPECT_EQ(FormatRfc3339(*offset, true), "2026-11-23T03:16:00.500000Z");
  auto micro = ParseRfc3339("2026-01-02T03:04:05.123456789Z");
  ASSERT_TRUE(micro.ok());
  EXPECT_EQ(FormatRfc3339(*micro, true), "2026-01-02T03:04:05.123456Z");
  for (const char* bad :
       {"2026-11-23", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-23T03:16:00",
        "2026-11-23T25:00:00Z", "yesterday", "2026-11-23T03:16:00Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(LabelSelectorTest, MatchesEveryTerm) {
  LabelSelector s;
  s.match_labels = {{"app", "web"}};
  s.match_expressions = {
      {.key = "tier", .operator_ = "In", .values = {"front", "edge"}},
      {.key = "legacy", .operator_ = "DoesNotExist"},
  };
  struct Row {
    const char* name;
    std::map<std::string, std::string> labels;
    bool want;
  } rows[] = {
      {"all hold", {{"app", "web"}, {"tier", "edge"}}, true},
      {"label differs", {{"app", "api"}, {"tier", "edge"}}, false},
      {"not in set", {{"app", "web"}, {"tier", "back"}}, false},
      {"forbidden key present", {{"app", "web"}, {"tier", "front"}, {"legacy", ""}}, false},
      {"missing In key", {{"app", "web"}}, false},
  };
  for (const Row& row : rows) EXPECT_EQ(Matches(s, row.labels), row.want) << row.name;
  EXPECT_EQ(ToSelectorString(s), "app=web,!legacy,tier in (edge,front)");
  EXPECT_TRUE(Matches(LabelSelector{}, {{"any", "thing"}}));
  LabelSelector unknown_op;
  unknown_op.match_expressions = {{.key = "a", .operator_ = "Near"}};
  EXPECT_FALSE(Matches(unknown_op, {{"a", "b"}}));
}

TEST(NameRulesTest, FollowKubernetes) {
  struct Row {
    const char* name;
    std::string (*check)(std::string_view);
    std::string value;
    bool valid;
  } rows[] = {
      {"subdomain ok", CheckDnsSubdomain, "web.example-1", true},
      {"subdomain upper", CheckDnsSubdomain, "Web", false},
      {"subdomain leading dash", CheckDnsSubdomain, "-web", false},
      {"subdomain too long", CheckDnsSubdomain, std::string(254, 'a'), false},
      {"subdomain max", CheckDnsSubdomain, std::string(253, 'a'), true},
      {"label dot", CheckDnsLabel, "a.b", false},
      {"label max", CheckDnsLabel, std::string(63, 'a'), true},
      {"label too long", CheckDnsLabel, std::string(64, 'a'), false},
      {"qualified prefix", CheckQualifiedName, "app.kubernetes.io/name", true},
      {"qualified plain", CheckQualifiedName, "App_Name.v1", true},
      {"qualified empty name", CheckQualifiedName, "example.com/", false},
      {"qualified bad prefix", CheckQualifiedName, "Example.com/a", false},
      {"qualified two slashes", CheckQualifiedName, "a/b/c", false},
      {"value empty", CheckLabelValue, "", true},
      {"value ok", CheckLabelValue, "v1.2_x-y", true},
      {"value trailing dash", CheckLabelValue, "v1-", false},
      {"value too long", CheckLabelValue, std::string(64, 'a'), false},
  };
  for (const Row& row : rows) EXPECT_EQ(row.check(row.value).empty(), row.valid) << row.name;
}

}  // namespace
}  // namespace devflow::api
