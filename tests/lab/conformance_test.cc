// One conformance suite, two servers (issue 8): every test here runs against devflow's embedded
// server and against the real kube-apiserver + kube-controller-manager + etcd of the kube lab,
// from this one source. A behaviour that passes on one and fails on the other is a divergence:
// fixed in the embedded server, or listed in docs/kubernetes-compatibility.md with its reason.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/eventually_testing.h"
#include "common/json_value.h"
#include "kube/api_error.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/leader_election.h"
#include "kube/list_watcher.h"
#include "server_under_test.h"

namespace devflow::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

json::Value SecretObject(const std::string& name, json::Object labels = {}) {
  json::Object metadata{{"name", name}};
  if (!labels.empty()) metadata.Set("labels", std::move(labels));
  return json::Object{{"apiVersion", "v1"},
                      {"kind", "Secret"},
                      {"metadata", std::move(metadata)},
                      {"type", "Opaque"},
                      {"stringData", json::Object{{"k", "v"}}}};
}

std::string Meta(const json::Value& object, const char* member) {
  const json::Value* metadata = object.Find("metadata");
  const json::Value* value = metadata == nullptr ? nullptr : metadata->Find(member);
  if (value == nullptr) return "";
  return value->is_string() ? value->as_string() : json::Write(*value);
}

json::Value Owned(json::Value object, const json::Value& owner, bool block) {
  json::Object reference{{"apiVersion", owner.Find("apiVersion")->as_string()},
                         {"kind", owner.Find("kind")->as_string()},
                         {"name", Meta(owner, "name")},
                         {"uid", Meta(owner, "uid")}};
  if (block) reference.Set("blockOwnerDeletion", true);
  object["metadata"].as_object().Set("ownerReferences", json::Array{json::Value(reference)});
  return object;
}

std::vector<std::string> Names(const kube::ObjectList& list) {
  std::vector<std::string> names;
  for (const json::Value& item : list.items) names.push_back(Meta(item, "name"));
  return names;
}

class ConformanceTest : public ::testing::TestWithParam<ServerKind> {
 protected:
  void SetUp() override {
    std::string why;
    bool skip = false;
    server_ = ServerUnderTest::Open(GetParam(), &why, &skip);
    if (skip) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
    ns_ = server_->NewNamespace("conf");
  }
  kube::ApiClient& client() { return server_->client(); }
  bool Exists(const kube::ResourceRef& resource, const std::string& name) {
    Result<json::Value> got = client().Get(resource, ns_, name);
    return got.ok();
  }
  json::Value MustCreate(const kube::ResourceRef& resource, const json::Value& object) {
    Result<json::Value> created = client().Create(resource, ns_, object);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : json::Value();
  }

  std::unique_ptr<ServerUnderTest> server_;
  std::string ns_;
};

TEST_P(ConformanceTest, CreateGetUpdateDelete) {
  json::Value created = MustCreate(kSecrets, SecretObject("crud"));
  EXPECT_FALSE(Meta(created, "uid").empty());
  EXPECT_FALSE(Meta(created, "resourceVersion").empty());
  EXPECT_FALSE(Meta(created, "creationTimestamp").empty());
  EXPECT_EQ(Meta(created, "namespace"), ns_);

  Result<json::Value> got = client().Get(kSecrets, ns_, "crud");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(Meta(*got, "uid"), Meta(created, "uid"));

  json::Value changed = *got;
  changed["metadata"].as_object().Set("labels", json::Object{{"tier", "web"}});
  Result<json::Value> updated = client().Update(kSecrets, ns_, changed);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_NE(Meta(*updated, "resourceVersion"), Meta(created, "resourceVersion"));
  EXPECT_EQ(Meta(*updated, "labels"), R"({"tier":"web"})");

  Result<json::Value> twice = client().Create(kSecrets, ns_, SecretObject("crud"));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists) << twice.status();

  ASSERT_TRUE(client().Delete(kSecrets, ns_, "crud").ok());
  Result<json::Value> gone = client().Get(kSecrets, ns_, "crud");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound) << gone.status();
}

