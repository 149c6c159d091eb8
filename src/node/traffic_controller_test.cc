// TrafficController against the in-process embedded API server, with a ProxyManager that records
// what it is asked to apply (the HAProxy manager has its own tests; the lead's end-to-end test
// runs both together).
#include "node/traffic_controller.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apiserver/api_server.h"
#include "apiserver/api_server_testing.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "kube/api_client.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/typed_client.h"
#include "node/host_ports.h"

namespace devflow::node {
namespace {

using devflow::testing::Eventually;

// Records every Apply. Listeners on a "taken" port are reported as problems, as the real
// manager reports a port another program holds; FailNextApply makes Apply fail.
class RecordingProxyManager final : public ProxyManager {
 public:
  Result<std::vector<ListenerProblem>> Apply(const ProxyState& desired) override {
    std::lock_guard lock(mu_);
    applied_.push_back(desired);
    if (failures_left_ > 0) {
      --failures_left_;
      return InternalError("injected: HAProxy refused the change");
    }
    std::vector<ListenerProblem> problems;
    for (const ProxyListener& listener : desired.listeners) {
      if (taken_.contains(listener.port)) {
        problems.push_back(ListenerProblem{
            listener.name, listener.bind_address + ":" + std::to_string(listener.port) +
                               " is already in use by another program"});
      }
    }
    return problems;
  }
  std::string MetricsUrl() const override { return "http://127.0.0.1:1/metrics"; }
  int ReloadCount() const override { return 0; }
  int RestartCount() const override { return 0; }
  bool RoutesTo(const std::string&) const override { return false; }
  std::string BackendName(const std::string& proxy_backend) const override { return proxy_backend; }
  void Shutdown(bool) override {}

  void Take(int port) {
    std::lock_guard lock(mu_);
    taken_.insert(port);
  }
  void Free(int port) {
    std::lock_guard lock(mu_);
    taken_.erase(port);
  }
  void FailNextApply() {
    std::lock_guard lock(mu_);
    ++failures_left_;
  }
  size_t Count() {
    std::lock_guard lock(mu_);
    return applied_.size();
  }
  ProxyState Last() {
    std::lock_guard lock(mu_);
    return applied_.empty() ? ProxyState{} : applied_.back();
  }

 private:
  std::mutex mu_;
  std::vector<ProxyState> applied_;
  std::set<int> taken_;
  int failures_left_ = 0;
};

json::Value Json(const std::string& text) {
  auto value = json::Parse(text);
  if (!value.ok()) {
    ADD_FAILURE() << value.error() << "\n" << text;
    return nullptr;
  }
  return std::move(value).value();
}

// Copies, as the state they come from is usually a temporary.
std::optional<ProxyListener> FindListener(const ProxyState& state, const std::string& name) {
  for (const ProxyListener& listener : state.listeners) {
    if (listener.name == name) return listener;
  }
  return std::nullopt;
}

std::optional<ProxyBackend> FindBackend(const ProxyState& state, const std::string& name) {
  for (const ProxyBackend& backend : state.backends) {
    if (backend.name == name) return backend;
  }
  return std::nullopt;
}

class TrafficControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apiserver::ApiServerOptions options;
    options.data_dir = dir_.File("data");
    options.listen = "127.0.0.1:0";
    auto server = apiserver::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();
    auto client = apiserver::api_server_testing::ConnectClient(*server_, "default");
    ASSERT_TRUE(client.ok()) << client.error();
    client_ = std::move(client).value();
    informers_ = std::make_unique<kube::InformerFactory>(*client_);
    sink_ = kube::NewEventSink(*client_);
    events_ = std::make_unique<kube::EventRecorder>(
        *sink_, kube::EventRecorderOptions{.component = "devflow-traffic"});
  }

  void TearDown() override {
    if (controller_ != nullptr) controller_->Stop();
    if (informers_ != nullptr) informers_->Stop();
    if (events_ != nullptr) events_->Shutdown();
  }

  void StartController(TrafficControllerOptions options = {}) {
    controller_ = std::make_unique<TrafficController>(*client_, *informers_, proxy_, *events_,
                                                      std::move(options));
    controller_->Start();
    informers_->Start();
  }

  void Create(const kube::ResourceRef& resource, const std::string& text) {
    auto created = client_->Create(resource, "default", Json(text));
    ASSERT_TRUE(created.ok()) << created.error() << "\n" << text;
  }

