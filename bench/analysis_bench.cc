// How many concurrent AnalysisRuns one controller sustains at 1 s intervals (issue 6).
//
// For each N of a ladder (default 50,100,200,400,800,1600; --runs), a fresh
// `devflow serve --no-runtime --controllers=analysis` (the embedded API server and the
// AnalysisRun controller, one process, in a temporary data directory) gets N AnalysisRuns, each
// with one `web` metric (interval 1s, a count that outlasts the level, successCondition
// "result.ok == 1", jsonPath "{$}") pointing at an HTTP endpoint served by this process
// (src/http server), which answers {"ok": 1} and records the steady-clock arrival time of each
// request per run (the run's name is in the URL path). AnalysisRun status times have 1 s
// resolution, so the figures come from those arrivals, not from the stored measurements.
//
// Per level, over a window from --skip s to --seconds s after the last run was created:
//   - measurements per second achieved, beside the ideal N/s (the baseline: every run measured
//     once a second);
//   - the gap between a run's consecutive measurements (p50, p99, max): every gap that starts in
//     the window; a gap still open when the arrivals are read (--tail s after the window) counts
//     as open so far (a lower bound), and so does a run not measured at all in the window;
//   - `devflow serve`'s CPU% over the window (utime+stime from /proc/PID/stat, 100% = one core)
//     and its peak resident set (VmHWM), API server and controller together.
// A level falls behind when it achieves less than 95% of the ideal rate or its p99 gap exceeds
// 1.5 s; the ladder stops climbing at the first such level.
//
// Usage: analysis_bench [--runs N[,N...]] [--seconds S] [--skip S] [--tail S] [--devflow PATH]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_process.h"
#include "common/json_reader.h"
#include "common/json_value.h"
#include "http/message.h"
#include "http/server.h"
#include "kube/api_client.h"
#include "serve_instance.h"

namespace devflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

const kube::ResourceRef kRuns{"argoproj.io", "v1alpha1", "analysisruns", "AnalysisRun", true};
constexpr char kNamespace[] = "default";
constexpr int kWriters = 8;
// Measurements per run: far more than a level lasts, so no run completes while measured.
constexpr int kCount = 600;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The local web endpoint: answers every request {"ok": 1} and records its arrival under the
// last segment of its path (the run's name). Thread-safe.
class Endpoint {
 public:
  Endpoint()
      : handler_([this](const http::Request& request, http::ResponseWriter& writer) {
          const Clock::time_point now = Clock::now();
          std::string path = request.Path();
          const std::string run = path.substr(path.rfind('/') + 1);
          {
            std::lock_guard lock(mu_);
            arrivals_[run].push_back(now);
          }
          http::Response response;
          response.headers = {{"Content-Type", "application/json"}};
          response.body = R"({"ok": 1})";
          writer.Send(std::move(response));
        }),
        server_(http::ServerOptions{.threads = 2}, handler_) {
    const Status started = server_.Start();
    if (!started.ok()) Die("starting the web endpoint", started);
  }

  int port() const { return server_.port(); }

  // Forgets every arrival (between levels).
  void Reset() {
    std::lock_guard lock(mu_);
    arrivals_.clear();
  }
  // Arrival times per run name, in order of arrival.
  std::map<std::string, std::vector<Clock::time_point>> Snapshot() {
    std::lock_guard lock(mu_);
    return arrivals_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<Clock::time_point>> arrivals_;
  http::FunctionHandler handler_;
  http::Server server_;
};

std::string RunJson(const std::string& name, const std::string& url) {
  return R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
    "metadata": {"name": ")" +
         name + R"("},
    "spec": {"metrics": [{"name": "ok", "interval": "1s", "count": )" +
         std::to_string(kCount) + R"(,
      "successCondition": "result.ok == 1",
      "provider": {"web": {"url": ")" +
         url + R"(", "jsonPath": "{$}"}}}]}})";
}

std::string RunName(int i) { return "run-" + std::to_string(i); }

double Percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t at = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(at, sorted.size() - 1)];
}

struct Settings {
  double seconds = 20;  // the window ends this long after the last run was created
  double skip = 5;      // and starts this long after it
  double tail = 3;      // the arrivals are read this long after the window ends
  std::string devflow = DEVFLOW_BINARY;
};

