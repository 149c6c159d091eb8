#include "node/proxy_manager.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "common/json_reader.h"
#include "common/json_value.h"
#include "node/executable_lookup.h"
#include "node/haproxy_config.h"
#include "node/haproxy_plan.h"
#include "node/haproxy_runtime.h"
#include "node/proc_stat.h"

extern char** environ;

namespace devflow::node {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How often the watchdog looks at HAProxy when nothing wakes it: it also wakes at once when the
// master exits (its pidfd becomes readable), so this only paces retries.
constexpr milliseconds kWatchInterval(200);
constexpr milliseconds kReadyTimeout(20000);
constexpr milliseconds kStopTimeout(10000);
constexpr milliseconds kMaxRestartBackoff(5000);
constexpr uintmax_t kLogRotateBytes = 8 << 20;

// glibc 2.36's <sys/pidfd.h> declares these without extern "C", so C++ cannot link them.
int PidfdOpen(int pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int PidfdSignal(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

std::string Errno(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

// ---------------------------------------------------------------------------------------------
// Files

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Readers see the old content or the new one, never a part: map files and the configuration are
// read by HAProxy's master at any reload.
Status WriteFileAtomic(const fs::path& path, std::string_view content) {
  const fs::path temporary = path.string() + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError(Errno("creating " + temporary.string()));
  for (std::string_view rest = content; !rest.empty();) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return InternalError(Errno("writing " + temporary.string()));
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return InternalError(Errno("renaming " + temporary.string()));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Processes

// Starts argv[0] with stdin from /dev/null and stdout and stderr on `output_fd`, in its own
// session when `new_session`, with no other descriptor of ours and default signal handling.
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, int output_fd, bool new_session) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attributes);
  ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  // Sockets of this process (servers, API connections) must not stay open in HAProxy.
  ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigemptyset(&all);
  for (int signal = 1; signal < 32; ++signal) {
    if (signal != SIGKILL && signal != SIGSTOP) sigaddset(&all, signal);
  }
  ::posix_spawnattr_setsigmask(&attributes, &none);
  ::posix_spawnattr_setsigdefault(&attributes, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (new_session) flags |= POSIX_SPAWN_SETSID;
  ::posix_spawnattr_setflags(&attributes, flags);
  pid_t pid = 0;
  int error = ::posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    return InternalError("starting " + argv[0] + ": " + std::strerror(error));
  }
  return pid;
}

struct CommandOutput {
  int exit_code = -1;
  std::string output;
};

// Runs a short command to completion, collecting stdout and stderr together.
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv, milliseconds timeout) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return InternalError(Errno("pipe"));
  Result<pid_t> pid = SpawnProcess(argv, pipe_fds[1], /*new_session=*/false);
  ::close(pipe_fds[1]);
  if (!pid.ok()) {
    ::close(pipe_fds[0]);
    return pid.error();
  }
  CommandOutput result;
  const auto deadline = steady_clock::now() + timeout;
  bool timed_out = false;
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd ready{pipe_fds[0], POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  if (timed_out) ::kill(*pid, SIGKILL);
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return DeadlineExceededError(argv[0] + " did not finish within " +
                                 std::to_string(timeout.count()) + " ms");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool ProcessRunning(int pid) {
  Result<ProcStat> stat = ReadProcStat(pid);
  return stat.ok() && !stat->exited();
}

std::string Cmdline(int pid) {
  Result<std::string> text = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  if (!text.ok()) return "";
  std::string out = *text;
  std::replace(out.begin(), out.end(), '\0', ' ');
  return out;
}

bool Readable(int fd, milliseconds timeout) {
  pollfd ready{fd, POLLIN, 0};
  return ::poll(&ready, 1, static_cast<int>(timeout.count())) > 0;
}

// ---------------------------------------------------------------------------------------------
// Ports

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t size = 0;
  int family = AF_INET;
};

std::optional<SocketAddress> ParseAddress(const std::string& address, int port) {
  SocketAddress out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    out.size = sizeof(sockaddr_in);
    return out;
  }
  if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    out.size = sizeof(sockaddr_in6);
    out.family = AF_INET6;
    return out;
  }
  return std::nullopt;
}

