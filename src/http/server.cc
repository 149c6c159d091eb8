#include "http/server.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "http/wire.h"

namespace devflow::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using ErrorCode = boost::system::error_code;

// While a response is pending the connection keeps reading, to notice a client that goes away;
// bytes of pipelined requests are kept for later, up to this much.
constexpr size_t kMaxPipelinedBytes = 64 * 1024;
// The longest a closing connection waits for the client to stop sending (see GracefulClose).
constexpr std::chrono::seconds kMaxLinger(5);
constexpr std::chrono::milliseconds kAcceptRetry(50);

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  const asio::ip::address& address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

std::string StatusLine(int status) {
  std::string_view reason = View(bhttp::obsolete_reason(bhttp::int_to_status(status)));
  if (reason.starts_with("<")) reason = "";  // Beast's "<unknown-status>"
  std::string line = "HTTP/1.1 " + std::to_string(status) + " ";
  line += reason;
  line += "\r\n";
  return line;
}

bool HasNoBody(int status) { return status / 100 == 1 || status == 204 || status == 304; }

std::string SerializeResponse(const Response& response, bool head, bool close) {
  int status = response.status >= 100 && response.status <= 999 ? response.status : 500;
  std::string out = StatusLine(status);
  wire::AppendFields(out, response.headers, {"Content-Length", "Transfer-Encoding", "Connection"});
  bool no_body = HasNoBody(status);
  if (!no_body) out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head && !no_body) out += response.body;
  return out;
}

std::string SerializeStreamHead(int status, const Headers& headers, bool chunked, bool close) {
  std::string out = StatusLine(status >= 100 && status <= 999 ? status : 500);
  wire::AppendFields(out, headers, {"Content-Length", "Transfer-Encoding", "Connection"});
  if (chunked) out += "Transfer-Encoding: chunked\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

std::string ChunkFrame(std::string_view data) {
  char size[20];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out;
  out.reserve(n + data.size() + 2);
  out.append(size, n);
  out += data;
  out += "\r\n";
  return out;
}

Response PlainResponse(int status, std::string text) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n"};
}

// The subject's common name and organizations of the verified client certificate, if any.
void ReadClientIdentity(SSL* ssl, Request& request) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    X509_NAME* subject = X509_get_subject_name(cert);
    for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
      // Only the last CN counts, as Go's pkix.Name does.
      unsigned char* utf8 = nullptr;
      int len =
          ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
      if (len >= 0) request.client_common_name.assign(reinterpret_cast<char*>(utf8), len);
      OPENSSL_free(utf8);
    }
    for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_organizationName, i)) >= 0;) {
      unsigned char* utf8 = nullptr;
      int len =
          ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
      if (len >= 0) request.client_organizations.emplace_back(reinterpret_cast<char*>(utf8), len);
      OPENSSL_free(utf8);
    }
  }
  X509_free(cert);
}

class ConnectionBase;

// What the Server and its connections share. Connections hold it by shared_ptr so that the
// io_context outlives every socket, timer and strand made on it (Asio requires that), even when a
// handler keeps a ResponseWriter after the Server is gone.
struct ServerCore {
  ServerCore(ServerOptions options, Handler& handler)
      : options(std::move(options)), handler(handler) {}

  asio::io_context ioc;
  const ServerOptions options;
  Handler& handler;
  std::unique_ptr<asio::ssl::context> ssl;  // null for plain HTTP

  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;  // signalled when a connection closes
  // Guarded by mu.
  uint64_t next_id = 0;
  uint64_t accepted = 0;
  std::map<uint64_t, std::weak_ptr<ConnectionBase>> connections;

  void Forget(uint64_t id) {
    std::lock_guard lock(mu);
    connections.erase(id);
    cv.notify_all();
  }
};

