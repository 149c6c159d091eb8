#include "apiserver/garbage_collector.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "apiserver/controller_testing.h"
#include "apiserver/deletion_rules.h"

namespace devflow::apiserver {
namespace {

constexpr std::string_view kHold = "example.com/hold";

class GarbageCollectorTest : public ControllerTest {
 protected:
  ~GarbageCollectorTest() override { gc_.reset(); }

  void StartCollector(ObjectStore& store) {
    gc_ = std::make_unique<GarbageCollector>(
        store, catalog(), GarbageCollectorOptions{.now = [] { return std::string(kTestNow); }});
    Status started = gc_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  void StartCollector() { StartCollector(store()); }

  // True once the collector has nothing left to do; a test asserts what did NOT happen after it.
  bool Idle() { return gc_->WaitForIdleForTest(kIdleTimeout); }

  std::unique_ptr<GarbageCollector> gc_;

  const TestObject rollout_{kRolloutKind, "default", "web", "uid-rollout"};
  const TestObject replica_set_{kReplicaSetKind, "default", "web-1", "uid-rs"};
  const TestObject pod_a_{kPodKind, "default", "web-1-a", "uid-pod-a"};
  const TestObject pod_b_{kPodKind, "default", "web-1-b", "uid-pod-b"};
};

TEST_F(GarbageCollectorTest, BackgroundDeletionCascadesThroughThreeLevels) {
  // Given a Rollout owning a ReplicaSet owning two Pods, and a Pod nobody owns.
  const TestObject loner{kPodKind, "default", "loner", "uid-loner"};
  Create(rollout_);
  Create(replica_set_, {rollout_.Ref()});
  Create(pod_a_, {replica_set_.Ref()});
  Create(pod_b_, {replica_set_.Ref()});
  Create(loner);
  StartCollector();

  // When the Rollout is deleted in the background (removed at once).
  DeleteAsClient(rollout_.Key(), PropagationPolicy::kBackground);

  // Then its ReplicaSet goes, and then the ReplicaSet's Pods.
  EXPECT_TRUE(WaitUntil(
      [&] { return !Exists(replica_set_.Key()) && !Exists(pod_a_.Key()) && !Exists(pod_b_.Key()); },
      "the ReplicaSet and both Pods are deleted"));
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(Exists(loner.Key())) << "an object without owners is not collected";
}

TEST_F(GarbageCollectorTest, DependentWithAnotherExistingOwnerLosesOnlyTheReference) {
  // Given a Pod owned by two ReplicaSets.
  const TestObject other{kReplicaSetKind, "default", "other", "uid-other"};
  Create(replica_set_);
  Create(other);
  Create(pod_a_, {replica_set_.Ref(), other.Ref()});
  StartCollector();

  // When one owner is deleted.
  DeleteAsClient(replica_set_.Key(), PropagationPolicy::kBackground);

  // Then the Pod stays, with a reference to the remaining owner only.
  EXPECT_TRUE(WaitUntil(
      [&] {
        json::Value pod = Read(pod_a_.Key());
        return !pod.is_null() && OwnerUids(pod) == std::set<std::string>{other.uid};
      },
      "the reference to the deleted owner is removed"));
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(Exists(pod_a_.Key())) << "a dependent with an existing owner is not deleted";

  // When the last owner is deleted too, the Pod goes.
  DeleteAsClient(other.Key(), PropagationPolicy::kBackground);
  EXPECT_TRUE(WaitUntil([&] { return !Exists(pod_a_.Key()); }, "the Pod is deleted"));
}

TEST_F(GarbageCollectorTest, ForegroundDeletesDependentsBeforeTheOwner) {
  // Given a Rollout -> ReplicaSet -> Pods chain whose references block their owners, and a
  // record of the order of removals.
  std::mutex mu;
  std::map<ObjectKey, int64_t> removed_at;
  const SubscriptionId subscription = store().Subscribe([&](const Event& event) {
    std::lock_guard lock(mu);
    if (event.type == EventType::kDeleted) {
      removed_at[event.object.key] = event.object.resource_version;
    }
  });
  Create(rollout_);
  Create(replica_set_, {rollout_.Ref(/*block_owner_deletion=*/true)});
  Create(pod_a_, {replica_set_.Ref(true)});
  Create(pod_b_, {replica_set_.Ref(true)});
  StartCollector();

  // When the Rollout is deleted in the foreground (marked with foregroundDeletion).
  DeleteAsClient(rollout_.Key(), PropagationPolicy::kForeground);

  // Then every object goes, the Pods first, then the ReplicaSet, then the Rollout.
  EXPECT_TRUE(WaitUntil([&] { return !Exists(rollout_.Key()); }, "the Rollout is removed"));
  store().Unsubscribe(subscription);
  std::lock_guard lock(mu);
  ASSERT_EQ(removed_at.size(), 4u);
  EXPECT_LT(removed_at[pod_a_.Key()], removed_at[replica_set_.Key()]);
  EXPECT_LT(removed_at[pod_b_.Key()], removed_at[replica_set_.Key()]);
  EXPECT_LT(removed_at[replica_set_.Key()], removed_at[rollout_.Key()]);
}

TEST_F(GarbageCollectorTest, ForegroundOwnerWaitsOnlyForBlockingDependents) {
  struct Row {
    std::string name;
    bool block_owner_deletion;
    bool owner_waits;
  };
  const std::vector<Row> rows = {
      {"a blocking dependent kept by a finalizer holds the owner", true, true},
      {"a dependent that does not block is marked but not waited for", false, false},
  };
  StartCollector();
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    SCOPED_TRACE(row.name);
    const std::string n = std::to_string(i);
    const TestObject owner{kReplicaSetKind, "default", "owner-" + n, "uid-owner-" + n};
    const TestObject pod{kPodKind, "default", "held-" + n, "uid-held-" + n};
    // Given an owner and a dependent that a user finalizer keeps.
    Create(owner);
    Create(pod, {owner.Ref(row.block_owner_deletion)}, {std::string(kHold)});

    // When the owner is deleted in the foreground.
    DeleteAsClient(owner.Key(), PropagationPolicy::kForeground);

    // Then the dependent is marked and stays; the owner waits only for a blocking one.
    EXPECT_TRUE(WaitUntil([&] { return IsMarked(Read(pod.Key())); }, "the dependent is marked"));
    ASSERT_TRUE(Idle());
    EXPECT_TRUE(Exists(pod.Key()));
    EXPECT_EQ(Exists(owner.Key()), row.owner_waits);

    // When the finalizer is removed, both are gone.
    RemoveFinalizerAsClient(pod.Key(), kHold);
    EXPECT_TRUE(WaitUntil([&] { return !Exists(owner.Key()) && !Exists(pod.Key()); },
                          "the owner and the dependent are removed"));
  }
}

TEST_F(GarbageCollectorTest, BackgroundDoesNotWaitForADependentWithAFinalizer) {
  // Given a dependent kept by a user finalizer, whose reference would block in the foreground.
  Create(replica_set_);
  Create(pod_a_, {replica_set_.Ref(true)}, {std::string(kHold)});
  StartCollector();

  // When the owner is deleted in the background.
  DeleteAsClient(replica_set_.Key(), PropagationPolicy::kBackground);

  // Then the owner is gone and the dependent is marked, kept until its finalizer is removed.
  EXPECT_FALSE(Exists(replica_set_.Key()));
  EXPECT_TRUE(WaitUntil([&] { return IsMarked(Read(pod_a_.Key())); }, "the dependent is marked"));
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(Exists(pod_a_.Key()));
  RemoveFinalizerAsClient(pod_a_.Key(), kHold);
  EXPECT_FALSE(Exists(pod_a_.Key()));
}

TEST_F(GarbageCollectorTest, OrphanRemovesReferencesAndKeepsDependents) {
  // Given a ReplicaSet owning a Pod alone and a Pod together with a Rollout.
  Create(rollout_);
  Create(replica_set_);
  Create(pod_a_, {replica_set_.Ref(true)});
  Create(pod_b_, {replica_set_.Ref(), rollout_.Ref()});
  StartCollector();

  // When the ReplicaSet is deleted with the Orphan policy.
  DeleteAsClient(replica_set_.Key(), PropagationPolicy::kOrphan);

  // Then it is removed, and its dependents stay without references to it.
  EXPECT_TRUE(WaitUntil([&] { return !Exists(replica_set_.Key()); }, "the owner is removed"));
  ASSERT_TRUE(Idle());
  json::Value pod_a = Read(pod_a_.Key());
  json::Value pod_b = Read(pod_b_.Key());
  ASSERT_FALSE(pod_a.is_null()) << "an orphaned dependent is not deleted";
  ASSERT_FALSE(pod_b.is_null()) << "an orphaned dependent is not deleted";
  EXPECT_EQ(pod_a.Find("metadata")->Find("ownerReferences"), nullptr);
  EXPECT_EQ(OwnerUids(pod_b), std::set<std::string>{rollout_.uid});
}

TEST_F(GarbageCollectorTest, RestartDeletesDependentsOfOwnersRemovedWhileStopped) {
  // Given owners and dependents, and a collector that ran and stopped.
  Create(replica_set_);
  Create(pod_a_, {replica_set_.Ref()});
  Create(pod_b_, {replica_set_.Ref()});
  StartCollector();
  ASSERT_TRUE(Idle());
  gc_.reset();

  // When the owner is removed while no collector runs, and the server restarts.
  DeleteAsClient(replica_set_.Key(), PropagationPolicy::kBackground);
  ReopenStore();

  // Then a new collector deletes the dependents.
  StartCollector();
  EXPECT_TRUE(WaitUntil([&] { return !Exists(pod_a_.Key()) && !Exists(pod_b_.Key()); },
                        "the dependents are deleted"));
}

TEST_F(GarbageCollectorTest, RestartResumesPendingForegroundAndOrphanWork) {
  // Given owners marked for foreground and orphan deletion while no collector ran.
  const TestObject orphaned{kPodKind, "default", "orphaned", "uid-orphaned"};
  Create(rollout_);
  Create(replica_set_, {rollout_.Ref(true)});
  Create(pod_a_, {replica_set_.Ref(true)});
  const TestObject other_rs{kReplicaSetKind, "default", "other", "uid-other"};
  Create(other_rs);
  Create(orphaned, {other_rs.Ref()});
  DeleteAsClient(rollout_.Key(), PropagationPolicy::kForeground);
  DeleteAsClient(other_rs.Key(), PropagationPolicy::kOrphan);
  ReopenStore();

  // When a collector starts.
  StartCollector();

  // Then the foreground chain is deleted and the orphan keeps its dependent.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return !Exists(rollout_.Key()) && !Exists(replica_set_.Key()) && !Exists(pod_a_.Key()) &&
               !Exists(other_rs.Key());
      },
      "the marked owners and the foreground dependents are removed"));
  ASSERT_TRUE(Idle());
  json::Value pod = Read(orphaned.Key());
  ASSERT_FALSE(pod.is_null());
  EXPECT_TRUE(OwnerUids(pod).empty());
}

