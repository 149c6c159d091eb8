// The client: base URLs, connection reuse and retry, errors, timeouts and streams.
#include "http/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "http/http_testing.h"
#include "http/server.h"

namespace devflow::http {
namespace {

using testing::BaseUrl;
using testing::Channel;
using testing::kHangGuard;
using testing::MakeClient;
using testing::RawListener;
using testing::StartServer;

// Answers "<method> <target>".
FunctionHandler EchoTarget() {
  return FunctionHandler([](const Request& request, ResponseWriter& writer) {
    writer.Send(Response{.body = request.method + " " + request.target});
  });
}

TEST(ClientTest, RejectsBadBaseUrls) {
  struct Row {
    const char* name;
    const char* url;
  };
  const Row rows[] = {
      {"no scheme", "127.0.0.1:8080"},
      {"other scheme", "ftp://127.0.0.1"},
      {"no host", "http://"},
      {"no host with port", "http://:80"},
      {"port zero", "http://h:0"},
      {"port too big", "http://h:70000"},
      {"port not a number", "http://h:http"},
      {"user info", "http://user@h"},
      {"query", "http://h/?a=1"},
      {"unterminated IPv6", "http://[::1"},
      {"junk after IPv6", "http://[::1]x"},
  };
  for (const Row& row : rows) {
    auto client = Client::Create(ClientOptions{.base_url = row.url});
    ASSERT_FALSE(client.ok()) << row.name;
    EXPECT_EQ(client.error().code(), StatusCode::kInvalidArgument) << row.name;
  }
}

TEST(ClientTest, TargetsGoUnderTheBaseUrlPath) {
  auto handler = EchoTarget();
  auto server = StartServer(handler);
  auto client = MakeClient(ClientOptions{.base_url = BaseUrl(*server) + "/k8s/clusters/c-1/"});

  auto response = client->Send(Request{.target = "/api/v1/pods?limit=1"});

  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->body, "GET /k8s/clusters/c-1/api/v1/pods?limit=1");
}

TEST(ClientTest, SetsHostAndContentLength) {
  FunctionHandler handler([](const Request& request, ResponseWriter& writer) {
    writer.Send(Response{.body = std::string(request.Header("Host")) + "|" +
                                 std::string(request.Header("Content-Length"))});
  });
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto post = client->Send(Request{.method = "POST", .body = "12345"});
  auto empty_put = client->Send(Request{.method = "PUT"});
  auto get = client->Send(Request{});

  ASSERT_TRUE(post.ok() && empty_put.ok() && get.ok());
  std::string host = "127.0.0.1:" + std::to_string(server->port());
  EXPECT_EQ(post->body, host + "|5");
  EXPECT_EQ(empty_put->body, host + "|0");
  EXPECT_EQ(get->body, host + "|");
}

TEST(ClientTest, RejectsHeadersThatWouldBreakTheMessage) {
  auto handler = EchoTarget();
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto injected = client->Send(Request{.headers = {{"X-Evil", "a\r\nX-Injected: 1"}}});
  auto bad_name = client->Send(Request{.headers = {{"Bad Name", "a"}}});
  auto bad_target = client->Send(Request{.target = "no-slash"});
  auto space_target = client->Send(Request{.target = "/a b"});

  EXPECT_EQ(injected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_name.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_target.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(space_target.status().code(), StatusCode::kInvalidArgument);
}

TEST(ClientTest, ConnectionRefusedIsUnavailable) {
  int port;
  {
    auto handler = EchoTarget();
    auto server = StartServer(handler);
    port = server->port();
  }
  auto client = MakeClient(ClientOptions{.base_url = "http://127.0.0.1:" + std::to_string(port)});

  auto response = client->Send(Request{});

  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_NE(response.status().message().find("refused"), std::string::npos) << response.status();
}

TEST(ClientTest, SlowServerIsDeadlineExceeded) {
  Channel<ResponseWriter> held;
  FunctionHandler handler([&](const Request&, ResponseWriter& writer) { held.Push(writer); });
  auto server = StartServer(handler);
  auto client = MakeClient(ClientOptions{.base_url = BaseUrl(*server),
                                         .request_timeout = std::chrono::milliseconds(50)});

  auto response = client->Send(Request{});

  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded) << response.status();
  EXPECT_TRUE(held.Pop());
}

TEST(ClientTest, RetriesOnceWhenTheServerClosedTheIdleConnection) {
  RawListener listener;
  // One response per connection, each advertising keep-alive, then the server closes it.
  std::thread server([&] {
    for (std::string body : {"one", "two"}) {
      int fd = listener.Accept();
      if (RawListener::ReadRequestHead(fd)) {
        RawListener::WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n" + body);
      }
      ::close(fd);
    }
  });
  auto client =
      MakeClient(ClientOptions{.base_url = "http://127.0.0.1:" + std::to_string(listener.port())});

  auto first = client->Send(Request{});
  auto second = client->Send(Request{});  // reuses the closed connection, then retries
  server.join();

  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->body, "one");
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->body, "two");
}

