// The kubelet's rules for one pod, as pure functions: probe accounting, restart back-off, the
// life of a container (ContainerRecord and its transitions), and the pod status they add up to.
// The kubelet loop (kubelet.h) feeds them what happened (a process started or exited, a probe
// answered) and acts on what they decide; nothing here reads a clock or does I/O.
//
// Semantics are Kubernetes' (pkg/kubelet: prober workers, the CrashLoopBackOff back-off,
// getPhase, the pod conditions):
//   - Probes: the first attempt is initialDelaySeconds after the container started, then one
//     every periodSeconds. The published result flips after successThreshold consecutive
//     successes or failureThreshold consecutive failures. Initial results: liveness success,
//     readiness and startup failure. While a startup probe has not succeeded, liveness and
//     readiness are not run. A liveness or startup failure holds the probe (no more attempts)
//     and the container is killed; the restart policy then decides as for any exit.
//   - Restarts: restartPolicy Always restarts every exit, OnFailure a non-zero one, Never none.
//     The first restart is immediate; each later one waits the back-off (10 s, doubling, capped
//     at 300 s) counted from the exit, shown as waiting CrashLoopBackOff. A container that ran
//     at least 10 minutes before exiting starts again from an immediate restart.
//   - Status: containers' state/lastState/ready/started/restartCount, the phase, and the
//     conditions PodScheduled, Initialized, ContainersReady and Ready, whose lastTransitionTime
//     changes only when their status does.
//
// Times: MonoTime (the kubelet clock's monotonic face) for scheduling; api::Time (whole
// seconds, as written to the API) for what the status shows.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/pod.h"
#include "api/time.h"

