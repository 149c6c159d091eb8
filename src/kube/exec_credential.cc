#include "kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "api/core_kinds.h"
#include "api/time.h"
#include "common/json_reader.h"

extern char** environ;

namespace devflow::kube {
namespace {

constexpr std::string_view kExecInfoVariable = "KUBERNETES_EXEC_INFO";
// A credential is a few KiB; more output than this is a broken plugin, not a credential.
constexpr size_t kMaxStdout = 1 << 20;
constexpr size_t kMaxStderrKept = 64 << 10;
// Only this much of the plugin's stderr goes into an error message.
constexpr size_t kMaxStderrInMessage = 2048;

class SystemClock final : public CredentialClock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string Describe(const ExecConfig& config, const ExecOptions& options) {
  std::string d = "exec credential plugin \"" + config.command + "\"";
  if (!options.owner.empty()) d += " (" + options.owner + ")";
  return d;
}

std::string WithStderr(std::string message, std::string_view stderr_text) {
  std::string err = Trim(stderr_text);
  if (err.empty()) return message;
  if (err.size() > kMaxStderrInMessage) err = err.substr(0, kMaxStderrInMessage) + "...";
  return message + "; stderr: " + err;
}

std::string WithInstallHint(std::string message, const ExecConfig& config) {
  std::string hint = Trim(config.install_hint);
  if (hint.empty()) return message;
  return message + "\n" + hint;
}

std::vector<std::string> InheritedEnvironment(const ExecOptions& options) {
  if (options.environment.has_value()) return *options.environment;
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

// Sets NAME=value in env, replacing an existing entry for NAME.
void SetVariable(std::vector<std::string>& env, std::string_view name, std::string_view value) {
  std::string prefix = std::string(name) + "=";
  std::string entry = prefix + std::string(value);
  for (std::string& e : env) {
    if (e.compare(0, prefix.size(), prefix) == 0) {
      e = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

std::string Lookup(const std::vector<std::string>& env, std::string_view name) {
  std::string prefix = std::string(name) + "=";
  for (const std::string& e : env) {
    if (e.compare(0, prefix.size(), prefix) == 0) return e.substr(prefix.size());
  }
  return "";
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Finds the program to run: a command with '/' is a path (already resolved against the
// kubeconfig's directory); a bare name is searched in PATH as a shell would.
Result<std::string> FindExecutable(const ExecConfig& config, const ExecOptions& options,
                                   const std::vector<std::string>& env) {
  if (config.command.find('/') != std::string::npos) {
    struct stat st;
    if (::stat(config.command.c_str(), &st) != 0) {
      return NotFoundError(
          WithInstallHint(Describe(config, options) + ": " + std::strerror(errno), config));
    }
    return config.command;
  }
  std::string path = Lookup(env, "PATH");
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + config.command;
    if (IsExecutableFile(candidate)) return candidate;
    start = colon + 1;
  }
  return NotFoundError(
      WithInstallHint(Describe(config, options) + ": executable not found in PATH", config));
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int* out() { return &fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct Pipe {
  Fd read;
  Fd write;
  bool Open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    *read.out() = fds[0];
    *write.out() = fds[1];
    return true;
  }
};

struct ChildResult {
  std::string out;
  std::string err;
  int wait_status = 0;
  bool timed_out = false;
  bool output_too_large = false;
};

// Kills the child's whole process group (a plugin is often a script whose children hold the
// pipes open) and reaps the child.
void KillAndReap(pid_t pid, int& wait_status) {
  ::kill(-pid, SIGKILL);
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
}

// Reads stdout and stderr until both close, then waits for the exit, all before `deadline`.
void Collect(pid_t pid, int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline,
             ChildResult& result) {
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  size_t limits[2] = {kMaxStdout, kMaxStderrKept};
  int open_count = 2;
  char buf[8192];
  while (open_count > 0) {
    int timeout = remaining_ms();
    if (timeout == 0) {
      result.timed_out = true;
      KillAndReap(pid, result.wait_status);
      return;
    }
    int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      std::string& sink = *sinks[i];
      size_t keep = std::min(static_cast<size_t>(got), limits[i] - sink.size());
      sink.append(buf, keep);
      if (i == 0 && keep < static_cast<size_t>(got)) {
        result.output_too_large = true;
        KillAndReap(pid, result.wait_status);
        return;
      }
    }
  }
  // Both pipes are closed; the plugin is exiting. Poll for the exit, bounded by the deadline.
  while (true) {
    pid_t done = ::waitpid(pid, &result.wait_status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return;
    int timeout = remaining_ms();
    if (timeout == 0) {
      result.timed_out = true;
      KillAndReap(pid, result.wait_status);
      return;
    }
    ::poll(nullptr, 0, std::min(timeout, 5));
  }
}

// Starts the plugin and collects its output. Everything the child needs is prepared before
// fork(), because between fork() and exec() only async-signal-safe calls are allowed (other
// threads may hold malloc's lock).
Result<ChildResult> Spawn(const ExecConfig& config, const ExecOptions& options,
                          const std::string& executable, std::vector<std::string> env) {
  std::vector<std::string> argv_strings;
  argv_strings.push_back(config.command);
  argv_strings.insert(argv_strings.end(), config.args.begin(), config.args.end());
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env);

  Pipe out, err, exec_status;
  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!out.Open() || !err.Open() || !exec_status.Open() || devnull.get() < 0) {
    return InternalError(Describe(config, options) +
                         ": cannot create pipes: " + std::strerror(errno));
  }
  auto deadline = std::chrono::steady_clock::now() + options.timeout;

  pid_t pid = ::fork();
  if (pid < 0) {
    return UnavailableError(Describe(config, options) + ": fork: " + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    struct sigaction dfl = {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);
    ::dup2(devnull.get(), STDIN_FILENO);
    ::dup2(out.write.get(), STDOUT_FILENO);
    ::dup2(err.write.get(), STDERR_FILENO);
    ::execve(executable.c_str(), argv.data(), envp.data());
    int e = errno;
    ssize_t ignored = ::write(exec_status.write.get(), &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  // Set in both processes so the group exists before either can race to use it.
  ::setpgid(pid, pid);
  out.write.Close();
  err.write.Close();
  exec_status.write.Close();

  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_status.read.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    int ignored;
    while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
    }
    std::string message = Describe(config, options) + ": cannot execute " + executable + ": " +
                          std::strerror(exec_errno);
    if (exec_errno == EACCES || exec_errno == EPERM) return PermissionDeniedError(message);
    if (exec_errno == ENOENT) return NotFoundError(WithInstallHint(message, config));
    return UnavailableError(message);
  }

  ChildResult result;
  Collect(pid, out.read.get(), err.read.get(), deadline, result);
  return result;
}

std::chrono::system_clock::time_point ToSystemTime(api::TimePoint t) {
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(t);
}

const json::Value* Member(const json::Value& v, std::string_view key) {
  const json::Value* m = v.Find(key);
  return (m == nullptr || m->is_null()) ? nullptr : m;
}

}  // namespace

const CredentialClock& SystemCredentialClock() {
  static const SystemClock clock;
  return clock;
}

std::string ExecInfoJson(const ExecConfig& config, const ExecCluster* cluster) {
  json::Object spec;
  if (cluster != nullptr && config.provide_cluster_info) {
    json::Object c;
    c.Set("server", cluster->server);
    if (!cluster->tls_server_name.empty()) c.Set("tls-server-name", cluster->tls_server_name);
    if (cluster->insecure_skip_tls_verify) c.Set("insecure-skip-tls-verify", true);
    if (!cluster->certificate_authority_data.empty()) {
      c.Set("certificate-authority-data", api::EncodeBase64(cluster->certificate_authority_data));
    }
    if (!cluster->proxy_url.empty()) c.Set("proxy-url", cluster->proxy_url);
    if (!cluster->config.is_null()) c.Set("config", cluster->config);
    spec.Set("cluster", std::move(c));
  }
  spec.Set("interactive", false);
  json::Object info;
  info.Set("apiVersion", config.api_version);
  info.Set("kind", "ExecCredential");
  info.Set("spec", std::move(spec));
  return json::Write(info);
}

Result<ExecCredential> ParseExecCredential(std::string_view output, std::string_view api_version) {
  Result<json::Value> parsed = json::Parse(output);
  if (!parsed.ok()) {
    return InvalidArgumentError("output is not an ExecCredential: " + parsed.error().message());
  }
  const json::Value& doc = *parsed;
  if (!doc.is_object()) {
    return InvalidArgumentError("output is not an ExecCredential: a JSON " +
                                std::string(json::TypeName(doc.type())) + ", not an object");
  }
  auto string_member = [&](const json::Value& in, std::string_view key,
                           std::string_view path) -> Result<std::string> {
    const json::Value* v = Member(in, key);
    if (v == nullptr) return std::string();
    if (!v->is_string()) {
      return InvalidArgumentError(std::string(path) + " must be a string, got " +
                                  std::string(json::TypeName(v->type())));
    }
    return v->as_string();
  };
  DEVFLOW_ASSIGN_OR_RETURN(std::string got_version, string_member(doc, "apiVersion", "apiVersion"));
  if (got_version != api_version) {
    return InvalidArgumentError("the plugin returned apiVersion \"" + got_version +
                                "\", but the kubeconfig asks for \"" + std::string(api_version) +
                                "\"");
  }
  DEVFLOW_ASSIGN_OR_RETURN(std::string kind, string_member(doc, "kind", "kind"));
  if (kind != "ExecCredential") {
    return InvalidArgumentError("the plugin returned kind \"" + kind +
                                "\", expected \"ExecCredential\"");
  }
  const json::Value* status = Member(doc, "status");
  if (status == nullptr || !status->is_object()) {
    return InvalidArgumentError("the plugin returned no status object");
  }
  ExecCredential cred;
  DEVFLOW_ASSIGN_OR_RETURN(cred.token, string_member(*status, "token", "status.token"));
  DEVFLOW_ASSIGN_OR_RETURN(
      cred.client_certificate_pem,
      string_member(*status, "clientCertificateData", "status.clientCertificateData"));
  DEVFLOW_ASSIGN_OR_RETURN(cred.client_key_pem,
                           string_member(*status, "clientKeyData", "status.clientKeyData"));
  DEVFLOW_ASSIGN_OR_RETURN(std::string expiration, string_member(*status, "expirationTimestamp",
                                                                 "status.expirationTimestamp"));
  if (cred.client_certificate_pem.empty() != cred.client_key_pem.empty()) {
    return InvalidArgumentError(
        "the plugin returned only one of status.clientCertificateData and status.clientKeyData");
  }
  if (cred.token.empty() && cred.client_certificate_pem.empty()) {
    return InvalidArgumentError(
        "the plugin returned neither status.token nor status.clientCertificateData");
  }
  if (!expiration.empty()) {
    Result<api::TimePoint> t = api::ParseRfc3339(expiration);
    if (!t.ok()) {
      return InvalidArgumentError("status.expirationTimestamp: " + t.error().message());
    }
    cred.expiration = ToSystemTime(*t);
  }
  return cred;
}

Result<ExecCredential> RunExecPlugin(const ExecConfig& config, const ExecCluster* cluster,
                                     const ExecOptions& options) {
  std::vector<std::string> env = InheritedEnvironment(options);
  DEVFLOW_ASSIGN_OR_RETURN(std::string executable, FindExecutable(config, options, env));
  for (const ExecEnvVar& var : config.env) SetVariable(env, var.name, var.value);
  SetVariable(env, kExecInfoVariable, ExecInfoJson(config, cluster));

  DEVFLOW_ASSIGN_OR_RETURN(ChildResult child, Spawn(config, options, executable, std::move(env)));
  std::string who = Describe(config, options);
  if (child.timed_out) {
    return DeadlineExceededError(WithStderr(
        who + ": did not finish within " + std::to_string(options.timeout.count()) + "ms",
        child.err));
  }
  if (child.output_too_large) {
    return InvalidArgumentError(WithStderr(
        who + ": printed more than " + std::to_string(kMaxStdout) + " bytes", child.err));
  }
  if (WIFSIGNALED(child.wait_status)) {
    return UnavailableError(WithInstallHint(
        WithStderr(who + ": killed by signal " + std::to_string(WTERMSIG(child.wait_status)),
                   child.err),
        config));
  }
  if (WIFEXITED(child.wait_status) && WEXITSTATUS(child.wait_status) != 0) {
    return UnavailableError(WithInstallHint(
        WithStderr(who + ": exited with code " + std::to_string(WEXITSTATUS(child.wait_status)),
                   child.err),
        config));
  }
  Result<ExecCredential> cred = ParseExecCredential(child.out, config.api_version);
  if (!cred.ok()) {
    return InvalidArgumentError(WithStderr(who + ": " + cred.error().message(), child.err));
  }
  return cred;
}

struct ExecPlugin::Cache {
  std::mutex mu;
  std::optional<ExecCredential> credential;  // guarded by mu
};

ExecPlugin::ExecPlugin(ExecConfig config, std::optional<ExecCluster> cluster, ExecOptions options)
    : config_(std::move(config)),
      cluster_(std::move(cluster)),
      options_(std::move(options)),
      cache_(std::make_shared<Cache>()) {}

Result<ExecCredential> ExecPlugin::Credential() const {
  const CredentialClock& clock =
      options_.clock != nullptr ? *options_.clock : SystemCredentialClock();
  // Held across the run: concurrent callers wait for one plugin run rather than each starting
  // their own (token endpoints rate-limit, and some plugins prompt a browser login).
  std::lock_guard<std::mutex> lock(cache_->mu);
  if (cache_->credential.has_value()) {
    const auto& expiration = cache_->credential->expiration;
    if (!expiration.has_value() || clock.Now() < *expiration) return *cache_->credential;
  }
  cache_->credential.reset();
  DEVFLOW_ASSIGN_OR_RETURN(ExecCredential fresh,
                           RunExecPlugin(config_, cluster_ ? &*cluster_ : nullptr, options_));
  cache_->credential = fresh;
  return fresh;
}

void ExecPlugin::Invalidate() const {
  std::lock_guard<std::mutex> lock(cache_->mu);
  cache_->credential.reset();
}

}  // namespace devflow::kube
