// RolloutController against the embedded API server over real HTTP, with no pods: the test plays
// the ReplicaSet controller and the kubelet by writing each ReplicaSet's status (all its replicas
// available), and the user by patching the Rollout as `devflow set image` and `promote` do. It
// checks what the controller writes: ReplicaSets, Service selectors, the Rollout's status and
// events. The release's rules themselves are tested in core/blue_green_plan_test.cc.
#include "controller/rollout_controller.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "controller/controller_testing.h"

namespace devflow::controller {
namespace {

using namespace testing;  // NOLINT: the fixture's names
using devflow::testing::Eventually;
using std::chrono::seconds;

const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};
const kube::ResourceRef kPods{"", "v1", "pods", "Pod", true};

class RolloutControllerTest : public EmbeddedServerTest {
 protected:
  void StartControllers() override {
    controller_ = RolloutController::Start(
        *client_, *informers_, RolloutControllerOptions{.workers = 2, .recorder = recorder_.get()});
  }
  void StopControllers() override { controller_.reset(); }

  std::string RolloutAt(std::initializer_list<std::string_view> path) {
    return json::StringAt(Get(kRollouts, "web"), path);
  }
  std::string Selects(const std::string& service) {
    return json::StringAt(Get(kServices, service),
                          {"spec", "selector", "rollouts-pod-template-hash"});
  }
  // As `devflow promote` writes: a merge patch of the status subresource (no resourceVersion,
  // so a controller's write in between cannot make it fail).
  void PatchStatus(const std::string& patch) {
    auto patched =
        client_->Patch(kRollouts, kNs, "web", kube::PatchType::kMerge, Json(patch), "status");
    ASSERT_TRUE(patched.ok()) << patched.error();
  }

  std::unique_ptr<RolloutController> controller_;
};

constexpr char kBlueGreen[] = R"({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "web"},
  "spec": {
    "replicas": 2,
    "selector": {"matchLabels": {"app": "web"}},
    "template": {"metadata": {"labels": {"app": "web"}},
                 "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}},
    "strategy": {"blueGreen": {"activeService": "active", "previewService": "preview",
                               "autoPromotionEnabled": false}}
  }})";

std::string Service(const std::string& name) {
  return R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": ")" + name +
         R"("}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})";
}

