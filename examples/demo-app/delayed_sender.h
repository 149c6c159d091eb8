// DelayedSender: sends HTTP responses at a later time from its own thread, so that
// --latency-ms delays answers without holding one of the server's few I/O threads per request
// (at 50 requests a second per open page, sleeping handlers would queue behind each other).
//
// Thread-safety: SendAt may be called from any thread. The destructor sends every response
// still waiting, at once, then joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "http/message.h"
#include "http/server.h"

namespace devflow::demo {

class DelayedSender {
 public:
  using Clock = std::chrono::steady_clock;

  DelayedSender();
  ~DelayedSender();
  DelayedSender(const DelayedSender&) = delete;
  DelayedSender& operator=(const DelayedSender&) = delete;

  // Sends `response` through `writer` at `when` (at once if `when` has passed), then calls
  // `after_send` (may be empty) on the sender's thread. Responses due at the same time go out in
  // the order they were given.
  void SendAt(Clock::time_point when, http::ResponseWriter writer, http::Response response,
              std::function<void()> after_send);

 private:
  struct Pending {
    http::ResponseWriter writer;
    http::Response response;
    std::function<void()> after_send;
  };

  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, Pending> pending_;  // guarded by mu_
  bool stopping_ = false;                              // guarded by mu_
  std::thread thread_;                                 // last: starts after the rest exists
};

}  // namespace devflow::demo