TEST(ClientTest, DoesNotRetryOnAFreshConnection) {
  RawListener listener;
  std::thread server([&] {
    int fd = listener.Accept();
    RawListener::ReadRequestHead(fd);
    ::close(fd);  // no response
  });
  auto client =
      MakeClient(ClientOptions{.base_url = "http://127.0.0.1:" + std::to_string(listener.port()),
                               .request_timeout = std::chrono::seconds(5)});

  auto response = client->Send(Request{});
  server.join();

  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_EQ(listener.Accept(/*wait=*/false), -1) << "the client connected a second time";
}

TEST(ClientTest, DoesNotRetryOnceTheResponseStarted) {
  RawListener listener;
  std::thread server([&] {
    int fd = listener.Accept();
    RawListener::ReadRequestHead(fd);
    RawListener::WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
    RawListener::ReadRequestHead(fd);  // the second request reuses the connection
    RawListener::WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntruncated");
    ::close(fd);
  });
  auto client =
      MakeClient(ClientOptions{.base_url = "http://127.0.0.1:" + std::to_string(listener.port()),
                               .request_timeout = std::chrono::seconds(5)});

  auto first = client->Send(Request{});
  auto truncated = client->Send(Request{});
  server.join();

  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(truncated.status().code(), StatusCode::kUnavailable) << truncated.status();
  EXPECT_EQ(listener.Accept(/*wait=*/false), -1) << "the client retried";
}

TEST(ClientTest, ConnectionCloseIsNotReused) {
  FunctionHandler handler([](const Request&, ResponseWriter& writer) {
    writer.Send(Response{.headers = {{"Connection", "close"}}, .body = "bye"});
  });
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  for (int i = 0; i < 3; ++i) {
    auto response = client->Send(Request{});
    ASSERT_TRUE(response.ok()) << response.error();
    EXPECT_EQ(response->body, "bye");
  }

  EXPECT_EQ(server->stats().accepted_connections, 3u);
}

TEST(ClientTest, ResponseBodyLimit) {
  FunctionHandler handler([](const Request&, ResponseWriter& writer) {
    writer.Send(Response{.body = std::string(2000, 'x')});
  });
  auto server = StartServer(handler);
  auto client =
      MakeClient(ClientOptions{.base_url = BaseUrl(*server), .max_response_body_bytes = 1000});

  auto response = client->Send(Request{});

  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
}

class StreamingHandler : public Handler {
 public:
  void Handle(const Request& request, ResponseWriter& writer) override {
    if (request.Path() == "/missing") {
      writer.Send(Response{.status = 404, .body = "{\"reason\":\"NotFound\"}"});
      return;
    }
    if (request.Path() == "/short") {
      writer.Send(Response{.body = "a\nb\nlast"});
      return;
    }
    writer.StartStream(200, {});
    writers.Push(writer);
  }
  Channel<ResponseWriter> writers;
};

