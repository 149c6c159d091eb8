// Helpers for the RestHandler tests (rest_*_test.cc): a real SqliteStore in a temp dir, a real
// http::Server on loopback serving the handler, a client, and a store wrapper that can inject a
// concurrent write.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "apiserver/forwarding_store_testing.h"
#include "apiserver/resource_catalog.h"
#include "apiserver/rest_handler.h"
#include "apiserver/sqlite_store_testing.h"
#include "apiserver/watch_hub.h"
#include "common/json_reader.h"
#include "common/json_value.h"
#include "http/http_testing.h"

namespace devflow::apiserver::rest_testing {

inline constexpr char kToken[] = "s3cret-token";

// An ObjectStore that forwards to another and, when armed, runs a function right before the
// next Update of a key: a concurrent writer slipping in between a read and its write.
class InterferingStore final : public ForwardingStore {
 public:
  explicit InterferingStore(ObjectStore& inner) : ForwardingStore(inner) {}

  // Runs `write` (which may use the inner store) before the next Update of `key`.
  void BeforeNextUpdate(ObjectKey key, std::function<void(ObjectStore&)> write) {
    std::lock_guard lock(mu_);
    armed_key_ = std::move(key);
    write_ = std::move(write);
  }

  Result<StoredObject> Update(const ObjectKey& key, std::string_view json,
                              const Preconditions& preconditions) override {
    std::function<void(ObjectStore&)> write;
    {
      std::lock_guard lock(mu_);
      if (write_ && armed_key_ == key) write = std::exchange(write_, nullptr);
    }
    if (write) write(inner());
    return ForwardingStore::Update(key, json, preconditions);
  }

 private:
  std::mutex mu_;
  ObjectKey armed_key_;
  std::function<void(ObjectStore&)> write_;
};

inline json::Value ParseOrDie(std::string_view text) {
  Result<json::Value> value = json::Parse(text);
  if (!value.ok()) {
    ADD_FAILURE() << "not JSON: " << value.error() << "\n" << text;
    return json::Value();
  }
  return std::move(value).value();
}

// The value at a dotted path of member names ("metadata.uid"), or null. The reference points
// into `value` (or at a static null): keep `value` alive while using it.
inline const json::Value& At(const json::Value& value, std::string_view path) {
  static const json::Value kNull;
  const json::Value* at = &value;
  while (!path.empty() && at != nullptr) {
    size_t dot = path.find('.');
    at = at->Find(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return at == nullptr ? kNull : *at;
}

inline std::string Str(const json::Value& value, std::string_view path) {
  const json::Value& v = At(value, path);
  return v.is_string() ? v.as_string() : (v.is_null() ? "<absent>" : json::Write(v));
}

// A valid Rollout in `ns` (3 replicas, canary steps setWeight 20 then pause).
inline std::string RolloutJson(const std::string& name, const std::string& ns = "default",
                               const std::string& extra_metadata = "") {
  return R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":")" + name +
         R"(","namespace":")" + ns + "\"" + extra_metadata +
         R"(},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},)"
         R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web",)"
         R"("image":"web:v1"}]}},"strategy":{"canary":{"steps":[{"setWeight":20},{"pause":{}}]}}}})";
}

// A valid ReplicaSet in `ns` with one container "web" and a status.
inline std::string ReplicaSetJson(const std::string& name, const std::string& ns = "default") {
  return R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":")" + name +
         R"(","namespace":")" + ns +
         R"("},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},)"
         R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web",)"
         R"("image":"web:v1"}]}}},"status":{"replicas":7}})";
}

// A Secret with labels (JSON object members, e.g. R"("app":"web")").
inline std::string SecretJson(const std::string& name, const std::string& ns = "default",
                              const std::string& labels = "") {
  return R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
         R"(","namespace":")" + ns + R"(","labels":{)" + labels +
         R"(}},"type":"Opaque","stringData":{"k":"v"}})";
}

// A CustomResourceDefinition of widgets.example.com (kind Widget, namespaced unless
// `cluster`), served at v1, with the status subresource when `status`.
inline std::string WidgetCrdJson(bool cluster = false, bool status = false,
                                 const std::string& plural = "widgets",
                                 const std::string& kind = "Widget") {
  return R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
         R"("metadata":{"name":")" +
         plural + R"(.example.com"},"spec":{"group":"example.com","names":{"plural":")" + plural +
         R"(","singular":")" + plural.substr(0, plural.size() - 1) + R"(","kind":")" + kind +
         R"(","listKind":")" + kind + R"(List"},"scope":")" + (cluster ? "Cluster" : "Namespaced") +
         R"(","versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":)"
         R"({"type":"object","x-kubernetes-preserve-unknown-fields":true}})" +
         (status ? R"(,"subresources":{"status":{}})" : "") + "}]}}";
}

