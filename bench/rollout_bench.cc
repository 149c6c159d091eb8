// The rollout controller at scale (issue 5): for each --rollouts N (default 1,000 and 10,000),
// `devflow serve --no-runtime --controllers=none` holds the objects and `devflow controller`
// (a separate process, so its memory and CPU are its own) reconciles them, while this process
// plays the world: it creates N blue/green Rollouts (auto-promotion, one replica each) with
// their active Services, plays the ReplicaSet controller and kubelet (each ReplicaSet's
// replicas become available as soon as they are asked for), and watches the Rollouts.
//
// Printed per N:
//   - the time until all N are Healthy after creation, and after a `set image` on all of them
//     (the new ReplicaSet up, the active Service switched, the new version stable);
//   - reconciles per second over both phases, and the controller's CPU time per reconcile;
//   - the controller's peak resident set (VmHWM);
// and, as the baseline measured in the same run, the peak resident set of this process, which
// caches the same Rollouts and ReplicaSets in the same informers without reconciling anything:
// the difference is what the controller's own work costs.
//
// The controller runs with --qps 0 (no client-side rate limit): the figures are the
// controller's and the embedded server's, not a limiter's. Argo's default (40 qps) would make
// 10,000 Rollouts take minutes by design.
//
// Usage: rollout_bench [--rollouts N[,N...]] [--devflow PATH]
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
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
#include "kube/api_client.h"
#include "kube/informer.h"
#include "kube/object_cache.h"
#include "serve_instance.h"

namespace devflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};
const kube::ResourceRef kReplicaSets{"apps", "v1", "replicasets", "ReplicaSet", true};
const kube::ResourceRef kServices{"", "v1", "services", "Service", true};
constexpr char kNamespace[] = "default";
constexpr int kWriters = 8;

json::Value Parse(const std::string& text) { return OrDie(json::Parse(text), "parsing JSON"); }

std::string RolloutJson(int i) {
  const std::string name = "app-" + std::to_string(i);
  return R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
    "metadata": {"name": ")" +
         name + R"("},
    "spec": {"replicas": 1, "revisionHistoryLimit": 2,
      "selector": {"matchLabels": {"app": ")" +
         name + R"("}},
      "template": {"metadata": {"labels": {"app": ")" +
         name + R"("}},
        "spec": {"containers": [{"name": "app", "image": "demo:blue",
          "ports": [{"name": "http", "containerPort": 8080}]}]}},
      "strategy": {"blueGreen": {"activeService": ")" +
         name + R"(", "scaleDownDelaySeconds": 30}}}})";
}

std::string ServiceJson(int i) {
  const std::string name = "app-" + std::to_string(i);
  return R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": ")" + name +
         R"("}, "spec": {"selector": {"app": ")" + name + R"("}, "ports": [{"port": 80}]}})";
}

// Plays the ReplicaSet controller and the kubelet: every ReplicaSet whose status lags its spec
// gets status.replicas = readyReplicas = availableReplicas = spec.replicas.
class FakeKubelet {
 public:
  FakeKubelet(kube::ApiClient& client, kube::Informer& replica_sets)
      : client_(client), replica_sets_(replica_sets) {
    replica_sets_.AddEventHandler(kube::EventHandlers{
        .on_add = [this](const json::Value& rs) { Offer(rs); },
        .on_update = [this](const json::Value&, const json::Value& rs) { Offer(rs); },
        .on_delete = [](const json::Value&) {},
    });
    for (int i = 0; i < kWriters; ++i) workers_.emplace_back([this] { Run(); });
  }
  ~FakeKubelet() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

