// AnalysisRunController: its pure steps by tables, then the controller against the embedded API
// server over real HTTP, measuring web metrics served by a local HTTP server the test controls.
// The rules of measuring and assessing are tested in src/analysis/*_test.cc; these tests check
// that the controller reads, measures, writes and records what those rules decide.
#include "controller/analysis_run_controller.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "analysis/providers/provider_registry.h"
#include "api/analysis_codec.h"
#include "api/decode.h"
#include "controller/controller_testing.h"

namespace devflow::controller {
namespace {

using namespace testing;  // NOLINT: the fixture's names
using devflow::testing::Eventually;
using std::chrono::seconds;

const kube::ResourceRef kRuns{"argoproj.io", "v1alpha1", "analysisruns", "AnalysisRun", true};
const kube::ResourceRef kSecrets{"", "v1", "secrets", "Secret", true};

api::TimePoint At(int second) {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{10} +
         std::chrono::seconds{second};
}

api::Metric WebMetric(std::string name, std::string url) {
  api::Metric metric;
  metric.name = std::move(name);
  metric.provider.web = api::WebMetric{};
  metric.provider.web->url = std::move(url);
  return metric;
}

api::Argument Arg(std::string name, std::string value) {
  return api::Argument{.name = std::move(name), .value = std::move(value)};
}
api::Argument SecretArg(std::string name, std::string secret, std::string key) {
  api::Argument arg{.name = std::move(name)};
  arg.value_from = api::ArgumentValueFrom{};
  arg.value_from->secret_key_ref =
      api::SecretKeyRef{.name = std::move(secret), .key = std::move(key)};
  return arg;
}

// ---- Pure steps ----

TEST(ResolveRunArgumentsTest, GivenArgsWhenResolvedThenSubstitutedIntoMetricsOrAnError) {
  const analysis::SecretLookup secrets = [](const api::SecretKeyRef& ref) -> Result<std::string> {
    if (ref.name == "creds" && ref.key == "token") return std::string("s3cr3t");
    return NotFoundError("secrets \"" + ref.name + "\" not found");
  };
  struct Row {
    const char* name;
    std::vector<api::Argument> args;
    std::string url;
    std::string want_url;  // empty: an error
    std::vector<std::string> want_secrets;
    StatusCode want_code = StatusCode::kOk;
    std::string want_path;
  };
  const Row rows[] = {
      {"value", {Arg("host", "metrics")}, "http://{{args.host}}/q", "http://metrics/q", {}},
      {"secret",
       {SecretArg("token", "creds", "token")},
       "http://m/q?t={{ args.token }}",
       "http://m/q?t=s3cr3t",
       {"s3cr3t"}},
      {"missing_secret",
       {SecretArg("token", "other", "token")},
       "http://m/{{args.token}}",
       "",
       {},
       StatusCode::kNotFound,
       "spec.args[0].valueFrom.secretKeyRef"},
      {"unknown_placeholder",
       {Arg("host", "metrics")},
       "http://{{args.port}}/q",
       "",
       {},
       StatusCode::kInvalidArgument,
       "spec.metrics[0]"},
      {"unresolved_arg",
       {api::Argument{.name = "host"}},
       "http://m",
       "",
       {},
       StatusCode::kInvalidArgument,
       "spec.args[0]"},
  };
  for (const Row& row : rows) {
    api::AnalysisRun run;
    run.spec.args = row.args;
    run.spec.metrics = {WebMetric("m", row.url)};
    Result<ResolvedRun> got = ResolveRunArguments(run, secrets);
    if (row.want_url.empty()) {
      ASSERT_FALSE(got.ok()) << row.name;
      EXPECT_EQ(got.error().code(), row.want_code) << row.name << ": " << got.error();
      EXPECT_EQ(got.error().field_path(), row.want_path) << row.name << ": " << got.error();
      continue;
    }
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(got->run.spec.metrics[0].provider.web->url, row.want_url) << row.name;
    EXPECT_EQ(got->secret_values, row.want_secrets) << row.name;
    EXPECT_EQ(got->run.spec.args, run.spec.args) << row.name << ": the spec's args are kept";
  }
}

TEST(IsTransientTest, GivenFailureCodesWhenClassifiedThenOnlyServerTroubleIsRetried) {
  const std::pair<Status, bool> rows[] = {
      {UnavailableError("x"), true},
      {DeadlineExceededError("x"), true},
      {InternalError("x"), true},
      {ConflictError("x"), true},
      {GoneError("x"), true},
      {NotFoundError("x"), false},
      {InvalidArgumentError("x"), false},
      {PermissionDeniedError("x"), false},
  };
  for (const auto& [status, want] : rows) EXPECT_EQ(IsTransient(status), want) << status;
}

TEST(RunErrorUpdateTest, GivenARunningRunWhenErroredThenCompletedWithTheMessageAndAnEvent) {
  api::AnalysisRun run;
  run.status.phase = "Running";
  run.status.started_at = api::Time{At(0)};
  const analysis::AnalysisRunUpdate got =
      RunErrorUpdate(run, "Unable to resolve metric arguments: x", At(5));
  EXPECT_EQ(got.status.phase, "Error");
  EXPECT_EQ(got.status.message, "Unable to resolve metric arguments: x");
  EXPECT_EQ(got.status.started_at, api::Time{At(0)});
  EXPECT_EQ(got.status.completed_at, api::Time{At(5)});
  EXPECT_EQ(got.events, (std::vector<analysis::AnalysisEvent>{
                            {"Warning", "AnalysisRunError", "Analysis Completed. Result: Error"}}));
  EXPECT_EQ(got.requeue_at, std::nullopt);

  api::AnalysisRun fresh;
  EXPECT_EQ(RunErrorUpdate(fresh, "m", At(5)).status.started_at, api::Time{At(5)});

  api::AnalysisRun done = run;
  done.status.phase = "Successful";
  const analysis::AnalysisRunUpdate unchanged = RunErrorUpdate(done, "m", At(5));
  EXPECT_EQ(unchanged.status, done.status);
  EXPECT_TRUE(unchanged.events.empty());
}

TEST(ErrorTextTest, GivenErrorsWhenRenderedThenThePathComesFirst) {
  EXPECT_EQ(ErrorText(InvalidArgumentError("failed to resolve {{args.x}}", "spec.metrics[0]")),
            "spec.metrics[0]: failed to resolve {{args.x}}");
  EXPECT_EQ(ErrorText(NotFoundError("gone")), "gone");
}

TEST(StatusPatchTest, GivenReadAndNewStatusesWhenPatchedThenTheDifferenceUnderTheReadVersion) {
  struct Row {
    const char* name;
    const char* read;  // the run as read
    api::AnalysisRunStatus status;
    const char* want;
  };
  api::AnalysisRunStatus running;
  running.phase = "Running";
  api::AnalysisRunStatus failed;
  failed.phase = "Failed";
  failed.message = "boom";
  const Row rows[] = {
      {"first_status", R"({"metadata": {"name": "r", "resourceVersion": "7"}})", running,
       R"({"metadata": {"resourceVersion": "7"}, "status": {"phase": "Running"}})"},
      {"message_cleared",
       R"({"metadata": {"resourceVersion": "8"},
           "status": {"phase": "Failed", "message": "boom"}})",
       running,
       R"({"metadata": {"resourceVersion": "8"},
           "status": {"phase": "Running", "message": null}})"},
      {"unchanged",
       R"({"metadata": {"resourceVersion": "9"}, "status": {"phase": "Failed", "message": "boom"}})",
       failed, R"({"metadata": {"resourceVersion": "9"}})"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(StatusPatch(Json(row.read), row.status), Json(row.want))
        << row.name << ": " << json::Write(StatusPatch(Json(row.read), row.status));
  }
}

