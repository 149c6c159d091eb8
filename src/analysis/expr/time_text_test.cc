#include "analysis/expr/time_text.h"

#include <gtest/gtest.h>

#include "analysis/expr/go_format.h"

namespace devflow::expr {
namespace {

using std::chrono::nanoseconds;

TEST(TimeTextTest, ParsesGoDurations) {
  struct Row {
    const char* text;
    int64_t nanos;
  } rows[] = {
      {"0", 0},
      {"5m", 300'000'000'000},
      {"1h30m", 5'400'000'000'000},
      {"-1.5h", -5'400'000'000'000},
      {"+2s", 2'000'000'000},
      {"300ms", 300'000'000},
      {"1us", 1'000},
      {"1\xC2\xB5s", 1'000},
      {"1\xCE\xBCs", 1'000},
      {"7ns", 7},
      {".5s", 500'000'000},
      {"1.s", 1'000'000'000},
      {"2562047h47m16.854775807s", INT64_MAX},
      {"-2562047h47m16.854775808s", INT64_MIN},
  };
  for (const Row& row : rows) {
    auto d = ParseGoDuration(row.text);
    ASSERT_TRUE(d.ok()) << row.text << ": " << d.error();
    EXPECT_EQ(d->count(), row.nanos) << row.text;
  }
}

TEST(TimeTextTest, RejectsBadDurationsWithGoMessages) {
  struct Row {
    const char* text;
    const char* error;
  } rows[] = {
      {"", "time: invalid duration \"\""},
      {"-", "time: invalid duration \"-\""},
      {"5", "time: missing unit in duration \"5\""},
      {"5x", "time: unknown unit \"x\" in duration \"5x\""},
      {"1h5", "time: missing unit in duration \"1h5\""},
      {".s", "time: invalid duration \".s\""},
      {"s", "time: invalid duration \"s\""},
      {"2562047h47m16.854775808s", "time: invalid duration \"2562047h47m16.854775808s\""},
      {"99999999999999999999h", "time: invalid duration \"99999999999999999999h\""},
  };
  for (const Row& row : rows) {
    auto d = ParseGoDuration(row.text);
    ASSERT_FALSE(d.ok()) << row.text;
    EXPECT_EQ(d.error().message(), row.error) << row.text;
  }
}

TEST(TimeTextTest, FormatsLikeGo) {
  EXPECT_EQ(FormatGoDuration(nanoseconds(0)), "0s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(1'500)), "1.5\xC2\xB5s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(2'000'000)), "2ms");
  EXPECT_EQ(FormatGoDuration(nanoseconds(90'000'000'000)), "1m30s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(3'600'000'000'000)), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(-1'500'000'000)), "-1.5s");
  EXPECT_EQ(FormatGoDuration(nanoseconds(INT64_MIN)), "-2562047h47m16.854775808s");
  const TimePoint t{nanoseconds(1714557600'500'000'000)};
  EXPECT_EQ(FormatRfc3339(t), "2024-05-01T10:00:00.5Z");
  EXPECT_EQ(FormatGoTime(t), "2024-05-01 10:00:00.5 +0000 UTC");
  EXPECT_EQ(FormatRfc3339(TimePoint{nanoseconds(-1)}), "1969-12-31T23:59:59.999999999Z");
}

TEST(GoFormatTest, FloatsPrintLikeGoPercentV) {
  struct Row {
    double value;
    const char* text;
  } rows[] = {
      {0.5, "0.5"},
      {2.0, "2"},
      {123456.0, "123456"},
      {1e6, "1e+06"},
      {1234567.0, "1.234567e+06"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {-0.0, "-0"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1e21, "1e+21"},
      {1e100, "1e+100"},
  };
  for (const Row& row : rows) EXPECT_EQ(FormatGoFloat(row.value), row.text) << row.text;
  EXPECT_EQ(FormatGoFloat(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatGoFloat(-std::numeric_limits<double>::infinity()), "-Inf");
}

}  // namespace
}  // namespace devflow::expr
