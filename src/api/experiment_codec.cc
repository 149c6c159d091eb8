#include "api/experiment_codec.h"

#include "api/analysis_codec.h"
#include "api/codec_engine.h"
#include "api/meta_codec.h"
#include "api/pod_codec.h"

namespace devflow::api {

template <class V>
void Fields(V& v, ExperimentTemplateService& s) {
  v("name", s.name);
}

template <class V>
void Fields(V& v, ExperimentTemplate& s) {
  v("name", s.name);
  v("replicas", s.replicas);
  v("minReadySeconds", s.min_ready_seconds);
  v("selector", s.selector);
  v("template", s.template_);
  v("service", s.service);
}

template <class V>
void Fields(V& v, ExperimentAnalysisTemplateRef& s) {
  v("name", s.name);
  v("templateName", s.template_name);
  v("clusterScope", s.cluster_scope);
  v("args", s.args);
  v("requiredForCompletion", s.required_for_completion);
}

template <class V>
void Fields(V& v, ExperimentSpec& s) {
  v("templates", s.templates);
  v("duration", s.duration);
  v("progressDeadlineSeconds", s.progress_deadline_seconds);
  v("terminate", s.terminate);
  v("analyses", s.analyses);
  v("scaleDownDelaySeconds", s.scale_down_delay_seconds);
  v("dryRun", s.dry_run);
  v("measurementRetention", s.measurement_retention);
  v("analysisRunMetadata", s.analysis_run_metadata);
}

template <class V>
void Fields(V& v, ExperimentTemplateStatus& s) {
  v("name", s.name);
  v("replicas", s.replicas);
  v("updatedReplicas", s.updated_replicas);
  v("readyReplicas", s.ready_replicas);
  v("availableReplicas", s.available_replicas);
  v("collisionCount", s.collision_count);
  v("status", s.status);
  v("message", s.message);
  v("lastTransitionTime", s.last_transition_time);
  v("serviceName", s.service_name);
  v("podTemplateHash", s.pod_template_hash);
}

template <class V>
void Fields(V& v, ExperimentAnalysisRunStatus& s) {
  v("name", s.name);
  v("analysisRun", s.analysis_run);
  v("phase", s.phase);
  v("message", s.message);
}

template <class V>
void Fields(V& v, ExperimentCondition& s) {
  v("type", s.type);
  v("status", s.status);
  v("lastUpdateTime", s.last_update_time);
  v("lastTransitionTime", s.last_transition_time);
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, ExperimentStatus& s) {
  v("phase", s.phase);
  v("message", s.message);
  v("templateStatuses", s.template_statuses);
  v("availableAt", s.available_at);
  v("conditions", s.conditions);
  v("analysisRuns", s.analysis_runs);
}

template <class V>
void Fields(V& v, Experiment& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

void DecodeValue(const json::Value& in, Experiment& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, ExperimentSpec& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, ExperimentStatus& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const Experiment& v) { return EncodeStruct(v); }
json::Value EncodeValue(const ExperimentSpec& v) { return EncodeStruct(v); }
json::Value EncodeValue(const ExperimentStatus& v) { return EncodeStruct(v); }

}  // namespace devflow::api
