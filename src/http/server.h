// An HTTP/1.1 server (optionally over TLS) for devflow's embedded API server.
//
// The server owns a pool of I/O threads. Each connection reads one request at a time, hands it
// to the Handler, writes the response, and then reads the next request (keep-alive). Requests a
// client pipelines are answered in order: the next request is not parsed before the previous
// response is written. A response is either sent whole (ResponseWriter::Send) or streamed with
// chunked transfer-coding (StartStream, WriteChunk..., Finish), as Kubernetes watch responses are.
//
// Threading: Handler::Handle runs on one of the server's threads, never on the caller's, and
// several Handle calls (for different connections) run at once. A ResponseWriter may be copied
// and used from ANY thread, during or after Handle: its calls are serialised per connection and
// bytes go out in the order the calls returned. Handle should return promptly; a watch handler
// keeps a copy of the writer and writes events from its own thread. A Handle that blocks holds
// one of Options::threads threads.
//
// No Boost, Asio or OpenSSL type appears here: they stay in server.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace devflow::http {

// TLS for a Server. PEM text, not file names: the caller reads the files.
struct ServerTlsOptions {
  // The server's certificate followed by any intermediates.
  std::string certificate_chain_pem;
  // The private key of the first certificate (PKCS#8, PKCS#1 or SEC1 PEM).
  std::string private_key_pem;
  // CA certificates that client certificates must chain to. Empty: clients are not asked for a
  // certificate. Set: a client that presents a certificate must present a valid one (else the
  // handshake fails); its subject reaches handlers as Request::client_common_name/organizations.
  std::string client_ca_pem;
  // With client_ca_pem: fail the handshake when the client presents no certificate. Off by
  // default, because Kubernetes clients may authenticate with a bearer token instead.
  bool require_client_certificate = false;

  friend bool operator==(const ServerTlsOptions&, const ServerTlsOptions&) = default;
};

struct ServerOptions {
  // An IP address literal, or "localhost" (127.0.0.1).
  std::string bind_address = "127.0.0.1";
  // 0 picks a free port; Server::port() returns the bound one after Start().
  int port = 0;
  // I/O threads; at least 1.
  int threads = 2;
  // Unset: plain HTTP.
  std::optional<ServerTlsOptions> tls;
  // How long a connection may take to deliver a complete request (from accepting it, or from the
  // end of the previous response) before the server closes it. Not applied while a handler runs
  // or a response streams.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(2);
  // Largest request body accepted; a larger one is answered 413 and the connection closed.
  // Kubernetes' own limit is 3 MiB.
  size_t max_body_bytes = 3 * 1024 * 1024;
  // Largest request line plus headers; larger is answered 431.
  size_t max_header_bytes = 64 * 1024;
  // A stream whose client reads slower than the handler writes: once this many bytes wait to be
  // sent, the connection is closed and WriteChunk returns false (kube-apiserver drops slow
  // watchers too). Whole responses (Send) are not limited.
  size_t max_stream_backlog_bytes = 64 * 1024 * 1024;
  // How long Stop() waits for in-flight responses to complete before closing their connections.
  std::chrono::milliseconds stop_grace = std::chrono::seconds(5);
};

// Counters, for tests and metrics.
struct ServerStats {
  uint64_t accepted_connections = 0;  // since Start()
  uint64_t open_connections = 0;      // now
  friend bool operator==(const ServerStats&, const ServerStats&) = default;
};

// The way a handler answers one request. A cheap handle: copies share one response. Every
// method may be called from any thread at any time; calls that do not fit the response's state
// (a second Send, WriteChunk before StartStream, anything after Finish) do nothing and return
// false.
//
// When the last copy is destroyed with no response started, the server answers 500; with a
// stream open, the stream is finished. So a handler that forgets to answer does not hang the
// connection.
class ResponseWriter {
 public:
  class State;  // defined in server.cc
  explicit ResponseWriter(std::shared_ptr<State> state);

  // Sends `response` whole, with Content-Length. The server sets Content-Length,
  // Transfer-Encoding and Connection itself and drops those fields from `response.headers`
  // (except "Connection: close", which it honours). Returns false if a response was already
  // started or the connection is gone.
  bool Send(Response response);

  // Starts a chunked response with `status` and `headers`. Returns false if a response was already
  // started or the connection is gone.
  bool StartStream(int status, Headers headers);

  // Queues `data` as one chunk after the bytes queued before it. Returns true when queued; false
  // once the client went away, the server stopped, or the client fell more than
  // ServerOptions::max_stream_backlog_bytes behind (the connection is then closed); after a false
  // every call returns false.
  // Empty data is not sent (an empty chunk would end the stream) and returns the same answer.
  // Being queued is not being delivered: a client may vanish with queued chunks unread.
  bool WriteChunk(std::string data);

  // Ends a stream started by StartStream. The connection then serves its next request.
  void Finish();

  // Registers `callback`, called once, on a server thread, when this response can no longer be
  // written: the client disconnected, the connection failed, or Stop() ended the stream. It is
  // not called when the response completes normally (Send, Finish). If that already happened it
  // is called now, on this thread. The callback must not block; it may call this writer.
  void OnClosed(std::function<void()> callback);

 private:
  std::shared_ptr<State> state_;
};

// What the server calls for each request. Implementations must be thread-safe: Handle runs on
// several server threads at once.
class Handler {
 public:
  virtual ~Handler() = default;
  // Answers `request` through `writer` (now or later, from any thread; see ResponseWriter).
  // `request` is valid only during this call. An exception escaping Handle is answered 500.
  virtual void Handle(const Request& request, ResponseWriter& writer) = 0;
};

// A Handler made of a function, for small servers and tests.
class FunctionHandler : public Handler {
 public:
  using Function = std::function<void(const Request&, ResponseWriter&)>;
  explicit FunctionHandler(Function function) : function_(std::move(function)) {}
  void Handle(const Request& request, ResponseWriter& writer) override {
    function_(request, writer);
  }

 private:
  Function function_;
};

// The server. Owns its threads, listener and connections; `handler` is borrowed and must outlive
// the server. Start, Stop and the destructor must not be called concurrently with each other;
// port() and stats() may be called from any thread.
class Server {
 public:
  using Options = ServerOptions;

  Server(Options options, Handler& handler);
  ~Server();  // Stop()s.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Returns:
  //   InvalidArgument     a bad bind address, or TLS material that does not load (the message
  //                       says which and why);
  //   Unavailable         the address cannot be bound (port taken: "Address already in use");
  //   FailedPrecondition  Start() was already called.
  Status Start();

  // Stops: closes the listener, closes idle connections, ends open streams with their final
  // chunk, lets responses in progress complete for up to Options::stop_grace, closes every
  // connection and joins the threads. Handlers still holding a ResponseWriter get false from it.
  // Idempotent; a no-op before Start().
  void Stop();

  // The bound port; 0 before Start().
  int port() const;
  ServerStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace devflow::http