// Why HAProxy could not listen at address:port, or "" when it could. `shared`: the port may be
// held by an earlier HAProxy of ours that is exiting; HAProxy binds with SO_REUSEPORT, so a probe
// with SO_REUSEPORT succeeds beside it (and beside nothing else that did not opt in).
std::string BindProblem(const std::string& address, int port, bool shared) {
  const std::string where = address + ":" + std::to_string(port);
  if (port < 1 || port > 65535) return "port " + std::to_string(port) + " is outside 1..65535";
  std::optional<SocketAddress> parsed = ParseAddress(address, port);
  if (!parsed) return "\"" + address + "\" is not an IP address";
  int fd = ::socket(parsed->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (shared) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  int result = ::bind(fd, reinterpret_cast<sockaddr*>(&parsed->storage), parsed->size);
  int error = errno;
  ::close(fd);
  if (result == 0) return "";
  if (error == EADDRINUSE) return where + " is already in use by another program";
  if (error == EADDRNOTAVAIL) return address + " is not an address of this machine";
  if (error == EACCES) return "binding " + where + " needs privileges devflow does not have";
  return "cannot bind " + where + ": " + std::strerror(error);
}

Result<int> PickPort(const std::string& address) {
  std::optional<SocketAddress> parsed = ParseAddress(address, 0);
  if (!parsed)
    return InvalidArgumentError("stats address \"" + address + "\" is not an IP address");
  int fd = ::socket(parsed->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return UnavailableError(Errno("socket"));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&parsed->storage), parsed->size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&parsed->storage), &parsed->size) != 0) {
    ::close(fd);
    return UnavailableError(Errno("finding a free port on " + address));
  }
  ::close(fd);
  return parsed->family == AF_INET
             ? ntohs(reinterpret_cast<sockaddr_in*>(&parsed->storage)->sin_port)
             : ntohs(reinterpret_cast<sockaddr_in6*>(&parsed->storage)->sin6_port);
}

// ---------------------------------------------------------------------------------------------
// The applied state on disk, so that a restarted devflow that adopts HAProxy knows what it
// serves and goes on with runtime changes instead of reloading.

json::Value Strings(const std::vector<std::string>& values) {
  json::Array array;
  for (const std::string& value : values) array.emplace_back(value);
  return array;
}

const char* PathTypeName(PathCondition::Type type) {
  switch (type) {
    case PathCondition::Type::kPrefix:
      return "Prefix";
    case PathCondition::Type::kExact:
      return "Exact";
    case PathCondition::Type::kRegex:
      return "Regex";
  }
  return "Prefix";
}

json::Value EncodeState(const ProxyState& state) {
  json::Array listeners;
  for (const ProxyListener& listener : state.listeners) {
    json::Array rules;
    for (const RouteRule& rule : listener.rules) {
      json::Array matches;
      for (const RouteMatch& match : rule.matches) {
        json::Object object;
        if (match.path) {
          object.Set("path", json::Object{{"type", PathTypeName(match.path->type)},
                                          {"value", match.path->value}});
        }
        json::Array headers;
        for (const HeaderCondition& header : match.headers) {
          headers.emplace_back(json::Object{
              {"name", header.name}, {"value", header.value}, {"regex", header.regex}});
        }
        object.Set("headers", std::move(headers));
        if (match.method) object.Set("method", *match.method);
        matches.emplace_back(std::move(object));
      }
      json::Array backends;
      for (const WeightedBackend& backend : rule.backends) {
        backends.emplace_back(json::Object{{"backend", backend.backend},
                                           {"weight", static_cast<int64_t>(backend.weight)}});
      }
      rules.emplace_back(json::Object{{"hostnames", Strings(rule.hostnames)},
                                      {"matches", std::move(matches)},
                                      {"backends", std::move(backends)},
                                      {"origin", rule.origin}});
    }
    listeners.emplace_back(json::Object{{"name", listener.name},
                                        {"bind_address", listener.bind_address},
                                        {"port", listener.port},
                                        {"rules", std::move(rules)}});
  }
  json::Array backends;
  for (const ProxyBackend& backend : state.backends) {
    json::Array endpoints;
    for (const ProxyEndpoint& endpoint : backend.endpoints) {
      endpoints.emplace_back(json::Object{{"name", endpoint.name},
                                          {"address", endpoint.address},
                                          {"port", endpoint.port},
                                          {"revision", endpoint.revision},
                                          {"serving", endpoint.serving}});
    }
    backends.emplace_back(
        json::Object{{"name", backend.name}, {"endpoints", std::move(endpoints)}});
  }
  return json::Object{{"listeners", std::move(listeners)}, {"backends", std::move(backends)}};
}

// A reader that remembers the first mismatch instead of checking after every field.
class Reader {
 public:
  bool ok() const { return ok_; }
  std::string String(const json::Value& object, std::string_view key) {
    const json::Value* value = object.Find(key);
    if (value == nullptr || !value->is_string()) return Fail<std::string>();
    return value->as_string();
  }
  int64_t Int(const json::Value& object, std::string_view key) {
    const json::Value* value = object.Find(key);
    if (value == nullptr || !value->is_int()) return Fail<int64_t>();
    return value->as_int();
  }
  bool Bool(const json::Value& object, std::string_view key) {
    const json::Value* value = object.Find(key);
    if (value == nullptr || !value->is_bool()) return Fail<bool>();
    return value->as_bool();
  }
  const json::Array& Array(const json::Value& object, std::string_view key) {
    static const json::Array kEmpty;
    const json::Value* value = object.Find(key);
    if (value == nullptr || !value->is_array()) return Fail<const json::Array&>(kEmpty);
    return value->as_array();
  }

