// devflow-demo-app: the demo service of the quick start and of the one-machine tests.
// README.md beside this file describes the endpoints and flags.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/version.h"
#include "demo_flags.h"
#include "demo_handler.h"
#include "http/server.h"

namespace devflow::demo {
namespace {

constexpr char kProgram[] = "devflow-demo-app";

// Answers still waiting out --latency-ms must be able to finish after SIGTERM.
constexpr std::chrono::milliseconds kStopGraceBeyondLatency = std::chrono::seconds(10);

std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// Waits for SIGTERM or SIGINT (blocked in every thread, see Main) and returns it; returns 0 if
// `deadline` passes first.
int WaitForSignal(const sigset_t& signals,
                  std::optional<std::chrono::steady_clock::time_point> deadline) {
  while (true) {
    int signal = 0;
    if (!deadline) {
      if (sigwait(&signals, &signal) == 0) return signal;
      continue;
    }
    const auto left = *deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds(0)) return 0;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    timespec timeout{static_cast<time_t>(seconds.count()),
                     static_cast<long>((left - seconds) / std::chrono::nanoseconds(1))};
    signal = sigtimedwait(&signals, nullptr, &timeout);
    if (signal > 0) return signal;
    // EAGAIN (timed out) or EINTR: the loop re-checks the deadline.
  }
}

int Serve(const DemoOptions& options, const sigset_t& signals) {
  const auto started = std::chrono::steady_clock::now();
  DemoHandler handler(options);
  http::ServerOptions server_options;
  server_options.bind_address = options.address;
  server_options.port = options.port;
  server_options.stop_grace = options.latency + kStopGraceBeyondLatency;
  http::Server server(server_options, handler);
  if (Status status = server.Start(); !status.ok()) {
    std::cerr << kProgram << ": " << status.message() << "\n";
    return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::cout << kProgram << ": serving " << options.color << " on " << options.address << ":"
            << server.port() << std::endl;

  std::optional<std::chrono::steady_clock::time_point> crash_at;
  if (options.crash_after) crash_at = started + *options.crash_after;
  const int signal = WaitForSignal(signals, crash_at);
  if (signal == 0) {
    std::cerr << kProgram << ": exiting with status 1, as --crash-after asked" << std::endl;
    // A crash: no graceful stop, connections are cut.
    std::_Exit(1);
  }
  std::cout << kProgram << ": " << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
            << ": no new connections; finishing " << handler.color_in_flight()
            << " /color requests in flight" << std::endl;
  server.Stop();
  std::cout << kProgram << ": stopped" << std::endl;
  return 0;
}

int Main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  Result<DemoCommand> command =
      ParseDemoFlags(args, DemoEnvironment{Env("PORT"), Env("DEVFLOW_IMAGE_TAG")});
  if (!command.ok()) {
    std::cerr << kProgram << ": " << command.error().message() << "\n"
              << "Run '" << kProgram << " --help' for the flags.\n";
    return 2;
  }
  switch (command->action) {
    case DemoAction::kPrintVersion:
      std::cout << kProgram << " " << kVersion << " (" << kGitDescribe << ")\n";
      return 0;
    case DemoAction::kPrintUsage:
      std::cout << DemoUsage();
      return 0;
    case DemoAction::kServe:
      break;
  }
  // Blocked before any thread starts, so every thread inherits the mask and the signals wait
  // for sigwait in this thread instead of killing the process mid-request.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return Serve(command->options, signals);
}

}  // namespace
}  // namespace devflow::demo

int main(int argc, char** argv) { return devflow::demo::Main(argc, argv); }
