#include "api/quantity.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "api/decode_context.h"

namespace devflow::api {
namespace {

struct ParseRow {
  const char* name;
  const char* text;
  const char* decimal;  // expected DecimalString()
};

TEST(QuantityTest, ParsesEveryAcceptedForm) {
  const ParseRow rows[] = {
      {"milli", "500m", "0.5"},
      {"gibi", "1Gi", "1073741824"},
      {"fraction", "2.5", "2.5"},
      {"exponent", "1e3", "1000"},
      {"upper exponent", "2E-3", "0.002"},
      {"exponent with plus", "1e+2", "100"},
      {"kibi", "100Ki", "102400"},
      {"mega", "1M", "1000000"},
      {"kilo", "3k", "3000"},
      {"exa suffix", "1E", "1000000000000000000"},
      {"exbi", "1Ei", "1152921504606846976"},
      {"nano", "1n", "0.000000001"},
      {"micro", "15u", "0.000015"},
      {"fractional binary", "1.5Gi", "1610612736"},
      {"leading dot", ".5", "0.5"},
      {"trailing dot", "5.", "5"},
      {"plus sign", "+7", "7"},
      {"negative", "-1.25", "-1.25"},
      {"zero", "0", "0"},
      {"negative zero", "-0.0m", "0"},
      {"leading zeros", "007.500", "7.5"},
      {"plain integer", "128974848", "128974848"},
      {"milli above one", "1200m", "1.2"},
  };
  for (const ParseRow& row : rows) {
    Result<Quantity> q = Quantity::Parse(row.text);
    ASSERT_TRUE(q.ok()) << row.name << ": " << q.error().ToString();
    EXPECT_EQ(q->DecimalString(), row.decimal) << row.name;
    EXPECT_EQ(q->text(), row.text) << row.name;
  }
}

TEST(QuantityTest, RejectsMalformedTextNamingTheAcceptedForms) {
  const char* rows[] = {"",    "1.5.3", "10KB", "1 Gi", "Gi",  "abc",      "1Gb",
                        "--1", "1e",    "1e+",  ".",    "1ki", " 1",       "1K",
                        "1mi", "0x10",  "1e3m", "1,5",  "+",   "1e9999999"};
  for (const char* text : rows) {
    Result<Quantity> q = Quantity::Parse(text);
    ASSERT_FALSE(q.ok()) << "accepted \"" << text << "\"";
    EXPECT_NE(q.error().message().find("Ki Mi Gi"), std::string::npos) << text;
    EXPECT_NE(q.error().message().find(std::string("got \"") + text + "\""), std::string::npos)
        << q.error().message();
  }
}

struct CompareRow {
  const char* name;
  const char* a;
  const char* b;
  int want;  // -1: a < b, 0: equal, 1: a > b
};

TEST(QuantityTest, ComparesByValue) {
  const CompareRow rows[] = {
      {"half", "0.5", "500m", 0},
      {"gibi is 1024 mebi", "1Gi", "1024Mi", 0},
      {"exponent and kilo", "1e3", "1k", 0},
      {"one", "1000m", "1", 0},
      {"exa", "1E", "1e18", 0},
      {"signed zero", "-0", "0m", 0},
      {"binary fraction", "1.5Gi", "1536Mi", 0},
      {"plain bytes", "1073741824", "1Gi", 0},
      {"milli below one", "500m", "1", -1},
      {"gibi above giga", "1Gi", "1G", 1},
      {"negative below zero", "-1", "0", -1},
      {"more negative", "-2", "-1", -1},
      {"just below", "999m", "1", -1},
      {"digit by digit", "1.1", "1.09", 1},
      {"nano above zero", "1n", "0", 1},
      {"longer digits", "1.0001", "1", 1},
  };
  for (const CompareRow& row : rows) {
    Quantity a = Quantity::MustParse(row.a);
    Quantity b = Quantity::MustParse(row.b);
    EXPECT_EQ(a == b, row.want == 0) << row.name;
    EXPECT_EQ(a < b, row.want < 0) << row.name;
    EXPECT_EQ(a > b, row.want > 0) << row.name;
    EXPECT_EQ(b<a, row.want> 0) << row.name << " (reversed)";
  }
}

TEST(QuantityTest, MilliValueWhenExact) {
  EXPECT_EQ(Quantity::MustParse("500m").MilliValue(), 500);
  EXPECT_EQ(Quantity::MustParse("1").MilliValue(), 1000);
  EXPECT_EQ(Quantity::MustParse("2.5").MilliValue(), 2500);
  EXPECT_EQ(Quantity::MustParse("-3m").MilliValue(), -3);
  EXPECT_EQ(Quantity::MustParse("0").MilliValue(), 0);
  EXPECT_EQ(Quantity::MustParse("1n").MilliValue(), std::nullopt);
  EXPECT_EQ(Quantity::MustParse("100E").MilliValue(), std::nullopt);
}

TEST(QuantityTest, DecodesStringsAndNumbersAndKeepsTheirForm) {
  struct Row {
    const char* name;
    json::Value in;
    const char* decimal;
  };
  const Row rows[] = {
      {"string", json::Value("250m"), "0.25"},
      {"integer", json::Value(2), "2"},
      {"double", json::Value(0.5), "0.5"},
  };
  for (const Row& row : rows) {
    FieldErrors errors;
    DecodeContext ctx(&errors);
    Quantity q;
    DecodeValue(row.in, q, ctx);
    EXPECT_TRUE(errors.empty()) << row.name;
    EXPECT_EQ(q.DecimalString(), row.decimal) << row.name;
    EXPECT_EQ(EncodeValue(q), row.in) << row.name << ": the original form is written back";
  }
}

TEST(QuantityTest, DecodeReportsBadValuesAtTheFieldPath) {
  struct Row {
    const char* name;
    json::Value in;
    const char* message_part;
  };
  const Row rows[] = {
      {"bad text", json::Value("10KB"), "got \"10KB\""},
      {"bool", json::Value(true), "got bool"},
      {"object", json::Value(json::Object{}), "got object"},
  };
  for (const Row& row : rows) {
    FieldErrors errors;
    DecodeContext ctx(&errors);
    ctx.PushKey("cpu");
    Quantity q;
    DecodeValue(row.in, q, ctx);
    ASSERT_EQ(errors.size(), 1u) << row.name;
    EXPECT_EQ(errors[0].path.str(), "cpu") << row.name;
    EXPECT_NE(errors[0].message.find("must be a quantity"), std::string::npos) << row.name;
    EXPECT_NE(errors[0].message.find(row.message_part), std::string::npos)
        << row.name << ": " << errors[0].message;
    EXPECT_TRUE(q.IsZero()) << row.name << ": keeps its default";
  }
}

}  // namespace
}  // namespace devflow::api
