#include "http/message.h"

#include <gtest/gtest.h>

namespace devflow::http {
namespace {

TEST(RequestTest, QueryDecodesAsGoParseQuery) {
  struct Row {
    const char* name;
    const char* target;
    const char* key;
    std::optional<std::string> want;
  };
  const Row rows[] = {
      {"plain", "/api?watch=true", "watch", "true"},
      {"second parameter", "/api?a=1&limit=500", "limit", "500"},
      {"first of repeated", "/api?x=1&x=2", "x", "1"},
      {"percent escapes", "/api?labelSelector=app%3Dweb%2Ctier%20in%20(a)", "labelSelector",
       "app=web,tier in (a)"},
      {"plus is space", "/api?fieldSelector=a+b", "fieldSelector", "a b"},
      {"encoded plus", "/api?v=1%2B2", "v", "1+2"},
      {"encoded key", "/api?label%53elector=x", "labelSelector", "x"},
      {"no value", "/api?watch", "watch", ""},
      {"empty value", "/api?watch=", "watch", ""},
      {"value with '='", "/api?s=a=b", "s", "a=b"},
      {"malformed escape kept", "/api?s=50%zz", "s", "50%zz"},
      {"truncated escape kept", "/api?s=5%2", "s", "5%2"},
      {"absent", "/api?a=1", "b", std::nullopt},
      {"no query", "/api", "a", std::nullopt},
      {"prefix of a key is not the key", "/api?limit=1", "lim", std::nullopt},
      {"fragment ignored", "/api?a=1#frag", "a", "1"},
  };
  for (const Row& row : rows) {
    Request request{.target = row.target};
    EXPECT_EQ(request.Query(row.key), row.want) << row.name;
  }
}

TEST(RequestTest, PathIsDecodedAndStopsAtQuery) {
  struct Row {
    const char* name;
    const char* target;
    const char* want;
  };
  const Row rows[] = {
      {"plain", "/api/v1/pods", "/api/v1/pods"},
      {"query dropped", "/api/v1/pods?watch=1", "/api/v1/pods"},
      {"escape decoded", "/api/v1/namespaces/a%20b", "/api/v1/namespaces/a b"},
      {"plus kept", "/a+b", "/a+b"},
      {"root", "/", "/"},
  };
  for (const Row& row : rows) {
    Request request{.target = row.target};
    EXPECT_EQ(request.Path(), row.want) << row.name;
  }
}

TEST(HeadersTest, LookupIgnoresCaseAndTakesFirst) {
  Request request{
      .headers = {{"Content-Type", "application/json"}, {"X-Dup", "one"}, {"x-dup", "two"}}};
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(request.Header("X-DUP"), "one");
  EXPECT_EQ(request.Header("Accept"), "");
}

TEST(HeadersTest, SetHeaderReplacesEveryCase) {
  Headers headers = {{"Accept", "a"}, {"X", "1"}, {"accept", "b"}};
  SetHeader(headers, "ACCEPT", "c");
  EXPECT_EQ(headers, (Headers{{"X", "1"}, {"ACCEPT", "c"}}));
}

TEST(EscapeTest, QueryEscapeRoundTripsThroughQuery) {
  struct Row {
    const char* name;
    const char* value;
    const char* escaped;
  };
  const Row rows[] = {
      {"unreserved", "aZ09-_.~", "aZ09-_.~"},
      {"selector", "app=web,tier!=db", "app%3Dweb%2Ctier%21%3Ddb"},
      {"space", "a b", "a+b"},
      {"plus", "a+b", "a%2Bb"},
      {"utf-8", "\xc3\xa9", "%C3%A9"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(QueryEscape(row.value), row.escaped) << row.name;
    Request request{.target = std::string("/x?v=") + QueryEscape(row.value)};
    EXPECT_EQ(request.Query("v"), row.value) << row.name;
  }
}

}  // namespace
}  // namespace devflow::http