TEST_F(RolloutControllerTest, GivenABlueGreenRolloutThenItsReleaseRunsThroughTheApi) {
  Create(kServices, Service("active"));
  Create(kServices, Service("preview"));
  Create(kRollouts, kBlueGreen);

  ASSERT_TRUE(Until([&] {
    return RolloutAt({"status", "phase"}) == "Healthy";
  })) << json::WritePretty(Get(kRollouts, "web"))
      << controller_->LastError();
  ASSERT_EQ(List(kReplicaSets).size(), 1u);
  const json::Value blue_rs = List(kReplicaSets)[0];
  const std::string blue =
      json::StringAt(blue_rs, {"metadata", "labels", "rollouts-pod-template-hash"});
  EXPECT_EQ(json::StringAt(blue_rs, {"metadata", "name"}), "web-" + blue);
  const json::Value& owner = blue_rs.Find("metadata")->Find("ownerReferences")->as_array()[0];
  EXPECT_EQ(json::StringAt(owner, {"kind"}), "Rollout");
  EXPECT_EQ(json::StringAt(owner, {"name"}), "web");
  EXPECT_EQ(json::StringAt(blue_rs, {"metadata", "annotations", "rollout.argoproj.io/revision"}),
            "1");
  EXPECT_EQ(Selects("active"), blue);
  EXPECT_EQ(Selects("preview"), blue);
  EXPECT_EQ(
      json::StringAt(Get(kServices, "active"),
                     {"metadata", "annotations", "argo-rollouts.argoproj.io/managed-by-rollouts"}),
      "web");
  EXPECT_EQ(RolloutAt({"status", "stableRS"}), blue);
  EXPECT_EQ(RolloutAt({"status", "observedGeneration"}), "1");
  EXPECT_EQ(RolloutAt({"metadata", "annotations", "rollout.argoproj.io/revision"}), "1");

  // `devflow set image`: a new ReplicaSet, the preview follows it, the rollout pauses.
  auto patched =
      client_->Patch(kRollouts, kNs, "web", kube::PatchType::kJson,
                     Json(R"([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                "value": "demo:green"}])"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(Until([&] {
    return RolloutAt({"status", "phase"}) == "Paused";
  })) << json::WritePretty(Get(kRollouts, "web"))
      << controller_->LastError();
  const std::string green = RolloutAt({"status", "currentPodHash"});
  EXPECT_NE(green, blue);
  EXPECT_EQ(Selects("preview"), green);
  EXPECT_EQ(Selects("active"), blue);
  EXPECT_EQ(RolloutAt({"status", "message"}), "BlueGreenPause");

  // `devflow promote`: pauseConditions cleared through the status subresource.
  PatchStatus(R"({"status": {"pauseConditions": null}})");
  ASSERT_TRUE(Until([&] {
    return Selects("active") == green && RolloutAt({"status", "phase"}) == "Healthy";
  })) << json::WritePretty(Get(kRollouts, "web"));
  EXPECT_EQ(RolloutAt({"status", "stableRS"}), green);
  EXPECT_TRUE(Eventually([&] { return HasEvent("SwitchService"); }, seconds(10)));
  EXPECT_TRUE(HasEvent("RolloutCompleted"));
  EXPECT_TRUE(controller_->LastError().ok()) << controller_->LastError();
}

// The test plays the kubelet too: a pod of each ReplicaSet, created without the role label, so
// only the controller's patch can give it one.
TEST_F(RolloutControllerTest, GivenPreviewAndActiveMetadataThenPodsAreRelabelledInPlace) {
  Create(kServices, Service("active"));
  Create(kServices, Service("preview"));
  std::string rollout = kBlueGreen;
  const std::string strategy = R"("autoPromotionEnabled": false)";
  rollout.replace(rollout.find(strategy), strategy.size(),
                  strategy + R"(, "previewMetadata": {"labels": {"role": "preview"}},
                                 "activeMetadata": {"labels": {"role": "active"}})");
  Create(kRollouts, rollout);
  ASSERT_TRUE(Until([&] {
    return RolloutAt({"status", "phase"}) == "Healthy";
  })) << controller_->LastError();
  const std::string blue = RolloutAt({"status", "stableRS"});
  auto pod_of = [&](const std::string& hash) {
    const json::Value rs = Get(kReplicaSets, "web-" + hash);
    return R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod-)" + hash +
           R"(", "labels": {"app": "web", "rollouts-pod-template-hash": ")" + hash +
           R"("}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
           "name": "web-)" +
           hash + R"(", "uid": ")" + json::StringAt(rs, {"metadata", "uid"}) +
           R"(", "controller": true}]},
           "spec": {"containers": [{"name": "app", "image": "demo"}]}})";
  };
  auto role_of = [&](const kube::ResourceRef& resource, const std::string& name, bool in_template) {
    const json::Value object = Get(resource, name);
    return in_template ? json::StringAt(object, {"spec", "template", "metadata", "labels", "role"})
                       : json::StringAt(object, {"metadata", "labels", "role"});
  };
  EXPECT_EQ(role_of(kReplicaSets, "web-" + blue, true), "active");
  Create(kPods, pod_of(blue));

  auto patched =
      client_->Patch(kRollouts, kNs, "web", kube::PatchType::kJson,
                     Json(R"([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                "value": "demo:green"}])"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(Until([&] { return RolloutAt({"status", "phase"}) == "Paused"; }));
  const std::string green = RolloutAt({"status", "currentPodHash"});
  EXPECT_EQ(role_of(kReplicaSets, "web-" + green, true), "preview") << "created with it";
  EXPECT_EQ(role_of(kPods, "pod-" + blue, false), "active");
  Create(kPods, pod_of(green));

  PatchStatus(R"({"status": {"pauseConditions": null}})");
  ASSERT_TRUE(Until([&] {
    return RolloutAt({"status", "stableRS"}) == green &&
           role_of(kPods, "pod-" + green, false) == "active" &&
           role_of(kPods, "pod-" + blue, false).empty();
  })) << json::WritePretty(Get(kPods, "pod-" + green))
      << json::WritePretty(Get(kReplicaSets, "web-" + blue)) << controller_->LastError();
  EXPECT_EQ(role_of(kReplicaSets, "web-" + green, true), "active");
  EXPECT_EQ(role_of(kReplicaSets, "web-" + blue, true), "") << "the old one loses its role";
  EXPECT_EQ(List(kReplicaSets).size(), 2u) << "a role change makes no new ReplicaSet";
  EXPECT_EQ(json::StringAt(Get(kPods, "pod-" + green), {"metadata", "labels", "app"}), "web");
  EXPECT_TRUE(controller_->LastError().ok()) << controller_->LastError();
}

// ---- Canary through the traffic routers (no pods: the test plays the ReplicaSet controller) ----

const kube::ResourceRef kHttpRoutes{"gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute",
                                    true};
const kube::ResourceRef kVirtualServices{"networking.istio.io", "v1beta1", "virtualservices",
                                         "VirtualService", true};
const kube::ResourceRef kDestinationRules{"networking.istio.io", "v1beta1", "destinationrules",
                                          "DestinationRule", true};
const kube::ResourceRef kIngresses{"networking.k8s.io", "v1", "ingresses", "Ingress", true};

std::string CanaryRollout(const std::string& traffic_routing) {
  return R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"},
    "spec": {
      "replicas": 4,
      "selector": {"matchLabels": {"app": "web"}},
      "template": {"metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}},
      "strategy": {"canary": {
        "canaryService": "web-canary", "stableService": "web-stable",
        "trafficRouting": )" +
         traffic_routing + R"(,
        "steps": [{"setWeight": 25}, {"pause": {}}, {"setWeight": 75}, {"pause": {}}]}}
    }})";
}

