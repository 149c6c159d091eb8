#include "core/ephemeral_metadata.h"

#include <set>

#include "api/pod_template_identity.h"
#include "common/json_reader.h"
#include "common/json_value.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {
namespace {

using Delta = std::map<std::string, std::optional<std::string>>;

const std::string kRecord(kEphemeralMetadataAnnotation);

json::Object MapToJson(const std::map<std::string, std::string>& map) {
  json::Object object;
  for (const auto& [key, value] : map) object.Set(key, value);
  return object;
}

std::map<std::string, std::string> MapFromJson(const json::Value& value) {
  std::map<std::string, std::string> map;
  if (!value.is_object()) return map;
  for (const auto& [key, member] : value.as_object()) {
    if (member.is_string()) map[key] = member.as_string();
  }
  return map;
}

// The record's text, or nullopt for nothing injected (the annotation is then removed).
std::optional<std::string> RecordOf(const api::PodTemplateMetadata& injected) {
  if (injected.labels.empty() && injected.annotations.empty()) return std::nullopt;
  json::Object record;
  if (!injected.labels.empty()) record.Set("labels", MapToJson(injected.labels));
  if (!injected.annotations.empty()) record.Set("annotations", MapToJson(injected.annotations));
  return json::Write(json::Value(std::move(record)));
}

// The changes that take `current` from carrying `injected` to carrying `wanted`; applies them to
// `current` too, which becomes the resulting map.
Delta Reinject(std::map<std::string, std::string>& current,
               const std::map<std::string, std::string>& injected,
               const std::map<std::string, std::string>& wanted) {
  Delta delta;
  for (const auto& [key, value] : injected) {
    if (!wanted.contains(key) && current.erase(key) > 0) delta[key] = std::nullopt;
  }
  for (const auto& [key, value] : wanted) {
    auto found = current.find(key);
    if (found != current.end() && found->second == value) continue;
    current[key] = value;
    delta[key] = value;
  }
  return delta;
}

void AddKeys(const std::optional<api::PodTemplateMetadata>& metadata, std::set<std::string>& labels,
             std::set<std::string>& annotations) {
  if (!metadata) return;
  for (const auto& [key, value] : metadata->labels) labels.insert(key);
  for (const auto& [key, value] : metadata->annotations) annotations.insert(key);
}

// The changes that make `live` agree with `target` on `keys`.
Delta Converge(const std::map<std::string, std::string>& live,
               const std::map<std::string, std::string>& target,
               const std::set<std::string>& keys) {
  Delta delta;
  for (const std::string& key : keys) {
    auto wanted = target.find(key);
    auto found = live.find(key);
    if (wanted != target.end()) {
      if (found == live.end() || found->second != wanted->second) delta[key] = wanted->second;
    } else if (found != live.end()) {
      delta[key] = std::nullopt;
    }
  }
  return delta;
}

}  // namespace

bool UsesEphemeralMetadata(const api::Rollout& rollout,
                           const std::vector<api::ReplicaSet>& replica_sets) {
  const api::RolloutStrategy& strategy = rollout.spec.strategy;
  if (strategy.canary && (strategy.canary->canary_metadata || strategy.canary->stable_metadata)) {
    return true;
  }
  if (strategy.blue_green &&
      (strategy.blue_green->preview_metadata || strategy.blue_green->active_metadata)) {
    return true;
  }
  for (const api::ReplicaSet& replica_set : replica_sets) {
    if (replica_set.metadata.annotations.contains(kRecord)) return true;
  }
  return false;
}

api::PodTemplateMetadata EphemeralMetadataFor(const api::Rollout& rollout, EphemeralRole role) {
  const api::RolloutStrategy& strategy = rollout.spec.strategy;
  std::optional<api::PodTemplateMetadata> metadata;
  if (strategy.canary) {
    if (role == EphemeralRole::kStable) metadata = strategy.canary->stable_metadata;
    if (role == EphemeralRole::kUpdating) metadata = strategy.canary->canary_metadata;
  } else if (strategy.blue_green) {
    if (role == EphemeralRole::kStable) metadata = strategy.blue_green->active_metadata;
    if (role == EphemeralRole::kUpdating) metadata = strategy.blue_green->preview_metadata;
  }
  return metadata.value_or(api::PodTemplateMetadata{});
}

