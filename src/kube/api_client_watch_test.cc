// ApiClient::Watch against a loopback server that streams scripted lines: the query, event
// parsing (bookmarks, ERROR events), the stream's end, timeouts, Cancel and failed opens.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "common/json_reader.h"
#include "http/http_testing.h"
#include "kube/api_client.h"
#include "kube/api_client_testing.h"

namespace devflow::kube {
namespace {

using http::testing::Channel;
using http::testing::kHangGuard;
using http::testing::Notification;
using testing::FakeClientClock;
using testing::JsonResponse;
using testing::ScriptedServer;
using testing::StatusBody;

const ResourceRef kRollouts{
    .group = "argoproj.io", .version = "v1alpha1", .plural = "rollouts", .kind = "Rollout"};

class ApiClientWatchTest : public ::testing::Test {
 protected:
  ApiClientWatchTest() {
    server_.SetHandler([this](const http::Request&, http::ResponseWriter& writer) {
      writer.StartStream(200, {{"Content-Type", "application/json"}});
      writers_.Push(writer);
    });
    auto client = ApiClient::Create(server_.Config(), ApiClientOptions{.clock = &clock_});
    if (!client.ok()) http::testing::DieInSetup(client.error());
    client_ = std::move(client).value();
  }

  // Opens a watch and returns it with the server's side of the stream.
  std::pair<std::unique_ptr<WatchStream>, http::ResponseWriter> Open(
      const WatchRequest& request = {}) {
    auto watch = client_->Watch(kRollouts, "prod", request);
    if (!watch.ok()) http::testing::DieInSetup(watch.error());
    std::optional<http::ResponseWriter> writer = writers_.Pop();
    if (!writer) http::testing::DieInSetup(InternalError("the watch never reached the server"));
    return {std::move(watch).value(), *writer};
  }

  FakeClientClock clock_;
  ScriptedServer server_;
  Channel<http::ResponseWriter> writers_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiClientWatchTest, SendsTheWatchQuery) {
  struct Row {
    const char* name;
    std::string ns;
    WatchRequest request;
    std::string target;
  };
  const std::vector<Row> rows = {
      {"every parameter", "prod",
       WatchRequest{.resource_version = "41",
                    .label_selector = "app=web",
                    .field_selector = "metadata.name=web",
                    .allow_bookmarks = true,
                    .timeout = std::chrono::seconds(300)},
       "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts?watch=1&resourceVersion=41&"
       "allowWatchBookmarks=true&labelSelector=app%3Dweb&fieldSelector=metadata.name%3Dweb&"
       "timeoutSeconds=300"},
      {"nothing optional, all namespaces", "", WatchRequest{.allow_bookmarks = false},
       "/apis/argoproj.io/v1alpha1/rollouts?watch=1"},
  };
  for (const Row& row : rows) {
    auto watch = client_->Watch(kRollouts, row.ns, row.request);
    ASSERT_TRUE(watch.ok()) << row.name << ": " << watch.error();
    ASSERT_TRUE(writers_.Pop().has_value()) << row.name;
    http::Request got = server_.LastRequest();
    EXPECT_EQ(got.method, "GET") << row.name;
    EXPECT_EQ(got.target, row.target) << row.name;
    EXPECT_EQ(got.Header("Authorization"), "Bearer tok") << row.name;
  }
}

TEST_F(ApiClientWatchTest, ParsesEventsLineByLine) {
  auto [watch, writer] = Open();
  // One event split across chunks, two in one chunk, a blank keep-alive line between.
  writer.WriteChunk(R"({"type":"ADDED","object":{"apiVersion":"argoproj.io/v1alpha1",)");
  writer.WriteChunk(R"("kind":"Rollout","metadata":{"name":"a","resourceVersion":"5"}}})"
                    "\n");
  writer.WriteChunk(R"({"type":"MODIFIED","object":{"metadata":{"name":"a"}}})"
                    "\n\n"
                    R"({"type":"BOOKMARK","object":{"kind":"Rollout","apiVersion":)"
                    R"("argoproj.io/v1alpha1","metadata":{"resourceVersion":"9"}}})"
                    "\n");
  writer.WriteChunk(R"({"type":"DELETED","object":{"metadata":{"name":"a"}}})"
                    "\n");

  struct Expected {
    WatchEventType type;
    std::string object;
  };
  const std::vector<Expected> expected = {
      {WatchEventType::kAdded, R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",)"
                               R"("metadata":{"name":"a","resourceVersion":"5"}})"},
      // Objects without a type get the resource's.
      {WatchEventType::kModified,
       R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"a"}})"},
      {WatchEventType::kBookmark, R"({"kind":"Rollout","apiVersion":"argoproj.io/v1alpha1",)"
                                  R"("metadata":{"resourceVersion":"9"}})"},
      {WatchEventType::kDeleted,
       R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"a"}})"},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    auto event = watch->Next(kHangGuard);
    ASSERT_TRUE(event.ok()) << i << ": " << event.error();
    ASSERT_TRUE(event->has_value()) << i;
    EXPECT_EQ((*event)->type, expected[i].type) << i;
    EXPECT_EQ(json::Write((*event)->object), expected[i].object) << i;
  }

  // The server ends the watch (its timeout): the stream ends, without error.
  writer.Finish();
  auto end = watch->Next(kHangGuard);
  ASSERT_TRUE(end.ok()) << end.error();
  EXPECT_FALSE(end->has_value());
}

