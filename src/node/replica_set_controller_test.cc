// ReplicaSetController against the embedded API server (apiserver/api_server.h) over real HTTP:
// the test plays the user (kubectl-like writes) and the kubelet (pod status writes), and checks
// what the controller writes back: pods, ReplicaSet status and events.
#include "node/replica_set_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
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
#include "kube/typed_client.h"

namespace devflow::node {
namespace {

using devflow::testing::Eventually;
using std::chrono::seconds;

constexpr char kNs[] = "default";

json::Value Json(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) http::testing::DieInSetup(value.error());
  return std::move(value).value();
}

// "bbbbb" while *taken is true, then "ccccc", "ccccd", ... Thread-safe.
NameSuffixSource TakenNameFirst(std::shared_ptr<std::atomic<bool>> taken) {
  auto next = std::make_shared<std::atomic<int>>(0);
  return [taken, next] {
    if (taken->load()) return std::string("bbbbb");
    return std::string("cccc") + "cdfghjklmn"[next->fetch_add(1) % 10];
  };
}

class ReplicaSetControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apiserver::ApiServerOptions options;
    options.data_dir = dir_.File("data");
    options.listen = "127.0.0.1:0";
    options.bookmark_interval = std::chrono::hours(1);
    auto server = apiserver::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();

