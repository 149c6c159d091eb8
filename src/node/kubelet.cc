#include "node/kubelet.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <optional>
#include <utility>

#include "api/decode.h"
#include "api/pod_codec.h"
#include "kube/typed_client.h"
#include "node/container_env.h"
#include "node/host_ports.h"
#include "node/prober.h"

namespace devflow::node {
namespace {

using std::chrono::milliseconds;

const kube::ResourceRef& PodResource() {
  static const kube::ResourceRef pods = kube::ResourceOf<api::Pod>();
  return pods;
}

// Without its own pod object a worker still has to stop its processes: 30 s as for any pod.
constexpr std::chrono::seconds kUnknownPodGrace{30};
// How long a terminating worker waits for the exit events of the processes it stopped (they
// are reported right after Stop returns).
constexpr milliseconds kExitReportWait{10000};
// How many times a terminating worker tries its final writes before giving up.
constexpr int kFinalWriteAttempts = 10;

const api::Container* FindContainer(const api::Pod& pod, std::string_view name) {
  for (const api::Container& container : pod.spec.containers) {
    if (container.name == name) return &container;
  }
  return nullptr;
}

const api::ContainerStatus* FindStatus(const api::Pod& pod, std::string_view name) {
  for (const api::ContainerStatus& status : pod.status.container_statuses) {
    if (status.name == name) return &status;
  }
  return nullptr;
}

const std::optional<api::Probe>& ProbeOf(const api::Container& container, ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup:
      return container.startup_probe;
    case ProbeKind::kLiveness:
      return container.liveness_probe;
    case ProbeKind::kReadiness:
      break;
  }
  return container.readiness_probe;
}

void KeepEarliest(std::optional<MonoTime>& next, std::optional<MonoTime> candidate) {
  if (candidate && (!next || *candidate < *next)) next = candidate;
}

struct ProbeAnswer {
  std::string container;
  ProbeKind kind = ProbeKind::kReadiness;
  int pid = 0;
  MonoTime attempted_at{};
  ProbeOutcome outcome;
};

// What other threads hand a pod's worker. Shared with probe jobs, which may finish after the
// worker is gone.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  bool dirty = false;                // guarded by mu
  bool quit = false;                 // guarded by mu
  bool gone = false;                 // guarded by mu
  std::optional<json::Value> pod;    // guarded by mu: the latest version
  std::vector<ProcessExit> exits;    // guarded by mu
  std::vector<ProbeAnswer> answers;  // guarded by mu

  template <class F>
  void Post(F change) {
    {
      std::lock_guard lock(mu);
      change();
      dirty = true;
    }
    cv.notify_all();
  }
};

}  // namespace

// ---- ExitRelay ----

struct ExitRelay::State {
  std::mutex mu;
  Kubelet* kubelet = nullptr;  // guarded by mu
};

ExitRelay::ExitRelay() : state_(std::make_shared<State>()) {}

ProcessSupervisor::ExitCallback ExitRelay::Callback() const {
  return [state = state_](const ProcessExit& exit) {
    std::lock_guard lock(state->mu);
    if (state->kubelet != nullptr) state->kubelet->OnProcessExit(exit);
  };
}

void ExitRelay::Attach(Kubelet* kubelet) {
  std::lock_guard lock(state_->mu);
  state_->kubelet = kubelet;
}

void ExitRelay::Detach() { Attach(nullptr); }

// ---- ProbePool ----

class Kubelet::ProbePool {
 public:
  explicit ProbePool(int threads) {
    for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Run(); });
  }
  ~ProbePool() { Stop(); }
  ProbePool(const ProbePool&) = delete;
  ProbePool& operator=(const ProbePool&) = delete;

  void Submit(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  // Drops queued jobs and waits for running ones (each ends within its probe's timeout).
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      jobs_.clear();
    }
    cv_.notify_all();
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                   // guarded by mu_
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  std::vector<std::thread> threads_;
};

// ---- PodWorker: one pod, one thread ----

