#include "kube/object_cache.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include "common/json_reader.h"

namespace devflow::kube {
namespace {

json::Value Json(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.error() << " in " << text;
  return v.ok() ? *v : json::Value();
}

// An object with the given namespace, name, labels ({"k":"v"} JSON) and owner UIDs.
json::Value Obj(std::string ns, std::string name, std::string labels = "{}",
                std::vector<std::string> owners = {}, std::string rv = "1") {
  json::Object metadata;
  metadata.Set("name", name);
  if (!ns.empty()) {
    metadata.Set("namespace", ns);
  }
  metadata.Set("resourceVersion", rv);
  metadata.Set("labels", Json(labels));
  if (!owners.empty()) {
    json::Array refs;
    for (const std::string& uid : owners) {
      refs.push_back(json::Object{{"kind", "Rollout"}, {"name", "owner"}, {"uid", uid}});
    }
    metadata.Set("ownerReferences", std::move(refs));
  }
  return json::Object{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(metadata)}};
}

TEST(ObjectCacheKeyTest, KeysNameNamespacedAndClusterScopedObjects) {
  struct Case {
    std::string name;
    std::string object;
    Result<std::string> want;
  };
  const std::vector<Case> cases = {
      {"namespaced", R"({"metadata":{"namespace":"shop","name":"web"}})", std::string("shop/web")},
      {"cluster-scoped", R"({"metadata":{"name":"shop"}})", std::string("shop")},
      {"empty namespace is cluster-scoped", R"({"metadata":{"namespace":"","name":"n"}})",
       std::string("n")},
      {"no name", R"({"metadata":{"namespace":"shop"}})",
       InvalidArgumentError("object has no name", "metadata.name")},
      {"empty name", R"({"metadata":{"name":""}})",
       InvalidArgumentError("object has no name", "metadata.name")},
      {"no metadata", R"({"kind":"Pod"})",
       InvalidArgumentError("object has no name", "metadata.name")},
      {"name not a string", R"({"metadata":{"name":7}})",
       InvalidArgumentError("object has no name", "metadata.name")},
  };
  for (const Case& c : cases) {
    Result<std::string> got = ObjectKey(Json(c.object));
    EXPECT_EQ(got.status(), c.want.status()) << c.name;
    if (got.ok() && c.want.ok()) {
      EXPECT_EQ(*got, *c.want) << c.name;
    }
  }
  EXPECT_EQ(SplitObjectKey("shop/web"), std::make_pair(std::string("shop"), std::string("web")));
  EXPECT_EQ(SplitObjectKey("shop"), std::make_pair(std::string(""), std::string("shop")));
}

TEST(ObjectCacheTest, UpsertReturnsThePreviousVersionAndRemoveTheLast) {
  ObjectCache cache;
  auto first = cache.Upsert(Obj("shop", "web", "{}", {}, "1"));
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(*first, nullptr);

  auto second = cache.Upsert(Obj("shop", "web", "{}", {}, "2"));
  ASSERT_TRUE(second.ok());
  ASSERT_NE(*second, nullptr);
  EXPECT_EQ(Json(**second), Obj("shop", "web", "{}", {}, "1"));
  EXPECT_EQ(cache.Get("shop/web"), Obj("shop", "web", "{}", {}, "2"));
  EXPECT_EQ(cache.ResourceVersion("shop/web"), "2");
  EXPECT_EQ(cache.Size(), 1u);

  auto removed = cache.Remove("shop/web");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(Json(*removed), Obj("shop", "web", "{}", {}, "2"));
  EXPECT_EQ(cache.Remove("shop/web"), nullptr);
  EXPECT_EQ(cache.Get("shop/web"), std::nullopt);
  EXPECT_EQ(cache.ResourceVersion("shop/web"), std::nullopt);
  EXPECT_EQ(cache.Size(), 0u);
}

TEST(ObjectCacheTest, UpsertOfAnObjectWithoutNameStoresNothing) {
  ObjectCache cache;
  auto got = cache.Upsert(Json(R"({"metadata":{"namespace":"shop"}})"));
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache.Size(), 0u);
}

