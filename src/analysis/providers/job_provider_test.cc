// The job provider's pure rules. Its verbs against the embedded API server (Measure, Resume,
// Terminate, GarbageCollect, with the test playing the Job controller, and end to end with
// node::JobController and the kubelet) are in src/node/job_controller_test.cc, because
// providers_test does not link the API server.
#include "analysis/providers/job_provider.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/decode.h"
#include "api/workloads_codec.h"
#include "common/json_reader.h"

namespace devflow::analysis::providers {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

constexpr char kUid[] = "3f1c2a7e-2b6e-4c59-9d7a-0a1b2c3d4e5f";  // 36 characters, as a uid

json::Value Doc(std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok()) ADD_FAILURE() << "bad test JSON: " << parsed.error();
  return parsed.value_or(nullptr);
}

api::TimePoint At(int s) { return api::TimePoint{} + std::chrono::hours(500000) + seconds(s); }

api::AnalysisRun SampleRun() {
  api::AnalysisRun run;
  run.metadata.name = "web-7f9c-2";
  run.metadata.namespace_ = "shop";
  run.metadata.uid = kUid;
  return run;
}

api::Metric JobMetric(std::string name = "load-test") {
  api::Metric metric;
  metric.name = std::move(name);
  metric.provider.job = api::JobMetric{};
  metric.provider.job->metadata.labels = {{"team", "web"}};
  metric.provider.job->metadata.annotations = {{"note", "smoke"}};
  metric.provider.job->spec = Doc(R"({"backoffLimit":1,"template":{"spec":{
      "restartPolicy":"Never","containers":[{"name":"t","image":"busybox","command":["true"]}]}}})");
  return metric;
}

// ---- Names ----

TEST(JobNameTest, GivenARunAndMetricWhenNamedThenUidMetricOrdinalCutTo63Characters) {
  struct Row {
    const char* name;
    std::string metric;
    int n;
    std::string want;
  };
  const std::string long_metric(40, 'm');
  const Row rows[] = {
      {"short metric kept whole", "load-test", 1, std::string(kUid) + ".load-test.1"},
      {"long metric cut", long_metric, 3, std::string(kUid) + "." + std::string(24, 'm') + ".3"},
      {"two-digit ordinal cuts one more", long_metric, 12,
       std::string(kUid) + "." + std::string(23, 'm') + ".12"},
  };
  for (const Row& row : rows) {
    const std::string got = JobName(kUid, row.metric, row.n);
    EXPECT_EQ(got, row.want) << row.name;
    EXPECT_LE(got.size(), kMaxJobNameLength) << row.name;
  }
}

TEST(NextJobOrdinalTest, GivenMetricResultsWhenAskedThenCountPlusErrorPlusOne) {
  api::AnalysisRun run = SampleRun();
  EXPECT_EQ(NextJobOrdinal(run, "load-test"), 1) << "no result yet";
  run.status.metric_results = {api::MetricResult{.name = "other", .count = 9},
                               api::MetricResult{.name = "load-test", .count = 2, .error = 3}};
  EXPECT_EQ(NextJobOrdinal(run, "load-test"), 6);
}

// ---- The Job ----

TEST(JobForTest, GivenAJobMetricWhenTheJobIsBuiltThenNamedOwnedLabelledAndSpecAsWritten) {
  Result<json::Value> job = JobFor(SampleRun(), JobMetric(), 2);
  ASSERT_TRUE(job.ok()) << job.error();
  const json::Value want = Doc(R"({"apiVersion":"batch/v1","kind":"Job",
    "metadata":{"name":"3f1c2a7e-2b6e-4c59-9d7a-0a1b2c3d4e5f.load-test.2","namespace":"shop",
      "labels":{"analysisrun.argoproj.io/uid":"3f1c2a7e-2b6e-4c59-9d7a-0a1b2c3d4e5f","team":"web"},
      "annotations":{"analysisrun.argoproj.io/metric-name":"load-test",
                     "analysisrun.argoproj.io/name":"web-7f9c-2",
                     "analysisrun.argoproj.io/namespace":"shop","note":"smoke"},
      "ownerReferences":[{"apiVersion":"argoproj.io/v1alpha1","kind":"AnalysisRun",
        "name":"web-7f9c-2","uid":"3f1c2a7e-2b6e-4c59-9d7a-0a1b2c3d4e5f",
        "controller":true,"blockOwnerDeletion":true}]},
    "spec":{"backoffLimit":1,"template":{"spec":{"restartPolicy":"Never",
      "containers":[{"name":"t","image":"busybox","command":["true"]}]}}}})");
  EXPECT_EQ(api::Decode<api::Job>(*job), api::Decode<api::Job>(want));
  EXPECT_EQ(*job->Find("spec"), *want.Find("spec")) << "the spec is passed through as written";
}

