#include "http/client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <limits>
#include <mutex>
#include <vector>

#include "http/wire.h"

namespace devflow::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

constexpr uint32_t kMaxResponseHeaderBytes = 1024 * 1024;
// How long to wait for an operation to finish after its socket was closed (it fails at once).
constexpr std::chrono::seconds kAbortWait(10);

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

// The parts of ClientOptions::base_url.
struct Target {
  bool tls = false;
  std::string host;         // without brackets
  std::string port;         // digits
  std::string path_prefix;  // "" or "/prefix", no '/' at the end
  std::string host_port;    // for messages and the Host header: "host:port", "[::1]:port"
};

Result<Target> ParseBaseUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("base URL \"" + std::string(url) + "\": " + std::string(why));
  };
  Target target;
  std::string_view rest;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad("must start with http:// or https://");
  std::string_view scheme = url.substr(0, scheme_end);
  if (wire::EqualsIgnoreCase(scheme, "https")) {
    target.tls = true;
  } else if (!wire::EqualsIgnoreCase(scheme, "http")) {
    return bad("scheme must be http or https");
  }
  rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#@ ") != std::string_view::npos) {
    return bad("must not have user info, a query, a fragment or spaces");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  target.path_prefix = std::string(path);
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated '[' in the host");
    target.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected characters after the host");
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    target.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (target.host.empty()) return bad("has no host");
  if (port.empty()) {
    target.port = target.tls ? "443" : "80";
  } else {
    bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
      return bad("port must be 1..65535");
    }
    target.port = std::string(port);
  }
  bool v6 = target.host.find(':') != std::string::npos;
  target.host_port = (v6 ? "[" + target.host + "]" : target.host) + ":" + target.port;
  return target;
}

Result<std::unique_ptr<asio::ssl::context>> MakeClientTlsContext(const ClientOptions& options) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
  ErrorCode ec;
  if (options.insecure_skip_verify) {
    context->set_verify_mode(asio::ssl::verify_none);
  } else {
    context->set_verify_mode(asio::ssl::verify_peer);
    if (options.ca_pem.empty()) {
      context->set_default_verify_paths(ec);
      if (ec)
        return InvalidArgumentError("the system's CA certificates do not load: " + ec.message());
    } else {
      context->add_certificate_authority(asio::buffer(options.ca_pem), ec);
      if (ec) return InvalidArgumentError("CA certificates do not load: " + ec.message());
    }
  }
  if (options.client_certificate_pem.empty() != options.client_key_pem.empty()) {
    return InvalidArgumentError("a client certificate and its key must be given together");
  }
  if (!options.client_certificate_pem.empty()) {
    context->use_certificate_chain(asio::buffer(options.client_certificate_pem), ec);
    if (ec) return InvalidArgumentError("client certificate does not load: " + ec.message());
    context->use_private_key(asio::buffer(options.client_key_pem), asio::ssl::context::pem, ec);
    if (ec) return InvalidArgumentError("client key does not load: " + ec.message());
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      return InvalidArgumentError("client key does not match the client certificate");
    }
  }
  return context;
}

bool IsConnectionLoss(const ErrorCode& ec) {
  return ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

struct ClientCore;

// One connection, used by one thread at a time. Every connection has its own io_context, run by
// the thread using it for as long as it waits: that gives blocking calls with deadlines without
// a background thread, and lets Stream::Cancel post to it from elsewhere.
class Connection {
 public:
  Connection() : socket_(ioc_) {}

  // Runs handlers until `done` or `deadline`. False on the deadline, with the operation still
  // pending (a later call may go on waiting for it).
  bool RunUntil(const bool& done, Deadline deadline) {
    while (!done) {
      if (ioc_.stopped()) ioc_.restart();
      Deadline now = Clock::now();
      if (now >= deadline) return false;
      ioc_.run_one_for(deadline - now);
    }
    return true;
  }

  // Closes the socket and waits for the pending operation (which then fails at once).
  void Abort(const bool& done) {
    Close();
    (void)RunUntil(done, Clock::now() + kAbortWait);
  }

  void Close() {
    ErrorCode ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // Runs the handlers that are ready, without waiting.
  void Poll() {
    if (ioc_.stopped()) ioc_.restart();
    ioc_.poll();
  }

  // Closes the socket from another thread: the close runs on the thread that runs ioc_ next.
  void PostClose() {
    asio::post(ioc_, [this] { Close(); });
  }

  Status Connect(const ClientCore& core, Deadline deadline);

  template <class F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(socket_);
    }
  }

  beast::flat_buffer& buffer() { return buffer_; }

 private:
  asio::io_context ioc_;  // first: destroyed last
  tcp::socket socket_;
  std::optional<asio::ssl::stream<tcp::socket&>> tls_;  // over socket_, for https
  beast::flat_buffer buffer_;
};

