#include "node/process_supervisor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

// glibc 2.36 declares these without C linkage (fixed in 2.37).
extern "C" {
#include <sys/pidfd.h>
}

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "node/executable_lookup.h"
#include "node/log_rotation.h"
#include "node/proc_stat.h"
#include "node/process_record.h"

namespace devflow::node {
namespace {

constexpr auto kLogCheckPeriod = std::chrono::seconds(1);
// The child's descriptors are first moved at or above this number, so that placing them on
// 0..3 in the child never overwrites one that is still to be placed.
constexpr int kFirstHighFd = 10;
// The child's end of the control socket, after its standard descriptors.
constexpr int kChildControlFd = 3;

std::string ErrnoText(int error) { return std::strerror(error); }

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Moves `fd` to a close-on-exec descriptor >= kFirstHighFd; invalid when `fd` is.
Fd MoveHigh(int fd) {
  if (fd < 0) return Fd();
  const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, kFirstHighFd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return Fd(high);
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Everything the child needs, prepared before fork(): between fork() and exec() only
// async-signal-safe calls are allowed (another thread may have held malloc's lock at the fork).
struct LaunchPlan {
  std::string executable;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;
  Fd devnull;
  Fd log;
};

// Sent by the child over the control socket when it could not run the program.
struct ChildFailure {
  int stage = 0;  // kStageChdir or kStageExec
  int error = 0;  // errno
};
constexpr int kStageChdir = 1;
constexpr int kStageExec = 2;

// A forked child that waits, before exec, for a byte on its control socket. It is held there
// until its record is durable: if devflow dies first, the socket closes and the child exits
// without running anything, so a crash can never leave an unrecorded process behind.
struct HeldChild {
  pid_t pid = -1;
  Fd control;  // the parent's end
};

[[noreturn]] void RunChild(int devnull, int log, int control, const char* working_dir,
                           const char* executable, char* const argv[], char* const envp[]) {
  ::setsid();
  // Dispositions set to "ignore" would survive exec; handlers must not run here either (all
  // signals are still blocked, as the parent blocked them around fork()).
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::dup2(devnull, STDIN_FILENO) < 0 || ::dup2(log, STDOUT_FILENO) < 0 ||
      ::dup2(log, STDERR_FILENO) < 0 || ::dup3(control, kChildControlFd, O_CLOEXEC) < 0) {
    ::_exit(127);
  }
  // devflow's sockets (API server, HAProxy's runtime socket...) must not leak into the app, or
  // they would stay open (and ports bound) as long as the app lives.
  ::close_range(kChildControlFd + 1, ~0U, 0);
  char go = 0;
  ssize_t n;
  do {
    n = ::read(kChildControlFd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(127);
  ChildFailure failure;
  if (::chdir(working_dir) != 0) {
    failure = {kStageChdir, errno};
  } else {
    ::execve(executable, argv, envp);
    failure = {kStageExec, errno};
  }
  ssize_t ignored = ::write(kChildControlFd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

Result<HeldChild> ForkHeld(LaunchPlan& launch) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return InternalError("socketpair: " + ErrnoText(errno));
  }
  Fd parent_end(pair[0]);
  Fd child_end = MoveHigh(pair[1]);
  if (!child_end.valid()) return InternalError("fcntl: " + ErrnoText(errno));
  std::vector<char*> argv = CStrings(launch.argv);
  std::vector<char*> envp = CStrings(launch.env);

  sigset_t all, previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  if (pid == 0) {
    RunChild(launch.devnull.get(), launch.log.get(), child_end.get(), launch.working_dir.c_str(),
             launch.executable.c_str(), argv.data(), envp.data());
  }
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) return UnavailableError("fork: " + ErrnoText(fork_error));
  return HeldChild{pid, std::move(parent_end)};
}

// Lets a held child exec. Returns Ok once the program runs; otherwise reaps the child and
// returns InvalidArgument (the program or working directory cannot be used) or Internal.
Status Release(HeldChild& child, const LaunchPlan& launch) {
  const char go = 1;
  // MSG_NOSIGNAL: a child killed meanwhile must not raise SIGPIPE in devflow.
  if (::send(child.control.get(), &go, 1, MSG_NOSIGNAL) != 1) {
    const int error = errno;
    Reap(child.pid);
    return InternalError("cannot start " + launch.executable + ": " + ErrnoText(error));
  }
  // The child's end is close-on-exec: end of stream means exec succeeded.
  ChildFailure failure;
  size_t got = 0;
  while (got < sizeof failure) {
    ssize_t n = ::recv(child.control.get(), reinterpret_cast<char*>(&failure) + got,
                       sizeof failure - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  child.control.Reset();
  if (got == 0) return Status::Ok();
  Reap(child.pid);
  if (got < sizeof failure) return InternalError("cannot start " + launch.executable);
  if (failure.stage == kStageChdir) {
    return InvalidArgumentError("working directory \"" + launch.working_dir +
                                "\": " + ErrnoText(failure.error));
  }
  return InvalidArgumentError("cannot execute \"" + launch.executable +
                              "\": " + ErrnoText(failure.error));
}

// Makes a held child exit without running anything, and reaps it.
void Abandon(HeldChild& child) {
  child.control.Reset();
  Reap(child.pid);
}

// One process the supervisor watches. `info`, `pidfd` and `child` are fixed once the entry is
// published; `handled` and `exited` are guarded by the supervisor's mutex. The pidfd is closed with
// the entry, so a Stop holding the entry can still use it after the watcher is done with it.
struct Entry {
  ProcessInfo info;
  Fd pidfd;
  bool child = false;    // our child: its exit status can be collected
  bool handled = false;  // OnExit has begun: it runs once per entry
  bool exited = false;   // OnExit has reaped it and removed its record
};

// Whether the pid of `entry` still names the process it recorded (alive, or exited and not yet
// reaped). While it does, the pid cannot be reused, and neither can the process group id, which
// is the same number since the process called setsid().
bool StillOurs(const Entry& entry) {
  if (::pidfd_send_signal(entry.pidfd.get(), 0, nullptr, 0) != 0) return false;
  Result<ProcStat> stat = ReadProcStat(entry.info.pid);
  return stat.ok() && stat->start_ticks == entry.info.start_ticks;
}

class Supervisor final : public ProcessSupervisor {
 public:
  Supervisor(SupervisorOptions options, ExitCallback on_exit, Fd wake)
      : options_(std::move(options)),
        records_dir_(options_.state_dir / "processes"),
        logs_dir_(options_.state_dir / "logs"),
        on_exit_(std::move(on_exit)),
        wake_(std::move(wake)) {
    watcher_ = std::thread([this] { Watch(); });
  }
  ~Supervisor() override { Shutdown(); }
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  std::vector<ProcessInfo> Adopt() override;
  Result<ProcessInfo> Start(const ProcessSpec& spec) override;
  Status Stop(const ContainerKey& key, std::chrono::milliseconds grace) override;
  std::vector<ProcessInfo> Running() const override;
  std::filesystem::path LogPath(const std::string& pod_namespace, const std::string& pod_name,
                                const std::string& container) const override;
  void Shutdown() override;

 private:
  Result<ProcessInfo> Launch(const ProcessSpec& spec);
  void Watch();
  void OnExit(const std::shared_ptr<Entry>& entry);
  void RotateLogs();
  void Wake();
  void SignalGroup(const Entry& entry, int sig);
  Status StopOnWatcher(const std::shared_ptr<Entry>& entry, std::chrono::milliseconds grace);

  const SupervisorOptions options_;
  const std::filesystem::path records_dir_;
  const std::filesystem::path logs_dir_;
  const ExitCallback on_exit_;
  const Fd wake_;  // eventfd that interrupts the watcher's poll()

  mutable std::mutex mu_;
  std::condition_variable exited_;                          // an entry exited, or shutdown
  std::map<ContainerKey, std::shared_ptr<Entry>> running_;  // guarded by mu_
  std::set<ContainerKey> starting_;                         // guarded by mu_
  bool shut_down_ = false;                                  // guarded by mu_
  std::thread watcher_;
};

std::vector<ProcessInfo> Supervisor::Adopt() {
  std::vector<ProcessInfo> adopted;
  Result<LoadedProcessRecords> loaded = LoadProcessRecords(records_dir_);
  if (!loaded.ok()) return adopted;
  for (ProcessInfo& record : loaded->records) {
    // Open the pidfd before checking the start time: if the check passes, the pidfd holds the
    // very process that was checked, even if it exits right after.
    Fd pidfd(::pidfd_open(record.pid, 0));
    Result<ProcStat> stat = ReadProcStat(record.pid);
    const bool ours = pidfd.valid() && stat.ok() && stat->start_ticks == record.start_ticks;
    if (ours && stat->exited()) {
      // Exited, not reaped yet: the zombie still holds the group id, so the rest of its group
      // (the app's own children) can be cleaned up safely.
      ::kill(-record.pid, SIGKILL);
      if (stat->ppid == ::getpid()) Reap(record.pid);
    }
    if (!ours || stat->exited()) {
      (void)RemoveProcessRecord(records_dir_, record.key);
      continue;
    }
    auto entry = std::make_shared<Entry>();
    record.adopted = true;
    entry->info = record;
    entry->pidfd = std::move(pidfd);
    // After a restart of the supervisor inside one devflow process, the apps are still our
    // children: their status can (and must, or they stay zombies) be collected.
    entry->child = stat->ppid == ::getpid();
    std::lock_guard lock(mu_);
    if (running_.count(record.key) != 0) continue;
    running_[record.key] = entry;
    adopted.push_back(record);
  }
  Wake();
  return adopted;
}

Result<ProcessInfo> Supervisor::Start(const ProcessSpec& spec) {
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return FailedPreconditionError("the process supervisor is shut down");
    auto it = running_.find(spec.key);
    if (it != running_.end() || starting_.count(spec.key) != 0) {
      return FailedPreconditionError(
          "container " + spec.key.container + " of pod " + spec.pod_namespace + "/" +
          spec.pod_name + " already runs" +
          (it != running_.end() ? " (pid " + std::to_string(it->second->info.pid) + ")" : ""));
    }
    starting_.insert(spec.key);
  }
  Result<ProcessInfo> started = Launch(spec);
  {
    std::lock_guard lock(mu_);
    starting_.erase(spec.key);
  }
  return started;
}

Result<ProcessInfo> Supervisor::Launch(const ProcessSpec& spec) {
  LaunchPlan launch;
  launch.working_dir = spec.working_dir.empty() ? options_.state_dir.string() : spec.working_dir;
  struct stat dir_stat;
  if (::stat(launch.working_dir.c_str(), &dir_stat) != 0 || !S_ISDIR(dir_stat.st_mode)) {
    return InvalidArgumentError("working directory \"" + launch.working_dir +
                                "\" does not exist or is not a directory");
  }
  if (spec.argv.empty()) return InvalidArgumentError("no command to run (argv is empty)");
  DEVFLOW_ASSIGN_OR_RETURN(launch.executable,
                           FindExecutable(spec.argv[0], spec.env, launch.working_dir));
  launch.argv = spec.argv;
  for (const auto& [name, value] : spec.env) launch.env.push_back(name + "=" + value);
  const std::filesystem::path log = LogPath(spec.pod_namespace, spec.pod_name, spec.key.container);
  launch.log = MoveHigh(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!launch.log.valid())
    return InternalError("cannot open " + log.string() + ": " + ErrnoText(errno));
  launch.devnull = MoveHigh(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!launch.devnull.valid()) return InternalError("cannot open /dev/null: " + ErrnoText(errno));

  auto entry = std::make_shared<Entry>();
  entry->child = true;
  ProcessInfo& info = entry->info;
  info.key = spec.key;
  info.pod_namespace = spec.pod_namespace;
  info.pod_name = spec.pod_name;
  info.host_ports = spec.host_ports;
  info.restart_count = spec.restart_count;
  info.started_at = std::chrono::system_clock::now();

  DEVFLOW_ASSIGN_OR_RETURN(HeldChild child, ForkHeld(launch));
  info.pid = child.pid;
  entry->pidfd = Fd(::pidfd_open(child.pid, 0));
  if (!entry->pidfd.valid()) {
    const int error = errno;
    Abandon(child);
    return InternalError("pidfd_open: " + ErrnoText(error));
  }
  Result<ProcStat> stat = ReadProcStat(child.pid);
  if (!stat.ok()) {
    Abandon(child);
    return InternalError("cannot read the start time of pid " + std::to_string(child.pid) + ": " +
                         stat.error().message());
  }
  info.start_ticks = stat->start_ticks;
  if (Status recorded = WriteProcessRecord(records_dir_, info); !recorded.ok()) {
    Abandon(child);
    return recorded;
  }
  if (Status released = Release(child, launch); !released.ok()) {
    (void)RemoveProcessRecord(records_dir_, info.key);
    return released;
  }
  {
    std::lock_guard lock(mu_);
    running_[info.key] = entry;
  }
  Wake();
  return info;
}

void Supervisor::SignalGroup(const Entry& entry, int sig) {
  if (StillOurs(entry)) ::kill(-entry.info.pid, sig);
}

Status Supervisor::Stop(const ContainerKey& key, std::chrono::milliseconds grace) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return FailedPreconditionError("the process supervisor is shut down");
    auto it = running_.find(key);
    if (it == running_.end()) return Status::Ok();
    entry = it->second;
  }
  SignalGroup(*entry, SIGTERM);
  if (std::this_thread::get_id() == watcher_.get_id()) return StopOnWatcher(entry, grace);
  std::unique_lock lock(mu_);
  auto done = [&] { return entry->exited || shut_down_; };
  if (!exited_.wait_for(lock, grace, done)) {
    lock.unlock();
    SignalGroup(*entry, SIGKILL);
    lock.lock();
    exited_.wait(lock, done);
  }
  if (!entry->exited) return FailedPreconditionError("the process supervisor is shut down");
  return Status::Ok();
}

// Stop called from the exit callback runs on the watcher thread, which cannot also be the one
// that notices the exit it waits for.
Status Supervisor::StopOnWatcher(const std::shared_ptr<Entry>& entry,
                                 std::chrono::milliseconds grace) {
  pollfd fd = {entry->pidfd.get(), POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(grace.count())) != 1) {
    SignalGroup(*entry, SIGKILL);
    while (::poll(&fd, 1, -1) != 1) {
    }
  }
  OnExit(entry);
  return Status::Ok();
}

std::vector<ProcessInfo> Supervisor::Running() const {
  std::lock_guard lock(mu_);
  std::vector<ProcessInfo> running;
  for (const auto& [key, entry] : running_) running.push_back(entry->info);
  return running;
}

std::filesystem::path Supervisor::LogPath(const std::string& pod_namespace,
                                          const std::string& pod_name,
                                          const std::string& container) const {
  return logs_dir_ / (EscapeFileNamePart(pod_namespace) + "_" + EscapeFileNamePart(pod_name) + "_" +
                      EscapeFileNamePart(container) + ".log");
}

void Supervisor::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  exited_.notify_all();
  Wake();
  if (watcher_.joinable()) watcher_.join();
  std::lock_guard lock(mu_);
  running_.clear();
}