 private:
  template <class T>
  T Fail() {
    ok_ = false;
    return T();
  }
  template <class T>
  T Fail(T fallback) {
    ok_ = false;
    return fallback;
  }
  bool ok_ = true;
};

std::optional<ProxyState> DecodeState(const json::Value& value) {
  Reader read;
  ProxyState state;
  for (const json::Value& l : read.Array(value, "listeners")) {
    ProxyListener listener;
    listener.name = read.String(l, "name");
    listener.bind_address = read.String(l, "bind_address");
    listener.port = static_cast<int>(read.Int(l, "port"));
    for (const json::Value& r : read.Array(l, "rules")) {
      RouteRule rule;
      for (const json::Value& h : read.Array(r, "hostnames")) {
        rule.hostnames.push_back(h.is_string() ? h.as_string() : "");
      }
      for (const json::Value& m : read.Array(r, "matches")) {
        RouteMatch match;
        if (const json::Value* path = m.Find("path")) {
          std::string type = read.String(*path, "type");
          match.path = PathCondition{type == "Exact"   ? PathCondition::Type::kExact
                                     : type == "Regex" ? PathCondition::Type::kRegex
                                                       : PathCondition::Type::kPrefix,
                                     read.String(*path, "value")};
        }
        for (const json::Value& h : read.Array(m, "headers")) {
          match.headers.push_back(
              {read.String(h, "name"), read.String(h, "value"), read.Bool(h, "regex")});
        }
        if (m.Find("method") != nullptr) match.method = read.String(m, "method");
        rule.matches.push_back(std::move(match));
      }
      for (const json::Value& b : read.Array(r, "backends")) {
        rule.backends.push_back(
            {read.String(b, "backend"), static_cast<int32_t>(read.Int(b, "weight"))});
      }
      rule.origin = read.String(r, "origin");
      listener.rules.push_back(std::move(rule));
    }
    state.listeners.push_back(std::move(listener));
  }
  for (const json::Value& b : read.Array(value, "backends")) {
    ProxyBackend backend;
    backend.name = read.String(b, "name");
    for (const json::Value& e : read.Array(b, "endpoints")) {
      backend.endpoints.push_back({read.String(e, "name"), read.String(e, "address"),
                                   static_cast<int>(read.Int(e, "port")),
                                   read.String(e, "revision"), read.Bool(e, "serving")});
    }
    state.backends.push_back(std::move(backend));
  }
  if (!read.ok()) return std::nullopt;
  return state;
}

// ---------------------------------------------------------------------------------------------

struct Paths {
  fs::path dir;  // HAProxy's working directory (-C): the map names are relative to it
  fs::path config;
  fs::path pid_file;
  fs::path master_socket;
  fs::path runtime_socket;
  fs::path log;
  fs::path applied;   // the applied ProxyState, present only while it is known to be in force
  fs::path instance;  // the stats address and port of the running instance
};

class HaproxyManager final : public ProxyManager {
 public:
  HaproxyManager(ProxyManagerOptions options, std::string binary, Paths paths)
      : options_(std::move(options)),
        binary_(std::move(binary)),
        paths_(std::move(paths)),
        runtime_(paths_.runtime_socket),
        master_(paths_.master_socket) {
    settings_.runtime_socket = paths_.runtime_socket.string();
    settings_.stats_address = options_.stats_address;
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  }

  ~HaproxyManager() override {
    Shutdown(/*stop_haproxy=*/false);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (pidfd_ >= 0) ::close(pidfd_);
  }

  HaproxyManager(const HaproxyManager&) = delete;
  HaproxyManager& operator=(const HaproxyManager&) = delete;

  // Adopts the HAProxy a previous run left, or starts one; then starts the watchdog.
  Status Init() {
    {
      std::lock_guard lock(mu_);
      if (!AdoptLocked()) DEVFLOW_RETURN_IF_ERROR(FreshStartLocked());
    }
    watchdog_ = std::thread([this] { Watch(); });
    return Status::Ok();
  }