TEST(CompletedRunTtlTest, GivenCompletedRunsWhenTheirTtlIsCheckedThenDeleteOrWait) {
  api::AnalysisRun run;
  run.status.phase = "Successful";
  run.status.completed_at = api::Time{At(0)};
  EXPECT_EQ(CompletedRunTtl(run, At(1000)), TtlAction{}) << "no ttlStrategy: kept";
  run.spec.ttl_strategy = api::TtlStrategy{.seconds_after_completion = 60};
  EXPECT_EQ(CompletedRunTtl(run, At(30)),
            (TtlAction{.requeue_at = At(60) + std::chrono::milliseconds(1)}));
  EXPECT_EQ(CompletedRunTtl(run, At(61)), TtlAction{.delete_now = true});
}

// ---- The controller against the embedded API server ----

// The metric endpoint: answers `body` with `status`, and remembers the last Authorization.
class MetricServer {
 public:
  MetricServer()
      : handler_([this](const http::Request& request, http::ResponseWriter& writer) {
          std::lock_guard lock(mu_);
          authorization_ = std::string(request.Header("Authorization"));
          ++requests_;
          (void)writer.Send(http::Response{.status = status_, .body = body_});
        }),
        server_(http::testing::StartServer(handler_)) {}

  void Answer(int status, std::string body) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  std::string Authorization() {
    std::lock_guard lock(mu_);
    return authorization_;
  }
  std::string Url() const { return http::testing::BaseUrl(*server_) + "/metric"; }

