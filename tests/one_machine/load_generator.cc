#include "load_generator.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <sstream>

namespace devflow::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Answer {
  int status = 0;
  std::string body;
  bool keep_alive = true;
};

// What one attempt came to. `answer_started` tells whether any byte of an answer arrived, which
// decides whether the request may be sent again (see the header).
struct Attempt {
  std::optional<Answer> answer;
  std::string error;
  bool answer_started = false;
};

std::string ErrnoText(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(left, 0));
}

// Waits for `events` on `fd` until `deadline`; false when it passed first.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd ready{fd, events, 0};
    int n = ::poll(&ready, 1, RemainingMs(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// One client connection, blocking in spirit (every wait is bounded by the request's deadline).
class Connection {
 public:
  Connection() = default;
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool open() const { return fd_ >= 0; }
  bool reused() const { return answers_ > 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    answers_ = 0;
    buffer_.clear();
  }

  // "" on success, else what failed.
  std::string Connect(const std::string& host, int port, Clock::time_point deadline) {
    Close();
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return "bad address " + host;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return ErrnoText("socket", errno);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      if (errno != EINPROGRESS) {
        std::string error = ErrnoText("connect", errno);
        Close();
        return error;
      }
      if (!WaitFor(fd_, POLLOUT, deadline)) {
        Close();
        return "connect: timed out";
      }
      int error = 0;
      socklen_t size = sizeof(error);
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
      if (error != 0) {
        Close();
        return ErrnoText("connect", error);
      }
    }
    return "";
  }

  Attempt Exchange(const std::string& request, Clock::time_point deadline) {
    Attempt attempt;
    size_t written = 0;
    while (written < request.size()) {
      ssize_t n = ::send(fd_, request.data() + written, request.size() - written, MSG_NOSIGNAL);
      if (n > 0) {
        written += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!WaitFor(fd_, POLLOUT, deadline)) return Fail(attempt, "write: timed out");
        continue;
      }
      return Fail(attempt, ErrnoText("write", errno));
    }
    return ReadAnswer(attempt, deadline);
  }

 private:
  Attempt Fail(Attempt& attempt, std::string error) {
    attempt.error = std::move(error);
    Close();
    return attempt;
  }

  // Reads more bytes into buffer_; "" on success, else the error ("closed" at the end of the
  // stream).
  std::string ReadMore(Clock::time_point deadline) {
    char chunk[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        return "";
      }
      if (n == 0) return "closed";
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!WaitFor(fd_, POLLIN, deadline)) return "timed out";
        continue;
      }
      return std::strerror(errno);
    }
  }

  Attempt ReadAnswer(Attempt& attempt, Clock::time_point deadline) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      std::string error = ReadMore(deadline);
      attempt.answer_started = !buffer_.empty();
      if (!error.empty()) {
        return Fail(attempt, std::string(attempt.answer_started ? "reading the answer: "
                                                                : "waiting for the answer: ") +
                                 error);
      }
    }
    attempt.answer_started = true;
    const std::string head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    Answer answer;
    // "HTTP/1.1 200 OK"
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) {
      return Fail(attempt, "malformed status line: " + head.substr(0, head.find('\r')));
    }
    answer.status = std::atoi(head.c_str() + 9);
    const bool http10 = head.compare(0, 8, "HTTP/1.0") == 0;
    answer.keep_alive = !http10;
    std::optional<size_t> content_length;
    bool chunked = false;
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::transform(value.begin(), value.end(), value.begin(), ::tolower);
      if (name == "content-length") content_length = std::stoul(value);
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) {
        chunked = true;
      }
      if (name == "connection") {
        if (value.find("close") != std::string::npos) answer.keep_alive = false;
        if (value.find("keep-alive") != std::string::npos) answer.keep_alive = true;
      }
    }
    std::string error;
    if (answer.status == 204 || answer.status == 304 || answer.status / 100 == 1) {
      // No body.
    } else if (chunked) {
      error = ReadChunked(answer.body, deadline);
    } else if (content_length) {
      while (buffer_.size() < *content_length && error.empty()) error = ReadMore(deadline);
      if (error.empty()) {
        answer.body = buffer_.substr(0, *content_length);
        buffer_.erase(0, *content_length);
      }
    } else {
      // Delimited by the end of the connection.
      while (error.empty()) error = ReadMore(deadline);
      if (error == "closed") error.clear();
      answer.body = std::move(buffer_);
      buffer_.clear();
      answer.keep_alive = false;
    }
    if (!error.empty()) return Fail(attempt, "reading the body: " + error);
    ++answers_;
    if (!answer.keep_alive) Close();
    attempt.answer = std::move(answer);
    return attempt;
  }

  std::string ReadChunked(std::string& body, Clock::time_point deadline) {
    for (;;) {
      size_t line_end;
      while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
        if (std::string error = ReadMore(deadline); !error.empty()) return error;
      }
      const size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
      buffer_.erase(0, line_end + 2);
      if (size == 0) {
        // Trailers (none expected) end with an empty line.
        while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
          if (std::string error = ReadMore(deadline); !error.empty()) return error;
        }
        buffer_.erase(0, line_end + 2);
        return "";
      }
      while (buffer_.size() < size + 2) {
        if (std::string error = ReadMore(deadline); !error.empty()) return error;
      }
      body.append(buffer_, 0, size);
      buffer_.erase(0, size + 2);
    }
  }

  int fd_ = -1;
  int64_t answers_ = 0;  // answers read on this connection
  std::string buffer_;   // bytes read past the last answer
};

