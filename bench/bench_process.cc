#include "bench_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <thread>

namespace devflow::bench {
namespace {

std::string& ProgramName() {
  static std::string* name = new std::string("bench");  // never destroyed: Exit may run late
  return *name;
}

std::atomic<bool> g_stopping{false};

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void SetProgramName(std::string name) { ProgramName() = std::move(name); }

Cleanup& Cleanup::Get() {
  static Cleanup* cleanup = new Cleanup();  // never destroyed: Die() may run during exit
  return *cleanup;
}

void Cleanup::Add(std::function<void()> action) {
  std::lock_guard<std::mutex> lock(mu_);
  actions_.push_back(std::move(action));
}

void Cleanup::RunAll() {
  std::lock_guard<std::mutex> lock(mu_);
  while (!actions_.empty()) {
    std::function<void()> action = std::move(actions_.back());
    actions_.pop_back();
    action();
  }
}

void Exit(int code) {
  static std::atomic<bool> exiting{false};
  if (exiting.exchange(true)) {
    while (true) ::pause();
  }
  std::fflush(stdout);
  Cleanup::Get().RunAll();
  std::_Exit(code);
}

void DieMessage(const std::string& message) {
  if (!g_stopping.load()) {
    std::fprintf(stderr, "%s: %s\n", ProgramName().c_str(), message.c_str());
  }
  Exit(1);
}

void Die(const std::string& what, const Status& status) {
  DieMessage(what + ": " + status.ToString());
}

void HandleStopSignals() {
  // Not caught in main(): unwinding would destroy the objects the cleanup actions stop.
  std::set_terminate([] {
    std::string what = "unknown";
    try {
      if (std::exception_ptr current = std::current_exception()) std::rethrow_exception(current);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "%s: uncaught exception (%s), stopping what was started\n",
                 ProgramName().c_str(), what.c_str());
    Exit(2);
  });
  ::signal(SIGPIPE, SIG_IGN);
  const sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int received = 0;
    sigwait(&set, &received);
    g_stopping = true;
    std::fprintf(stderr, "%s: signal %d, stopping what was started\n", ProgramName().c_str(),
                 received);
    Exit(128 + received);
  }).detach();
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int out = log_path.empty()
                      ? ::fcntl(2, F_DUPFD_CLOEXEC, 3)
                      : ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) return -1;
  const pid_t parent = ::getpid();
  const sigset_t stop_signals = StopSignals();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    return -1;
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec: this process has threads.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(126);
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out);
  return pid;
}

std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void StopGroup(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0) std::abort();
  ::kill(-pid, SIGTERM);
  if (!WaitFor(pid, grace).has_value()) {
    ::kill(-pid, SIGKILL);
    WaitFor(pid, std::chrono::seconds(5));
  }
}

int Run(const std::vector<std::string>& argv, const std::string& log_path) {
  const pid_t pid = Spawn(argv, log_path);
  if (pid < 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Tail(const std::string& path, size_t lines) {
  const std::string text = ReadFile(path);
  size_t start = text.size();
  // Skip the final newline, then step back over `lines` line breaks.
  if (start > 0 && text[start - 1] == '\n') --start;
  for (size_t n = 0; n < lines && start > 0; ++n) {
    const size_t at = text.rfind('\n', start - 1);
    start = at == std::string::npos ? 0 : at;
  }
  return start == 0 ? text : text.substr(start + 1);
}

size_t StatusBytes(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  DieMessage("no " + field + " for pid " + std::to_string(pid));
}

double CpuSeconds(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
  unsigned long long utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string Mib(size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

}  // namespace devflow::bench