 private:
  std::mutex mu_;
  int status_ = 200;                      // guarded by mu_
  std::string body_ = R"({"value": 1})";  // guarded by mu_
  std::string authorization_;             // guarded by mu_
  int requests_ = 0;                      // guarded by mu_
  http::FunctionHandler handler_;
  std::unique_ptr<http::Server> server_;
};

// A URL nothing listens on: a port bound and closed again.
std::string UnreachableUrl() {
  http::FunctionHandler handler([](const http::Request&, http::ResponseWriter&) {});
  auto server = http::testing::StartServer(handler);
  const std::string url = http::testing::BaseUrl(*server) + "/metric";
  server->Stop();
  return url;
}

// Each test starts the controller itself (StartController), with its clock and after what must
// exist first; the informer factory, already started, starts the controller's informer at once.
class AnalysisRunControllerTest : public EmbeddedServerTest {
 protected:
  void StartControllers() override {
    registry_ = std::make_unique<analysis::providers::ProviderRegistry>(
        analysis::providers::ProviderEnvironment{.client = client_.get()});
  }
  void StopControllers() override { controller_.reset(); }

  // Starts the controller, with `clock` (null: the system's).
  void StartController(const kube::Clock* clock = nullptr) {
    controller_ = AnalysisRunController::Start(
        *client_, *informers_,
        AnalysisRunControllerOptions{
            .workers = 2,
            .measurement_threads = 4,
            .clock = clock,
            .recorder = recorder_.get(),
            .providers = [this](const api::Metric& metric) -> Result<analysis::MetricProvider*> {
              if (metric.name == "slow" && slow_ != nullptr) return slow_;
              return registry_->Find(metric.provider);
            }});
  }

  api::AnalysisRun Run(const std::string& name) {
    const json::Value got = Get(kRuns, name);
    return got.is_object() ? api::Decode<api::AnalysisRun>(got) : api::AnalysisRun{};
  }
  std::string Phase(const std::string& name) { return Run(name).status.phase; }
  bool Completed(const std::string& name) { return api::IsCompletedPhase(Phase(name)); }
  std::string Dump(const std::string& name) {
    auto got = client_->Get(kRuns, kNs, name);
    return (got.ok() ? json::WritePretty(*got) : got.error().ToString()) +
           "\nlast error: " + controller_->LastError().ToString();
  }

  std::unique_ptr<analysis::providers::ProviderRegistry> registry_;
  std::unique_ptr<AnalysisRunController> controller_;
  MetricServer metrics_;
  // When set, measures every metric named "slow".
  analysis::MetricProvider* slow_ = nullptr;
};

// A provider that answers 1 once released, and says when a measurement has started.
class HeldProvider : public analysis::MetricProvider {
 public:
  Result<analysis::Reading> Measure(const analysis::MeasurementRequest&) override {
    started_.Notify();
    if (!released_.Wait()) return DeadlineExceededError("never released");
    return analysis::Reading{.result = json::Value(int64_t{1}), .value = "1"};
  }
  bool WaitStarted() { return started_.Wait(); }
  void Release() { released_.Notify(); }

 private:
  http::testing::Notification started_;
  http::testing::Notification released_;
};

// An AnalysisRun with one web metric reading $.value from `url`; `fields` are more metric
// members (JSON, with a leading comma) and `spec` more spec members.
std::string WebRun(const std::string& name, const std::string& url, const std::string& fields,
                   const std::string& spec = "") {
  return R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
             "metadata": {"name": ")" +
         name + R"("},
             "spec": {"metrics": [{"name": "m", "successCondition": "result == 1",
                                   "provider": {"web": {"url": ")" +
         url + R"(", "jsonPath": "{$.value}"}})" + fields + "}]" + spec + "}}";
}

TEST_F(AnalysisRunControllerTest, GivenThreePassingMeasurementsThenTheRunIsSuccessful) {
  StartController();
  Create(kRuns, WebRun("ok", metrics_.Url(), R"(, "interval": "1s", "count": 3)"));

  ASSERT_TRUE(Eventually([&] { return Completed("ok"); }, seconds(20))) << Dump("ok");
  const api::AnalysisRun run = Run("ok");
  EXPECT_EQ(run.status.phase, "Successful") << Dump("ok");
  ASSERT_EQ(run.status.metric_results.size(), 1u);
  const api::MetricResult& result = run.status.metric_results[0];
  EXPECT_EQ(result.phase, "Successful");
  EXPECT_EQ(result.count, 3);
  EXPECT_EQ(result.successful, 3);
  ASSERT_EQ(result.measurements.size(), 3u);
  for (const api::Measurement& m : result.measurements) {
    EXPECT_EQ(m.phase, "Successful");
    EXPECT_EQ(m.value, "1");
  }
  EXPECT_TRUE(run.status.started_at.has_value());
  EXPECT_TRUE(run.status.completed_at.has_value());
  EXPECT_TRUE(Eventually([&] { return HasEvent("AnalysisRunSuccessful"); }));
}

