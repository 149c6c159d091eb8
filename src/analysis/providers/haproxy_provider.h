// HaproxyProvider: devflow's own MetricProvider `provider.haproxy` (not in Argo Rollouts). It
// measures the one-machine data plane (docs/architecture.md, src/node/haproxy_config.h) from
// HAProxy's own statistics, so a canary can be judged without a Prometheus.
//
//   provider:
//     haproxy:
//       podTemplateHash: "{{args.canary-hash}}"  # the servers of one revision, and/or
//       service: web                    # the backends of one Service (every port), in the
//                                       # AnalysisRun's namespace; at least one of the two
//       metric: errorRate               # errorRate | requestRate | responseTime | totalTime
//       window: 10s                     # Go duration, default 10s, at most 5m
//       socket: /path/to/runtime.sock   # default: the node runtime's (HaproxyRuntimeSocket)
//
// A measurement reads `show stat` over HAProxy's runtime (stats) socket twice, `window` apart,
// and differences the per-server counters of the selected servers (the provider keeps no state
// between measurements):
//   requestRate   requests / window in requests per second (req_tot, or stot when empty);
//   errorRate     5xx responses / all responses (hrsp_5xx over hrsp_1xx..hrsp_5xx + hrsp_other);
//   responseTime  mean time to the response headers, in seconds (HAProxy's rtime);
//   totalTime     mean total session time, in seconds (HAProxy's ttime).
// HAProxy keeps rtime and ttime only as averages over each server's last 1,024 requests, not as
// counters, so the two time metrics are each selected server's average at the end of the window,
// weighted by its responses in the window: exact when a server answered at least 1,024 requests
// in the window, otherwise partly older. A counter that went down (HAProxy restarted, a server
// re-added) counts from zero, as Prometheus' increase() does.
//
// The Reading: result a number (0.02) and value its text ("0.02"); metadata holds the counts
// (servers, requests, responses, responses5xx) and the window. No response in the window, or no
// server selected: result null, value "", and a message saying which (the core's "no data" rule
// applies; a condition may use `default(result, 0)`).
//
// Which servers serve a revision. The proxy manager names each server after its pod
// (HaproxyServerName), and a ReplicaSet's pods are named "<replicaset>-<5 characters>" with the
// ReplicaSet named "<rollout>-<pod-template-hash>", so a server serves revision H when its name
// ends in "-H-" and five characters (ServerNameHasRevision). Kubernetes truncates the
// ReplicaSet part of a pod name beyond 57 characters (rollout names over about 46 characters),
// which can cut the hash off: a caller that can list pods sets
// HaproxyProviderOptions::revision_servers to map a hash to its pods' names instead.
//
// Thread-safety: the provider holds only its options; Measure may be called from several threads
// at once (each call blocks for its window).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/metric_provider.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::analysis::providers {

// The window when provider.haproxy.window is not set, and the longest one accepted (a
// measurement blocks its caller for the window).
inline constexpr std::chrono::seconds kHaproxyDefaultWindow{10};
inline constexpr std::chrono::minutes kHaproxyMaxWindow{5};

// What a measurement computes (provider.haproxy.metric).
enum class HaproxyMetric {
  kErrorRate,     // errorRate
  kRequestRate,   // requestRate
  kResponseTime,  // responseTime
  kTotalTime,     // totalTime
};

// provider.haproxy, decoded.
struct HaproxyMetricConfig {
  std::string pod_template_hash;  // podTemplateHash; empty: every revision
  std::string service;            // service; empty: every Service of the namespace
  HaproxyMetric metric = HaproxyMetric::kErrorRate;         // metric (required)
  std::chrono::nanoseconds window = kHaproxyDefaultWindow;  // window
  std::string socket;  // socket; empty: HaproxyProviderOptions::default_socket
  friend bool operator==(const HaproxyMetricConfig&, const HaproxyMetricConfig&) = default;
};

// Decodes provider.haproxy (arguments already substituted). Errors: InvalidArgument with the
// field path ("provider.haproxy.window: ...") for a value that is not an object, an unknown key
// (the known ones are named), a field of the wrong type, an unknown metric, a window that is not
// a Go duration in (0, 5m], and neither podTemplateHash nor service set.
Result<HaproxyMetricConfig> DecodeHaproxyMetricConfig(const json::Value& haproxy);

// One row of `show stat`: a backend (server == "BACKEND") or one of its servers.
struct HaproxyStatRow {
  std::string backend;           // pxname: HaproxyProxyName of "<namespace>/<service>:<port>"
  std::string server;            // svname
  bool is_server = false;        // type 2
  int64_t requests = 0;          // req_tot, or stot when req_tot is empty
  int64_t responses = 0;         // hrsp_1xx + ... + hrsp_5xx + hrsp_other
  int64_t responses_5xx = 0;     // hrsp_5xx
  int64_t response_time_ms = 0;  // rtime: average over the last 1,024 requests
  int64_t total_time_ms = 0;     // ttime: likewise
  friend bool operator==(const HaproxyStatRow&, const HaproxyStatRow&) = default;
};