TEST_P(ConformanceTest, ListsPageWithLimitAndContinue) {
  std::set<std::string> want;
  for (int i = 0; i < 5; ++i) {
    const std::string name = "page-" + std::to_string(i);
    MustCreate(kSecrets, SecretObject(name, {{"conformance", "paging"}}));
    want.insert(name);
  }
  kube::ListRequest request;
  request.label_selector = "conformance=paging";
  request.limit = 2;
  std::vector<std::string> seen;
  int pages = 0;
  do {
    Result<kube::ObjectList> page = client().List(kSecrets, ns_, request);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->items.size(), 2u);
    for (const std::string& name : Names(*page)) seen.push_back(name);
    request.continue_token = page->continue_token;
    ASSERT_LT(++pages, 10) << "the continue tokens never end";
  } while (!request.continue_token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), want);
  EXPECT_EQ(seen.size(), want.size()) << "an item came twice";
}

TEST_P(ConformanceTest, LabelAndFieldSelectors) {
  MustCreate(kSecrets, SecretObject("a", {{"tier", "web"}, {"track", "stable"}}));
  MustCreate(kSecrets, SecretObject("b", {{"tier", "web"}}));
  MustCreate(kSecrets, SecretObject("c", {{"tier", "db"}}));
  struct Row {
    const char* name;
    std::string labels;
    std::string fields;
    std::vector<std::string> want;
  };
  const Row rows[] = {
      {"equality", "tier=web", "", {"a", "b"}},
      {"set", "tier in (db,cache)", "", {"c"}},
      {"absence", "tier,!track", "", {"b", "c"}},
      {"field name", "", "metadata.name=b", {"b"}},
      {"field and label", "tier=web", "metadata.name!=a", {"b"}},
  };
  for (const Row& row : rows) {
    kube::ListRequest request;
    request.label_selector = row.labels;
    request.field_selector = row.fields;
    if (row.labels.empty()) request.label_selector = "tier";
    Result<kube::ObjectList> list = client().List(kSecrets, ns_, request);
    ASSERT_TRUE(list.ok()) << row.name << ": " << list.status();
    EXPECT_EQ(Names(*list), row.want) << row.name;
  }
  kube::ListRequest bad;
  bad.field_selector = "spec.nothing=x";
  Result<kube::ObjectList> refused = client().List(kSecrets, ns_, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status();
  EXPECT_NE(refused.status().message().find("field label not supported"), std::string::npos)
      << refused.status();
}

TEST_P(ConformanceTest, WatchFromAResourceVersionSeesChangesInOrder) {
  Result<kube::ObjectList> start = client().List(kSecrets, ns_);
  ASSERT_TRUE(start.ok()) << start.status();
  kube::WatchRequest request;
  request.resource_version = start->resource_version;
  request.label_selector = "conformance=watch";
  Result<std::unique_ptr<kube::WatchStream>> stream = client().Watch(kSecrets, ns_, request);
  ASSERT_TRUE(stream.ok()) << stream.status();

  json::Value created = MustCreate(kSecrets, SecretObject("w", {{"conformance", "watch"}}));
  json::Value changed = created;
  changed["metadata"]["labels"].as_object().Set("step", "2");
  ASSERT_TRUE(client().Update(kSecrets, ns_, changed).ok());
  ASSERT_TRUE(client().Delete(kSecrets, ns_, "w").ok());

  std::vector<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (seen.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    Result<std::optional<kube::WatchEvent>> event = (*stream)->Next(seconds(1));
    ASSERT_TRUE(event.ok()) << event.status();
    if (!event->has_value() || (*event)->type == kube::WatchEventType::kBookmark) continue;
    const char* type = (*event)->type == kube::WatchEventType::kAdded      ? "ADDED"
                       : (*event)->type == kube::WatchEventType::kModified ? "MODIFIED"
                                                                           : "DELETED";
    seen.push_back(std::string(type) + " " + Meta((*event)->object, "name") + " " +
                   Meta((*event)->object, "labels"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      R"(ADDED w {"conformance":"watch"})",
                      R"(MODIFIED w {"conformance":"watch","step":"2"})",
                      R"(DELETED w {"conformance":"watch","step":"2"})",
                  }));
  (*stream)->Cancel();
}

TEST_P(ConformanceTest, StaleUpdateConflictsAndRetryGetsThrough) {
  json::Value created =
      MustCreate(kLeases, json::Object{{"apiVersion", "coordination.k8s.io/v1"},
                                       {"kind", "Lease"},
                                       {"metadata", json::Object{{"name", "l"}}},
                                       {"spec", json::Object{{"holderIdentity", "a"}}}});
  json::Value fresh = created;
  fresh["spec"].as_object().Set("holderIdentity", "b");
  ASSERT_TRUE(client().Update(kLeases, ns_, fresh).ok());
  json::Value stale = created;
  stale["spec"].as_object().Set("holderIdentity", "c");
  Result<json::Value> refused = client().Update(kLeases, ns_, stale);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status();

  Result<json::Value> retried = kube::RetryOnConflict([&]() -> Result<json::Value> {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value current, client().Get(kLeases, ns_, "l"));
    current["spec"].as_object().Set("holderIdentity", "c");
    return client().Update(kLeases, ns_, current);
  });
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->Find("spec")->Find("holderIdentity")->as_string(), "c");
}