// One accepted connection. This part holds what ResponseWriter touches from any thread, under
// mu_; the Stream-specific part (Connection<Stream>) does the I/O on strand_.
//
// A response's bytes go through out_pending_: writer calls append under mu_ and schedule one
// DoWrite on the strand, which swaps the pending bytes out and writes them. seq_ numbers the
// requests, so a writer kept from an earlier request cannot write into a later response.
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  ConnectionBase(std::shared_ptr<ServerCore> core, uint64_t id, Strand strand)
      : core_(std::move(core)), id_(id), strand_(std::move(strand)) {}
  virtual ~ConnectionBase() = default;

  virtual void Start() = 0;

  // Called by the Server, from any thread.
  void PostStop() {
    asio::post(strand_, [self = shared_from_this()] { self->StopOnStrand(); });
  }
  void PostClose() {
    asio::post(strand_, [self = shared_from_this()] { self->Close(); });
  }

  // ResponseWriter's operations, from any thread.
  bool Send(uint64_t seq, Response response) {
    std::lock_guard lock(mu_);
    if (closed_ || seq != seq_ || phase_ != Phase::kAwaitingResponse) return false;
    if (wire::EqualsIgnoreCase(response.Header("Connection"), "close") || core_->stopping) {
      keep_alive_ = false;
    }
    on_closed_.clear();
    QueueLocked(SerializeResponse(response, head_, !keep_alive_), /*completes=*/true);
    return true;
  }

  bool StartStream(uint64_t seq, int status, const Headers& headers) {
    std::lock_guard lock(mu_);
    if (closed_ || seq != seq_ || phase_ != Phase::kAwaitingResponse) return false;
    if (peer_eof_) {
      // The client half-closed: nobody will read a stream that only ends when we end it.
      PostClose();
      return false;
    }
    if (!chunked_ || core_->stopping) keep_alive_ = false;
    phase_ = Phase::kStreaming;
    QueueLocked(SerializeStreamHead(status, headers, chunked_, !keep_alive_), /*completes=*/head_);
    return true;
  }

  bool WriteChunk(uint64_t seq, std::string data) {
    std::lock_guard lock(mu_);
    if (closed_ || seq != seq_ || phase_ != Phase::kStreaming) return false;
    if (!data.empty()) QueueLocked(chunked_ ? ChunkFrame(data) : std::move(data), false);
    if (out_pending_.size() > core_->options.max_stream_backlog_bytes) {
      closed_ = true;  // the client is not keeping up
      PostClose();
      return false;
    }
    return true;
  }

  void Finish(uint64_t seq) {
    std::lock_guard lock(mu_);
    if (closed_ || seq != seq_ || phase_ != Phase::kStreaming) return;
    on_closed_.clear();
    QueueLocked(chunked_ ? "0\r\n\r\n" : "", /*completes=*/true);
  }

  void OnClosed(uint64_t seq, std::function<void()> callback) {
    {
      std::lock_guard lock(mu_);
      bool open = phase_ == Phase::kAwaitingResponse || phase_ == Phase::kStreaming;
      if (seq != seq_ || !open) return;  // that response completed normally
      if (!closed_) {
        on_closed_.push_back(std::move(callback));
        return;
      }
    }
    callback();
  }

  // The last ResponseWriter of request `seq` is gone.
  void Abandon(uint64_t seq) {
    std::lock_guard lock(mu_);
    if (closed_ || seq != seq_) return;
    on_closed_.clear();
    if (phase_ == Phase::kAwaitingResponse) {
      keep_alive_ = false;
      QueueLocked(SerializeResponse(PlainResponse(500, "the handler did not respond"), head_, true),
                  true);
    } else if (phase_ == Phase::kStreaming) {
      QueueLocked(chunked_ ? "0\r\n\r\n" : "", true);
    }
  }

 protected:
  enum class Phase {
    kReading,           // reading a request (or closing)
    kAwaitingResponse,  // the handler has the request
    kStreaming,         // a chunked response is open
    kCompleting,        // the last bytes of the response are queued or being written
  };

  // Appends `bytes` to the response and makes sure a write is scheduled. `completes`: these are
  // the response's last bytes. REQUIRES: mu_ held.
  void QueueLocked(std::string bytes, bool completes) {
    out_pending_ += bytes;
    if (completes) {
      phase_ = Phase::kCompleting;
      completes_pending_ = true;
    }
    if (!write_scheduled_) {
      write_scheduled_ = true;
      asio::post(strand_, [self = shared_from_this()] { self->DoWrite(); });
    }
  }

  virtual void DoWrite() = 0;
  virtual void StopOnStrand() = 0;
  virtual void Close() = 0;

  // Runs on_closed_ callbacks taken out under mu_.
  static void RunCallbacks(std::vector<std::function<void()>> callbacks) {
    for (auto& callback : callbacks) callback();
  }

  const std::shared_ptr<ServerCore> core_;  // first: destroyed last
  const uint64_t id_;
  Strand strand_;

  std::mutex mu_;
  // Guarded by mu_.
  bool closed_ = false;  // the socket is closed or closing: writer calls fail
  Phase phase_ = Phase::kReading;
  uint64_t seq_ = 0;
  bool keep_alive_ = true;  // of the current request; cleared when the connection must close
  bool head_ = false;       // the current request is HEAD: no body in the response
  bool chunked_ = true;     // the client speaks HTTP/1.1 (HTTP/1.0 streams end by closing)
  bool peer_eof_ = false;   // the client shut down its sending side
  std::string out_pending_;
  bool completes_pending_ = false;
  bool write_scheduled_ = false;
  std::vector<std::function<void()>> on_closed_;
};

