#include "node/pod_rules.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace devflow::node {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr seconds kDefaultGrace{30};
// The kubelet never gives a container less than this between SIGTERM and SIGKILL
// (minimumGracePeriodInSeconds).
constexpr seconds kMinimumGrace{2};
// What Kubernetes reports for a container whose exit could not be observed.
constexpr int kUnknownExitCode = 137;

const std::optional<api::Probe>& ProbeOf(const api::Container& spec, ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup:
      return spec.startup_probe;
    case ProbeKind::kLiveness:
      return spec.liveness_probe;
    case ProbeKind::kReadiness:
      break;
  }
  return spec.readiness_probe;
}

ProbeTracker& TrackerOf(ContainerRecord& record, ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup:
      return record.startup;
    case ProbeKind::kLiveness:
      return record.liveness;
    case ProbeKind::kReadiness:
      break;
  }
  return record.readiness;
}

const ProbeTracker& TrackerOf(const ContainerRecord& record, ProbeKind kind) {
  return TrackerOf(const_cast<ContainerRecord&>(record), kind);
}

// The probes that run for the instance now: startup alone until it has passed.
std::vector<ProbeKind> ActiveProbes(const ContainerRecord& record, const api::Container& spec) {
  if (spec.startup_probe && !record.started) return {ProbeKind::kStartup};
  std::vector<ProbeKind> kinds;
  if (spec.liveness_probe) kinds.push_back(ProbeKind::kLiveness);
  if (spec.readiness_probe) kinds.push_back(ProbeKind::kReadiness);
  return kinds;
}

void ResetProbes(ContainerRecord& record, const api::Container& spec, MonoTime started) {
  for (ProbeKind kind : {ProbeKind::kStartup, ProbeKind::kLiveness, ProbeKind::kReadiness}) {
    const std::optional<api::Probe>& probe = ProbeOf(spec, kind);
    TrackerOf(record, kind) =
        probe ? NewProbeTracker(kind, ProbeSettingsOf(*probe), started) : ProbeTracker{};
  }
}

int PositiveOr(const std::optional<int32_t>& value, int fallback) {
  if (!value) return fallback;
  return std::max(*value, 1);
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ' ';
    out += names[i];
  }
  return out + "]";
}

const api::ContainerStatus* FindStatus(const std::vector<api::ContainerStatus>& statuses,
                                       std::string_view name) {
  for (const api::ContainerStatus& status : statuses) {
    if (status.name == name) return &status;
  }
  return nullptr;
}

api::PodCondition Condition(std::string type, bool ok, std::string reason, std::string message) {
  return api::PodCondition{.type = std::move(type),
                           .status = ok ? "True" : "False",
                           .reason = ok ? "" : std::move(reason),
                           .message = ok ? "" : std::move(message)};
}

seconds AtLeastMinimum(int64_t value) { return std::max(seconds(value), kMinimumGrace); }

// Go's fmtFrac/fmtInt: `v` units with `precision` fractional digits, trailing zeros dropped.
std::string WithFraction(int64_t v, int precision) {
  int64_t unit = 1;
  for (int i = 0; i < precision; ++i) unit *= 10;
  std::string out = std::to_string(v / unit);
  int64_t frac = v % unit;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, precision - digits.size(), '0');
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

}  // namespace

std::string_view ProbeKindName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup:
      return "startup";
    case ProbeKind::kLiveness:
      return "liveness";
    case ProbeKind::kReadiness:
      break;
  }
  return "readiness";
}

ProbeSettings ProbeSettingsOf(const api::Probe& probe) {
  return ProbeSettings{
      .initial_delay = seconds(std::max(probe.initial_delay_seconds.value_or(0), 0)),
      .timeout = seconds(PositiveOr(probe.timeout_seconds, 1)),
      .period = seconds(PositiveOr(probe.period_seconds, 10)),
      .success_threshold = PositiveOr(probe.success_threshold, 1),
      .failure_threshold = PositiveOr(probe.failure_threshold, 3),
  };
}