TEST_P(ConformanceTest, MergeAndJsonPatches) {
  MustCreate(kSecrets, SecretObject("p", {{"a", "1"}, {"b", "2"}}));
  json::Value merge = json::Object{
      {"metadata", json::Object{{"labels", json::Object{{"a", nullptr}, {"c", "3"}}}}}};
  Result<json::Value> merged = client().Patch(kSecrets, ns_, "p", kube::PatchType::kMerge, merge);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(Meta(*merged, "labels"), R"({"b":"2","c":"3"})");

  json::Value ops = json::Array{
      json::Object{{"op", "replace"}, {"path", "/metadata/labels/b"}, {"value", "20"}},
      json::Object{
          {"op", "add"}, {"path", "/metadata/annotations"}, {"value", json::Object{{"x", "y"}}}}};
  Result<json::Value> patched = client().Patch(kSecrets, ns_, "p", kube::PatchType::kJson, ops);
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ(Meta(*patched, "labels"), R"({"b":"20","c":"3"})");
  EXPECT_EQ(Meta(*patched, "annotations"), R"({"x":"y"})");

  // A JSON patch whose test fails changes nothing, not even the operations before it.
  json::Value bad =
      json::Array{json::Object{{"op", "add"}, {"path", "/metadata/labels/d"}, {"value", "4"}},
                  json::Object{{"op", "test"}, {"path", "/metadata/labels/b"}, {"value", "nope"}}};
  Result<json::Value> refused = client().Patch(kSecrets, ns_, "p", kube::PatchType::kJson, bad);
  EXPECT_FALSE(refused.ok());
  Result<json::Value> after = client().Get(kSecrets, ns_, "p");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(Meta(*after, "resourceVersion"), Meta(*patched, "resourceVersion"));
}

TEST_P(ConformanceTest, StatusSubresourceAndGeneration) {
  json::Value rollout = json::Object{
      {"apiVersion", "argoproj.io/v1alpha1"},
      {"kind", "Rollout"},
      {"metadata", json::Object{{"name", "web"}}},
      {"spec",
       json::Object{
           {"replicas", 1},
           {"selector", json::Object{{"matchLabels", json::Object{{"app", "web"}}}}},
           {"template",
            json::Object{
                {"metadata", json::Object{{"labels", json::Object{{"app", "web"}}}}},
                {"spec", json::Object{{"containers", json::Array{json::Object{
                                                         {"name", "web"}, {"image", "web:1"}}}}}}}},
           {"strategy", json::Object{{"canary", json::Object{}}}}}}};
  json::Value created = MustCreate(kRollouts, rollout);
  EXPECT_EQ(Meta(created, "generation"), "1");

  // A spec change bumps the generation; a status change through the main resource is ignored.
  json::Value changed = created;
  changed["spec"].as_object().Set("replicas", 3);
  changed.as_object().Set("status", json::Object{{"phase", "Healthy"}});
  Result<json::Value> updated = client().Update(kRollouts, ns_, changed);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(Meta(*updated, "generation"), "2");
  EXPECT_EQ(updated->Find("status"), nullptr) << json::Write(*updated);

  // The status subresource writes status only, and leaves the generation alone.
  json::Value with_status = *updated;
  with_status.as_object().Set("status", json::Object{{"phase", "Progressing"}});
  with_status["spec"].as_object().Set("replicas", 9);
  Result<json::Value> status = client().UpdateStatus(kRollouts, ns_, with_status);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(Meta(*status, "generation"), "2");
  EXPECT_EQ(json::StringAt(*status, {"status", "phase"}), "Progressing");
  EXPECT_EQ(json::Write(*status->Find("spec")->Find("replicas")), "3");
}