// A user write that lands between the collector's read and its write must win: the collector's
// write fails its precondition, and it decides again from the new state.
TEST_F(GarbageCollectorTest, ConcurrentNewOwnerSavesTheDependent) {
  // Given a Pod whose only owner is about to go, and another ReplicaSet.
  const TestObject adopter{kReplicaSetKind, "default", "adopter", "uid-adopter"};
  Create(replica_set_);
  Create(adopter);
  Create(pod_a_, {replica_set_.Ref()});
  InterposingStore interposing(store());
  StartCollector(interposing);
  ASSERT_TRUE(Idle());

  // When the owner is deleted and, just before the collector deletes the Pod, a user adds a
  // reference to the other ReplicaSet.
  interposing.Arm(pod_a_.Key(), [&] {
    StoredObject stored = store().Get(pod_a_.Key()).value();
    json::Value pod = json::Parse(stored.json).value();
    pod["metadata"]["ownerReferences"].as_array().push_back(adopter.Ref());
    ASSERT_TRUE(store().Update(pod_a_.Key(), json::Write(pod), {}).ok());
  });
  DeleteAsClient(replica_set_.Key(), PropagationPolicy::kBackground);

  // Then the Pod is kept, with only the new owner's reference.
  EXPECT_TRUE(WaitUntil(
      [&] {
        json::Value pod = Read(pod_a_.Key());
        return pod.is_null() || OwnerUids(pod) == std::set<std::string>{adopter.uid};
      },
      "the stale reference is removed"));
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(interposing.Fired());
  EXPECT_TRUE(Exists(pod_a_.Key())) << "the collector deleted a Pod that had been adopted";
}

