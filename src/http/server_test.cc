// The server, driven by the real Client and by raw sockets, over 127.0.0.1.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "http/client.h"
#include "http/http_testing.h"

namespace devflow::http {
namespace {

using testing::BaseUrl;
using testing::Channel;
using testing::CountOf;
using testing::kHangGuard;
using testing::MakeClient;
using testing::Notification;
using testing::RawSocket;
using testing::StartServer;

// Answers with what it received.
class EchoHandler : public Handler {
 public:
  void Handle(const Request& request, ResponseWriter& writer) override {
    ++calls;
    Response response;
    response.status = request.Path() == "/created" ? 201 : 200;
    response.headers = {{"Content-Type", "text/plain"},
                        {"X-Method", request.method},
                        {"X-Target", request.target},
                        {"X-Remote", request.remote},
                        {"X-Custom", std::string(request.Header("x-custom"))}};
    response.body = request.body.empty() ? "hello from " + request.Path() : request.body;
    writer.Send(std::move(response));
  }
  std::atomic<int> calls{0};
};

// Starts a chunked response and hands the writer to the test.
class StreamHandler : public Handler {
 public:
  void Handle(const Request& request, ResponseWriter& writer) override {
    writer.StartStream(200, {{"Content-Type", "application/json"}});
    writers.Push(writer);
  }
  Channel<ResponseWriter> writers;
};

TEST(ServerTest, RoundTrip) {
  EchoHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto response = client->Send(Request{.method = "POST",
                                       .target = "/created?name=a%20b",
                                       .headers = {{"X-Custom", "yes"}},
                                       .body = "{\"kind\":\"Pod\"}"});

  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "{\"kind\":\"Pod\"}");
  EXPECT_EQ(response->Header("x-method"), "POST");
  EXPECT_EQ(response->Header("X-Target"), "/created?name=a%20b");
  EXPECT_EQ(response->Header("X-Custom"), "yes");
  EXPECT_TRUE(response->Header("X-Remote").starts_with("127.0.0.1:"))
      << response->Header("X-Remote");
  EXPECT_EQ(response->Header("Content-Length"), "14");
}

TEST(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  EchoHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  std::string first_remote;
  for (int i = 0; i < 100; ++i) {
    auto response = client->Send(Request{.target = "/n/" + std::to_string(i)});
    ASSERT_TRUE(response.ok()) << "request " << i << ": " << response.error();
    EXPECT_EQ(response->body, "hello from /n/" + std::to_string(i));
    if (i == 0) first_remote = response->Header("X-Remote");
    EXPECT_EQ(response->Header("X-Remote"), first_remote) << "request " << i;
  }

  EXPECT_EQ(server->stats().accepted_connections, 1u);
}

TEST(ServerTest, ConcurrentClientsEachGetTheirOwnAnswers) {
  EchoHandler handler;
  auto server = StartServer(handler, ServerOptions{.threads = 4});
  auto shared_client = MakeClient(*server);
  constexpr int kThreads = 8;
  constexpr int kRequests = 50;
  std::atomic<int> failures{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        std::string body = "thread " + std::to_string(t) + " request " + std::to_string(i);
        auto response = shared_client->Send(Request{.method = "PUT", .target = "/x", .body = body});
        if (!response.ok() || response->body != body) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(failures, 0);
  EXPECT_EQ(handler.calls, kThreads * kRequests);
  // Each thread holds at most one connection at a time, and idle ones are reused.
  EXPECT_LE(server->stats().accepted_connections, static_cast<uint64_t>(kThreads));
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  // The first request is answered late, from the test thread; the second must still come after.
  Channel<ResponseWriter> slow;
  FunctionHandler handler([&](const Request& request, ResponseWriter& writer) {
    if (request.Path() == "/first") {
      slow.Push(writer);
    } else {
      writer.Send(Response{.body = "second"});
    }
  });
  auto server = StartServer(handler);
  RawSocket socket(server->port());

  socket.Write(
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto writer = slow.Pop();
  ASSERT_TRUE(writer);
  writer->Send(Response{.body = "first"});
  std::string replies = socket.ReadAll();

  EXPECT_EQ(CountOf(replies, "HTTP/1.1 200 OK"), 2) << replies;
  size_t first = replies.find("first");
  size_t second = replies.find("second");
  ASSERT_NE(first, std::string::npos) << replies;
  ASSERT_NE(second, std::string::npos) << replies;
  EXPECT_LT(first, second) << replies;
}

TEST(ServerTest, ChunksWrittenFromAnotherThreadArriveAsLines) {
  StreamHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  EXPECT_EQ((*stream)->status(), 200);
  EXPECT_EQ((*stream)->Header("Content-Type"), "application/json");
  EXPECT_EQ((*stream)->Header("Transfer-Encoding"), "chunked");
  auto writer = handler.writers.Pop();
  ASSERT_TRUE(writer);
  // Lines split across chunks, and several lines in one chunk.
  std::thread producer([writer = *writer]() mutable {
    for (std::string chunk : {"{\"n\":1}\n{\"n\"", ":2}\n", "{\"n\":3}\n{\"n\":4}\n"}) {
      writer.WriteChunk(chunk);
    }
    writer.Finish();
  });

  std::vector<std::string> lines;
  for (;;) {
    auto line = (*stream)->ReadLine(kHangGuard);
    ASSERT_TRUE(line.ok()) << line.error();
    if (!*line) break;
    lines.push_back(**line);
  }
  producer.join();

  EXPECT_EQ(lines, (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}"}));
}

TEST(ServerTest, WriteChunkReportsAClientThatWentAway) {
  StreamHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto writer = handler.writers.Pop();
  ASSERT_TRUE(writer);
  Notification closed;
  writer->OnClosed([&] { closed.Notify(); });
  ASSERT_TRUE(writer->WriteChunk("hello\n"));
  auto line = (*stream)->ReadLine(kHangGuard);
  ASSERT_TRUE(line.ok() && *line == "hello");

  stream->reset();  // the client goes away

  ASSERT_TRUE(closed.Wait());
  EXPECT_FALSE(writer->WriteChunk("anyone there?\n"));
  EXPECT_FALSE(writer->WriteChunk("still?\n"));
}

TEST(ServerTest, OnClosedAfterTheClientLeftRunsAtOnce) {
  StreamHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto writer = handler.writers.Pop();
  ASSERT_TRUE(writer);
  Notification first;
  writer->OnClosed([&] { first.Notify(); });
  stream->reset();
  ASSERT_TRUE(first.Wait());

  bool ran = false;
  writer->OnClosed([&] { ran = true; });

  EXPECT_TRUE(ran);
}

TEST(ServerTest, ClientThatStopsReadingIsDroppedAtTheBacklogLimit) {
  StreamHandler handler;
  auto server = StartServer(handler, ServerOptions{.max_stream_backlog_bytes = 1024 * 1024});
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});  // and never read
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto writer = handler.writers.Pop();
  ASSERT_TRUE(writer);
  Notification closed;
  writer->OnClosed([&] { closed.Notify(); });

  // Kernel buffers take a few MiB first; the bound only stops a broken limit from eating memory.
  const std::string chunk(16 * 1024, 'x');
  int written = 0;
  while (written < 4096 && writer->WriteChunk(chunk)) ++written;

  EXPECT_LT(written, 4096);
  EXPECT_TRUE(closed.Wait());
  EXPECT_FALSE(writer->WriteChunk(chunk));
}

TEST(ServerTest, BodyOverTheLimitIs413AndNeverReachesTheHandler) {
  EchoHandler handler;
  auto server = StartServer(handler, ServerOptions{.max_body_bytes = 1024});
  auto client = MakeClient(*server);

  auto at_limit = client->Send(Request{.method = "POST", .body = std::string(1024, 'a')});
  auto over_limit = client->Send(Request{.method = "POST", .body = std::string(1025, 'a')});
  auto after = client->Send(Request{.target = "/after"});

  ASSERT_TRUE(at_limit.ok()) << at_limit.error();
  EXPECT_EQ(at_limit->status, 200);
  ASSERT_TRUE(over_limit.ok()) << over_limit.error();
  EXPECT_EQ(over_limit->status, 413);
  EXPECT_EQ(over_limit->Header("Connection"), "close");
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(handler.calls, 2);
}

TEST(ServerTest, DefaultLimitIsThreeMebibytes) {
  EchoHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto response =
      client->Send(Request{.method = "POST", .body = std::string(3 * 1024 * 1024 + 1, 'a')});

  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(handler.calls, 0);
}

TEST(ServerTest, ChunkedBodyOverTheLimitIs413) {
  EchoHandler handler;
  auto server = StartServer(handler, ServerOptions{.max_body_bytes = 10});
  RawSocket socket(server->port());

  socket.Write(
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n");
  std::string reply = socket.ReadAll();

  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413 ")) << reply;
  EXPECT_EQ(handler.calls, 0);
}

TEST(ServerTest, MalformedRequestIs400) {
  EchoHandler handler;
  auto server = StartServer(handler);
  RawSocket socket(server->port());

  socket.Write("NOT HTTP AT ALL\r\n\r\n");
  std::string reply = socket.ReadAll();

  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400 ")) << reply;
  EXPECT_EQ(handler.calls, 0);
}

TEST(ServerTest, ExpectContinueGetsA100BeforeTheBody) {
  EchoHandler handler;
  auto server = StartServer(handler);
  RawSocket socket(server->port());

  socket.Write(
      "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n"
      "Connection: close\r\n\r\n");
  socket.Write("body");
  std::string reply = socket.ReadAll();

  EXPECT_TRUE(reply.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")) << reply;
  EXPECT_TRUE(reply.ends_with("\r\n\r\nbody")) << reply;
}

TEST(ServerTest, Http10ConnectionClosesAfterTheResponse) {
  EchoHandler handler;
  auto server = StartServer(handler);
  RawSocket socket(server->port());

  socket.Write("GET /old HTTP/1.0\r\n\r\n");
  bool eof = false;
  std::string reply = socket.ReadAll(&eof);

  EXPECT_TRUE(eof);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 OK\r\n")) << reply;
  EXPECT_TRUE(reply.ends_with("hello from /old")) << reply;
}

TEST(ServerTest, HeadGetsHeadersWithoutBody) {
  EchoHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto head = client->Send(Request{.method = "HEAD", .target = "/thing"});
  auto get = client->Send(Request{.target = "/thing"});  // same connection: framing held

  ASSERT_TRUE(head.ok()) << head.error();
  ASSERT_TRUE(get.ok()) << get.error();
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get->body.size()));
  EXPECT_EQ(get->body, "hello from /thing");
  EXPECT_EQ(server->stats().accepted_connections, 1u);
}

TEST(ServerTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  EchoHandler handler;
  auto server = StartServer(handler, ServerOptions{.idle_timeout = std::chrono::milliseconds(50)});
  RawSocket socket(server->port());

  bool eof = false;
  std::string reply = socket.ReadAll(&eof);

  EXPECT_TRUE(eof);
  EXPECT_EQ(reply, "");
}

TEST(ServerTest, HandlerThatDropsTheWriterGets500) {
  FunctionHandler handler([](const Request&, ResponseWriter&) {});
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto response = client->Send(Request{});

  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status, 500);
}

TEST(ServerTest, HandlerExceptionGets500AndTheServerLivesOn) {
  FunctionHandler handler([](const Request& request, ResponseWriter& writer) {
    if (request.Path() == "/throw") throw std::runtime_error("boom");
    writer.Send(Response{.body = "fine"});
  });
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto thrown = client->Send(Request{.target = "/throw"});
  auto fine = client->Send(Request{.target = "/ok"});

  ASSERT_TRUE(thrown.ok()) << thrown.error();
  EXPECT_EQ(thrown->status, 500);
  EXPECT_NE(thrown->body.find("boom"), std::string::npos) << thrown->body;
  ASSERT_TRUE(fine.ok()) << fine.error();
  EXPECT_EQ(fine->body, "fine");
}

TEST(ServerTest, SecondSendIsRefused) {
  std::atomic<bool> second_accepted{true};
  FunctionHandler handler([&](const Request&, ResponseWriter& writer) {
    writer.Send(Response{.body = "one"});
    second_accepted = writer.Send(Response{.body = "two"});
  });
  auto server = StartServer(handler);
  auto client = MakeClient(*server);

  auto first = client->Send(Request{});
  auto next = client->Send(Request{});

  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->body, "one");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->body, "one");
  EXPECT_FALSE(second_accepted);
}

