// pods/log: choosing the container and the part of the log (pure, by tables), then the
// subresource over real HTTP reading real files, following one as it grows and is rotated.
#include "apiserver/pod_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <variant>

#include "apiserver/rest_testing.h"

namespace devflow::apiserver {
namespace {

using rest_testing::ParseOrDie;
using rest_testing::RestFixture;

json::Value PodWithContainers(const std::string& containers) {
  return ParseOrDie(R"({"metadata":{"name":"web-1"},"spec":{"containers":[)" + containers + "]}}");
}

http::Request RequestWithQuery(const std::string& query) {
  http::Request request;
  request.target = "/api/v1/namespaces/default/pods/web-1/log" + query;
  return request;
}

TEST(ParsePodLogQueryTest, Table) {
  const std::string one = R"({"name":"app"})";
  const std::string two = R"({"name":"app"},{"name":"sidecar"})";
  struct Row {
    std::string name;
    std::string containers;
    std::string query;
    std::variant<PodLogQuery, std::string> want;  // the query, or the error message
  };
  const std::vector<Row> rows = {
      {"only container is the default", one, "", PodLogQuery{.container = "app"}},
      {"named container", two, "?container=sidecar", PodLogQuery{.container = "sidecar"}},
      {"two containers need a name", two, "",
       "a container name must be specified for pod web-1, choose one of: [app sidecar]"},
      {"unknown container", one, "?container=db", "container db is not valid for pod web-1"},
      {"follow", one, "?follow=true", PodLogQuery{.container = "app", .follow = true}},
      {"follow false", one, "?follow=false", PodLogQuery{.container = "app"}},
      {"tail and limit", one, "?tailLines=3&limitBytes=10",
       PodLogQuery{.container = "app", .tail_lines = 3, .limit_bytes = 10}},
      {"tail zero", one, "?tailLines=0", PodLogQuery{.container = "app", .tail_lines = 0}},
      {"negative tail", one, "?tailLines=-1",
       "tailLines: Invalid value: -1: must be greater than or equal to 0"},
      {"limit zero", one, "?limitBytes=0", "limitBytes: Invalid value: 0: must be greater than 0"},
      {"tail not a number", one, "?tailLines=ten",
       "tailLines: invalid value \"ten\": must be an integer"},
  };
  for (const Row& row : rows) {
    std::variant<PodLogQuery, ApiStatus> got =
        ParsePodLogQuery(RequestWithQuery(row.query), PodWithContainers(row.containers));
    if (const auto* want = std::get_if<PodLogQuery>(&row.want)) {
      ASSERT_TRUE(std::holds_alternative<PodLogQuery>(got))
          << row.name << ": " << std::get<ApiStatus>(got).message;
      EXPECT_EQ(std::get<PodLogQuery>(got), *want) << row.name;
    } else {
      ASSERT_TRUE(std::holds_alternative<ApiStatus>(got)) << row.name;
      EXPECT_EQ(std::get<ApiStatus>(got).code, 400) << row.name;
      EXPECT_EQ(std::get<ApiStatus>(got).message, std::get<std::string>(row.want)) << row.name;
    }
  }
}

TEST(SelectLogTextTest, Table) {
  struct Row {
    std::string name;
    std::string log;
    std::optional<int64_t> tail;
    std::optional<int64_t> limit;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"everything", "a\nb\nc\n", {}, {}, "a\nb\nc\n"},
      {"last line", "a\nb\nc\n", 1, {}, "c\n"},
      {"last two", "a\nb\nc\n", 2, {}, "b\nc\n"},
      {"more than there are", "a\nb\n", 5, {}, "a\nb\n"},
      {"tail zero", "a\nb\n", 0, {}, ""},
      {"unterminated last line counts", "a\nb\nhalf", 1, {}, "half"},
      {"unterminated, two", "a\nb\nhalf", 2, {}, "b\nhalf"},
      {"empty lines count", "a\n\n\n", 2, {}, "\n\n"},
      {"empty log", "", 3, {}, ""},
      {"limit", "abcdef\n", {}, 3, "abc"},
      {"limit beyond", "ab\n", {}, 10, "ab\n"},
      {"tail then limit", "a\nbbbb\ncccc\n", 2, 6, "bbbb\nc"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(SelectLogText(row.log, row.tail, row.limit), row.want) << row.name;
  }
}

constexpr char kPods[] = "/api/v1/namespaces/default/pods";
constexpr char kLog[] = "/api/v1/namespaces/default/pods/web-1/log";

class PodLogRestTest : public RestFixture {
 protected:
  PodLogRestTest() {
    pod_log_path_ = [this](const std::string& ns, const std::string& pod,
                           const std::string& container) {
      return std::filesystem::path(dir_.File(ns + "_" + pod + "_" + container + ".log"));
    };
  }