TEST_P(ConformanceTest, BackgroundDeletionRemovesDependents) {
  json::Value owner = MustCreate(kSecrets, SecretObject("owner"));
  MustCreate(kSecrets, Owned(SecretObject("dependent"), owner, false));
  ASSERT_TRUE(client().Delete(kSecrets, ns_, "owner").ok());
  EXPECT_FALSE(Exists(kSecrets, "owner"));
  EXPECT_TRUE(Eventually([&] { return !Exists(kSecrets, "dependent"); }, seconds(60)));
}

TEST_P(ConformanceTest, ForegroundDeletionKeepsOwnerUntilDependentsAreGone) {
  json::Value owner = MustCreate(kSecrets, SecretObject("owner"));
  json::Value dependent = Owned(SecretObject("dependent"), owner, true);
  dependent["metadata"].as_object().Set("finalizers", json::Array{json::Value("test.io/hold")});
  MustCreate(kSecrets, dependent);

  kube::DeleteRequest foreground;
  foreground.propagation_policy = "Foreground";
  ASSERT_TRUE(client().Delete(kSecrets, ns_, "owner", foreground).ok());
  ASSERT_TRUE(Eventually(
      [&] {
        Result<json::Value> d = client().Get(kSecrets, ns_, "dependent");
        return d.ok() && !Meta(*d, "deletionTimestamp").empty();
      },
      seconds(60)));
  Result<json::Value> waiting = client().Get(kSecrets, ns_, "owner");
  ASSERT_TRUE(waiting.ok()) << "the owner went before its blocking dependent";
  EXPECT_FALSE(Meta(*waiting, "deletionTimestamp").empty());
  EXPECT_EQ(Meta(*waiting, "finalizers"), R"(["foregroundDeletion"])");

  json::Value release = json::Object{{"metadata", json::Object{{"finalizers", nullptr}}}};
  ASSERT_TRUE(client().Patch(kSecrets, ns_, "dependent", kube::PatchType::kMerge, release).ok());
  EXPECT_TRUE(Eventually([&] { return !Exists(kSecrets, "dependent"); }, seconds(60)));
  EXPECT_TRUE(Eventually([&] { return !Exists(kSecrets, "owner"); }, seconds(60)));
}

TEST_P(ConformanceTest, FinalizersHoldAnObjectUntilRemoved) {
  json::Value held = SecretObject("held");
  held["metadata"].as_object().Set("finalizers", json::Array{json::Value("test.io/hold")});
  MustCreate(kSecrets, held);
  ASSERT_TRUE(client().Delete(kSecrets, ns_, "held").ok());
  Result<json::Value> marked = client().Get(kSecrets, ns_, "held");
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_FALSE(Meta(*marked, "deletionTimestamp").empty());
  EXPECT_EQ(Meta(*marked, "deletionGracePeriodSeconds"), "0");

  json::Value release = json::Object{{"metadata", json::Object{{"finalizers", nullptr}}}};
  ASSERT_TRUE(client().Patch(kSecrets, ns_, "held", kube::PatchType::kMerge, release).ok());
  EXPECT_FALSE(Exists(kSecrets, "held"));
}

