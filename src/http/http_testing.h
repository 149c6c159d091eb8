// Helpers for the tests of src/http/: synchronisation without sleeps, servers on port 0, and a
// raw TCP socket for what the Client cannot send (pipelined or malformed requests).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/client.h"
#include "http/server.h"

namespace devflow::http::testing {

// Waits that would only be reached by a bug fail the test after this long instead of hanging it.
// It bounds a hang; no assertion depends on how long anything takes.
inline constexpr std::chrono::seconds kHangGuard(30);

// A one-shot event.
class Notification {
 public:
  void Notify() {
    std::lock_guard lock(mu_);
    notified_ = true;
    cv_.notify_all();
  }
  // True once notified; false if kHangGuard passed first.
  bool Wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kHangGuard, [&] { return notified_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
};

// A queue that hands values between threads.
template <class T>
class Channel {
 public:
  void Push(T value) {
    std::lock_guard lock(mu_);
    values_.push_back(std::move(value));
    cv_.notify_all();
  }
  // The oldest value; nullopt if none came within kHangGuard.
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kHangGuard, [&] { return !values_.empty(); })) return std::nullopt;
    T value = std::move(values_.front());
    values_.pop_front();
    return value;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> values_;
};

[[noreturn]] inline void DieInSetup(const Status& status) {
  std::cerr << "test setup failed: " << status << "\n";
  std::abort();
}

// A started server on 127.0.0.1 and a free port.
inline std::unique_ptr<Server> StartServer(Handler& handler, ServerOptions options = {}) {
  auto server = std::make_unique<Server>(std::move(options), handler);
  if (Status status = server->Start(); !status.ok()) DieInSetup(status);
  return server;
}

inline std::string BaseUrl(const Server& server, bool tls = false) {
  return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(server.port());
}

inline std::unique_ptr<Client> MakeClient(ClientOptions options) {
  auto client = Client::Create(std::move(options));
  if (!client.ok()) DieInSetup(client.error());
  return std::move(client).value();
}

inline std::unique_ptr<Client> MakeClient(const Server& server) {
  return MakeClient(ClientOptions{.base_url = BaseUrl(server)});
}

// A blocking TCP connection to 127.0.0.1:port. Reads give up after kHangGuard.
class RawSocket {
 public:
  explicit RawSocket(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval guard{static_cast<time_t>(kHangGuard.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      DieInSetup(UnavailableError("connect to port " + std::to_string(port) + " failed"));
    }
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  void Write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Everything up to and including the first `delimiter` (or until the peer closes).
  std::string ReadUntil(std::string_view delimiter) {
    std::string out;
    char c;
    while (out.find(delimiter) == std::string::npos && ::recv(fd_, &c, 1, 0) == 1) out += c;
    return out;
  }

  // Everything until the peer closes. `*eof` (if given) tells whether the peer closed, as
  // opposed to the read failing or the guard expiring.
  std::string ReadAll(bool* eof = nullptr) {
    std::string out;
    char buffer[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        if (eof) *eof = n == 0;
        return out;
      }
      out.append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
};

// A listening TCP socket on 127.0.0.1 and a free port, to play a misbehaving server.
class RawListener {
 public:
  RawListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      DieInSetup(UnavailableError("cannot listen on 127.0.0.1"));
    }
    port_ = ntohs(address.sin_port);
  }
  ~RawListener() { ::close(fd_); }
  RawListener(const RawListener&) = delete;
  RawListener& operator=(const RawListener&) = delete;

  int port() const { return port_; }

  // Accepts one connection and returns its descriptor (the caller closes it); -1 when none is
  // waiting and `wait` is false.
  int Accept(bool wait = true) {
    pollfd ready{fd_, POLLIN, 0};
    if (!wait && ::poll(&ready, 1, 0) != 1) return -1;
    return ::accept(fd_, nullptr, nullptr);
  }

  // Reads one request head (up to the empty line) from `fd`; false if the peer closed first.
  static bool ReadRequestHead(int fd) {
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos) {
      if (::recv(fd, &c, 1, 0) != 1) return false;
      head += c;
    }
    return true;
  }

  static void WriteAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Counts occurrences of `needle` in `haystack`.
inline int CountOf(std::string_view haystack, std::string_view needle) {
  int count = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

}  // namespace devflow::http::testing
