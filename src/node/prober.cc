#include "node/prober.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

// glibc 2.36 declares these without C linkage (fixed in 2.37).
extern "C" {
#include <sys/pidfd.h>
}

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "http/client.h"
#include "node/executable_lookup.h"

namespace devflow::node {
namespace {

using Clock = std::chrono::steady_clock;

// Kubernetes keeps this much of an exec probe's output for the message.
constexpr size_t kMaxOutputBytes = 10 * 1024;

std::string ErrnoText(int error) { return std::strerror(error); }

ProbeOutcome Failure(std::string message) { return {false, std::move(message)}; }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int MillisecondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, INT32_MAX));
}

// The host port a probe's `port` reaches, resolved as the kubelet resolves it: a name is looked
// up among the container's ports, and a name that is not one is tried as a number; the
// containerPort is then mapped to this pod's host port.
Result<int32_t> ResolveHostPort(const api::IntOrString& port, const ProbeTarget& target) {
  int64_t container_port = 0;
  if (port.is_int()) {
    container_port = port.int_value();
  } else {
    const std::string& name = port.string_value();
    auto named = target.named_ports.find(name);
    if (named != target.named_ports.end()) {
      container_port = named->second;
    } else {
      auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), container_port);
      if (error != std::errc() || end != name.data() + name.size()) {
        return InvalidArgumentError("port \"" + name + "\" names no port of the container");
      }
    }
  }
  if (container_port < 1 || container_port > 65535) {
    return InvalidArgumentError("port " + std::to_string(container_port) + " is outside 1..65535");
  }
  auto mapped = target.host_ports.find(static_cast<int32_t>(container_port));
  if (mapped == target.host_ports.end()) {
    return InvalidArgumentError("containerPort " + std::to_string(container_port) +
                                " has no host port (is it listed in the container's ports?)");
  }
  return mapped->second;
}

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

ProbeOutcome ProbeHttp(const api::HttpGetAction& action, const ProbeTarget& target,
                       std::chrono::milliseconds timeout) {
  Result<int32_t> port = ResolveHostPort(action.port, target);
  if (!port.ok()) return Failure("httpGet: " + port.error().message());
  std::string scheme = action.scheme.empty() ? "http" : action.scheme;
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") {
    return Failure("httpGet: unsupported scheme \"" + action.scheme + "\"");
  }
  const std::string host = action.host.empty() ? target.host : action.host;
  std::string path = action.path.empty() ? "/" : action.path;
  if (path.front() != '/') path.insert(0, "/");
  const std::string base_url = scheme + "://" + HostForUrl(host) + ":" + std::to_string(*port);
  const std::string described = "Get \"" + base_url + path + "\"";

  http::ClientOptions options;
  options.base_url = base_url;
  // As the kubelet: a probe checks that the app answers, not who it claims to be.
  options.insecure_skip_verify = true;
  options.connect_timeout = timeout;
  options.request_timeout = timeout;
  options.max_idle_connections = 0;
  Result<std::unique_ptr<http::Client>> client = http::Client::Create(options);
  if (!client.ok()) return Failure(described + ": " + client.error().message());

  http::Request request;
  request.target = path;
  request.headers = {{"User-Agent", "kube-probe/devflow"}, {"Accept", "*/*"}};
  for (const api::HttpHeader& header : action.http_headers) {
    http::SetHeader(request.headers, header.name, header.value);
  }
  // Only the status matters, so the body is never read: the stream is dropped unread.
  Result<std::unique_ptr<http::Stream>> response = (*client)->Open(request);
  if (!response.ok()) return Failure(described + ": " + response.error().message());
  const int status = (*response)->status();
  if (status >= 200 && status < 400) return {true, ""};
  return Failure(described + ": HTTP probe failed with statuscode: " + std::to_string(status));
}

ProbeOutcome ProbeTcp(const api::TcpSocketAction& action, const ProbeTarget& target,
                      std::chrono::milliseconds timeout) {
  Result<int32_t> port = ResolveHostPort(action.port, target);
  if (!port.ok()) return Failure("tcpSocket: " + port.error().message());
  const std::string host = action.host.empty() ? target.host : action.host;
  const std::string described = "dial tcp " + HostForUrl(host) + ":" + std::to_string(*port);
  const auto deadline = Clock::now() + timeout;

  addrinfo hints = {};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  if (int error = ::getaddrinfo(host.c_str(), std::to_string(*port).c_str(), &hints, &addresses);
      error != 0) {
    return Failure(described + ": " + ::gai_strerror(error));
  }
  std::string last_error = "no address";
  for (addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
    Fd socket(
        ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!socket.valid()) {
      last_error = "socket: " + ErrnoText(errno);
      continue;
    }
    int error = 0;
    if (::connect(socket.get(), a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd fd = {socket.get(), POLLOUT, 0};
        int ready;
        do {
          ready = ::poll(&fd, 1, MillisecondsLeft(deadline));
        } while (ready < 0 && errno == EINTR);
        socklen_t length = sizeof error;
        if (ready == 0) {
          error = ETIMEDOUT;
        } else if (::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
          error = errno;
        }
      }
    }
    if (error == 0) {
      ::freeaddrinfo(addresses);
      return {true, ""};
    }
    last_error = (error == ETIMEDOUT ? "i/o timeout" : "connect: " + ErrnoText(error));
  }
  ::freeaddrinfo(addresses);
  return Failure(described + ": " + last_error);
}

