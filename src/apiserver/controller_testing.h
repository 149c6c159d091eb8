// Helpers for the tests of the background controllers (garbage collector, namespace
// controller): a real SqliteStore in a temp dir, objects written straight to it, DELETE and
// finalizer removal as the REST layer does them, polling with a deadline, and a store wrapper
// that writes concurrently just before a controller's write or fails its writes.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "apiserver/deletion_rules.h"
#include "apiserver/forwarding_store_testing.h"
#include "apiserver/garbage_collector.h"
#include "apiserver/object_store.h"
#include "apiserver/resource_catalog.h"
#include "apiserver/sqlite_store.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "common/json_value.h"

namespace devflow::apiserver {

inline constexpr std::string_view kTestNow = "2026-11-23T10:00:00Z";

// A kind as objects name it and as the store keys it.
struct TestKind {
  std::string api_version;
  std::string kind;
  std::string resource;
};
inline const TestKind kRolloutKind{"argoproj.io/v1alpha1", "Rollout", "argoproj.io/rollouts"};
inline const TestKind kReplicaSetKind{"apps/v1", "ReplicaSet", "apps/replicasets"};
inline const TestKind kPodKind{"v1", "Pod", "pods"};
inline const TestKind kServiceKind{"v1", "Service", "services"};
inline const TestKind kSecretKind{"v1", "Secret", "secrets"};
inline const TestKind kNamespaceKind{"v1", "Namespace", "namespaces"};

// An object to write: an ownerReference to it is made with Ref().
struct TestObject {
  TestKind kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  ObjectKey Key() const { return ObjectKey{kind.resource, namespace_, name}; }
  json::Value Ref(bool block_owner_deletion = false) const {
    json::Object ref{
        {"apiVersion", kind.api_version}, {"kind", kind.kind}, {"name", name}, {"uid", uid}};
    if (block_owner_deletion) ref.Set("blockOwnerDeletion", true);
    return ref;
  }
};

// A stored document: metadata with uid, ownerReferences and finalizers when given, and spec.
inline std::string TestDoc(const TestObject& object, const json::Array& owner_refs = {},
                           const std::vector<std::string>& finalizers = {}) {
  json::Object metadata{{"name", object.name}, {"uid", object.uid}};
  if (!object.namespace_.empty()) metadata.Set("namespace", object.namespace_);
  if (!owner_refs.empty()) metadata.Set("ownerReferences", owner_refs);
  if (!finalizers.empty()) {
    json::Array list;
    for (const std::string& f : finalizers) list.push_back(json::Value(f));
    metadata.Set("finalizers", std::move(list));
  }
  json::Object doc{{"apiVersion", object.kind.api_version},
                   {"kind", object.kind.kind},
                   {"metadata", std::move(metadata)},
                   {"spec", json::Object{{"replicas", 1}}}};
  return json::Write(json::Value(std::move(doc)));
}

// Uids of metadata.ownerReferences.
inline std::set<std::string> OwnerUids(const json::Value& object) {
  std::set<std::string> uids;
  const json::Value* refs = object.Find("metadata")->Find("ownerReferences");
  if (refs == nullptr) return uids;
  for (const json::Value& ref : refs->as_array()) uids.insert(ref.Find("uid")->as_string());
  return uids;
}

inline bool IsMarked(const json::Value& object) { return IsMarkedForDeletion(object); }

// Forwards to another store; before the first Update or Delete of `key` after Arm(), runs the
// armed action (a concurrent user write through the inner store).
class InterposingStore final : public ForwardingStore {
 public:
  explicit InterposingStore(ObjectStore& inner) : ForwardingStore(inner) {}

  void Arm(ObjectKey key, std::function<void()> action) {
    std::lock_guard lock(mu_);
    key_ = std::move(key);
    action_ = std::move(action);
  }
  bool Fired() {
    std::lock_guard lock(mu_);
    return fired_;
  }
  // Makes the next `count` Updates and Deletes fail with Unavailable, writing nothing.
  void FailNextWrites(int count) {
    std::lock_guard lock(mu_);
    failures_left_ = count;
  }
  int FailuresLeft() {
    std::lock_guard lock(mu_);
    return failures_left_;
  }