class CanaryRoutingTest : public RolloutControllerTest {
 protected:
  // Creates the Services and the Rollout, waits for Healthy, then sets the image and waits for
  // the pause after setWeight 25. Returns the canary (green) hash.
  std::string ReleaseToFirstPause(const std::string& traffic_routing) {
    Create(kServices, Service("web-stable"));
    Create(kServices, Service("web-canary"));
    Create(kRollouts, CanaryRollout(traffic_routing));
    EXPECT_TRUE(Until([&] {
      return RolloutAt({"status", "phase"}) == "Healthy";
    })) << json::WritePretty(Get(kRollouts, "web"))
        << controller_->LastError();
    stable_ = RolloutAt({"status", "stableRS"});
    auto patched =
        client_->Patch(kRollouts, kNs, "web", kube::PatchType::kJson,
                       Json(R"([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                  "value": "demo:green"}])"));
    EXPECT_TRUE(patched.ok()) << patched.error();
    EXPECT_TRUE(Until([&] {
      return RolloutAt({"status", "phase"}) == "Paused" &&
             RolloutAt({"status", "message"}) == "CanaryPauseStep";
    })) << json::WritePretty(Get(kRollouts, "web"))
        << controller_->LastError();
    return RolloutAt({"status", "currentPodHash"});
  }
  int64_t CanaryWeightInStatus() {
    const json::Value rollout = Get(kRollouts, "web");
    const json::Value* status = rollout.Find("status");
    const json::Value* canary = status ? status->Find("canary") : nullptr;
    const json::Value* weights = canary ? canary->Find("weights") : nullptr;
    const json::Value* c = weights ? weights->Find("canary") : nullptr;
    const json::Value* weight = c ? c->Find("weight") : nullptr;
    return weight && weight->is_int() ? weight->as_int() : -1;
  }
  std::string stable_;
};

