// `devflow controller`: the rollout controller alone, against any API server the kubeconfig
// names (a cluster's kube-apiserver, or a `devflow serve --no-controllers`), as Argo Rollouts'
// controller Deployment runs in a cluster. With --leader-elect (the default) several replicas
// may run: only the holder of the Lease reconciles; a replica that loses the lease exits (its
// restart contends again), as client-go's controllers do.
#pragma once

#include <iosfwd>
#include <string>

#include "cli/kube_flags.h"

namespace devflow::cli {

struct ControllerFlags {
  bool leader_elect = true;  // --leader-elect / --no-leader-elect
  // --leader-election-namespace: default the kubeconfig context's namespace
  std::string lease_namespace;
  std::string lease_name = "devflow-controller-lock";  // --leader-election-name
  int workers = 10;                                    // --rollout-threads (Argo's default)
  double qps = 40;                                     // --qps (Argo's default)
  int burst = 80;                                      // --burst (Argo's default)
};

// Runs until SIGINT/SIGTERM (exit 0), or until leadership is lost (exit 1). Returns 1 when the
// client cannot be made (the reason on `err`).
int RunController(const KubeFlags& kube_flags, const ControllerFlags& flags, std::ostream& out,
                  std::ostream& err);

}  // namespace devflow::cli
