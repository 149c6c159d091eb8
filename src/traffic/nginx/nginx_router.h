// NginxRouter: the `nginx` traffic router (spec.strategy.canary.trafficRouting.nginx) for
// ingress-nginx. For each stable Ingress (stableIngress, or each of stableIngresses) it keeps a
// canary Ingress `<rollout>-<stableIngress>-canary` that carries the canary weight
// (canary_ingress.h has the rules, including why header and mirror routes are ignored).
//
// Objects: Ingress networking.k8s.io/v1 `ingresses` in the Rollout's namespace. The stable
// Ingress is only read; the canary Ingress is created when missing and owned by the Rollout, so
// Kubernetes' garbage collector deletes it with the Rollout.
//
// Verify returns kNotSupported: ingress-nginx reports no weights (nor does Argo verify them).
//
// Thread-safety: immutable after MakeNginxRouter; Apply may run concurrently on any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/rollout_traffic_routing.h"
#include "common/result.h"
#include "kube/api_types.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::nginx {

// The REST resource the router reads and writes.
kube::ResourceRef IngressResource();

// Checks trafficRouting.nginx once. InvalidArgument, with the first bad field's path and every
// problem in the message, when: neither or both of stableIngress and stableIngresses are set;
// a stableIngresses entry is empty or repeated.
Status ValidateNginxConfig(const api::NginxTrafficRouting& config);

// A router for `config`, or the error of ValidateNginxConfig.
Result<std::unique_ptr<TrafficRouter>> MakeNginxRouter(const api::NginxTrafficRouting& config);

class NginxRouter final : public TrafficRouter {
 public:
  // REQUIRES: ValidateNginxConfig(config).ok(); use MakeNginxRouter.
  explicit NginxRouter(api::NginxTrafficRouting config);

  std::string Type() const override { return "nginx"; }

  // For each stable Ingress in order: reads it, reads its canary Ingress, creates the canary
  // when missing or updates it when it differs from the desired form (conditionally on the read
  // resourceVersion). A Conflict or AlreadyExists (another writer came first) re-reads and
  // retries, up to kConflictRetries times.
  // Errors: NotFound naming the stable Ingress and the field that names it; InvalidArgument
  // when a stable Ingress has no stableService backend or an object does not decode;
  // FailedPrecondition when the canary Ingress's name is taken by an object this Rollout does
  // not control; the API's error otherwise.
  Status Apply(const TrafficTargets& targets, ObjectAccess& objects) const override;

  static constexpr int kConflictRetries = 3;

 private:
  struct StableIngress {
    std::string name;
    std::string path;  // spec.strategy.canary.trafficRouting.nginx.stableIngress(es[i])
  };

  Status ApplyOne(const StableIngress& stable, const TrafficTargets& targets,
                  ObjectAccess& objects) const;

  api::NginxTrafficRouting config_;
  std::vector<StableIngress> stable_ingresses_;
};

}  // namespace devflow::traffic::nginx