  // A Service selecting app=<app>, port 80 to the container port named "http".
  void CreateService(const std::string& name, const std::string& cluster_ip,
                     const std::string& type = "ClusterIP", const std::string& app = "web") {
    Create(services_, R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name +
                          R"("},"spec":{"type":")" + type + R"(","clusterIP":")" + cluster_ip +
                          R"(","selector":{"app":")" + app +
                          R"("},"ports":[{"port":80,"targetPort":"http"}]}})");
  }

  // A pod of app=<app> whose container port 8080 ("http") runs at `host_port`, Ready as asked.
  void CreatePod(const std::string& name, int host_port, bool ready,
                 const std::string& app = "web") {
    Create(pods_, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
                      R"(","labels":{"app":")" + app + R"(","pod-template-hash":"h1"},)" +
                      R"("annotations":{")" + std::string(kHostPortsAnnotation) + R"(":"8080=)" +
                      std::to_string(host_port) +
                      R"("}},"spec":{"containers":[{"name":"web","image":"web:1",)"
                      R"("ports":[{"name":"http","containerPort":8080}]}]}})");
    SetReady(name, ready);
  }

  void SetReady(const std::string& name, bool ready) {
    kube::TypedClient<api::Pod> pods(*client_);
    auto pod = pods.Get("default", name);
    ASSERT_TRUE(pod.ok()) << pod.error();
    api::PodCondition condition;
    condition.type = "Ready";
    condition.status = ready ? "True" : "False";
    pod->status.phase = "Running";
    pod->status.conditions = {condition};
    auto updated = pods.UpdateStatus("default", *pod);
    ASSERT_TRUE(updated.ok()) << updated.error();
  }

  // The stored object's JSON, or null.
  json::Value Read(const kube::ResourceRef& resource, const std::string& name) {
    auto object = client_->Get(resource, "default", name);
    return object.ok() ? *object : json::Value();
  }

  // "type=status/reason" of the Service's Programmed condition; "" when absent.
  std::string ServiceProgrammed(const std::string& name) {
    json::Value service = Read(services_, name);
    const json::Value* conditions =
        service.Find("status") == nullptr ? nullptr : service.Find("status")->Find("conditions");
    if (conditions == nullptr || !conditions->is_array()) return "";
    for (const json::Value& c : conditions->as_array()) {
      if (json::StringAt(c, {"type"}) == "Programmed") {
        return json::StringAt(c, {"status"}) + "/" + json::StringAt(c, {"reason"});
      }
    }
    return "";
  }

  bool HasEvent(const std::string& object, const std::string& reason) {
    auto events = client_->List(events_resource_, "default");
    if (!events.ok()) return false;
    for (const json::Value& event : events->items) {
      if (json::StringAt(event, {"involvedObject", "name"}) == object &&
          json::StringAt(event, {"reason"}) == reason &&
          json::StringAt(event, {"type"}) == "Warning") {
        return true;
      }
    }
    return false;
  }

  const kube::ResourceRef services_ = kube::ResourceOf<api::Service>();
  const kube::ResourceRef pods_ = kube::ResourceOf<api::Pod>();
  const kube::ResourceRef gateways_ = kube::ResourceOf<api::Gateway>();
  const kube::ResourceRef routes_ = kube::ResourceOf<api::HTTPRoute>();
  const kube::ResourceRef events_resource_ = kube::ResourceOf<api::Event>();

  apiserver::TempDir dir_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<kube::ApiClient> client_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<kube::EventSink> sink_;
  std::unique_ptr<kube::EventRecorder> events_;
  RecordingProxyManager proxy_;
  kube::ManualClock manual_clock_;  // for the controllers that ask for it; outlives them
  std::unique_ptr<TrafficController> controller_;
};

TEST_F(TrafficControllerTest, ServicesFollowReadyPods) {
  // Given a Service and two pods, one ready.
  CreateService("web", "127.1.0.10");
  CreatePod("web-a", 41001, true);
  CreatePod("web-b", 41002, false);
  StartController();

  // Then the Service listens at its clusterIP with the ready pod as its endpoint.
  auto endpoints = [&] {
    std::optional<ProxyBackend> backend = FindBackend(proxy_.Last(), "default/web:80");
    std::vector<std::string> names;
    if (!backend.has_value()) return names;
    for (const ProxyEndpoint& e : backend->endpoints) {
      names.push_back(e.name + "@" + std::to_string(e.port) + "#" + e.revision);
    }
    return names;
  };
  ASSERT_TRUE(
      Eventually([&] { return endpoints() == std::vector<std::string>{"web-a@41001#h1"}; }));
  std::optional<ProxyListener> listener = FindListener(proxy_.Last(), "service/default/web:80");
  ASSERT_TRUE(listener.has_value());
  EXPECT_EQ(listener->bind_address, "127.1.0.10");
  EXPECT_EQ(listener->port, 80);
  EXPECT_TRUE(Eventually([&] { return ServiceProgrammed("web") == "True/Programmed"; }));

  // When the second pod becomes ready and the first stops being ready,
  SetReady("web-b", true);
  SetReady("web-a", false);
  // then the endpoints follow.
  EXPECT_TRUE(Eventually([&] { return endpoints() == std::vector<std::string>{"web-b@41002#h1"}; }))
      << ::testing::PrintToString(endpoints());
  EXPECT_TRUE(controller_->LastError().ok()) << controller_->LastError();
}

