// Jobs on one machine: the JobController's pure rules (PlanJob) by table; the controller with the
// kubelet and real processes against the embedded API server; and the `job` metric provider
// against the same server (here rather than in providers_test, which does not link the server),
// first with the test playing the Job controller, then end to end with the real one.
#include "node/job_controller.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "analysis/providers/job_provider.h"
#include "api/decode.h"
#include "api/workloads_codec.h"
#include "apiserver/api_server.h"
#include "apiserver/api_server_testing.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "http/http_testing.h"
#include "kube/informer.h"
#include "kube/typed_client.h"
#include "node/kubelet.h"
#include "node/process_supervisor.h"

namespace devflow::node {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kNs[] = "default";

json::Value Json(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) http::testing::DieInSetup(value.error());
  return std::move(value).value();
}

// ---- PlanJob ----

api::TimePoint At(int s) { return api::TimePoint{} + std::chrono::hours(490000) + seconds(s); }

api::Job JobSpec(std::string_view restart_policy, std::optional<int32_t> backoff_limit,
                 std::optional<int64_t> deadline = std::nullopt) {
  api::Job job;
  job.metadata.name = "check";
  job.metadata.namespace_ = kNs;
  job.metadata.uid = "job-uid";
  job.spec.backoff_limit = backoff_limit;
  job.spec.active_deadline_seconds = deadline;
  job.spec.template_.metadata.labels = {{"app", "check"}};
  job.spec.template_.spec.restart_policy = std::string(restart_policy);
  job.spec.template_.spec.containers = {api::Container{.name = "check", .image = "sh"}};
  return job;
}

api::Pod PodIn(std::string name, std::string phase, int32_t restarts = 0,
               std::optional<int> finished_at = std::nullopt) {
  api::Pod pod;
  pod.metadata.name = std::move(name);
  pod.metadata.uid = pod.metadata.name + "-uid";
  pod.status.phase = std::move(phase);
  api::ContainerStatus status{.name = "check", .restart_count = restarts};
  if (finished_at) {
    status.state.terminated =
        api::ContainerStateTerminated{.exit_code = 3, .finished_at = api::Time{At(*finished_at)}};
  }
  pod.status.container_statuses = {status};
  return pod;
}

api::JobCondition Condition(std::string type, std::string reason, std::string message, int at) {
  return api::JobCondition{.type = std::move(type),
                           .status = "True",
                           .last_probe_time = api::Time{At(at)},
                           .last_transition_time = api::Time{At(at)},
                           .reason = std::move(reason),
                           .message = std::move(message)};
}

// A status as JSON, for failure messages.
std::string StatusText(const api::JobStatus& status) {
  api::Job job;
  job.status = status;
  return json::Write(api::Encode(job));
}

TEST(PodForJobTest, GivenAJobWhenItsPodIsBuiltThenTemplateLabelsAndOwnerAreSet) {
  const api::Pod pod = PodForJob(JobSpec("Never", 1));
  EXPECT_EQ(pod.metadata.generate_name, "check-");
  EXPECT_EQ(pod.metadata.namespace_, kNs);
  EXPECT_EQ(pod.metadata.labels,
            (std::map<std::string, std::string>{{"app", "check"},
                                                {"batch.kubernetes.io/controller-uid", "job-uid"},
                                                {"batch.kubernetes.io/job-name", "check"},
                                                {"controller-uid", "job-uid"},
                                                {"job-name", "check"}}));
  ASSERT_EQ(pod.metadata.owner_references.size(), 1u);
  EXPECT_EQ(pod.metadata.owner_references[0], (api::OwnerReference{.api_version = "batch/v1",
                                                                   .kind = "Job",
                                                                   .name = "check",
                                                                   .uid = "job-uid",
                                                                   .controller = true,
                                                                   .block_owner_deletion = true}));
  EXPECT_EQ(pod.spec, JobSpec("Never", 1).spec.template_.spec);
}