template <class Stream>
class Connection final : public ConnectionBase {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  template <class... StreamArgs>
  Connection(std::shared_ptr<ServerCore> core, uint64_t id, Strand strand, StreamArgs&&... args)
      : ConnectionBase(std::move(core), id, strand),
        stream_(std::forward<StreamArgs>(args)...),
        timer_(strand) {}

  void Start() override {
    asio::dispatch(strand_, [self = Self()] { self->Begin(); });
  }

 private:
  std::shared_ptr<Connection> Self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }

  tcp::socket& Socket() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void Begin() {
    ErrorCode ec;
    tcp::endpoint peer = Socket().remote_endpoint(ec);
    if (ec) {
      Close();
      return;
    }
    remote_ = FormatEndpoint(peer);
    Socket().set_option(tcp::no_delay(true), ec);
    if constexpr (kTls) {
      ArmTimer(core_->options.idle_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = Self()](const ErrorCode& ec) { self->OnHandshake(ec); });
    } else {
      ReadRequest();
    }
  }

  void OnHandshake(const ErrorCode& ec) {
    if (ec) {
      Close();
      return;
    }
    if constexpr (kTls) {
      Request identity;
      ReadClientIdentity(stream_.native_handle(), identity);
      client_common_name_ = std::move(identity.client_common_name);
      client_organizations_ = std::move(identity.client_organizations);
    }
    ReadRequest();
  }

  void ReadRequest() {
    if (socket_closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_->options.max_header_bytes));
    parser_->body_limit(core_->options.max_body_bytes);
    ArmTimer(core_->options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](const ErrorCode& ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(const ErrorCode& ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    if (wire::EqualsIgnoreCase(View(parser_->get()[bhttp::field::expect]), "100-continue") &&
        !parser_->is_done()) {
      // curl waits for this before sending a large body.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = Self()](const ErrorCode& ec, size_t) {
                          if (ec) {
                            self->Close();
                          } else {
                            self->ReadBody();
                          }
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = Self()](const ErrorCode& ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(const ErrorCode& ec) {
    if (ec == bhttp::error::body_limit) {
      Reject(413,
             "request body exceeds " + std::to_string(core_->options.max_body_bytes) + " bytes");
    } else if (ec == bhttp::error::header_limit) {
      Reject(431, "request header exceeds " + std::to_string(core_->options.max_header_bytes) +
                      " bytes");
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      Reject(400, "malformed request: " + ec.message());
    } else {
      Close();  // the client closed, or the idle timer did
    }
  }

  // Answers `status` before the request was read whole, then closes.
  void Reject(int status, std::string message) {
    std::lock_guard lock(mu_);
    ++seq_;
    keep_alive_ = false;
    head_ = false;
    QueueLocked(SerializeResponse(PlainResponse(status, std::move(message)), false, true), true);
  }

  void OnRequest(const ErrorCode& ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    CancelTimer();
    auto& message = parser_->get();
    Request request;
    request.method = View(message.method_string());
    request.target = View(message.target());
    request.headers.reserve(std::distance(message.begin(), message.end()));
    for (const auto& field : message) {
      request.headers.emplace_back(View(field.name_string()), View(field.value()));
    }
    request.body = std::move(message.body());
    request.remote = remote_;
    request.client_common_name = client_common_name_;
    request.client_organizations = client_organizations_;
    uint64_t seq;
    {
      std::lock_guard lock(mu_);
      seq = ++seq_;
      phase_ = Phase::kAwaitingResponse;
      keep_alive_ = message.keep_alive();
      head_ = message.method() == bhttp::verb::head;
      chunked_ = message.version() >= 11;
      peer_eof_ = false;
    }
    parser_.reset();
    StartBackgroundRead();
    auto state = std::make_shared<ResponseWriter::State>(shared_from_this(), seq);
    // Off the strand, so that a handler that blocks does not stall this connection's writes.
    asio::post(core_->ioc,
               [core = core_, state = std::move(state), request = std::move(request)]() mutable {
                 ResponseWriter writer(std::move(state));
                 try {
                   core->handler.Handle(request, writer);
                 } catch (const std::exception& e) {
                   writer.Send(PlainResponse(500, std::string("internal error: ") + e.what()));
                 } catch (...) {
                   writer.Send(PlainResponse(500, "internal error"));
                 }
               });
  }

  // Keeps one read outstanding while a response is pending or the connection closes: EOF or an
  // error means the client is gone; bytes are a pipelined request (kept) or, when draining,
  // discarded.
  void StartBackgroundRead() {
    if (socket_closed_) return;
    background_read_ = true;
    stream_.async_read_some(buffer_.prepare(4096), [self = Self()](const ErrorCode& ec, size_t n) {
      self->OnBackgroundRead(ec, n);
    });
  }

  void OnBackgroundRead(const ErrorCode& ec, size_t n) {
    background_read_ = false;
    if (socket_closed_) return;
    if (resume_reading_) {
      // The response completed and cancelled this read (see OnWritten); it may have raced with
      // the client's next bytes or its close.
      resume_reading_ = false;
      if (ec && ec != asio::error::operation_aborted) {
        Close();
        return;
      }
      buffer_.commit(n);
      ReadRequest();
      return;
    }
    if (draining_) {
      buffer_.consume(buffer_.size());
      if (ec) {
        Close();
      } else {
        StartBackgroundRead();
      }
      return;
    }
    if (ec) {
      bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      {
        std::lock_guard lock(mu_);
        if (eof && (phase_ == Phase::kAwaitingResponse || phase_ == Phase::kCompleting)) {
          // A half-close: the response can still be delivered; then the connection closes.
          peer_eof_ = true;
          keep_alive_ = false;
          return;
        }
      }
      Close();
      return;
    }
    buffer_.commit(n);
    if (buffer_.size() < kMaxPipelinedBytes) StartBackgroundRead();
  }

  void DoWrite() override {
    if (socket_closed_) return;
    bool completes;
    {
      std::lock_guard lock(mu_);
      writing_.swap(out_pending_);
      out_pending_.clear();
      completes = completes_pending_;
      completes_pending_ = false;
      if (writing_.empty() && !completes) {
        write_scheduled_ = false;
        return;
      }
    }
    asio::async_write(stream_, asio::buffer(writing_),
                      [self = Self(), completes](const ErrorCode& ec, size_t) {
                        self->OnWritten(ec, completes);
                      });
  }

  void OnWritten(const ErrorCode& ec, bool completes) {
    if (ec) {
      Close();
      return;
    }
    if (!completes) {
      DoWrite();
      return;
    }
    bool keep_alive;
    {
      std::lock_guard lock(mu_);
      write_scheduled_ = false;
      phase_ = Phase::kReading;
      keep_alive = keep_alive_ && !closed_;
    }
    if (!keep_alive || core_->stopping) {
      GracefulClose();
    } else if (background_read_) {
      // The next request may already sit in buffer_ (pipelined), so do not wait for more bytes:
      // cancel the read (no write is outstanding now) and parse what is there.
      resume_reading_ = true;
      ErrorCode ignored;
      Socket().cancel(ignored);
    } else {
      ReadRequest();
    }
  }

  // Closing right after writing would make the kernel answer the client's unread bytes (the
  // rest of a rejected body, a pipelined request) with a reset, which can destroy the response
  // before the client reads it. So: stop sending, read and discard until the client closes or a
  // short timer fires, then close.
  void GracefulClose() {
    if (socket_closed_) return;
    if (core_->stopping) {
      Close();  // do not let Stop() wait for clients to hang up
      return;
    }
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    draining_ = true;
    ErrorCode ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    ArmTimer(std::min<std::chrono::milliseconds>(core_->options.idle_timeout, kMaxLinger));
    buffer_.consume(buffer_.size());
    if (!background_read_) StartBackgroundRead();
  }

  void StopOnStrand() override {
    if (socket_closed_) return;
    std::vector<std::function<void()>> callbacks;
    bool close_now = false;
    {
      std::lock_guard lock(mu_);
      keep_alive_ = false;
      if (phase_ == Phase::kStreaming) {
        callbacks.swap(on_closed_);
        QueueLocked(chunked_ ? "0\r\n\r\n" : "", true);
      } else if (phase_ == Phase::kReading) {
        close_now = true;  // idle, or reading a request no handler has seen
      }
      // Otherwise a response is on its way; the connection closes after it.
    }
    if (close_now) Close();
    RunCallbacks(std::move(callbacks));
  }

  void Close() override {
    if (socket_closed_) return;
    socket_closed_ = true;
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      callbacks.swap(on_closed_);
    }
    CancelTimer();
    ErrorCode ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
    core_->Forget(id_);
    RunCallbacks(std::move(callbacks));
  }

  void ArmTimer(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = Self(), generation = ++timer_generation_](const ErrorCode& ec) {
      if (!ec && generation == self->timer_generation_) self->Close();
    });
  }

  void CancelTimer() {
    ++timer_generation_;
    timer_.cancel();
  }

  // Everything below is used on strand_ only.
  Stream stream_;
  asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string writing_;  // the bytes being written
  std::string remote_;
  std::string client_common_name_;
  std::vector<std::string> client_organizations_;
  bool socket_closed_ = false;
  bool background_read_ = false;
  bool resume_reading_ = false;  // read the next request when the background read completes
  bool draining_ = false;
};

