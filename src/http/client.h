// An HTTP/1.1 client (optionally over TLS) for one server, for devflow's Kubernetes client.
//
// A Client talks to the server named by its base URL. It keeps up to
// Options::max_idle_connections connections open between requests and reuses them (keep-alive);
// Send and Open may be called from any number of threads at once, each call using its own
// connection. Responses are whole (Send) or read as they arrive (Open, for watch streams).
//
// Errors are Statuses, chosen by what the caller should do:
//   DeadlineExceeded  a timeout elapsed (connect, request or stream read);
//   Unavailable       the server cannot be reached (refused, reset, name not resolved), the
//                     connection broke, or TLS failed (the message gives OpenSSL's reason, e.g.
//                     "certificate verify failed: unable to get local issuer certificate");
//   InvalidArgument   a request that cannot be sent (a header with CR/LF, a bad target).
// An HTTP error status (404, 409, 500...) is not an error here: it is a Response.
//
// No Boost, Asio or OpenSSL type appears here: they stay in client.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "http/message.h"

namespace devflow::http {

struct ClientOptions {
  // "http://host:port" or "https://host:port", with an optional path prefix that every request
  // target goes under ("https://rancher.example/k8s/clusters/c-1"). IPv6 hosts are bracketed.
  // Without a port: 80 for http, 443 for https.
  std::string base_url;

  // HTTPS only. PEM CA certificates that the server's certificate must chain to; empty uses the
  // system's trust store.
  std::string ca_pem;
  // Do not verify the server's certificate or name (kubeconfig insecure-skip-tls-verify).
  bool insecure_skip_verify = false;
  // The name to verify the server's certificate against and to send as SNI, when it differs from
  // the base URL's host (kubeconfig tls-server-name). An IP address is checked against IP SANs.
  std::string tls_server_name;
  // A client certificate chain and its private key (PEM), both or neither.
  std::string client_certificate_pem;
  std::string client_key_pem;

  // Resolving, connecting and the TLS handshake, per attempt.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // The whole of Send (connecting included), and of Open up to the response headers.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(60);
  // Connections kept open for reuse between requests.
  size_t max_idle_connections = 16;
  // Larger response bodies fail Send with Unavailable (Open is not limited).
  size_t max_response_body_bytes = 1024 * 1024 * 1024;
};

// A streamed response from Client::Open. Owns its connection. Reads must come from one thread at
// a time; Cancel() may be called from any thread. Destroying the stream closes its connection
// unless the response was read to its end, in which case the connection is reused.
// The stream may outlive its Client.
class Stream {
 public:
  class Impl;  // defined in client.cc
  explicit Stream(std::unique_ptr<Impl> impl);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  int status() const;
  const Headers& headers() const;
  // The first value of header `name` (any case), or "".
  std::string_view Header(std::string_view name) const { return HeaderValue(headers(), name); }

  // Returns body bytes that have arrived (at least one), waiting up to `timeout` for some;
  // nullopt at the end of the body, and after Cancel(). Chunk boundaries are not preserved.
  // DeadlineExceeded when nothing arrived in time: the stream stays usable and the next read
  // carries on. Unavailable when the connection broke; every later read fails the same way.
  Result<std::optional<std::string>> ReadSome(std::chrono::milliseconds timeout);

  // Returns the next line of the body without its "\n", waiting up to `timeout` for it; at the end
  // of the body an unterminated last line, then nullopt. Errors as ReadSome; a line that timed out
  // half-read is kept for the next call.
  Result<std::optional<std::string>> ReadLine(std::chrono::milliseconds timeout);

  // Ends the stream from any thread: a read in progress returns nullopt promptly, and so does
  // every later read. REQUIRES: not concurrent with the destructor.
  void Cancel();

 private:
  std::unique_ptr<Impl> impl_;
};

class Client {
 public:
  using Options = ClientOptions;

  // Returns a client, or InvalidArgument for a base URL that does not parse (scheme other than
  // http/https, no host, bad port) or TLS material that does not load.
  static Result<std::unique_ptr<Client>> Create(Options options);

  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` and reads the whole response. `request.target` goes after the base URL's
  // path prefix; Host and Content-Length are set by the client (a Host in `request.headers` is
  // kept). A request that fails on a reused connection before any response byte arrived (the
  // server closed it while idle) is retried once on a new connection. Errors: see the top.
  Result<Response> Send(const Request& request);

  // Sends `request` and returns once the response's status and headers arrived; the body is read
  // from the Stream. Any status is returned as a Stream (read an error's body from it). Errors
  // up to the headers: as Send.
  Result<std::unique_ptr<Stream>> Open(const Request& request);

  const Options& options() const;

 private:
  class Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace devflow::http
