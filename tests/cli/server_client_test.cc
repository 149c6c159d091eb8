// The Kubernetes client against the embedded API server, end to end over real HTTPS: what a
// controller relies on when the server restarts, crashes, compacts its history or deletes in
// cascade. Leader election and Events run against both servers in tests/lab/conformance_test.cc.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/api_server.h"
#include "common/eventually_testing.h"
#include "common/json_value.h"
#include "kube/api_client.h"
#include "kube/client_config.h"
#include "kube/informer.h"
#include "kube/list_watcher.h"
#include "serve_process.h"

namespace devflow {
namespace {

using devflow::testing::Eventually;

using std::chrono::milliseconds;
using std::chrono::seconds;

const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};
const kube::ResourceRef kReplicaSets{"apps", "v1", "replicasets", "ReplicaSet", true};
const kube::ResourceRef kPods{"", "v1", "pods", "Pod", true};

std::unique_ptr<kube::ApiClient> ClientFromKubeconfig(const std::string& path) {
  kube::LoadOptions options;
  options.kubeconfig_path = path;
  options.env = [](const std::string&) { return std::nullopt; };
  Result<kube::ClientConfig> config = kube::ResolveClientConfig(options);
  EXPECT_TRUE(config.ok()) << config.status();
  Result<std::unique_ptr<kube::ApiClient>> client = kube::ApiClient::Create(*config);
  EXPECT_TRUE(client.ok()) << client.status();
  return std::move(client).value();
}

json::Value LeaseObject(const std::string& name) {
  return json::Object{{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", json::Object{{"name", name}, {"namespace", "default"}}},
                      {"spec", json::Object{{"holderIdentity", name}}}};
}

std::string Uid(const json::Value& object) {
  return object.Find("metadata")->Find("uid")->as_string();
}

json::Value Owned(json::Value object, const json::Value& owner, bool block) {
  json::Object reference{{"apiVersion", owner.Find("apiVersion")->as_string()},
                         {"kind", owner.Find("kind")->as_string()},
                         {"name", owner.Find("metadata")->Find("name")->as_string()},
                         {"uid", Uid(owner)}};
  if (block) reference.Set("blockOwnerDeletion", true);
  object["metadata"].as_object().Set("ownerReferences", json::Array{json::Value(reference)});
  return object;
}

TEST(ServerClientTest, EveryAcknowledgedWriteSurvivesKillNine) {
  testing::ServeProcess server;
  ASSERT_TRUE(server.Start()) << server.log();
  std::vector<std::string> acknowledged;
  std::mutex mutex;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    auto client = ClientFromKubeconfig(server.kubeconfig());
    for (int i = 0; !stop.load(); ++i) {
      const std::string name = "write-" + std::to_string(i);
      if (!client->Create(kLeases, "default", LeaseObject(name)).ok()) break;  // killed
      std::lock_guard<std::mutex> lock(mutex);
      acknowledged.push_back(name);
    }
  });
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return acknowledged.size() >= 100;
  }));
  server.Kill(SIGKILL);  // in the middle of the stream of writes
  stop.store(true);
  writer.join();

  ASSERT_TRUE(server.Start()) << server.log();
  auto client = ClientFromKubeconfig(server.kubeconfig());
  Result<kube::ObjectList> stored = client->ListAll(kLeases, "default");
  ASSERT_TRUE(stored.ok()) << stored.status();
  std::set<std::string> names;
  for (const json::Value& item : stored->items) {
    names.insert(item.Find("metadata")->Find("name")->as_string());
  }
  for (const std::string& name : acknowledged) EXPECT_TRUE(names.count(name)) << name << " lost";
  // At most the one write in flight when the server died may be there unacknowledged.
  EXPECT_LE(names.size(), acknowledged.size() + 1);
}

class InProcessServerTest : public ::testing::Test {
 protected:
  void StartServer(int64_t history_window = 10000) {
    char dir[] = "/tmp/devflow-server-client-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    data_dir_ = dir;
    apiserver::ApiServerOptions options;
    options.data_dir = data_dir_;
    options.listen = "127.0.0.1:0";
    options.history_window = history_window;
    options.bookmark_interval = std::chrono::hours(1);
    Result<std::unique_ptr<apiserver::ApiServer>> server = apiserver::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = ClientFromKubeconfig(server_->kubeconfig_path());
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
  }
  bool Exists(const kube::ResourceRef& resource, const std::string& name) {
    return client_->Get(resource, "default", name).ok();
  }
  std::string data_dir_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<kube::ApiClient> client_;
};