// Parses the CSV answer of `show stat`, reading columns by the header line ("# pxname,..."), so
// columns added by later HAProxy versions do not matter; empty cells count as 0. Rows of
// frontends and listeners are skipped. Errors: InvalidArgument when the answer has no header
// (HAProxy answered with an error message, which is quoted) or a row has fewer cells than the
// columns it needs, or a needed cell is not an integer.
Result<std::vector<HaproxyStatRow>> ParseShowStat(std::string_view answer);

// Whether a server named `server` (a pod name) serves revision `pod_template_hash`: the name
// ends in "-<hash>-" and five characters [a-z0-9] (see the file comment). False for an empty hash.
bool ServerNameHasRevision(std::string_view server, std::string_view pod_template_hash);

// Which servers a measurement counts.
struct HaproxySelection {
  std::string namespace_;         // only backends "<namespace>.<service>:<port>"
  std::string service;            // empty: every Service of the namespace
  std::string pod_template_hash;  // empty: every server
  // Set: the names of the revision's servers (pods), replacing ServerNameHasRevision.
  std::optional<std::set<std::string>> revision_servers;
  friend bool operator==(const HaproxySelection&, const HaproxySelection&) = default;
};

// What the selected servers did between two readings.
struct HaproxyWindowCounts {
  int servers = 0;  // selected servers in the second reading
  int64_t requests = 0;
  int64_t responses = 0;
  int64_t responses_5xx = 0;
  // Sums over servers of (its rtime / ttime in ms at the end) x (its responses in the window).
  double response_time_ms_weighted = 0;
  double total_time_ms_weighted = 0;
  friend bool operator==(const HaproxyWindowCounts&, const HaproxyWindowCounts&) = default;
};

// Differences the counters of the servers `selection` picks from `before` to `after` (a server
// missing from `before`, or whose counter went down, counts from zero). Errors: NotFound when
// `selection.service` is set and `after` holds no backend of that Service in the namespace (a
// misspelt name, or a Service HAProxy does not route).
Result<HaproxyWindowCounts> CountWindow(const HaproxySelection& selection,
                                        const std::vector<HaproxyStatRow>& before,
                                        const std::vector<HaproxyStatRow>& after);

// Shapes the counts into a Reading (see the file comment). `window` is the configured one.
Reading HaproxyReading(HaproxyMetric metric, const HaproxyWindowCounts& counts,
                       std::chrono::nanoseconds window);

// The runtime socket the node runtime opens under a data directory (src/node/proxy_manager.cc
// keeps it at <data_dir>/haproxy/runtime.sock): the default `socket` for `devflow serve`.
std::filesystem::path HaproxyRuntimeSocket(const std::filesystem::path& data_dir);

struct HaproxyProviderOptions {
  // Used when provider.haproxy.socket is empty; HaproxyRuntimeSocket(data dir) under
  // `devflow serve`. Empty: such a metric fails with InvalidArgument naming
  // provider.haproxy.socket.
  std::filesystem::path default_socket;
  // Optional: the names of the pods (HAProxy servers) of revision `hash` in `namespace_`, e.g.
  // read from the pods' rollouts-pod-template-hash label. Unset: ServerNameHasRevision.
  std::function<Result<std::set<std::string>>(const std::string& namespace_,
                                              const std::string& hash)>
      revision_servers;
  // Blocks for the window between the two readings. Unset: std::this_thread::sleep_for. Tests
  // replace it (to send traffic inside the window, or to skip the wait).
  std::function<void(std::chrono::nanoseconds)> wait;
  // The bound on each `show stat` exchange.
  std::chrono::milliseconds socket_timeout = std::chrono::seconds(5);
};

class HaproxyProvider : public MetricProvider {
 public:
  explicit HaproxyProvider(HaproxyProviderOptions options = {}) : options_(std::move(options)) {}

  // Takes one measurement of request.metric.provider.haproxy, blocking for its window. Errors:
  // DecodeHaproxyMetricConfig's; InvalidArgument (provider.haproxy.socket) when no socket is
  // configured; Unavailable when the socket cannot be reached (HAProxy not running) and
  // DeadlineExceeded when it does not answer; ParseShowStat's; revision_servers' errors;
  // CountWindow's NotFound.
  Result<Reading> Measure(const MeasurementRequest& request) override;

 private:
  HaproxyProviderOptions options_;
};

}  // namespace devflow::analysis::providers