TEST_F(TrafficControllerTest, GatewayAndHttpRouteProgrammedWithStatus) {
  // Given stable and canary Services, a Gateway and a route splitting 90/10 with a header route.
  CreateService("stable", "127.1.0.11", "ClusterIP", "stable");
  CreateService("canary", "127.1.0.12", "ClusterIP", "canary");
  CreatePod("stable-1", 41011, true, "stable");
  CreatePod("canary-1", 41012, true, "canary");
  Create(gateways_, R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",)"
                    R"("metadata":{"name":"gw"},"spec":{"gatewayClassName":"devflow",)"
                    R"("listeners":[{"name":"http","port":18080,"protocol":"HTTP"}]}})");
  Create(routes_, R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",)"
                  R"("metadata":{"name":"web"},"spec":{"parentRefs":[{"name":"gw"}],"rules":[)"
                  R"({"backendRefs":[{"name":"stable","port":80,"weight":90},)"
                  R"({"name":"canary","port":80,"weight":10}]},)"
                  R"({"matches":[{"headers":[{"name":"X-Canary","value":"yes"}]}],)"
                  R"("backendRefs":[{"name":"canary","port":80}]}]}})");
  StartController();

  // Then the Gateway's listener routes the header first, then by weight.
  auto rules = [&] {
    std::optional<ProxyListener> listener = FindListener(proxy_.Last(), "gateway/default/gw/http");
    return listener.has_value() ? listener->rules : std::vector<RouteRule>{};
  };
  ASSERT_TRUE(Eventually([&] { return rules().size() == 2; }));
  EXPECT_EQ(rules()[0].matches.at(0).headers,
            (std::vector<HeaderCondition>{HeaderCondition{.name = "X-Canary", .value = "yes"}}));
  EXPECT_EQ(rules()[1].backends,
            (std::vector<WeightedBackend>{{"default/stable:80", 90}, {"default/canary:80", 10}}));
  EXPECT_EQ(
      FindListener(proxy_.Last(), "gateway/default/gw/http").value_or(ProxyListener{}).bind_address,
      "127.0.0.1");

  // And the statuses say so.
  EXPECT_TRUE(Eventually([&] {
    json::Value route = Read(routes_, "web");
    const json::Value* parents =
        route.Find("status") ? route.Find("status")->Find("parents") : nullptr;
    if (parents == nullptr || !parents->is_array() || parents->as_array().empty()) return false;
    const json::Value& parent = parents->as_array()[0];
    const json::Value& accepted = parent.Find("conditions")->as_array()[0];
    return json::StringAt(parent, {"controllerName"}) == kGatewayControllerName &&
           json::StringAt(accepted, {"type"}) == "Accepted" &&
           json::StringAt(accepted, {"status"}) == "True";
  })) << json::Write(Read(routes_, "web"));
  EXPECT_TRUE(Eventually([&] {
    json::Value gateway = Read(gateways_, "gw");
    const json::Value* listeners =
        gateway.Find("status") ? gateway.Find("status")->Find("listeners") : nullptr;
    if (listeners == nullptr || !listeners->is_array() || listeners->as_array().empty()) {
      return false;
    }
    const json::Value* attached = listeners->as_array()[0].Find("attachedRoutes");
    return attached != nullptr && *attached == json::Value(1);
  })) << json::Write(Read(gateways_, "gw"));

  // When the canary step moves the weights, the data plane follows.
  auto patched = client_->Patch(
      routes_, "default", "web", kube::PatchType::kJson,
      Json(R"([{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":50},)"
           R"({"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":50}])"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  EXPECT_TRUE(Eventually([&] {
    return rules().size() == 2 &&
           rules()[1].backends ==
               std::vector<WeightedBackend>{{"default/stable:80", 50}, {"default/canary:80", 50}};
  }));
}

