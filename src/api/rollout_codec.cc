#include "api/rollout_codec.h"

#include <concepts>
#include <type_traits>

#include "api/codec_engine.h"
#include "api/meta_codec.h"
#include "api/pod_codec.h"

namespace devflow::api {

// ---- rollout_analysis.h ----

template <class V>
void Fields(V& v, RolloutArgumentFieldRef& s) {
  v("fieldPath", s.field_path);
}

template <class V>
void Fields(V& v, RolloutArgumentValueFrom& s) {
  v("podTemplateHashValue", s.pod_template_hash_value);
  v("fieldRef", s.field_ref);
}

template <class V>
void Fields(V& v, RolloutAnalysisArgument& s) {
  v("name", s.name);
  v("value", s.value);
  v("valueFrom", s.value_from);
}

template <class V>
void Fields(V& v, RolloutAnalysisTemplateRef& s) {
  v("templateName", s.template_name);
  v("clusterScope", s.cluster_scope);
}

template <class V>
void Fields(V& v, RolloutDryRun& s) {
  v("metricName", s.metric_name);
}

template <class V>
void Fields(V& v, RolloutMeasurementRetention& s) {
  v("metricName", s.metric_name);
  v("limit", s.limit);
}

template <class V>
void Fields(V& v, RolloutAnalysisRunMetadata& s) {
  v("labels", s.labels);
  v("annotations", s.annotations);
}

template <class V>
void Fields(V& v, RolloutAnalysis& s) {
  v("templates", s.templates);
  v("args", s.args);
  v("dryRun", s.dry_run);
  v("measurementRetention", s.measurement_retention);
  v("analysisRunMetadata", s.analysis_run_metadata);
}

template <class V>
void Fields(V& v, RolloutAnalysisBackground& s) {
  Fields(v, static_cast<RolloutAnalysis&>(s));
  v("startingStep", s.starting_step);
}

// ---- rollout_traffic_routing.h ----

template <class V>
void Fields(V& v, ManagedRoute& s) {
  v("name", s.name);
}

template <class V>
void Fields(V& v, IstioTlsRouteRef& s) {
  v("port", s.port);
  v("sniHosts", s.sni_hosts);
}

template <class V>
void Fields(V& v, IstioTcpRouteRef& s) {
  v("port", s.port);
}

template <class V>
void Fields(V& v, IstioVirtualServiceRef& s) {
  v("name", s.name);
  v("routes", s.routes);
  v("tlsRoutes", s.tls_routes);
  v("tcpRoutes", s.tcp_routes);
}

template <class V>
void Fields(V& v, IstioDestinationRuleRef& s) {
  v("name", s.name);
  v("canarySubsetName", s.canary_subset_name);
  v("stableSubsetName", s.stable_subset_name);
  v("additionalSubsetNames", s.additional_subset_names);
}

template <class V>
void Fields(V& v, IstioTrafficRouting& s) {
  v("virtualService", s.virtual_service);
  v("destinationRule", s.destination_rule);
  v("virtualServices", s.virtual_services);
}

template <class V>
void Fields(V& v, NginxTrafficRouting& s) {
  v("annotationPrefix", s.annotation_prefix);
  v("stableIngress", s.stable_ingress);
  v("additionalIngressAnnotations", s.additional_ingress_annotations);
  v("stableIngresses", s.stable_ingresses);
  v("canaryIngressAnnotations", s.canary_ingress_annotations);
}

template <class V>
void Fields(V& v, AlbStickinessConfig& s) {
  v("enabled", s.enabled);
  v("durationSeconds", s.duration_seconds);
}

template <class V>
void Fields(V& v, AlbTrafficRouting& s) {
  v("ingress", s.ingress);
  v("servicePort", s.service_port);
  v("rootService", s.root_service);
  v("annotationPrefix", s.annotation_prefix);
  v("stickinessConfig", s.stickiness_config);
  v("ingresses", s.ingresses);
}

template <class V>
void Fields(V& v, SmiTrafficRouting& s) {
  v("rootService", s.root_service);
  v("trafficSplitName", s.traffic_split_name);
}

template <class V>
void Fields(V& v, AmbassadorTrafficRouting& s) {
  v("mappings", s.mappings);
}

template <class V>
void Fields(V& v, TraefikTrafficRouting& s) {
  v("weightedTraefikServiceName", s.weighted_traefik_service_name);
}

template <class V>
void Fields(V& v, ApisixRouteRef& s) {
  v("name", s.name);
  v("rules", s.rules);
}

template <class V>
void Fields(V& v, ApisixTrafficRouting& s) {
  v("route", s.route);
}

template <class V>
void Fields(V& v, AppMeshVirtualServiceRef& s) {
  v("name", s.name);
  v("routes", s.routes);
}

template <class V>
void Fields(V& v, AppMeshVirtualNodeRef& s) {
  v("name", s.name);
}

template <class V>
void Fields(V& v, AppMeshVirtualNodeGroup& s) {
  v("canaryVirtualNodeRef", s.canary_virtual_node_ref);
  v("stableVirtualNodeRef", s.stable_virtual_node_ref);
}

template <class V>
void Fields(V& v, AppMeshTrafficRouting& s) {
  v("virtualService", s.virtual_service);
  v("virtualNodeGroup", s.virtual_node_group);
}

template <class V>
void Fields(V& v, RolloutTrafficRouting& s) {
  v("istio", s.istio);
  v("nginx", s.nginx);
  v("alb", s.alb);
  v("smi", s.smi);
  v("ambassador", s.ambassador);
  v("appMesh", s.app_mesh);
  v("traefik", s.traefik);
  v("managedRoutes", s.managed_routes);
  v("apisix", s.apisix);
  v("plugins", s.plugins);
  v("maxTrafficWeight", s.max_traffic_weight);
}

// ---- rollout_canary_step.h ----

template <class V>
void Fields(V& v, RolloutPause& s) {
  v("duration", s.duration);
}

template <class V>
void Fields(V& v, PodTemplateMetadata& s) {
  v("labels", s.labels);
  v("annotations", s.annotations);
}

template <class V>
void Fields(V& v, RolloutExperimentTemplateService& s) {
  v("name", s.name);
}

template <class V>
void Fields(V& v, RolloutExperimentTemplate& s) {
  v("name", s.name);
  v("specRef", s.spec_ref);
  v("replicas", s.replicas);
  v("metadata", s.metadata);
  v("selector", s.selector);
  v("weight", s.weight);
  v("service", s.service);
}

template <class V>
void Fields(V& v, RolloutExperimentAnalysis& s) {
  v("name", s.name);
  v("templateName", s.template_name);
  v("clusterScope", s.cluster_scope);
  v("args", s.args);
  v("requiredForCompletion", s.required_for_completion);
}

template <class V>
void Fields(V& v, RolloutExperimentStep& s) {
  v("templates", s.templates);
  v("duration", s.duration);
  v("analyses", s.analyses);
  v("dryRun", s.dry_run);
  v("analysisRunMetadata", s.analysis_run_metadata);
  v("scaleDownDelaySeconds", s.scale_down_delay_seconds);
}

template <class V>
void Fields(V& v, SetCanaryScale& s) {
  v("weight", s.weight);
  v("replicas", s.replicas);
  v("matchTrafficWeight", s.match_traffic_weight);
}

template <class V>
void Fields(V& v, RolloutStringMatch& s) {
  v("exact", s.exact);
  v("prefix", s.prefix);
  v("regex", s.regex);
}

template <class V>
void Fields(V& v, HeaderRoutingMatch& s) {
  v("headerName", s.header_name);
  v("headerValue", s.header_value);
}

template <class V>
void Fields(V& v, SetHeaderRoute& s) {
  v("name", s.name);
  v("match", s.match);
}

template <class V>
void Fields(V& v, MirrorRouteMatch& s) {
  v("method", s.method);
  v("path", s.path);
  v("headers", s.headers);
}

template <class V>
void Fields(V& v, SetMirrorRoute& s) {
  v("name", s.name);
  v("match", s.match);
  v("percentage", s.percentage);
}

template <class V>
void Fields(V& v, CanaryPluginStep& s) {
  v("name", s.name);
  v("config", s.config);
}

template <class V>
void Fields(V& v, CanaryStep& s) {
  v("setWeight", s.set_weight);
  v("pause", s.pause);
  v("experiment", s.experiment);
  v("analysis", s.analysis);
  v("setCanaryScale", s.set_canary_scale);
  v("setHeaderRoute", s.set_header_route);
  v("setMirrorRoute", s.set_mirror_route);
  v("plugin", s.plugin);
}

// ---- rollout.h ----

template <class V>
void Fields(V& v, RolloutWorkloadRef& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("name", s.name);
  v("scaleDown", s.scale_down);
}

template <class V>
void Fields(V& v, RolloutRollbackWindow& s) {
  v("revisions", s.revisions);
}

template <class V>
void Fields(V& v, RolloutAnalysisRunStrategy& s) {
  v("successfulRunHistoryLimit", s.successful_run_history_limit);
  v("unsuccessfulRunHistoryLimit", s.unsuccessful_run_history_limit);
}

template <class V>
void Fields(V& v, PreferredAntiAffinity& s) {
  v("weight", s.weight);
}

template <class V>
void Fields(V&, RequiredAntiAffinity&) {}

template <class V>
void Fields(V& v, RolloutAntiAffinity& s) {
  v("preferredDuringSchedulingIgnoredDuringExecution",
    s.preferred_during_scheduling_ignored_during_execution);
  v("requiredDuringSchedulingIgnoredDuringExecution",
    s.required_during_scheduling_ignored_during_execution);
}

template <class V>
void Fields(V& v, BlueGreenStrategy& s) {
  v("activeService", s.active_service);
  v("previewService", s.preview_service);
  v("previewReplicaCount", s.preview_replica_count);
  v("autoPromotionEnabled", s.auto_promotion_enabled);
  v("autoPromotionSeconds", s.auto_promotion_seconds);
  v("maxUnavailable", s.max_unavailable);
  v("scaleDownDelaySeconds", s.scale_down_delay_seconds);
  v("scaleDownDelayRevisionLimit", s.scale_down_delay_revision_limit);
  v("prePromotionAnalysis", s.pre_promotion_analysis);
  v("antiAffinity", s.anti_affinity);
  v("postPromotionAnalysis", s.post_promotion_analysis);
  v("previewMetadata", s.preview_metadata);
  v("activeMetadata", s.active_metadata);
  v("abortScaleDownDelaySeconds", s.abort_scale_down_delay_seconds);
}

template <class V>
void Fields(V& v, CanaryPingPong& s) {
  v("pingService", s.ping_service);
  v("pongService", s.pong_service);
}

template <class V>
void Fields(V& v, ReplicaProgressThreshold& s) {
  v("type", s.type);
  v("value", s.value);
}

template <class V>
void Fields(V& v, CanaryStrategy& s) {
  v("canaryService", s.canary_service);
  v("stableService", s.stable_service);
  v("steps", s.steps);
  v("trafficRouting", s.traffic_routing);
  v("maxUnavailable", s.max_unavailable);
  v("maxSurge", s.max_surge);
  v("analysis", s.analysis);
  v("antiAffinity", s.anti_affinity);
  v("canaryMetadata", s.canary_metadata);
  v("stableMetadata", s.stable_metadata);
  v("scaleDownDelaySeconds", s.scale_down_delay_seconds);
  v("scaleDownDelayRevisionLimit", s.scale_down_delay_revision_limit);
  v("abortScaleDownDelaySeconds", s.abort_scale_down_delay_seconds);
  v("dynamicStableScale", s.dynamic_stable_scale);
  v("pingPong", s.ping_pong);
  v("minPodsPerReplicaSet", s.min_pods_per_replica_set);
  v("replicaProgressThreshold", s.replica_progress_threshold);
}

template <class V>
void Fields(V& v, RolloutStrategy& s) {
  v("blueGreen", s.blue_green);
  v("canary", s.canary);
}

template <class V>
void Fields(V& v, RolloutSpec& s) {
  v("replicas", s.replicas);
  v("selector", s.selector);
  v("template", s.template_);
  v("workloadRef", s.workload_ref);
  v("minReadySeconds", s.min_ready_seconds);
  v("rollbackWindow", s.rollback_window);
  v("strategy", s.strategy);
  v("revisionHistoryLimit", s.revision_history_limit);
  v("paused", s.paused);
  v("progressDeadlineSeconds", s.progress_deadline_seconds);
  v("progressDeadlineAbort", s.progress_deadline_abort);
  v("restartAt", s.restart_at);
  v("analysis", s.analysis);
}

// ---- rollout_status.h ----

template <class V>
void Fields(V& v, RolloutPauseCondition& s) {
  v("reason", s.reason);
  v("startTime", s.start_time);
}

template <class V>
void Fields(V& v, RolloutCondition& s) {
  v("type", s.type);
  v("status", s.status);
  v("lastUpdateTime", s.last_update_time);
  v("lastTransitionTime", s.last_transition_time);
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, RolloutAnalysisRunStatus& s) {
  v("name", s.name);
  v("status", s.status);
  v("message", s.message);
}

template <class V>
void Fields(V& v, BlueGreenStatus& s) {
  v("previewSelector", s.preview_selector);
  v("activeSelector", s.active_selector);
  v("scaleUpPreviewCheckPoint", s.scale_up_preview_check_point);
  v("prePromotionAnalysisRunStatus", s.pre_promotion_analysis_run_status);
  v("postPromotionAnalysisRunStatus", s.post_promotion_analysis_run_status);
}

template <class V>
void Fields(V& v, RolloutWeightDestination& s) {
  v("weight", s.weight);
  v("serviceName", s.service_name);
  v("podTemplateHash", s.pod_template_hash);
}

template <class V>
void Fields(V& v, RolloutTrafficWeights& s) {
  v("canary", s.canary);
  v("stable", s.stable);
  v("additional", s.additional);
  v("verified", s.verified);
}

template <class V>
void Fields(V& v, RolloutStepPluginStatus& s) {
  v("index", s.index);
  v("name", s.name);
  v("operation", s.operation);
  v("phase", s.phase);
  v("message", s.message);
  v("startedAt", s.started_at);
  v("updatedAt", s.updated_at);
  v("finishedAt", s.finished_at);
  v("backoff", s.backoff);
  v("executions", s.executions);
  v("disabled", s.disabled);
  v("status", s.status);
}

template <class V>
void Fields(V& v, CanaryStatus& s) {
  v("currentStepAnalysisRunStatus", s.current_step_analysis_run_status);
  v("currentBackgroundAnalysisRunStatus", s.current_background_analysis_run_status);
  v("currentExperiment", s.current_experiment);
  v("weights", s.weights);
  v("stablePingPong", s.stable_ping_pong);
  v("stepPluginStatuses", s.step_plugin_statuses);
}

template <class V>
void Fields(V& v, RolloutAwsResourceRef& s) {
  v("name", s.name);
  v("arn", s.arn);
  v("fullName", s.full_name);
}

template <class V>
void Fields(V& v, RolloutAlbStatus& s) {
  v("loadBalancer", s.load_balancer);
  v("canaryTargetGroup", s.canary_target_group);
  v("stableTargetGroup", s.stable_target_group);
  v("ingress", s.ingress);
}

template <class V>
void Fields(V& v, RolloutDurationStatus& s) {
  v("rolloutStartedAt", s.rollout_started_at);
  v("manualPauseStartedAt", s.manual_pause_started_at);
  v("totalManualPauseDurationSeconds", s.total_manual_pause_duration_seconds);
  v("finishedAt", s.finished_at);
  v("completionStatus", s.completion_status);
}

template <class V>
void Fields(V& v, RolloutStatus& s) {
  v("abort", s.abort);
  v("pauseConditions", s.pause_conditions);
  v("controllerPause", s.controller_pause);
  v("abortedAt", s.aborted_at);
  v("currentPodHash", s.current_pod_hash);
  v("currentStepHash", s.current_step_hash);
  v("replicas", s.replicas);
  v("updatedReplicas", s.updated_replicas);
  v("readyReplicas", s.ready_replicas);
  v("availableReplicas", s.available_replicas);
  v("currentStepIndex", s.current_step_index);
  v("collisionCount", s.collision_count);
  v("observedGeneration", s.observed_generation);
  v("conditions", s.conditions);
  v("canary", s.canary);
  v("blueGreen", s.blue_green);
  v("HPAReplicas", s.hpa_replicas);
  v("selector", s.selector);
  v("stableRS", s.stable_rs);
  v("restartedAt", s.restarted_at);
  v("promoteFull", s.promote_full);
  v("phase", s.phase);
  v("message", s.message);
  v("workloadObservedGeneration", s.workload_observed_generation);
  v("alb", s.alb);
  v("albs", s.albs);
  v("duration", s.duration);
}

template <class V>
void Fields(V& v, Rollout& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

void DecodeValue(const json::Value& in, Rollout& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, RolloutSpec& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, RolloutStatus& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, RolloutAnalysis& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const Rollout& v) { return EncodeStruct(v); }
json::Value EncodeValue(const RolloutSpec& v) { return EncodeStruct(v); }
json::Value EncodeValue(const RolloutStatus& v) { return EncodeStruct(v); }
json::Value EncodeValue(const RolloutAnalysis& v) { return EncodeStruct(v); }

// ---- Unknown members ----
namespace {

template <class T>
concept HasExtra = requires(const T& t) {
  { t.extra } -> std::convertible_to<json::Object>;
};

class UnknownFieldCollector {
 public:
  UnknownFieldCollector(FieldPath path, std::vector<FieldPath>* out)
      : path_(std::move(path)), out_(out) {}

  template <class T>
  void operator()(std::string_view name, const T& field) {
    Walk(path_.Child(name), field, out_);
  }

  template <class T>
  static void Walk(const FieldPath& path, const T& value, std::vector<FieldPath>* out) {
    if constexpr (DescribedStruct<T>) {
      UnknownFieldCollector nested(path, out);
      Fields(nested, const_cast<T&>(value));
      Report(path, value.extra, out);
    } else if constexpr (std::is_same_v<T, ObjectMeta>) {
      // Metadata is every kind's concern (object_check.h), and holds server-set members such as
      // managedFields that are not mistakes.
    } else if constexpr (HasExtra<T>) {
      Report(path, value.extra, out);
    }
  }
  template <class T>
  static void Walk(const FieldPath& path, const std::optional<T>& value,
                   std::vector<FieldPath>* out) {
    if (value.has_value()) Walk(path, *value, out);
  }
  template <class T>
  static void Walk(const FieldPath& path, const std::vector<T>& values,
                   std::vector<FieldPath>* out) {
    for (size_t i = 0; i < values.size(); ++i) Walk(path.Index(i), values[i], out);
  }
  template <class T>
  static void Walk(const FieldPath& path, const std::map<std::string, T>& values,
                   std::vector<FieldPath>* out) {
    for (const auto& [key, value] : values) Walk(path.Child(key), value, out);
  }

 private:
  static void Report(const FieldPath& path, const json::Object& extra,
                     std::vector<FieldPath>* out) {
    for (const json::Member& m : extra) out->push_back(path.Child(m.key));
  }

  FieldPath path_;
  std::vector<FieldPath>* out_;
};

}  // namespace

std::vector<FieldPath> UnknownRolloutFields(const Rollout& rollout) {
  std::vector<FieldPath> out;
  UnknownFieldCollector::Walk(FieldPath(), rollout, &out);
  return out;
}

}  // namespace devflow::api