struct Figures {
  int runs = 0;
  double create_seconds = 0;
  double achieved = 0;  // measurements/s in the window
  double ideal = 0;     // runs/s
  double gap_p50 = 0, gap_p99 = 0, gap_max = 0;
  size_t gaps = 0;
  size_t unmeasured = 0;  // runs with no measurement in the window
  double cpu_percent = 0;
  size_t peak = 0;
  std::string run0;  // one run's status summary, a check that measurements succeed
  bool behind_rate() const { return achieved < 0.95 * ideal; }
  bool behind_gap() const { return gap_p99 > 1.5; }
  bool behind() const { return behind_rate() || behind_gap(); }
};

// A one-line summary of run-0's status: phase and its metric's counters.
std::string RunSummary(kube::ApiClient& client) {
  Result<json::Value> run = client.Get(kRuns, kNamespace, RunName(0));
  if (!run.ok()) return "run-0: " + run.status().ToString();
  std::string text = "run-0 phase " + json::StringAt(*run, {"status", "phase"});
  const json::Value* status = run->Find("status");
  const json::Value* results = status != nullptr ? status->Find("metricResults") : nullptr;
  if (results != nullptr && results->is_array() && !results->as_array().empty()) {
    const json::Value& result = results->as_array()[0];
    for (const char* field : {"count", "successful", "failed", "error", "inconclusive"}) {
      const json::Value* value = result.Find(field);
      text += std::string(", ") + field + " " +
              (value != nullptr && value->is_int() ? std::to_string(value->as_int()) : "0");
    }
  }
  return text;
}

Figures Measure(int n, const Settings& settings, Endpoint& endpoint) {
  Figures figures;
  figures.runs = n;
  figures.ideal = n;
  endpoint.Reset();
  const ServeInstance serve_instance = StartServe(settings.devflow, "analysis", "analysis-bench");
  const pid_t serve = serve_instance.pid;
  std::unique_ptr<kube::ApiClient> client = ConnectUnlimited(serve_instance);

  const std::string base =
      "http://127.0.0.1:" + std::to_string(endpoint.port()) + "/n" + std::to_string(n) + "/";
  const Clock::time_point create_start = Clock::now();
  Parallel(n, kWriters, [&](int i) {
    const std::string name = RunName(i);
    OrDie(client->Create(kRuns, kNamespace, OrDie(json::Parse(RunJson(name, base + name)), "JSON")),
          "creating an AnalysisRun");
  });
  const Clock::time_point created = Clock::now();
  figures.create_seconds = Seconds(created - create_start);

  const auto at = [&](double seconds) {
    return created +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  const Clock::time_point window_start = at(settings.skip);
  const Clock::time_point window_end = at(settings.seconds);
  std::this_thread::sleep_until(window_start);
  const double cpu_start = CpuSeconds(serve);
  std::this_thread::sleep_until(window_end);
  const double cpu_end = CpuSeconds(serve);
  std::this_thread::sleep_until(window_end + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(settings.tail)));
  const Clock::time_point read_at = Clock::now();
  const auto arrivals = endpoint.Snapshot();
  figures.peak = StatusBytes(serve, "VmHWM");
  figures.run0 = RunSummary(*client);
  const double window = Seconds(window_end - window_start);
  figures.cpu_percent = 100.0 * (cpu_end - cpu_start) / window;

  size_t in_window = 0;
  std::vector<double> gaps;
  for (int i = 0; i < n; ++i) {
    auto found = arrivals.find(RunName(i));
    const std::vector<Clock::time_point> none;
    const std::vector<Clock::time_point>& times = found != arrivals.end() ? found->second : none;
    bool measured = false;
    for (size_t k = 0; k < times.size(); ++k) {
      if (times[k] < window_start || times[k] >= window_end) continue;
      measured = true;
      ++in_window;
      // The gap this measurement starts: to the next one, or open until the arrivals were read.
      gaps.push_back(Seconds((k + 1 < times.size() ? times[k + 1] : read_at) - times[k]));
    }
    if (!measured) {
      ++figures.unmeasured;
      // Not measured in the window: open since its last measurement (or since creation).
      Clock::time_point last = create_start;
      for (Clock::time_point t : times) {
        if (t < window_start) last = t;
      }
      gaps.push_back(Seconds(read_at - last));
    }
  }
  std::sort(gaps.begin(), gaps.end());
  figures.achieved = static_cast<double>(in_window) / window;
  figures.gaps = gaps.size();
  figures.gap_p50 = Percentile(gaps, 0.50);
  figures.gap_p99 = Percentile(gaps, 0.99);
  figures.gap_max = gaps.empty() ? 0 : gaps.back();
  return figures;
}

}  // namespace
}  // namespace devflow::bench

