#include "api/core_kinds.h"

#include <gtest/gtest.h>

namespace devflow::api {
namespace {

TEST(CoreKindsBase64Test, DecodesAndEncodesStandardBase64) {
  struct Row {
    const char* name;
    std::string plain;
    const char* encoded;
  } rows[] = {
      {"empty", "", ""},
      {"two padding", "a", "YQ=="},
      {"one padding", "ab", "YWI="},
      {"no padding", "abc", "YWJj"},
      {"password", "s3cr3t!", "czNjcjN0IQ=="},
      {"binary", std::string("\x00\xff\xfe", 3), "AP/+"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(EncodeBase64(row.plain), row.encoded) << row.name;
    Result<std::string> decoded = DecodeBase64(row.encoded);
    ASSERT_TRUE(decoded.ok()) << row.name << ": " << decoded.error();
    EXPECT_EQ(*decoded, row.plain) << row.name;
  }
  Result<std::string> wrapped = DecodeBase64("czNj\ncjN0\r\nIQ==");
  ASSERT_TRUE(wrapped.ok()) << wrapped.error();
  EXPECT_EQ(*wrapped, "s3cr3t!");
}

TEST(CoreKindsBase64Test, RejectsMalformedInput) {
  struct Row {
    const char* name;
    const char* text;
    const char* message;
  } rows[] = {
      {"length", "abc", "length 3 is not a multiple of 4"},
      {"alphabet", "ab-c", "character '-' at offset 2 is not in the alphabet"},
      {"url alphabet", "ab_c", "character '_' at offset 2"},
      {"padding inside", "YQ==YWJj", "'=' at offset 2 is not final padding"},
      {"padding first", "=YWJ", "'=' at offset 0 is not final padding"},
      {"three padding", "Y===", "'=' at offset 1 is not final padding"},
      {"data after padding", "YW=j", "'=' at offset 2 is not final padding"},
  };
  for (const Row& row : rows) {
    Result<std::string> decoded = DecodeBase64(row.text);
    ASSERT_FALSE(decoded.ok()) << row.name;
    EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_NE(decoded.error().message().find(row.message), std::string::npos)
        << row.name << ": " << decoded.error().message();
  }
}

TEST(CoreKindsSecretValueTest, ReadsDataAndStringData) {
  Secret secret;
  secret.data = {{"username", "YWRtaW4="}, {"password", "b2xk"}, {"broken", "abc"}};
  secret.string_data = {{"password", "new"}, {"token", "t0k"}};

  Result<std::string> user = SecretValue(secret, "username");
  ASSERT_TRUE(user.ok()) << user.error();
  EXPECT_EQ(*user, "admin");
  // stringData overrides data, as the API server merges it.
  EXPECT_EQ(SecretValue(secret, "password").value_or("?"), "new");
  EXPECT_EQ(SecretValue(secret, "token").value_or("?"), "t0k");

  Result<std::string> missing = SecretValue(secret, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.error().message().find("\"nope\""), std::string::npos);

  Result<std::string> broken = SecretValue(secret, "broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(broken.error().field_path(), "data.broken");
}

}  // namespace
}  // namespace devflow::api
