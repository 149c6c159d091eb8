// Kubelet: the process runtime's control loop. It runs, as processes on this machine, the pods
// whose spec.nodeName is empty or names this node, and writes their status, as Kubernetes'
// kubelet does for containers. What to do is decided by pod_rules.h and container_env.h; this
// class watches, acts and writes.
//
// For each such pod (one worker thread per pod, as the kubelet has one pod worker each):
//   1. takes it: spec.nodeName is set (merge patch, with metadata.uid as precondition);
//   2. gives every containerPort a free host port (PickFreePort; a port is never handed out twice
//      while a pod of this Kubelet holds it) and records them in the pod's annotation
//      node.devflow.io/host-ports (host_ports.h) BEFORE any process starts, so that whoever reads
//      the pod can reach it once it is ready;
//   3. starts each container (ProcessSupervisor::Start) with the spec of container_env.h; a spec
//      that cannot be built shows as waiting CreateContainerConfigError, a process that cannot be
//      started as CreateContainerError, both retried every start_retry;
//   4. runs startup, liveness and readiness probes on their schedule, on a small shared pool of
//      threads (prober.h runs one attempt); a failed liveness/startup probe kills the container
//      (SIGTERM, then SIGKILL after the probe's or the pod's grace period);
//   5. restarts exited containers as restartPolicy says, with the CrashLoopBackOff back-off;
//   6. writes status (the status subresource, a JSON patch guarded by a test of metadata.uid)
//      only when it differs from the last written: phase, conditions, containerStatuses,
//      hostIP = podIP = podIPs[0] = pod_ip.
// A pod with metadata.deletionTimestamp: its containers are stopped (SIGTERM to each process
// group, SIGKILL after TerminationGrace), a terminal status is written (Succeeded when every
// container exited 0, else Failed, as the kubelet does since Kubernetes 1.27), then the pod is
// deleted with a uid precondition. A terminal phase is what lets the delete remove the pod at
// once, both on kube-apiserver and on devflow's server. A pod that disappears without
// deletionTimestamp has its processes stopped as well.
//
// Restart safety: Start() adopts the supervisor's processes (ProcessSupervisor::Adopt). A process
// whose pod still exists here keeps running and is not started again (its host ports come from
// its record; its ready/started results from the pod's status, so a restart of devflow does not
// take ready pods out of service); processes of pods that no longer exist, or run elsewhere, are
// stopped; containers without a process are started. A container never has two processes: each
// pod has one worker, and the supervisor refuses a second Start of a running key.
//
// Init containers are not run: a pod with initContainers stays Pending with Initialized False
// and its containers waiting (CreateContainerConfigError saying so).
//
// Thread-safety: Start and Stop from one thread; OnProcessExit from any.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/json_value.h"
#include "common/status.h"
#include "kube/api_client.h"
#include "kube/clock.h"
#include "kube/informer.h"
#include "node/host_ports.h"
#include "node/pod_rules.h"
#include "node/process_supervisor.h"

namespace devflow::node {

class Kubelet;

// Forwards the supervisor's exit callback to the Kubelet: the supervisor is opened first (the
// Kubelet needs it), so its callback cannot name the Kubelet directly. Exits that arrive while
// no Kubelet is attached are dropped (a Kubelet started later adopts what still runs).
// Thread-safe; the callback stays valid after the relay is destroyed.
class ExitRelay {
 public:
  ExitRelay();
  ExitRelay(const ExitRelay&) = delete;
  ExitRelay& operator=(const ExitRelay&) = delete;