  Result<StoredObject> Update(const ObjectKey& key, std::string_view json,
                              const Preconditions& preconditions) override {
    if (Status failure = BeforeWrite(key); !failure.ok()) return failure;
    return ForwardingStore::Update(key, json, preconditions);
  }
  Result<StoredObject> Delete(const ObjectKey& key, const Preconditions& preconditions) override {
    if (Status failure = BeforeWrite(key); !failure.ok()) return failure;
    return ForwardingStore::Delete(key, preconditions);
  }

 private:
  Status BeforeWrite(const ObjectKey& key) {
    std::function<void()> action;
    {
      std::lock_guard lock(mu_);
      if (failures_left_ > 0) {
        --failures_left_;
        return UnavailableError("injected failure writing " + ToString(key));
      }
      if (!action_ || key != key_) return Status::Ok();
      action = std::move(action_);
      action_ = nullptr;
      fired_ = true;
    }
    action();
    return Status::Ok();
  }

  std::mutex mu_;
  ObjectKey key_;
  std::function<void()> action_;
  bool fired_ = false;
  int failures_left_ = 0;
};

class ControllerTest : public ::testing::Test {
 protected:
  ControllerTest() : store_(OpenOrDie(dir_.File("store.db"))) {}

  SqliteStore& store() { return *store_; }
  const ResourceCatalog& catalog() const { return catalog_; }

  // Closes and reopens the store file, as a restarted server would. REQUIRES: nothing uses the
  // store.
  void ReopenStore() {
    store_.reset();
    store_ = OpenOrDie(dir_.File("store.db"));
  }

  void Create(const TestObject& object, const json::Array& owner_refs = {},
              const std::vector<std::string>& finalizers = {}) {
    Result<StoredObject> created =
        store_->Create(object.Key(), TestDoc(object, owner_refs, finalizers));
    ASSERT_TRUE(created.ok()) << ToString(object.Key()) << ": " << created.error();
  }

  bool Exists(const ObjectKey& key) { return store_->Get(key).ok(); }

  // The stored object; null when absent.
  json::Value Read(const ObjectKey& key) {
    Result<StoredObject> stored = store_->Get(key);
    if (!stored.ok()) return nullptr;
    return json::Parse(stored->json).value();
  }

  // What a DELETE request with `policy` does (deletion_rules.h), written straight to the store.
  void DeleteAsClient(const ObjectKey& key, PropagationPolicy policy) {
    Result<StoredObject> stored = store_->Get(key);
    ASSERT_TRUE(stored.ok()) << stored.error();
    json::Value object = json::Parse(stored->json).value();
    DeletePlan plan = PlanDelete(object, policy, kTestNow);
    Status status = plan.remove_now ? store_->Delete(key, {}).status()
                                    : store_->Update(key, json::Write(plan.marked), {}).status();
    ASSERT_TRUE(status.ok()) << ToString(key) << ": " << status;
  }

  // What an update removing `finalizer` does: it removes the object once nothing holds it.
  void RemoveFinalizerAsClient(const ObjectKey& key, std::string_view finalizer) {
    Result<StoredObject> stored = store_->Get(key);
    ASSERT_TRUE(stored.ok()) << stored.error();
    json::Value object = WithoutFinalizer(json::Parse(stored->json).value(), finalizer);
    Status status = ShouldRemove(key, object)
                        ? store_->Delete(key, {}).status()
                        : store_->Update(key, json::Write(object), {}).status();
    ASSERT_TRUE(status.ok()) << ToString(key) << ": " << status;
  }

  // Polls `condition` for up to 20 s (devflow::testing::Eventually).
  static ::testing::AssertionResult WaitUntil(const std::function<bool()>& condition,
                                              const std::string& what) {
    if (devflow::testing::Eventually(condition)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "still not true after 20 s: " << what;
  }

  static constexpr std::chrono::milliseconds kIdleTimeout{20000};

 private:
  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  ResourceCatalog catalog_;
};

}  // namespace devflow::apiserver