TEST(ObjectCacheTest, ReadsAreCopiesThatKeepUnknownFields) {
  ObjectCache cache;
  json::Value object = Json(R"({"kind": "Rollout", "metadata": {"name": "web", "namespace": "a"},
                                "spec": {"x-unknown": [1, 2.5, "3"]}})");
  ASSERT_TRUE(cache.Upsert(object).ok());
  std::optional<json::Value> got = cache.Get("a/web");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, object);
  (*got)["spec"]["x-unknown"] = "changed";
  EXPECT_EQ(cache.Get("a/web"), object) << "changing a read copy must not change the cache";
}

TEST(ObjectCacheTest, IndexesFollowUpdatesAndRemovals) {
  ObjectCache cache;
  ASSERT_TRUE(
      cache.Upsert(Obj("shop", "web-1", R"({"app":"web","tier":"front"})", {"uid-a"})).ok());
  ASSERT_TRUE(cache.Upsert(Obj("shop", "web-2", R"({"app":"web"})", {"uid-a", "uid-b"})).ok());
  ASSERT_TRUE(cache.Upsert(Obj("blog", "web-1", R"({"app":"blog"})", {"uid-b"})).ok());
  ASSERT_TRUE(cache.Upsert(Obj("", "node-1", R"({"app":"web"})")).ok());
  // web-2 changes its labels and owners; blog/web-1 is removed.
  ASSERT_TRUE(cache.Upsert(Obj("shop", "web-2", R"({"app":"api"})", {"uid-c"})).ok());
  ASSERT_NE(cache.Remove("blog/web-1"), nullptr);

  struct Case {
    std::string name;
    std::string index;
    std::string value;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"namespace", kNamespaceIndex, "shop", {"shop/web-1", "shop/web-2"}},
      {"cluster-scoped under the empty namespace", kNamespaceIndex, "", {"node-1"}},
      {"removed object leaves its namespace", kNamespaceIndex, "blog", {}},
      {"owner kept", kOwnerUidIndex, "uid-a", {"shop/web-1"}},
      {"owner dropped by the update and by the removal", kOwnerUidIndex, "uid-b", {}},
      {"owner added by the update", kOwnerUidIndex, "uid-c", {"shop/web-2"}},
      {"label across namespaces", kLabelIndex, "app=web", {"node-1", "shop/web-1"}},
      {"label changed by the update", kLabelIndex, "app=api", {"shop/web-2"}},
      {"second label", kLabelIndex, "tier=front", {"shop/web-1"}},
      {"label of the removed object", kLabelIndex, "app=blog", {}},
      {"unknown value", kLabelIndex, "app=none", {}},
  };
  for (const Case& c : cases) {
    auto got = cache.IndexKeys(c.index, c.value);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.error();
    EXPECT_EQ(*got, c.want) << c.name;
  }

  auto objects = cache.ByIndex(kOwnerUidIndex, "uid-c");
  ASSERT_TRUE(objects.ok());
  EXPECT_EQ(*objects,
            std::vector<json::Value>{Obj("shop", "web-2", R"({"app":"api"})", {"uid-c"})});
  EXPECT_EQ(cache.IndexKeys("no-such-index", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(cache.ByIndex("no-such-index", "x").status().code(), StatusCode::kNotFound);
}

TEST(ObjectCacheTest, CustomIndexesMustBeAddedBeforeObjects) {
  ObjectCache cache;
  IndexFunc by_kind = [](const json::Value& o) {
    const json::Value* kind = o.Find("kind");
    return std::vector<std::string>{kind != nullptr ? kind->as_string() : "", "any"};
  };
  EXPECT_TRUE(cache.AddIndex("kind", by_kind).ok());
  EXPECT_EQ(cache.AddIndex("kind", by_kind).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(cache.AddIndex(kLabelIndex, by_kind).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(cache.Upsert(Obj("shop", "a")).ok());
  json::Value service = Obj("shop", "b");
  service["kind"] = "Service";
  ASSERT_TRUE(cache.Upsert(service).ok());

  EXPECT_EQ(*cache.IndexKeys("kind", "Pod"), std::vector<std::string>{"shop/a"});
  EXPECT_EQ(*cache.IndexKeys("kind", "Service"), std::vector<std::string>{"shop/b"});
  EXPECT_EQ(*cache.IndexKeys("kind", "any"), (std::vector<std::string>{"shop/a", "shop/b"}));
  EXPECT_EQ(cache.AddIndex("late", by_kind).code(), StatusCode::kFailedPrecondition);
}

TEST(ObjectCacheTest, ListFiltersByNamespaceAndSelector) {
  ObjectCache cache;
  ASSERT_TRUE(cache.Upsert(Obj("shop", "a", R"({"app":"web","track":"canary"})")).ok());
  ASSERT_TRUE(cache.Upsert(Obj("shop", "b", R"({"app":"web"})")).ok());
  ASSERT_TRUE(cache.Upsert(Obj("shop", "c", R"({"app":"db"})")).ok());
  ASSERT_TRUE(cache.Upsert(Obj("blog", "d", R"({"app":"web"})")).ok());

  auto names = [](const std::vector<json::Value>& objects) {
    std::vector<std::string> out;
    for (const json::Value& o : objects) {
      out.push_back(*ObjectKey(o));
    }
    return out;
  };
  api::LabelSelector web;
  web.match_labels = {{"app", "web"}};
  api::LabelSelector not_canary;
  not_canary.match_expressions = {{.key = "track", .operator_ = "DoesNotExist"}};

  struct Case {
    std::string name;
    std::string ns;
    api::LabelSelector selector;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"everything in a namespace", "shop", {}, {"shop/a", "shop/b", "shop/c"}},
      {"match labels", "shop", web, {"shop/a", "shop/b"}},
      {"match expressions", "shop", not_canary, {"shop/b", "shop/c"}},
      {"other namespace", "blog", web, {"blog/d"}},
      {"empty namespace", "none", {}, {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(names(cache.List(c.ns, c.selector)), c.want) << c.name;
  }
  EXPECT_EQ(names(cache.List()),
            (std::vector<std::string>{"blog/d", "shop/a", "shop/b", "shop/c"}));
  EXPECT_EQ(cache.Keys(), (std::vector<std::string>{"blog/d", "shop/a", "shop/b", "shop/c"}));
}

// A canary Rollout as a controller sees it: pod template with probes, env and resources, traffic
// routing, analysis, six steps and a written status (about 2.4 KB of compact JSON). "#" stands
// for a number that differs between the Rollouts.
constexpr char kRollout[] = R"({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {
    "name": "checkout-#", "namespace": "shop", "uid": "6f1d3c1e-2b7a-4f0e-9d55-#",
    "resourceVersion": "#", "generation": 7, "creationTimestamp": "2026-11-23T03:16:00Z",
    "labels": {"app": "checkout", "team": "payments"},
    "annotations": {"rollout.argoproj.io/revision": "7"}},
  "spec": {
    "replicas": 5, "revisionHistoryLimit": 3, "selector": {"matchLabels": {"app": "checkout"}},
    "template": {
      "metadata": {"labels": {"app": "checkout"}},
      "spec": {"containers": [{
        "name": "checkout", "image": "registry.example.com/shop/checkout:v7",
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": [{"name": "LOG_LEVEL", "value": "info"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                      "limits": {"cpu": "1", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5}
      }]}},
    "strategy": {"canary": {
      "canaryService": "checkout-canary", "stableService": "checkout-stable",
      "trafficRouting": {"plugins": {
        "argoproj-labs/gatewayAPI": {"httpRoute": "checkout", "namespace": "shop"}}},
      "analysis": {"templates": [{"templateName": "success-rate"}], "startingStep": 1,
                   "args": [{"name": "service-name", "value": "checkout"}]},
      "steps": [{"setWeight": 10}, {"pause": {"duration": "1m"}}, {"setWeight": 30},
                {"pause": {"duration": "1m"}}, {"setWeight": 60}, {"pause": {}}]}}},
  "status": {
    "phase": "Paused", "message": "CanaryPauseStep", "observedGeneration": "7",
    "currentPodHash": "6c8d9b7f5f", "stableRS": "5f4b8c6d9d", "currentStepIndex": 5,
    "currentStepHash": "7d9c8b6f4", "replicas": 6, "updatedReplicas": 2, "readyReplicas": 6,
    "availableReplicas": 6, "HPAReplicas": 6, "selector": "app=checkout",
    "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-11-23T03:20:00Z"}],
    "canary": {"weights": {
      "canary": {"weight": 60, "serviceName": "checkout-canary", "podTemplateHash": "6c8d9b7f5f"},
      "stable": {"weight": 40, "serviceName": "checkout-stable", "podTemplateHash": "5f4b8c6d9d"}
    }},
    "conditions": [
      {"type": "Available", "status": "True", "reason": "AvailableReason",
       "message": "Rollout has minimum availability", "lastUpdateTime": "2026-11-23T03:17:00Z",
       "lastTransitionTime": "2026-11-23T03:17:00Z"},
      {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
       "message": "ReplicaSet \"checkout-6c8d9b7f5f\" is progressing.",
       "lastUpdateTime": "2026-11-23T03:20:00Z", "lastTransitionTime": "2026-11-23T03:19:00Z"}]}
})";