TEST(StreamTest, ReadTimeoutLeavesTheStreamUsable) {
  StreamingHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto writer = handler.writers.Pop();
  ASSERT_TRUE(writer);

  auto nothing = (*stream)->ReadLine(std::chrono::milliseconds(20));
  ASSERT_TRUE(writer->WriteChunk("par"));
  auto half = (*stream)->ReadLine(std::chrono::milliseconds(20));  // "par" stays buffered
  ASSERT_TRUE(writer->WriteChunk("tial\nnext\n"));
  auto line = (*stream)->ReadLine(kHangGuard);
  auto next = (*stream)->ReadLine(kHangGuard);

  EXPECT_EQ(nothing.status().code(), StatusCode::kDeadlineExceeded) << nothing.status();
  EXPECT_FALSE(half.ok());
  ASSERT_TRUE(line.ok()) << line.error();
  EXPECT_EQ(*line, "partial");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(*next, "next");
}

TEST(StreamTest, CancelEndsABlockedRead) {
  StreamingHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto writer = handler.writers.Pop();
  ASSERT_TRUE(writer);
  testing::Notification closed;
  writer->OnClosed([&] { closed.Notify(); });

  std::optional<Result<std::optional<std::string>>> read;
  std::thread reader([&] { read = (*stream)->ReadLine(kHangGuard); });
  (*stream)->Cancel();
  reader.join();

  ASSERT_TRUE(read && read->ok()) << (read ? read->status() : Status());
  EXPECT_EQ(**read, std::nullopt);
  auto again = (*stream)->ReadSome(kHangGuard);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, std::nullopt);
  EXPECT_TRUE(closed.Wait());  // the server saw the connection close
}

TEST(StreamTest, ErrorStatusBodyIsReadable) {
  StreamingHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto stream = client->Open(Request{.target = "/missing"});

  ASSERT_TRUE(stream.ok()) << stream.error();
  EXPECT_EQ((*stream)->status(), 404);
  auto body = (*stream)->ReadSome(kHangGuard);
  ASSERT_TRUE(body.ok()) << body.error();
  EXPECT_EQ(*body, "{\"reason\":\"NotFound\"}");
}

TEST(StreamTest, FinishedStreamReturnsItsConnectionForReuse) {
  StreamingHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  std::vector<std::string> lines;
  {
    auto stream = client->Open(Request{.target = "/short"});
    ASSERT_TRUE(stream.ok()) << stream.error();
    for (;;) {
      auto line = (*stream)->ReadLine(kHangGuard);
      ASSERT_TRUE(line.ok()) << line.error();
      if (!*line) break;
      lines.push_back(**line);
    }
  }
  auto after = client->Send(Request{.target = "/short"});

  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "last"}));
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(server->stats().accepted_connections, 1u);
}

TEST(StreamTest, AbandonedStreamClosesItsConnection) {
  StreamingHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  {
    auto stream = client->Open(Request{.target = "/watch"});
    ASSERT_TRUE(stream.ok()) << stream.error();
    ASSERT_TRUE(handler.writers.Pop());
  }

  auto after = client->Send(Request{.target = "/short"});

  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(server->stats().accepted_connections, 2u);
}

TEST(StreamTest, StreamOutlivesItsClient) {
  StreamingHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto writer = handler.writers.Pop();
  ASSERT_TRUE(writer);

  client.reset();
  writer->WriteChunk("still here\n");
  writer->Finish();

  auto line = (*stream)->ReadLine(kHangGuard);
  ASSERT_TRUE(line.ok()) << line.error();
  EXPECT_EQ(*line, "still here");
  auto end = (*stream)->ReadLine(kHangGuard);
  ASSERT_TRUE(end.ok()) << end.error();
  EXPECT_EQ(*end, std::nullopt);
}

}  // namespace
}  // namespace devflow::http