  Result<std::vector<ListenerProblem>> Apply(const ProxyState& desired) override {
    std::lock_guard lock(mu_);
    desired_ = desired;
    if (!AliveLocked()) {
      DEVFLOW_RETURN_IF_ERROR(StartLocked());
      ++restarts_;
      return problems_;
    }
    auto [effective, problems] = AdmitLocked(desired, /*haproxy_alive=*/true);
    ProxyPlan plan = PlanProxyChange(applied_, effective, lingering_);
    if (plan.reload()) {
      DEVFLOW_RETURN_IF_ERROR(ReloadLocked(effective, plan.reload_reason));
    } else if (!plan.steps.empty()) {
      if (Status status = ExecuteLocked(plan, effective); !status.ok()) {
        // The runtime refused a step (e.g. a server HAProxy lost track of): a reload writes the
        // whole desired state and leaves nothing half-applied.
        DEVFLOW_RETURN_IF_ERROR(
            ReloadLocked(effective, "a runtime step failed: " + status.ToString()));
      }
    }
    problems_ = std::move(problems);
    return problems_;
  }

  std::string MetricsUrl() const override {
    std::string host = settings_.stats_address;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(settings_.stats_port) + "/metrics";
  }

  bool RoutesTo(const std::string& endpoint) const override {
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock.owns_lock() || !applied_) return true;  // being changed, or unknown
    for (const ProxyBackend& backend : applied_->backends) {
      for (const ProxyEndpoint& candidate : backend.endpoints) {
        if (candidate.name == endpoint && candidate.serving) return true;
      }
    }
    return false;
  }

  int ReloadCount() const override { return reloads_.load(); }
  int RestartCount() const override { return restarts_.load(); }

  std::string BackendName(const std::string& proxy_backend) const override {
    return HaproxyProxyName(proxy_backend);
  }

  void Shutdown(bool stop_haproxy) override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof(one)) < 0) {
      // The eventfd cannot be full; nothing to do.
    }
    if (watchdog_.joinable()) watchdog_.join();
    if (stop_haproxy) {
      std::lock_guard lock(mu_);
      StopHaproxyLocked();
    }
  }

 private:
  // --- process state (REQUIRES: mu_ held by every *Locked function)

  bool AliveLocked() {
    if (master_pid_ <= 0) return false;
    if (!Readable(pidfd_, milliseconds(0))) return true;
    ReapLocked();
    return false;
  }

  // Forgets an exited master (collecting its exit status when it is our child).
  void ReapLocked() {
    int status = 0;
    ::waitpid(master_pid_, &status, WNOHANG);
    ::close(pidfd_);
    pidfd_ = -1;
    master_pid_ = 0;
  }

  Status WatchPidLocked(int pid) {
    int fd = PidfdOpen(pid);
    if (fd < 0) return InternalError(Errno("pidfd_open " + std::to_string(pid)));
    if (pidfd_ >= 0) ::close(pidfd_);
    pidfd_ = fd;
    master_pid_ = pid;
    return Status::Ok();
  }

  // True when the pid file names a live master of ours that answers on its sockets.
  bool AdoptLocked() {
    int pid = 0;
    if (Result<std::string> text = ReadFile(paths_.pid_file); text.ok())
      pid = std::atoi(text->c_str());
    if (pid <= 0 || !ProcessRunning(pid)) return false;
    // Ours: started with this state directory's master socket. Anything else is never touched.
    if (Cmdline(pid).find(paths_.master_socket.string()) == std::string::npos) return false;
    Result<MasterProcesses> processes = master_.ShowProc();
    Result<std::string> instance = ReadFile(paths_.instance);
    std::optional<json::Value> settings;
    if (instance.ok()) {
      if (Result<json::Value> parsed = json::Parse(*instance); parsed.ok()) settings = *parsed;
    }
    if (!processes.ok() || processes->master_pid != pid || processes->workers.empty() ||
        !runtime_.WorkerPid().ok() || !settings || !WatchPidLocked(pid).ok()) {
      // Ours but not answering: it would share the listening ports with a new one.
      KillLocked(pid);
      return false;
    }
    settings_.stats_address = json::StringAt(*settings, {"stats_address"});
    const json::Value* port = settings->Find("stats_port");
    settings_.stats_port = port != nullptr && port->is_int() ? static_cast<int>(port->as_int()) : 0;
    if (Result<std::string> text = ReadFile(paths_.applied); text.ok()) {
      if (Result<json::Value> parsed = json::Parse(*text); parsed.ok()) {
        applied_ = DecodeState(*parsed);
      }
    }
    desired_ = applied_.value_or(ProxyState{});
    const bool same_stats =
        settings_.stats_address == options_.stats_address &&
        (options_.stats_port == 0 || options_.stats_port == settings_.stats_port);
    if (!same_stats) {
      settings_.stats_address = options_.stats_address;
      settings_.stats_port = options_.stats_port;
      // Without a known state a reload now would drop every listener: the first Apply does it.
      if (!WriteInstanceLocked().ok() ||
          (applied_ && !ReloadLocked(*applied_, "the stats listener moved").ok())) {
        StopHaproxyLocked();
        return false;
      }
    }
    return true;
  }

  Status WriteInstanceLocked() {
    return WriteFileAtomic(paths_.instance,
                           json::Write(json::Object{{"stats_address", settings_.stats_address},
                                                    {"stats_port", settings_.stats_port}}));
  }

  Status FreshStartLocked() {
    settings_.stats_address = options_.stats_address;
    settings_.stats_port = options_.stats_port;
    if (settings_.stats_port == 0) {
      DEVFLOW_ASSIGN_OR_RETURN(settings_.stats_port, PickPort(settings_.stats_address));
    }
    DEVFLOW_RETURN_IF_ERROR(WriteInstanceLocked());
    applied_.reset();
    desired_ = ProxyState{};
    return StartLocked();
  }

  // Sends SIGTERM (then SIGKILL) to a master of ours and waits until it has exited; its workers
  // leave when their master does.
  void KillLocked(int pid) {
    int fd = PidfdOpen(pid);
    if (fd < 0) return;
    PidfdSignal(fd, SIGTERM);
    if (!Readable(fd, kStopTimeout)) {
      PidfdSignal(fd, SIGKILL);
      Readable(fd, kStopTimeout);
    }
    int status = 0;
    ::waitpid(pid, &status, WNOHANG);
    ::close(fd);
  }

  void StopHaproxyLocked() {
    if (master_pid_ <= 0) return;
    KillLocked(master_pid_);
    ::close(pidfd_);
    pidfd_ = -1;
    master_pid_ = 0;
    std::error_code ignored;
    fs::remove(paths_.applied, ignored);
    fs::remove(paths_.pid_file, ignored);
  }

  // --- listeners

  // The part of `desired` HAProxy can serve, and the listeners it cannot. Ports HAProxy holds
  // now are ours; others must be free. When HAProxy is not running, ports it held may still be
  // held by its exiting worker for a moment, so those are probed as shareable.
  std::pair<ProxyState, std::vector<ListenerProblem>> AdmitLocked(const ProxyState& desired,
                                                                  bool haproxy_alive) {
    std::set<std::string> ours;
    if (applied_) {
      for (const ProxyListener& listener : applied_->listeners) {
        ours.insert(listener.bind_address + ":" + std::to_string(listener.port));
      }
    }
    ProxyState effective;
    effective.backends = desired.backends;
    std::vector<ListenerProblem> problems;
    std::map<std::string, std::string> claimed;  // address:port -> listener
    for (const ProxyListener& listener : desired.listeners) {
      const std::string where = listener.bind_address + ":" + std::to_string(listener.port);
      std::string problem;
      if (auto it = claimed.find(where); it != claimed.end()) {
        problem = where + " is already used by listener " + it->second;
      } else if (!(haproxy_alive && ours.contains(where))) {
        problem = BindProblem(listener.bind_address, listener.port, ours.contains(where));
      }
      if (!problem.empty()) {
        problems.push_back({listener.name, problem});
        continue;
      }
      claimed[where] = listener.name;
      effective.listeners.push_back(listener);
    }
    return {std::move(effective), std::move(problems)};
  }

  // --- configuration

  Status WriteConfigLocked(const ProxyState& state, const fs::path& config_path) {
    Result<HaproxyConfig> config = GenerateHaproxyConfig(state, settings_);
    if (!config.ok()) return InternalError(config.error().message());
    std::error_code error;
    fs::create_directories(paths_.dir / "maps", error);
    for (const auto& [name, text] : config->map_files) {
      DEVFLOW_RETURN_IF_ERROR(WriteFileAtomic(paths_.dir / name, text));
    }
    // Maps of rules that no longer exist would only confuse a reader of the directory.
    for (const auto& entry : fs::directory_iterator(paths_.dir / "maps", error)) {
      std::string name = "maps/" + entry.path().filename().string();
      if (!config->map_files.contains(name)) fs::remove(entry.path(), error);
    }
    return WriteFileAtomic(config_path, config->text);
  }

  // HAProxy's own verdict on a configuration, before it replaces the one in force.
  Status CheckConfigLocked(const fs::path& config_path) {
    DEVFLOW_ASSIGN_OR_RETURN(
        CommandOutput check,
        RunCommand({binary_, "-c", "-C", paths_.dir.string(), "-f", config_path.string()},
                   milliseconds(30000)));
    if (check.exit_code != 0) {
      return InternalError("HAProxy refused the configuration: " + ErrorLines(check.output));
    }
    return Status::Ok();
  }

  static std::string ErrorLines(const std::string& output) {
    std::string alerts;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("[ALERT]") != std::string::npos) alerts += line + "\n";
    }
    std::string text = alerts.empty() ? output : alerts;
    if (text.size() > 4000) text = text.substr(text.size() - 4000);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  std::string LogSince(uintmax_t offset) {
    Result<std::string> text = ReadFile(paths_.log);
    if (!text.ok() || text->size() < offset) return "";
    return ErrorLines(text->substr(offset));
  }

  uintmax_t LogSize() {
    std::error_code error;
    uintmax_t size = fs::file_size(paths_.log, error);
    return error ? 0 : size;
  }

  void PersistAppliedLocked() {
    if (!applied_) return;
    if (!WriteFileAtomic(paths_.applied, json::Write(EncodeState(*applied_))).ok()) {
      std::error_code ignored;
      fs::remove(paths_.applied, ignored);
    }
  }

  // Before HAProxy's state changes: if devflow dies half-way, the next run must not trust the
  // file (it reloads instead).
  void ForgetAppliedOnDiskLocked() {
    std::error_code ignored;
    fs::remove(paths_.applied, ignored);
  }

  // --- starting, reloading, runtime changes

  // Starts a new master serving what it can of desired_, and waits until its worker answers.
  Status StartLocked() {
    auto [effective, problems] = AdmitLocked(desired_, /*haproxy_alive=*/false);
    DEVFLOW_RETURN_IF_ERROR(WriteConfigLocked(effective, paths_.config));
    ForgetAppliedOnDiskLocked();
    if (LogSize() > kLogRotateBytes) {
      std::error_code ignored;
      fs::rename(paths_.log, paths_.log.string() + ".1", ignored);
    }
    const uintmax_t log_offset = LogSize();
    int log_fd = ::open(paths_.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) return InternalError(Errno("opening " + paths_.log.string()));
    // Foreground master-worker (-W) in its own session: it outlives devflow, and the master
    // re-executes itself with this same command line on every reload.
    Result<pid_t> pid =
        SpawnProcess({binary_, "-W", "-S", paths_.master_socket.string() + ",mode,600", "-C",
                      paths_.dir.string(), "-f", paths_.config.filename().string(), "-p",
                      paths_.pid_file.string()},
                     log_fd, /*new_session=*/true);
    ::close(log_fd);
    if (!pid.ok()) return pid.error();
    DEVFLOW_RETURN_IF_ERROR(WatchPidLocked(*pid));
    const auto deadline = steady_clock::now() + kReadyTimeout;
    for (;;) {
      if (Readable(pidfd_, milliseconds(0))) {
        ReapLocked();
        return InternalError("HAProxy exited while starting: " + LogSince(log_offset));
      }
      Result<MasterProcesses> processes = master_.ShowProc();
      if (processes.ok() && processes->master_pid == *pid && !processes->workers.empty()) {
        Result<int> worker = runtime_.WorkerPid();
        if (worker.ok() && *worker == processes->workers.front()) break;
      }
      if (steady_clock::now() > deadline) {
        KillLocked(*pid);
        ReapLocked();
        return InternalError("HAProxy did not answer on " + paths_.master_socket.string() +
                             " within " + std::to_string(kReadyTimeout.count()) +
                             " ms: " + LogSince(log_offset));
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    applied_ = std::move(effective);
    problems_ = std::move(problems);
    lingering_.clear();
    PersistAppliedLocked();
    return Status::Ok();
  }

  // Writes the configuration for `effective` and reloads: the master starts a new worker, which
  // takes over the listening sockets, while the old one finishes its requests.
  Status ReloadLocked(const ProxyState& effective, const std::string& reason) {
    const fs::path candidate = paths_.config.string() + ".new";
    DEVFLOW_RETURN_IF_ERROR(WriteConfigLocked(effective, candidate));
    DEVFLOW_RETURN_IF_ERROR(CheckConfigLocked(candidate).WithContext(reason));
    DEVFLOW_ASSIGN_OR_RETURN(MasterProcesses before, master_.ShowProc());
    ForgetAppliedOnDiskLocked();
    std::error_code error;
    fs::rename(candidate, paths_.config, error);
    if (error) return InternalError("renaming " + candidate.string() + ": " + error.message());
    const uintmax_t log_offset = LogSize();
    DEVFLOW_RETURN_IF_ERROR(master_.Reload());
    const auto deadline = steady_clock::now() + kReadyTimeout;
    int worker = 0;
    while (worker == 0) {
      // A master killed mid-reload never finishes it: give up at once, so that the watcher
      // restarts HAProxy now rather than after the timeout.
      if (Readable(pidfd_, milliseconds(0))) {
        return UnavailableError("HAProxy exited while reloading (" + reason + ")");
      }
      if (steady_clock::now() > deadline) {
        return InternalError("HAProxy did not finish reloading (" + reason + ") within " +
                             std::to_string(kReadyTimeout.count()) + " ms");
      }
      std::this_thread::sleep_for(milliseconds(5));
      Result<MasterProcesses> now = master_.ShowProc();  // fails while the master re-executes
      if (!now.ok() || now->reloads <= before.reloads) continue;
      if (now->failed_reloads > 0) {
        PersistAppliedLocked();  // the old worker still serves the old state
        return InternalError("HAProxy could not load the new configuration (" + reason +
                             "): " + LogSince(log_offset));
      }
      for (int pid : now->workers) {
        if (std::find(before.workers.begin(), before.workers.end(), pid) == before.workers.end()) {
          worker = pid;
        }
      }
    }
    // Runtime commands must reach the new worker, not the one finishing its requests.
    while (runtime_.WorkerPid().value_or(0) != worker) {
      if (Readable(pidfd_, milliseconds(0))) {
        return UnavailableError("HAProxy exited while reloading (" + reason + ")");
      }
      if (steady_clock::now() > deadline) {
        return InternalError("the new HAProxy worker " + std::to_string(worker) +
                             " does not answer on " + paths_.runtime_socket.string());
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    ++reloads_;
    applied_ = effective;
    lingering_.clear();  // a new worker has exactly the configured servers
    PersistAppliedLocked();
    return Status::Ok();
  }

  Status RunStepLocked(const RuntimeStep& step) {
    if (const auto* add = std::get_if<AddServer>(&step)) {
      return runtime_.AddServer(add->backend, add->server);
    }
    if (const auto* move = std::get_if<SetServerAddress>(&step)) {
      return runtime_.SetServerAddress(move->key.backend, move->key.server, move->address,
                                       move->port);
    }
    if (const auto* serving = std::get_if<SetServerServing>(&step)) {
      return runtime_.SetServing(serving->key.backend, serving->key.server, serving->serving);
    }
    if (const auto* remove = std::get_if<DeleteServer>(&step)) {
      Status status = runtime_.DeleteServer(remove->key.backend, remove->key.server);
      if (status.code() == StatusCode::kFailedPrecondition) {
        lingering_.insert(remove->key);  // in maintenance; the watchdog deletes it later
        return Status::Ok();
      }
      return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
    }
    const auto& map = std::get<ReplaceMap>(step);
    return runtime_.ReplaceMap(map.map, map.entries);
  }

  Status ExecuteLocked(const ProxyPlan& plan, const ProxyState& effective) {
    ForgetAppliedOnDiskLocked();
    for (const RuntimeStep& step : plan.steps) {
      if (Status status = RunStepLocked(step); !status.ok()) {
        applied_.reset();  // partly applied: only a reload brings certainty back
        return status;
      }
    }
    for (const ProxyBackend& backend : effective.backends) {
      for (const HaproxyServer& server : BackendServers(backend)) {
        lingering_.erase({HaproxyProxyName(backend.name), server.name});
      }
    }
    applied_ = effective;
    PersistAppliedLocked();
    return Status::Ok();
  }

  // --- the watchdog

  void Watch() {
    milliseconds backoff = kWatchInterval;
    auto next_attempt = steady_clock::now();
    for (;;) {
      int watched = -1;
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        if (pidfd_ >= 0) watched = ::dup(pidfd_);
      }
      pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {watched, POLLIN, 0}};
      ::poll(fds, watched >= 0 ? 2 : 1, static_cast<int>(kWatchInterval.count()));
      if (watched >= 0) ::close(watched);
      std::lock_guard lock(mu_);
      if (stopping_) return;
      if (!AliveLocked()) {
        if (steady_clock::now() < next_attempt) continue;
        Status status = StartLocked();
        if (status.ok()) {
          ++restarts_;
          backoff = kWatchInterval;
        } else {
          std::cerr << "devflow: restarting HAProxy failed (next attempt in " << backoff.count()
                    << " ms): " << status << "\n";
          next_attempt = steady_clock::now() + backoff;
          backoff = std::min(backoff * 2, kMaxRestartBackoff);
        }
        continue;
      }
      for (auto it = lingering_.begin(); it != lingering_.end();) {
        Status status = runtime_.DeleteServer(it->backend, it->server);
        bool gone = status.ok() || status.code() == StatusCode::kNotFound;
        it = gone ? lingering_.erase(it) : std::next(it);
      }
    }
  }

  const ProxyManagerOptions options_;
  const std::string binary_;
  const Paths paths_;
  const HaproxyRuntime runtime_;
  const HaproxyMaster master_;
  // Set during Start, constant afterwards.
  HaproxySettings settings_;
  int wake_fd_ = -1;
  std::thread watchdog_;
  std::atomic<int> reloads_{0};
  std::atomic<int> restarts_{0};

  mutable std::mutex mu_;  // guards everything below
  bool stopping_ = false;
  int master_pid_ = 0;  // 0: no HAProxy
  int pidfd_ = -1;
  std::optional<ProxyState> applied_;  // what HAProxy serves; nullopt: unknown
  ProxyState desired_;                 // the last desired state, for restarts
  std::vector<ListenerProblem> problems_;
  std::set<ServerKey> lingering_;
};

// "HAProxy version 2.6.12-1+deb12u4 ..." -> {2, 6}.
std::optional<std::pair<int, int>> HaproxyVersion(const std::string& output) {
  const std::string marker = "version ";
  size_t at = output.find(marker);
  if (at == std::string::npos) return std::nullopt;
  int major = 0;
  int minor = 0;
  if (std::sscanf(output.c_str() + at + marker.size(), "%d.%d", &major, &minor) != 2) {
    return std::nullopt;
  }
  return std::make_pair(major, minor);
}

}  // namespace