// What a Client and its Streams share: the options, the TLS context and the idle connections.
struct ClientCore {
  ClientOptions options;
  Target target;
  std::unique_ptr<asio::ssl::context> ssl;  // null for http

  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> idle;  // guarded by mu; most recently used last

  std::unique_ptr<Connection> TakeIdle() {
    std::lock_guard lock(mu);
    if (idle.empty()) return nullptr;
    std::unique_ptr<Connection> connection = std::move(idle.back());
    idle.pop_back();
    return connection;
  }

  void PutIdle(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mu);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(connection));
  }
};

Status Connection::Connect(const ClientCore& core, Deadline deadline) {
  const Target& target = core.target;
  bool done = false;
  ErrorCode ec;
  std::vector<tcp::endpoint> endpoints;
  asio::ip::address address = asio::ip::make_address(target.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, static_cast<uint16_t>(std::stoi(target.port)));
  } else {
    // Asio resolves on a helper thread per io_context; an IP address needs none.
    tcp::resolver resolver(ioc_);
    resolver.async_resolve(target.host, target.port,
                           [&](const ErrorCode& e, tcp::resolver::results_type results) {
                             ec = e;
                             for (const auto& entry : results)
                               endpoints.push_back(entry.endpoint());
                             done = true;
                           });
    if (!RunUntil(done, deadline)) {
      resolver.cancel();
      (void)RunUntil(done, Clock::now() + kAbortWait);
      return DeadlineExceededError("resolving " + target.host + ": timed out");
    }
    if (ec) return UnavailableError("resolving " + target.host + ": " + ec.message());
  }

  done = false;
  asio::async_connect(socket_, endpoints, [&](const ErrorCode& e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!RunUntil(done, deadline)) {
    Abort(done);
    return DeadlineExceededError("connecting to " + target.host_port + ": timed out after " +
                                 Millis(core.options.connect_timeout));
  }
  if (ec) return UnavailableError("connecting to " + target.host_port + ": " + ec.message());
  socket_.set_option(tcp::no_delay(true), ec);
  if (!target.tls) return Status::Ok();

  tls_.emplace(socket_, *core.ssl);
  SSL* ssl = tls_->native_handle();
  const ClientOptions& options = core.options;
  std::string name = options.tls_server_name.empty() ? target.host : options.tls_server_name;
  ErrorCode not_ip;
  asio::ip::make_address(name, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(ssl, name.c_str());  // SNI carries names only
  if (!options.insecure_skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (not_ip) {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    }
  }
  done = false;
  tls_->async_handshake(asio::ssl::stream_base::client, [&](const ErrorCode& e) {
    ec = e;
    done = true;
  });
  if (!RunUntil(done, deadline)) {
    Abort(done);
    return DeadlineExceededError("TLS handshake with " + target.host_port + ": timed out");
  }
  if (ec) {
    long verify = SSL_get_verify_result(ssl);
    std::string reason = verify != X509_V_OK ? std::string("certificate verify failed: ") +
                                                   X509_verify_cert_error_string(verify)
                                             : ec.message();
    return UnavailableError("TLS handshake with " + target.host_port + ": " + reason);
  }
  return Status::Ok();
}

Result<std::string> SerializeRequest(const Target& target, const Request& request) {
  if (!wire::IsFieldName(request.method)) {
    return InvalidArgumentError("invalid request method \"" + request.method + "\"");
  }
  bool target_ok = request.target.starts_with('/') &&
                   std::none_of(request.target.begin(), request.target.end(), [](char c) {
                     return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
                   });
  if (!target_ok) {
    return InvalidArgumentError("invalid request target \"" + request.target +
                                "\": must start with '/' and have no spaces or control characters");
  }
  std::string out = request.method + " " + target.path_prefix + request.target + " HTTP/1.1\r\n";
  if (request.Header("Host").empty()) out += "Host: " + target.host_port + "\r\n";
  std::string dropped =
      wire::AppendFields(out, request.headers, {"Content-Length", "Transfer-Encoding"});
  if (!dropped.empty()) {
    return InvalidArgumentError("request header \"" + dropped + "\" has an invalid name or value");
  }
  bool has_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                  request.method == "PATCH";
  if (has_body) out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  out += "\r\n";
  out += request.body;
  return out;
}

template <class Message>
Headers CopyHeaders(const Message& message) {
  Headers headers;
  for (const auto& field : message) {
    headers.emplace_back(View(field.name_string()), View(field.value()));
  }
  return headers;
}

// How one exchange on a connection failed, beyond its Status.
struct Failure {
  Status status;
  // Nothing of the response arrived and the connection was lost: the server may have closed an
  // idle connection just as we reused it, so sending again on a new one is safe.
  bool retryable = false;
};

// Writes `bytes` and reads a response head (and, with a string_body parser, the body) into
// `parser`. `what` names the request in messages.
template <class Parser>
std::optional<Failure> Exchange(Connection& connection, const std::string& bytes, Parser& parser,
                                bool whole_message, Deadline deadline, const std::string& what,
                                std::chrono::milliseconds timeout) {
  bool done = false;
  ErrorCode ec;
  connection.WithStream([&](auto& stream) {
    asio::async_write(stream, asio::buffer(bytes), [&](const ErrorCode& e, size_t) {
      ec = e;
      done = true;
    });
  });
  if (!connection.RunUntil(done, deadline)) {
    connection.Abort(done);
    return Failure{DeadlineExceededError(what + ": timed out after " + Millis(timeout))};
  }
  if (ec) return Failure{UnavailableError(what + ": sending: " + ec.message()), true};
  // The head first, then the body: Beast 1.74 checks a Content-Length against the body limit
  // only when the head is parsed on its own.
  for (bool body : {false, true}) {
    if (body && (!whole_message || parser.is_done())) break;
    done = false;
    connection.WithStream([&](auto& stream) {
      auto on_read = [&](const ErrorCode& e, size_t) {
        ec = e;
        done = true;
      };
      if (body) {
        bhttp::async_read(stream, connection.buffer(), parser, on_read);
      } else {
        bhttp::async_read_header(stream, connection.buffer(), parser, on_read);
      }
    });
    if (!connection.RunUntil(done, deadline)) {
      connection.Abort(done);
      return Failure{DeadlineExceededError(what + ": timed out after " + Millis(timeout))};
    }
    if (ec) {
      bool retryable = !parser.got_some() && IsConnectionLoss(ec);
      return Failure{UnavailableError(what + ": reading the response: " + ec.message()), retryable};
    }
  }
  return std::nullopt;
}

}  // namespace