class Kubelet::PodWorker {
 public:
  PodWorker(Kubelet& kubelet, std::string uid, std::vector<ProcessInfo> adopted)
      : kubelet_(kubelet), uid_(std::move(uid)), adopted_(std::move(adopted)) {
    for (const ProcessInfo& info : adopted_) {
      adopted_ports_.insert(info.host_ports.begin(), info.host_ports.end());
    }
    thread_ = std::thread([this] { Run(); });
  }

  ~PodWorker() {
    Quit();
    if (thread_.joinable()) thread_.join();
  }

  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  void PostPod(json::Value pod) {
    inbox_->Post([&] { inbox_->pod = std::move(pod); });
  }
  void PostGone() {
    inbox_->Post([&] { inbox_->gone = true; });
  }
  void PostExit(const ProcessExit& exit) {
    inbox_->Post([&] { inbox_->exits.push_back(exit); });
  }
  void Quit() {
    inbox_->Post([&] { inbox_->quit = true; });
  }

 private:
  struct Batch {
    std::optional<json::Value> pod;
    bool gone = false;
    std::vector<ProcessExit> exits;
    std::vector<ProbeAnswer> answers;
  };

  const kube::Clock& clock() const { return kubelet_.clock_; }
  const KubeletOptions& options() const { return kubelet_.options_; }
  api::Time WallNow() const { return WholeSeconds(clock().WallNow()); }
  ContainerKey Key(const std::string& container) const { return {uid_, container}; }

  void Run() {
    std::optional<MonoTime> wake;
    while (true) {
      Batch batch;
      {
        std::unique_lock lock(inbox_->mu);
        while (!inbox_->quit && !inbox_->dirty) {
          if (!wake) {
            inbox_->cv.wait(lock);
          } else if (clock().Now() >= *wake) {
            break;
          } else {
            clock().WaitUntil(inbox_->cv, lock, *wake);
          }
        }
        if (inbox_->quit) return;
        batch.pod = std::exchange(inbox_->pod, std::nullopt);
        batch.gone = inbox_->gone;
        batch.exits = std::exchange(inbox_->exits, {});
        batch.answers = std::exchange(inbox_->answers, {});
        inbox_->dirty = false;
      }
      wake.reset();
      if (Sync(std::move(batch), &wake)) {
        kubelet_.WorkerFinished(uid_, deleted_);
        return;
      }
    }
  }

  // One round: take in what happened, then act. Returns true when the pod is done with.
  bool Sync(Batch batch, std::optional<MonoTime>* wake) {
    if (batch.pod) {
      pod_ = api::Decode<api::Pod>(*batch.pod);
      have_pod_ = true;
    }
    if (!have_pod_) return batch.gone;
    // Adopted processes become records before any exit is applied: an adopted process may have
    // exited already.
    SeedRecords();
    MonoTime now = clock().Now();
    for (const ProcessExit& exit : batch.exits) ApplyExit(exit, pod_.spec.restart_policy, now);
    for (const ProbeAnswer& answer : batch.answers) ApplyProbe(answer);

    if (batch.gone) {
      Terminate(/*delete_pod=*/false);
      return true;
    }
    if (pod_.metadata.deletion_timestamp != api::Time{}) {
      Terminate(/*delete_pod=*/true);
      return true;
    }
    if (terminal_) return false;

    if (!Take()) {
      *wake = clock().Now() + options().api_retry;
      return false;
    }
    for (const api::Container& container : pod_.spec.containers) {
      ContainerRecord& record = records_[container.name];
      if (ShouldKill(record)) Kill(container, record);
      now = clock().Now();
      if (ShouldStart(record, now)) StartContainer(container, record, now);
      for (ProbeKind kind : DueProbes(record, container, now)) {
        DispatchProbe(container, record, kind, now);
      }
      KeepEarliest(*wake, NextWakeup(record, container));
    }
    if (!WriteStatus(/*terminal=*/false)) KeepEarliest(*wake, clock().Now() + options().api_retry);
    return false;
  }