    auto client = apiserver::api_server_testing::ConnectClient(*server_, kNs);
    ASSERT_TRUE(client.ok()) << client.error();
    client_ = std::move(client).value();
    sink_ = kube::NewEventSink(*client_);
    recorder_ = std::make_unique<kube::EventRecorder>(
        *sink_, kube::EventRecorderOptions{.component = "replicaset-controller"});
  }

  void TearDown() override {
    StopController();
    if (recorder_) recorder_->Shutdown();
  }

  // A new informer factory and controller, as a fresh `devflow serve` makes them.
  void StartController(const kube::Clock* clock = nullptr, NameSuffixSource names = {}) {
    informers_ = std::make_unique<kube::InformerFactory>(*client_);
    controller_ =
        ReplicaSetController::Start(*client_, *informers_,
                                    ReplicaSetControllerOptions{.workers = 2,
                                                                .clock = clock,
                                                                .recorder = recorder_.get(),
                                                                .name_suffixes = std::move(names)});
    informers_->Start();
  }

  void StopController() {
    controller_.reset();
    informers_.reset();
  }

  // ---- The user ----

  void CreateReplicaSet(int replicas, int min_ready_seconds = 0,
                        const std::string& finalizer = "") {
    json::Value rs = Json(R"({"apiVersion":"apps/v1","kind":"ReplicaSet",
      "metadata":{"name":"web","namespace":"default"},
      "spec":{"selector":{"matchLabels":{"app":"web"}},
        "template":{"metadata":{"labels":{"app":"web","tier":"front"},
                                "annotations":{"note":"hello"}},
                    "spec":{"containers":[{"name":"web","image":"web:v1"}]}}}})");
    rs["spec"]["replicas"] = replicas;
    rs["spec"]["minReadySeconds"] = min_ready_seconds;
    if (!finalizer.empty()) rs["metadata"]["finalizers"] = json::Array{json::Value(finalizer)};
    auto created = client_->Create(rs_resource_, kNs, rs);
    ASSERT_TRUE(created.ok()) << created.error();
  }

  void PatchReplicaSet(const std::string& patch) {
    auto patched = client_->Patch(rs_resource_, kNs, "web", kube::PatchType::kMerge, Json(patch));
    ASSERT_TRUE(patched.ok()) << patched.error();
  }

  void CreatePod(const std::string& name, const std::string& app_label) {
    json::Value pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"default"},
      "spec":{"containers":[{"name":"web","image":"web:v1"}]}})");
    pod["metadata"]["name"] = name;
    pod["metadata"]["labels"] = json::Object{{"app", app_label}, {"tier", "front"}};
    auto created = client_->Create(pod_resource_, kNs, pod);
    ASSERT_TRUE(created.ok()) << created.error();
  }

  void DeletePod(const std::string& name) {
    auto deleted = client_->Delete(pod_resource_, kNs, name);
    ASSERT_TRUE(deleted.ok()) << deleted.error();
  }

  kube::TypedClient<api::Pod> Pods() { return kube::TypedClient<api::Pod>(*client_); }

  // ---- The kubelet ----

  // Writes the pod's status as a kubelet whose readiness probe passed at `since`.
  void MarkReady(const std::string& name, api::TimePoint since) {
    auto written = kube::RetryOnConflict([&]() -> Result<json::Value> {
      DEVFLOW_ASSIGN_OR_RETURN(api::Pod pod, Pods().Get(kNs, name));
      pod.status.phase = "Running";
      pod.status.conditions = {
          api::PodCondition{.type = "Ready",
                            .status = "True",
                            .last_transition_time = {std::chrono::floor<seconds>(since)}}};
      DEVFLOW_ASSIGN_OR_RETURN(api::Pod stored, Pods().UpdateStatus(kNs, pod));
      return api::Encode(stored);
    });
    ASSERT_TRUE(written.ok()) << written.error();
  }

  // ---- Observations ----

  api::ReplicaSet ReadReplicaSet() {
    auto rs = kube::TypedClient<api::ReplicaSet>(*client_).Get(kNs, "web");
    if (!rs.ok()) ADD_FAILURE() << rs.error();
    return rs.ok() ? *rs : api::ReplicaSet{};
  }

  // The pods of the namespace that are not being deleted, by name.
  std::vector<api::Pod> ActivePods() {
    std::vector<api::Pod> out;
    auto list = Pods().List(kNs);
    if (!list.ok()) {
      ADD_FAILURE() << list.error();
      return out;
    }
    for (api::Pod& pod : list->items) {
      if (pod.metadata.deletion_timestamp == api::Time{}) out.push_back(std::move(pod));
    }
    std::sort(out.begin(), out.end(), [](const api::Pod& a, const api::Pod& b) {
      return a.metadata.name < b.metadata.name;
    });
    return out;
  }

  std::vector<std::string> ActivePodNames() {
    std::vector<std::string> names;
    for (const api::Pod& pod : ActivePods()) names.push_back(pod.metadata.name);
    return names;
  }

  // The pods the ReplicaSet controls (controller ownerReference with its uid).
  std::vector<std::string> OwnedPodNames() {
    const std::string uid = ReadReplicaSet().metadata.uid;
    std::vector<std::string> names;
    for (const api::Pod& pod : ActivePods()) {
      const api::OwnerReference* ref = ControllerOf(pod.metadata);
      if (ref != nullptr && ref->uid == uid) names.push_back(pod.metadata.name);
    }
    return names;
  }

  // "Reason: message" of every event about the ReplicaSet.
  std::set<std::string> Events() {
    std::set<std::string> out;
    auto list = kube::TypedClient<api::Event>(*client_).List(kNs);
    if (!list.ok()) return out;
    for (const api::Event& event : list->items) {
      if (event.involved_object.kind == "ReplicaSet" && event.involved_object.name == "web") {
        out.insert(event.reason + ": " + event.message);
      }
    }
    return out;
  }

  bool HasEvent(const std::string& reason_and_message) {
    return Events().count(reason_and_message) != 0;
  }

  static const api::ReplicaSetCondition* FailureCondition(const api::ReplicaSetStatus& status) {
    for (const api::ReplicaSetCondition& c : status.conditions) {
      if (c.type == "ReplicaFailure") return &c;
    }
    return nullptr;
  }

  // The condition the test waits for, with what was last seen when it never holds.
  ::testing::AssertionResult WaitFor(const std::function<bool()>& condition,
                                     const std::string& what) {
    if (Eventually(condition)) return ::testing::AssertionSuccess();
    const api::ReplicaSet rs = ReadReplicaSet();
    std::string pods;
    for (const std::string& name : ActivePodNames()) pods += name + " ";
    return ::testing::AssertionFailure()
           << "still not true after 20 s: " << what << "\n  pods: " << pods
           << "\n  status: " << json::Write(api::Encode(rs)["status"])
           << "\n  controller's last error: " << controller_->LastError();
  }

  const kube::ResourceRef rs_resource_ = kube::ResourceOf<api::ReplicaSet>();
  const kube::ResourceRef pod_resource_ = kube::ResourceOf<api::Pod>();
  apiserver::TempDir dir_;
  // For tests that move the controller's time by hand; outlives the controller.
  kube::ManualClock manual_clock_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<kube::ApiClient> client_;
  std::unique_ptr<kube::EventSink> sink_;
  std::unique_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<ReplicaSetController> controller_;
};

