#include "apiserver/namespace_controller.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "apiserver/controller_testing.h"
#include "apiserver/deletion_rules.h"

namespace devflow::apiserver {
namespace {

constexpr std::string_view kHold = "example.com/hold";

class NamespaceControllerTest : public ControllerTest {
 protected:
  ~NamespaceControllerTest() override { controller_.reset(); }

  void StartController(ObjectStore& store) {
    controller_ = std::make_unique<NamespaceController>(
        store, catalog(), NamespaceControllerOptions{.now = [] { return std::string(kTestNow); }});
    Status started = controller_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  void StartController() { StartController(store()); }

  bool Idle() { return controller_->WaitForIdleForTest(kIdleTimeout); }

  // A Namespace as the REST layer creates it: spec.finalizers ["kubernetes"], phase Active.
  void CreateNamespace(const std::string& name,
                       const std::vector<std::string>& metadata_finalizers = {}) {
    json::Value doc =
        json::Parse(TestDoc({kNamespaceKind, "", name, "uid-ns-" + name}, {}, metadata_finalizers))
            .value();
    doc.as_object().Set("spec", json::Object{{"finalizers", json::Array{"kubernetes"}}});
    doc.as_object().Set("status", json::Object{{"phase", "Active"}});
    ASSERT_TRUE(store().Create(NamespaceKey(name), json::Write(doc)).ok());
  }

  // What a DELETE of a Namespace does: marks it Terminating.
  void MarkNamespace(const std::string& name) {
    json::Value ns = Read(NamespaceKey(name));
    ns["metadata"].as_object().Set("deletionTimestamp", std::string(kTestNow));
    ns["status"].as_object().Set("phase", "Terminating");
    ASSERT_TRUE(store().Update(NamespaceKey(name), json::Write(ns), {}).ok());
  }

  static ObjectKey NamespaceKey(const std::string& name) { return {"namespaces", "", name}; }

  // Every object of the namespace in the resources the tests use.
  size_t CountIn(const std::string& namespace_) {
    size_t count = 0;
    for (const TestKind& kind :
         {kRolloutKind, kReplicaSetKind, kPodKind, kServiceKind, kSecretKind}) {
      count += store().List({.resource = kind.resource, .namespace_ = namespace_})->items.size();
    }
    return count;
  }

  std::unique_ptr<NamespaceController> controller_;
};

TEST_F(NamespaceControllerTest, EmptiesAndRemovesAMarkedNamespace) {
  // Given a namespace with objects of several resources, and another namespace.
  CreateNamespace("team");
  CreateNamespace("default");
  Create({kRolloutKind, "team", "web", "uid-1"});
  Create({kReplicaSetKind, "team", "web-1", "uid-2"});
  Create({kPodKind, "team", "web-1-a", "uid-3"});
  Create({kServiceKind, "team", "web", "uid-4"});
  Create({kSecretKind, "team", "token", "uid-5"});
  Create({kPodKind, "default", "web-1-a", "uid-6"});
  StartController();

  // When the namespace is marked for deletion.
  MarkNamespace("team");

  // Then its objects go, then the namespace itself; the other namespace is untouched.
  EXPECT_TRUE(WaitUntil([&] { return !Exists(NamespaceKey("team")); }, "the namespace is gone"));
  EXPECT_EQ(CountIn("team"), 0u);
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(Exists(NamespaceKey("default")));
  EXPECT_EQ(CountIn("default"), 1u);
}

TEST_F(NamespaceControllerTest, UnmarkedNamespaceIsLeftAlone) {
  CreateNamespace("team");
  Create({kPodKind, "team", "web", "uid-1"});
  StartController();
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(Exists(NamespaceKey("team")));
  EXPECT_EQ(CountIn("team"), 1u);
}

TEST_F(NamespaceControllerTest, ObjectWithAFinalizerHoldsTheNamespace) {
  // Given a marked namespace holding an object with a user finalizer.
  CreateNamespace("team");
  const TestObject held{kPodKind, "team", "held", "uid-held"};
  Create(held, {}, {std::string(kHold)});
  Create({kPodKind, "team", "free", "uid-free"});
  StartController();
  MarkNamespace("team");

  // Then the object is marked and kept, and so is the namespace with its finalizer.
  EXPECT_TRUE(WaitUntil([&] { return IsMarked(Read(held.Key())) && CountIn("team") == 1; },
                        "the free object is removed and the held one marked"));
  ASSERT_TRUE(Idle());
  json::Value ns = Read(NamespaceKey("team"));
  ASSERT_FALSE(ns.is_null()) << "the namespace went while an object remained in it";
  EXPECT_EQ(*ns.Find("spec")->Find("finalizers"), json::Value(json::Array{"kubernetes"}));

  // When the finalizer is removed, the namespace goes.
  RemoveFinalizerAsClient(held.Key(), kHold);
  EXPECT_TRUE(WaitUntil([&] { return !Exists(NamespaceKey("team")); }, "the namespace is gone"));
}

TEST_F(NamespaceControllerTest, MetadataFinalizerKeepsTheEmptiedNamespace) {
  // Given a marked namespace that also carries a metadata finalizer.
  CreateNamespace("team", {std::string(kHold)});
  Create({kPodKind, "team", "web", "uid-1"});
  StartController();
  MarkNamespace("team");

  // Then it is emptied and its "kubernetes" finalizer removed, but it stays.
  EXPECT_TRUE(WaitUntil(
      [&] {
        json::Value ns = Read(NamespaceKey("team"));
        return ns.is_null() || ns.Find("spec")->Find("finalizers") == nullptr;
      },
      "spec.finalizers is emptied"));
  ASSERT_TRUE(Idle());
  EXPECT_EQ(CountIn("team"), 0u);
  EXPECT_TRUE(Exists(NamespaceKey("team"))) << "a namespace with a metadata finalizer was removed";

  // When its last finalizer goes, it is removed.
  RemoveFinalizerAsClient(NamespaceKey("team"), kHold);
  EXPECT_FALSE(Exists(NamespaceKey("team")));
}

TEST_F(NamespaceControllerTest, RestartEmptiesNamespacesMarkedWhileStopped) {
  // Given a namespace marked while no controller ran.
  CreateNamespace("team");
  Create({kPodKind, "team", "web", "uid-1"});
  MarkNamespace("team");
  ReopenStore();

  // When a controller starts, it empties and removes it.
  StartController();
  EXPECT_TRUE(WaitUntil([&] { return !Exists(NamespaceKey("team")); }, "the namespace is gone"));
  EXPECT_EQ(CountIn("team"), 0u);
}

TEST_F(NamespaceControllerTest, ConcurrentFinalizerIsRespected) {
  // Given a namespace with an object, and a controller whose delete of that object is preceded
  // by a user adding a finalizer to it.
  CreateNamespace("team");
  const TestObject pod{kPodKind, "team", "web", "uid-1"};
  Create(pod);
  InterposingStore interposing(store());
  StartController(interposing);
  interposing.Arm(pod.Key(), [&] {
    json::Value object = Read(pod.Key());
    object["metadata"].as_object().Set("finalizers", json::Array{std::string(kHold)});
    ASSERT_TRUE(store().Update(pod.Key(), json::Write(object), {}).ok());
  });

  // When the namespace is marked.
  MarkNamespace("team");

  // Then the object is marked, not removed: the finalizer added concurrently holds it.
  EXPECT_TRUE(WaitUntil([&] { return Exists(pod.Key()) && IsMarked(Read(pod.Key())); },
                        "the object is marked"));
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(interposing.Fired());
  EXPECT_TRUE(Exists(pod.Key())) << "the controller removed an object a finalizer held";
  EXPECT_TRUE(Exists(NamespaceKey("team")));
}

TEST_F(NamespaceControllerTest, CustomResourcesInTheNamespaceAreDeleted) {
  // Given a CRD-defined resource with an object in a namespace about to be deleted.
  Result<json::Value> crd = json::Parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                "listKind": "WidgetList"},
      "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object"}}}]}})");
  ASSERT_TRUE(crd.ok());
  ASSERT_TRUE(ResourceCatalog::ValidateCrd(*crd).empty());
  // The fixture's catalog is const to the tests; a controller with its own catalog is used.
  ResourceCatalog catalog;
  ASSERT_TRUE(catalog.AddCrd(*crd).ok());
  CreateNamespace("team");
  const TestObject widget{{"example.com/v1", "Widget", "example.com/widgets"}, "team", "w", "u"};
  Create(widget);
  NamespaceController controller(
      store(), catalog, NamespaceControllerOptions{.now = [] { return std::string(kTestNow); }});
  ASSERT_TRUE(controller.Start().ok());

  // When the namespace is marked, the custom object goes with it.
  MarkNamespace("team");
  EXPECT_TRUE(WaitUntil([&] { return !Exists(NamespaceKey("team")); }, "the namespace is gone"));
  EXPECT_FALSE(Exists(widget.Key()));
}

}  // namespace
}  // namespace devflow::apiserver