TEST_F(ApiClientWatchTest, ErrorEventsBecomeStatuses) {
  struct Row {
    const char* name;
    std::string line;
    StatusCode code;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"410 expired is gone",
       R"({"type":"ERROR","object":)" +
           StatusBody(410, "Expired", "too old resource version: 5 (120)") + "}",
       StatusCode::kGone, "too old resource version: 5 (120)"},
      {"410 without a code",
       R"({"type":"ERROR","object":{"kind":"Status","reason":"Gone",)"
       R"("message":"gone"}})",
       StatusCode::kGone, "gone"},
      {"500 is unavailable",
       R"({"type":"ERROR","object":)" + StatusBody(500, "InternalError", "watch chan error") + "}",
       StatusCode::kUnavailable, "watch chan error"},
      {"a line that is not JSON", "{not json", StatusCode::kUnavailable, ""},
      {"an unknown type", R"({"type":"SYNC","object":{}})", StatusCode::kUnavailable,
       "malformed watch event: unknown type \"SYNC\""},
      {"no object", R"({"type":"ADDED"})", StatusCode::kUnavailable,
       "malformed watch event: no object in ADDED event"},
      {"an ERROR without a Status", R"({"type":"ERROR","object":{"kind":"Pod"}})",
       StatusCode::kUnavailable, R"(watch ERROR event without a Status: {"kind":"Pod"})"},
  };
  for (const Row& row : rows) {
    auto [watch, writer] = Open();
    writer.WriteChunk(row.line + "\n");
    auto event = watch->Next(kHangGuard);
    ASSERT_FALSE(event.ok()) << row.name;
    EXPECT_EQ(event.error().code(), row.code) << row.name << ": " << event.error();
    if (!row.message.empty()) {
      EXPECT_EQ(event.error().message(), row.message) << row.name;
    }
    writer.Finish();
  }
}

TEST_F(ApiClientWatchTest, NothingInTimeIsDeadlineExceededAndTheStreamCarriesOn) {
  auto [watch, writer] = Open();
  auto quiet = watch->Next(std::chrono::milliseconds(20));
  ASSERT_FALSE(quiet.ok());
  EXPECT_EQ(quiet.error().code(), StatusCode::kDeadlineExceeded) << quiet.error();

  writer.WriteChunk(R"({"type":"ADDED","object":{"metadata":{"name":"late"}}})"
                    "\n");
  auto event = watch->Next(kHangGuard);
  ASSERT_TRUE(event.ok()) << event.error();
  ASSERT_TRUE(event->has_value());
  EXPECT_EQ((*event)->object.Find("metadata")->Find("name")->as_string(), "late");
}