bool IsGeneratedName(const std::string& name) {
  if (name.size() != 4 + kNameSuffixLength || name.rfind("web-", 0) != 0) return false;
  return name.find_first_not_of(kNameSuffixAlphabet, 4) == std::string::npos;
}

TEST_F(ReplicaSetControllerTest, ScalesUpAndDownKeepingTheRightPods) {
  StartController();
  CreateReplicaSet(0);
  ASSERT_TRUE(WaitFor(
      [&] {
        api::ReplicaSet rs = ReadReplicaSet();
        return rs.status.observed_generation == 1 && ActivePods().empty();
      },
      "observedGeneration 1 with no pods"));

  // Scale 0 -> 3: three pods from the template, named after the ReplicaSet, controlled by it.
  PatchReplicaSet(R"({"spec":{"replicas":3}})");
  ASSERT_TRUE(WaitFor(
      [&] {
        api::ReplicaSet rs = ReadReplicaSet();
        return rs.status.replicas == 3 && rs.status.observed_generation == 2;
      },
      "3 replicas at generation 2"));
  const api::ReplicaSet rs = ReadReplicaSet();
  EXPECT_EQ(rs.status.fully_labeled_replicas, 3);
  EXPECT_EQ(rs.status.ready_replicas, 0);
  const std::vector<api::Pod> pods = ActivePods();
  ASSERT_EQ(pods.size(), 3u);
  for (const api::Pod& pod : pods) {
    EXPECT_TRUE(IsGeneratedName(pod.metadata.name)) << pod.metadata.name;
    EXPECT_EQ(pod.metadata.labels,
              (std::map<std::string, std::string>{{"app", "web"}, {"tier", "front"}}));
    EXPECT_EQ(pod.metadata.annotations.at("note"), "hello");
    EXPECT_EQ(pod.metadata.owner_references,
              std::vector<api::OwnerReference>{ControllerRefFor(rs)});
    ASSERT_EQ(pod.spec.containers.size(), 1u);
    EXPECT_EQ(pod.spec.containers[0].image, "web:v1");
  }

  // The kubelet reports two of them Ready: "old" for longer than "young"; the third stays not
  // ready.
  const std::string old_pod = pods[0].metadata.name;
  const std::string young_pod = pods[1].metadata.name;
  const std::string starting_pod = pods[2].metadata.name;
  const api::TimePoint now =
      std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  MarkReady(old_pod, now - seconds(100));
  MarkReady(young_pod, now - seconds(10));
  ASSERT_TRUE(WaitFor(
      [&] {
        api::ReplicaSet current = ReadReplicaSet();
        return current.status.ready_replicas == 2 && current.status.available_replicas == 2;
      },
      "2 ready and available"));

  // Scale 3 -> 1: the not-ready pod goes first, then the one Ready for less time.
  PatchReplicaSet(R"({"spec":{"replicas":1}})");
  ASSERT_TRUE(WaitFor(
      [&] {
        api::ReplicaSet current = ReadReplicaSet();
        return ActivePodNames() == std::vector<std::string>{old_pod} &&
               current.status.replicas == 1 && current.status.observed_generation == 3;
      },
      "only " + old_pod + " left"));
  const api::ReplicaSet scaled = ReadReplicaSet();
  EXPECT_EQ(scaled.status.ready_replicas, 1);
  EXPECT_EQ(scaled.status.available_replicas, 1);
  EXPECT_EQ(FailureCondition(scaled.status), nullptr);

  ASSERT_TRUE(WaitFor(
      [&] {
        return HasEvent("SuccessfulCreate: Created pod: " + old_pod) &&
               HasEvent("SuccessfulCreate: Created pod: " + young_pod) &&
               HasEvent("SuccessfulCreate: Created pod: " + starting_pod) &&
               HasEvent("SuccessfulDelete: Deleted pod: " + starting_pod) &&
               HasEvent("SuccessfulDelete: Deleted pod: " + young_pod);
      },
      "the create and delete events"));
  EXPECT_FALSE(HasEvent("SuccessfulDelete: Deleted pod: " + old_pod));
}

