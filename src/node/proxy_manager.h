// ProxyManager: keeps one HAProxy (Debian's 2.6, master-worker) doing what a ProxyState says.
//
// It starts HAProxy with a configuration generated into <state_dir>/haproxy/, a master CLI
// socket, a runtime (stats) socket with `expose-fd listeners`, and the Prometheus exporter on
// `stats_port`. Apply changes servers (address, port, state, weight) and routing weights through
// the runtime API, without a reload; only a listener set change (a new or removed port) or a
// rule structure change rewrites the configuration and reloads seamlessly (listening sockets are
// passed to the new worker; established connections finish on the old one). If HAProxy dies,
// the manager restarts it and re-applies the last desired state.
//
// A listener whose port is taken by another program is left out (HAProxy would refuse to start
// at all) and reported as a ListenerProblem; the others are served.
//
// Thread-safety: every member may be called from any thread; Apply calls are serialised.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "node/proxy_state.h"

namespace devflow::node {

struct ProxyManagerOptions {
  std::filesystem::path state_dir;         // config, sockets and pid files in state_dir/haproxy
  std::string haproxy_binary = "haproxy";  // looked up in PATH
  std::string stats_address = "127.0.0.1";
  int stats_port = 0;  // Prometheus exporter (/metrics); 0 = pick a free one
};

class ProxyManager {
 public:
  // Starts HAProxy (or adopts the one a previous run left, found by its pid file and master
  // socket) with no listeners. Errors: FailedPrecondition when haproxy is missing or too old;
  // Internal when it does not come up (the message carries HAProxy's own error lines).
  static Result<std::unique_ptr<ProxyManager>> Start(ProxyManagerOptions options);
  virtual ~ProxyManager() = default;

  // Makes HAProxy serve `desired`. Returns the listeners it cannot serve (port taken). Errors:
  // Internal when HAProxy refuses a change (the previous state stays in force).
  virtual Result<std::vector<ListenerProblem>> Apply(const ProxyState& desired) = 0;

  // The Prometheus exporter's URL, e.g. "http://127.0.0.1:41000/metrics".
  virtual std::string MetricsUrl() const = 0;

  // How many times the configuration was reloaded and HAProxy restarted since Start: lets tests
  // and the benchmark check that endpoint and weight changes do not reload.
  virtual int ReloadCount() const = 0;
  virtual int RestartCount() const = 0;

  // The HAProxy backend and server names a ProxyBackend/endpoint maps to, for metric queries
  // (haproxy_server_* and haproxy_backend_* series carry them as labels).
  virtual std::string BackendName(const std::string& proxy_backend) const = 0;

  // Whether HAProxy may still send new requests to the endpoint named `endpoint` (a pod): it is
  // serving in some backend of the state applied, or that state is unknown or being changed right
  // now. The kubelet asks before it signals a deleted pod's processes, so that a pod leaves the
  // data plane before it stops listening.
  virtual bool RoutesTo(const std::string& endpoint) const = 0;

  // Stops supervising. `stop_haproxy`: also stop HAProxy (tests); a stopping `devflow serve`
  // leaves it serving, and the next Start adopts it.
  virtual void Shutdown(bool stop_haproxy) = 0;
};

// Stops the HAProxy a stopped `devflow serve` left serving from `state_dir` (`devflow down`):
// SIGTERM to the master named by state_dir/haproxy/haproxy.pid, SIGKILL if it has not exited
// after a few seconds. A pid that is not a master started on this directory's socket is never
// signalled. Returns whether one was stopped. Errors: Internal when it does not exit.
// REQUIRES: no ProxyManager runs on `state_dir`.
Result<bool> StopLeftoverHaproxy(const std::filesystem::path& state_dir);

}  // namespace devflow::node
