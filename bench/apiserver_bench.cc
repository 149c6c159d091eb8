// The embedded API server under load, with its baselines measured in the same run:
//   1. writes: creates/s and updates/s of Rollouts through the REST API (devflow's client over
//      loopback HTTP) beside raw SQLite inserts/s (one transaction per insert, WAL,
//      synchronous=FULL: the store's own durability setting);
//   2. watch latency: p50/p99 from the start of a write to each watcher reading its event, at 1,
//      10 and 100 watchers;
//   3. memory: heap bytes per Rollout held by an informer cache of 10,000 Rollouts, beside the
//      JSON text's own size.
// Usage: apiserver_bench [--writes N] [--events N] [--cached N]
#include <malloc.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "api/manifest_reader.h"
#include "apiserver/api_server.h"
#include "common/json_reader.h"
#include "common/json_value.h"
#include "kube/api_client.h"
#include "kube/informer.h"
#include "kube/list_watcher.h"
#include "sample_rollout.h"

namespace devflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "apiserver_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

template <class T>
T OrDie(Result<T> result, const std::string& what) {
  if (!result.ok()) Die(what, result.status());
  return std::move(result).value();
}

struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/devflow-bench-XXXXXX";
    if (mkdtemp(pattern) == nullptr) std::abort();
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

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

const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};

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