using PlainConnection = Connection<tcp::socket>;
using TlsConnection = Connection<asio::ssl::stream<tcp::socket>>;

Result<std::unique_ptr<asio::ssl::context>> MakeServerTlsContext(const ServerTlsOptions& tls) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  ErrorCode ec;
  context->use_certificate_chain(asio::buffer(tls.certificate_chain_pem), ec);
  if (ec) return InvalidArgumentError("TLS certificate chain does not load: " + ec.message());
  context->use_private_key(asio::buffer(tls.private_key_pem), asio::ssl::context::pem, ec);
  if (ec) return InvalidArgumentError("TLS private key does not load: " + ec.message());
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgumentError("TLS private key does not match the certificate");
  }
  if (!tls.client_ca_pem.empty()) {
    context->add_certificate_authority(asio::buffer(tls.client_ca_pem), ec);
    if (ec) return InvalidArgumentError("TLS client CA does not load: " + ec.message());
    // Tell clients which CAs we accept, so that one holding several certificates picks right.
    BIO* bio =
        BIO_new_mem_buf(tls.client_ca_pem.data(), static_cast<int>(tls.client_ca_pem.size()));
    while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      SSL_CTX_add_client_CA(native, ca);
      X509_free(ca);
    }
    BIO_free(bio);
    ERR_clear_error();  // the loop ends on a "no start line" error
    // Needed for session resumption when client certificates are verified.
    static constexpr unsigned char kSessionContext[] = "devflow";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
    auto mode = asio::ssl::verify_peer;
    if (tls.require_client_certificate) mode |= asio::ssl::verify_fail_if_no_peer_cert;
    context->set_verify_mode(mode);
  }
  return context;
}

}  // namespace