TEST_F(TrafficControllerTest, PortInUseIsAConditionAndAnEventUntilFreed) {
  // Given port 80 is held by another program,
  proxy_.Take(80);
  StartController(TrafficControllerOptions{.retry_interval = std::chrono::milliseconds(20)});
  // when a LoadBalancer Service asks for it,
  CreateService("web", "127.1.0.20", "LoadBalancer");

  // then the Service says so, in its status and in a Warning event, and still gets its address.
  EXPECT_TRUE(Eventually([&] { return ServiceProgrammed("web") == "False/PortInUse"; }));
  EXPECT_TRUE(Eventually([&] { return HasEvent("web", "PortInUse"); }));
  const json::Value service = Read(services_, "web");
  const json::Value* ingress = service.Find("status")->Find("loadBalancer")->Find("ingress");
  ASSERT_TRUE(ingress != nullptr && ingress->is_array()) << json::Write(service);
  EXPECT_EQ(json::StringAt(ingress->as_array().at(0), {"ip"}), "127.0.0.1");

  // When the port is freed, the controller offers the listeners again and the problem clears.
  proxy_.Free(80);
  EXPECT_TRUE(Eventually([&] { return ServiceProgrammed("web") == "True/Programmed"; }));
}

TEST_F(TrafficControllerTest, FailedApplyIsRetried) {
  proxy_.FailNextApply();
  StartController(TrafficControllerOptions{.retry_interval = std::chrono::milliseconds(20)});
  CreateService("web", "127.1.0.30");
  EXPECT_TRUE(Eventually([&] {
    return FindListener(proxy_.Last(), "service/default/web:80").has_value() &&
           controller_->LastError().ok();
  })) << controller_->LastError();
}

TEST_F(TrafficControllerTest, CoalescesBurstsAndAppliesOnlyChanges) {
  kube::ManualClock& clock = manual_clock_;
  StartController(TrafficControllerOptions{.debounce = std::chrono::seconds(1), .clock = &clock});
  // Moves time past each debounce the worker waits out until `done()`. Time moves only here, so
  // changes made between two calls wait for the next call, together.
  auto drive = [&](const std::function<bool()>& done) {
    return Eventually([&] {
      if (done()) return true;
      if (!clock.PendingDeadlines().empty()) clock.Advance(std::chrono::seconds(1));
      return done();
    });
  };
  // Drives until every informer event received so far has been considered.
  auto settle = [&] {
    const int64_t changes = controller_->ChangesForTest();
    return drive([&] { return controller_->ChangesConsideredForTest() >= changes; });
  };
  ASSERT_TRUE(drive([&] { return controller_->RecomputeCountForTest() > 0; }));
  ASSERT_TRUE(settle());
  const size_t applies = proxy_.Count();
  ASSERT_EQ(applies, 1u);

  // A burst of five Services, each seen by the controller before time moves again,
  int64_t changes = controller_->ChangesForTest();
  for (int i = 0; i < 5; ++i) {
    CreateService("svc-" + std::to_string(i), "127.1.0." + std::to_string(40 + i));
  }
  ASSERT_TRUE(Eventually([&] { return controller_->ChangesForTest() >= changes + 5; }));
  const int64_t recomputes = controller_->RecomputeCountForTest();
  // is applied at once, by one recomputation.
  ASSERT_TRUE(drive([&] { return controller_->RecomputeCountForTest() > recomputes; }));
  EXPECT_EQ(proxy_.Count(), applies + 1);
  EXPECT_EQ(proxy_.Last().listeners.size(), 5u);
  // Its five status writes come back as changes; they alter nothing in the data plane.
  ASSERT_TRUE(Eventually([&] { return controller_->ChangesForTest() >= changes + 10; }));
  ASSERT_TRUE(settle());
  EXPECT_EQ(proxy_.Count(), applies + 1);

  // A change that does not alter the data plane (a label) is considered but not applied.
  changes = controller_->ChangesForTest();
  auto patched = client_->Patch(services_, "default", "svc-0", kube::PatchType::kMerge,
                                Json(R"({"metadata":{"labels":{"team":"a"}}})"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(Eventually([&] { return controller_->ChangesForTest() > changes; }));
  ASSERT_TRUE(settle());
  EXPECT_EQ(proxy_.Count(), applies + 1);

  // One that does (a port) is.
  changes = controller_->ChangesForTest();
  patched = client_->Patch(services_, "default", "svc-0", kube::PatchType::kMerge,
                           Json(R"({"spec":{"ports":[{"port":81,"targetPort":"http"}]}})"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(
      drive([&] { return FindListener(proxy_.Last(), "service/default/svc-0:81").has_value(); }));
  EXPECT_EQ(proxy_.Count(), applies + 2);
}

}  // namespace
}  // namespace devflow::node