TEST_F(GarbageCollectorTest, ConcurrentUserUpdateIsNotOverwritten) {
  // Given a Pod with two owners.
  const TestObject other{kReplicaSetKind, "default", "other", "uid-other"};
  Create(replica_set_);
  Create(other);
  Create(pod_a_, {replica_set_.Ref(), other.Ref()});
  InterposingStore interposing(store());
  StartCollector(interposing);
  ASSERT_TRUE(Idle());

  // When one owner is deleted and, just before the collector removes the reference, a user
  // labels the Pod.
  interposing.Arm(pod_a_.Key(), [&] {
    StoredObject stored = store().Get(pod_a_.Key()).value();
    json::Value pod = json::Parse(stored.json).value();
    pod["metadata"]["labels"] = json::Object{{"team", "payments"}};
    ASSERT_TRUE(store().Update(pod_a_.Key(), json::Write(pod), {}).ok());
  });
  DeleteAsClient(replica_set_.Key(), PropagationPolicy::kBackground);

  // Then the Pod has both the label and only the remaining owner's reference.
  EXPECT_TRUE(
      WaitUntil([&] { return OwnerUids(Read(pod_a_.Key())) == std::set<std::string>{other.uid}; },
                "the reference to the deleted owner is removed"));
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(interposing.Fired());
  json::Value pod = Read(pod_a_.Key());
  const json::Value* labels = pod.Find("metadata")->Find("labels");
  ASSERT_NE(labels, nullptr) << "the collector overwrote the user's update";
  EXPECT_EQ(*labels, json::Value(json::Object{{"team", "payments"}}));
}