Result<std::unique_ptr<ProxyManager>> ProxyManager::Start(ProxyManagerOptions options) {
  std::error_code error;
  Paths paths;
  paths.dir = fs::absolute(options.state_dir, error) / "haproxy";
  if (error || options.state_dir.empty()) {
    return InvalidArgumentError("ProxyManager needs a state directory");
  }
  paths.config = paths.dir / "haproxy.cfg";
  paths.pid_file = paths.dir / "haproxy.pid";
  paths.master_socket = paths.dir / "master.sock";
  paths.runtime_socket = paths.dir / "runtime.sock";
  paths.log = paths.dir / "haproxy.log";
  paths.applied = paths.dir / "applied.json";
  paths.instance = paths.dir / "instance.json";
  constexpr size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;
  if (paths.master_socket.string().size() > kMaxSocketPath) {
    return InvalidArgumentError("state directory " + options.state_dir.string() +
                                " is too deep for HAProxy's unix sockets (" +
                                paths.master_socket.string() + " is longer than " +
                                std::to_string(kMaxSocketPath) + " bytes)");
  }
  fs::create_directories(paths.dir / "maps", error);
  if (error) {
    return InternalError("creating " + (paths.dir / "maps").string() + ": " + error.message());
  }
  ::chmod(paths.dir.c_str(), 0700);

  // Debian installs HAProxy in /usr/sbin, which a user's PATH often lacks.
  const char* path = std::getenv("PATH");
  std::string search =
      std::string(path != nullptr ? path : kDefaultSearchPath) + ":/usr/sbin:/sbin";
  Result<std::string> binary = FindExecutable(options.haproxy_binary, {{"PATH", search}}, "/");
  if (!binary.ok()) return FailedPreconditionError("HAProxy: " + binary.error().message());
  DEVFLOW_ASSIGN_OR_RETURN(CommandOutput version, RunCommand({*binary, "-v"}, milliseconds(10000)));
  std::optional<std::pair<int, int>> parsed = HaproxyVersion(version.output);
  // 2.6: `option idle-close-on-response`, dynamic servers without experimental mode, versioned
  // map updates.
  if (version.exit_code != 0 || !parsed || *parsed < std::make_pair(2, 6)) {
    return FailedPreconditionError(*binary + " is not HAProxy 2.6 or later: \"" +
                                   version.output.substr(0, version.output.find('\n')) + "\"");
  }
  auto manager = std::make_unique<HaproxyManager>(std::move(options), *binary, std::move(paths));
  DEVFLOW_RETURN_IF_ERROR(manager->Init());
  return std::unique_ptr<ProxyManager>(std::move(manager));
}

}  // namespace devflow::node