TEST_F(InProcessServerTest, BackgroundCascadeDeletesDependents) {
  StartServer();
  json::Value rollout = json::Object{
      {"apiVersion", "argoproj.io/v1alpha1"},
      {"kind", "Rollout"},
      {"metadata", json::Object{{"name", "web"}, {"namespace", "default"}}},
      {"spec",
       json::Object{
           {"selector", json::Object{{"matchLabels", json::Object{{"app", "web"}}}}},
           {"template",
            json::Object{
                {"metadata", json::Object{{"labels", json::Object{{"app", "web"}}}}},
                {"spec", json::Object{{"containers", json::Array{json::Object{
                                                         {"name", "web"}, {"image", "web:1"}}}}}}}},
           {"strategy", json::Object{{"canary", json::Object{}}}}}}};
  Result<json::Value> owner = client_->Create(kRollouts, "default", rollout);
  ASSERT_TRUE(owner.ok()) << owner.status();
  json::Value rs = json::Object{
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata", json::Object{{"name", "web-1"}, {"namespace", "default"}}},
      {"spec",
       json::Object{{"selector", json::Object{{"matchLabels", json::Object{{"app", "web"}}}}},
                    {"template", *rollout.Find("spec")->Find("template")}}}};
  Result<json::Value> replicaset =
      client_->Create(kReplicaSets, "default", Owned(rs, *owner, true));
  ASSERT_TRUE(replicaset.ok()) << replicaset.status();
  json::Value pod =
      json::Object{{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", json::Object{{"name", "web-1-abcde"}, {"namespace", "default"}}},
                   {"spec", *rollout.Find("spec")->Find("template")->Find("spec")}};
  ASSERT_TRUE(client_->Create(kPods, "default", Owned(pod, *replicaset, true)).ok());

  ASSERT_TRUE(client_->Delete(kRollouts, "default", "web").ok());
  EXPECT_TRUE(Eventually([&] { return !Exists(kReplicaSets, "web-1"); }));
  EXPECT_TRUE(Eventually([&] { return !Exists(kPods, "web-1-abcde"); }));
}

TEST_F(InProcessServerTest, ForegroundDeleteKeepsOwnerUntilDependentsAreGone) {
  StartServer();
  Result<json::Value> owner = client_->Create(kLeases, "default", LeaseObject("owner"));
  ASSERT_TRUE(owner.ok()) << owner.status();
  json::Value dependent = Owned(LeaseObject("dependent"), *owner, true);
  dependent["metadata"].as_object().Set("finalizers", json::Array{json::Value("test/hold")});
  ASSERT_TRUE(client_->Create(kLeases, "default", dependent).ok());

  kube::DeleteRequest foreground;
  foreground.propagation_policy = "Foreground";
  ASSERT_TRUE(client_->Delete(kLeases, "default", "owner", foreground).ok());
  // The dependent is marked but held by its finalizer, so the owner waits, marked too.
  ASSERT_TRUE(Eventually([&] {
    Result<json::Value> d = client_->Get(kLeases, "default", "dependent");
    return d.ok() && d->Find("metadata")->Find("deletionTimestamp") != nullptr;
  }));
  Result<json::Value> waiting = client_->Get(kLeases, "default", "owner");
  ASSERT_TRUE(waiting.ok()) << "the owner went before its blocking dependent";
  EXPECT_NE(waiting->Find("metadata")->Find("deletionTimestamp"), nullptr);

  // Releasing the dependent's finalizer lets both go.
  json::Value release = json::Object{{"metadata", json::Object{{"finalizers", nullptr}}}};
  ASSERT_TRUE(
      client_->Patch(kLeases, "default", "dependent", kube::PatchType::kMerge, release).ok());
  EXPECT_TRUE(Eventually([&] { return !Exists(kLeases, "dependent"); }));
  EXPECT_TRUE(Eventually([&] { return !Exists(kLeases, "owner"); }));
}

TEST_F(InProcessServerTest, InformerConvergesAcrossCompactedHistory) {
  // A history of 5 versions and watches that end every second: an informer that reconnects
  // after foreign writes finds its version compacted (410) and must relist.
  StartServer(/*history_window=*/5);
  for (const char* name : {"a", "b"}) {
    ASSERT_TRUE(client_->Create(kLeases, "default", LeaseObject(name)).ok());
  }
  kube::InformerOptions options;
  options.watch_timeout = seconds(1);
  options.initial_backoff = milliseconds(10);
  kube::Informer informer(kube::NewListerWatcher(*client_, kLeases, "default"), options);
  std::atomic<int> deletes{0};
  informer.AddEventHandler({.on_add = nullptr,
                            .on_update = nullptr,
                            .on_delete = [&](const json::Value&) { deletes.fetch_add(1); }});
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(seconds(30))) << informer.LastError();
  EXPECT_EQ(informer.cache().Size(), 2u);

  for (int round = 0; round < 3; ++round) {
    // Foreign writes (another namespace) push this watch's version out of the history.
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(client_
                      ->Create(kLeases, "kube-system",
                               [&] {
                                 json::Value l = LeaseObject("f" + std::to_string(round) + "-" +
                                                             std::to_string(i));
                                 l["metadata"].as_object().Set("namespace", "kube-system");
                                 return l;
                               }())
                      .ok());
    }
    std::this_thread::sleep_for(milliseconds(1500));  // let a watch end and reconnect
  }
  ASSERT_TRUE(client_->Delete(kLeases, "default", "a").ok());
  ASSERT_TRUE(client_->Create(kLeases, "default", LeaseObject("c")).ok());
  EXPECT_TRUE(Eventually([&] {
    return informer.cache().Size() == 2 && !informer.cache().Get("default/a") &&
           informer.cache().Get("default/c");
  })) << "cache has "
      << informer.cache().Size();
  EXPECT_EQ(deletes.load(), 1);
  informer.Stop();
}

}  // namespace
}  // namespace devflow