TEST_F(AnalysisRunControllerTest, GivenAFailingAnswerThenTheRunFailsWithArgosMessage) {
  metrics_.Answer(200, R"({"value": 0})");
  StartController();
  Create(kRuns, WebRun("bad", metrics_.Url(), ""));

  ASSERT_TRUE(Eventually([&] { return Completed("bad"); }, seconds(20))) << Dump("bad");
  const api::AnalysisRun run = Run("bad");
  EXPECT_EQ(run.status.phase, "Failed");
  EXPECT_EQ(run.status.message,
            R"(Metric "m" assessed Failed due to failed (1) > failureLimit (0))");
  EXPECT_EQ(run.status.run_summary.failed, 1);
  EXPECT_TRUE(Eventually([&] { return HasEvent("AnalysisRunFailed"); }));
}

TEST_F(AnalysisRunControllerTest, GivenARunningRunWhenTerminatedThenItCompletes) {
  StartController();
  Create(kRuns, WebRun("long", metrics_.Url(), R"(, "interval": "1s")"));
  ASSERT_TRUE(Eventually([&] {
    const api::AnalysisRun run = Run("long");
    return !run.status.metric_results.empty() && !run.status.metric_results[0].measurements.empty();
  })) << Dump("long");

  auto patched = client_->Patch(kRuns, kNs, "long", kube::PatchType::kMerge,
                                Json(R"({"spec": {"terminate": true}})"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(Eventually([&] { return Completed("long"); }, seconds(20))) << Dump("long");
  const api::AnalysisRun run = Run("long");
  EXPECT_EQ(run.status.phase, "Successful");
  EXPECT_EQ(run.status.message, "Run Terminated");
}

TEST_F(AnalysisRunControllerTest, GivenAnUnreachableUrlThenErrorMeasurementsThenTheRunErrors) {
  // The retry after an Error measurement is 10 s: simulated time skips it.
  kube::ManualClock clock;
  StartController(&clock);
  Create(kRuns, WebRun("down", UnreachableUrl(), R"(, "consecutiveErrorLimit": 1)"));

  ASSERT_TRUE(Eventually([&] {
    const api::AnalysisRun run = Run("down");
    return !run.status.metric_results.empty() && run.status.metric_results[0].error == 1;
  })) << Dump("down");
  EXPECT_EQ(Phase("down"), "Running") << "one error is within the limit";
  ASSERT_TRUE(Eventually([&] {
    if (!clock.PendingDeadlines().empty()) clock.Advance(seconds(1));
    return Completed("down");
  })) << Dump("down");

  const api::AnalysisRun run = Run("down");
  EXPECT_EQ(run.status.phase, "Error");
  const api::MetricResult& result = run.status.metric_results[0];
  EXPECT_EQ(result.error, 2);
  EXPECT_EQ(result.consecutive_error, 2);
  ASSERT_EQ(result.measurements.size(), 2u);
  EXPECT_EQ(result.measurements[1].phase, "Error");
  EXPECT_NE(result.measurements[1].message.find("GET http://127.0.0.1:"), std::string::npos)
      << result.measurements[1].message;
  EXPECT_EQ(run.status.message.rfind(R"(Metric "m" assessed Error due to consecutiveErrors (2) > )"
                                     R"(consecutiveErrorLimit (1): "Error Message: )",
                                     0),
            0u)
      << run.status.message;
}

TEST_F(AnalysisRunControllerTest, GivenASlowProviderThenOtherRunsAreMeasuredMeanwhile) {
  HeldProvider held;
  slow_ = &held;
  StartController();
  Create(kRuns, R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
    "metadata": {"name": "held"},
    "spec": {"metrics": [{"name": "slow", "successCondition": "result == 1",
                          "provider": {"web": {"url": "http://held.invalid/"}}}]}})");
  ASSERT_TRUE(held.WaitStarted());
  Create(kRuns, WebRun("quick", metrics_.Url(), ""));

  ASSERT_TRUE(Eventually([&] { return Completed("quick"); }, seconds(20))) << Dump("quick");
  EXPECT_EQ(Phase("quick"), "Successful");
  EXPECT_FALSE(Completed("held")) << "its measurement is still under way";
  held.Release();
  ASSERT_TRUE(Eventually([&] { return Completed("held"); }, seconds(20))) << Dump("held");
  EXPECT_EQ(Phase("held"), "Successful");
}