class Client::Impl {
 public:
  explicit Impl(std::shared_ptr<ClientCore> core) : core_(std::move(core)) {}

  const ClientOptions& options() const { return core_->options; }

  Result<Response> Send(const Request& request) {
    DEVFLOW_ASSIGN_OR_RETURN(std::string bytes, SerializeRequest(core_->target, request));
    std::string what = Describe(request);
    Deadline deadline = Clock::now() + core_->options.request_timeout;
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> connection = attempt == 0 ? core_->TakeIdle() : nullptr;
      bool reused = connection != nullptr;
      if (!reused) {
        DEVFLOW_ASSIGN_OR_RETURN(connection, Connect(deadline));
      }
      bhttp::response_parser<bhttp::string_body> parser;
      parser.header_limit(kMaxResponseHeaderBytes);
      parser.body_limit(core_->options.max_response_body_bytes);
      if (request.method == "HEAD") parser.skip(true);
      std::optional<Failure> failure = Exchange(*connection, bytes, parser, true, deadline, what,
                                                core_->options.request_timeout);
      if (failure) {
        if (reused && failure->retryable) continue;
        return failure->status;
      }
      auto& message = parser.get();
      Response response{static_cast<int>(message.result_int()), CopyHeaders(message),
                        std::move(message.body())};
      if (message.keep_alive() && !message.need_eof() && connection->buffer().size() == 0) {
        core_->PutIdle(std::move(connection));
      }
      return response;
    }
  }

  Result<std::unique_ptr<Stream>> Open(const Request& request);

 private:
  std::string Describe(const Request& request) const {
    return request.method + " " + (core_->target.tls ? "https://" : "http://") +
           core_->target.host_port + core_->target.path_prefix + request.target;
  }

  Result<std::unique_ptr<Connection>> Connect(Deadline request_deadline) {
    auto connection = std::make_unique<Connection>();
    Deadline deadline = std::min(request_deadline, Clock::now() + core_->options.connect_timeout);
    DEVFLOW_RETURN_IF_ERROR(connection->Connect(*core_, deadline));
    return connection;
  }

  std::shared_ptr<ClientCore> core_;
};