TEST(PlanJobTest, GivenAJobAndItsPodsWhenPlannedThenPodsStatusAndRequeueFollowKubernetes) {
  const JobBackoff backoff{.initial = seconds(10), .max = seconds(360)};
  constexpr int kNow = 100;
  struct Row {
    const char* name;
    api::Job job;
    std::vector<api::Pod> pods;
    bool pending = false;
    JobPlan want;
  };
  // The status of a Job started at `start` with these counts.
  auto status = [](int start, int32_t active, int32_t succeeded, int32_t failed,
                   std::vector<api::JobCondition> conditions = {}) {
    api::JobStatus s;
    s.start_time = api::Time{At(start)};
    s.active = active;
    s.succeeded = succeeded;
    s.failed = failed;
    s.ready = 0;
    s.conditions = std::move(conditions);
    return s;
  };
  auto started = [](api::Job job, int start) {
    job.status.start_time = api::Time{At(start)};
    return job;
  };
  const api::JobCondition backoff_exceeded = Condition(
      "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", kNow);
  const api::JobCondition deadline_exceeded = Condition(
      "Failed", "DeadlineExceeded", "Job was active longer than specified deadline", kNow);
  api::Job complete = started(JobSpec("Never", 1), 10);
  complete.status.conditions = {Condition("Complete", "CompletionsReached", "", 50)};

  const Row rows[] = {
      {"a new Job gets its start time and a pod",
       JobSpec("Never", std::nullopt),
       {},
       false,
       {.create = PodForJob(JobSpec("Never", std::nullopt)), .status = status(kNow, 0, 0, 0)}},
      {"a pod already created but not yet seen is not created again",
       JobSpec("Never", std::nullopt),
       {},
       true,
       {.status = status(kNow, 0, 0, 0)}},
      {"a running pod is counted active",
       started(JobSpec("Never", 1), 10),
       {PodIn("check-a", "Running")},
       false,
       {.status = status(10, 1, 0, 0)}},
      {"a succeeded pod completes the Job",
       started(JobSpec("Never", 1), 10),
       {PodIn("check-a", "Failed", 0, 20), PodIn("check-b", "Succeeded")},
       false,
       {.status =
            [&] {
              api::JobStatus s =
                  status(10, 0, 1, 1,
                         {Condition("Complete", "CompletionsReached",
                                    "Reached expected number of succeeded pods", kNow)});
              s.completion_time = api::Time{At(kNow)};
              return s;
            }()}},
      {"Never: a failure within the limit is replaced once the back-off has passed",
       started(JobSpec("Never", 1), 10),
       {PodIn("check-a", "Failed", 0, kNow - 10)},
       false,
       {.create = PodForJob(JobSpec("Never", 1)), .status = status(10, 0, 0, 1)}},
      {"Never: a failure within the back-off waits for it",
       started(JobSpec("Never", 1), 10),
       {PodIn("check-a", "Failed", 0, kNow - 3)},
       false,
       {.status = status(10, 0, 0, 1), .requeue_after = seconds(7)}},
      {"Never: the back-off doubles with each failure",
       started(JobSpec("Never", 6), 10),
       {PodIn("check-a", "Failed", 0, 20), PodIn("check-b", "Failed", 0, 40),
        PodIn("check-c", "Failed", 0, kNow - 30)},
       false,
       {.status = status(10, 0, 0, 3), .requeue_after = seconds(10)}},
      {"Never: failures beyond backoffLimit fail the Job",
       started(JobSpec("Never", 1), 10),
       {PodIn("check-a", "Failed", 0, 20), PodIn("check-b", "Failed", 0, 40)},
       false,
       {.status = status(10, 0, 0, 2, {backoff_exceeded})}},
      {"Never: backoffLimit defaults to 6",
       started(JobSpec("Never", std::nullopt), 10),
       {PodIn("a", "Failed", 0, -300), PodIn("b", "Failed", 0, -300), PodIn("c", "Failed", 0, -300),
        PodIn("d", "Failed", 0, -300), PodIn("e", "Failed", 0, -300),
        PodIn("f", "Failed", 0, -300)},
       false,
       {.create = PodForJob(JobSpec("Never", std::nullopt)), .status = status(10, 0, 0, 6)}},
      {"OnFailure: restarts below backoffLimit keep the pod",
       started(JobSpec("OnFailure", 2), 10),
       {PodIn("check-a", "Running", 1)},
       false,
       {.status = status(10, 1, 0, 0)}},
      {"OnFailure: restarts reaching backoffLimit fail the Job and delete its pod",
       started(JobSpec("OnFailure", 2), 10),
       {PodIn("check-a", "Running", 2)},
       false,
       {.delete_pods = {PodRef{.name = "check-a", .uid = "check-a-uid"}},
        .status = status(10, 0, 0, 1, {backoff_exceeded})}},
      {"a passed deadline fails the Job and deletes its pod",
       started(JobSpec("Never", 6, 30), kNow - 60),
       {PodIn("check-a", "Running")},
       false,
       {.delete_pods = {PodRef{.name = "check-a", .uid = "check-a-uid"}},
        .status = status(kNow - 60, 0, 0, 1, {deadline_exceeded})}},
      {"a deadline ahead asks to look again then",
       started(JobSpec("Never", 6, 30), kNow - 10),
       {PodIn("check-a", "Running")},
       false,
       {.status = status(kNow - 10, 1, 0, 0), .requeue_after = seconds(20)}},
      {"a finished Job keeps no pod running (a delete that did not land is made again)",
       complete,
       {PodIn("check-a", "Running"), PodIn("check-b", "Succeeded")},
       false,
       {.delete_pods = {PodRef{.name = "check-a", .uid = "check-a-uid"}},
        .status = complete.status}},
  };
  for (const Row& row : rows) {
    const JobPlan got =
        PlanJob(row.job, row.pods, row.pending, At(kNow) + milliseconds(700), backoff);
    EXPECT_EQ(got.create, row.want.create) << row.name;
    EXPECT_EQ(got.delete_pods, row.want.delete_pods) << row.name;
    EXPECT_EQ(got.status, row.want.status) << row.name << "\n got: " << StatusText(got.status)
                                           << "\nwant: " << StatusText(row.want.status);
    EXPECT_EQ(got.requeue_after, row.want.requeue_after) << row.name;
    EXPECT_EQ(got, row.want) << row.name;
  }
}