// Rollout number `i`, as compact JSON.
std::string RolloutText(int i) {
  std::string text = kRollout;
  std::string n = std::to_string(i);
  for (size_t at = text.find('#'); at != std::string::npos; at = text.find('#', at + n.size())) {
    text.replace(at, 1, n);
  }
  return json::Write(Json(text));
}

TEST(ObjectCacheMemoryTest, TenThousandRolloutsTakeUnderFourKiBEach) {
  constexpr int kCount = 10000;
  std::vector<json::Value> rollouts;
  rollouts.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    rollouts.push_back(Json(RolloutText(i)));
  }
  ASSERT_GT(RolloutText(0).size(), 2000u);

  auto cache = std::make_unique<ObjectCache>();
  size_t before = mallinfo2().uordblks;
  for (const json::Value& rollout : rollouts) {
    ASSERT_TRUE(cache->Upsert(rollout).ok());
  }
  size_t after = mallinfo2().uordblks;
  double measured = static_cast<double>(after - before) / kCount;
  double approximate = static_cast<double>(cache->ApproximateBytes()) / kCount;

  RecordProperty("measured_bytes_per_rollout", static_cast<int>(measured));
  RecordProperty("approximate_bytes_per_rollout", static_cast<int>(approximate));
  RecordProperty("json_bytes_per_rollout", static_cast<int>(RolloutText(5000).size()));
  EXPECT_LT(measured, 4096) << "heap bytes per cached Rollout (malloc's count)";
  EXPECT_LT(approximate, 4096);
  // ApproximateBytes leaves out the allocator's overhead (8-16 bytes a block) only.
  EXPECT_GT(approximate, measured * 0.8)
      << "approximate " << approximate << ", measured " << measured;
  EXPECT_LT(approximate, measured * 1.05)
      << "approximate " << approximate << ", measured " << measured;
  EXPECT_EQ(*cache->IndexKeys(kLabelIndex, "team=payments")->begin(), "shop/checkout-0");
}

}  // namespace
}  // namespace devflow::kube
