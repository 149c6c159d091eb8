// `devflow serve`: runs the embedded API server, the rollout and ReplicaSet controllers and, unless
// --no-runtime, the one-machine runtime (pods as processes, Services and HTTPRoutes on HAProxy:
// src/node/node_runtime.h) until SIGINT or SIGTERM. Stopping leaves the pods' processes and
// HAProxy serving; the next `devflow serve` on the same data directory adopts them.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace devflow::cli {

struct ServeFlags {
  std::string data_dir;  // --data-dir; empty: apiserver::DefaultDataDir()
  std::string listen;    // --listen HOST:PORT; empty: apiserver::kDefaultListen
  bool tls = true;       // --no-tls turns it off
  bool runtime = true;   // --no-runtime: the API server and controllers only, no pods run
  // --controllers: which controllers run here, as kube-controller-manager's flag: "replicaset",
  // "job", "rollout", "analysis" and "experiment" (the default: all), or "none" (run `devflow
  // controller` against this server instead, as on a cluster). --no-controllers is
  // --controllers=none.
  std::vector<std::string> controllers = {"replicaset", "job", "rollout", "analysis", "experiment"};
  std::string bind_address = "127.0.0.1";  // --bind-address: LoadBalancer ports, Gateways
  std::string node_name;                   // --node-name; empty: the host name
  std::string haproxy = "haproxy";         // --haproxy: the HAProxy binary
};

// Returns the process exit code: 0 after a clean stop on a signal, 1 when something could not
// start (the reason is printed to `err`).
int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace devflow::cli