  // Records for the containers, once the pod is known: adopted processes as running, the others
  // from the pod's status as last written (so restart counts survive a restart of devflow).
  void SeedRecords() {
    if (seeded_) return;
    seeded_ = true;
    const MonoTime now = clock().Now();
    // A pod that ended before devflow restarted stays as it is: nothing of it runs again.
    terminal_ = PodIsTerminal(pod_) && adopted_.empty();
    for (const ProcessInfo& info : adopted_) {
      const api::Container* container = FindContainer(pod_, info.key.container);
      if (container == nullptr) {  // cannot be: containers are immutable; do not leave it running
        (void)kubelet_.supervisor_.Stop(info.key, TerminationGrace(pod_));
        continue;
      }
      records_[container->name] =
          RecordAdopted(*container, FindStatus(pod_, container->name), info.pid,
                        WholeSeconds(info.started_at), info.restart_count, now);
    }
    adopted_.clear();
    for (const api::Container& container : pod_.spec.containers) {
      if (records_.count(container.name) != 0) continue;
      records_[container.name] = RecordFromPreviousStatus(FindStatus(pod_, container.name));
      if (terminal_) records_[container.name].finished = true;
    }
  }

  void ApplyExit(const ProcessExit& exit, std::string_view restart_policy, MonoTime now) {
    auto it = records_.find(exit.key.container);
    if (it == records_.end() || !it->second.running || it->second.running->pid != exit.pid) {
      return;  // an earlier instance, already accounted for
    }
    it->second = RecordExited(std::move(it->second), exit.key.container, restart_policy,
                              exit.exit_code, WallNow(), now, pod_.metadata, options().backoff);
  }

  void ApplyProbe(const ProbeAnswer& answer) {
    auto it = records_.find(answer.container);
    const api::Container* container = FindContainer(pod_, answer.container);
    if (it == records_.end() || container == nullptr || !it->second.running ||
        it->second.running->pid != answer.pid) {
      return;  // the instance it probed is gone
    }
    const std::optional<api::Probe>& probe = ProbeOf(*container, answer.kind);
    if (!probe) return;
    it->second = RecordProbe(std::move(it->second), answer.kind, *probe, answer.outcome.success,
                             answer.outcome.message, answer.attempted_at);
  }

  // Binds the pod to this node and gives it host ports, recorded on the pod before anything
  // starts. False when a write failed (retried later).
  bool Take() {
    if (!bound_) {
      if (pod_.spec.node_name.empty()) {
        json::Value patch = json::Object{{"metadata", json::Object{{"uid", uid_}}},
                                         {"spec", json::Object{{"nodeName", kubelet_.node_name_}}}};
        if (!kubelet_.client_
                 .Patch(PodResource(), pod_.metadata.namespace_, pod_.metadata.name,
                        kube::PatchType::kMerge, patch)
                 .ok()) {
          return false;
        }
        pod_.spec.node_name = kubelet_.node_name_;
      }
      bound_ = true;
    }
    if (!ports_assigned_) {
      if (!AssignPorts()) return false;
      ports_assigned_ = true;
    }
    if (!ports_annotated_) {
      const std::string value = FormatHostPorts(ports_);
      auto current = pod_.metadata.annotations.find(std::string(kHostPortsAnnotation));
      const bool absent = current == pod_.metadata.annotations.end();
      // A pod without ports needs no annotation; one that has it keeps it up to date.
      if ((absent && !ports_.empty()) || (!absent && current->second != value)) {
        json::Value patch = json::Object{
            {"metadata", json::Object{{"uid", uid_},
                                      {"annotations",
                                       json::Object{{std::string(kHostPortsAnnotation), value}}}}}};
        if (!kubelet_.client_
                 .Patch(PodResource(), pod_.metadata.namespace_, pod_.metadata.name,
                        kube::PatchType::kMerge, patch)
                 .ok()) {
          return false;
        }
        pod_.metadata.annotations[std::string(kHostPortsAnnotation)] = value;
      }
      ports_annotated_ = true;
    }
    return true;
  }