  // The callback to give ProcessSupervisor::Open.
  ProcessSupervisor::ExitCallback Callback() const;
  // Called by Kubelet::Start and Kubelet::Stop. Detach waits for a callback in progress.
  void Attach(Kubelet* kubelet);
  void Detach();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

struct KubeletOptions {
  // status.podIP / hostIP, and the address host ports are picked on and probes connect to.
  std::string pod_ip = "127.0.0.1";
  BackoffOptions backoff;
  // Retry of a container that could not be started (CreateContainer[Config]Error).
  std::chrono::milliseconds start_retry = std::chrono::seconds(10);
  // Retry of a failed API write (taking the pod, its annotation, its status, the delete).
  std::chrono::milliseconds api_retry = std::chrono::seconds(1);
  // Threads that run probe attempts, shared by every pod.
  int probe_threads = 4;
  // How long Start waits for the pod informer's first list.
  std::chrono::milliseconds sync_timeout = std::chrono::seconds(60);
  // HOME and PATH passed to containers that do not set them; empty: InheritedEnvironment().
  std::map<std::string, std::string> inherited_env;
  // Whether the data plane may still route new requests to the pod of this name. A deleted pod's
  // processes are signalled only once it says no, or after drain_wait (bounded by the pod's
  // grace period): on one machine devflow can close the race Kubernetes leaves open between
  // endpoint removal and SIGTERM. Empty: signal at once.
  std::function<bool(const std::string& pod_name)> still_routed;
  std::chrono::milliseconds drain_wait = std::chrono::seconds(2);
};

class Kubelet {
 public:
  // Every reference must outlive the Kubelet. `supervisor`'s exit callback must be
  // `exits.Callback()`. `node_name` is the node this Kubelet claims pods for.
  Kubelet(kube::ApiClient& client, kube::InformerFactory& informers, ProcessSupervisor& supervisor,
          ExitRelay& exits, std::string node_name, const kube::Clock& clock,
          KubeletOptions options = {});
  ~Kubelet();  // Stop()
  Kubelet(const Kubelet&) = delete;
  Kubelet& operator=(const Kubelet&) = delete;

  // Adopts the supervisor's processes (call once per supervisor), registers with the pod
  // informer (all namespaces) and starts the factory, waits for the first list, then stops the
  // adopted processes no pod here claims (in the background). Errors: Unavailable when the
  // informer does not sync within sync_timeout (the Kubelet keeps running and catches up);
  // FailedPrecondition when started twice.
  Status Start();

  // Stops the workers and the probe pool. Processes keep running (they outlive devflow by
  // design); a pod being terminated is finished first. Idempotent.
  void Stop();

  // A process ended (ExitRelay calls this).
  void OnProcessExit(const ProcessExit& exit);

 private:
  class PodWorker;
  class ProbePool;
  friend class PodWorker;

  void OnPod(const json::Value& object);
  void OnPodDeleted(const json::Value& object);
  // Joins workers that have finished. REQUIRES: mu_ held.
  void ReapLocked();
  // Called by a worker whose pod is gone (its thread ends right after).
  void WorkerFinished(const std::string& uid, bool pod_deleted);

  // Host ports: a free port not held by any pod of this Kubelet; Reserve marks a known one.
  Result<int> PickPort();
  bool ReservePort(int port);
  void ReleasePorts(const HostPorts& ports);

  kube::ApiClient& client_;
  kube::InformerFactory& informers_;
  ProcessSupervisor& supervisor_;
  ExitRelay& exits_;
  const std::string node_name_;
  const kube::Clock& clock_;
  const KubeletOptions options_;
  const std::map<std::string, std::string> inherited_env_;
  std::unique_ptr<ProbePool> probes_;

  std::mutex mu_;
  bool started_ = false;                                       // guarded by mu_
  bool stopping_ = false;                                      // guarded by mu_
  std::map<std::string, std::unique_ptr<PodWorker>> workers_;  // by pod uid; guarded by mu_
  std::vector<std::unique_ptr<PodWorker>> finished_;           // to join; guarded by mu_
  std::set<std::string> done_uids_;  // pods finished here, until their delete is seen; mu_
  std::map<std::string, std::vector<ProcessInfo>> adopted_;  // unclaimed, by pod uid; mu_
  std::vector<std::thread> orphan_stoppers_;                 // guarded by mu_

  std::mutex ports_mu_;
  std::set<int> ports_in_use_;  // guarded by ports_mu_

  // Tells the informer's handlers whether this Kubelet still listens: handlers cannot be
  // removed from an informer, and the Kubelet may be destroyed before it.
  struct HandlerGate;
  std::shared_ptr<HandlerGate> gate_;
};

}  // namespace devflow::node