void Supervisor::Wake() {
  const uint64_t one = 1;
  ssize_t ignored = ::write(wake_.get(), &one, sizeof one);
  (void)ignored;
}

void Supervisor::Watch() {
  auto next_log_check = std::chrono::steady_clock::now() + kLogCheckPeriod;
  while (true) {
    std::vector<std::shared_ptr<Entry>> watched;
    {
      std::lock_guard lock(mu_);
      if (shut_down_) return;
      for (const auto& [key, entry] : running_) watched.push_back(entry);
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_.get(), POLLIN, 0});
    for (const auto& entry : watched) fds.push_back({entry->pidfd.get(), POLLIN, 0});
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_log_check - std::chrono::steady_clock::now());
    const int ready =
        ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count())));
    if (ready > 0) {
      if (fds[0].revents != 0) {
        uint64_t count;
        ssize_t ignored = ::read(wake_.get(), &count, sizeof count);
        (void)ignored;
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents != 0) OnExit(watched[i - 1]);
      }
    }
    if (std::chrono::steady_clock::now() >= next_log_check) {
      RotateLogs();
      next_log_check = std::chrono::steady_clock::now() + kLogCheckPeriod;
    }
  }
}

void Supervisor::OnExit(const std::shared_ptr<Entry>& entry) {
  {
    std::lock_guard lock(mu_);
    if (entry->handled) return;
    entry->handled = true;
  }
  const int pid = entry->info.pid;
  ProcessExit exit;
  exit.key = entry->info.key;
  exit.pid = pid;
  // A container ends with its main process, as when Kubernetes tears down its cgroup: the rest
  // of its process group is killed, while the unreaped main process still holds the group id.
  if (entry->child) {
    ::kill(-pid, SIGKILL);
    siginfo_t status = {};
    int waited;
    do {
      waited = ::waitid(P_PIDFD, static_cast<id_t>(entry->pidfd.get()), &status, WEXITED);
    } while (waited < 0 && errno == EINTR);
    if (waited == 0 && status.si_code == CLD_EXITED) {
      exit.exit_code = status.si_status;
    } else if (waited == 0 && (status.si_code == CLD_KILLED || status.si_code == CLD_DUMPED)) {
      exit.signal = status.si_status;
      exit.exit_code = 128 + status.si_status;
    }
  } else if (Result<ProcStat> stat = ReadProcStat(pid);
             stat.ok() && stat->start_ticks == entry->info.start_ticks) {
    // Not our child: its parent may reap it any moment, so the group is signalled only while
    // the zombie demonstrably still holds the id.
    ::kill(-pid, SIGKILL);
  }
  exit.finished_at = std::chrono::system_clock::now();
  (void)RemoveProcessRecord(records_dir_, entry->info.key);
  {
    std::lock_guard lock(mu_);
    auto it = running_.find(entry->info.key);
    if (it != running_.end() && it->second == entry) running_.erase(it);
    entry->exited = true;
  }
  exited_.notify_all();
  if (on_exit_) on_exit_(exit);
}