  // A host port for every containerPort: an adopted process's ports first, then the ones the
  // pod's annotation records (after a restart of devflow), else free ones.
  bool AssignPorts() {
    HostPorts recorded;
    auto annotation = pod_.metadata.annotations.find(std::string(kHostPortsAnnotation));
    if (annotation != pod_.metadata.annotations.end()) {
      if (Result<HostPorts> parsed = ParseHostPorts(annotation->second); parsed.ok()) {
        recorded = *parsed;
      }
    }
    for (const auto& [container_port, host_port] : adopted_ports_) {
      recorded[container_port] = host_port;
    }
    for (const api::Container& container : pod_.spec.containers) {
      for (const api::ContainerPort& port : container.ports) {
        if (ports_.count(port.container_port) != 0) continue;
        auto known = recorded.find(port.container_port);
        if (known != recorded.end()) {
          const bool adopted = adopted_ports_.count(port.container_port) != 0 &&
                               adopted_ports_.at(port.container_port) == known->second;
          if (adopted || kubelet_.ReservePort(known->second)) {
            ports_[port.container_port] = known->second;
            continue;
          }
        }
        Result<int> picked = kubelet_.PickPort();
        if (!picked.ok()) return false;
        ports_[port.container_port] = *picked;
      }
    }
    return true;
  }

  void Kill(const api::Container& container, ContainerRecord& record) {
    const std::optional<api::Probe>& probe =
        record.startup.on_hold ? container.startup_probe : container.liveness_probe;
    record.kill_requested = true;
    // Blocks this pod's worker for at most the grace period; the exit event follows.
    (void)kubelet_.supervisor_.Stop(Key(container.name), ProbeKillGrace(pod_, *probe));
  }

  void StartContainer(const api::Container& container, ContainerRecord& record, MonoTime now) {
    ContainerEnvContext context{
        .host_ports = ports_,
        .pod_ip = options().pod_ip,
        .host_ip = options().pod_ip,
        .inherited = kubelet_.inherited_env_,
        .restart_count = record.restart_count + (record.last_termination ? 1 : 0)};
    Result<ProcessSpec> spec = BuildProcessSpec(pod_, container, context);
    if (!spec.ok()) {
      record = RecordStartFailed(std::move(record), kCreateContainerConfigError,
                                 spec.error().message(), now + options().start_retry);
      return;
    }
    Result<ProcessInfo> started = kubelet_.supervisor_.Start(*spec);
    if (!started.ok()) {
      record = RecordStartFailed(std::move(record), kCreateContainerError,
                                 started.error().message(), now + options().start_retry);
      return;
    }
    record = RecordStarted(std::move(record), container, started->pid, WallNow(), clock().Now());
    specs_[container.name] = std::move(*spec);
  }

  void DispatchProbe(const api::Container& container, ContainerRecord& record, ProbeKind kind,
                     MonoTime now) {
    const api::Probe& probe = *ProbeOf(container, kind);
    record = MarkProbeInFlight(std::move(record), kind);
    ProbeTarget target{.host = options().pod_ip, .host_ports = ports_};
    for (const api::ContainerPort& port : container.ports) {
      if (!port.name.empty()) target.named_ports[port.name] = port.container_port;
    }
    if (probe.exec) {
      auto spec = specs_.find(container.name);
      if (spec == specs_.end()) {  // an adopted process: its environment as it was built
        ContainerEnvContext context{.host_ports = ports_,
                                    .pod_ip = options().pod_ip,
                                    .host_ip = options().pod_ip,
                                    .inherited = kubelet_.inherited_env_};
        if (Result<ProcessSpec> built = BuildProcessSpec(pod_, container, context); built.ok()) {
          spec = specs_.emplace(container.name, std::move(*built)).first;
        }
      }
      if (spec != specs_.end()) {
        target.env = spec->second.env;
        target.working_dir = spec->second.working_dir;
      }
    }
    kubelet_.probes_->Submit([inbox = inbox_, probe, target = std::move(target),
                              timeout = milliseconds(ProbeSettingsOf(probe).timeout),
                              name = container.name, kind, pid = record.running->pid, now] {
      ProbeOutcome outcome = RunProbe(probe, target, timeout);
      inbox->Post([&] {
        inbox->answers.push_back(ProbeAnswer{.container = name,
                                             .kind = kind,
                                             .pid = pid,
                                             .attempted_at = now,
                                             .outcome = std::move(outcome)});
      });
    });
  }