TEST_F(ApiClientWatchTest, CancelEndsABlockedNext) {
  auto [watch, writer] = Open();
  Notification reading;
  Result<std::optional<WatchEvent>> result = InternalError("Next never returned");
  std::thread reader([&, w = watch.get()] {
    reading.Notify();
    result = w->Next(kHangGuard);
  });
  ASSERT_TRUE(reading.Wait());
  watch->Cancel();
  reader.join();
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_FALSE(result->has_value());
  // And every later call.
  auto again = watch->Next(kHangGuard);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

TEST(ApiClientWatchBrokenTest, ConnectionBrokenMidEventIsUnavailable) {
  http::testing::RawListener listener;
  Notification opened;
  std::thread peer([&] {
    int fd = listener.Accept();
    if (http::testing::RawListener::ReadRequestHead(fd)) {
      http::testing::RawListener::WriteAll(fd,
                                           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n"
                                           "a\r\n{\"type\":\"A");
      opened.Wait();
    }
    ::close(fd);
  });
  ClientConfig config;
  config.server = ServerUrl{.scheme = "http", .host = "127.0.0.1", .port = listener.port()};
  auto client = ApiClient::Create(config);
  ASSERT_TRUE(client.ok()) << client.error();

  auto watch = (*client)->Watch(kRollouts, "prod", {});
  opened.Notify();
  peer.join();
  ASSERT_TRUE(watch.ok()) << watch.error();
  auto event = (*watch)->Next(kHangGuard);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().code(), StatusCode::kUnavailable) << event.error();
}

TEST_F(ApiClientWatchTest, RefusedWatchIsItsStatus) {
  struct Row {
    const char* name;
    http::Response response;
    StatusCode code;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"too old", JsonResponse(410, StatusBody(410, "Expired", "too old resource version: 1 (9)")),
       StatusCode::kGone, "too old resource version: 1 (9)"},
      {"bad selector",
       JsonResponse(400, StatusBody(400, "BadRequest", "unable to parse requirement")),
       StatusCode::kInvalidArgument, "unable to parse requirement"},
      {"unauthorized", JsonResponse(401, StatusBody(401, "Unauthorized", "Unauthorized")),
       StatusCode::kUnauthenticated, "Unauthorized"},
  };
  for (const Row& row : rows) {
    server_.SetHandler(
        [response = row.response](const http::Request&, http::ResponseWriter& writer) {
          writer.Send(response);
        });
    auto watch = client_->Watch(kRollouts, "prod", WatchRequest{.resource_version = "1"});
    ASSERT_FALSE(watch.ok()) << row.name;
    EXPECT_EQ(watch.error().code(), row.code) << row.name << ": " << watch.error();
    EXPECT_EQ(watch.error().message(), row.message) << row.name;
  }
}

TEST_F(ApiClientWatchTest, AWatchTakesOneTokenHoweverLongItRuns) {
  FakeClientClock clock;  // frozen
  auto client =
      ApiClient::Create(server_.Config(), ApiClientOptions{.qps = 1, .burst = 1, .clock = &clock});
  ASSERT_TRUE(client.ok()) << client.error();
  auto watch = (*client)->Watch(kRollouts, "prod", {});
  ASSERT_TRUE(watch.ok()) << watch.error();
  std::optional<http::ResponseWriter> writer = writers_.Pop();
  ASSERT_TRUE(writer.has_value());
  for (int i = 0; i < 20; ++i) {
    writer->WriteChunk(R"({"type":"MODIFIED","object":{"metadata":{"name":"a"}}})"
                       "\n");
    ASSERT_TRUE((*watch)->Next(kHangGuard).ok());
  }
  EXPECT_TRUE(clock.Sleeps().empty()) << "events are not requests";

  server_.SetHandler(
      [](const http::Request&, http::ResponseWriter& w) { w.Send(JsonResponse(200, "{}")); });
  ASSERT_TRUE((*client)->Get(kRollouts, "prod", "a").ok());
  EXPECT_EQ(clock.Sleeps(), std::vector<std::chrono::nanoseconds>{std::chrono::seconds(1)})
      << "the watch took the only token of the burst";
  writer->Finish();
}

}  // namespace
}  // namespace devflow::kube
