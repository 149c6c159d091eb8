#include "api/workloads_codec.h"

#include "api/codec_engine.h"
#include "api/meta_codec.h"
#include "api/pod_codec.h"

namespace devflow::api {

template <class V>
void Fields(V& v, ReplicaSetCondition& s) {
  v("type", s.type);
  v("status", s.status);
  v("lastTransitionTime", s.last_transition_time);
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, ReplicaSetSpec& s) {
  v("replicas", s.replicas);
  v("minReadySeconds", s.min_ready_seconds);
  v("selector", s.selector);
  v("template", s.template_);
}

template <class V>
void Fields(V& v, ReplicaSetStatus& s) {
  v("replicas", s.replicas);
  v("fullyLabeledReplicas", s.fully_labeled_replicas);
  v("readyReplicas", s.ready_replicas);
  v("availableReplicas", s.available_replicas);
  v("observedGeneration", s.observed_generation);
  v("conditions", s.conditions);
}

template <class V>
void Fields(V& v, ReplicaSet& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

template <class V>
void Fields(V& v, DeploymentCondition& s) {
  v("type", s.type);
  v("status", s.status);
  v("lastUpdateTime", s.last_update_time);
  v("lastTransitionTime", s.last_transition_time);
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, DeploymentSpec& s) {
  v("replicas", s.replicas);
  v("selector", s.selector);
  v("template", s.template_);
  v("strategy", s.strategy);
  v("minReadySeconds", s.min_ready_seconds);
  v("revisionHistoryLimit", s.revision_history_limit);
  v("paused", s.paused);
  v("progressDeadlineSeconds", s.progress_deadline_seconds);
}

template <class V>
void Fields(V& v, DeploymentStatus& s) {
  v("observedGeneration", s.observed_generation);
  v("replicas", s.replicas);
  v("updatedReplicas", s.updated_replicas);
  v("readyReplicas", s.ready_replicas);
  v("availableReplicas", s.available_replicas);
  v("unavailableReplicas", s.unavailable_replicas);
  v("conditions", s.conditions);
  v("collisionCount", s.collision_count);
}

template <class V>
void Fields(V& v, Deployment& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

template <class V>
void Fields(V& v, JobCondition& s) {
  v("type", s.type);
  v("status", s.status);
  v("lastProbeTime", s.last_probe_time);
  v("lastTransitionTime", s.last_transition_time);
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, JobSpec& s) {
  v("parallelism", s.parallelism);
  v("completions", s.completions);
  v("activeDeadlineSeconds", s.active_deadline_seconds);
  v("backoffLimit", s.backoff_limit);
  v("selector", s.selector);
  v("manualSelector", s.manual_selector);
  v("template", s.template_);
  v("ttlSecondsAfterFinished", s.ttl_seconds_after_finished);
  v("suspend", s.suspend);
}

template <class V>
void Fields(V& v, JobStatus& s) {
  v("conditions", s.conditions);
  v("startTime", s.start_time);
  v("completionTime", s.completion_time);
  v("active", s.active);
  v("succeeded", s.succeeded);
  v("failed", s.failed);
  v("ready", s.ready);
}

template <class V>
void Fields(V& v, Job& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

void DecodeValue(const json::Value& in, ReplicaSet& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Deployment& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Job& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, JobSpec& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const ReplicaSet& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Deployment& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Job& v) { return EncodeStruct(v); }
json::Value EncodeValue(const JobSpec& v) { return EncodeStruct(v); }

}  // namespace devflow::api