  // Writes the status when it differs from the last one written (or, before the first write,
  // from the pod's). A JSON patch whose first operation tests the uid: a new pod that took the
  // name meanwhile is never written to. False when the write failed.
  bool WriteStatus(bool terminal) {
    std::vector<api::ContainerStatus> statuses;
    for (const api::Container& container : pod_.spec.containers) {
      statuses.push_back(BuildContainerStatus(container, records_[container.name]));
    }
    api::Pod base = pod_;
    if (written_) base.status = *written_;
    api::PodStatus status = BuildPodStatus(base, statuses, options().pod_ip, terminal, WallNow());
    if (status == base.status) {
      written_ = std::move(status);
      return true;
    }
    json::Value patch = json::Array{
        json::Object{{"op", "test"}, {"path", "/metadata/uid"}, {"value", uid_}},
        json::Object{{"op", "add"}, {"path", "/status"}, {"value", api::Encode(status)}}};
    if (!kubelet_.client_
             .Patch(PodResource(), pod_.metadata.namespace_, pod_.metadata.name,
                    kube::PatchType::kJson, patch, "status")
             .ok()) {
      return false;
    }
    written_ = std::move(status);
    return true;
  }

  // Stops every process of the pod; for a pod being deleted, then writes its terminal status
  // and deletes it.
  void Terminate(bool delete_pod) {
    const std::chrono::milliseconds grace = have_pod_ ? TerminationGrace(pod_) : kUnknownPodGrace;
    if (delete_pod && have_pod_ && options().still_routed) {
      // Out of the data plane first: a process that stops listening while requests still come
      // would fail them.
      const auto until = std::chrono::steady_clock::now() + std::min(options().drain_wait, grace);
      while (options().still_routed(pod_.metadata.name) &&
             std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    std::vector<ContainerKey> keys;
    std::set<int> pids;
    for (const ProcessInfo& info : kubelet_.supervisor_.Running()) {
      if (info.key.pod_uid != uid_) continue;
      keys.push_back(info.key);
      pids.insert(info.pid);
    }
    // In parallel, so that a pod's containers share one grace period as on Kubernetes.
    std::vector<std::thread> stoppers;
    for (const ContainerKey& key : keys) {
      stoppers.emplace_back([this, key, grace] { (void)kubelet_.supervisor_.Stop(key, grace); });
    }
    for (std::thread& stopper : stoppers) stopper.join();
    const std::vector<ProcessExit> exits = AwaitExits(pids);
    const MonoTime now = clock().Now();
    for (const ProcessExit& exit : exits) ApplyExit(exit, "Never", now);

    if (delete_pod && have_pod_) {
      for (int attempt = 0; attempt < kFinalWriteAttempts; ++attempt) {
        if (FinishDeletion()) {
          deleted_ = true;
          break;
        }
        if (!PauseForRetry()) break;
      }
    }
    kubelet_.ReleasePorts(ports_);
  }

  // The exit events of `pids`, as they arrive after Stop (bounded wait: a missing event only
  // leaves that container's status as it was).
  std::vector<ProcessExit> AwaitExits(std::set<int> pids) {
    std::vector<ProcessExit> exits;
    const auto deadline = std::chrono::steady_clock::now() + kExitReportWait;
    std::unique_lock lock(inbox_->mu);
    while (true) {
      for (ProcessExit& exit : std::exchange(inbox_->exits, {})) {
        pids.erase(exit.pid);
        exits.push_back(std::move(exit));
      }
      if (pids.empty() || inbox_->cv.wait_until(lock, deadline) == std::cv_status::timeout) {
        break;
      }
    }
    return exits;
  }

  bool FinishDeletion() {
    if (!WriteStatus(/*terminal=*/true)) return false;
    Result<json::Value> deleted =
        kubelet_.client_.Delete(PodResource(), pod_.metadata.namespace_, pod_.metadata.name,
                                kube::DeleteRequest{.precondition_uid = uid_});
    // NotFound or Conflict (another pod has the name now): this pod is gone either way.
    return deleted.ok() || deleted.error().code() == StatusCode::kNotFound ||
           deleted.error().code() == StatusCode::kConflict;
  }

  // Waits api_retry on the Kubelet's clock; false when the worker is told to quit meanwhile.
  bool PauseForRetry() {
    const MonoTime until = clock().Now() + options().api_retry;
    std::unique_lock lock(inbox_->mu);
    while (!inbox_->quit && clock().Now() < until) clock().WaitUntil(inbox_->cv, lock, until);
    return !inbox_->quit;
  }

  Kubelet& kubelet_;
  const std::string uid_;
  std::vector<ProcessInfo> adopted_;  // until SeedRecords
  HostPorts adopted_ports_;
  const std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  std::thread thread_;

  // The worker thread's own state.
  api::Pod pod_;
  bool have_pod_ = false;
  bool seeded_ = false;
  bool terminal_ = false;  // the pod had ended before this worker began
  bool bound_ = false;
  bool ports_assigned_ = false;
  bool ports_annotated_ = false;
  bool deleted_ = false;
  HostPorts ports_;
  std::map<std::string, ContainerRecord> records_;
  std::map<std::string, ProcessSpec> specs_;  // as last started, for exec probes
  std::optional<api::PodStatus> written_;
};

// ---- Kubelet ----

struct Kubelet::HandlerGate {
  std::mutex mu;
  Kubelet* kubelet = nullptr;  // guarded by mu
};

Kubelet::Kubelet(kube::ApiClient& client, kube::InformerFactory& informers,
                 ProcessSupervisor& supervisor, ExitRelay& exits, std::string node_name,
                 const kube::Clock& clock, KubeletOptions options)
    : client_(client),
      informers_(informers),
      supervisor_(supervisor),
      exits_(exits),
      node_name_(std::move(node_name)),
      clock_(clock),
      options_(std::move(options)),
      inherited_env_(options_.inherited_env.empty() ? InheritedEnvironment()
                                                    : options_.inherited_env),
      gate_(std::make_shared<HandlerGate>()) {}

Kubelet::~Kubelet() { Stop(); }

Status Kubelet::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return FailedPreconditionError("the kubelet was started before");
    started_ = true;
    probes_ = std::make_unique<ProbePool>(options_.probe_threads);
  }
  exits_.Attach(this);
  // Adopted before the informer delivers pods, so that no worker starts a container whose
  // process is still running.
  std::vector<ProcessInfo> adopted = supervisor_.Adopt();
  {
    std::lock_guard lock(mu_);
    for (ProcessInfo& info : adopted) {
      for (const auto& [container_port, host_port] : info.host_ports) ReservePort(host_port);
      adopted_[info.key.pod_uid].push_back(std::move(info));
    }
  }
  {
    std::lock_guard lock(gate_->mu);
    gate_->kubelet = this;
  }
  kube::Informer& pods = informers_.For(PodResource(), "");
  pods.AddEventHandler(kube::EventHandlers{
      .on_add =
          [gate = gate_](const json::Value& object) {
            std::lock_guard lock(gate->mu);
            if (gate->kubelet != nullptr) gate->kubelet->OnPod(object);
          },
      .on_update =
          [gate = gate_](const json::Value&, const json::Value& object) {
            std::lock_guard lock(gate->mu);
            if (gate->kubelet != nullptr) gate->kubelet->OnPod(object);
          },
      .on_delete =
          [gate = gate_](const json::Value& object) {
            std::lock_guard lock(gate->mu);
            if (gate->kubelet != nullptr) gate->kubelet->OnPodDeleted(object);
          },
  });
  informers_.Start();
  if (!pods.WaitForSync(options_.sync_timeout)) {
    return UnavailableError("the kubelet's pod informer did not sync: " +
                            pods.LastError().message());
  }
  // Every pod has been handed to the handlers: adopted processes still unclaimed belong to pods
  // that are gone or run elsewhere.
  std::lock_guard lock(mu_);
  for (auto& [uid, processes] : adopted_) {
    for (ProcessInfo& info : processes) {
      orphan_stoppers_.emplace_back([this, info = std::move(info)] {
        (void)supervisor_.Stop(info.key, kUnknownPodGrace);
        ReleasePorts(info.host_ports);
      });
    }
  }
  adopted_.clear();
  return Status::Ok();
}

