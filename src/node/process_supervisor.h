// ProcessSupervisor: starts, watches, stops and re-adopts the processes that run pods' containers
// on this machine. It is the mechanism of the process runtime; what to run and when is decided by
// the kubelet loop (kubelet.h) with the pure rules of pod_rules.h.
//
// Every container process is started in its own session and process group (setsid), with
// stdout/stderr appended to its log file, so it keeps serving while `devflow serve` stops or is
// killed. Before Start returns (before anyone can announce the process), its record (pid, the
// process's start time from /proc/<pid>/stat, the pod and container it runs, its ports) is
// written atomically under <state_dir>/processes/. After a restart, Adopt reads the records and
// keeps exactly the processes whose pid still has the recorded start time: a recycled pid is
// never mistaken for ours, and nothing that is not ours is ever signalled.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace devflow::node {

// Which container of which pod a process runs.
struct ContainerKey {
  std::string pod_uid;
  std::string container;
  friend auto operator<=>(const ContainerKey&, const ContainerKey&) = default;
};

// What to run: already expanded ($(VAR) replaced, env resolved) by the kubelet.
struct ProcessSpec {
  ContainerKey key;
  std::string pod_namespace;  // for the record and log file names
  std::string pod_name;
  std::vector<std::string> argv;           // argv[0] is looked up in PATH when it has no '/'
  std::map<std::string, std::string> env;  // the whole environment (nothing inherited)
  std::string working_dir;                 // "" = the supervisor's state directory
  std::map<int32_t, int32_t> host_ports;   // containerPort -> host port, kept in the record
  int restart_count = 0;  // kept in the record, so it survives a restart of devflow
};

// A running (or finished) process the supervisor knows about.
struct ProcessInfo {
  ContainerKey key;
  std::string pod_namespace;
  std::string pod_name;
  int pid = 0;
  uint64_t start_ticks = 0;  // /proc/<pid>/stat field 22: with pid, identifies the process
  std::chrono::system_clock::time_point started_at;
  std::map<int32_t, int32_t> host_ports;
  int restart_count = 0;
  bool adopted = false;  // re-adopted after a restart of devflow (exit code will be unknown)
};

// How a process ended.
struct ProcessExit {
  ContainerKey key;
  int pid = 0;
  // The exit code, or 128 + signal number when killed by a signal; nullopt for an adopted
  // process (not our child after a restart, so its status cannot be collected).
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::chrono::system_clock::time_point finished_at;
};

struct SupervisorOptions {
  std::filesystem::path state_dir;    // records in state_dir/processes, logs in state_dir/logs
  uint64_t log_max_bytes = 10 << 20;  // a log file is rotated when it grows past this
  int log_max_files = 3;              // rotated files kept per container: NAME.log.1 .. .N
};

class ProcessSupervisor {
 public:
  // Called once per process that ends, from the supervisor's own thread.
  using ExitCallback = std::function<void(const ProcessExit&)>;

  // Creates the directories. Errors: Internal when they cannot be created.
  static Result<std::unique_ptr<ProcessSupervisor>> Open(SupervisorOptions options,
                                                         ExitCallback on_exit);
  virtual ~ProcessSupervisor() = default;

  // Re-adopts the processes recorded by a previous run that are still alive (same pid and
  // start time) and deletes the records of the others. Returns the adopted ones. Call once,
  // before Start.
  virtual std::vector<ProcessInfo> Adopt() = 0;

  // Starts a process (setsid; stdin /dev/null; stdout and stderr appended to its log file),
  // writes its record durably, then returns. Errors: FailedPrecondition when `key` already runs;
  // InvalidArgument when the executable is missing or not executable, or the working directory
  // does not exist (the message names it: the kubelet shows it as the container's waiting
  // message, like Kubernetes' CreateContainerError).
  virtual Result<ProcessInfo> Start(const ProcessSpec& spec) = 0;

  // Stops the process of `key`: SIGTERM to its process group, then SIGKILL to the group after
  // `grace`. Returns when it has exited (or at once when it does not run). The exit callback
  // still fires. The record is removed.
  virtual Status Stop(const ContainerKey& key, std::chrono::milliseconds grace) = 0;

  // The processes running now.
  virtual std::vector<ProcessInfo> Running() const = 0;

  // The log file of a container (the current one; rotated ones are PATH.1 .. PATH.N).
  virtual std::filesystem::path LogPath(const std::string& pod_namespace,
                                        const std::string& pod_name,
                                        const std::string& container) const = 0;

  // Stops watching (does NOT stop the processes: they outlive devflow by design).
  virtual void Shutdown() = 0;
};

// A free TCP port on `address` (bound and released at once; the caller keeps a record of what it
// handed out so it is not handed out twice). Errors: Unavailable.
Result<int> PickFreePort(const std::string& address = "127.0.0.1");

}  // namespace devflow::node