ProbeTracker NewProbeTracker(ProbeKind kind, const ProbeSettings& settings, MonoTime started) {
  return ProbeTracker{.result = kind == ProbeKind::kLiveness,
                      .next_due = started + settings.initial_delay};
}

ProbeTracker RecordProbeOutcome(ProbeTracker tracker, ProbeKind kind, const ProbeSettings& settings,
                                bool success, std::string_view message, MonoTime attempted_at) {
  if (tracker.last_outcome == success) {
    ++tracker.run;
  } else {
    tracker.last_outcome = success;
    tracker.run = 1;
  }
  tracker.in_flight = false;
  tracker.message = success ? "" : std::string(message);
  tracker.next_due = attempted_at + settings.period;
  const int threshold = success ? settings.success_threshold : settings.failure_threshold;
  if (tracker.run < threshold) return tracker;
  tracker.result = success;
  if (!success && kind != ProbeKind::kReadiness) {
    // The container will be killed; probing a dying process would only add noise.
    tracker.on_hold = true;
    tracker.run = 0;
  }
  return tracker;
}

RestartDecision DecideRestart(std::string_view restart_policy, std::optional<int> exit_code,
                              nanoseconds ran_for, nanoseconds backoff,
                              const BackoffOptions& options) {
  const bool failed = !exit_code || *exit_code != 0;
  const bool restart = restart_policy == "Never"       ? false
                       : restart_policy == "OnFailure" ? failed
                                                       : true;
  if (!restart) return RestartDecision{.restart = false, .backoff = backoff};
  if (backoff <= nanoseconds::zero() || ran_for >= options.reset_after) {
    return RestartDecision{
        .restart = true, .delay = nanoseconds::zero(), .backoff = options.initial};
  }
  return RestartDecision{
      .restart = true, .delay = backoff, .backoff = std::min(backoff * 2, options.max)};
}