void Kubelet::Stop() {
  {
    std::lock_guard lock(gate_->mu);
    gate_->kubelet = nullptr;
  }
  exits_.Detach();
  std::map<std::string, std::unique_ptr<PodWorker>> workers;
  std::vector<std::unique_ptr<PodWorker>> finished;
  std::vector<std::thread> stoppers;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    workers = std::move(workers_);
    finished = std::move(finished_);
    stoppers = std::move(orphan_stoppers_);
  }
  // Workers must go before the probe pool: a worker may be submitting a probe.
  for (auto& [uid, worker] : workers) worker->Quit();
  workers.clear();
  finished.clear();
  if (probes_) probes_->Stop();
  for (std::thread& stopper : stoppers) stopper.join();
}

void Kubelet::OnProcessExit(const ProcessExit& exit) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(exit.key.pod_uid);
  if (it != workers_.end()) {
    it->second->PostExit(exit);
    return;
  }
  // An adopted process that ended before its pod's worker claimed it: not running any more.
  auto adopted = adopted_.find(exit.key.pod_uid);
  if (adopted == adopted_.end()) return;
  std::erase_if(adopted->second, [&](const ProcessInfo& info) { return info.pid == exit.pid; });
}

void Kubelet::OnPod(const json::Value& object) {
  const std::string uid = json::StringAt(object, {"metadata", "uid"});
  const std::string node = json::StringAt(object, {"spec", "nodeName"});
  if (uid.empty() || (!node.empty() && node != node_name_)) return;
  std::lock_guard lock(mu_);
  if (stopping_) return;
  ReapLocked();
  if (done_uids_.count(uid) != 0) return;
  std::unique_ptr<PodWorker>& worker = workers_[uid];
  if (!worker) {
    std::vector<ProcessInfo> adopted;
    if (auto it = adopted_.find(uid); it != adopted_.end()) {
      adopted = std::move(it->second);
      adopted_.erase(it);
    }
    worker = std::make_unique<PodWorker>(*this, uid, std::move(adopted));
  }
  worker->PostPod(object);
}