api::PodTemplateMetadata InjectedMetadataOf(const api::ReplicaSet& replica_set) {
  api::PodTemplateMetadata injected;
  auto found = replica_set.metadata.annotations.find(kRecord);
  if (found == replica_set.metadata.annotations.end()) return injected;
  Result<json::Value> record = json::Parse(found->second);
  if (!record.ok() || !record->is_object()) return injected;
  if (const json::Value* labels = record->as_object().Find("labels")) {
    injected.labels = MapFromJson(*labels);
  }
  if (const json::Value* annotations = record->as_object().Find("annotations")) {
    injected.annotations = MapFromJson(*annotations);
  }
  return injected;
}

api::PodTemplateSpec TemplateWithoutInjectedMetadata(const api::ReplicaSet& replica_set) {
  api::PodTemplateSpec tmpl = replica_set.spec.template_;
  const api::PodTemplateMetadata injected = InjectedMetadataOf(replica_set);
  for (const auto& [key, value] : injected.labels) tmpl.metadata.labels.erase(key);
  for (const auto& [key, value] : injected.annotations) tmpl.metadata.annotations.erase(key);
  return tmpl;
}

bool RunsRolloutTemplate(const api::Rollout& rollout, const api::ReplicaSet& replica_set) {
  if (!replica_set.metadata.annotations.contains(kRecord)) {
    return api::SemanticallyEqual(rollout.spec.template_, replica_set.spec.template_);
  }
  return api::SemanticallyEqual(rollout.spec.template_,
                                TemplateWithoutInjectedMetadata(replica_set));
}

void InjectEphemeralMetadata(const api::PodTemplateMetadata& wanted, api::ReplicaSet& replica_set) {
  for (const auto& [key, value] : wanted.labels) {
    replica_set.spec.template_.metadata.labels[key] = value;
  }
  for (const auto& [key, value] : wanted.annotations) {
    replica_set.spec.template_.metadata.annotations[key] = value;
  }
  if (std::optional<std::string> record = RecordOf(wanted)) {
    replica_set.metadata.annotations[kRecord] = *record;
  }
}

void SyncEphemeralMetadata(const api::Rollout& rollout, const api::ReplicaSet& replica_set,
                           const api::PodTemplateMetadata& wanted,
                           const std::vector<api::Pod>& pods, ReplicaSetChange& rs_change,
                           std::vector<PodMetadataChange>& pod_changes) {
  const api::PodTemplateMetadata injected = InjectedMetadataOf(replica_set);
  std::map<std::string, std::string> labels = replica_set.spec.template_.metadata.labels;
  std::map<std::string, std::string> annotations = replica_set.spec.template_.metadata.annotations;
  for (const auto& [key, value] : Reinject(labels, injected.labels, wanted.labels)) {
    rs_change.template_labels[key] = value;
  }
  for (const auto& [key, value] : Reinject(annotations, injected.annotations, wanted.annotations)) {
    rs_change.template_annotations[key] = value;
  }
  const std::optional<std::string> record = RecordOf(wanted);
  auto recorded = replica_set.metadata.annotations.find(kRecord);
  const bool has_record = recorded != replica_set.metadata.annotations.end();
  if (record ? !has_record || recorded->second != *record : has_record) {
    rs_change.annotations[kRecord] = record;
  }

  if (replica_set.spec.replicas.value_or(1) == 0) return;
  std::set<std::string> label_keys;
  std::set<std::string> annotation_keys;
  const api::RolloutStrategy& strategy = rollout.spec.strategy;
  if (strategy.canary) {
    AddKeys(strategy.canary->canary_metadata, label_keys, annotation_keys);
    AddKeys(strategy.canary->stable_metadata, label_keys, annotation_keys);
  }
  if (strategy.blue_green) {
    AddKeys(strategy.blue_green->preview_metadata, label_keys, annotation_keys);
    AddKeys(strategy.blue_green->active_metadata, label_keys, annotation_keys);
  }
  AddKeys(injected, label_keys, annotation_keys);
  if (label_keys.empty() && annotation_keys.empty()) return;
  for (const api::Pod& pod : pods) {
    if (ControllerUidOf(pod.metadata) != replica_set.metadata.uid ||
        pod.metadata.deletion_timestamp != api::Time{}) {
      continue;
    }
    PodMetadataChange change{
        .name = pod.metadata.name,
        .uid = pod.metadata.uid,
        .labels = Converge(pod.metadata.labels, labels, label_keys),
        .annotations = Converge(pod.metadata.annotations, annotations, annotation_keys)};
    if (!change.labels.empty() || !change.annotations.empty()) {
      pod_changes.push_back(std::move(change));
    }
  }
}

}  // namespace devflow::core