  std::filesystem::path LogFile() { return dir_.File("default_web-1_app.log"); }

  void WriteLog(const std::string& text, std::ios::openmode mode = std::ios::app) {
    std::ofstream file(LogFile(), std::ios::binary | mode);
    file << text;
  }

  void CreatePod() {
    MustCreate(kPods, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1"},)"
                      R"("spec":{"containers":[{"name":"app","image":"demo:blue"}]}})");
  }
};

TEST_F(PodLogRestTest, AnswersTheFileAsText) {
  CreatePod();
  WriteLog("one\ntwo\nthree\n");
  http::Response all = Get(kLog);
  EXPECT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.body, "one\ntwo\nthree\n");
  EXPECT_EQ(Get(std::string(kLog) + "?tailLines=1").body, "three\n");
  EXPECT_EQ(Get(std::string(kLog) + "?container=app&limitBytes=3").body, "one");
}

TEST_F(PodLogRestTest, ErrorsAreKubernetesStatuses) {
  http::Response missing = Get(kLog);
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find(R"(pods \"web-1\" not found)"), std::string::npos) << missing.body;

  CreatePod();
  http::Response waiting = Get(kLog);  // no file yet: the container has not started
  EXPECT_EQ(waiting.status, 400);
  EXPECT_NE(waiting.body.find("is waiting to start"), std::string::npos) << waiting.body;

  http::Response wrong = Get(std::string(kLog) + "?container=db");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(rest_testing::Str(ParseOrDie(wrong.body), "reason"), "BadRequest");

  EXPECT_EQ(Post(kLog, "{}").status, 405);
}

TEST_F(PodLogRestTest, FollowStreamsWhatIsAppendedUntilThePodIsDeleted) {
  CreatePod();
  WriteLog("before\n");
  http::Request request;
  request.target = std::string(kLog) + "?follow=true";
  request.headers.emplace_back("Authorization", std::string("Bearer ") + rest_testing::kToken);
  Result<std::unique_ptr<http::Stream>> stream = client_->Open(request);
  ASSERT_TRUE(stream.ok()) << stream.error();
  ASSERT_EQ((*stream)->status(), 200);

  auto next_line = [&]() -> std::string {
    Result<std::optional<std::string>> line = (*stream)->ReadLine(std::chrono::seconds(30));
    if (!line.ok() || !line->has_value()) return "<end or error>";
    return **line;
  };
  EXPECT_EQ(next_line(), "before");
  WriteLog("appended\n");
  EXPECT_EQ(next_line(), "appended");
  // Rotation by copy-truncate: the file starts again from nothing.
  WriteLog("", std::ios::trunc);
  WriteLog("after rotation\n");
  EXPECT_EQ(next_line(), "after rotation");

  EXPECT_EQ(Delete(std::string(kPods) + "/web-1").status, 200);
  EXPECT_EQ(next_line(), "<end or error>");
}

class PodLogWithoutRuntimeTest : public RestFixture {};

TEST_F(PodLogWithoutRuntimeTest, SaysThereAreNoLogs) {
  MustCreate(kPods, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1"},)"
                    R"("spec":{"containers":[{"name":"app","image":"demo:blue"}]}})");
  http::Response response = Get(kLog);
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("no pods run on this server"), std::string::npos) << response.body;
}

}  // namespace
}  // namespace devflow::apiserver
