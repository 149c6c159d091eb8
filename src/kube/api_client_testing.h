// Test support for the REST client's tests: a clock that records waits instead of sleeping, and a
// real http::Server on loopback that records every request and answers from a script.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/json_value.h"
#include "http/http_testing.h"
#include "http/server.h"
#include "kube/client_config.h"
#include "kube/rate_limiter.h"

namespace devflow::kube::testing {

// A ClientClock that stands still unless advanced; SleepFor records the duration and returns at
// once (it does not advance the clock, so every wait in a test is a reservation against the
// same instant unless the test moves time). Thread-safe.
class FakeClientClock final : public ClientClock {
 public:
  std::chrono::steady_clock::time_point Now() override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void SleepFor(std::chrono::nanoseconds duration) override {
    std::lock_guard lock(mu_);
    sleeps_.push_back(duration);
  }
  void Advance(std::chrono::nanoseconds duration) {
    std::lock_guard lock(mu_);
    now_ += duration;
  }
  std::vector<std::chrono::nanoseconds> Sleeps() {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
  std::vector<std::chrono::nanoseconds> sleeps_;
};

// A Kubernetes Status body, as kube-apiserver writes one.
inline std::string StatusBody(int code, const std::string& reason, const std::string& message,
                              const std::string& field = "") {
  json::Object details;
  if (!field.empty()) {
    details.Set("causes", json::Array{json::Object{{"reason", "FieldValueInvalid"},
                                                   {"message", "Invalid value"},
                                                   {"field", field}}});
  }
  json::Object status{{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::Object{}},
                      {"status", "Failure"}, {"message", message}, {"reason", reason}};
  if (!details.empty()) status.Set("details", std::move(details));
  status.Set("code", code);
  return json::Write(status);
}

inline http::Response JsonResponse(int status, std::string body, http::Headers headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return http::Response{.status = status, .headers = std::move(headers), .body = std::move(body)};
}

// A loopback API server that records requests and answers each from the script: the queued
// responses in order, then `fallback` (200 "{}" unless set). A custom handler (SetHandler)
// replaces the queue, for streams.
class ScriptedServer {
 public:
  using Handle = std::function<void(const http::Request&, http::ResponseWriter&)>;

  ScriptedServer()
      : handler_([this](const http::Request& request, http::ResponseWriter& writer) {
          Serve(request, writer);
        }),
        server_(http::testing::StartServer(handler_)) {}

  // Queues `response` for the next unanswered request.
  void Reply(http::Response response) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(response));
  }
  void SetFallback(http::Response response) {
    std::lock_guard lock(mu_);
    fallback_ = std::move(response);
  }
  // Answers every request with `handle` (the queue is ignored while one is set).
  void SetHandler(Handle handle) {
    std::lock_guard lock(mu_);
    handle_ = std::move(handle);
  }

  std::vector<http::Request> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  http::Request LastRequest() {
    std::lock_guard lock(mu_);
    return requests_.empty() ? http::Request{} : requests_.back();
  }

  std::string Url() const { return http::testing::BaseUrl(*server_); }
  http::Server& server() { return *server_; }

  // A config for this server with a bearer token and the default namespace "team-a".
  ClientConfig Config(Credentials credentials = BearerToken{"tok"}) const {
    ClientConfig config;
    auto url = ParseServerUrl(Url(), false);
    if (!url.ok()) http::testing::DieInSetup(url.error());
    config.server = *url;
    config.credentials = std::move(credentials);
    config.namespace_ = "team-a";
    config.origin = "test config";
    return config;
  }

 private:
  void Serve(const http::Request& request, http::ResponseWriter& writer) {
    Handle handle;
    http::Response response;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
      handle = handle_;
      if (!handle) {
        if (queue_.empty()) {
          response = fallback_;
        } else {
          response = std::move(queue_.front());
          queue_.pop_front();
        }
      }
    }
    if (handle) {
      handle(request, writer);
    } else {
      writer.Send(std::move(response));
    }
  }

  std::mutex mu_;
  std::vector<http::Request> requests_;
  std::deque<http::Response> queue_;
  http::Response fallback_ = JsonResponse(200, "{}");
  Handle handle_;
  http::FunctionHandler handler_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace devflow::kube::testing