class Stream::Impl {
 public:
  Impl(std::shared_ptr<ClientCore> core, std::string what)
      : core_(std::move(core)), what_(std::move(what)) {
    parser_.header_limit(kMaxResponseHeaderBytes);
    // A watch runs for hours. (Not boost::none: Beast 1.74 then rejects every Content-Length.)
    parser_.body_limit(std::numeric_limits<uint64_t>::max());
  }

  ~Impl() = default;

  int status() const { return status_; }
  const Headers& headers() const { return headers_; }

  // Reads the response head on `connection`; called once by Client::Open.
  std::optional<Failure> Begin(std::unique_ptr<Connection> connection, const std::string& bytes,
                               bool head, Deadline deadline) {
    connection_ = std::move(connection);
    if (head) parser_.skip(true);
    std::optional<Failure> failure = Exchange(*connection_, bytes, parser_, false, deadline, what_,
                                              core_->options.request_timeout);
    if (failure) return failure;
    status_ = static_cast<int>(parser_.get().result_int());
    headers_ = CopyHeaders(parser_.get());
    return std::nullopt;
  }

  Result<std::optional<std::string>> ReadSome(std::chrono::milliseconds timeout) {
    if (Cancelled()) return std::optional<std::string>();
    if (line_start_ < pending_.size()) {
      std::string out = pending_.substr(line_start_);
      pending_.clear();
      line_start_ = 0;
      return std::optional<std::string>(std::move(out));
    }
    return ReadChunk(Clock::now() + timeout, timeout);
  }

  Result<std::optional<std::string>> ReadLine(std::chrono::milliseconds timeout) {
    Deadline deadline = Clock::now() + timeout;
    size_t searched = line_start_;
    for (;;) {
      if (Cancelled()) return std::optional<std::string>();
      size_t newline = pending_.find('\n', searched);
      if (newline != std::string::npos) {
        std::string line = pending_.substr(line_start_, newline - line_start_);
        line_start_ = newline + 1;
        if (line_start_ == pending_.size()) {
          pending_.clear();
          line_start_ = 0;
        } else if (line_start_ > pending_.size() / 2) {
          pending_.erase(0, line_start_);
          line_start_ = 0;
        }
        return std::optional<std::string>(std::move(line));
      }
      searched = pending_.size();
      DEVFLOW_ASSIGN_OR_RETURN(std::optional<std::string> some, ReadChunk(deadline, timeout));
      if (!some) {
        if (line_start_ == pending_.size()) return std::optional<std::string>();
        std::string last = pending_.substr(line_start_);
        pending_.clear();
        line_start_ = 0;
        return std::optional<std::string>(std::move(last));
      }
      pending_ += *some;
    }
  }

  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    if (connection_) connection_->PostClose();
  }

 private:
  // True after Cancel(). Runs the close Cancel() queued, in case no read was under way to run it.
  bool Cancelled() {
    if (!cancelled_) return false;
    if (connection_) connection_->Poll();
    return true;
  }

  // Returns the body bytes of the next read that yields some, or nullopt at the end.
  Result<std::optional<std::string>> ReadChunk(Deadline deadline,
                                               std::chrono::milliseconds timeout) {
    for (;;) {
      if (Cancelled()) return std::optional<std::string>();
      if (failed_) return *failed_;
      if (ended_) return std::optional<std::string>();
      if (!read_pending_) {
        if (parser_.is_done()) {
          End();
          return std::optional<std::string>();
        }
        parser_.get().body().data = chunk_.data();
        parser_.get().body().size = chunk_.size();
        parser_.get().body().more = true;
        read_pending_ = true;
        read_done_ = false;
        connection_->WithStream([&](auto& stream) {
          bhttp::async_read_some(stream, connection_->buffer(), parser_,
                                 [this](const ErrorCode& e, size_t) {
                                   read_ec_ = e;
                                   read_done_ = true;
                                 });
        });
      }
      if (!connection_->RunUntil(read_done_, deadline)) {
        return DeadlineExceededError(what_ + ": no data within " + Millis(timeout));
      }
      read_pending_ = false;
      if (Cancelled()) return std::optional<std::string>();
      if (read_ec_ && read_ec_ != bhttp::error::need_buffer) {
        failed_ = UnavailableError(what_ + ": reading the stream: " + read_ec_.message());
        connection_->Close();
        return *failed_;
      }
      size_t n = chunk_.size() - parser_.get().body().size;
      if (n > 0) return std::optional<std::string>(std::string(chunk_.data(), n));
    }
  }

  // The body was read to its end: the connection can serve another request.
  void End() {
    ended_ = true;
    std::unique_ptr<Connection> connection;
    {
      std::lock_guard lock(mu_);
      // After Cancel a close may be queued on the connection: never reuse it.
      if (cancelled_) return;
      bool reusable = parser_.get().keep_alive() && !parser_.get().need_eof() &&
                      connection_->buffer().size() == 0;
      if (reusable) connection = std::move(connection_);
    }
    if (connection) core_->PutIdle(std::move(connection));
  }

  const std::shared_ptr<ClientCore> core_;
  const std::string what_;
  bhttp::response_parser<bhttp::buffer_body> parser_;
  int status_ = 0;
  Headers headers_;
  std::array<char, 16 * 1024> chunk_;  // the buffer a pending read fills
  bool read_pending_ = false;
  bool read_done_ = false;
  ErrorCode read_ec_;
  bool ended_ = false;
  std::optional<Status> failed_;
  std::string pending_;  // bytes read but not yet returned, from line_start_
  size_t line_start_ = 0;

  std::mutex mu_;  // guards connection_ (moved out by End) against Cancel
  std::unique_ptr<Connection> connection_;
  std::atomic<bool> cancelled_{false};
};