int main(int argc, char** argv) {
  using namespace devflow::bench;
  SetProgramName("analysis_bench");
  HandleStopSignals();
  std::vector<int> ladder = {50, 100, 200, 400, 800, 1600};
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      ladder.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) ladder.push_back(std::stoi(item));
    } else if (arg == "--seconds" && i + 1 < argc) {
      settings.seconds = std::stod(argv[++i]);
    } else if (arg == "--skip" && i + 1 < argc) {
      settings.skip = std::stod(argv[++i]);
    } else if (arg == "--tail" && i + 1 < argc) {
      settings.tail = std::stod(argv[++i]);
    } else if (arg == "--devflow" && i + 1 < argc) {
      settings.devflow = argv[++i];
    } else {
      DieMessage(
          "usage: analysis_bench [--runs N[,N...]] [--seconds S] [--skip S] [--tail S] "
          "[--devflow PATH]");
    }
  }
  if (ladder.empty() || settings.skip < 0 || settings.seconds <= settings.skip ||
      settings.tail < 0) {
    DieMessage("need at least one level and 0 <= --skip < --seconds, --tail >= 0");
  }
  Endpoint endpoint;
  std::printf("window: %.0f s to %.0f s after the last run was created; ideal = runs/s\n",
              settings.skip, settings.seconds);
  std::printf("%-6s %10s %12s %9s %9s %9s %9s %10s %7s %12s  %s\n", "runs", "create (s)",
              "achieved/s", "ideal/s", "ratio", "gap p50", "gap p99", "gap max", "cpu%",
              "serve peak", "verdict");
  std::optional<Figures> sustained;
  std::optional<Figures> fell;
  for (int n : ladder) {
    const Figures f = Measure(n, settings, endpoint);
    std::string verdict = "kept up";
    if (f.behind()) {
      verdict = "BEHIND:";
      if (f.behind_rate()) verdict += " achieved < 95% of ideal";
      if (f.behind_gap()) verdict += std::string(f.behind_rate() ? ";" : "") + " p99 gap > 1.5 s";
    }
    std::printf("%-6d %10.1f %12.1f %9.0f %9.3f %8.2fs %8.2fs %9.2fs %7.0f %12s  %s\n", f.runs,
                f.create_seconds, f.achieved, f.ideal, f.achieved / f.ideal, f.gap_p50, f.gap_p99,
                f.gap_max, f.cpu_percent, Mib(f.peak).c_str(), verdict.c_str());
    std::printf("       %zu gaps, %zu runs not measured in the window; %s\n", f.gaps, f.unmeasured,
                f.run0.c_str());
    std::fflush(stdout);
    Cleanup::Get().RunAll();
    if (f.behind()) {
      fell = f;
      break;
    }
    sustained = f;
  }
  if (sustained) {
    std::printf("sustained: %d runs at 1 s (achieved %.1f/s of %.0f/s, p99 gap %.2f s)",
                sustained->runs, sustained->achieved, sustained->ideal, sustained->gap_p99);
  } else {
    std::printf("sustained: none of the levels at 1 s");
  }
  if (fell) {
    std::printf("; fell behind at %d (achieved %.1f/s of %.0f/s, p99 gap %.2f s)\n", fell->runs,
                fell->achieved, fell->ideal, fell->gap_p99);
  } else {
    std::printf("; fell behind at none of the levels measured\n");
  }
  std::printf(
      "cpu%% and peak: `devflow serve` (API server and AnalysisRun controller in one process; "
      "100%% = one core); the endpoint runs in this process\n");
  return 0;
}
