// The embedded API server (`devflow serve`) against the real kube-apiserver + etcd
// (scripts/kube-lab), both as separate processes, both reached over HTTPS by devflow's client
// with the kubeconfig each writes, measured in one run and printed side by side:
//   1. writes: creates/s and updates/s (merge patch) of Rollouts, from one client and from 4
//      client threads;
//   2. watch latency: p50/p99 from the start of a write to each watcher reading its event, at 1,
//      10 and 100 watchers (in this process, not the server's), writes paced at a fixed interval
//      so both servers see the same event rate;
//   3. memory: resident set (VmRSS) of each server after start and with --stored Rollouts stored:
//      `devflow serve` against kube-apiserver + etcd summed.
// Baselines measured in the same run: raw SQLite inserts/s (one transaction each, the store's
// own settings) beside each server's write rates, and the informer cache's bytes per Rollout
// beside the JSON text's size.
//
// Every process started here (devflow serve; kube-lab's etcd, kube-apiserver and
// kube-controller-manager) is stopped on every way out: success, a failed step, SIGINT, SIGTERM
// or SIGHUP. After a SIGKILL of this process, `scripts/kube-lab stop DIR` (DIR is printed at
// start) stops the lab.
//
// Usage: apiserver_bench [--writes N] [--events N] [--interval-ms N] [--stored N]
//                        [--servers both|embedded|real] [--devflow PATH] [--source-dir DIR]
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/manifest_reader.h"
#include "bench_process.h"
#include "common/json_reader.h"
#include "common/json_value.h"
#include "kube/api_client.h"
#include "kube/client_config.h"
#include "kube/informer.h"
#include "kube/list_watcher.h"
#include "sample_rollout.h"

namespace devflow::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// VmRSS of `pid` in bytes, from /proc/PID/status.
size_t ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  DieMessage("no VmRSS for pid " + std::to_string(pid) + " (has it exited?)");
}

// ---------------------------------------------------------------------------------------------
// The two servers.

// A server process the memory rows measure.
struct Measured {
  std::string name;
  pid_t pid = 0;
};

// `devflow serve` in its own data directory on a free loopback port.
class EmbeddedServer {
 public:
  EmbeddedServer(std::string binary, std::string data_dir)
      : binary_(std::move(binary)), data_dir_(std::move(data_dir)) {}
  EmbeddedServer(const EmbeddedServer&) = delete;
  EmbeddedServer& operator=(const EmbeddedServer&) = delete;