// ---- Against the embedded API server ----

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apiserver::ApiServerOptions options;
    options.data_dir = dir_.File("api");
    options.listen = "127.0.0.1:0";
    options.tls = false;
    options.threads = 4;
    auto server = apiserver::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();
    auto client = apiserver::api_server_testing::ConnectClient(*server_, kNs);
    ASSERT_TRUE(client.ok()) << client.error();
    client_ = std::move(client).value();
  }

  kube::TypedClient<api::Job> Jobs() { return kube::TypedClient<api::Job>(*client_); }
  kube::TypedClient<api::Pod> Pods() { return kube::TypedClient<api::Pod>(*client_); }

  std::optional<api::Job> GetJob(const std::string& name) {
    auto job = Jobs().Get(kNs, name);
    if (!job.ok()) return std::nullopt;
    return *job;
  }

  // The pods the Job named `name` controls, by name.
  std::vector<api::Pod> PodsOf(const std::string& name) {
    std::vector<api::Pod> out;
    auto list = Pods().List(kNs, kube::ListRequest{.label_selector = "job-name=" + name});
    if (!list.ok()) return out;
    out = list->items;
    std::sort(out.begin(), out.end(), [](const api::Pod& a, const api::Pod& b) {
      return a.metadata.name < b.metadata.name;
    });
    return out;
  }

  static const api::JobCondition* FindCondition(const api::Job& job, std::string_view type) {
    for (const api::JobCondition& condition : job.status.conditions) {
      if (condition.type == type && condition.status == "True") return &condition;
    }
    return nullptr;
  }

  ::testing::AssertionResult WaitFor(const std::function<bool()>& condition,
                                     const std::string& what) {
    if (devflow::testing::Eventually(
            [&] {
              if (condition()) return true;
              std::this_thread::sleep_for(milliseconds(10));  // spare the server; not a timing
              return false;
            },
            seconds(60))) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "still not true after 60 s: " << what;
  }

  apiserver::TempDir dir_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<kube::ApiClient> client_;
};

// ---- JobController with the kubelet and real processes ----

class JobControllerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    auto supervisor = ProcessSupervisor::Open(SupervisorOptions{.state_dir = dir_.File("node")},
                                              relay_.Callback());
    ASSERT_TRUE(supervisor.ok()) << supervisor.error();
    supervisor_ = std::move(supervisor).value();
    informers_ = std::make_unique<kube::InformerFactory>(*client_);
    KubeletOptions kubelet_options;
    kubelet_options.backoff.initial = milliseconds(100);
    kubelet_options.backoff.max = seconds(1);
    kubelet_options.api_retry = milliseconds(100);
    kubelet_ = std::make_unique<Kubelet>(*client_, *informers_, *supervisor_, relay_, "node-1",
                                         kube::SystemClock(), kubelet_options);
    controller_ = JobController::Start(
        *client_, *informers_,
        JobControllerOptions{.backoff = {.initial = milliseconds(100), .max = seconds(1)}});
    Status started = kubelet_->Start();  // starts the factory too
    ASSERT_TRUE(started.ok()) << started;
  }

  void TearDown() override {
    controller_.reset();
    if (kubelet_) kubelet_->Stop();
    kubelet_.reset();
    if (informers_) informers_->Stop();
    informers_.reset();
    if (supervisor_) {
      for (const ProcessInfo& info : supervisor_->Running()) {
        (void)supervisor_->Stop(info.key, milliseconds(0));
      }
      supervisor_->Shutdown();
    }
    supervisor_.reset();
    client_.reset();
    server_.reset();
  }

  void CreateJob(const std::string& name, const std::string& restart_policy, int backoff_limit,
                 const std::string& script) {
    json::Value job = Json(R"({"apiVersion":"batch/v1","kind":"Job","spec":{"template":{"spec":{
        "containers":[{"name":"check","image":"sh:v1","command":["/bin/sh","-c"]}]}}}})");
    job["metadata"] = json::Object{{"name", name}, {"namespace", kNs}};
    job["spec"]["backoffLimit"] = backoff_limit;
    job["spec"]["template"]["spec"]["restartPolicy"] = restart_policy;
    job["spec"]["template"]["spec"]["containers"].as_array()[0]["args"] =
        json::Array{json::Value(script)};
    auto created = client_->Create(kube::ResourceOf<api::Job>(), kNs, job);
    ASSERT_TRUE(created.ok()) << created.error();
  }

  ::testing::AssertionResult WaitForJob(const std::string& name, std::string_view condition,
                                        api::Job* out) {
    std::optional<api::Job> last;
    ::testing::AssertionResult waited = WaitFor(
        [&] {
          last = GetJob(name);
          return last && FindCondition(*last, condition) != nullptr;
        },
        "job " + name + " " + std::string(condition));
    if (!waited) {
      return waited << "; last seen: "
                    << (last ? json::Write(api::Encode(*last)) : std::string("absent"))
                    << "; controller: " << controller_->LastError();
    }
    *out = *last;
    return waited;
  }

  ExitRelay relay_;
  std::unique_ptr<ProcessSupervisor> supervisor_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<Kubelet> kubelet_;
  std::unique_ptr<JobController> controller_;
};

TEST_F(JobControllerTest, GivenAJobThatExitsZeroWhenItRunsThenItsPodSucceedsAndTheJobCompletes) {
  CreateJob("ok", "Never", 6, "exit 0");
  api::Job job;
  ASSERT_TRUE(WaitForJob("ok", "Complete", &job));
  const api::JobCondition* complete = FindCondition(job, "Complete");
  EXPECT_EQ(complete->reason, "CompletionsReached");
  EXPECT_EQ(complete->message, "Reached expected number of succeeded pods");
  EXPECT_NE(complete->last_transition_time, api::Time{});
  EXPECT_EQ(job.status.succeeded, 1);
  EXPECT_EQ(job.status.failed, 0);
  EXPECT_EQ(job.status.active, 0);
  EXPECT_NE(job.status.start_time, api::Time{});
  EXPECT_GE(job.status.completion_time, job.status.start_time);

  const std::vector<api::Pod> pods = PodsOf("ok");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].status.phase, "Succeeded") << "restartPolicy Never: the kubelet lets it end";
  EXPECT_EQ(pods[0].status.container_statuses.at(0).restart_count, 0);
}