namespace devflow::node {

using MonoTime = std::chrono::steady_clock::time_point;

// ---- Probes ----

enum class ProbeKind { kStartup, kLiveness, kReadiness };

// "startup", "liveness", "readiness".
std::string_view ProbeKindName(ProbeKind kind);

// A probe's numbers with Kubernetes' defaults applied (initialDelaySeconds 0, timeoutSeconds 1,
// periodSeconds 10, successThreshold 1, failureThreshold 3); values below Kubernetes' minimums
// (validation rejects them) are raised to them (0 for the delay, 1 for the others).
struct ProbeSettings {
  std::chrono::seconds initial_delay{0};
  std::chrono::seconds timeout{1};
  std::chrono::seconds period{10};
  int success_threshold = 1;
  int failure_threshold = 3;
  friend bool operator==(const ProbeSettings&, const ProbeSettings&) = default;
};
ProbeSettings ProbeSettingsOf(const api::Probe& probe);

// The account of one probe of one container instance; a new instance starts a new tracker.
struct ProbeTracker {
  bool result = false;               // published: alive / ready / started
  std::optional<bool> last_outcome;  // outcome of the last attempt
  int run = 0;                       // consecutive attempts with that outcome
  MonoTime next_due{};               // when the next attempt is due
  bool on_hold = false;              // a liveness/startup failure: no more attempts
  bool in_flight = false;            // an attempt is running (MarkProbeInFlight)
  std::string message;               // why the last attempt failed ("" after a success)
  friend bool operator==(const ProbeTracker&, const ProbeTracker&) = default;
};

// The tracker of an instance started at `started`: Kubernetes' initial result for `kind`, first
// attempt due at started + initialDelaySeconds.
ProbeTracker NewProbeTracker(ProbeKind kind, const ProbeSettings& settings, MonoTime started);

// Counts one attempt begun at `attempted_at`; the next is due a period after it. Clears
// in_flight.
ProbeTracker RecordProbeOutcome(ProbeTracker tracker, ProbeKind kind, const ProbeSettings& settings,
                                bool success, std::string_view message, MonoTime attempted_at);

// ---- Restart back-off ----

struct BackoffOptions {
  std::chrono::nanoseconds initial = std::chrono::seconds(10);
  std::chrono::nanoseconds max = std::chrono::seconds(300);
  // A container that ran this long before exiting starts the back-off over.
  std::chrono::nanoseconds reset_after = std::chrono::minutes(10);
  friend bool operator==(const BackoffOptions&, const BackoffOptions&) = default;
};

struct RestartDecision {
  bool restart = false;                 // false: the container stays terminated
  std::chrono::nanoseconds delay{0};    // wait after the exit before starting again
  std::chrono::nanoseconds backoff{0};  // the container's back-off for its next exit
  friend bool operator==(const RestartDecision&, const RestartDecision&) = default;
};

// What follows an exit with `exit_code` (nullopt: unknown, counted as a failure) after running
// `ran_for`, under `restart_policy` ("" is Always), given the container's current `backoff`
// (0: none yet).
RestartDecision DecideRestart(std::string_view restart_policy, std::optional<int> exit_code,
                              std::chrono::nanoseconds ran_for, std::chrono::nanoseconds backoff,
                              const BackoffOptions& options);

// A duration as Go prints it (kubelet messages do): "10s", "1m20s", "5m0s", "200ms", "1.5s".
std::string FormatGoDuration(std::chrono::nanoseconds d);

// "back-off 20s restarting failed container=web pod=web-7f9c_default(UID)" (Kubernetes'
// message; the pod as kubelet's format.Pod writes it: name_namespace(uid)).
std::string BackoffMessage(std::chrono::nanoseconds delay, std::string_view container,
                           const api::ObjectMeta& pod);

// ---- One container's life ----

inline constexpr std::string_view kContainerCreating = "ContainerCreating";
inline constexpr std::string_view kCrashLoopBackOff = "CrashLoopBackOff";
inline constexpr std::string_view kCreateContainerConfigError = "CreateContainerConfigError";
inline constexpr std::string_view kCreateContainerError = "CreateContainerError";

struct RunningInstance {
  int pid = 0;
  api::Time started_at;
  MonoTime started_mono{};
  bool adopted = false;  // re-adopted after a restart of devflow
  friend bool operator==(const RunningInstance&, const RunningInstance&) = default;
};

// What the kubelet knows about one container of a pod.
struct ContainerRecord {
  std::optional<RunningInstance> running;
  std::optional<api::ContainerStateTerminated> last_termination;   // the latest exit
  std::optional<api::ContainerStateTerminated> prior_termination;  // the exit before it
  int restart_count = 0;
  std::chrono::nanoseconds backoff{0};  // see RestartDecision::backoff
  // When not running: start no earlier than this (nullopt: at once).
  std::optional<MonoTime> start_at;
  // Why it is waiting: "" (ContainerCreating, or CrashLoopBackOff while a back-off runs),
  // CreateContainerConfigError or CreateContainerError, with its message.
  std::string waiting_reason;
  std::string waiting_message;
  std::string backoff_message;  // the CrashLoopBackOff message of the running back-off
  bool finished = false;        // exited and the restart policy says it stays so
  bool kill_requested = false;  // the kubelet is stopping the running instance
  // The running instance: startup passed (true at once without a startup probe), and probes.
  bool started = false;
  ProbeTracker startup;
  ProbeTracker liveness;
  ProbeTracker readiness;
  friend bool operator==(const ContainerRecord&, const ContainerRecord&) = default;
};

// The container's process started (pid, at `started_at`/`mono`): running, probes reset; a start
// after an exit counts as a restart.
ContainerRecord RecordStarted(ContainerRecord record, const api::Container& spec, int pid,
                              api::Time started_at, MonoTime mono);

// A running process found again after devflow restarted. `previous` is the container's status
// in the pod as last written (restart count, lastState, and its ready/started results are kept,
// so that a restart of devflow does not take ready pods out of service); `restart_count` comes
// from the supervisor's record (the larger of the two wins).
ContainerRecord RecordAdopted(const api::Container& spec, const api::ContainerStatus* previous,
                              int pid, api::Time started_at, int restart_count, MonoTime mono);

// A container with no process after devflow restarted, from its status as last written: its
// restart count and last termination are kept (a status that still says running, for a process
// that died meanwhile, becomes a ContainerStatusUnknown termination), so that restartCount does
// not go back to 0. Without a previous status: a new record.
ContainerRecord RecordFromPreviousStatus(const api::ContainerStatus* previous);

// The container could not be started (`reason`: CreateContainerConfigError or
// CreateContainerError); it is tried again at `retry_at`.
ContainerRecord RecordStartFailed(ContainerRecord record, std::string_view reason,
                                  std::string message, MonoTime retry_at);

// The running process exited (exit code; nullopt when unknown, for an adopted process) at
// `finished_at`/`mono`. The restart policy and back-off decide whether and when it starts again
// (`restart_policy` "Never" for a pod being deleted). `container` and `pod` are named in the
// back-off message. An exit when nothing runs (a stale event) changes nothing.
ContainerRecord RecordExited(ContainerRecord record, std::string_view container,
                             std::string_view restart_policy, std::optional<int> exit_code,
                             api::Time finished_at, MonoTime mono, const api::ObjectMeta& pod,
                             const BackoffOptions& options);

// Counts a probe attempt of the running instance (see RecordProbeOutcome); a startup success
// marks the instance started.
ContainerRecord RecordProbe(ContainerRecord record, ProbeKind kind, const api::Probe& probe,
                            bool success, std::string_view message, MonoTime attempted_at);

// An attempt of `kind` has begun: it is not due again until its outcome is recorded.
ContainerRecord MarkProbeInFlight(ContainerRecord record, ProbeKind kind);

// True when the container should be started now.
bool ShouldStart(const ContainerRecord& record, MonoTime now);

// True when the running instance failed its liveness or startup probe and is not being stopped
// yet: the kubelet must kill it.
bool ShouldKill(const ContainerRecord& record);

// The probes of the running instance due at `now`: startup until it has succeeded, then
// liveness and readiness; never one on hold or in flight, none while the instance is being
// killed.
std::vector<ProbeKind> DueProbes(const ContainerRecord& record, const api::Container& spec,
                                 MonoTime now);

// The next moment the record needs the kubelet (a start after back-off or retry, a probe); nullopt
// when only an event (an exit, a probe answer) can change it.
std::optional<MonoTime> NextWakeup(const ContainerRecord& record, const api::Container& spec);

// containerID of a process: "devflow://<pid>".
std::string ContainerId(int pid);

// The container's status: state (running; waiting ContainerCreating, CrashLoopBackOff with the
// back-off message, or the start failure; terminated once finished, or between an exit and its
// immediate restart), lastState (the previous termination), ready, started, restartCount, image,
// containerID.
api::ContainerStatus BuildContainerStatus(const api::Container& spec,
                                          const ContainerRecord& record);

// ---- The pod ----

// True when the kubelet of `node_name` runs `pod`: spec.nodeName is empty (it takes the pod) or
// names this node.
bool RunsOnNode(const api::Pod& pod, std::string_view node_name);

// True when the pod's phase is Succeeded or Failed: nothing of it runs again.
bool PodIsTerminal(const api::Pod& pod);

// How long a deleted pod's containers get between SIGTERM and SIGKILL:
// metadata.deletionGracePeriodSeconds, else spec.terminationGracePeriodSeconds, else 30 s; at
// least 2 s, the kubelet's minimum (a negative value counts as absent).
std::chrono::seconds TerminationGrace(const api::Pod& pod);

// The grace of a kill after a failed liveness/startup `probe`: the probe's
// terminationGracePeriodSeconds, else the pod's spec.terminationGracePeriodSeconds, else 30 s;
// at least 2 s.
std::chrono::seconds ProbeKillGrace(const api::Pod& pod, const api::Probe& probe);

// The pod's phase from its containers' statuses (Kubernetes' getPhase). `terminal`: the pod is
// being deleted and nothing will restart, so it is Succeeded when every container terminated
// with exit code 0 and Failed otherwise.
std::string PodPhase(const api::PodSpec& spec, const std::vector<api::ContainerStatus>& statuses,
                     bool terminal);

// Conditions in Kubernetes' order: Initialized, Ready, ContainersReady, PodScheduled. Each
// keeps its lastTransitionTime from `previous` when its status is unchanged, else gets `now`.
// Not ready: reason ContainersNotReady, message "containers with unready status: [a b]"; a
// Succeeded pod: reason PodCompleted. Initialized is False (ContainersNotInitialized) when the pod
// has init containers, which this runtime does not run.
std::vector<api::PodCondition> PodConditions(const api::PodSpec& spec, std::string_view phase,
                                             const std::vector<api::ContainerStatus>& statuses,
                                             const std::vector<api::PodCondition>& previous,
                                             api::Time now);

// The pod's status: `pod.status` with phase, conditions, hostIP, podIP, podIPs (= `ip`),
// startTime (kept once set, else `now`) and containerStatuses replaced; other members kept.
api::PodStatus BuildPodStatus(const api::Pod& pod,
                              const std::vector<api::ContainerStatus>& container_statuses,
                              std::string_view ip, bool terminal, api::Time now);

// `t` without its fraction of a second, as the API stores it.
api::Time WholeSeconds(std::chrono::system_clock::time_point t);

}  // namespace devflow::node