 private:
  static int64_t Int(const json::Value& rs, const char* section, const char* field,
                     int64_t otherwise) {
    const json::Value* part = rs.Find(section);
    const json::Value* value = part != nullptr ? part->Find(field) : nullptr;
    return value != nullptr && value->is_int() ? value->as_int() : otherwise;
  }
  static bool Lags(const json::Value& rs) {
    const int64_t want = Int(rs, "spec", "replicas", 1);
    return Int(rs, "status", "availableReplicas", 0) != want ||
           Int(rs, "status", "replicas", 0) != want;
  }
  void Offer(const json::Value& rs) {
    if (!Lags(rs)) return;
    Result<std::string> key = kube::ObjectKey(rs);
    if (!key.ok()) return;
    {
      std::lock_guard lock(mu_);
      queue_.push_back(*key);
    }
    cv_.notify_one();
  }
  void Run() {
    for (;;) {
      std::string key;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        key = queue_.front();
        queue_.pop_front();
      }
      std::optional<json::Value> rs = replica_sets_.cache().Get(key);
      if (!rs || !Lags(*rs)) continue;
      const int64_t want = Int(*rs, "spec", "replicas", 1);
      json::Value updated = *rs;
      updated["status"] =
          json::Object{{"replicas", want},
                       {"readyReplicas", want},
                       {"availableReplicas", want},
                       {"observedGeneration", Int(*rs, "metadata", "generation", 1)}};
      // A Conflict means a newer version is on its way through the informer, which offers it.
      (void)client_.UpdateStatus(kReplicaSets, kNamespace, updated);
    }
  }

  kube::ApiClient& client_;
  kube::Informer& replica_sets_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// Counts Rollouts that are Healthy with their current hash stable and (after the update) not
// `old_hash_of[name]`.
size_t CountHealthy(kube::Informer& rollouts, bool updated,
                    const std::map<std::string, std::string>& first_hash) {
  size_t healthy = 0;
  for (const json::Value& rollout : rollouts.cache().List()) {
    if (json::StringAt(rollout, {"status", "phase"}) != "Healthy") continue;
    const std::string current = json::StringAt(rollout, {"status", "currentPodHash"});
    if (current.empty() || json::StringAt(rollout, {"status", "stableRS"}) != current) continue;
    if (updated) {
      auto first = first_hash.find(json::StringAt(rollout, {"metadata", "name"}));
      if (first == first_hash.end() || first->second == current) continue;
    }
    ++healthy;
  }
  return healthy;
}