TEST_F(JobControllerTest, GivenAJobThatExitsThreeWhenItRunsThenItFailsAfterBackoffLimitRetries) {
  CreateJob("broken", "Never", 2, "exit 3");
  api::Job job;
  ASSERT_TRUE(WaitForJob("broken", "Failed", &job));
  const api::JobCondition* failed = FindCondition(job, "Failed");
  EXPECT_EQ(failed->reason, "BackoffLimitExceeded");
  EXPECT_EQ(failed->message, "Job has reached the specified backoff limit");
  EXPECT_EQ(job.status.failed, 3) << "the first pod and backoffLimit (2) retries";
  EXPECT_EQ(job.status.succeeded, 0);
  EXPECT_EQ(job.status.active, 0);
  EXPECT_EQ(FindCondition(job, "Complete"), nullptr);

  const std::vector<api::Pod> pods = PodsOf("broken");
  ASSERT_EQ(pods.size(), 3u) << "no pod is created after the Job failed";
  for (const api::Pod& pod : pods) {
    EXPECT_EQ(pod.status.phase, "Failed") << pod.metadata.name;
    ASSERT_EQ(pod.status.container_statuses.size(), 1u) << pod.metadata.name;
    ASSERT_TRUE(pod.status.container_statuses[0].state.terminated) << pod.metadata.name;
    EXPECT_EQ(pod.status.container_statuses[0].state.terminated->exit_code, 3) << pod.metadata.name;
  }
}

TEST_F(JobControllerTest, GivenOnFailureAndAFailingCommandWhenItRunsThenRestartsExhaustTheLimit) {
  CreateJob("flaky", "OnFailure", 2, "exit 3");
  api::Job job;
  ASSERT_TRUE(WaitForJob("flaky", "Failed", &job));
  EXPECT_EQ(FindCondition(job, "Failed")->reason, "BackoffLimitExceeded");
  EXPECT_EQ(job.status.active, 0);
  // The one pod was restarted in place by the kubelet, then deleted by the controller.
  EXPECT_TRUE(WaitFor([&] { return PodsOf("flaky").empty(); }, "the pod is deleted"));
}

// ---- The job metric provider, the test playing the Job controller ----

class JobProviderTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    provider_ = std::make_unique<analysis::providers::JobProvider>(*client_);
    // A real AnalysisRun: the garbage collector deletes a Job whose owner does not exist.
    json::Value run = Json(R"({"apiVersion":"argoproj.io/v1alpha1","kind":"AnalysisRun",
      "metadata":{"name":"web-run","namespace":"default"},
      "spec":{"metrics":[{"name":"smoke","provider":{"job":{
        "metadata":{"labels":{"team":"web"}},
        "spec":{"backoffLimit":0,"template":{"spec":{"restartPolicy":"Never",
          "containers":[{"name":"t","image":"sh:v1","command":["/bin/sh","-c","exit 0"]}]}}}}}}]}})");
    auto created = client_->Create(kube::ResourceOf<api::AnalysisRun>(), kNs, run);
    ASSERT_TRUE(created.ok()) << created.error();
    run_ = api::Decode<api::AnalysisRun>(*created);
    ASSERT_FALSE(run_.metadata.uid.empty());
  }

  analysis::MeasurementRequest Request(api::TimePoint now) {
    return analysis::MeasurementRequest{.run = run_, .metric = run_.spec.metrics.at(0), .now = now};
  }

  static api::TimePoint Now() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }

  // A measurement in flight as the analysis controller records a Running reading.
  static api::Measurement InFlight(const analysis::Reading& reading, api::TimePoint started) {
    return api::Measurement{.phase = reading.phase,
                            .started_at = api::Time{started},
                            .metadata = reading.metadata,
                            .resume_at = reading.resume_at};
  }

  // Writes the Job's status as the Job controller would.
  void SetJobStatus(const std::string& name, const std::string& condition,
                    const std::string& message = "") {
    api::Job job = *GetJob(name);
    job.status.conditions = {api::JobCondition{.type = condition,
                                               .status = "True",
                                               .last_transition_time = api::Time{Now()},
                                               .message = message}};
    auto written = Jobs().UpdateStatus(kNs, job);
    ASSERT_TRUE(written.ok()) << written.error();
  }

  std::unique_ptr<analysis::providers::JobProvider> provider_;
  api::AnalysisRun run_;
};