// ResponseWriter's shared state: which connection and which request. Destroyed with the last
// copy of the writer.
class ResponseWriter::State {
 public:
  State(std::shared_ptr<ConnectionBase> connection, uint64_t seq)
      : connection(std::move(connection)), seq(seq) {}
  ~State() { connection->Abandon(seq); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  const std::shared_ptr<ConnectionBase> connection;
  const uint64_t seq;
};

ResponseWriter::ResponseWriter(std::shared_ptr<State> state) : state_(std::move(state)) {}

bool ResponseWriter::Send(Response response) {
  return state_->connection->Send(state_->seq, std::move(response));
}

bool ResponseWriter::StartStream(int status, Headers headers) {
  return state_->connection->StartStream(state_->seq, status, headers);
}

bool ResponseWriter::WriteChunk(std::string data) {
  return state_->connection->WriteChunk(state_->seq, std::move(data));
}

void ResponseWriter::Finish() { state_->connection->Finish(state_->seq); }

void ResponseWriter::OnClosed(std::function<void()> callback) {
  state_->connection->OnClosed(state_->seq, std::move(callback));
}

class Server::Impl {
 public:
  Impl(Options options, Handler& handler)
      : core_(std::make_shared<ServerCore>(std::move(options), handler)),
        accept_strand_(asio::make_strand(core_->ioc)),
        accept_retry_(accept_strand_) {}