TEST_P(ConformanceTest, DeletingANamespaceEmptiesItFirst) {
  const std::string doomed = server_->NewNamespace("doomed");
  ASSERT_TRUE(client().Create(kSecrets, doomed, SecretObject("inside")).ok());
  ASSERT_TRUE(client().Delete(kNamespaces, "", doomed).ok());
  Result<json::Value> terminating = client().Get(kNamespaces, "", doomed);
  if (terminating.ok()) {
    EXPECT_EQ(json::StringAt(*terminating, {"status", "phase"}), "Terminating");
    // No new objects in a terminating namespace (Forbidden), or in one already gone (NotFound).
    Result<json::Value> refused = client().Create(kSecrets, doomed, SecretObject("late"));
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(refused.status().code() == StatusCode::kPermissionDenied ||
                refused.status().code() == StatusCode::kNotFound)
        << refused.status();
  }
  EXPECT_TRUE(Eventually([&] { return !client().Get(kNamespaces, "", doomed).ok(); }, seconds(90)));
  EXPECT_FALSE(client().Get(kSecrets, doomed, "inside").ok());
}

TEST_P(ConformanceTest, CustomResourceDefinitionsServeTheirResources) {
  const std::string group = ServerUnderTest::UniqueName("conf") + ".example.com";
  const std::string crd_name = "gadgets." + group;
  json::Value crd = json::Object{
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", json::Object{{"name", crd_name}}},
      {"spec",
       json::Object{
           {"group", group},
           {"scope", "Namespaced"},
           {"names", json::Object{{"plural", "gadgets"},
                                  {"singular", "gadget"},
                                  {"kind", "Gadget"},
                                  {"listKind", "GadgetList"}}},
           {"versions",
            json::Array{json::Object{
                {"name", "v1"},
                {"served", true},
                {"storage", true},
                {"schema", json::Object{{"openAPIV3Schema",
                                         json::Object{{"type", "object"},
                                                      {"x-kubernetes-preserve-unknown-fields",
                                                       true}}}}}}}}}}};
  ASSERT_TRUE(client().Create(kCrds, "", crd).ok());
  ASSERT_TRUE(Eventually(
      [&] {
        Result<json::Value> got = client().Get(kCrds, "", crd_name);
        if (!got.ok()) return false;
        const json::Value* conditions = got->Find("status");
        conditions = conditions == nullptr ? nullptr : conditions->Find("conditions");
        if (conditions == nullptr || !conditions->is_array()) return false;
        for (const json::Value& c : conditions->as_array()) {
          if (json::StringAt(c, {"type"}) == "Established" &&
              json::StringAt(c, {"status"}) == "True") {
            return true;
          }
        }
        return false;
      },
      seconds(60)));
  const kube::ResourceRef gadgets{group, "v1", "gadgets", "Gadget", true};
  json::Value gadget = json::Object{{"apiVersion", group + "/v1"},
                                    {"kind", "Gadget"},
                                    {"metadata", json::Object{{"name", "g1"}}},
                                    {"spec", json::Object{{"size", 3}}}};
  // Discovery of a new group can lag establishment by a moment on kube-apiserver.
  ASSERT_TRUE(Eventually([&] { return client().Create(gadgets, ns_, gadget).ok(); }, seconds(30)));
  Result<kube::ObjectList> list = client().List(gadgets, ns_);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(Names(*list), std::vector<std::string>{"g1"});
  EXPECT_EQ(json::Write(*list->items[0].Find("spec")), R"({"size":3})");

  ASSERT_TRUE(client().Delete(kCrds, "", crd_name).ok());
  EXPECT_TRUE(Eventually([&] { return !client().Get(kCrds, "", crd_name).ok(); }, seconds(60)));
  EXPECT_TRUE(Eventually([&] { return !client().List(gadgets, ns_).ok(); }, seconds(60)));
}