TEST_F(JobProviderTest, GivenAJobMetricWhenMeasuredThenAnOwnedJobRunsAndTheMeasurementIsRunning) {
  const api::TimePoint now = Now();
  Result<analysis::Reading> reading = provider_->Measure(Request(now));
  ASSERT_TRUE(reading.ok()) << reading.error();
  const std::string name = run_.metadata.uid + ".smoke.1";
  EXPECT_EQ(reading->phase, "Running");
  EXPECT_EQ(reading->metadata,
            (std::map<std::string, std::string>{{"job-name", name}, {"job-namespace", kNs}}));
  EXPECT_EQ(reading->resume_at, api::Time{now});

  std::optional<api::Job> job = GetJob(name);
  ASSERT_TRUE(job) << "the Job " << name << " exists";
  EXPECT_EQ(job->metadata.labels.at("team"), "web");
  EXPECT_EQ(job->metadata.labels.at("analysisrun.argoproj.io/uid"), run_.metadata.uid);
  EXPECT_EQ(job->metadata.annotations.at("analysisrun.argoproj.io/metric-name"), "smoke");
  ASSERT_EQ(job->metadata.owner_references.size(), 1u);
  EXPECT_EQ(job->metadata.owner_references[0].kind, "AnalysisRun");
  EXPECT_EQ(job->metadata.owner_references[0].uid, run_.metadata.uid);
  EXPECT_EQ(job->metadata.owner_references[0].controller, true);
  EXPECT_EQ(job->spec.backoff_limit, 0);

  // Measuring again before the run's status counts the measurement reuses the Job.
  Result<analysis::Reading> again = provider_->Measure(Request(now));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->metadata, reading->metadata);
}

TEST_F(JobProviderTest, GivenARunningJobWhenResumedThenRunningUntilTheJobCompletesOrFails) {
  const api::TimePoint started = Now();
  Result<analysis::Reading> measured = provider_->Measure(Request(started));
  ASSERT_TRUE(measured.ok()) << measured.error();
  const api::Measurement in_flight = InFlight(*measured, started);
  const std::string name = measured->metadata.at("job-name");

  Result<analysis::Reading> running = provider_->Resume(Request(started + seconds(50)), in_flight);
  ASSERT_TRUE(running.ok()) << running.error();
  EXPECT_EQ(running->phase, "Running");
  EXPECT_EQ(running->resume_at, api::Time{started + seconds(60)}) << "sqrt(2 x 50 s) later";

  SetJobStatus(name, "Failed", "Job has reached the specified backoff limit");
  Result<analysis::Reading> failed = provider_->Resume(Request(started + seconds(60)), in_flight);
  ASSERT_TRUE(failed.ok()) << failed.error();
  EXPECT_EQ(failed->phase, "Failed");
  EXPECT_EQ(failed->message, "Job has reached the specified backoff limit");

  SetJobStatus(name, "Complete");
  Result<analysis::Reading> done = provider_->Resume(Request(started + seconds(70)), in_flight);
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_EQ(done->phase, "Successful");
}

TEST_F(JobProviderTest, GivenAJobPodThatCannotPullItsImageWhenResumedThenInconclusive) {
  const api::TimePoint started = Now();
  Result<analysis::Reading> measured = provider_->Measure(Request(started));
  ASSERT_TRUE(measured.ok()) << measured.error();
  const std::string name = measured->metadata.at("job-name");
  const api::Job job = *GetJob(name);

  // The Job controller's pod, and the kubelet's status for it.
  api::Pod pod = PodForJob(job);
  pod.metadata.generate_name.clear();
  pod.metadata.name = "smoke-pod";
  pod.spec.node_name = "elsewhere";  // no kubelet here runs it
  auto created = Pods().Create(kNs, pod);
  ASSERT_TRUE(created.ok()) << created.error();
  api::Pod stored = *created;
  api::ContainerStatus status{.name = "t"};
  status.state.waiting =
      api::ContainerStateWaiting{.reason = "ImagePullBackOff", .message = "Back-off pulling image"};
  stored.status.phase = "Pending";
  stored.status.container_statuses = {status};
  auto written = Pods().UpdateStatus(kNs, stored);
  ASSERT_TRUE(written.ok()) << written.error();

  Result<analysis::Reading> reading =
      provider_->Resume(Request(started + seconds(2)), InFlight(*measured, started));
  ASSERT_TRUE(reading.ok()) << reading.error();
  EXPECT_EQ(reading->phase, "Inconclusive");
  EXPECT_EQ(reading->message, "smoke-pod: t: ImagePullBackOff: Back-off pulling image");
}