std::string RequestText(const LoadOptions& options, bool close) {
  std::string text = "GET " + options.path + " HTTP/1.1\r\nHost: " + options.host + ":" +
                     std::to_string(options.port) + "\r\nUser-Agent: devflow-load-generator\r\n";
  for (const auto& [name, value] : options.headers) text += name + ": " + value + "\r\n";
  if (close) text += "Connection: close\r\n";
  return text + "\r\n";
}

// The colour of a demo app answer: {"color":"blue"}.
std::string ColorOf(const std::string& body) {
  const std::string key = "\"color\":\"";
  size_t at = body.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  size_t end = body.find('"', at);
  return end == std::string::npos ? "" : body.substr(at, end - at);
}

FetchResult ResultOf(const Attempt& attempt) {
  FetchResult result;
  if (!attempt.answer) {
    result.error = attempt.error;
    return result;
  }
  result.status = attempt.answer->status;
  if (result.status / 100 != 2) {
    std::string body = attempt.answer->body.substr(0, 80);
    std::replace(body.begin(), body.end(), '\n', ' ');
    result.error = "status " + std::to_string(result.status) + ": " + body;
    return result;
  }
  result.color = ColorOf(attempt.answer->body);
  if (result.color.empty()) result.error = "no colour in " + attempt.answer->body.substr(0, 80);
  return result;
}

// One request on `connection` (connecting first when it is closed), with the retry of the
// header's rule. Sets `retried` when the request was sent again.
FetchResult Send(Connection& connection, const LoadOptions& options, const std::string& request,
                 bool& retried) {
  retried = false;
  const Clock::time_point deadline = Clock::now() + options.timeout;
  for (int round = 0;; ++round) {
    if (!connection.open()) {
      if (std::string error = connection.Connect(options.host, options.port, deadline);
          !error.empty()) {
        FetchResult result;
        result.error = error;
        return result;
      }
    }
    const bool reused = connection.reused();
    Attempt attempt = connection.Exchange(request, deadline);
    if (!attempt.answer && reused && !attempt.answer_started && round == 0 &&
        attempt.error.find("timed out") == std::string::npos) {
      retried = true;
      continue;
    }
    return ResultOf(attempt);
  }
}

}  // namespace

double LoadCounts::rate() const {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return seconds > 0 ? static_cast<double>(completed()) / seconds : 0;
}