Result<std::unique_ptr<Stream>> Client::Impl::Open(const Request& request) {
  DEVFLOW_ASSIGN_OR_RETURN(std::string bytes, SerializeRequest(core_->target, request));
  Deadline deadline = Clock::now() + core_->options.request_timeout;
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> connection = attempt == 0 ? core_->TakeIdle() : nullptr;
    bool reused = connection != nullptr;
    if (!reused) {
      DEVFLOW_ASSIGN_OR_RETURN(connection, Connect(deadline));
    }
    auto impl = std::make_unique<Stream::Impl>(core_, Describe(request));
    std::optional<Failure> failure =
        impl->Begin(std::move(connection), bytes, request.method == "HEAD", deadline);
    if (failure) {
      if (reused && failure->retryable) continue;
      return failure->status;
    }
    return std::make_unique<Stream>(std::move(impl));
  }
}

Stream::Stream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Stream::~Stream() = default;
int Stream::status() const { return impl_->status(); }
const Headers& Stream::headers() const { return impl_->headers(); }
Result<std::optional<std::string>> Stream::ReadSome(std::chrono::milliseconds timeout) {
  return impl_->ReadSome(timeout);
}
Result<std::optional<std::string>> Stream::ReadLine(std::chrono::milliseconds timeout) {
  return impl_->ReadLine(timeout);
}
void Stream::Cancel() { impl_->Cancel(); }

Result<std::unique_ptr<Client>> Client::Create(Options options) {
  auto core = std::make_shared<ClientCore>();
  DEVFLOW_ASSIGN_OR_RETURN(core->target, ParseBaseUrl(options.base_url));
  if (core->target.tls) {
    DEVFLOW_ASSIGN_OR_RETURN(core->ssl, MakeClientTlsContext(options));
  }
  core->options = std::move(options);
  return std::unique_ptr<Client>(new Client(std::make_unique<Impl>(std::move(core))));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;
Result<Response> Client::Send(const Request& request) { return impl_->Send(request); }
Result<std::unique_ptr<Stream>> Client::Open(const Request& request) {
  return impl_->Open(request);
}
const ClientOptions& Client::options() const { return impl_->options(); }

}  // namespace devflow::http