TEST_F(JobProviderTest, GivenARunningJobWhenTerminatedThenTheJobIsDeletedAndInconclusive) {
  const api::TimePoint started = Now();
  Result<analysis::Reading> measured = provider_->Measure(Request(started));
  ASSERT_TRUE(measured.ok()) << measured.error();
  const std::string name = measured->metadata.at("job-name");

  Result<analysis::Reading> reading =
      provider_->Terminate(Request(started + seconds(1)), InFlight(*measured, started));
  ASSERT_TRUE(reading.ok()) << reading.error();
  EXPECT_EQ(reading->phase, "Inconclusive");
  EXPECT_EQ(reading->message, "Metric Terminated");
  EXPECT_TRUE(WaitFor([&] { return !GetJob(name); }, "the Job is gone"));

  // Terminating again (a retry after a crash) finds nothing to delete and says the same.
  Result<analysis::Reading> again =
      provider_->Terminate(Request(started + seconds(2)), InFlight(*measured, started));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->phase, "Inconclusive");
}

TEST_F(JobProviderTest, GivenAMeasurementNamingNoJobWhenResumedThenInvalidArgument) {
  Result<analysis::Reading> reading = provider_->Resume(Request(Now()), api::Measurement{});
  ASSERT_FALSE(reading.ok());
  EXPECT_EQ(reading.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(JobProviderTest, GivenFourMeasurementsWhenGarbageCollectedThenTheNewestTwoJobsRemain) {
  for (int i = 0; i < 4; ++i) {
    // The analysis controller counts each finished measurement before the next.
    run_.status.metric_results = {api::MetricResult{.name = "smoke", .count = i}};
    Result<analysis::Reading> measured = provider_->Measure(Request(Now()));
    ASSERT_TRUE(measured.ok()) << measured.error();
  }
  const std::string prefix = run_.metadata.uid + ".smoke.";
  Status collected = provider_->GarbageCollect(run_, run_.spec.metrics.at(0), 2);
  ASSERT_TRUE(collected.ok()) << collected;
  EXPECT_TRUE(WaitFor([&] { return !GetJob(prefix + "1") && !GetJob(prefix + "2"); },
                      "the two oldest Jobs are gone"));
  EXPECT_TRUE(GetJob(prefix + "3"));
  EXPECT_TRUE(GetJob(prefix + "4"));
}

// ---- End to end: the provider, the Job controller and the kubelet ----

class JobMetricEndToEndTest : public JobControllerTest {};

TEST_F(JobMetricEndToEndTest, GivenAJobMetricWhenMeasuredAndResumedThenTheJobRunsToSuccess) {
  analysis::providers::JobProvider provider(*client_);
  json::Value run_json = Json(R"({"apiVersion":"argoproj.io/v1alpha1","kind":"AnalysisRun",
    "metadata":{"name":"e2e","namespace":"default"},
    "spec":{"metrics":[{"name":"smoke","provider":{"job":{
      "spec":{"backoffLimit":0,"template":{"spec":{"restartPolicy":"Never",
        "containers":[{"name":"t","image":"sh:v1","command":["/bin/sh","-c","exit 0"]}]}}}}}}]}})");
  auto created = client_->Create(kube::ResourceOf<api::AnalysisRun>(), kNs, run_json);
  ASSERT_TRUE(created.ok()) << created.error();
  const api::AnalysisRun run = api::Decode<api::AnalysisRun>(*created);
  const auto request = [&] {
    return analysis::MeasurementRequest{
        .run = run,
        .metric = run.spec.metrics.at(0),
        .now = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now())};
  };
  Result<analysis::Reading> measured = provider.Measure(request());
  ASSERT_TRUE(measured.ok()) << measured.error();
  const api::Measurement in_flight{
      .phase = "Running", .started_at = api::Time{request().now}, .metadata = measured->metadata};
  std::string last_phase;
  EXPECT_TRUE(WaitFor(
      [&] {
        Result<analysis::Reading> resumed = provider.Resume(request(), in_flight);
        if (!resumed.ok()) return false;
        last_phase = resumed->phase;
        return resumed->phase != "Running";
      },
      "the measurement completes"));
  EXPECT_EQ(last_phase, "Successful");
}

}  // namespace
}  // namespace devflow::node