int64_t LoadCounts::Of(const std::string& color) const {
  auto it = colors.find(color);
  return it == colors.end() ? 0 : it->second;
}

LoadCounts LoadCounts::Between(const LoadCounts& earlier, const LoadCounts& later) {
  LoadCounts delta;
  delta.answered = later.answered - earlier.answered;
  delta.failed = later.failed - earlier.failed;
  delta.retried = later.retried - earlier.retried;
  for (const auto& [color, count] : later.colors) {
    if (int64_t n = count - earlier.Of(color); n != 0) delta.colors[color] = n;
  }
  for (const LoadFailure& failure : later.first_failures) {
    if (failure.at > earlier.elapsed) delta.first_failures.push_back(failure);
  }
  delta.elapsed = later.elapsed - earlier.elapsed;
  return delta;
}

std::string LoadCounts::Summary() const {
  std::ostringstream out;
  out << "answered " << answered << " (";
  bool first = true;
  for (const auto& [color, count] : colors) {
    out << (first ? "" : ", ") << color << " " << count;
    first = false;
  }
  out.setf(std::ios::fixed);
  out.precision(1);
  out << "), failed " << failed << ", retried " << retried << ", " << rate() << " req/s over ";
  out.precision(2);
  out << std::chrono::duration<double>(elapsed).count() << " s";
  for (const LoadFailure& failure : first_failures) {
    out << "\n  at " << failure.at.count() << " ms: " << failure.what;
  }
  return out.str();
}

FetchResult FetchOnce(const LoadOptions& options) {
  Connection connection;
  bool retried = false;
  return Send(connection, options, RequestText(options, /*close=*/true), retried);
}

LoadGenerator::LoadGenerator(LoadOptions options) : options_(std::move(options)) {}

LoadGenerator::~LoadGenerator() { Stop(); }

void LoadGenerator::Start() {
  started_ = Clock::now();
  for (int i = 0; i < options_.connections; ++i) threads_.emplace_back([this, i] { Run(i); });
}

void LoadGenerator::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stopped_at_ = Clock::now();
    }
  }
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

LoadCounts LoadGenerator::Counts() const {
  std::lock_guard lock(mu_);
  LoadCounts counts = counts_;
  const Clock::time_point end = stopping_ ? stopped_at_ : Clock::now();
  counts.elapsed = std::chrono::duration_cast<milliseconds>(end - started_);
  return counts;
}

bool LoadGenerator::Done() const {
  std::lock_guard lock(mu_);
  return options_.request_limit > 0 && counts_.completed() >= options_.request_limit;
}

bool LoadGenerator::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void LoadGenerator::Record(const FetchResult& result, bool retried) {
  std::lock_guard lock(mu_);
  if (retried) ++counts_.retried;
  if (result.ok()) {
    ++counts_.answered;
    ++counts_.colors[result.color];
    return;
  }
  ++counts_.failed;
  if (counts_.first_failures.size() < kKeptFailures) {
    counts_.first_failures.push_back(
        {std::chrono::duration_cast<milliseconds>(Clock::now() - started_), result.error});
  }
}

void LoadGenerator::Run(int index) {
  const std::string request = RequestText(options_, /*close=*/false);
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.connections / options_.rate));
  // Threads are staggered over one interval so that requests are spread evenly.
  Clock::time_point next = started_ + interval * index / options_.connections;
  Connection connection;
  for (;;) {
    // Short sleeps keep Stop prompt even at low rates.
    while (Clock::now() < next) {
      if (stopping()) return;
      std::this_thread::sleep_until(std::min(next, Clock::now() + milliseconds(50)));
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      if (options_.request_limit > 0 && tickets_ >= options_.request_limit) return;
      ++tickets_;
    }
    bool retried = false;
    FetchResult result = Send(connection, options_, request, retried);
    Record(result, retried);
    // A backlog beyond a second is dropped rather than sent as one burst: the achieved rate
    // then shows the shortfall.
    next = std::max(next + interval, Clock::now() - std::chrono::seconds(1));
  }
}

}  // namespace devflow::testing