TEST(JobForTest, GivenAMetricWithoutAUsableJobWhenBuiltThenInvalidArgumentNamingTheField) {
  struct Row {
    const char* name;
    api::Metric metric;
    const char* want_path;
  };
  api::Metric no_job = JobMetric();
  no_job.provider.job.reset();
  api::Metric bad_spec = JobMetric();
  bad_spec.provider.job->spec = json::Value("run it");
  const Row rows[] = {{"no job provider", no_job, "provider.job"},
                      {"spec not an object", bad_spec, "provider.job.spec"}};
  for (const Row& row : rows) {
    Result<json::Value> job = JobFor(SampleRun(), row.metric, 1);
    ASSERT_FALSE(job.ok()) << row.name;
    EXPECT_EQ(job.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(job.error().field_path(), row.want_path) << row.name;
  }
}

// ---- Reading a Job ----

TEST(JobRecheckDelayTest, GivenElapsedTimeWhenAskedThenSquareRootOfTwiceTheSeconds) {
  struct Row {
    microseconds elapsed;
    microseconds want;
  };
  const Row rows[] = {{seconds(0), seconds(0)},
                      {seconds(2), seconds(2)},
                      {seconds(50), seconds(10)},
                      {seconds(1800), seconds(60)},
                      {seconds(-5), seconds(0)}};
  for (const Row& row : rows) {
    EXPECT_EQ(JobRecheckDelay(row.elapsed), row.want) << row.elapsed.count() << "us";
  }
}

api::Job JobWith(std::vector<api::JobCondition> conditions) {
  api::Job job;
  job.metadata.name = "uid.load-test.1";
  job.metadata.namespace_ = "shop";
  job.status.conditions = std::move(conditions);
  return job;
}

api::Pod PodWaiting(std::string reason, std::string message) {
  api::Pod pod;
  pod.metadata.name = "uid.load-test.1-x7k2p";
  api::ContainerStatus status{.name = "t"};
  status.state.waiting =
      api::ContainerStateWaiting{.reason = std::move(reason), .message = std::move(message)};
  pod.status.container_statuses = {status};
  return pod;
}

TEST(JobReadingTest, GivenAJobAndItsPodsWhenReadThenTheJobDecidesThePhase) {
  struct Row {
    const char* name;
    api::Job job;
    std::vector<api::Pod> pods;
    std::string want_phase;
    std::string want_message;
    std::optional<api::Time> want_resume_at;
  };
  const api::JobCondition complete{.type = "Complete", .status = "True"};
  const api::JobCondition failed{.type = "Failed",
                                 .status = "True",
                                 .reason = "BackoffLimitExceeded",
                                 .message = "Job has reached the specified backoff limit"};
  const api::JobCondition not_failed{.type = "Failed", .status = "False"};
  const api::Pod image_error = PodWaiting("ErrImagePull", "pull access denied for nope");
  const Row rows[] = {
      {"complete is successful", JobWith({complete}), {}, "Successful", "", std::nullopt},
      {"failed is failed with its message",
       JobWith({failed}),
       {},
       "Failed",
       "Job has reached the specified backoff limit",
       std::nullopt},
      {"complete wins over an image error",
       JobWith({complete}),
       {image_error},
       "Successful",
       "",
       std::nullopt},
      {"image pull error is inconclusive",
       JobWith({not_failed}),
       {image_error},
       "Inconclusive",
       "uid.load-test.1-x7k2p: t: ErrImagePull: pull access denied for nope",
       std::nullopt},
      {"image pull back-off is inconclusive",
       JobWith({}),
       {PodWaiting("ImagePullBackOff", "Back-off pulling image")},
       "Inconclusive",
       "uid.load-test.1-x7k2p: t: ImagePullBackOff: Back-off pulling image",
       std::nullopt},
      {"invalid image name is inconclusive",
       JobWith({}),
       {PodWaiting("InvalidImageName", "bad ref")},
       "Inconclusive",
       "uid.load-test.1-x7k2p: t: InvalidImageName: bad ref",
       std::nullopt},
      {"other waiting keeps running",
       JobWith({not_failed}),
       {PodWaiting("ContainerCreating", "")},
       "Running",
       "",
       api::Time{At(160)}},
      {"no condition keeps running", JobWith({}), {}, "Running", "", api::Time{At(160)}},
  };
  for (const Row& row : rows) {
    // Started at 100, read at 150: a running Job is read again sqrt(2 x 50) = 10 s later.
    const Reading got = JobReading(row.job, row.pods, At(100), At(150));
    EXPECT_EQ(got.phase, row.want_phase) << row.name;
    EXPECT_EQ(got.message, row.want_message) << row.name;
    EXPECT_EQ(got.resume_at, row.want_resume_at) << row.name;
    EXPECT_EQ(got.metadata, (std::map<std::string, std::string>{{"job-name", "uid.load-test.1"},
                                                                {"job-namespace", "shop"}}))
        << row.name;
  }
}

// ---- Garbage collection ----

api::Job Created(std::string name, std::string metric, int at) {
  api::Job job;
  job.metadata.name = std::move(name);
  job.metadata.creation_timestamp = api::Time{At(at)};
  job.metadata.annotations[std::string(kJobMetricNameAnnotation)] = std::move(metric);
  return job;
}

TEST(JobsToCollectTest, GivenTheRunsJobsWhenCollectedThenAllButTheNewestKeepOfTheMetricGo) {
  const std::vector<api::Job> jobs = {Created("u.m.2", "m", 20), Created("u.m.1", "m", 10),
                                      Created("u.other.1", "other", 5), Created("u.m.4", "m", 40),
                                      Created("u.m.3", "m", 30)};
  struct Row {
    const char* name;
    int keep;
    std::vector<std::string> want;
  };
  const Row rows[] = {
      {"keep two", 2, {"u.m.1", "u.m.2"}},
      {"keep more than there are", 10, {}},
      {"keep none", 0, {"u.m.1", "u.m.2", "u.m.3", "u.m.4"}},
      {"negative keeps none", -1, {"u.m.1", "u.m.2", "u.m.3", "u.m.4"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(JobsToCollect(jobs, "m", row.keep), row.want) << row.name;
  }
}

TEST(JobsToCollectTest, GivenJobsCreatedInTheSameSecondWhenCollectedThenTheNameOrdersThem) {
  const std::vector<api::Job> jobs = {Created("u.m.1", "m", 10), Created("u.m.2", "m", 10)};
  EXPECT_EQ(JobsToCollect(jobs, "m", 1), std::vector<std::string>{"u.m.1"});
}

}  // namespace
}  // namespace devflow::analysis::providers