TEST(ServerTest, PortAlreadyTakenIsAStatus) {
  EchoHandler handler;
  auto first = StartServer(handler);
  Server second(ServerOptions{.port = first->port()}, handler);

  Status status = second.Start();

  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find("in use"), std::string::npos) << status;
}

TEST(ServerTest, BadBindAddressIsInvalidArgument) {
  EchoHandler handler;
  Server server(ServerOptions{.bind_address = "not-an-address"}, handler);

  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
}

TEST(ServerTest, StartTwiceIsFailedPrecondition) {
  EchoHandler handler;
  auto server = StartServer(handler);

  EXPECT_EQ(server->Start().code(), StatusCode::kFailedPrecondition);
}

TEST(ServerTest, StopEndsOpenStreamsAndReturns) {
  StreamHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  std::vector<std::unique_ptr<Stream>> streams;
  std::vector<ResponseWriter> writers;
  for (int i = 0; i < 3; ++i) {
    auto stream = client->Open(Request{.target = "/watch"});
    ASSERT_TRUE(stream.ok()) << stream.error();
    streams.push_back(std::move(stream).value());
    auto writer = handler.writers.Pop();
    ASSERT_TRUE(writer);
    writers.push_back(*writer);
  }
  Notification closed;
  writers[0].OnClosed([&] { closed.Notify(); });
  // A keep-alive connection between requests (HEAD completes at once, even for a stream).
  RawSocket idle(server->port());
  idle.Write("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(idle.ReadUntil("\r\n\r\n").starts_with("HTTP/1.1 200"));

  server->Stop();

  EXPECT_TRUE(closed.Wait());
  for (auto& writer : writers) EXPECT_FALSE(writer.WriteChunk("late\n"));
  for (auto& stream : streams) {
    auto line = stream->ReadLine(kHangGuard);
    ASSERT_TRUE(line.ok()) << line.error();
    EXPECT_EQ(*line, std::nullopt);  // a clean end: the final chunk was sent
  }
  bool eof = false;
  idle.ReadAll(&eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ(server->stats().open_connections, 0u);
}

TEST(ServerTest, StopWaitsForAResponseInProgress) {
  // "/watch" streams; anything else waits for the test to answer.
  Channel<ResponseWriter> streams;
  Channel<ResponseWriter> pending;
  FunctionHandler handler([&](const Request& request, ResponseWriter& writer) {
    if (request.Path() == "/watch") {
      writer.StartStream(200, {});
      streams.Push(writer);
    } else {
      pending.Push(writer);
    }
  });
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto stream_writer = streams.Pop();
  ASSERT_TRUE(stream_writer);
  Notification stopping;  // Stop() ends streams first, so this tells that it has begun
  stream_writer->OnClosed([&] { stopping.Notify(); });
  std::optional<Result<Response>> response;
  std::thread request([&] { response = client->Send(Request{}); });
  auto writer = pending.Pop();
  ASSERT_TRUE(writer);

  std::thread stopper([&] { server->Stop(); });
  ASSERT_TRUE(stopping.Wait());
  bool sent = writer->Send(Response{.body = "made it"});
  stopper.join();
  request.join();

  EXPECT_TRUE(sent);
  ASSERT_TRUE(response && response->ok()) << (response ? response->status() : Status());
  EXPECT_EQ((*response)->body, "made it");
  EXPECT_EQ((*response)->Header("Connection"), "close");
}

TEST(ServerTest, StopClosesConnectionsOfHandlersThatNeverAnswer) {
  Channel<ResponseWriter> pending;
  FunctionHandler handler([&](const Request&, ResponseWriter& writer) { pending.Push(writer); });
  auto server = StartServer(handler, ServerOptions{.stop_grace = std::chrono::milliseconds(10)});
  auto client = MakeClient(*server);
  std::optional<Result<Response>> response;
  std::thread request([&] { response = client->Send(Request{}); });
  auto writer = pending.Pop();
  ASSERT_TRUE(writer);

  server->Stop();
  request.join();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status().code(), StatusCode::kUnavailable) << response->status();
  EXPECT_FALSE(writer->Send(Response{}));
}

TEST(ServerTest, WriterMayOutliveTheServer) {
  StreamHandler handler;
  auto server = StartServer(handler);
  auto client = MakeClient(*server);
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto kept = handler.writers.Pop();
  ASSERT_TRUE(kept);
  ResponseWriter writer = *kept;
  kept.reset();

  server.reset();

  EXPECT_FALSE(writer.WriteChunk("after the server\n"));
  writer.Finish();
}

}  // namespace
}  // namespace devflow::http