TEST_F(GarbageCollectorTest, FailedWritesAreRetriedUntilTheySucceed) {
  // Given a collector whose next writes fail.
  Create(replica_set_);
  Create(pod_a_, {replica_set_.Ref()});
  InterposingStore interposing(store());
  StartCollector(interposing);
  ASSERT_TRUE(Idle());
  interposing.FailNextWrites(3);

  // When the owner is deleted, the dependent still goes.
  DeleteAsClient(replica_set_.Key(), PropagationPolicy::kBackground);
  EXPECT_TRUE(WaitUntil([&] { return !Exists(pod_a_.Key()); }, "the dependent is deleted"));
  EXPECT_EQ(interposing.FailuresLeft(), 0);
}

TEST_F(GarbageCollectorTest, ForegroundNamespaceWaitsForItsSpecFinalizers) {
  // Given a Namespace with the namespace controller's spec finalizer, deleted in the
  // foreground.
  const TestObject ns{kNamespaceKind, "", "team", "uid-team"};
  json::Value doc = json::Parse(TestDoc(ns)).value();
  doc.as_object().Set("spec", json::Object{{"finalizers", json::Array{"kubernetes"}}});
  ASSERT_TRUE(store().Create(ns.Key(), json::Write(doc)).ok());
  StartCollector();
  DeleteAsClient(ns.Key(), PropagationPolicy::kForeground);

  // Then the collector removes its own finalizer but leaves the Namespace to the namespace
  // controller.
  EXPECT_TRUE(WaitUntil(
      [&] {
        json::Value object = Read(ns.Key());
        return object.is_null() || !HasFinalizer(object, kForegroundDeletionFinalizer);
      },
      "the foregroundDeletion finalizer is removed"));
  ASSERT_TRUE(Idle());
  EXPECT_TRUE(Exists(ns.Key())) << "a Namespace was removed before its spec.finalizers emptied";
}

TEST_F(GarbageCollectorTest, ReferenceToAnotherNamespaceOrUnknownKindIsHandled) {
  struct Row {
    std::string name;
    TestObject dependent;
    json::Value ref;
    bool collected;
  };
  // A ReplicaSet of the same name and uid exists in "default" only.
  Create(replica_set_);
  const TestObject in_other_ns{kPodKind, "elsewhere", "cross", "uid-cross"};
  const TestObject unknown_kind{kPodKind, "default", "unknown", "uid-unknown"};
  const json::Value widget_ref = json::Object{
      {"apiVersion", "example.com/v1"}, {"kind", "Widget"}, {"name", "w"}, {"uid", "uid-widget"}};
  const std::vector<Row> rows = {
      {"a namespaced owner is looked up in the dependent's namespace", in_other_ns,
       replica_set_.Ref(), true},
      {"an owner of a kind the catalog does not know is taken to exist", unknown_kind, widget_ref,
       false},
  };
  for (const Row& row : rows) Create(row.dependent, {row.ref});
  StartCollector();
  for (const Row& row : rows) {
    if (row.collected) {
      EXPECT_TRUE(WaitUntil([&] { return !Exists(row.dependent.Key()); }, row.name));
    }
  }
  ASSERT_TRUE(Idle());
  for (const Row& row : rows) {
    EXPECT_EQ(Exists(row.dependent.Key()), !row.collected) << row.name;
  }
}

}  // namespace
}  // namespace devflow::apiserver