TEST_P(ConformanceTest, RepeatedEventsAreOneEventWithACount) {
  json::Value subject = MustCreate(kSecrets, SecretObject("subject"));
  auto sink = kube::NewEventSink(client());
  kube::EventRecorder recorder(*sink, {.component = "devflow-conformance"});
  for (int i = 0; i < 3; ++i) {
    recorder.Record(subject, kube::EventType::kNormal, "Probed", "probe passed");
    recorder.Flush();
  }
  recorder.Record(subject, kube::EventType::kWarning, "Probed", "probe failed");
  recorder.Flush();
  Result<kube::ObjectList> stored = client().ListAll(kEvents, ns_);
  ASSERT_TRUE(stored.ok()) << stored.status();
  std::map<std::string, int64_t> counts;
  for (const json::Value& event : stored->items) {
    if (json::StringAt(event, {"source", "component"}) != "devflow-conformance") continue;
    counts[event.Find("message")->as_string()] = event.Find("count")->as_int();
    EXPECT_EQ(json::StringAt(event, {"involvedObject", "uid"}), Meta(subject, "uid"));
  }
  EXPECT_EQ(counts, (std::map<std::string, int64_t>{{"probe failed", 1}, {"probe passed", 3}}));
}

TEST_P(ConformanceTest, OneOfTwoContendersLeadsAndTheOtherTakesOver) {
  std::atomic<int> leading{0};
  std::atomic<int> most_leading{0};
  std::atomic<int> became_leader{0};
  auto make = [&](const std::string& identity, kube::LeaseLock& lock) {
    kube::LeaderElectionConfig config;
    config.identity = identity;
    config.lease_duration = milliseconds(2000);
    config.renew_deadline = milliseconds(1500);
    config.retry_period = milliseconds(200);
    config.callbacks.on_started_leading = [&] {
      int now = leading.fetch_add(1) + 1;
      int seen = most_leading.load();
      while (now > seen && !most_leading.compare_exchange_weak(seen, now)) {
      }
      became_leader.fetch_add(1);
    };
    config.callbacks.on_stopped_leading = [&] { leading.fetch_sub(1); };
    Result<std::unique_ptr<kube::LeaderElector>> elector =
        kube::LeaderElector::Create(lock, config);
    EXPECT_TRUE(elector.ok()) << elector.status();
    return std::move(elector).value();
  };
  auto lock_a = kube::NewLeaseLock(client(), ns_, "devflow-controller");
  auto lock_b = kube::NewLeaseLock(client(), ns_, "devflow-controller");
  auto a = make("a", *lock_a);
  auto b = make("b", *lock_b);
  std::thread run_a([&] { a->Run(); });
  std::thread run_b([&] { b->Run(); });
  ASSERT_TRUE(Eventually([&] { return became_leader.load() == 1; }));
  kube::LeaderElector& leader = a->IsLeader() ? *a : *b;
  kube::LeaderElector& follower = a->IsLeader() ? *b : *a;
  // The leader stops without releasing: the follower takes over once the lease expires.
  leader.Stop();
  EXPECT_TRUE(Eventually([&] { return follower.IsLeader(); }));
  // IsLeader turns true when the lease is won, just before on_started_leading runs.
  EXPECT_TRUE(Eventually([&] { return became_leader.load() == 2; })) << became_leader.load();
  EXPECT_EQ(most_leading.load(), 1) << "two leaders at once";
  follower.Stop();
  run_a.join();
  run_b.join();
}

TEST_P(ConformanceTest, InformerListsThenFollows) {
  MustCreate(kSecrets, SecretObject("before", {{"conformance", "informer"}}));
  kube::Informer informer(kube::NewListerWatcher(client(), kSecrets, ns_), {});
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(seconds(30))) << informer.LastError();
  EXPECT_TRUE(informer.cache().Get(ns_ + "/before").has_value());
  MustCreate(kSecrets, SecretObject("after"));
  ASSERT_TRUE(client().Delete(kSecrets, ns_, "before").ok());
  EXPECT_TRUE(Eventually([&] {
    return informer.cache().Get(ns_ + "/after").has_value() &&
           !informer.cache().Get(ns_ + "/before").has_value();
  }));
  informer.Stop();
}

INSTANTIATE_TEST_SUITE_P(Servers, ConformanceTest,
                         ::testing::Values(ServerKind::kEmbedded, ServerKind::kReal),
                         [](const ::testing::TestParamInfo<ServerKind>& info) {
                           return ServerKindName(info.param);
                         });

}  // namespace
}  // namespace devflow::testing
