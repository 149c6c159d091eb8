// TrafficRouter: one configured traffic router of a canary Rollout (a key under
// spec.strategy.canary.trafficRouting: `istio`, `nginx`, `plugins/argoproj-labs/gatewayAPI`),
// and what the controller asks of it.
//
// The controller decides what traffic should do (core/canary_traffic.h: the canary's weight, the
// hashes, which header and mirror routes are in force) and hands each router the whole desired
// state as one TrafficTargets value. A router reads the objects it manages through
// ObjectAccess, computes each object's desired form with a pure function (tested by tables in
// its own folder), and writes only what differs, each write conditional on the resourceVersion
// it read. Applying the same targets twice writes nothing the second time, so a crash between
// two writes converges on the next reconcile.
//
// Where Argo's interface has one verb per change (UpdateHash, SetWeight, SetHeaderRoute,
// SetMirrorRoute, RemoveManagedRoutes), devflow has Apply: the verbs' combined effect as one
// desired state, so an object is written at most once per reconcile and no intermediate state
// (new weight with the old hash) is ever visible to the data plane.
//
// Thread-safety: a router is immutable after construction (its configuration is validated once
// by its factory); Apply and Verify may run concurrently for different Rollouts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/rollout.h"
#include "common/json_value.h"
#include "common/result.h"
#include "common/status.h"
#include "kube/api_types.h"

namespace devflow::traffic {

// A destination beside canary and stable (an Experiment's Service, §4.8).
struct WeightDestination {
  std::string service_name;
  std::string pod_template_hash;
  int32_t weight = 0;
  friend bool operator==(const WeightDestination&, const WeightDestination&) = default;
};

// Everything a router needs to know about the traffic the Rollout wants now.
struct TrafficTargets {
  std::string rollout_name;
  std::string namespace_;
  std::string rollout_uid;     // for ownerReferences on objects a router creates
  std::string canary_service;  // spec.strategy.canary.canaryService
  std::string stable_service;  // spec.strategy.canary.stableService
  std::string canary_hash;     // rollouts-pod-template-hash the canary side selects
  std::string stable_hash;     // ... and the stable side
  int32_t canary_weight = 0;   // of max_weight
  int32_t max_weight = 100;    // trafficRouting.maxTrafficWeight (default 100)
  std::vector<WeightDestination> additional;
  // The current step's header and mirror routes in force (empty when none, or when
  // remove_managed_routes). Each name is in managed_routes.
  std::vector<api::SetHeaderRoute> header_routes;
  std::vector<api::SetMirrorRoute> mirror_routes;
  // trafficRouting.managedRoutes[].name in order: their precedence. A router deletes every
  // managed route not in header_routes/mirror_routes.
  std::vector<std::string> managed_routes;
  friend bool operator==(const TrafficTargets&, const TrafficTargets&) = default;
};

// The stable side's weight: max - canary - additional, floored at 0.
int32_t StableWeight(const TrafficTargets& targets);

// Whether the router has confirmed its data plane carries the weights (Argo's VerifyWeight).
enum class WeightVerification {
  kVerified,      // the data plane reports the desired weights
  kNotYet,        // not yet: re-check later (status.canary.weights.verified=false)
  kNotSupported,  // this router cannot tell (leave weights.verified unset)
};

// Reads and writes the objects a router manages. The controller implements it over the API
// client; tests over a map. Objects are whole JSON documents with apiVersion and kind.
class ObjectAccess {
 public:
  virtual ~ObjectAccess() = default;
  // The object; NotFound when it does not exist.
  virtual Result<json::Value> Get(const kube::ResourceRef& resource, std::string_view ns,
                                  std::string_view name) = 0;
  // Creates `object`; AlreadyExists when its name is taken.
  virtual Result<json::Value> Create(const kube::ResourceRef& resource, std::string_view ns,
                                     const json::Value& object) = 0;
  // Replaces the object; Conflict when metadata.resourceVersion is no longer current.
  virtual Result<json::Value> Update(const kube::ResourceRef& resource, std::string_view ns,
                                     const json::Value& object) = 0;
  // Deletes the object; NotFound when it does not exist.
  virtual Status Delete(const kube::ResourceRef& resource, std::string_view ns,
                        std::string_view name) = 0;
};

class TrafficRouter {
 public:
  virtual ~TrafficRouter() = default;
  // The manifest key: "istio", "nginx", "plugins/argoproj-labs/gatewayAPI".
  virtual std::string Type() const = 0;
  // Brings the router's objects to `targets`; writes nothing when they already are.
  // Errors: NotFound (with the object's kind and name) when an object the configuration names
  // is missing; InvalidArgument (naming the field) when an object cannot carry the targets
  // (e.g. a VirtualService route without the canary destination); an API error otherwise.
  virtual Status Apply(const TrafficTargets& targets, ObjectAccess& objects) const = 0;
  virtual WeightVerification Verify(const TrafficTargets& targets, ObjectAccess& objects) const {
    (void)targets;
    (void)objects;
    return WeightVerification::kNotSupported;
  }
};

}  // namespace devflow::traffic