TEST_F(ReplicaSetControllerTest, AvailabilityFollowsMinReadySecondsWithoutOtherEvents) {
  kube::ManualClock& clock = manual_clock_;
  StartController(&clock);
  CreateReplicaSet(2, /*min_ready_seconds=*/30);
  ASSERT_TRUE(WaitFor([&] { return ActivePods().size() == 2; }, "2 pods"));

  const api::TimePoint ready_at = std::chrono::floor<std::chrono::microseconds>(clock.WallNow());
  for (const std::string& name : ActivePodNames()) MarkReady(name, ready_at);
  ASSERT_TRUE(WaitFor(
      [&] {
        api::ReplicaSet rs = ReadReplicaSet();
        return rs.status.ready_replicas == 2 && rs.status.available_replicas == 0;
      },
      "2 ready, none available yet"));

  // Nothing else happens in the API from now on: the controller must look again by itself once
  // minReadySeconds have passed. 29 s on, any retry left in its queue has run (and found nothing
  // available), so what the queue still holds for later is the availability check.
  clock.Advance(seconds(29));
  auto check_pending = [&] {
    for (kube::Clock::TimePoint deadline : clock.PendingDeadlines()) {
      if (deadline > clock.Now()) return true;
    }
    return false;
  };
  ASSERT_TRUE(WaitFor(check_pending, "a requeue for the availability check"));
  EXPECT_EQ(ReadReplicaSet().status.available_replicas, 0);
  clock.Advance(seconds(2));
  ASSERT_TRUE(WaitFor([&] { return ReadReplicaSet().status.available_replicas == 2; },
                      "2 available after 31 s"));
}

TEST_F(ReplicaSetControllerTest, RestartedControllerCreatesNoDuplicates) {
  StartController();
  CreateReplicaSet(3);
  ASSERT_TRUE(WaitFor([&] { return ReadReplicaSet().status.replicas == 3; }, "3 replicas"));
  const std::vector<std::string> before = ActivePodNames();
  ASSERT_EQ(before.size(), 3u);

  StopController();
  StartController();
  // A spec change the new controller must observe: once it has, it has synced this ReplicaSet.
  PatchReplicaSet(R"({"spec":{"minReadySeconds":5}})");
  ASSERT_TRUE(WaitFor([&] { return ReadReplicaSet().status.observed_generation == 2; },
                      "observedGeneration 2 from the new controller"));
  EXPECT_EQ(ActivePodNames(), before);
}

TEST_F(ReplicaSetControllerTest, DeletedPodIsReplaced) {
  StartController();
  CreateReplicaSet(2);
  ASSERT_TRUE(WaitFor([&] { return OwnedPodNames().size() == 2; }, "2 pods"));
  const std::vector<std::string> before = OwnedPodNames();

  DeletePod(before[0]);
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<std::string> now = OwnedPodNames();
        return now.size() == 2 && std::count(now.begin(), now.end(), before[0]) == 0 &&
               std::count(now.begin(), now.end(), before[1]) == 1;
      },
      before[0] + " replaced"));
}

