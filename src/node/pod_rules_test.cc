#include "node/pod_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace devflow::node {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const MonoTime kT0 = MonoTime() + std::chrono::hours(1000);

api::Time WallAt(int second) {
  return api::Time{api::TimePoint(std::chrono::seconds(1'800'000'000 + second))};
}

api::Probe ProbeWith(std::optional<int32_t> delay, std::optional<int32_t> period,
                     std::optional<int32_t> success, std::optional<int32_t> failure) {
  return api::Probe{.exec = api::ExecAction{.command = {"true"}},
                    .initial_delay_seconds = delay,
                    .period_seconds = period,
                    .success_threshold = success,
                    .failure_threshold = failure};
}

TEST(PodRulesTest, ProbeSettingsOf) {
  struct Row {
    const char* name;
    api::Probe probe;
    ProbeSettings expected;
  };
  const Row rows[] = {
      {"defaults", api::Probe{}, ProbeSettings{seconds(0), seconds(1), seconds(10), 1, 3}},
      {"given",
       api::Probe{.initial_delay_seconds = 5,
                  .timeout_seconds = 2,
                  .period_seconds = 3,
                  .success_threshold = 2,
                  .failure_threshold = 4},
       ProbeSettings{seconds(5), seconds(2), seconds(3), 2, 4}},
      {"below minimums raised",
       api::Probe{.initial_delay_seconds = -1,
                  .timeout_seconds = 0,
                  .period_seconds = 0,
                  .success_threshold = 0,
                  .failure_threshold = -2},
       ProbeSettings{seconds(0), seconds(1), seconds(1), 1, 1}},
  };
  for (const Row& row : rows) EXPECT_EQ(ProbeSettingsOf(row.probe), row.expected) << row.name;
}

TEST(PodRulesTest, ProbeAccounting) {
  struct Row {
    std::string name;
    ProbeKind kind;
    ProbeSettings settings;
    std::vector<bool> outcomes;
    std::vector<bool> results;  // the published result after each outcome
    bool on_hold;               // after the last outcome
  };
  const ProbeSettings one_three{.success_threshold = 1, .failure_threshold = 3};
  const ProbeSettings two_two{.success_threshold = 2, .failure_threshold = 2};
  const std::vector<Row> rows = {
      {"readiness starts unready, one success makes it ready",
       ProbeKind::kReadiness,
       one_three,
       {true},
       {true},
       false},
      {"readiness needs successThreshold in a row",
       ProbeKind::kReadiness,
       two_two,
       {true, false, true, true},
       {false, false, false, true},
       false},
      {"readiness flips after failureThreshold failures in a row",
       ProbeKind::kReadiness,
       one_three,
       {true, false, false, true, false, false, false},
       {true, true, true, true, true, true, false},
       false},
      {"readiness keeps probing after failing",
       ProbeKind::kReadiness,
       two_two,
       {false, false, false, true, true},
       {false, false, false, false, true},
       false},
      {"liveness starts alive and holds after failureThreshold",
       ProbeKind::kLiveness,
       one_three,
       {false, false, false},
       {true, true, false},
       true},
      {"liveness interrupted failures do not count",
       ProbeKind::kLiveness,
       one_three,
       {false, false, true, false, false},
       {true, true, true, true, true},
       false},
      {"startup passes on first success",
       ProbeKind::kStartup,
       one_three,
       {false, true},
       {false, true},
       false},
      {"startup holds after failureThreshold",
       ProbeKind::kStartup,
       two_two,
       {false, false},
       {false, false},
       true},
  };
  for (const Row& row : rows) {
    ProbeTracker tracker = NewProbeTracker(row.kind, row.settings, kT0);
    EXPECT_EQ(tracker.result, row.kind == ProbeKind::kLiveness) << row.name;
    for (size_t i = 0; i < row.outcomes.size(); ++i) {
      MonoTime at = kT0 + seconds(10 * i);
      tracker = RecordProbeOutcome(tracker, row.kind, row.settings, row.outcomes[i],
                                   row.outcomes[i] ? "" : "boom", at);
      EXPECT_EQ(tracker.result, row.results[i]) << row.name << " after outcome " << i;
      EXPECT_EQ(tracker.next_due, at + row.settings.period) << row.name;
    }
    EXPECT_EQ(tracker.on_hold, row.on_hold) << row.name;
    EXPECT_EQ(tracker.message, row.outcomes.back() ? "" : "boom") << row.name;
  }
}

TEST(PodRulesTest, FirstProbeAfterInitialDelay) {
  ProbeTracker tracker =
      NewProbeTracker(ProbeKind::kReadiness, ProbeSettings{.initial_delay = seconds(7)}, kT0);
  EXPECT_EQ(tracker.next_due, kT0 + seconds(7));
  EXPECT_FALSE(tracker.result);
}

TEST(PodRulesTest, DecideRestart) {
  const BackoffOptions options;  // 10 s doubling to 300 s, reset after 10 min
  struct Row {
    std::string name;
    std::string policy;
    std::optional<int> exit_code;
    std::chrono::nanoseconds ran_for;
    std::chrono::nanoseconds backoff;
    RestartDecision expected;
  };
  const auto s = [](int n) { return std::chrono::nanoseconds(seconds(n)); };
  const std::vector<Row> rows = {
      {"Always: first crash restarts at once", "Always", 1, s(1), s(0), {true, s(0), s(10)}},
      {"empty policy is Always", "", 1, s(1), s(0), {true, s(0), s(10)}},
      {"second crash waits 10s", "Always", 1, s(1), s(10), {true, s(10), s(20)}},
      {"third waits 20s", "Always", 2, s(1), s(20), {true, s(20), s(40)}},
      {"doubling reaches the cap", "Always", 1, s(1), s(160), {true, s(160), s(300)}},
      {"capped at 300s", "Always", 1, s(1), s(300), {true, s(300), s(300)}},
      {"Always restarts a success too, with back-off",
       "Always",
       0,
       s(1),
       s(10),
       {true, s(10), s(20)}},
      {"ran 10 minutes: back-off starts over",
       "Always",
       1,
       minutes(10),
       s(300),
       {true, s(0), s(10)}},
      {"ran just under 10 minutes: no reset",
       "Always",
       1,
       minutes(10) - s(1),
       s(40),
       {true, s(40), s(80)}},
      {"OnFailure restarts a failure", "OnFailure", 3, s(1), s(10), {true, s(10), s(20)}},
      {"OnFailure keeps a success", "OnFailure", 0, s(1), s(10), {false, s(0), s(10)}},
      {"OnFailure restarts an unknown exit",
       "OnFailure",
       std::nullopt,
       s(1),
       s(0),
       {true, s(0), s(10)}},
      {"Never keeps a failure", "Never", 1, s(1), s(0), {false, s(0), s(0)}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(DecideRestart(row.policy, row.exit_code, row.ran_for, row.backoff, options),
              row.expected)
        << row.name;
  }
}

TEST(PodRulesTest, FormatGoDuration) {
  struct Row {
    std::chrono::nanoseconds d;
    const char* expected;
  };
  const Row rows[] = {
      {seconds(0), "0s"},
      {seconds(10), "10s"},
      {seconds(80), "1m20s"},
      {seconds(160), "2m40s"},
      {seconds(300), "5m0s"},
      {milliseconds(200), "200ms"},
      {milliseconds(1500), "1.5s"},
      {seconds(3600), "1h0m0s"},
      {std::chrono::microseconds(5), "5µs"},
      {std::chrono::nanoseconds(1500), "1.5µs"},
  };
  for (const Row& row : rows) EXPECT_EQ(FormatGoDuration(row.d), row.expected) << row.expected;
}

api::ObjectMeta PodMeta() {
  return api::ObjectMeta{.name = "web-abcde", .namespace_ = "shop", .uid = "uid-1"};
}

TEST(PodRulesTest, BackoffMessage) {
  EXPECT_EQ(BackoffMessage(seconds(20), "web", PodMeta()),
            "back-off 20s restarting failed container=web pod=web-abcde_shop(uid-1)");
}

// A crash loop: each start is followed by an exit after `ran`; the back-off shown and the
// restart count grow as the kubelet's do.
TEST(PodRulesTest, CrashLoopBackOffGrows) {
  const api::Container spec{.name = "web", .image = "app:v1"};
  const BackoffOptions options;
  struct Row {
    std::string name;
    std::chrono::nanoseconds ran;
    std::chrono::nanoseconds expected_delay;
    int restart_count_after_restart;
  };
  const std::vector<Row> rows = {
      {"first crash: immediate restart", seconds(1), seconds(0), 1},
      {"second crash: 10s", seconds(1), seconds(10), 2},
      {"third crash: 20s", seconds(1), seconds(20), 3},
      {"fourth crash: 40s", seconds(1), seconds(40), 4},
      {"fifth crash: 80s", seconds(1), seconds(80), 5},
      {"sixth crash: 160s", seconds(1), seconds(160), 6},
      {"seventh crash: capped 300s", seconds(1), seconds(300), 7},
      {"eighth crash: still 300s", seconds(1), seconds(300), 8},
      {"ran 10 minutes: immediate again", minutes(10), seconds(0), 9},
      {"then 10s again", seconds(1), seconds(10), 10},
  };
  ContainerRecord record = RecordStarted({}, spec, 100, WallAt(0), kT0);
  MonoTime now = kT0;
  int pid = 100;
  for (const Row& row : rows) {
    now += row.ran;
    record = RecordExited(record, "web", "Always", 1, WallAt(1), now, PodMeta(), options);
    ASSERT_TRUE(record.start_at.has_value()) << row.name;
    EXPECT_EQ(*record.start_at - now, row.expected_delay) << row.name;
    api::ContainerStatus status = BuildContainerStatus(spec, record);
    if (row.expected_delay > std::chrono::nanoseconds::zero()) {
      EXPECT_FALSE(ShouldStart(record, now)) << row.name;
      ASSERT_TRUE(status.state.waiting.has_value()) << row.name;
      EXPECT_EQ(status.state.waiting->reason, "CrashLoopBackOff") << row.name;
      EXPECT_EQ(status.state.waiting->message,
                "back-off " + FormatGoDuration(row.expected_delay) +
                    " restarting failed container=web pod=web-abcde_shop(uid-1)")
          << row.name;
      EXPECT_EQ(NextWakeup(record, spec), *record.start_at) << row.name;
      ASSERT_TRUE(status.last_state.terminated.has_value()) << row.name;
      EXPECT_EQ(status.last_state.terminated->exit_code, 1) << row.name;
    } else {
      // Restarting at once: the exit shows until the new process runs.
      ASSERT_TRUE(status.state.terminated.has_value()) << row.name;
      EXPECT_EQ(status.state.terminated->exit_code, 1) << row.name;
    }
    now = *record.start_at;
    ASSERT_TRUE(ShouldStart(record, now)) << row.name;
    record = RecordStarted(record, spec, ++pid, WallAt(2), now);
    EXPECT_EQ(record.restart_count, row.restart_count_after_restart) << row.name;
  }
}

TEST(PodRulesTest, RestartPolicyEndsTheContainer) {
  const api::Container spec{.name = "job", .image = "tool"};
  struct Row {
    std::string name;
    std::string policy;
    int exit_code;
    bool finished;
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"Never after success", "Never", 0, true, "Completed"},
      {"Never after failure", "Never", 2, true, "Error"},
      {"OnFailure after success", "OnFailure", 0, true, "Completed"},
      {"OnFailure after failure", "OnFailure", 2, false, "Error"},
      {"Always after success", "Always", 0, false, "Completed"},
  };
  for (const Row& row : rows) {
    ContainerRecord record = RecordStarted({}, spec, 7, WallAt(0), kT0);
    record = RecordExited(record, "job", row.policy, row.exit_code, WallAt(5), kT0 + seconds(5),
                          PodMeta(), {});
    EXPECT_EQ(record.finished, row.finished) << row.name;
    EXPECT_EQ(ShouldStart(record, kT0 + seconds(5)), !row.finished) << row.name;
    api::ContainerStatus status = BuildContainerStatus(spec, record);
    ASSERT_TRUE(status.state.terminated.has_value()) << row.name;
    EXPECT_EQ(status.state.terminated->exit_code, row.exit_code) << row.name;
    EXPECT_EQ(status.state.terminated->reason, row.reason) << row.name;
    EXPECT_EQ(status.state.terminated->started_at, WallAt(0)) << row.name;
    EXPECT_EQ(status.state.terminated->finished_at, WallAt(5)) << row.name;
    EXPECT_EQ(status.state.terminated->container_id, "devflow://7") << row.name;
    EXPECT_EQ(status.container_id, "devflow://7") << row.name;
    EXPECT_FALSE(status.ready) << row.name;
    EXPECT_EQ(status.started, false) << row.name;
    if (row.finished) {
      EXPECT_EQ(NextWakeup(record, spec), std::nullopt) << row.name;
    }
  }
}

TEST(PodRulesTest, ExitWhenNothingRunsChangesNothing) {
  ContainerRecord record;
  EXPECT_EQ(RecordExited(record, "web", "Always", 1, WallAt(1), kT0, PodMeta(), {}), record);
}

TEST(PodRulesTest, UnknownExitOfAnAdoptedProcess) {
  const api::Container spec{.name = "web", .image = "app"};
  ContainerRecord record = RecordAdopted(spec, nullptr, 9, WallAt(0), 0, kT0);
  record = RecordExited(record, "web", "Never", std::nullopt, WallAt(3), kT0 + seconds(3),
                        PodMeta(), {});
  api::ContainerStatus status = BuildContainerStatus(spec, record);
  ASSERT_TRUE(status.state.terminated.has_value());
  EXPECT_EQ(status.state.terminated->reason, "ContainerStatusUnknown");
  EXPECT_EQ(status.state.terminated->exit_code, 137);
}

TEST(PodRulesTest, ContainerStatuses) {
  const api::Container plain{.name = "web", .image = "app:v1"};
  api::Container with_readiness = plain;
  with_readiness.readiness_probe = ProbeWith(0, 1, 1, 1);
  api::Container with_startup = plain;
  with_startup.startup_probe = ProbeWith(0, 1, 1, 1);

  const ContainerRecord running = RecordStarted({}, plain, 42, WallAt(3), kT0);
  const ContainerRecord exited_once =
      RecordExited(running, "web", "Always", 1, WallAt(4), kT0 + seconds(1), PodMeta(), {});
  const ContainerRecord restarted =
      RecordStarted(exited_once, plain, 43, WallAt(5), kT0 + seconds(1));
  const ContainerRecord in_backoff =
      RecordExited(restarted, "web", "Always", 1, WallAt(6), kT0 + seconds(2), PodMeta(), {});

  struct Row {
    std::string name;
    api::Container spec;
    ContainerRecord record;
    std::string state;  // running / waiting:REASON / terminated:REASON
    bool has_last_state;
    bool ready;
    bool started;
    int restart_count;
    std::string container_id;
  };
  const std::vector<Row> rows = {
      {"never started", plain, ContainerRecord{}, "waiting:ContainerCreating", false, false, false,
       0, ""},
      {"config error", plain,
       RecordStartFailed({}, kCreateContainerConfigError, "bad env", kT0 + seconds(10)),
       "waiting:CreateContainerConfigError", false, false, false, 0, ""},
      {"running without probes is ready", plain, running, "running", false, true, true, 0,
       "devflow://42"},
      {"running with a readiness probe not yet passed", with_readiness,
       RecordStarted({}, with_readiness, 42, WallAt(3), kT0), "running", false, false, true, 0,
       "devflow://42"},
      {"readiness passed", with_readiness,
       RecordProbe(RecordStarted({}, with_readiness, 42, WallAt(3), kT0), ProbeKind::kReadiness,
                   *with_readiness.readiness_probe, true, "", kT0),
       "running", false, true, true, 0, "devflow://42"},
      {"startup not passed: not started, not ready", with_startup,
       RecordStarted({}, with_startup, 42, WallAt(3), kT0), "running", false, false, false, 0,
       "devflow://42"},
      {"startup passed", with_startup,
       RecordProbe(RecordStarted({}, with_startup, 42, WallAt(3), kT0), ProbeKind::kStartup,
                   *with_startup.startup_probe, true, "", kT0),
       "running", false, true, true, 0, "devflow://42"},
      {"between exit and immediate restart", plain, exited_once, "terminated:Error", false, false,
       false, 0, "devflow://42"},
      {"restarted shows the last termination", plain, restarted, "running", true, true, true, 1,
       "devflow://43"},
      {"back-off", plain, in_backoff, "waiting:CrashLoopBackOff", true, false, false, 1,
       "devflow://43"},
      {"create error after a crash keeps lastState", plain,
       RecordStartFailed(in_backoff, kCreateContainerError, "missing", kT0 + seconds(30)),
       "waiting:CreateContainerError", true, false, false, 1, "devflow://43"},
  };
  for (const Row& row : rows) {
    api::ContainerStatus status = BuildContainerStatus(row.spec, row.record);
    std::string state = status.state.running      ? "running"
                        : status.state.waiting    ? "waiting:" + status.state.waiting->reason
                        : status.state.terminated ? "terminated:" + status.state.terminated->reason
                                                  : "none";
    EXPECT_EQ(state, row.state) << row.name;
    EXPECT_EQ(status.last_state.terminated.has_value(), row.has_last_state) << row.name;
    EXPECT_EQ(status.ready, row.ready) << row.name;
    EXPECT_EQ(status.started, row.started) << row.name;
    EXPECT_EQ(status.restart_count, row.restart_count) << row.name;
    EXPECT_EQ(status.container_id, row.container_id) << row.name;
    EXPECT_EQ(status.name, "web") << row.name;
    EXPECT_EQ(status.image, "app:v1") << row.name;
    if (status.state.running) {
      EXPECT_EQ(status.state.running->started_at, row.record.running->started_at) << row.name;
    }
  }
}

TEST(PodRulesTest, ProbeSchedulingAndGating) {
  api::Container spec{.name = "web", .image = "app"};
  spec.startup_probe = ProbeWith(0, 1, 1, 2);
  spec.liveness_probe = ProbeWith(5, 10, 1, 1);
  spec.readiness_probe = ProbeWith(2, 3, 1, 1);
  ContainerRecord record = RecordStarted({}, spec, 1, WallAt(0), kT0);

  struct Step {
    std::string name;
    MonoTime now;
    std::vector<ProbeKind> due;
  };
  // Only startup runs until it passes.
  EXPECT_EQ(DueProbes(record, spec, kT0), std::vector<ProbeKind>{ProbeKind::kStartup});
  EXPECT_EQ(DueProbes(record, spec, kT0 + seconds(30)),
            std::vector<ProbeKind>{ProbeKind::kStartup});
  record = MarkProbeInFlight(record, ProbeKind::kStartup);
  EXPECT_TRUE(DueProbes(record, spec, kT0 + seconds(30)).empty()) << "in flight";
  EXPECT_EQ(NextWakeup(record, spec), std::nullopt) << "waits for the answer";
  record =
      RecordProbe(record, ProbeKind::kStartup, *spec.startup_probe, true, "", kT0 + seconds(3));
  ASSERT_TRUE(record.started);
  const std::vector<Step> steps = {
      {"before both delays", kT0 + seconds(1), {}},
      {"readiness delay passed", kT0 + seconds(2), {ProbeKind::kReadiness}},
      {"both delays passed", kT0 + seconds(5), {ProbeKind::kLiveness, ProbeKind::kReadiness}},
  };
  for (const Step& step : steps) {
    EXPECT_EQ(DueProbes(record, spec, step.now), step.due) << step.name;
  }
  EXPECT_EQ(NextWakeup(record, spec), kT0 + seconds(2));
  record =
      RecordProbe(record, ProbeKind::kReadiness, *spec.readiness_probe, true, "", kT0 + seconds(2));
  EXPECT_EQ(NextWakeup(record, spec), kT0 + seconds(5)) << "liveness next";
  record =
      RecordProbe(record, ProbeKind::kLiveness, *spec.liveness_probe, true, "", kT0 + seconds(5));
  EXPECT_EQ(NextWakeup(record, spec), kT0 + seconds(5)) << "readiness every 3 s";
  EXPECT_FALSE(ShouldKill(record));

  // A liveness failure (threshold 1) holds the probe and asks for a kill, once.
  record = RecordProbe(record, ProbeKind::kLiveness, *spec.liveness_probe, false, "dead",
                       kT0 + seconds(15));
  EXPECT_TRUE(ShouldKill(record));
  record.kill_requested = true;
  EXPECT_FALSE(ShouldKill(record));
  EXPECT_TRUE(DueProbes(record, spec, kT0 + seconds(100)).empty()) << "nothing while killing";
}

TEST(PodRulesTest, StartupFailureAsksForKill) {
  api::Container spec{.name = "web", .image = "app"};
  spec.startup_probe = ProbeWith(0, 1, 1, 2);
  ContainerRecord record = RecordStarted({}, spec, 1, WallAt(0), kT0);
  record = RecordProbe(record, ProbeKind::kStartup, *spec.startup_probe, false, "x", kT0);
  EXPECT_FALSE(ShouldKill(record));
  record =
      RecordProbe(record, ProbeKind::kStartup, *spec.startup_probe, false, "x", kT0 + seconds(1));
  EXPECT_TRUE(ShouldKill(record));
  EXPECT_FALSE(record.started);
}

TEST(PodRulesTest, RecordAdopted) {
  api::Container spec{.name = "web", .image = "app"};
  spec.readiness_probe = ProbeWith(0, 1, 1, 1);
  api::ContainerStatus same_ready{
      .name = "web",
      .state = {.running = api::ContainerStateRunning{.started_at = WallAt(0)}},
      .last_state = {.terminated = api::ContainerStateTerminated{.exit_code = 1}},
      .ready = true,
      .restart_count = 4,
      .container_id = "devflow://9",
      .started = true};
  api::ContainerStatus older = same_ready;
  older.container_id = "devflow://8";

  struct Row {
    std::string name;
    const api::ContainerStatus* previous;
    int record_restart_count;
    bool ready;
    int restart_count;
    bool has_last_state;
  };
  const std::vector<Row> rows = {
      {"no previous status: not ready until probed", nullptr, 2, false, 2, false},
      {"same process was ready: stays ready", &same_ready, 2, true, 4, true},
      {"status of an older process: not ready", &older, 5, false, 5, true},
  };
  for (const Row& row : rows) {
    ContainerRecord record =
        RecordAdopted(spec, row.previous, 9, WallAt(0), row.record_restart_count, kT0);
    ASSERT_TRUE(record.running.has_value()) << row.name;
    EXPECT_TRUE(record.running->adopted) << row.name;
    api::ContainerStatus status = BuildContainerStatus(spec, record);
    EXPECT_EQ(status.ready, row.ready) << row.name;
    EXPECT_EQ(status.restart_count, row.restart_count) << row.name;
    EXPECT_EQ(status.last_state.terminated.has_value(), row.has_last_state) << row.name;
    EXPECT_EQ(DueProbes(record, spec, kT0), std::vector<ProbeKind>{ProbeKind::kReadiness})
        << row.name << ": probed at once";
  }
}

TEST(PodRulesTest, RecordFromPreviousStatus) {
  const api::Container spec{.name = "web", .image = "app"};
  const api::ContainerStateTerminated crash{
      .exit_code = 2, .reason = "Error", .container_id = "devflow://5"};
  const api::ContainerStateTerminated older{.exit_code = 1, .reason = "Error"};
  const api::ContainerStatus was_running{
      .name = "web",
      .state = {.running = api::ContainerStateRunning{.started_at = WallAt(1)}},
      .last_state = {.terminated = older},
      .restart_count = 3,
      .container_id = "devflow://6"};
  const api::ContainerStatus was_terminated{.name = "web",
                                            .state = {.terminated = crash},
                                            .last_state = {.terminated = older},
                                            .restart_count = 2};
  const api::ContainerStatus was_backing_off{
      .name = "web",
      .state = {.waiting = api::ContainerStateWaiting{.reason = "CrashLoopBackOff"}},
      .last_state = {.terminated = crash},
      .restart_count = 4};
  struct Row {
    std::string name;
    const api::ContainerStatus* previous;
    int restart_count_after_start;
    std::string last_reason;  // lastState.terminated.reason once started again; "" = none
  };
  const std::vector<Row> rows = {
      {"no previous status", nullptr, 0, ""},
      {"was running: the lost process counts as a restart", &was_running, 4,
       "ContainerStatusUnknown"},
      {"was terminated", &was_terminated, 3, "Error"},
      {"was in back-off", &was_backing_off, 5, "Error"},
  };
  for (const Row& row : rows) {
    ContainerRecord record = RecordFromPreviousStatus(row.previous);
    EXPECT_TRUE(ShouldStart(record, kT0)) << row.name;
    record = RecordStarted(record, spec, 50, WallAt(9), kT0);
    api::ContainerStatus status = BuildContainerStatus(spec, record);
    EXPECT_EQ(status.restart_count, row.restart_count_after_start) << row.name;
    EXPECT_EQ(status.last_state.terminated ? status.last_state.terminated->reason : "",
              row.last_reason)
        << row.name;
  }
}

TEST(PodRulesTest, PodIsTerminal) {
  for (const auto& [phase, terminal] :
       std::vector<std::pair<std::string, bool>>{{"", false},
                                                 {"Pending", false},
                                                 {"Running", false},
                                                 {"Succeeded", true},
                                                 {"Failed", true}}) {
    api::Pod pod;
    pod.status.phase = phase;
    EXPECT_EQ(PodIsTerminal(pod), terminal) << phase;
  }
}

api::ContainerStatus Running(std::string name, bool ready) {
  return api::ContainerStatus{
      .name = std::move(name), .state = {.running = api::ContainerStateRunning{}}, .ready = ready};
}
api::ContainerStatus Terminated(std::string name, int exit_code) {
  return api::ContainerStatus{
      .name = std::move(name),
      .state = {.terminated = api::ContainerStateTerminated{.exit_code = exit_code}}};
}
api::ContainerStatus Waiting(std::string name, bool ran_before) {
  api::ContainerStatus status{.name = std::move(name),
                              .state = {.waiting = api::ContainerStateWaiting{.reason = "X"}}};
  if (ran_before) status.last_state.terminated = api::ContainerStateTerminated{.exit_code = 1};
  return status;
}

api::PodSpec TwoContainers(std::string policy) {
  return api::PodSpec{.containers = {{.name = "a"}, {.name = "b"}},
                      .restart_policy = std::move(policy)};
}

TEST(PodRulesTest, PodPhase) {
  struct Row {
    std::string name;
    std::string policy;
    std::vector<api::ContainerStatus> statuses;
    bool terminal;
    std::string phase;
  };
  const std::vector<Row> rows = {
      {"no statuses yet", "Always", {}, false, "Pending"},
      {"one still creating", "Always", {Running("a", true), Waiting("b", false)}, false, "Pending"},
      {"both running", "Always", {Running("a", true), Running("b", false)}, false, "Running"},
      {"one running, one missing", "Always", {Running("a", true)}, false, "Pending"},
      {"crash-looping counts as stopped",
       "Always",
       {Running("a", true), Waiting("b", true)},
       false,
       "Running"},
      {"Always: all stopped is still Running",
       "Always",
       {Terminated("a", 0), Terminated("b", 1)},
       false,
       "Running"},
      {"default policy is Always", "", {Terminated("a", 0), Terminated("b", 0)}, false, "Running"},
      {"Never: all succeeded",
       "Never",
       {Terminated("a", 0), Terminated("b", 0)},
       false,
       "Succeeded"},
      {"Never: one failed", "Never", {Terminated("a", 0), Terminated("b", 1)}, false, "Failed"},
      {"OnFailure: all succeeded",
       "OnFailure",
       {Terminated("a", 0), Terminated("b", 0)},
       false,
       "Succeeded"},
      {"OnFailure: one failed is restarting",
       "OnFailure",
       {Terminated("a", 0), Terminated("b", 1)},
       false,
       "Running"},
      {"Never: one still running",
       "Never",
       {Terminated("a", 1), Running("b", true)},
       false,
       "Running"},
      {"terminal, all exited 0",
       "Always",
       {Terminated("a", 0), Terminated("b", 0)},
       true,
       "Succeeded"},
      {"terminal, one killed",
       "Always",
       {Terminated("a", 0), Terminated("b", 143)},
       true,
       "Failed"},
      {"terminal, one never ran",
       "Always",
       {Terminated("a", 0), Waiting("b", false)},
       true,
       "Failed"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(PodPhase(TwoContainers(row.policy), row.statuses, row.terminal), row.phase)
        << row.name;
  }
}

TEST(PodRulesTest, PodConditions) {
  const api::PodSpec spec = TwoContainers("Always");
  struct Row {
    std::string name;
    std::string phase;
    std::vector<api::ContainerStatus> statuses;
    std::string ready;  // status of Ready and ContainersReady
    std::string reason;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"all ready", "Running", {Running("a", true), Running("b", true)}, "True", "", ""},
      {"one unready",
       "Running",
       {Running("a", true), Running("b", false)},
       "False",
       "ContainersNotReady",
       "containers with unready status: [b]"},
      {"none yet",
       "Pending",
       {},
       "False",
       "ContainersNotReady",
       "containers with unready status: [a b]"},
      {"completed",
       "Succeeded",
       {Terminated("a", 0), Terminated("b", 0)},
       "False",
       "PodCompleted",
       ""},
  };
  for (const Row& row : rows) {
    std::vector<api::PodCondition> conditions =
        PodConditions(spec, row.phase, row.statuses, {}, WallAt(10));
    ASSERT_EQ(conditions.size(), 4u) << row.name;
    EXPECT_EQ(conditions[0].type, "Initialized") << row.name;
    EXPECT_EQ(conditions[0].status, "True") << row.name;
    EXPECT_EQ(conditions[3].type, "PodScheduled") << row.name;
    EXPECT_EQ(conditions[3].status, "True") << row.name;
    for (int i : {1, 2}) {
      EXPECT_EQ(conditions[i].type, i == 1 ? "Ready" : "ContainersReady") << row.name;
      EXPECT_EQ(conditions[i].status, row.ready) << row.name;
      EXPECT_EQ(conditions[i].reason, row.reason) << row.name;
      EXPECT_EQ(conditions[i].message, row.message) << row.name;
    }
    for (const api::PodCondition& c : conditions) {
      EXPECT_EQ(c.last_transition_time, WallAt(10)) << row.name << " " << c.type;
    }
  }
}

TEST(PodRulesTest, ConditionTransitionTimeChangesOnlyWithStatus) {
  const api::PodSpec spec = TwoContainers("Always");
  std::vector<api::PodCondition> first =
      PodConditions(spec, "Running", {Running("a", true), Running("b", false)}, {}, WallAt(1));
  // Same statuses later: every time kept, even though the message could differ.
  std::vector<api::PodCondition> same =
      PodConditions(spec, "Running", {Running("a", false), Running("b", true)}, first, WallAt(5));
  for (const api::PodCondition& c : same) {
    EXPECT_EQ(c.last_transition_time, WallAt(1)) << c.type;
  }
  EXPECT_EQ(same[1].message, "containers with unready status: [a]");
  // Ready flips: its time (and ContainersReady's) moves, the others stay.
  std::vector<api::PodCondition> flipped =
      PodConditions(spec, "Running", {Running("a", true), Running("b", true)}, same, WallAt(9));
  EXPECT_EQ(flipped[0].last_transition_time, WallAt(1));
  EXPECT_EQ(flipped[1].last_transition_time, WallAt(9));
  EXPECT_EQ(flipped[2].last_transition_time, WallAt(9));
  EXPECT_EQ(flipped[3].last_transition_time, WallAt(1));
}

TEST(PodRulesTest, InitContainersAreNotRun) {
  api::PodSpec spec = TwoContainers("Always");
  spec.init_containers = {{.name = "migrate"}};
  std::vector<api::PodCondition> conditions = PodConditions(spec, "Pending", {}, {}, WallAt(1));
  EXPECT_EQ(conditions[0].status, "False");
  EXPECT_EQ(conditions[0].reason, "ContainersNotInitialized");
  EXPECT_EQ(conditions[0].message, "containers with incomplete status: [migrate]");
}

TEST(PodRulesTest, BuildPodStatus) {
  api::Pod pod;
  pod.spec = TwoContainers("Always");
  pod.status.qos_class = "BestEffort";
  pod.status.extra.Set("nominatedNodeName", "x");
  api::PodStatus status =
      BuildPodStatus(pod, {Running("a", true), Running("b", true)}, "127.0.0.1", false, WallAt(3));
  EXPECT_EQ(status.phase, "Running");
  EXPECT_EQ(status.host_ip, "127.0.0.1");
  EXPECT_EQ(status.pod_ip, "127.0.0.1");
  EXPECT_EQ(status.pod_ips, (std::vector<api::PodIp>{{.ip = "127.0.0.1"}}));
  EXPECT_EQ(status.start_time, WallAt(3));
  EXPECT_EQ(status.qos_class, "BestEffort") << "members it does not own are kept";
  EXPECT_NE(status.extra.Find("nominatedNodeName"), nullptr);
  EXPECT_EQ(status.container_statuses.size(), 2u);

  pod.status = status;
  api::PodStatus later =
      BuildPodStatus(pod, {Running("a", true), Running("b", true)}, "127.0.0.1", false, WallAt(9));
  EXPECT_EQ(later, status) << "nothing changed, so nothing to write";
}

TEST(PodRulesTest, Graces) {
  auto pod_with = [](std::optional<int64_t> deletion, std::optional<int64_t> spec) {
    api::Pod pod;
    pod.metadata.deletion_grace_period_seconds = deletion;
    pod.spec.termination_grace_period_seconds = spec;
    return pod;
  };
  struct Row {
    std::string name;
    api::Pod pod;
    std::optional<int64_t> probe_grace;
    seconds termination;
    seconds probe_kill;
  };
  const std::vector<Row> rows = {
      {"defaults", pod_with(std::nullopt, std::nullopt), std::nullopt, seconds(30), seconds(30)},
      {"spec grace", pod_with(std::nullopt, 5), std::nullopt, seconds(5), seconds(5)},
      {"deletion grace wins", pod_with(3, 60), std::nullopt, seconds(3), seconds(60)},
      {"probe grace wins for probe kills", pod_with(std::nullopt, 60), 7, seconds(60), seconds(7)},
      {"at least 2 s", pod_with(0, 0), 1, seconds(2), seconds(2)},
      {"negative counts as absent", pod_with(-1, -1), -1, seconds(30), seconds(30)},
  };
  for (const Row& row : rows) {
    api::Probe probe{.termination_grace_period_seconds = row.probe_grace};
    EXPECT_EQ(TerminationGrace(row.pod), row.termination) << row.name;
    EXPECT_EQ(ProbeKillGrace(row.pod, probe), row.probe_kill) << row.name;
  }
}

TEST(PodRulesTest, RunsOnNode) {
  struct Row {
    const char* name;
    const char* node_name;
    bool ours;
  };
  const Row rows[] = {
      {"unbound pod is taken", "", true},
      {"bound here", "node-1", true},
      {"bound elsewhere", "node-2", false},
  };
  for (const Row& row : rows) {
    api::Pod pod;
    pod.spec.node_name = row.node_name;
    EXPECT_EQ(RunsOnNode(pod, "node-1"), row.ours) << row.name;
  }
}

TEST(PodRulesTest, WholeSeconds) {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'750));
  EXPECT_EQ(WholeSeconds(t), WallAt(0));
}

}  // namespace
}  // namespace devflow::node
