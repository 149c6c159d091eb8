#include "core/rollout_replica_sets.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <set>

#include "api/defaults.h"
#include "api/pod_template_identity.h"
#include "api/selector.h"
#include "core/ephemeral_metadata.h"

namespace devflow::core {
namespace {

const std::string kHashLabel(api::defaults::kPodTemplateHashLabel);
const std::string kRevision(api::defaults::kRevisionAnnotation);

// Oldest first; the name breaks ties so the order is total.
bool Older(const api::ReplicaSet& a, const api::ReplicaSet& b) {
  if (a.metadata.creation_timestamp != b.metadata.creation_timestamp) {
    return a.metadata.creation_timestamp < b.metadata.creation_timestamp;
  }
  return a.metadata.name < b.metadata.name;
}

}  // namespace

std::optional<int64_t> IntegerAnnotation(const api::ObjectMeta& meta, std::string_view key) {
  auto found = meta.annotations.find(std::string(key));
  if (found == meta.annotations.end()) return std::nullopt;
  const std::string& text = found->second;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int64_t> RevisionOf(const api::ObjectMeta& meta) {
  return IntegerAnnotation(meta, kRevision);
}

std::string PodTemplateHashOf(const api::ReplicaSet& replica_set) {
  auto found = replica_set.metadata.labels.find(kHashLabel);
  return found == replica_set.metadata.labels.end() ? "" : found->second;
}

std::string ControllerUidOf(const api::ObjectMeta& meta) {
  for (const api::OwnerReference& owner : meta.owner_references) {
    if (owner.controller.value_or(false)) return owner.uid;
  }
  return "";
}

ReplicaSetGroups GroupReplicaSets(const api::Rollout& rollout,
                                  const std::vector<api::ReplicaSet>& owned) {
  std::vector<size_t> order(owned.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return Older(owned[a], owned[b]); });
  ReplicaSetGroups groups;
  for (size_t index : order) {
    const api::ReplicaSet& replica_set = owned[index];
    const bool is_new = !groups.new_rs && RunsRolloutTemplate(rollout, replica_set);
    const bool is_stable = !groups.stable_rs && !rollout.status.stable_rs.empty() &&
                           PodTemplateHashOf(replica_set) == rollout.status.stable_rs;
    if (is_new) groups.new_rs = index;
    if (is_stable) groups.stable_rs = index;
    if (!is_new && !is_stable) groups.others.push_back(index);
  }
  return groups;
}

int64_t NextRevision(const std::vector<api::ReplicaSet>& owned) {
  int64_t highest = 0;
  for (const api::ReplicaSet& replica_set : owned) {
    highest = std::max(highest, RevisionOf(replica_set.metadata).value_or(0));
  }
  return highest + 1;
}

std::map<std::string, std::string> CopiedAnnotations(const api::Rollout& rollout) {
  static const std::set<std::string> kNotCopied = {
      "kubectl.kubernetes.io/last-applied-configuration", kRevision,
      std::string(kRevisionHistoryAnnotation), std::string(kDesiredReplicasAnnotation)};
  std::map<std::string, std::string> copied;
  for (const auto& [key, value] : rollout.metadata.annotations) {
    if (kNotCopied.contains(key) || key.starts_with("notified.notifications.argoproj.io")) {
      continue;
    }
    copied[key] = value;
  }
  return copied;
}

api::ReplicaSet NewReplicaSetFor(const api::Rollout& rollout, int64_t revision) {
  const std::string hash =
      api::PodTemplateHash(rollout.spec.template_, rollout.status.collision_count);
  api::ReplicaSet replica_set;
  replica_set.api_version = "apps/v1";
  replica_set.kind = "ReplicaSet";
  replica_set.metadata.name = rollout.metadata.name + "-" + hash;
  replica_set.metadata.namespace_ = rollout.metadata.namespace_;
  replica_set.metadata.labels = rollout.spec.template_.metadata.labels;
  replica_set.metadata.labels[kHashLabel] = hash;
  replica_set.metadata.annotations = CopiedAnnotations(rollout);
  replica_set.metadata.annotations[kRevision] = std::to_string(revision);
  replica_set.metadata.annotations[std::string(kDesiredReplicasAnnotation)] =
      std::to_string(rollout.spec.replicas.value_or(api::defaults::kReplicas));
  replica_set.metadata.owner_references.push_back(
      api::ControllerReference("argoproj.io/v1alpha1", "Rollout", rollout.metadata));
  replica_set.spec.replicas = 0;
  replica_set.spec.min_ready_seconds = rollout.spec.min_ready_seconds;
  if (rollout.spec.selector) replica_set.spec.selector = *rollout.spec.selector;
  replica_set.spec.selector.match_labels[kHashLabel] = hash;
  replica_set.spec.template_ = rollout.spec.template_;
  replica_set.spec.template_.metadata.labels[kHashLabel] = hash;
  return replica_set;
}

std::optional<std::map<std::string, std::string>> SyncedAnnotations(const api::Rollout& rollout,
                                                                    const api::ReplicaSet& new_rs,
                                                                    int64_t max_other_revision) {
  std::map<std::string, std::string> wanted = new_rs.metadata.annotations;
  for (const auto& [key, value] : CopiedAnnotations(rollout)) wanted[key] = value;
  const std::optional<int64_t> current = RevisionOf(new_rs.metadata);
  if (current.value_or(0) <= max_other_revision) {
    if (current) {
      std::string& history = wanted[std::string(kRevisionHistoryAnnotation)];
      history += (history.empty() ? "" : ",") + std::to_string(*current);
    }
    wanted[kRevision] = std::to_string(max_other_revision + 1);
  }
  if (wanted == new_rs.metadata.annotations) return std::nullopt;
  return wanted;
}

std::vector<std::string> ReplicaSetsBeyondHistoryLimit(const std::vector<api::ReplicaSet>& others,
                                                       int32_t limit) {
  std::vector<const api::ReplicaSet*> live;
  for (const api::ReplicaSet& replica_set : others) {
    if (replica_set.metadata.deletion_timestamp == api::Time{}) live.push_back(&replica_set);
  }
  std::vector<std::string> doomed;
  if (static_cast<int64_t>(live.size()) <= limit) return doomed;
  size_t excess = live.size() - static_cast<size_t>(std::max(limit, 0));
  std::sort(live.begin(), live.end(),
            [](const api::ReplicaSet* a, const api::ReplicaSet* b) { return Older(*a, *b); });
  for (const api::ReplicaSet* replica_set : live) {
    if (doomed.size() == excess) break;
    const bool scaled_down =
        replica_set->spec.replicas.value_or(1) == 0 && replica_set->status.replicas == 0 &&
        replica_set->status.observed_generation >= replica_set->metadata.generation;
    if (scaled_down) doomed.push_back(replica_set->metadata.name);
  }
  return doomed;
}

// The revision a ReplicaSet was created with: the first of its revision-history, else its
// revision (0 when it has none).
int64_t FirstRevision(const api::ReplicaSet& replica_set) {
  int64_t first = RevisionOf(replica_set.metadata).value_or(0);
  auto history = replica_set.metadata.annotations.find(std::string(kRevisionHistoryAnnotation));
  if (history != replica_set.metadata.annotations.end()) {
    std::string_view text = history->second;
    const size_t comma = text.find(',');
    int64_t earliest = 0;
    const std::string_view head = text.substr(0, comma);
    if (std::from_chars(head.data(), head.data() + head.size(), earliest).ec == std::errc() &&
        earliest > 0) {
      first = std::min(first == 0 ? earliest : first, earliest);
    }
  }
  return first;
}

bool CreatedBefore(const api::ReplicaSet& a, const api::ReplicaSet& b) {
  if (a.metadata.creation_timestamp != b.metadata.creation_timestamp) {
    return a.metadata.creation_timestamp < b.metadata.creation_timestamp;
  }
  // Timestamps have whole seconds: two ReplicaSets of one second are told apart by the revision
  // each was created with.
  return FirstRevision(a) < FirstRevision(b);
}

bool IsRollback(const api::ReplicaSet& new_rs, const api::ReplicaSet* stable_rs,
                const std::string& stable_hash) {
  if (!stable_hash.empty() && PodTemplateHashOf(new_rs) == stable_hash) return true;
  return stable_rs != nullptr && CreatedBefore(new_rs, *stable_rs);
}

bool WithinRollbackWindow(const api::Rollout& rollout, const api::ReplicaSet& new_rs,
                          const api::ReplicaSet* stable_rs,
                          const std::vector<api::ReplicaSet>& all) {
  if (!rollout.spec.rollback_window || rollout.spec.rollback_window->revisions <= 0 ||
      stable_rs == nullptr) {
    return false;
  }
  int32_t between = 0;
  for (const api::ReplicaSet& rs : all) {
    if (rs.metadata.creation_timestamp > new_rs.metadata.creation_timestamp &&
        rs.metadata.creation_timestamp <= stable_rs->metadata.creation_timestamp) {
      ++between;
    }
  }
  return between <= rollout.spec.rollback_window->revisions;
}

std::string LabelSelectorString(const api::LabelSelector& selector) {
  Result<api::Selector> converted = api::FromLabelSelector(selector);
  return converted.ok() ? api::ToString(*converted) : "";
}

}  // namespace devflow::core
