// The one-machine data plane (issue 4): HAProxy run by node::ProxyManager in front of two
// devflow-demo-app processes (blue and green), measured in one run and printed as one table:
//   1. throughput and latency with wrk (Debian's): straight to the blue pod's port (the baseline)
//      and through HAProxy's listener, alternating rounds so that a change in the machine's load
//      hits both alike; req/s, p50, p99 and errors, and the ratio haproxy/direct;
//   2. weight change: a rule with two weighted backends flipped 100/0 <-> 0/100 N times; each
//      flip timed from just before Apply() to the first answer of the new colour on a keep-alive
//      connection that a client thread keeps busy with GET /color; ReloadCount() is read before
//      and after (weights go through the runtime API, so it must not move);
//   3. the baseline of the weight change: an Apply that needs a reload (a listener on a new
//      port), timed from just before Apply() to the first answer on the new port.
//
// Every process started here (the demo apps, wrk, HAProxy) is stopped on every way out: success,
// a failed step, an exception, SIGINT, SIGTERM or SIGHUP. After a SIGKILL of this process the
// demo apps and wrk get SIGTERM from the kernel (parent-death signal); HAProxy outlives it by
// design (ProxyManager starts it in its own session): `kill $(cat DIR/proxy/haproxy/haproxy.pid)`
// with DIR printed at start.
//
// Usage: dataplane_bench [--duration S] [--connections N] [--threads N] [--rounds N]
//                        [--flips N] [--reloads N] [--demo-app PATH]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_process.h"
#include "common/result.h"
#include "common/status.h"
#include "http/client.h"
#include "node/executable_lookup.h"
#include "node/process_supervisor.h"
#include "node/proxy_manager.h"
#include "node/proxy_state.h"

namespace devflow::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

// The program `name` as the shell would find it in this process's PATH, or exit 1 saying which
// Debian package provides it.
std::string FindProgramOrDie(const std::string& name, const std::string& package) {
  const char* path = std::getenv("PATH");
  std::map<std::string, std::string> env;
  if (path != nullptr) env["PATH"] = path;
  Result<std::string> found = node::FindExecutable(name, env, fs::current_path().string());
  if (!found.ok()) {
    DieMessage(found.error().message() + ": this benchmark needs " + name +
               " (Debian: apt-get install " + package + ")");
  }
  return *found;
}

// A loopback port no other part of this run was given.
int FreshPort() {
  static std::set<int> given;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = OrDie(node::PickFreePort("127.0.0.1"), "picking a free port");
    if (given.insert(port).second) return port;
  }
  DieMessage("no fresh free port in 100 attempts");
}

// ---------------------------------------------------------------------------------------------
// HTTP on loopback.

std::unique_ptr<http::Client> KeepAliveClient(int port) {
  http::ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.connect_timeout = std::chrono::seconds(5);
  options.request_timeout = std::chrono::seconds(10);
  options.max_idle_connections = 1;
  return OrDie(http::Client::Create(options), "HTTP client for port " + std::to_string(port));
}

// The colour of a demo app's `{"color":"blue"}`, or "" when the body is not such an answer.
std::string ColorOf(const std::string& body) {
  static constexpr std::string_view kKey = R"("color":")";
  const size_t at = body.find(kKey);
  if (at == std::string::npos) return "";
  const size_t begin = at + kKey.size();
  const size_t end = body.find('"', begin);
  return end == std::string::npos ? "" : body.substr(begin, end - begin);
}

// One GET /color on a new connection (Connection: close) over a plain socket: true when it was
// answered 200. Used while a port is not bound yet, where a refused connect must be cheap.
bool ColorAnswersOnNewConnection(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval guard{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)) != 0) {
    ::close(fd);
    return false;
  }
  const std::string request = "GET /color HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) response.append(buffer, n);
  ::close(fd);
  return response.rfind("HTTP/1.1 200", 0) == 0;
}

// ---------------------------------------------------------------------------------------------
// The demo apps.

// One devflow-demo-app process answering `color` on a loopback port of its own.
class DemoApp {
 public:
  DemoApp(std::string binary, std::string color, std::string log)
      : binary_(std::move(binary)), color_(std::move(color)), log_(std::move(log)) {}
  DemoApp(const DemoApp&) = delete;
  DemoApp& operator=(const DemoApp&) = delete;