inline std::string WidgetJson(const std::string& name, const std::string& ns = "default",
                              const std::string& spec = R"({"size":1})") {
  return R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":")" + name +
         R"(","namespace":")" + ns + R"("},"spec":)" + spec + "}";
}

// The server under test: store, catalog, watch hub, handler, HTTP server and a client.
class RestFixture : public ::testing::Test {
 protected:
  // The clock starts at 2026-11-23T10:00:00Z and moves only when a test says so.
  static constexpr std::chrono::sys_seconds kStart{std::chrono::seconds(1795428000)};

  explicit RestFixture(int64_t history_window = 10000) : history_window_(history_window) {}

  void SetUp() override {
    sqlite_ = OpenOrDie(dir_.File("store.db"), history_window_);
    store_ = std::make_unique<InterferingStore>(*sqlite_);
    catalog_ = std::make_unique<ResourceCatalog>();
    hub_ = std::make_unique<WatchHub>(*store_, WatchHubOptions{.jitter_default_timeout = false});
    ASSERT_TRUE(EnsureSystemNamespaces(*store_, clock()).ok());
    handler_ = std::make_unique<RestHandler>(
        RestHandlerOptions{.token = kToken,
                           .clock = clock(),
                           .uid_generator = [this] { return "uid-" + std::to_string(++uids_); },
                           .name_suffix_generator =
                               [this] {
                                 std::lock_guard lock(suffix_mu_);
                                 std::string next = suffixes_.empty() ? "xxxxx" : suffixes_.front();
                                 if (!suffixes_.empty()) suffixes_.erase(suffixes_.begin());
                                 return next;
                               },
                           .pod_log_path = pod_log_path_},
        *store_, *catalog_, *hub_);
    server_ = http::testing::StartServer(*handler_);
    client_ = http::testing::MakeClient(*server_);
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    hub_->Stop();
  }

  // Set by a derived fixture's constructor to serve pods/log.
  PodLogPath pod_log_path_;

  Clock clock() {
    return [this] {
      return std::chrono::system_clock::time_point(kStart + std::chrono::seconds(seconds_.load()));
    };
  }
  void Advance(std::chrono::seconds by) { seconds_ += by.count(); }
  void QueueNameSuffixes(std::vector<std::string> suffixes) {
    std::lock_guard lock(suffix_mu_);
    suffixes_ = std::move(suffixes);
  }

  // Sends a request with the test token (unless `token` says otherwise).
  http::Response Send(std::string method, std::string target, std::string body = "",
                      std::string content_type = "application/json", http::Headers headers = {},
                      std::string token = kToken) {
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.headers = std::move(headers);
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) request.headers.emplace_back("Content-Type", content_type);
    request.body = std::move(body);
    Result<http::Response> response = client_->Send(request);
    if (!response.ok()) {
      ADD_FAILURE() << request.method << " " << request.target << ": " << response.error();
      return http::Response{.status = 0};
    }
    return std::move(response).value();
  }
  http::Response Get(std::string target) { return Send("GET", std::move(target)); }
  http::Response Post(std::string target, std::string body) {
    return Send("POST", std::move(target), std::move(body));
  }
  http::Response Put(std::string target, std::string body) {
    return Send("PUT", std::move(target), std::move(body));
  }
  http::Response Patch(std::string target, std::string body, std::string type) {
    return Send("PATCH", std::move(target), std::move(body), std::move(type));
  }
  http::Response Delete(std::string target, std::string body = "") {
    return Send("DELETE", std::move(target), std::move(body));
  }

  // POSTs `body` to `collection` and returns the created object; fails the test unless 201.
  json::Value MustCreate(const std::string& collection, const std::string& body) {
    http::Response response = Post(collection, body);
    EXPECT_EQ(response.status, 201) << collection << ": " << response.body;
    return ParseOrDie(response.body);
  }

  TempDir dir_;
  int64_t history_window_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<InterferingStore> store_;
  std::unique_ptr<ResourceCatalog> catalog_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<RestHandler> handler_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
  std::atomic<int64_t> seconds_{0};
  std::atomic<int> uids_{0};
  std::mutex suffix_mu_;
  std::vector<std::string> suffixes_;
};

}  // namespace devflow::apiserver::rest_testing