TEST_F(CanaryRoutingTest, GivenTheGatewayApiPluginThenTheHttpRouteCarriesTheStepWeights) {
  Create(kHttpRoutes, R"({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
      "metadata": {"name": "web"},
      "spec": {"parentRefs": [{"name": "gateway"}],
               "rules": [{"backendRefs": [{"name": "web-stable", "port": 80, "weight": 100},
                                          {"name": "web-canary", "port": 80, "weight": 0}]}]}})");
  const std::string green = ReleaseToFirstPause(
      R"({"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "web", "namespace": "default"}}})");
  const json::Value route = Get(kHttpRoutes, "web");
  const json::Value& refs = *route.Find("spec")->Find("rules")->as_array()[0].Find("backendRefs");
  ASSERT_EQ(refs.as_array().size(), 2u) << json::WritePretty(route);
  EXPECT_EQ(json::StringAt(refs.as_array()[0], {"name"}), "web-stable");
  EXPECT_EQ(refs.as_array()[0].Find("weight")->as_int(), 75);
  EXPECT_EQ(json::StringAt(refs.as_array()[1], {"name"}), "web-canary");
  EXPECT_EQ(refs.as_array()[1].Find("weight")->as_int(), 25);
  EXPECT_EQ(Selects("web-canary"), green);
  EXPECT_EQ(Selects("web-stable"), stable_);
  EXPECT_EQ(CanaryWeightInStatus(), 25);

  // Promote: 75, then (promote --full style) all the way; the route ends at 100/0 on the new
  // stable.
  PatchStatus(R"({"status": {"pauseConditions": null}})");
  ASSERT_TRUE(Until([&] { return CanaryWeightInStatus() == 75; }))
      << json::WritePretty(Get(kRollouts, "web"));
  PatchStatus(R"({"status": {"promoteFull": true}})");
  ASSERT_TRUE(Until([&] {
    return RolloutAt({"status", "stableRS"}) == green &&
           RolloutAt({"status", "phase"}) == "Healthy";
  })) << json::WritePretty(Get(kRollouts, "web"));
  // The stable Service and the weight follow one reconcile after the promotion (as in Argo:
  // they are reconciled from the status as read, before the new status is written).
  EXPECT_TRUE(Until([&] { return Selects("web-stable") == green; }))
      << json::WritePretty(Get(kServices, "web-stable"));
  const auto stable_weight = [&] {
    const json::Value route = Get(kHttpRoutes, "web");
    const json::Value* weight = route.Find("spec")
                                    ->Find("rules")
                                    ->as_array()[0]
                                    .Find("backendRefs")
                                    ->as_array()[0]
                                    .Find("weight");
    return weight != nullptr ? weight->as_int() : -1;
  };
  EXPECT_TRUE(Until([&] { return stable_weight() == 100; }))
      << json::WritePretty(Get(kHttpRoutes, "web"));
}