std::unique_ptr<kube::ApiClient> ClientFor(apiserver::ApiServer& server) {
  kube::ClientConfig config;
  config.server = OrDie(kube::ParseServerUrl(server.url(), false), "server url");
  config.ca_pem = server.ca_pem();
  config.credentials = kube::BearerToken{server.token()};
  kube::ApiClientOptions options;
  options.qps = 0;  // measure the server, not the client's limiter
  return OrDie(kube::ApiClient::Create(config, options), "client");
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// Each event carries the steady-clock time its write started, in an annotation, so a watcher
// in this process measures write->event latency without matching versions.
constexpr const char* kSentAnnotation = "bench.devflow.io/sent-ns";

struct WatchLatency {
  double p50_ms = 0, p99_ms = 0;
  size_t samples = 0;
};

WatchLatency MeasureWatchLatency(apiserver::ApiServer& server, int watchers, int events) {
  auto writer = ClientFor(server);
  const std::string name = "watched-" + std::to_string(watchers);
  json::Value object = SampleRollout(name);
  object = OrDie(writer->Create(kRollouts, "default", object), "create watched");
  const std::string start_version = object.Find("metadata")->Find("resourceVersion")->as_string();

  std::vector<std::vector<double>> latencies(watchers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < watchers; ++w) {
    threads.emplace_back([&, w] {
      auto client = ClientFor(server);
      kube::WatchRequest request;
      request.resource_version = start_version;
      request.field_selector = "metadata.name=" + name;
      auto stream = OrDie(client->Watch(kRollouts, "default", request), "watch");
      ready.fetch_add(1);
      int seen = 0;
      while (seen < events) {
        auto event = stream->Next(std::chrono::seconds(30));
        if (!event.ok() || !event->has_value()) Die("watch read", event.status());
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
  // Let the watch requests reach the hub before the first write.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int i = 0; i < events; ++i) {
    const int64_t sent = Clock::now().time_since_epoch().count();
    json::Value patch = json::Object{
        {"metadata",
         json::Object{{"annotations", json::Object{{kSentAnnotation, std::to_string(sent)}}}}}};
    OrDie(writer->Patch(kRollouts, "default", name, kube::PatchType::kMerge, patch), "patch");
  }
  for (std::thread& t : threads) t.join();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return {Percentile(all, 0.50), Percentile(all, 0.99), all.size()};
}

size_t HeapInUse() { return mallinfo2().uordblks; }

}  // namespace
}  // namespace devflow::bench

int main(int argc, char** argv) {
  using namespace devflow;
  using namespace devflow::bench;
  int writes = 2000, events = 300, cached = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--writes")
      writes = value;
    else if (flag == "--events")
      events = value;
    else if (flag == "--cached")
      cached = value;
  }
  TempDir dir;
  apiserver::ApiServerOptions options;
  options.data_dir = dir.path + "/server";
  options.listen = "127.0.0.1:0";
  options.history_window = std::max(10000, cached * 2);
  auto server = OrDie(apiserver::ApiServer::Start(options), "start server");
  auto client = ClientFor(*server);
  const std::string doc = json::Write(SampleRollout("r"));

  std::printf(
      "devflow apiserver_bench: Rollouts of %zu bytes, %d writes, %d events per watcher\n\n",
      doc.size(), writes, events);

  // 1. Writes. The baseline runs before and after the API server's writes (fsync times drift
  // with whatever else the disk does); the table shows their mean.
  const double raw_before = RawSqliteInsertsPerSecond(dir.path + "/raw-before.db", writes, doc);
  auto start = Clock::now();
  for (int i = 0; i < writes; ++i) {
    OrDie(client->Create(kRollouts, "default", SampleRollout("w" + std::to_string(i))), "create");
  }
  const double creates = writes / std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  for (int i = 0; i < writes; ++i) {
    json::Value patch = json::Object{
        {"metadata", json::Object{{"labels", json::Object{{"bench", std::to_string(i)}}}}}};
    OrDie(client->Patch(kRollouts, "default", "w" + std::to_string(i), kube::PatchType::kMerge,
                        patch),
          "update");
  }
  const double updates = writes / std::chrono::duration<double>(Clock::now() - start).count();
  // The same creates from 4 clients at once: the store commits one write at a time, but the
  // HTTP, TLS and validation work of one request overlaps another's commit.
  constexpr int kWriters = 4;
  start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; ++t) {
      threads.emplace_back([&, t] {
        auto own = ClientFor(*server);
        for (int i = t; i < writes; i += kWriters) {
          OrDie(own->Create(kRollouts, "default", SampleRollout("c" + std::to_string(i))),
                "concurrent create");
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  const double concurrent_creates =
      writes / std::chrono::duration<double>(Clock::now() - start).count();
  const double raw_after = RawSqliteInsertsPerSecond(dir.path + "/raw-after.db", writes, doc);
  const double raw = (raw_before + raw_after) / 2;
  std::printf("%-44s %12s %10s\n", "writes", "per second", "vs raw");
  std::printf("%-44s %12.0f %10s   (runs: %.0f, %.0f)\n",
              "raw SQLite insert (WAL, synchronous=FULL)", raw, "1.00", raw_before, raw_after);
  std::printf("%-44s %12.0f %10.2f\n", "REST create (Rollout, validated)", creates, creates / raw);
  std::printf("%-44s %12.0f %10.2f\n", "REST update (merge patch)", updates, updates / raw);
  std::printf("%-44s %12.0f %10.2f\n\n", "REST create, 4 clients at once", concurrent_creates,
              concurrent_creates / raw);

  // 2. Watch latency.
  std::printf("%-44s %10s %10s %10s\n", "watch latency, write start -> event", "p50 ms", "p99 ms",
              "samples");
  for (int watchers : {1, 10, 100}) {
    WatchLatency l = MeasureWatchLatency(*server, watchers, events);
    std::printf("%-44s %10.2f %10.2f %10zu\n", (std::to_string(watchers) + " watchers").c_str(),
                l.p50_ms, l.p99_ms, l.samples);
  }
  std::printf("\n");

  // 3. Informer cache memory.
  for (int i = 2 * writes; i < cached; ++i) {
    OrDie(client->Create(kRollouts, "default", SampleRollout("w" + std::to_string(i))), "fill");
  }
  // The server runs in this process, so heap growth during the sync is partly its own (SQLite's
  // page cache, response buffers). The cache's share is what destroying the informer frees.
  {
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
    std::printf("%-44s %12s\n", "memory per cached Rollout", "bytes");
    std::printf("%-44s %12zu\n", "JSON text of one Rollout (baseline)", doc.size());
    std::printf("%-44s %12.0f\n",
                ("informer cache, heap freed / object (" + std::to_string(count) + ")").c_str(),
                static_cast<double>(with_cache - without_cache) / static_cast<double>(count));
    std::printf("%-44s %12.0f\n", "informer cache, ApproximateBytes / object", approximate);
  }
  server->Stop();
  return 0;
}