  // Returns once the server has written its kubeconfig (it does so once it listens).
  void Start() {
    fs::create_directories(data_dir_);
    Cleanup::Get().Add([this] { Stop(); });
    pid_ = Spawn(
        {binary_, "serve", "--no-runtime", "--data-dir", data_dir_, "--listen", "127.0.0.1:0"},
        log());
    if (pid_ < 0) DieMessage("cannot start " + binary_);
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (!fs::exists(kubeconfig())) {
      if (WaitFor(pid_, std::chrono::milliseconds(0)).has_value()) {
        pid_ = -1;
        DieMessage("devflow serve exited:\n" + Tail(log(), 40));
      }
      if (Clock::now() > deadline)
        DieMessage("devflow serve not ready in 60 s:\n" + Tail(log(), 40));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  void Stop() {
    if (pid_ > 0) StopGroup(pid_, std::chrono::seconds(10));
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }
  std::string kubeconfig() const { return data_dir_ + "/kubeconfig"; }
  std::string log() const { return data_dir_ + "/serve.log"; }

 private:
  const std::string binary_;
  const std::string data_dir_;
  pid_t pid_ = -1;
};

// scripts/kube-lab's etcd + kube-apiserver + kube-controller-manager in DIR, with deploy/crds/
// installed and Established.
class RealServer {
 public:
  RealServer(std::string script, std::string crds, std::string dir)
      : script_(std::move(script)), crds_(std::move(crds)), dir_(std::move(dir)) {}
  RealServer(const RealServer&) = delete;
  RealServer& operator=(const RealServer&) = delete;

  void Start() {
    fs::create_directories(dir_);
    Cleanup::Get().Add([this] { Stop(); });
    if (Run({"/bin/bash", script_, "build"}, dir_ + "/build.log") != 0) {
      DieMessage("kube-lab build failed:\n" + Tail(dir_ + "/build.log", 40));
    }
    const pid_t starting = Spawn({"/bin/bash", script_, "start", dir_}, dir_ + "/start.log");
    if (starting < 0) DieMessage("cannot start " + script_);
    starting_ = starting;
    int status = 0;
    const bool exited = ::waitpid(starting, &status, 0) == starting;
    starting_ = -1;
    if (!exited || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      DieMessage("kube-lab start failed:\n" + Tail(dir_ + "/start.log", 60));
    }
    const std::vector<std::string> kubectl = {"/usr/bin/kubectl", "--kubeconfig", kubeconfig()};
    std::vector<std::string> apply = kubectl;
    apply.insert(apply.end(), {"apply", "-f", crds_});
    std::vector<std::string> wait = kubectl;
    wait.insert(wait.end(),
                {"wait", "--for", "condition=established", "--timeout", "120s", "-f", crds_});
    if (Run(apply, dir_ + "/crds.log") != 0 || Run(wait, dir_ + "/crds.log") != 0) {
      DieMessage("installing " + crds_ + " failed:\n" + Tail(dir_ + "/crds.log", 20));
    }
  }
  // Idempotent; also stops a `start` still running (its trap stops what it launched).
  void Stop() {
    const pid_t starting = starting_.exchange(-1);
    if (starting > 0) StopGroup(starting, std::chrono::seconds(30));
    if (fs::exists(dir_ + "/pids")) Run({"/bin/bash", script_, "stop", dir_}, dir_ + "/stop.log");
  }
  std::string kubeconfig() const { return dir_ + "/kubeconfig"; }
  // The processes of DIR/pids ("pid name exe" lines) named `name`.
  pid_t PidOf(const std::string& name) const {
    std::istringstream lines(ReadFile(dir_ + "/pids"));
    std::string pid, process, exe;
    while (lines >> pid >> process >> exe) {
      if (process == name) return static_cast<pid_t>(std::stol(pid));
    }
    DieMessage("no " + name + " in " + dir_ + "/pids");
  }

 private:
  const std::string script_;
  const std::string crds_;
  const std::string dir_;
  std::atomic<pid_t> starting_{-1};
};

// One server as the benchmark sees it: how to reach it and which processes are its memory.
struct Target {
  std::string name;
  kube::ClientConfig config;
  std::vector<Measured> memory;  // summed
  // Other processes of the same control plane, reported but not summed.
  std::vector<Measured> beside;

  std::unique_ptr<kube::ApiClient> NewClient() const {
    kube::ApiClientOptions options;
    options.qps = 0;  // measure the server, not the client's limiter
    return OrDie(kube::ApiClient::Create(config, options), name + ": client");
  }
  size_t ResidentSum() const {
    size_t sum = 0;
    for (const Measured& m : memory) sum += ResidentBytes(m.pid);
    return sum;
  }
};

kube::ClientConfig ConfigFrom(const std::string& kubeconfig) {
  kube::LoadOptions options;
  options.kubeconfig_path = kubeconfig;
  options.env = [](const std::string&) { return std::nullopt; };
  return OrDie(kube::ResolveClientConfig(options), "kubeconfig " + kubeconfig);
}

// ---------------------------------------------------------------------------------------------
// Rollouts.

// Parsed once: the client's cost per write must not include reading YAML.
const json::Value& SampleTemplate() {
  static const json::Value parsed =
      OrDie(api::ReadManifests(kRolloutYaml, "sample"), "sample rollout")[0].object;
  return parsed;
}

json::Value SampleRollout(const std::string& name) {
  json::Value object = SampleTemplate();
  json::Object& metadata = object["metadata"].as_object();
  metadata.Set("name", name);
  metadata.Set("namespace", "default");
  for (const char* server_owned : {"uid", "resourceVersion", "generation", "creationTimestamp"}) {
    metadata.Erase(server_owned);
  }
  return object;
}

json::Value LabelPatch(int i) {
  return json::Object{
      {"metadata", json::Object{{"labels", json::Object{{"bench", std::to_string(i)}}}}}};
}

const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};

// ---------------------------------------------------------------------------------------------
// Measurements.

double RawSqliteInsertsPerSecond(const std::string& path, int count, const std::string& doc) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::abort();
  // The store's own settings (sqlite_store.cc), so the difference is the API server's cost.
  sqlite3_exec(db,
               "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
               nullptr, nullptr, nullptr);
  sqlite3_exec(db, "CREATE TABLE objects (key TEXT PRIMARY KEY, value TEXT NOT NULL)", nullptr,
               nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO objects VALUES (?, ?)", -1, &insert, nullptr);
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    const std::string key = "rollouts/default/r" + std::to_string(i);
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_text(insert, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, doc.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(insert) != SQLITE_DONE) std::abort();
    sqlite3_reset(insert);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return count / seconds;
}

// One request of a write row: the i-th of the row, on a client of the calling thread.
using Operation = std::function<Result<json::Value>(kube::ApiClient&, int i)>;

// Runs operations 0..count-1 spread over `threads` clients (thread t does t, t+threads, ...);
// returns operations per second.
double Rate(const Target& target, int count, int threads, const Operation& operation,
            const std::string& what) {
  std::vector<std::unique_ptr<kube::ApiClient>> clients;
  for (int t = 0; t < threads; ++t) clients.push_back(target.NewClient());
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = t; i < count; i += threads) {
        OrDie(operation(*clients[t], i), target.name + ": " + what + " " + std::to_string(i));
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  return count / std::chrono::duration<double>(Clock::now() - start).count();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// Each event carries the steady-clock time its write started, in an annotation: the watchers
// run in this process, so they measure write->event latency without matching versions.
constexpr const char* kSentAnnotation = "bench.devflow.io/sent-ns";

struct WatchLatency {
  double p50_ms = 0, p99_ms = 0;
  size_t samples = 0;
};

WatchLatency MeasureWatchLatency(const Target& target, int watchers, int events,
                                 std::chrono::milliseconds interval) {
  auto writer = target.NewClient();
  const std::string name = "watched-" + std::to_string(watchers);
  json::Value object =
      OrDie(writer->Create(kRollouts, "default", SampleRollout(name)), target.name + ": watched");
  const std::string start_version = object.Find("metadata")->Find("resourceVersion")->as_string();

  std::vector<std::vector<double>> latencies(watchers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < watchers; ++w) {
    threads.emplace_back([&, w] {
      auto client = target.NewClient();
      kube::WatchRequest request;
      request.resource_version = start_version;
      request.field_selector = "metadata.name=" + name;
      auto stream = OrDie(client->Watch(kRollouts, "default", request), target.name + ": watch");
      ready.fetch_add(1);
      int seen = 0;
      while (seen < events) {
        auto event = stream->Next(std::chrono::seconds(60));
        if (!event.ok()) Die(target.name + ": watch read", event.status());
        if (!event->has_value()) DieMessage(target.name + ": the server ended a watch");
        const auto now = Clock::now().time_since_epoch();
        const kube::WatchEvent& e = **event;
        if (e.type != kube::WatchEventType::kModified) continue;
        const json::Value* sent =
            e.object.Find("metadata")->Find("annotations")->Find(kSentAnnotation);
        const int64_t sent_ns = std::stoll(sent->as_string());
        latencies[w].push_back(
            std::chrono::duration<double, std::milli>(now - std::chrono::nanoseconds(sent_ns))
                .count());
        ++seen;
      }
      stream->Cancel();
    });
  }
  while (ready.load() < watchers) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The watches start from the version of the create, so none can miss an event; the pause only
  // lets the servers finish setting them up before the clock runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // Writes start at a fixed pace (or back to back when one takes longer), so the faster server
  // is not given more events per second to fan out.
  auto next = Clock::now();
  for (int i = 0; i < events; ++i) {
    std::this_thread::sleep_until(next);
    next += interval;
    const int64_t sent = Clock::now().time_since_epoch().count();
    json::Value patch = json::Object{
        {"metadata",
         json::Object{{"annotations", json::Object{{kSentAnnotation, std::to_string(sent)}}}}}};
    OrDie(writer->Patch(kRollouts, "default", name, kube::PatchType::kMerge, patch),
          target.name + ": watched patch");
  }
  for (std::thread& t : threads) t.join();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return {Percentile(all, 0.50), Percentile(all, 0.99), all.size()};
}

size_t HeapInUse() { return mallinfo2().uordblks; }

// ---------------------------------------------------------------------------------------------
// The table.

enum class Aim { kNone, kHigher, kLower, kTenth };

struct Row {
  std::string name;
  Aim aim = Aim::kHigher;
  std::optional<double> embedded, real;
};

void PrintTable(const std::vector<Row>& rows) {
  std::printf("%-40s %12s %12s %14s %10s %5s\n", "", "embedded", "real", "embedded/real", "aim",
              "met");
  for (const Row& row : rows) {
    const auto cell = [](const std::optional<double>& v) {
      char text[32] = "-";
      if (v.has_value()) std::snprintf(text, sizeof text, *v >= 100 ? "%.0f" : "%.2f", *v);
      return std::string(text);
    };
    std::string ratio = "-", met = "-";
    if (row.embedded.has_value() && row.real.has_value() && *row.real > 0) {
      const double r = *row.embedded / *row.real;
      char text[32];
      std::snprintf(text, sizeof text, "%.2f", r);
      ratio = text;
      const bool ok = row.aim == Aim::kHigher ? r >= 1 : row.aim == Aim::kLower ? r <= 1 : r <= 0.1;
      if (row.aim != Aim::kNone) met = ok ? "yes" : "NO";
    }
    const char* aim = row.aim == Aim::kHigher  ? ">= 1"
                      : row.aim == Aim::kLower ? "<= 1"
                      : row.aim == Aim::kTenth ? "<= 0.10"
                                               : "";
    std::printf("%-40s %12s %12s %14s %10s %5s\n", row.name.c_str(), cell(row.embedded).c_str(),
                cell(row.real).c_str(), ratio.c_str(), aim, met.c_str());
  }
}

struct Flags {
  int writes = 1000;
  int events = 300;
  int interval_ms = 20;
  int stored = 10000;
  bool embedded = true;
  bool real = true;
  std::string devflow;
  std::string source_dir;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
#ifdef DEVFLOW_BINARY
  flags.devflow = DEVFLOW_BINARY;
#else
  // The build puts `devflow` at the top of the build directory, this binary in bench/.
  flags.devflow = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "devflow";
#endif
  flags.source_dir = fs::path(__FILE__).parent_path().parent_path();
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) DieMessage(flag + " needs a value");
    const std::string value = argv[i + 1];
    if (flag == "--writes") {
      flags.writes = std::atoi(value.c_str());
    } else if (flag == "--events") {
      flags.events = std::atoi(value.c_str());
    } else if (flag == "--interval-ms") {
      flags.interval_ms = std::atoi(value.c_str());
    } else if (flag == "--stored") {
      flags.stored = std::atoi(value.c_str());
    } else if (flag == "--servers") {
      flags.embedded = value == "both" || value == "embedded";
      flags.real = value == "both" || value == "real";
      if (!flags.embedded && !flags.real) DieMessage("--servers: both, embedded or real");
    } else if (flag == "--devflow") {
      flags.devflow = value;
    } else if (flag == "--source-dir") {
      flags.source_dir = value;
    } else {
      DieMessage("unknown flag " + flag +
                 " (--writes --events --interval-ms --stored --servers --devflow --source-dir)");
    }
  }
  if (flags.writes < 4 || flags.events < 1 || flags.stored < 2 * flags.writes + 3) {
    DieMessage("need --writes >= 4, --events >= 1 and --stored >= 2 * writes + 3");
  }
  return flags;
}

struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/devflow-bench-XXXXXX";
    if (mkdtemp(pattern) == nullptr) std::abort();
    path = pattern;
  }
};

int Main(int argc, char** argv) {
  SetProgramName("apiserver_bench");
  HandleStopSignals();
  const Flags flags = ParseFlags(argc, argv);
  const std::string script = flags.source_dir + "/scripts/kube-lab";
  const std::string crds = flags.source_dir + "/deploy/crds";
  if (flags.embedded && !fs::exists(flags.devflow)) {
    DieMessage("no devflow binary at " + flags.devflow +
               " (build the devflow target, or pass --devflow PATH)");
  }
  if (flags.real && (!fs::exists(script) || !fs::exists(crds))) {
    DieMessage("no " + script + " or " + crds + " (pass --source-dir, the repository's root)");
  }
  TempDir dir;
  // A failed run keeps the directory (server logs); a finished one removes it.
  std::fprintf(stderr, "apiserver_bench: working in %s\n", dir.path.c_str());

  const auto started = Clock::now();
  std::vector<Target> targets;
  std::unique_ptr<EmbeddedServer> embedded;
  std::unique_ptr<RealServer> real;
  // The lab first: it takes ~10 s to start, and the embedded server should not idle meanwhile
  // under a different load than the real one will see.
  if (flags.real) {
    real = std::make_unique<RealServer>(script, crds, dir.path + "/lab");
    real->Start();
  }
  if (flags.embedded) {
    embedded = std::make_unique<EmbeddedServer>(flags.devflow, dir.path + "/serve");
    embedded->Start();
    targets.push_back(
        {"embedded", ConfigFrom(embedded->kubeconfig()), {{"devflow serve", embedded->pid()}}, {}});
  }
  if (flags.real) {
    targets.push_back(
        {"real",
         ConfigFrom(real->kubeconfig()),
         {{"kube-apiserver", real->PidOf("kube-apiserver")}, {"etcd", real->PidOf("etcd")}},
         {{"kube-controller-manager", real->PidOf("kube-controller-manager")}}});
  }
  const auto is_embedded = [](const Target& t) { return t.name == "embedded"; };

  const std::string doc = json::Write(SampleRollout("r"));
  std::string real_version = "-";
  for (const Target& t : targets) {
    if (t.name == "real") {
      real_version = OrDie(t.NewClient()->GetPath("/version"), "real: /version")
                         .Find("gitVersion")
                         ->as_string();
    }
  }
  std::printf(
      "devflow apiserver_bench: embedded = `devflow serve` (%s), real = kube-apiserver %s + etcd "
      "(scripts/kube-lab)\n",
      flags.devflow.c_str(), real_version.c_str());
  std::printf(
      "Rollouts of %zu bytes; %d writes per write row; %d events per watcher, one write every %d "
      "ms; memory with %d Rollouts stored.\n"
      "Both servers run during every row; each row measures the embedded server, then the real "
      "one. Client: devflow's, HTTPS, no client-side rate limit, in this process.\n\n",
      doc.size(), flags.writes, flags.events, flags.interval_ms, flags.stored);

  // Each row runs for every target before the next row, so a change in the machine's load
  // during the run affects both columns alike.
  const auto measure = [&](Row row, const std::function<double(const Target&)>& value) {
    for (const Target& t : targets) {
      const double v = value(t);
      (is_embedded(t) ? row.embedded : row.real) = v;
      std::fprintf(stderr, "apiserver_bench: %-40s %-8s %.2f\n", row.name.c_str(), t.name.c_str(),
                   v);
    }
    return row;
  };
  const auto mib = [](size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); };
  std::vector<Row> rows;
  const Row idle_memory = measure({"RSS MiB after start", Aim::kNone, {}, {}},
                                  [&](const Target& t) { return mib(t.ResidentSum()); });

  // 1. Writes, with the raw SQLite baseline before and after (fsync times drift with whatever
  // else the disk does; the baseline table shows their mean).
  const int writes = flags.writes;
  const double raw_before = RawSqliteInsertsPerSecond(dir.path + "/raw-before.db", writes, doc);
  const auto create = [](const char* prefix) {
    return [prefix](kube::ApiClient& client, int i) {
      return client.Create(kRollouts, "default", SampleRollout(prefix + std::to_string(i)));
    };
  };
  const auto update = [](const char* prefix) {
    return [prefix](kube::ApiClient& client, int i) {
      return client.Patch(kRollouts, "default", prefix + std::to_string(i), kube::PatchType::kMerge,
                          LabelPatch(i));
    };
  };
  rows.push_back(measure({"creates/s, 1 client", Aim::kHigher, {}, {}}, [&](const Target& t) {
    return Rate(t, writes, 1, create("s"), "create");
  }));
  rows.push_back(
      measure({"creates/s, 4 client threads", Aim::kHigher, {}, {}},
              [&](const Target& t) { return Rate(t, writes, 4, create("c"), "create"); }));
  rows.push_back(
      measure({"updates/s (merge patch), 1 client", Aim::kHigher, {}, {}},
              [&](const Target& t) { return Rate(t, writes, 1, update("s"), "update"); }));
  rows.push_back(
      measure({"updates/s (merge patch), 4 client threads", Aim::kHigher, {}, {}},
              [&](const Target& t) { return Rate(t, writes, 4, update("c"), "update"); }));
  const double raw_after = RawSqliteInsertsPerSecond(dir.path + "/raw-after.db", writes, doc);

  // 2. Watch latency.
  std::vector<std::pair<int, WatchLatency>> watch_samples;
  for (int watchers : {1, 10, 100}) {
    Row p50{
        "watch p50 ms, " + std::to_string(watchers) + (watchers == 1 ? " watcher" : " watchers"),
        Aim::kLower,
        {},
        {}};
    Row p99{
        "watch p99 ms, " + std::to_string(watchers) + (watchers == 1 ? " watcher" : " watchers"),
        Aim::kLower,
        {},
        {}};
    for (const Target& t : targets) {
      const WatchLatency l = MeasureWatchLatency(t, watchers, flags.events,
                                                 std::chrono::milliseconds(flags.interval_ms));
      (is_embedded(t) ? p50.embedded : p50.real) = l.p50_ms;
      (is_embedded(t) ? p99.embedded : p99.real) = l.p99_ms;
      std::fprintf(stderr, "apiserver_bench: watch, %d watchers, %-8s p50 %.2f p99 %.2f (%zu)\n",
                   watchers, t.name.c_str(), l.p50_ms, l.p99_ms, l.samples);
    }
    rows.push_back(p50);
    rows.push_back(p99);
  }

  // 3. Memory with --stored Rollouts: fill up (4 clients) to that many in `default`, let the
  // servers settle, read VmRSS.
  const int fill = flags.stored - 2 * writes - 3;  // 3 watched objects
  measure({"fill", Aim::kHigher, {}, {}},
          [&](const Target& t) { return Rate(t, fill, 4, create("f"), "fill"); });
  std::this_thread::sleep_for(std::chrono::seconds(5));
  rows.push_back(idle_memory);
  rows.push_back(measure(
      {"RSS MiB, " + std::to_string(flags.stored) + " Rollouts stored", Aim::kTenth, {}, {}},
      [&](const Target& t) { return mib(t.ResidentSum()); }));
  std::vector<std::string> memory_parts;
  for (const Target& t : targets) {
    for (const auto* list : {&t.memory, &t.beside}) {
      for (const Measured& m : *list) {
        char text[128];
        std::snprintf(text, sizeof text, "%s%s %.0f MiB", m.name.c_str(),
                      list == &t.beside ? " (not summed)" : "", mib(ResidentBytes(m.pid)));
        memory_parts.push_back(text);
      }
    }
  }
  // Every Rollout is really there: a list per server.
  for (const Target& t : targets) {
    const size_t listed =
        OrDie(t.NewClient()->ListAll(kRollouts, "default"), t.name + ": list").items.size();
    if (listed != static_cast<size_t>(flags.stored)) {
      DieMessage(t.name + ": " + std::to_string(listed) + " Rollouts listed, expected " +
                 std::to_string(flags.stored));
    }
  }

  PrintTable(rows);
  std::printf("memory parts with %d Rollouts:", flags.stored);
  for (size_t i = 0; i < memory_parts.size(); ++i) {
    std::printf("%s %s", i == 0 ? "" : ",", memory_parts[i].c_str());
  }
  std::printf("\n\n");

  // Baseline: raw SQLite beside each server's write rates.
  const double raw = (raw_before + raw_after) / 2;
  std::printf("%-44s %12s %10s %10s\n", "writes per second vs raw SQLite", "embedded", "real",
              "raw");
  std::printf("%-44s %12s %10s %10.0f   (runs: %.0f, %.0f)\n",
              "raw SQLite insert (WAL, synchronous=FULL)", "", "", raw, raw_before, raw_after);
  for (size_t i = 0; i < 4; ++i) {
    const auto share = [&](const std::optional<double>& v) {
      char text[32] = "-";
      if (v.has_value()) std::snprintf(text, sizeof text, "%.2f", *v / raw);
      return std::string(text);
    };
    std::printf("%-44s %12s %10s %10s\n", rows[i].name.c_str(), share(rows[i].embedded).c_str(),
                share(rows[i].real).c_str(), "1.00");
  }
  std::printf("\n");

  // Baseline: the informer cache's bytes per Rollout beside the JSON text. The servers run in
  // other processes, so this process's heap growth is the cache's (and the client's buffers).
  {
    const Target& t = targets.front();
    auto client = t.NewClient();
    auto informer =
        std::make_unique<kube::Informer>(kube::NewListerWatcher(*client, kRollouts, "default"));
    informer->Start();
    if (!informer->WaitForSync(std::chrono::minutes(2))) {
      Die("informer sync", informer->LastError());
    }
    const size_t count = informer->cache().Size();
    const double approximate =
        static_cast<double>(informer->cache().ApproximateBytes()) / static_cast<double>(count);
    informer->Stop();
    malloc_trim(0);
    const size_t with_cache = HeapInUse();
    informer.reset();
    const size_t without_cache = HeapInUse();
    std::printf("%-44s %12s\n", ("memory per cached Rollout (from " + t.name + ")").c_str(),
                "bytes");
    std::printf("%-44s %12zu\n", "JSON text of one Rollout (baseline)", doc.size());
    std::printf("%-44s %12.0f\n",
                ("informer cache, heap freed / object (" + std::to_string(count) + ")").c_str(),
                static_cast<double>(with_cache - without_cache) / static_cast<double>(count));
    std::printf("%-44s %12.0f\n", "informer cache, ApproximateBytes / object", approximate);
  }

  Cleanup::Get().RunAll();
  std::printf("\nwall time %.0f s (servers started and stopped included)\n",
              std::chrono::duration<double>(Clock::now() - started).count());
  std::error_code ignored;
  fs::remove_all(dir.path, ignored);
  return 0;
}

}  // namespace
}  // namespace devflow::bench

int main(int argc, char** argv) { return devflow::bench::Main(argc, argv); }