  ~Impl() { Stop(); }

  Status Start() {
    if (started_) return FailedPreconditionError("the server was already started");
    const Options& options = core_->options;
    std::string bind = options.bind_address == "localhost" ? "127.0.0.1" : options.bind_address;
    ErrorCode ec;
    asio::ip::address address = asio::ip::make_address(bind, ec);
    if (ec) {
      return InvalidArgumentError("bind address \"" + options.bind_address +
                                  "\" is not an IP address");
    }
    if (options.port < 0 || options.port > 65535) {
      return InvalidArgumentError("port " + std::to_string(options.port) + " is out of range");
    }
    if (options.tls) {
      auto context = MakeServerTlsContext(*options.tls);
      if (!context.ok()) return context.error();
      core_->ssl = std::move(context).value();
    }
    tcp::endpoint endpoint(address, static_cast<uint16_t>(options.port));
    std::string where = "listening on " + FormatEndpoint(endpoint);
    tcp::acceptor acceptor(accept_strand_);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return UnavailableError(where + ": " + ec.message());
    port_ = acceptor.local_endpoint().port();
    acceptor_.emplace(std::move(acceptor));
    started_ = true;
    DoAccept();
    work_.emplace(asio::make_work_guard(core_->ioc));
    int threads = std::max(1, options.threads);
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([core = core_] { core->ioc.run(); });
    }
    return Status::Ok();
  }

  void Stop() {
    if (!started_ || stopped_) return;
    stopped_ = true;
    std::vector<std::shared_ptr<ConnectionBase>> live;
    {
      std::lock_guard lock(core_->mu);
      core_->stopping = true;
      for (auto& [id, weak] : core_->connections) {
        if (auto connection = weak.lock()) live.push_back(std::move(connection));
      }
    }
    asio::post(accept_strand_, [this] {
      ErrorCode ignored;
      acceptor_->close(ignored);
      accept_retry_.cancel();
    });
    for (auto& connection : live) connection->PostStop();
    live.clear();
    {
      std::unique_lock lock(core_->mu);
      core_->cv.wait_for(lock, core_->options.stop_grace,
                         [&] { return core_->connections.empty(); });
      for (auto& [id, weak] : core_->connections) {
        if (auto connection = weak.lock()) live.push_back(std::move(connection));
      }
    }
    for (auto& connection : live) connection->PostClose();
    live.clear();
    work_.reset();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  int port() const { return port_; }

  ServerStats stats() const {
    std::lock_guard lock(core_->mu);
    return ServerStats{core_->accepted, core_->connections.size()};
  }

 private:
  void DoAccept() {
    Strand strand = asio::make_strand(core_->ioc);
    acceptor_->async_accept(strand, [this, strand](const ErrorCode& ec, tcp::socket socket) {
      OnAccept(ec, strand, std::move(socket));
    });
  }

  void OnAccept(const ErrorCode& ec, const Strand& strand, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
    if (ec) {
      // Out of file descriptors, most likely: try again shortly instead of spinning.
      accept_retry_.expires_after(kAcceptRetry);
      accept_retry_.async_wait([this](const ErrorCode& ec) {
        if (!ec && acceptor_->is_open()) DoAccept();
      });
      return;
    }
    std::shared_ptr<ConnectionBase> connection;
    {
      std::lock_guard lock(core_->mu);
      if (core_->stopping) return;  // the socket closes as it goes out of scope
      uint64_t id = ++core_->next_id;
      ++core_->accepted;
      if (core_->ssl) {
        connection =
            std::make_shared<TlsConnection>(core_, id, strand, std::move(socket), *core_->ssl);
      } else {
        connection = std::make_shared<PlainConnection>(core_, id, strand, std::move(socket));
      }
      core_->connections.emplace(id, connection);
    }
    connection->Start();
    DoAccept();
  }

  const std::shared_ptr<ServerCore> core_;  // first: destroyed last
  Strand accept_strand_;
  asio::steady_timer accept_retry_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<int> port_{0};
  bool started_ = false;
  bool stopped_ = false;
};

Server::Server(Options options, Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }

void Server::Stop() { impl_->Stop(); }

int Server::port() const { return impl_->port(); }

ServerStats Server::stats() const { return impl_->stats(); }

}  // namespace devflow::http