// Polls until `count()` reaches `n`; returns the seconds it took, or dies after `limit`.
template <class F>
double Await(const std::string& what, size_t n, F count, std::chrono::seconds limit) {
  const auto start = Clock::now();
  size_t last = 0;
  while ((last = count()) < n) {
    if (Clock::now() - start > limit) {
      DieMessage(what + ": only " + std::to_string(last) + " of " + std::to_string(n) + " after " +
                 std::to_string(limit.count()) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Figures {
  int rollouts = 0;
  double create_seconds = 0;
  double update_seconds = 0;
  uint64_t reconciles = 0;
  double controller_cpu = 0;
  size_t controller_peak = 0;
  size_t baseline_peak = 0;
  std::string cpu_distribution;  // "p50 .. ms, p99 .. ms, max .. ms" of single reconciles
};

Figures Measure(int n, const std::string& devflow) {
  Figures figures;
  figures.rollouts = n;
  const ServeInstance serve_instance = StartServe(devflow, "none", "rollout-bench");
  const std::string& dir = serve_instance.dir;
  const std::string& kubeconfig = serve_instance.kubeconfig;
  std::unique_ptr<kube::ApiClient> client = ConnectUnlimited(serve_instance);
  kube::InformerFactory informers(*client);
  kube::Informer& rollouts = informers.For(kRollouts);
  FakeKubelet kubelet(*client, informers.For(kReplicaSets));
  informers.Start();

  const std::string controller_log = dir + "/controller.log";
  const pid_t controller = Spawn({devflow, "--kubeconfig", kubeconfig, "controller",
                                  "--no-leader-elect", "--qps", "0", "--burst", "0"},
                                 controller_log);
  if (controller < 0) DieMessage("cannot start devflow controller");
  Cleanup::Get().Add([controller] { StopGroup(controller, std::chrono::seconds(10)); });

  // Phase 1: create; all Healthy.
  const auto created_at = Clock::now();
  Parallel(n, kWriters, [&](int i) {
    OrDie(client->Create(kServices, kNamespace, Parse(ServiceJson(i))), "creating a Service");
    OrDie(client->Create(kRollouts, kNamespace, Parse(RolloutJson(i))), "creating a Rollout");
  });
  const std::map<std::string, std::string> none;
  Await(
      "Healthy after creation", static_cast<size_t>(n),
      [&] { return CountHealthy(rollouts, false, none); }, std::chrono::seconds(1800));
  figures.create_seconds = std::chrono::duration<double>(Clock::now() - created_at).count();

  // Phase 2: `set image` on all; all Healthy on the new version.
  std::map<std::string, std::string> first_hash;
  for (const json::Value& rollout : rollouts.cache().List()) {
    first_hash[json::StringAt(rollout, {"metadata", "name"})] =
        json::StringAt(rollout, {"status", "currentPodHash"});
  }
  const json::Value set_image = Parse(
      R"([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
           "value": "demo:green"}])");
  const auto updated_at = Clock::now();
  Parallel(n, kWriters, [&](int i) {
    OrDie(client->Patch(kRollouts, kNamespace, "app-" + std::to_string(i), kube::PatchType::kJson,
                        set_image),
          "setting an image");
  });
  Await(
      "Healthy after set image", static_cast<size_t>(n),
      [&] { return CountHealthy(rollouts, true, first_hash); }, std::chrono::seconds(1800));
  figures.update_seconds = std::chrono::duration<double>(Clock::now() - updated_at).count();

  figures.controller_peak = StatusBytes(controller, "VmHWM");
  figures.controller_cpu = CpuSeconds(controller);
  figures.baseline_peak = StatusBytes(::getpid(), "VmHWM");
  ::kill(controller, SIGTERM);
  WaitFor(controller, std::chrono::seconds(30));
  const std::string log = ReadFile(controller_log);
  const size_t at = log.find("stopping after ");
  if (at == std::string::npos) DieMessage("the controller did not report its reconciles: " + log);
  figures.reconciles = std::stoull(log.substr(at + 15));
  const size_t cpu = log.find("CPU per reconcile ", at);
  if (cpu != std::string::npos) {
    figures.cpu_distribution = log.substr(cpu + 18, log.find(')', cpu) - cpu - 18);
  }
  informers.Stop();
  return figures;
}

}  // namespace
}  // namespace devflow::bench

int main(int argc, char** argv) {
  using namespace devflow::bench;
  SetProgramName("rollout_bench");
  HandleStopSignals();
  std::vector<int> sizes = {1000, 10000};
  std::string devflow = DEVFLOW_BINARY;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--rollouts" && i + 1 < argc) {
      sizes.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoi(item));
    } else if (arg == "--devflow" && i + 1 < argc) {
      devflow = argv[++i];
    } else {
      DieMessage("usage: rollout_bench [--rollouts N[,N...]] [--devflow PATH]");
    }
  }
  std::printf("%-9s %12s %12s %13s %15s %16s %16s\n", "rollouts", "healthy (s)", "set image (s)",
              "reconciles/s", "cpu/reconcile", "controller peak", "baseline peak");
  for (int n : sizes) {
    const Figures f = Measure(n, devflow);
    const double seconds = f.create_seconds + f.update_seconds;
    std::printf("%-9d %12.1f %12.1f %13.0f %12.3f ms %16s %16s\n", f.rollouts, f.create_seconds,
                f.update_seconds, static_cast<double>(f.reconciles) / seconds,
                1000.0 * f.controller_cpu / static_cast<double>(f.reconciles),
                Mib(f.controller_peak).c_str(), Mib(f.baseline_peak).c_str());
    std::printf("          single reconciles' CPU on their worker thread: %s\n",
                f.cpu_distribution.c_str());
    std::fflush(stdout);
    Cleanup::Get().RunAll();
  }
  std::printf(
      "controller: devflow controller --qps 0 (a process of its own); baseline: this process, "
      "which caches the same Rollouts and ReplicaSets without reconciling\n");
  return 0;
}