TEST_F(AnalysisRunControllerTest, GivenASecretArgInAHeaderThenItIsSentAndMaskedInMessages) {
  Create(kSecrets, R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
                       "stringData": {"token": "s3cr3t"}})");
  StartController();
  // Metric "m" sends the token to the live server; metric "leak" also puts it in the URL of a
  // server that is down, so the error message carries it.
  Create(kRuns, R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
    "metadata": {"name": "secret"},
    "spec": {
      "args": [{"name": "token", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}}],
      "metrics": [
        {"name": "m", "successCondition": "result == 1",
         "provider": {"web": {"url": ")" +
                    metrics_.Url() + R"(", "jsonPath": "{$.value}",
           "headers": [{"key": "Authorization", "value": "Bearer {{args.token}}"}]}}},
        {"name": "leak", "consecutiveErrorLimit": 0,
         "provider": {"web": {"url": ")" +
                    UnreachableUrl() + R"(?token={{args.token}}",
           "headers": [{"key": "Authorization", "value": "Bearer {{args.token}}"}]}}}]}})");

  ASSERT_TRUE(Eventually([&] { return Completed("secret"); }, seconds(20))) << Dump("secret");
  EXPECT_EQ(metrics_.Authorization(), "Bearer s3cr3t");
  const api::AnalysisRun run = Run("secret");
  EXPECT_EQ(run.status.phase, "Error");
  EXPECT_NE(run.status.message.find("token=*****"), std::string::npos) << run.status.message;
  const std::string stored = Dump("secret");
  EXPECT_EQ(stored.find("s3cr3t"), std::string::npos) << stored;
}

TEST_F(AnalysisRunControllerTest, GivenAMissingSecretThenTheRunErrorsUnableToResolve) {
  StartController();
  Create(kRuns, R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
    "metadata": {"name": "nosecret"},
    "spec": {
      "args": [{"name": "token", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "k"}}}],
      "metrics": [{"name": "m", "provider": {"web": {"url": ")" +
                    metrics_.Url() + R"(?t={{args.token}}"}}}]}})");
  ASSERT_TRUE(Eventually([&] { return Completed("nosecret"); }, seconds(20))) << Dump("nosecret");
  const api::AnalysisRun run = Run("nosecret");
  EXPECT_EQ(run.status.phase, "Error");
  EXPECT_EQ(run.status.message.rfind("Unable to resolve metric arguments: ", 0), 0u)
      << run.status.message;
  EXPECT_NE(run.status.message.find("absent"), std::string::npos) << run.status.message;
}

TEST_F(AnalysisRunControllerTest, GivenAnUnsupportedProviderThenErrorMeasurementsNameIt) {
  StartController();
  Create(kRuns, R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
    "metadata": {"name": "dd"},
    "spec": {"metrics": [{"name": "m", "consecutiveErrorLimit": 0,
                          "provider": {"datadog": {"query": "avg:x"}}}]}})");
  ASSERT_TRUE(Eventually([&] { return Completed("dd"); }, seconds(20))) << Dump("dd");
  const api::AnalysisRun run = Run("dd");
  EXPECT_EQ(run.status.phase, "Error");
  ASSERT_EQ(run.status.metric_results.size(), 1u);
  ASSERT_EQ(run.status.metric_results[0].measurements.size(), 1u);
  EXPECT_EQ(run.status.metric_results[0].measurements[0].message.rfind(
                "provider datadog is not supported by devflow", 0),
            0u);
}

TEST_F(AnalysisRunControllerTest, GivenACompletedRunWithATtlThenItIsDeletedOnceItPasses) {
  kube::ManualClock clock;
  StartController(&clock);
  Create(kRuns,
         WebRun("ttl", metrics_.Url(), "", R"(, "ttlStrategy": {"secondsAfterSuccess": 30})"));
  ASSERT_TRUE(Eventually([&] { return Completed("ttl"); })) << Dump("ttl");
  EXPECT_EQ(Phase("ttl"), "Successful");
  ASSERT_TRUE(Eventually([&] {
    if (!clock.PendingDeadlines().empty()) clock.Advance(seconds(5));
    return !client_->Get(kRuns, kNs, "ttl").ok();
  })) << Dump("ttl");
}

}  // namespace
}  // namespace devflow::controller