std::string DescribeWait(const siginfo_t& status) {
  if (status.si_code == CLD_EXITED) return "exit code " + std::to_string(status.si_status);
  return "killed by signal " + std::to_string(status.si_status);
}

ProbeOutcome ProbeExec(const api::ExecAction& action, const ProbeTarget& target,
                       std::chrono::milliseconds timeout) {
  if (action.command.empty()) return Failure("exec: no command");
  const auto deadline = Clock::now() + timeout;
  Result<std::string> executable =
      FindExecutable(action.command[0], target.env, target.working_dir);
  if (!executable.ok()) return Failure("exec: " + executable.error().message());

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Failure("exec: pipe: " + ErrnoText(errno));
  Fd out_read(pipe_fds[0]);
  Fd out_write(pipe_fds[1]);

  std::vector<std::string> argv_strings = action.command;
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : target.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  // posix_spawn rather than fork: glibc starts the child with vfork semantics and reports an
  // exec failure as the return value; the file actions close every inherited descriptor.
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attributes);
  ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDERR_FILENO);
  ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  if (!target.working_dir.empty()) {
    ::posix_spawn_file_actions_addchdir_np(&actions, target.working_dir.c_str());
  }
  sigset_t none, all;
  ::sigemptyset(&none);
  ::sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attributes, &none);
  ::posix_spawnattr_setsigdefault(&attributes, &all);
  ::posix_spawnattr_setpgroup(&attributes, 0);
  ::posix_spawnattr_setflags(
      &attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int spawned =
      ::posix_spawn(&pid, executable->c_str(), &actions, &attributes, argv.data(), envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);
  out_write.Reset();
  if (spawned != 0) {
    return Failure("exec: cannot run \"" + *executable + "\": " + ErrnoText(spawned));
  }
  Fd pidfd(::pidfd_open(pid, 0));
  if (!pidfd.valid()) {
    const int error = errno;
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return Failure("exec: pidfd_open: " + ErrnoText(error));
  }

  std::string output;
  std::optional<siginfo_t> status;
  bool output_closed = false;
  while (!status.has_value() || !output_closed) {
    const int left = MillisecondsLeft(deadline);
    if (left == 0) break;
    pollfd fds[2] = {{output_closed ? -1 : out_read.get(), POLLIN, 0},
                     {status.has_value() ? -1 : pidfd.get(), POLLIN, 0}};
    if (::poll(fds, 2, left) < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) {
      char buffer[4096];
      const ssize_t n = ::read(out_read.get(), buffer, sizeof buffer);
      if (n > 0) {
        output.append(buffer, std::min(static_cast<size_t>(n), kMaxOutputBytes - output.size()));
      } else if (n == 0 || errno != EINTR) {
        output_closed = true;
      }
    }
    if (fds[1].revents != 0) {
      // The command ends with its main process: what it left running in its group goes too
      // (killed while the unreaped process still holds the group id), which also closes the
      // output pipe they may hold.
      ::kill(-pid, SIGKILL);
      siginfo_t info = {};
      while (::waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED) < 0 &&
             errno == EINTR) {
      }
      status = info;
    }
  }
  if (!status.has_value()) {
    ::kill(-pid, SIGKILL);
    siginfo_t info = {};
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED) < 0 &&
           errno == EINTR) {
    }
    return Failure("exec: command timed out after " + std::to_string(timeout.count()) + "ms");
  }
  if (status->si_code == CLD_EXITED && status->si_status == 0) return {true, ""};
  while (!output.empty() && std::isspace(static_cast<unsigned char>(output.back()))) {
    output.pop_back();
  }
  std::string message = "exec: command failed with " + DescribeWait(*status);
  if (!output.empty()) message += ": " + output;
  return Failure(std::move(message));
}

}  // namespace

ProbeOutcome RunProbe(const api::Probe& probe, const ProbeTarget& target,
                      std::chrono::milliseconds timeout) {
  if (probe.http_get.has_value()) return ProbeHttp(*probe.http_get, target, timeout);
  if (probe.tcp_socket.has_value()) return ProbeTcp(*probe.tcp_socket, target, timeout);
  if (probe.exec.has_value()) return ProbeExec(*probe.exec, target, timeout);
  if (!probe.grpc.is_null()) return Failure("grpc probes are not supported by this runtime");
  return Failure("the probe has no handler (httpGet, tcpSocket or exec)");
}

}  // namespace devflow::node
