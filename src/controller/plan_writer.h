// PlanWriter: performs one RolloutPlan (core/rollout_plan.h) against the API server, in the
// plan's order, stopping at the first failure. The decisions are all made; this is the thin
// layer of writes.
//
// Every write is conditional, so a stale decision never lands:
//   - ReplicaSet and Service changes are merge patches carrying metadata.uid (a precondition the
//     server checks): they never touch an object deleted and recreated under the same name;
//   - deletions carry the uid precondition;
//   - the Rollout's annotation and its status carry the resourceVersion the plan was made from
//     (the status then the version the annotation write returned), so a user's promote or abort
//     written meanwhile fails the write (Conflict) instead of being overwritten, and the next
//     reconcile decides again.
// The plan's events are recorded once every write has landed, so a plan that fails part-way and
// is planned again does not announce the same change twice.
// A new ReplicaSet whose name is taken (AlreadyExists) is checked: one this Rollout controls with
// an equal template is fine (the cache had not seen it yet); any other is a hash collision, and
// status.collisionCount is incremented so that the next reconcile picks another name.
//
// Thread-safety: stateless beyond its references; Write may run concurrently for different
// Rollouts.
#pragma once

#include <memory>
#include <vector>

#include "api/rollout.h"
#include "common/json_value.h"
#include "common/status.h"
#include "core/rollout_plan.h"
#include "traffic/traffic_router.h"

namespace devflow::kube {
class ApiClient;
class EventRecorder;
}  // namespace devflow::kube

namespace devflow::controller {

class PlanWriter {
 public:
  // `recorder` may be null (no events). Both must outlive the writer.
  PlanWriter(kube::ApiClient& client, kube::EventRecorder* recorder)
      : client_(client), recorder_(recorder) {}

  // Performs `plan` for `rollout` (as read: its resourceVersion is the precondition), telling
  // `routers` the plan's traffic (after the Services, before the ReplicaSets). Returns ok when
  // every write landed; otherwise the first failure, with what was being written.
  Status Write(const json::Value& rollout_json, const api::Rollout& rollout,
               const core::RolloutPlan& plan,
               const std::vector<std::unique_ptr<traffic::TrafficRouter>>& routers = {}) const;

 private:
  Status CreateReplicaSet(const api::Rollout& rollout, const api::ReplicaSet& replica_set) const;
  void Event(const json::Value& rollout_json, const core::PlannedEvent& event) const;

  kube::ApiClient& client_;
  kube::EventRecorder* recorder_;
};

}  // namespace devflow::controller
