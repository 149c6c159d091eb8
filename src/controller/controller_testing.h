// A fixture for controller tests against the embedded API server over real HTTP, with no pods:
// the test plays the ReplicaSet controller and the kubelet (MakeAvailable writes every
// ReplicaSet's status as all replicas available) and the users, and checks what the controller
// under test writes. Subclasses start their controller in StartControllers (before the informers
// start), or later from a test (the factory starts an informer created after its Start at once).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "apiserver/api_server.h"
#include "apiserver/api_server_testing.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "http/http_testing.h"
#include "kube/api_client.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"

namespace devflow::controller::testing {

inline constexpr char kNs[] = "default";
inline const kube::ResourceRef kReplicaSets{"apps", "v1", "replicasets", "ReplicaSet", true};
inline const kube::ResourceRef kServices{"", "v1", "services", "Service", true};
inline const kube::ResourceRef kEvents{"", "v1", "events", "Event", true};

inline json::Value Json(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) http::testing::DieInSetup(value.error());
  return std::move(value).value();
}

class EmbeddedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apiserver::ApiServerOptions options;
    options.data_dir = dir_.File("data");
    options.listen = "127.0.0.1:0";
    auto server = apiserver::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();
    auto client = apiserver::api_server_testing::ConnectClient(*server_, kNs);
    ASSERT_TRUE(client.ok()) << client.error();
    client_ = std::move(client).value();
    sink_ = kube::NewEventSink(*client_);
    recorder_ = std::make_unique<kube::EventRecorder>(
        *sink_, kube::EventRecorderOptions{.component = "rollouts-controller"});
    informers_ = std::make_unique<kube::InformerFactory>(*client_);
    StartControllers();
    informers_->Start();
  }
  void TearDown() override {
    StopControllers();
    informers_.reset();
    if (recorder_) recorder_->Shutdown();
  }
  virtual void StartControllers() = 0;
  virtual void StopControllers() = 0;

  void Create(const kube::ResourceRef& resource, const std::string& text) {
    auto created = client_->Create(resource, kNs, Json(text));
    ASSERT_TRUE(created.ok()) << created.error();
  }
  json::Value Get(const kube::ResourceRef& resource, const std::string& name) {
    auto got = client_->Get(resource, kNs, name);
    return got.ok() ? *got : json::Value();
  }
  std::vector<json::Value> List(const kube::ResourceRef& resource) {
    auto list = client_->List(resource, kNs);
    return list.ok() ? list->items : std::vector<json::Value>{};
  }
  // Plays the ReplicaSet controller and kubelet: every ReplicaSet's replicas are all available.
  void MakeAvailable() {
    for (const json::Value& rs : List(kReplicaSets)) {
      const json::Value* replicas = rs.Find("spec")->Find("replicas");
      const int64_t want = replicas != nullptr ? replicas->as_int() : 1;
      const json::Value* status = rs.Find("status");
      const json::Value* available = status ? status->Find("availableReplicas") : nullptr;
      if ((available ? available->as_int() : 0) == want && status && status->Find("replicas") &&
          status->Find("replicas")->as_int() == want) {
        continue;
      }
      json::Value updated = rs;
      updated["status"] =
          json::Object{{"replicas", want},
                       {"readyReplicas", want},
                       {"availableReplicas", want},
                       {"observedGeneration", *rs.Find("metadata")->Find("generation")}};
      (void)client_->UpdateStatus(kReplicaSets, kNs, updated);
    }
  }
  // Polls `ready`, playing the ReplicaSet controller meanwhile.
  template <class F>
  bool Until(F ready) {
    return devflow::testing::Eventually(
        [&] {
          MakeAvailable();
          return ready();
        },
        std::chrono::seconds(30));
  }
  bool HasEvent(const std::string& reason) {
    for (const json::Value& event : List(kEvents)) {
      if (json::StringAt(event, {"reason"}) == reason) return true;
    }
    return false;
  }

  apiserver::TempDir dir_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<kube::ApiClient> client_;
  std::unique_ptr<kube::EventSink> sink_;
  std::unique_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<kube::InformerFactory> informers_;
};

}  // namespace devflow::controller::testing
