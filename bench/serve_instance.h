// A `devflow serve --no-runtime` the benchmarks start as a separate process in a fresh data
// directory on a free loopback port, stopped and removed by the Cleanup on every way out, and a
// client to it without a client-side rate limit (the benchmarks measure the server and the
// controllers, not a limiter). Benchmark-only.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace devflow::kube {
class ApiClient;
}

namespace devflow::bench {

struct ServeInstance {
  pid_t pid = -1;
  std::string dir;         // its data directory
  std::string kubeconfig;  // dir + "/kubeconfig", written once it serves
};

// Starts `devflow serve --no-runtime --controllers=<controllers>` ("none", "analysis", ...) in a
// new /tmp/<prefix>-XXXXXX directory and waits (up to 30 s) for its kubeconfig. Dies with the
// tail of its log when it does not come up.
ServeInstance StartServe(const std::string& devflow, const std::string& controllers,
                         const std::string& prefix);

// A client of `serve` with no client-side rate limit. Dies when the kubeconfig does not load.
std::unique_ptr<kube::ApiClient> ConnectUnlimited(const ServeInstance& serve);

}  // namespace devflow::bench