TEST_F(CanaryRoutingTest, GivenIstioSubsetsThenTheVirtualServiceAndDestinationRuleAreWritten) {
  Create(kVirtualServices, R"({"apiVersion": "networking.istio.io/v1beta1",
      "kind": "VirtualService", "metadata": {"name": "web-vs"},
      "spec": {"hosts": ["web"], "http": [{"name": "primary", "route": [
        {"destination": {"host": "web", "subset": "stable"}, "weight": 100},
        {"destination": {"host": "web", "subset": "canary"}, "weight": 0}]}]}})");
  Create(kDestinationRules, R"({"apiVersion": "networking.istio.io/v1beta1",
      "kind": "DestinationRule", "metadata": {"name": "web-dr"},
      "spec": {"host": "web", "subsets": [{"name": "stable", "labels": {"app": "web"}},
                                          {"name": "canary", "labels": {"app": "web"}}]}})");
  const std::string green = ReleaseToFirstPause(R"({"istio": {
      "virtualService": {"name": "web-vs", "routes": ["primary"]},
      "destinationRule": {"name": "web-dr", "canarySubsetName": "canary",
                          "stableSubsetName": "stable"}}})");
  const json::Value vs = Get(kVirtualServices, "web-vs");
  const json::Array& route = vs.Find("spec")->Find("http")->as_array()[0].Find("route")->as_array();
  ASSERT_EQ(route.size(), 2u) << json::WritePretty(vs);
  EXPECT_EQ(json::StringAt(route[0], {"destination", "subset"}), "stable");
  EXPECT_EQ(route[0].Find("weight")->as_int(), 75);
  EXPECT_EQ(json::StringAt(route[1], {"destination", "subset"}), "canary");
  EXPECT_EQ(route[1].Find("weight")->as_int(), 25);
  const json::Value dr = Get(kDestinationRules, "web-dr");
  const json::Array& subsets = dr.Find("spec")->Find("subsets")->as_array();
  EXPECT_EQ(json::StringAt(subsets[0], {"labels", "rollouts-pod-template-hash"}), stable_)
      << json::WritePretty(dr);
  EXPECT_EQ(json::StringAt(subsets[1], {"labels", "rollouts-pod-template-hash"}), green);
  EXPECT_EQ(json::StringAt(subsets[1], {"labels", "app"}), "web") << "other labels kept";
  EXPECT_EQ(json::StringAt(
                dr, {"metadata", "annotations", "argo-rollouts.argoproj.io/managed-by-rollouts"}),
            "web");
}

TEST_F(CanaryRoutingTest, GivenNginxThenACanaryIngressIsDerivedFromTheStableOne) {
  Create(kIngresses, R"({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
      "metadata": {"name": "web", "annotations": {"kubernetes.io/ingress.class": "nginx"}},
      "spec": {"rules": [{"host": "web.example.com", "http": {"paths": [
        {"path": "/", "pathType": "Prefix",
         "backend": {"service": {"name": "web-stable", "port": {"number": 80}}}}]}}]}})");
  ReleaseToFirstPause(R"({"nginx": {"stableIngress": "web"}})");
  const json::Value ingress = Get(kIngresses, "web-web-canary");
  ASSERT_TRUE(ingress.is_object()) << "the canary Ingress was not created";
  const auto annotation = [&](const std::string& key) {
    return json::StringAt(ingress, {"metadata", "annotations", key});
  };
  EXPECT_EQ(annotation("nginx.ingress.kubernetes.io/canary"), "true");
  EXPECT_EQ(annotation("nginx.ingress.kubernetes.io/canary-weight"), "25");
  EXPECT_EQ(annotation("kubernetes.io/ingress.class"), "nginx");
  const json::Value& path =
      ingress.Find("spec")->Find("rules")->as_array()[0].Find("http")->Find("paths")->as_array()[0];
  EXPECT_EQ(json::StringAt(path, {"backend", "service", "name"}), "web-canary");
  EXPECT_EQ(
      json::StringAt(ingress.Find("metadata")->Find("ownerReferences")->as_array()[0], {"kind"}),
      "Rollout");
}

TEST_F(CanaryRoutingTest, GivenARouterDevflowDoesNotHaveThenInvalidSpecAndNothingCreated) {
  Create(kServices, Service("web-stable"));
  Create(kServices, Service("web-canary"));
  Create(kRollouts, CanaryRollout(R"({"alb": {"ingress": "web", "servicePort": 80}})"));
  ASSERT_TRUE(Eventually(
      [&] {
        return RolloutAt({"status", "phase"}) == "Degraded";
      },
      seconds(30)))
      << json::WritePretty(Get(kRollouts, "web"));
  EXPECT_NE(RolloutAt({"status", "message"})
                .find("InvalidSpec: spec.strategy.canary.trafficRouting.alb: this traffic router "
                      "is not supported by devflow"),
            std::string::npos)
      << RolloutAt({"status", "message"});
  EXPECT_TRUE(List(kReplicaSets).empty());
}

}  // namespace
}  // namespace devflow::controller