void Kubelet::OnPodDeleted(const json::Value& object) {
  const std::string uid = json::StringAt(object, {"metadata", "uid"});
  std::lock_guard lock(mu_);
  done_uids_.erase(uid);
  if (stopping_) return;
  ReapLocked();
  auto it = workers_.find(uid);
  if (it != workers_.end()) it->second->PostGone();
}

void Kubelet::ReapLocked() { finished_.clear(); }

void Kubelet::WorkerFinished(const std::string& uid, bool pod_deleted) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(uid);
  if (it == workers_.end()) return;  // Stop took it
  // Events still in flight for a deleted pod must not start a new worker; a pod that went away
  // unannounced will not send any.
  if (pod_deleted) done_uids_.insert(uid);
  finished_.push_back(std::move(it->second));
  workers_.erase(it);
}

Result<int> Kubelet::PickPort() {
  // A port handed to a pod whose process has not bound it yet is free to the kernel: skip those.
  for (int attempt = 0; attempt < 100; ++attempt) {
    DEVFLOW_ASSIGN_OR_RETURN(int port, PickFreePort(options_.pod_ip));
    if (ReservePort(port)) return port;
  }
  return UnavailableError("no free port on " + options_.pod_ip + " after 100 attempts");
}

bool Kubelet::ReservePort(int port) {
  std::lock_guard lock(ports_mu_);
  return ports_in_use_.insert(port).second;
}

void Kubelet::ReleasePorts(const HostPorts& ports) {
  std::lock_guard lock(ports_mu_);
  for (const auto& [container_port, host_port] : ports) ports_in_use_.erase(host_port);
}

}  // namespace devflow::node