namespace devflow::node {

Result<bool> StopLeftoverHaproxy(const std::filesystem::path& state_dir) {
  const fs::path dir = state_dir / "haproxy";
  Result<std::string> text = ReadFile(dir / "haproxy.pid");
  if (!text.ok()) return false;
  const int pid = std::atoi(text->c_str());
  // Only a master started with this directory's socket is ours; anything else is left alone.
  if (pid <= 0 || !ProcessRunning(pid) ||
      Cmdline(pid).find((dir / "master.sock").string()) == std::string::npos) {
    return false;
  }
  const int fd = PidfdOpen(pid);
  if (fd < 0) return false;  // gone meanwhile
  PidfdSignal(fd, SIGTERM);
  if (!Readable(fd, kStopTimeout)) {
    PidfdSignal(fd, SIGKILL);
    if (!Readable(fd, kStopTimeout)) {
      ::close(fd);
      return InternalError("HAProxy (pid " + std::to_string(pid) + ") does not stop");
    }
  }
  int status = 0;
  ::waitpid(pid, &status, WNOHANG);
  ::close(fd);
  std::error_code ignored;
  fs::remove(dir / "haproxy.pid", ignored);
  fs::remove(dir / "applied.json", ignored);
  return true;
}

}  // namespace devflow::node
