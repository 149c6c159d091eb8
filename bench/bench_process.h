// What every benchmark that starts processes needs: stopping them on every way out (normal end,
// a failure on any thread, a stop signal, an uncaught exception) and starting, waiting for and
// stopping child processes. Benchmark-only.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace devflow::bench {

// The name messages start with ("dataplane_bench"). Call first in main.
void SetProgramName(std::string name);

// Actions run newest first, each once: at the end of main (RunAll), or by Exit() (Die() on any
// thread, the signal thread, an uncaught exception). Actions must not call Die().
class Cleanup {
 public:
  static Cleanup& Get();
  void Add(std::function<void()> action);
  void RunAll();

 private:
  std::mutex mu_;
  std::vector<std::function<void()>> actions_;
};

// Runs the cleanup and exits with `code`. The first thread to get here does it; a later one (a
// client whose request failed because the processes are being stopped) waits for the exit.
[[noreturn]] void Exit(int code);
// Prints "<program>: <message>" (unless a stop signal came first: failures are then its
// consequence, not news) and exits 1.
[[noreturn]] void DieMessage(const std::string& message);
[[noreturn]] void Die(const std::string& what, const Status& status);

template <class T>
T OrDie(Result<T> result, const std::string& what) {
  if (!result.ok()) Die(what, result.status());
  return std::move(result).value();
}

// Blocks SIGINT, SIGTERM and SIGHUP in every thread (call before starting any) and receives them
// on one thread that cleans up and exits; an uncaught exception does the same; SIGPIPE is
// ignored (a client of a stopped server must not kill the benchmark).
void HandleStopSignals();

// Starts argv[0] (a path) in a process group of its own, with the stop signals unblocked again,
// standard input from /dev/null and its output appended to `log_path` ("" = this process's
// stderr). The child gets SIGTERM if the thread that started it dies first, so call from the
// main thread. Returns its pid, or -1 when the log cannot be opened or fork fails (no Die():
// cleanup actions spawn too).
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path);

// Waits up to `timeout` for `pid` to exit. Returns its wait status, or nullopt when it still
// runs; -1 when it is not (or no longer) this process's child.
std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout);

// SIGTERM to the process group `pid` leads, SIGKILL after `grace`, then reaps it.
// REQUIRES: pid > 0.
void StopGroup(pid_t pid, std::chrono::milliseconds grace);

// Runs `argv` to its end; returns its exit code (-1 when it did not exit normally).
int Run(const std::vector<std::string>& argv, const std::string& log_path = "");

std::string ReadFile(const std::string& path);

// Runs `work(i)` for every i in [0, n) on `threads` threads, each taking the next i.
template <class F>
void Parallel(int n, int threads, F work) {
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) work(i);
    });
  }
  for (std::thread& worker : workers) worker.join();
}

// A field of /proc/PID/status in bytes ("VmHWM", "VmRSS"); dies when absent.
size_t StatusBytes(pid_t pid, const std::string& field);
// User plus system CPU seconds of `pid`, from /proc/PID/stat.
double CpuSeconds(pid_t pid);
// "12.3 MiB".
std::string Mib(size_t bytes);
// The last `lines` lines of the file at `path`.
std::string Tail(const std::string& path, size_t lines);

}  // namespace devflow::bench