std::string FormatGoDuration(nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? -static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  const auto v = static_cast<int64_t>(u);
  if (u < 1000) return sign + std::to_string(v) + "ns";
  if (u < 1000000) return sign + WithFraction(v, 3) + "µs";
  if (u < 1000000000) return sign + WithFraction(v, 6) + "ms";
  const int64_t hours = v / 3600'000'000'000;
  const int64_t minutes = v / 60'000'000'000 % 60;
  std::string out = sign;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  return out + WithFraction(v % 60'000'000'000, 9) + "s";
}

std::string BackoffMessage(nanoseconds delay, std::string_view container,
                           const api::ObjectMeta& pod) {
  return "back-off " + FormatGoDuration(delay) +
         " restarting failed container=" + std::string(container) + " pod=" + pod.name + "_" +
         pod.namespace_ + "(" + pod.uid + ")";
}

ContainerRecord RecordStarted(ContainerRecord record, const api::Container& spec, int pid,
                              api::Time started_at, MonoTime mono) {
  if (record.last_termination) ++record.restart_count;
  record.running = RunningInstance{.pid = pid, .started_at = started_at, .started_mono = mono};
  record.start_at.reset();
  record.waiting_reason.clear();
  record.waiting_message.clear();
  record.backoff_message.clear();
  record.finished = false;
  record.kill_requested = false;
  record.started = !spec.startup_probe;
  ResetProbes(record, spec, mono);
  return record;
}

ContainerRecord RecordAdopted(const api::Container& spec, const api::ContainerStatus* previous,
                              int pid, api::Time started_at, int restart_count, MonoTime mono) {
  ContainerRecord record;
  record.restart_count = restart_count;
  // Probes of an adopted process are due at once: it has been running for a while.
  record = RecordStarted(std::move(record), spec, pid, started_at, mono);
  record.running->adopted = true;
  if (previous == nullptr) return record;
  record.restart_count = std::max(record.restart_count, previous->restart_count);
  if (previous->last_state.terminated) record.last_termination = previous->last_state.terminated;
  // Results are kept only for the same process: the status may describe an older instance.
  if (previous->container_id != ContainerId(pid) || !previous->state.running) return record;
  if (previous->started.value_or(false)) {
    record.started = true;
    record.startup.result = true;
  }
  if (spec.readiness_probe) record.readiness.result = previous->ready;
  return record;
}

ContainerRecord RecordFromPreviousStatus(const api::ContainerStatus* previous) {
  ContainerRecord record;
  if (previous == nullptr) return record;
  record.restart_count = previous->restart_count;
  if (previous->state.terminated) {
    record.last_termination = previous->state.terminated;
    record.prior_termination = previous->last_state.terminated;
  } else if (previous->state.running) {
    record.prior_termination = previous->last_state.terminated;
    record.last_termination =
        api::ContainerStateTerminated{.exit_code = kUnknownExitCode,
                                      .reason = "ContainerStatusUnknown",
                                      .message = "the process was gone when devflow restarted",
                                      .started_at = previous->state.running->started_at,
                                      .container_id = previous->container_id};
  } else {
    record.last_termination = previous->last_state.terminated;
  }
  return record;
}

ContainerRecord RecordStartFailed(ContainerRecord record, std::string_view reason,
                                  std::string message, MonoTime retry_at) {
  record.waiting_reason = std::string(reason);
  record.waiting_message = std::move(message);
  record.start_at = retry_at;
  return record;
}

ContainerRecord RecordExited(ContainerRecord record, std::string_view container,
                             std::string_view restart_policy, std::optional<int> exit_code,
                             api::Time finished_at, MonoTime mono, const api::ObjectMeta& pod,
                             const BackoffOptions& options) {
  if (!record.running) return record;
  const RunningInstance instance = *record.running;
  api::ContainerStateTerminated termination{
      .exit_code = exit_code.value_or(kUnknownExitCode),
      .reason = !exit_code        ? "ContainerStatusUnknown"
                : *exit_code == 0 ? "Completed"
                                  : "Error",
      .message = exit_code ? ""
                           : "the exit status of a process adopted after a restart of "
                             "devflow cannot be collected",
      .started_at = instance.started_at,
      .finished_at = finished_at,
      .container_id = ContainerId(instance.pid)};
  record.prior_termination = std::move(record.last_termination);
  record.last_termination = std::move(termination);
  record.running.reset();
  record.kill_requested = false;
  record.started = false;
  record.startup = record.liveness = record.readiness = ProbeTracker{};

  RestartDecision decision = DecideRestart(restart_policy, exit_code, mono - instance.started_mono,
                                           record.backoff, options);
  record.backoff = decision.backoff;
  if (!decision.restart) {
    record.finished = true;
    record.start_at.reset();
    return record;
  }
  record.start_at = mono + decision.delay;
  record.backoff_message =
      decision.delay > nanoseconds::zero() ? BackoffMessage(decision.delay, container, pod) : "";
  return record;
}

ContainerRecord RecordProbe(ContainerRecord record, ProbeKind kind, const api::Probe& probe,
                            bool success, std::string_view message, MonoTime attempted_at) {
  if (!record.running) return record;
  ProbeTracker& tracker = TrackerOf(record, kind);
  tracker = RecordProbeOutcome(std::move(tracker), kind, ProbeSettingsOf(probe), success, message,
                               attempted_at);
  if (kind == ProbeKind::kStartup && tracker.result) record.started = true;
  return record;
}

ContainerRecord MarkProbeInFlight(ContainerRecord record, ProbeKind kind) {
  TrackerOf(record, kind).in_flight = true;
  return record;
}

bool ShouldStart(const ContainerRecord& record, MonoTime now) {
  return !record.running && !record.finished && (!record.start_at || *record.start_at <= now);
}

bool ShouldKill(const ContainerRecord& record) {
  return record.running && !record.kill_requested &&
         (record.liveness.on_hold || record.startup.on_hold);
}

std::vector<ProbeKind> DueProbes(const ContainerRecord& record, const api::Container& spec,
                                 MonoTime now) {
  std::vector<ProbeKind> due;
  if (!record.running || record.kill_requested) return due;
  for (ProbeKind kind : ActiveProbes(record, spec)) {
    const ProbeTracker& tracker = TrackerOf(record, kind);
    if (!tracker.on_hold && !tracker.in_flight && tracker.next_due <= now) due.push_back(kind);
  }
  return due;
}

std::optional<MonoTime> NextWakeup(const ContainerRecord& record, const api::Container& spec) {
  if (!record.running) {
    return record.finished ? std::nullopt : record.start_at;
  }
  std::optional<MonoTime> next;
  if (record.kill_requested) return next;
  for (ProbeKind kind : ActiveProbes(record, spec)) {
    const ProbeTracker& tracker = TrackerOf(record, kind);
    if (tracker.on_hold || tracker.in_flight) continue;
    if (!next || tracker.next_due < *next) next = tracker.next_due;
  }
  return next;
}

std::string ContainerId(int pid) { return "devflow://" + std::to_string(pid); }

api::ContainerStatus BuildContainerStatus(const api::Container& spec,
                                          const ContainerRecord& record) {
  api::ContainerStatus status{
      .name = spec.name, .restart_count = record.restart_count, .image = spec.image};
  const bool running = record.running.has_value();
  status.started = running && record.started;
  if (running) {
    status.container_id = ContainerId(record.running->pid);
  } else if (record.last_termination) {
    status.container_id = record.last_termination->container_id;
  }

  auto waiting = [](std::string_view reason, std::string message) {
    return api::ContainerState{.waiting = api::ContainerStateWaiting{
                                   .reason = std::string(reason), .message = std::move(message)}};
  };
  std::optional<api::ContainerStateTerminated> last = record.last_termination;
  if (running) {
    status.state.running = api::ContainerStateRunning{.started_at = record.running->started_at};
    status.ready = record.started && (!spec.readiness_probe || record.readiness.result);
  } else if (record.finished) {
    status.state.terminated = record.last_termination;
    last = record.prior_termination;
  } else if (!record.waiting_reason.empty()) {
    status.state = waiting(record.waiting_reason, record.waiting_message);
  } else if (!record.backoff_message.empty()) {
    status.state = waiting(kCrashLoopBackOff, record.backoff_message);
  } else if (record.last_termination) {
    // Between an exit and its immediate restart.
    status.state.terminated = record.last_termination;
    last = record.prior_termination;
  } else {
    status.state = waiting(kContainerCreating, "");
  }
  status.last_state.terminated = std::move(last);
  return status;
}

bool RunsOnNode(const api::Pod& pod, std::string_view node_name) {
  return pod.spec.node_name.empty() || pod.spec.node_name == node_name;
}

bool PodIsTerminal(const api::Pod& pod) {
  return pod.status.phase == "Succeeded" || pod.status.phase == "Failed";
}

seconds TerminationGrace(const api::Pod& pod) {
  if (pod.metadata.deletion_grace_period_seconds &&
      *pod.metadata.deletion_grace_period_seconds >= 0) {
    return AtLeastMinimum(*pod.metadata.deletion_grace_period_seconds);
  }
  if (pod.spec.termination_grace_period_seconds &&
      *pod.spec.termination_grace_period_seconds >= 0) {
    return AtLeastMinimum(*pod.spec.termination_grace_period_seconds);
  }
  return kDefaultGrace;
}

seconds ProbeKillGrace(const api::Pod& pod, const api::Probe& probe) {
  if (probe.termination_grace_period_seconds && *probe.termination_grace_period_seconds >= 0) {
    return AtLeastMinimum(*probe.termination_grace_period_seconds);
  }
  if (pod.spec.termination_grace_period_seconds &&
      *pod.spec.termination_grace_period_seconds >= 0) {
    return AtLeastMinimum(*pod.spec.termination_grace_period_seconds);
  }
  return kDefaultGrace;
}

std::string PodPhase(const api::PodSpec& spec, const std::vector<api::ContainerStatus>& statuses,
                     bool terminal) {
  int unknown = 0;
  int running = 0;
  int waiting = 0;
  int stopped = 0;
  int succeeded = 0;
  for (const api::Container& container : spec.containers) {
    const api::ContainerStatus* status = FindStatus(statuses, container.name);
    if (status == nullptr) {
      ++unknown;
    } else if (status->state.running) {
      ++running;
    } else if (status->state.terminated) {
      ++stopped;
      if (status->state.terminated->exit_code == 0) ++succeeded;
    } else if (status->state.waiting) {
      // A container waiting to restart has run before: it counts as stopped, not as new.
      if (status->last_state.terminated) {
        ++stopped;
      } else {
        ++waiting;
      }
    } else {
      ++unknown;
    }
  }
  if (terminal) {
    // Nothing restarts any more: every container must have completed for success.
    return succeeded == static_cast<int>(spec.containers.size()) ? "Succeeded" : "Failed";
  }
  if (waiting > 0) return "Pending";
  if (running > 0 && unknown == 0) return "Running";
  if (running == 0 && stopped > 0 && unknown == 0) {
    if (spec.restart_policy.empty() || spec.restart_policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (spec.restart_policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

std::vector<api::PodCondition> PodConditions(const api::PodSpec& spec, std::string_view phase,
                                             const std::vector<api::ContainerStatus>& statuses,
                                             const std::vector<api::PodCondition>& previous,
                                             api::Time now) {
  std::vector<std::string> unready;
  for (const api::Container& container : spec.containers) {
    const api::ContainerStatus* status = FindStatus(statuses, container.name);
    if (status == nullptr || !status->ready) unready.push_back(container.name);
  }
  std::vector<std::string> init_names;
  for (const api::Container& container : spec.init_containers) {
    init_names.push_back(container.name);
  }
  const bool completed = phase == "Succeeded";
  const bool ready = unready.empty() && !completed;
  const std::string not_ready_reason = completed ? "PodCompleted" : "ContainersNotReady";
  const std::string not_ready_message =
      completed ? "" : "containers with unready status: " + NameList(unready);

  std::vector<api::PodCondition> conditions = {
      Condition("Initialized", init_names.empty(), "ContainersNotInitialized",
                "containers with incomplete status: " + NameList(init_names)),
      Condition("Ready", ready, not_ready_reason, not_ready_message),
      Condition("ContainersReady", ready, not_ready_reason, not_ready_message),
      Condition("PodScheduled", true, "", ""),
  };
  for (api::PodCondition& condition : conditions) {
    condition.last_transition_time = now;
    for (const api::PodCondition& before : previous) {
      if (before.type == condition.type && before.status == condition.status) {
        condition.last_transition_time = before.last_transition_time;
        condition.last_probe_time = before.last_probe_time;
        condition.extra = before.extra;
      }
    }
  }
  return conditions;
}

api::PodStatus BuildPodStatus(const api::Pod& pod,
                              const std::vector<api::ContainerStatus>& container_statuses,
                              std::string_view ip, bool terminal, api::Time now) {
  api::PodStatus status = pod.status;
  status.phase = PodPhase(pod.spec, container_statuses, terminal);
  status.conditions =
      PodConditions(pod.spec, status.phase, container_statuses, pod.status.conditions, now);
  status.host_ip = std::string(ip);
  status.pod_ip = std::string(ip);
  if (status.pod_ips.size() != 1 || status.pod_ips[0].ip != ip) {
    status.pod_ips = {api::PodIp{.ip = std::string(ip)}};
  }
  if (status.start_time == api::Time{}) status.start_time = now;
  status.container_statuses = container_statuses;
  return status;
}

api::Time WholeSeconds(std::chrono::system_clock::time_point t) {
  return api::Time{
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::floor<seconds>(t))};
}

}  // namespace devflow::node