void Supervisor::RotateLogs() {
  std::set<std::filesystem::path> logs;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, entry] : running_) {
      logs.insert(LogPath(entry->info.pod_namespace, entry->info.pod_name, key.container));
    }
  }
  for (const std::filesystem::path& log : logs) {
    (void)RotateLogIfTooLarge(log, options_.log_max_bytes, options_.log_max_files);
  }
}

}  // namespace

Result<std::unique_ptr<ProcessSupervisor>> ProcessSupervisor::Open(SupervisorOptions options,
                                                                   ExitCallback on_exit) {
  std::error_code error;
  for (const char* sub : {"processes", "logs"}) {
    std::filesystem::create_directories(options.state_dir / sub, error);
    if (error) {
      return InternalError("cannot create " + (options.state_dir / sub).string() + ": " +
                           error.message());
    }
  }
  Fd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return InternalError("eventfd: " + ErrnoText(errno));
  return std::unique_ptr<ProcessSupervisor>(
      new Supervisor(std::move(options), std::move(on_exit), std::move(wake)));
}

Result<int> PickFreePort(const std::string& address) {
  sockaddr_storage storage = {};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    length = sizeof *v6;
  } else {
    return UnavailableError("cannot pick a port on \"" + address + "\": not an IP address");
  }
  Fd socket(::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) return UnavailableError("socket: " + ErrnoText(errno));
  if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    return UnavailableError("cannot bind a port on " + address + ": " + ErrnoText(errno));
  }
  if (::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return UnavailableError("getsockname: " + ErrnoText(errno));
  }
  return storage.ss_family == AF_INET ? ntohs(v4->sin_port) : ntohs(v6->sin6_port);
}

}  // namespace devflow::node