TEST_F(ReplicaSetControllerTest, FailedCreateShowsReplicaFailureUntilACreateSucceeds) {
  // Another pod already holds the name the controller will choose: the server refuses the
  // create, every time, until the name source moves on.
  CreatePod("web-bbbbb", "other");
  auto taken = std::make_shared<std::atomic<bool>>(true);
  kube::ManualClock& clock = manual_clock_;
  StartController(&clock, TakenNameFirst(taken));
  CreateReplicaSet(1);
  ASSERT_TRUE(WaitFor(
      [&] {
        const api::ReplicaSet rs = ReadReplicaSet();
        const api::ReplicaSetCondition* c = FailureCondition(rs.status);
        return c != nullptr && c->status == "True" && c->reason == "FailedCreate" &&
               c->message.find("\"web-bbbbb\" already exists") != std::string::npos;
      },
      "ReplicaFailure FailedCreate"));
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const std::string& event : Events()) {
          if (event.rfind("FailedCreate: Error creating: ", 0) == 0 &&
              event.find("web-bbbbb") != std::string::npos) {
            return true;
          }
        }
        return false;
      },
      "a FailedCreate event"));
  EXPECT_EQ(ReadReplicaSet().status.replicas, 0);

  // The failed sync is retried after the queue's backoff (at most 1000 s), on the controller's
  // clock.
  ASSERT_TRUE(WaitFor([&] { return !clock.PendingDeadlines().empty(); }, "a retry scheduled"));
  taken->store(false);
  clock.Advance(seconds(1000));
  ASSERT_TRUE(WaitFor(
      [&] {
        api::ReplicaSet rs = ReadReplicaSet();
        return rs.status.replicas == 1 && FailureCondition(rs.status) == nullptr;
      },
      "1 replica and no ReplicaFailure"));
  EXPECT_EQ(OwnedPodNames(), std::vector<std::string>{"web-ccccc"});
}

TEST_F(ReplicaSetControllerTest, AdoptsOrphansAndReleasesPodsItNoLongerSelects) {
  CreatePod("stray", "web");
  StartController();
  CreateReplicaSet(2);
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<std::string> owned = OwnedPodNames();
        return owned.size() == 2 && std::count(owned.begin(), owned.end(), "stray") == 1;
      },
      "stray adopted, and one pod created"));
  const api::ReplicaSet rs = ReadReplicaSet();
  auto stray = Pods().Get(kNs, "stray");
  ASSERT_TRUE(stray.ok()) << stray.error();
  EXPECT_EQ(stray->metadata.owner_references,
            std::vector<api::OwnerReference>{ControllerRefFor(rs)});

  // Relabelled out of the selector: released (no longer owned) and replaced.
  auto relabelled = client_->Patch(pod_resource_, kNs, "stray", kube::PatchType::kMerge,
                                   Json(R"({"metadata":{"labels":{"app":"debugging"}}})"));
  ASSERT_TRUE(relabelled.ok()) << relabelled.error();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto pod = Pods().Get(kNs, "stray");
        std::vector<std::string> owned = OwnedPodNames();
        return pod.ok() && pod->metadata.owner_references.empty() && owned.size() == 2 &&
               std::count(owned.begin(), owned.end(), "stray") == 0;
      },
      "stray released and replaced"));
}

TEST_F(ReplicaSetControllerTest, ReplicaSetBeingDeletedIsLeftAlone) {
  StartController();
  CreateReplicaSet(2, 0, "example.com/hold");
  ASSERT_TRUE(WaitFor([&] { return ReadReplicaSet().status.replicas == 2; }, "2 replicas"));
  const std::vector<std::string> pods = ActivePodNames();

  // Deleted with the orphan policy: the garbage collector takes our references off the pods,
  // and the finalizer keeps the ReplicaSet (marked) in place.
  auto deleted = client_->Delete(rs_resource_, kNs, "web",
                                 kube::DeleteRequest{.propagation_policy = "Orphan"});
  ASSERT_TRUE(deleted.ok()) << deleted.error();
  // The controller still reports what it owns (nothing now), but adopts nothing back and
  // creates nothing.
  ASSERT_TRUE(WaitFor(
      [&] {
        api::ReplicaSet rs = ReadReplicaSet();
        return rs.metadata.deletion_timestamp != api::Time{} && rs.status.replicas == 0;
      },
      "status.replicas 0 on the marked ReplicaSet"));
  EXPECT_EQ(ActivePodNames(), pods);
  EXPECT_TRUE(OwnedPodNames().empty());
}

}  // namespace
}  // namespace devflow::node