  // Returns once GET /color answers this app's colour.
  void Start() {
    port_ = FreshPort();
    Cleanup::Get().Add([this] { Stop(); });
    pid_ = Spawn({binary_, "--port", std::to_string(port_), "--color", color_}, log_);
    if (pid_ < 0) DieMessage("cannot start " + binary_);
    auto client = KeepAliveClient(port_);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (true) {
      if (WaitFor(pid_, milliseconds(0)).has_value()) {
        pid_ = -1;
        DieMessage("the " + color_ + " demo app exited:\n" + Tail(log_, 20));
      }
      Result<http::Response> answer = client->Send({.method = "GET", .target = "/color"});
      if (answer.ok() && answer->status == 200 && ColorOf(answer->body) == color_) return;
      if (Clock::now() > deadline) {
        DieMessage("the " + color_ + " demo app does not answer on port " + std::to_string(port_) +
                   " after 30 s:\n" + Tail(log_, 20));
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  void Stop() {
    if (pid_ > 0) StopGroup(pid_, std::chrono::seconds(10));
    pid_ = -1;
  }
  int port() const { return port_; }
  const std::string& color() const { return color_; }

 private:
  const std::string binary_;
  const std::string color_;
  const std::string log_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// ---------------------------------------------------------------------------------------------
// wrk.

struct WrkResult {
  double requests_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int64_t requests = 0;
  int64_t non_2xx = 0;        // "Non-2xx or 3xx responses"
  int64_t socket_errors = 0;  // connect + read + write + timeout
  int64_t errors() const { return non_2xx + socket_errors; }
};

// wrk prints durations as "250.00us", "1.86ms" or "2.01s".
std::optional<double> Milliseconds(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const std::string unit = end;
  if (end == text.c_str()) return std::nullopt;
  if (unit == "us") return value / 1000;
  if (unit == "ms") return value;
  if (unit == "s") return value * 1000;
  if (unit == "m") return value * 60000;
  return std::nullopt;
}

// Reads wrk 4's report (run with --latency). nullopt when a figure is missing.
std::optional<WrkResult> ParseWrk(const std::string& output) {
  WrkResult result;
  bool rate = false, p50 = false, p99 = false;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    std::string value;
    if (first == "Requests/sec:") {
      rate = static_cast<bool>(words >> result.requests_per_second);
    } else if (first == "50%" || first == "99%") {
      words >> value;
      const std::optional<double> ms = Milliseconds(value);
      if (!ms) return std::nullopt;
      (first == "50%" ? result.p50_ms : result.p99_ms) = *ms;
      (first == "50%" ? p50 : p99) = true;
    } else if (line.find("requests in") != std::string::npos) {
      result.requests = std::atoll(first.c_str());
    } else if (line.find("Non-2xx or 3xx responses:") != std::string::npos) {
      result.non_2xx = std::atoll(line.substr(line.find(':') + 1).c_str());
    } else if (line.find("Socket errors:") != std::string::npos) {
      // "Socket errors: connect 0, read 3, write 0, timeout 0"
      std::istringstream counts(line.substr(line.find(':') + 1));
      std::string name;
      int64_t count = 0;
      while (counts >> name >> count) {
        result.socket_errors += count;
        counts.ignore(1);  // the comma
      }
    }
  }
  if (!rate || !p50 || !p99) return std::nullopt;
  return result;
}

// The wrk running now, or -1: stopped by the cleanup when the run ends early.
std::atomic<pid_t> g_wrk{-1};

struct WrkFlags {
  std::string binary;
  int threads = 2;
  int connections = 50;
  int duration_s = 10;
};

WrkResult RunWrk(const WrkFlags& flags, int port, const std::string& log) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/color";
  const pid_t pid = Spawn(
      {flags.binary, "-t" + std::to_string(flags.threads), "-c" + std::to_string(flags.connections),
       "-d" + std::to_string(flags.duration_s) + "s", "--latency", url},
      log);
  if (pid < 0) DieMessage("cannot start " + flags.binary);
  g_wrk = pid;
  int status = 0;
  const bool reaped = ::waitpid(pid, &status, 0) == pid;
  g_wrk = -1;
  if (!reaped || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    DieMessage("wrk " + url + " failed:\n" + Tail(log, 20));
  }
  const std::optional<WrkResult> result = ParseWrk(ReadFile(log));
  if (!result) DieMessage("cannot read wrk's report (" + log + "):\n" + Tail(log, 20));
  return *result;
}

// ---------------------------------------------------------------------------------------------
// The colour probe.

// Sends GET /color back to back over one keep-alive connection, on its own thread, and notes
// when the first answer of an awaited colour arrives. Thread-safe.
class ColorProbe {
 public:
  explicit ColorProbe(int port) : client_(KeepAliveClient(port)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~ColorProbe() { Stop(); }
  ColorProbe(const ColorProbe&) = delete;
  ColorProbe& operator=(const ColorProbe&) = delete;

  // From now on, the first answer of `color` is timed.
  void Await(const std::string& color) {
    std::lock_guard lock(mu_);
    awaited_ = color;
    seen_.reset();
  }

  // When the first answer of the awaited colour arrived, waiting up to `timeout` for it.
  std::optional<Clock::time_point> WaitSeen(milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return seen_.has_value(); });
    return seen_;
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Answers by colour; failed requests (transport errors, non-200) under "failed".
  std::map<std::string, int64_t> Tally() const {
    std::lock_guard lock(mu_);
    return tally_;
  }

 private:
  void Loop() {
    while (!stop_) {
      Result<http::Response> answer = client_->Send({.method = "GET", .target = "/color"});
      const Clock::time_point now = Clock::now();
      const std::string color = answer.ok() && answer->status == 200 ? ColorOf(answer->body) : "";
      std::lock_guard lock(mu_);
      ++tally_[color.empty() ? "failed" : color];
      if (!color.empty() && color == awaited_ && !seen_) {
        seen_ = now;
        cv_.notify_all();
      }
    }
  }

  std::unique_ptr<http::Client> client_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string awaited_;
  std::optional<Clock::time_point> seen_;
  std::map<std::string, int64_t> tally_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------------
// The proxy states.

constexpr char kBlueBackend[] = "bench/blue:80";
constexpr char kGreenBackend[] = "bench/green:80";

node::ProxyBackend Backend(const std::string& name, const DemoApp& app) {
  return {name, {{app.color() + "-pod", "127.0.0.1", app.port(), app.color(), true}}};
}

node::ProxyListener Listener(const std::string& name, int port,
                             std::vector<node::WeightedBackend> backends) {
  node::RouteRule rule;
  rule.backends = std::move(backends);
  rule.origin = "dataplane_bench " + name;
  return {name, "127.0.0.1", port, {rule}};
}

// ---------------------------------------------------------------------------------------------
// Figures.

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
  return text;
}

struct Flags {
  WrkFlags wrk;
  int rounds = 2;
  int flips = 20;
  int reloads = 5;
  std::string demo_app;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
#ifdef DEVFLOW_DEMO_APP
  flags.demo_app = DEVFLOW_DEMO_APP;
#else
  flags.demo_app =
      fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "devflow-demo-app";
#endif
  const auto number = [](const std::string& flag, const std::string& value, int min) {
    char* end = nullptr;
    const long parsed = std::strtol(value.c_str(), &end, 10);
    if (end == value.c_str() || *end != '\0' || parsed < min || parsed > 1000000) {
      DieMessage(flag + ": must be a whole number >= " + std::to_string(min) + ", got \"" + value +
                 "\"");
    }
    return static_cast<int>(parsed);
  };
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) DieMessage(flag + " needs a value");
    const std::string value = argv[i + 1];
    if (flag == "--duration") {
      flags.wrk.duration_s = number(flag, value, 1);
    } else if (flag == "--connections") {
      flags.wrk.connections = number(flag, value, 1);
    } else if (flag == "--threads") {
      flags.wrk.threads = number(flag, value, 1);
    } else if (flag == "--rounds") {
      flags.rounds = number(flag, value, 1);
    } else if (flag == "--flips") {
      flags.flips = number(flag, value, 1);
    } else if (flag == "--reloads") {
      flags.reloads = number(flag, value, 1);
    } else if (flag == "--demo-app") {
      flags.demo_app = value;
    } else {
      DieMessage("unknown flag " + flag +
                 " (--duration S --connections N --threads N --rounds N --flips N --reloads N "
                 "--demo-app PATH)");
    }
  }
  if (flags.wrk.connections < flags.wrk.threads) {
    DieMessage("--connections must be at least --threads (wrk gives each thread a connection)");
  }
  return flags;
}

struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/devflow-dataplane-bench-XXXXXX";
    if (mkdtemp(pattern) == nullptr) DieMessage(std::string("mkdtemp: ") + std::strerror(errno));
    path = pattern;
  }
};

// Flip timings, one per flip or reload.
struct ChangeTimes {
  std::vector<double> apply_ms;     // Apply() itself
  std::vector<double> to_first_ms;  // just before Apply() -> first answer routed by the change
};

void PrintTimes(const char* name, const std::vector<double>& values) {
  std::printf("  %-50s %9s %9s %9s\n", name, Number(Percentile(values, 0.5)).c_str(),
              Number(Percentile(values, 0.99)).c_str(),
              Number(*std::max_element(values.begin(), values.end())).c_str());
}

int Main(int argc, char** argv) {
  SetProgramName("dataplane_bench");
  HandleStopSignals();
  Flags flags = ParseFlags(argc, argv);
  flags.wrk.binary = FindProgramOrDie("wrk", "wrk");
  const std::string haproxy = FindProgramOrDie("haproxy", "haproxy");
  if (::access(flags.demo_app.c_str(), X_OK) != 0) {
    DieMessage("no devflow-demo-app at " + flags.demo_app +
               " (build the devflow-demo-app target, or pass --demo-app PATH)");
  }
  Cleanup::Get().Add([] {
    if (const pid_t pid = g_wrk.exchange(-1); pid > 0) StopGroup(pid, std::chrono::seconds(2));
  });
  TempDir dir;
  // A failed run keeps the directory (logs); a finished one removes it.
  std::fprintf(stderr, "dataplane_bench: working in %s\n", dir.path.c_str());
  const auto started = Clock::now();

  // 1. HAProxy and the two pods.
  node::ProxyManagerOptions proxy_options;
  proxy_options.state_dir = dir.path + "/proxy";
  proxy_options.haproxy_binary = haproxy;
  std::unique_ptr<node::ProxyManager> proxy =
      OrDie(node::ProxyManager::Start(proxy_options), "starting HAProxy");
  Cleanup::Get().Add([&proxy] { proxy->Shutdown(/*stop_haproxy=*/true); });
  DemoApp blue(flags.demo_app, "blue", dir.path + "/blue.log");
  DemoApp green(flags.demo_app, "green", dir.path + "/green.log");
  blue.Start();
  green.Start();

  std::printf(
      "devflow dataplane_bench: HAProxy (%s, run by node::ProxyManager) in front of two "
      "devflow-demo-app processes (blue, green), all on 127.0.0.1.\n"
      "wrk: %s -t%d -c%d -d%ds --latency URL/color, %d round(s) each of direct then haproxy, "
      "alternating; the table shows the mean of the rounds (errors: summed).\n"
      "Weight change: %d flips 100/0 <-> 0/100; reload baseline: %d Applies adding a listener "
      "on a new port.\n\n",
      haproxy.c_str(), flags.wrk.binary.c_str(), flags.wrk.threads, flags.wrk.connections,
      flags.wrk.duration_s, flags.rounds, flags.flips, flags.reloads);
  std::fflush(stdout);

  // 2. One listener, one rule, the blue pod behind it.
  const int listener_port = FreshPort();
  const std::string listener_name = "gateway/bench/web/http";
  node::ProxyState single;
  single.listeners = {Listener(listener_name, listener_port, {{kBlueBackend, 1}})};
  single.backends = {Backend(kBlueBackend, blue)};
  const auto apply = [&proxy](const node::ProxyState& state, const std::string& what) {
    std::vector<node::ListenerProblem> problems = OrDie(proxy->Apply(state), what);
    if (!problems.empty()) DieMessage(what + ": " + problems.front().message);
  };
  apply(single, "applying one listener with the blue pod");
  {
    auto client = KeepAliveClient(listener_port);
    Result<http::Response> answer = client->Send({.method = "GET", .target = "/color"});
    if (!answer.ok() || answer->status != 200 || ColorOf(answer->body) != "blue") {
      DieMessage("HAProxy's listener does not answer blue: " +
                 (answer.ok() ? std::to_string(answer->status) + " " + answer->body
                              : answer.error().ToString()));
    }
  }

  // 3. wrk, direct and through HAProxy, alternating.
  std::vector<WrkResult> direct, through;
  for (int round = 0; round < flags.rounds; ++round) {
    for (bool via_haproxy : {false, true}) {
      const std::string name = via_haproxy ? "haproxy" : "direct";
      const WrkResult r = RunWrk(flags.wrk, via_haproxy ? listener_port : blue.port(),
                                 dir.path + "/wrk-" + name + "-" + std::to_string(round) + ".txt");
      (via_haproxy ? through : direct).push_back(r);
      std::fprintf(stderr,
                   "dataplane_bench: round %d %-8s %.0f req/s p50 %.3f ms p99 %.3f ms, %lld "
                   "requests, %lld errors\n",
                   round + 1, name.c_str(), r.requests_per_second, r.p50_ms, r.p99_ms,
                   static_cast<long long>(r.requests), static_cast<long long>(r.errors()));
    }
  }

  // 4. Weight changes: two weighted backends, flipped. Adding the green backend is a structure
  // change (a reload); the flips after it must not be.
  const auto weighted = [&](int blue_weight) {
    node::ProxyState state = single;
    state.backends = {Backend(kBlueBackend, blue), Backend(kGreenBackend, green)};
    state.listeners[0].rules[0].backends = {{kBlueBackend, blue_weight},
                                            {kGreenBackend, 100 - blue_weight}};
    return state;
  };
  apply(weighted(100), "applying blue/green at 100/0");
  ChangeTimes flip_times;
  const int reloads_before_flips = proxy->ReloadCount();
  const int restarts_before_flips = proxy->RestartCount();
  std::map<std::string, int64_t> probe_tally;
  {
    ColorProbe probe(listener_port);
    probe.Await("blue");
    if (!probe.WaitSeen(std::chrono::seconds(10))) DieMessage("no blue answer at 100/0");
    for (int flip = 0; flip < flags.flips; ++flip) {
      const bool to_green = flip % 2 == 0;
      const node::ProxyState next = weighted(to_green ? 0 : 100);
      probe.Await(to_green ? "green" : "blue");
      const Clock::time_point before = Clock::now();
      apply(next, "flipping the weights");
      const Clock::time_point after = Clock::now();
      const std::optional<Clock::time_point> seen = probe.WaitSeen(std::chrono::seconds(10));
      if (!seen) {
        DieMessage(std::string("no ") + (to_green ? "green" : "blue") +
                   " answer within 10 s of flip " + std::to_string(flip + 1));
      }
      flip_times.apply_ms.push_back(Ms(after - before));
      flip_times.to_first_ms.push_back(Ms(*seen - before));
      // Spaces the flips so that each starts from a settled state, not the previous flip's tail.
      std::this_thread::sleep_for(milliseconds(50));
    }
    probe.Stop();
    probe_tally = probe.Tally();
  }
  const int reloads_after_flips = proxy->ReloadCount();
  const int restarts_after_flips = proxy->RestartCount();

  // 5. The baseline: a change that needs a reload (a listener on a new port), timed to the first
  // answer on that port; then the listener is removed again (another reload, not timed).
  ChangeTimes reload_times;
  const int reloads_before_listeners = proxy->ReloadCount();
  // An even number of flips ends at 100/0, an odd one at 0/100.
  const node::ProxyState settled = weighted(flags.flips % 2 == 0 ? 100 : 0);
  for (int i = 0; i < flags.reloads; ++i) {
    const int port = FreshPort();
    node::ProxyState more = settled;
    more.listeners.push_back(
        Listener("gateway/bench/web/new-" + std::to_string(i), port, {{kBlueBackend, 1}}));
    std::sort(more.listeners.begin(), more.listeners.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    // The poller stops at its own deadline or when told: `answered` is read only after join.
    std::atomic<bool> give_up{false};
    std::optional<Clock::time_point> answered;
    const auto poll_deadline = Clock::now() + std::chrono::seconds(40);
    std::thread poller([&] {
      while (!give_up && Clock::now() < poll_deadline) {
        if (ColorAnswersOnNewConnection(port)) {
          answered = Clock::now();
          return;
        }
        // Paces the refused connects so that they do not take a core from HAProxy's reload.
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
    });
    const Clock::time_point before = Clock::now();
    Result<std::vector<node::ListenerProblem>> problems = proxy->Apply(more);
    const Clock::time_point after = Clock::now();
    if (!problems.ok() || !problems->empty()) give_up = true;
    poller.join();
    if (!problems.ok()) Die("adding listener " + std::to_string(i + 1), problems.error());
    if (!problems->empty()) DieMessage("adding listener: " + problems->front().message);
    if (!answered) {
      DieMessage("no answer on the new listener's port " + std::to_string(port) +
                 " within 40 s of the Apply");
    }
    reload_times.apply_ms.push_back(Ms(after - before));
    reload_times.to_first_ms.push_back(Ms(*answered - before));
    apply(settled, "removing the added listener");
  }
  const int reload_applies = proxy->ReloadCount() - reloads_before_listeners;

  // The table.
  const auto mean = [](const std::vector<WrkResult>& rs, double WrkResult::*field) {
    double sum = 0;
    for (const WrkResult& r : rs) sum += r.*field;
    return sum / static_cast<double>(rs.size());
  };
  const auto errors = [](const std::vector<WrkResult>& rs) {
    int64_t errors = 0, requests = 0;
    for (const WrkResult& r : rs) {
      errors += r.errors();
      requests += r.requests;
    }
    return std::to_string(errors) + " of " + std::to_string(requests);
  };
  std::printf("%-52s %14s %14s %15s\n", "wrk, GET /color", "direct", "haproxy", "haproxy/direct");
  const auto row = [](const char* name, double d, double h) {
    std::printf("%-52s %14s %14s %15.2f\n", name, Number(d).c_str(), Number(h).c_str(), h / d);
  };
  row("requests/s", mean(direct, &WrkResult::requests_per_second),
      mean(through, &WrkResult::requests_per_second));
  row("latency p50 ms", mean(direct, &WrkResult::p50_ms), mean(through, &WrkResult::p50_ms));
  row("latency p99 ms", mean(direct, &WrkResult::p99_ms), mean(through, &WrkResult::p99_ms));
  std::printf("%-52s %14s %14s\n", "errors (non-2xx + socket errors) of requests",
              errors(direct).c_str(), errors(through).c_str());
  for (int round = 0; round < flags.rounds; ++round) {
    std::printf(
        "  round %d: direct %.0f req/s, p50 %.3f ms, p99 %.3f ms; haproxy %.0f req/s, "
        "p50 %.3f ms, p99 %.3f ms\n",
        round + 1, direct[round].requests_per_second, direct[round].p50_ms, direct[round].p99_ms,
        through[round].requests_per_second, through[round].p50_ms, through[round].p99_ms);
  }

  std::printf("\n%-52s %9s %9s %9s\n", "changes through HAProxy, ms", "p50", "p99", "max");
  std::printf("weight flip 100/0 <-> 0/100 (runtime API), %d flips\n", flags.flips);
  PrintTimes("Apply() call", flip_times.apply_ms);
  PrintTimes("Apply() start -> first answer of the new colour", flip_times.to_first_ms);
  std::printf("new listener on a new port (reload; baseline), %d times\n", flags.reloads);
  PrintTimes("Apply() call", reload_times.apply_ms);
  PrintTimes("Apply() start -> first answer on the new port", reload_times.to_first_ms);
  std::printf("  reload/weight, p50 of start -> first answer: %.0fx\n",
              Percentile(reload_times.to_first_ms, 0.5) / Percentile(flip_times.to_first_ms, 0.5));

  std::printf("\nReloadCount() before the flips %d, after %d; RestartCount() %d, after %d",
              reloads_before_flips, reloads_after_flips, restarts_before_flips,
              restarts_after_flips);
  if (reloads_after_flips == reloads_before_flips &&
      restarts_after_flips == restarts_before_flips) {
    std::printf(": unchanged, the weight changes did not reload HAProxy.\n");
  } else {
    std::printf(
        "\n!!! HAProxy was RELOADED or RESTARTED during the weight flips: the weight changes did "
        "NOT all go through the runtime API, and the flip times above include reloads !!!\n");
  }
  std::printf("Reloads for the %d listener additions and removals: %d (expected %d).\n",
              flags.reloads, reload_applies, 2 * flags.reloads);
  std::printf("Probe answers during the flips:");
  for (const auto& [color, count] : probe_tally) {
    std::printf(" %s %lld", color.c_str(), static_cast<long long>(count));
  }
  std::printf("\n");

  Cleanup::Get().RunAll();
  std::printf("\nwall time %.0f s (processes started and stopped included)\n",
              std::chrono::duration<double>(Clock::now() - started).count());
  std::error_code ignored;
  fs::remove_all(dir.path, ignored);
  return 0;
}

}  // namespace
}  // namespace devflow::bench

int main(int argc, char** argv) { return devflow::bench::Main(argc, argv); }
