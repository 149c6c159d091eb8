#include "node/replica_set_rules.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <memory>
#include <random>
#include <utility>

namespace devflow::node {
namespace {

constexpr std::string_view kReady = "Ready";
constexpr std::string_view kTrue = "True";

const api::PodCondition* ReadyCondition(const api::Pod& pod) {
  for (const api::PodCondition& c : pod.status.conditions) {
    if (c.type == kReady) return &c;
  }
  return nullptr;
}

// Kubernetes' podPhaseToOrdinal: a phase missing from its map (unset, Succeeded, Failed) reads
// as 0, the same as Pending.
int PhaseOrdinal(const std::string& phase) {
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;
}

// As Kubernetes parses it: "+1" and "007" are malformed; a malformed or out-of-range value is 0.
int32_t DeletionCost(const api::Pod& pod) {
  auto it = pod.metadata.annotations.find(std::string(kPodDeletionCostAnnotation));
  if (it == pod.metadata.annotations.end()) return 0;
  const std::string& text = it->second;
  if (text.empty()) return 0;
  const char first = text[0];
  const bool valid_first = first == '-' || text == "0" || (first >= '1' && first <= '9');
  if (!valid_first) return 0;
  int32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return 0;
  return value;
}

// The time a Ready pod became Ready; zero when unknown or not Ready.
api::TimePoint ReadySince(const api::Pod& pod) {
  const api::PodCondition* c = ReadyCondition(pod);
  if (c == nullptr || c->status != kTrue) return {};
  return c->last_transition_time.value;
}

int32_t MaxRestarts(const api::Pod& pod) {
  int32_t most = 0;
  for (const api::ContainerStatus& c : pod.status.container_statuses) {
    most = std::max(most, c.restart_count);
  }
  return most;
}

// Kubernetes' afterOrZero: an unknown (zero) time first, then the later one.
bool AfterOrZero(api::TimePoint a, api::TimePoint b) {
  const api::TimePoint zero{};
  if (a == zero || b == zero) return a == zero;
  return a > b;
}

bool LabelsInclude(const std::map<std::string, std::string>& labels,
                   const std::map<std::string, std::string>& wanted) {
  for (const auto& [key, value] : wanted) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

bool IsBeingDeleted(const api::ObjectMeta& meta) { return meta.deletion_timestamp != api::Time{}; }

}  // namespace

NameSuffixSource RandomNameSuffixSource() {
  struct State {
    std::mutex mu;
    std::mt19937_64 engine{std::random_device{}()};
  };
  auto state = std::make_shared<State>();
  return [state]() {
    std::uniform_int_distribution<size_t> pick(0, kNameSuffixAlphabet.size() - 1);
    std::string suffix(kNameSuffixLength, ' ');
    std::lock_guard<std::mutex> lock(state->mu);
    for (char& c : suffix) c = kNameSuffixAlphabet[pick(state->engine)];
    return suffix;
  };
}

bool IsPodActive(const api::Pod& pod) {
  return pod.status.phase != "Succeeded" && pod.status.phase != "Failed" &&
         !IsBeingDeleted(pod.metadata);
}

bool IsPodReady(const api::Pod& pod) {
  const api::PodCondition* c = ReadyCondition(pod);
  return c != nullptr && c->status == kTrue;
}

bool IsPodAvailable(const api::Pod& pod, int32_t min_ready_seconds, api::TimePoint now) {
  if (!IsPodReady(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  const api::TimePoint since = ReadySince(pod);
  return since != api::TimePoint{} && since + std::chrono::seconds(min_ready_seconds) < now;
}

const api::OwnerReference* ControllerOf(const api::ObjectMeta& meta) {
  for (const api::OwnerReference& ref : meta.owner_references) {
    if (ref.controller.value_or(false)) return &ref;
  }
  return nullptr;
}

api::OwnerReference ControllerRefFor(const api::ReplicaSet& rs) {
  return api::ControllerReference("apps/v1", "ReplicaSet", rs.metadata);
}

int32_t DesiredReplicas(const api::ReplicaSet& rs) { return rs.spec.replicas.value_or(1); }

std::string GeneratedPodName(std::string_view rs_name, std::string_view suffix) {
  std::string name(rs_name);
  name += '-';
  if (name.size() > kMaxGeneratedNamePrefix) name.resize(kMaxGeneratedNamePrefix);
  name += suffix;
  return name;
}

api::Pod PodFromTemplate(const api::ReplicaSet& rs, std::string name) {
  const api::PodTemplateSpec& tmpl = rs.spec.template_;
  api::Pod pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.metadata.name = std::move(name);
  pod.metadata.namespace_ = rs.metadata.namespace_;
  pod.metadata.labels = tmpl.metadata.labels;
  pod.metadata.annotations = tmpl.metadata.annotations;
  pod.metadata.finalizers = tmpl.metadata.finalizers;
  pod.metadata.owner_references = {ControllerRefFor(rs)};
  pod.spec = tmpl.spec;
  return pod;
}

bool PreferForDeletion(const api::Pod& a, const api::Pod& b) {
  const std::string& node_a = a.spec.node_name;
  const std::string& node_b = b.spec.node_name;
  if (node_a != node_b && (node_a.empty() || node_b.empty())) return node_a.empty();
  if (int pa = PhaseOrdinal(a.status.phase), pb = PhaseOrdinal(b.status.phase); pa != pb) {
    return pa < pb;
  }
  const bool ready_a = IsPodReady(a);
  const bool ready_b = IsPodReady(b);
  if (ready_a != ready_b) return !ready_a;
  if (int32_t ca = DeletionCost(a), cb = DeletionCost(b); ca != cb) return ca < cb;
  if (ready_a && ready_b) {
    const api::TimePoint since_a = ReadySince(a);
    const api::TimePoint since_b = ReadySince(b);
    if (since_a != since_b) return AfterOrZero(since_a, since_b);
  }
  if (int32_t ra = MaxRestarts(a), rb = MaxRestarts(b); ra != rb) return ra > rb;
  const api::TimePoint created_a = a.metadata.creation_timestamp.value;
  const api::TimePoint created_b = b.metadata.creation_timestamp.value;
  if (created_a != created_b) return AfterOrZero(created_a, created_b);
  return false;
}

std::vector<api::Pod> RankPodsForDeletion(std::vector<api::Pod> pods) {
  std::stable_sort(pods.begin(), pods.end(), PreferForDeletion);
  return pods;
}

std::vector<int> SlowStartBatches(int count, int initial) {
  std::vector<int> batches;
  int remaining = count;
  for (int size = std::min(remaining, initial); size > 0; size = std::min(2 * size, remaining)) {
    batches.push_back(size);
    remaining -= size;
  }
  return batches;
}

PodRef RefOf(const api::Pod& pod) {
  return PodRef{.name = pod.metadata.name,
                .uid = pod.metadata.uid,
                .resource_version = pod.metadata.resource_version};
}

PodClaims ClaimPods(const api::ReplicaSet& rs, const std::vector<api::Pod>& pods) {
  PodClaims claims;
  const bool rs_deleting = IsBeingDeleted(rs.metadata);
  for (const api::Pod& pod : pods) {
    if (pod.metadata.namespace_ != rs.metadata.namespace_ || !IsPodActive(pod)) continue;
    const bool selected = api::Matches(rs.spec.selector, pod.metadata.labels);
    if (const api::OwnerReference* ref = ControllerOf(pod.metadata); ref != nullptr) {
      if (ref->uid != rs.metadata.uid) continue;
      if (selected) {
        claims.owned.push_back(pod);
      } else if (!rs_deleting) {
        claims.release.push_back(RefOf(pod));
      }
      continue;
    }
    // IsPodActive already excludes an orphan being deleted: it is not adopted.
    if (rs_deleting || !selected) continue;
    claims.adopt.push_back(RefOf(pod));
    api::Pod adopted = pod;
    adopted.metadata.owner_references.push_back(ControllerRefFor(rs));
    claims.owned.push_back(std::move(adopted));
  }
  return claims;
}

ReplicaSetPlan PlanReplicaSet(const api::ReplicaSet& rs, const std::vector<api::Pod>& pods,
                              bool expectations_satisfied, api::TimePoint now,
                              const NameSuffixSource& names) {
  ReplicaSetPlan plan;
  plan.claims = ClaimPods(rs, pods);
  const std::vector<api::Pod>& owned = plan.claims.owned;
  plan.requeue_after = NextAvailabilityCheck(rs, owned, now);
  if (!expectations_satisfied || IsBeingDeleted(rs.metadata)) return plan;

  const int diff = static_cast<int>(owned.size()) - DesiredReplicas(rs);
  if (diff < 0) {
    const int count = std::min(-diff, kBurstReplicas);
    for (int i = 0; i < count; ++i) {
      plan.create.push_back(PodFromTemplate(rs, GeneratedPodName(rs.metadata.name, names())));
    }
  } else if (diff > 0) {
    const int count = std::min(diff, kBurstReplicas);
    std::vector<api::Pod> ranked = RankPodsForDeletion(owned);
    for (int i = 0; i < count; ++i) plan.delete_pods.push_back(RefOf(ranked[i]));
  }
  return plan;
}

api::ReplicaSetStatus ComputeStatus(const api::ReplicaSet& rs, const std::vector<api::Pod>& owned,
                                    const std::optional<ManageFailure>& failure,
                                    api::TimePoint now) {
  api::ReplicaSetStatus status = rs.status;
  int32_t fully_labeled = 0;
  int32_t ready = 0;
  int32_t available = 0;
  for (const api::Pod& pod : owned) {
    if (LabelsInclude(pod.metadata.labels, rs.spec.template_.metadata.labels)) ++fully_labeled;
    if (IsPodReady(pod)) {
      ++ready;
      if (IsPodAvailable(pod, rs.spec.min_ready_seconds, now)) ++available;
    }
  }
  status.replicas = static_cast<int32_t>(owned.size());
  status.fully_labeled_replicas = fully_labeled;
  status.ready_replicas = ready;
  status.available_replicas = available;
  status.observed_generation = rs.metadata.generation;

  auto existing = std::find_if(
      status.conditions.begin(), status.conditions.end(),
      [](const api::ReplicaSetCondition& c) { return c.type == kReplicaFailureCondition; });
  if (failure) {
    const int diff = static_cast<int>(owned.size()) - DesiredReplicas(rs);
    api::ReplicaSetCondition condition{
        .type = std::string(kReplicaFailureCondition),
        .status = std::string(kTrue),
        .last_transition_time = {std::chrono::floor<std::chrono::seconds>(now)},
        .reason = diff < 0 ? "FailedCreate" : (diff > 0 ? "FailedDelete" : ""),
        .message = failure->message};
    // As Kubernetes' SetCondition: the same status and reason keep the condition as it is.
    const bool same = existing != status.conditions.end() && existing->status == condition.status &&
                      existing->reason == condition.reason;
    if (!same) {
      if (existing != status.conditions.end()) status.conditions.erase(existing);
      status.conditions.push_back(std::move(condition));
    }
  } else if (existing != status.conditions.end()) {
    status.conditions.erase(existing);
  }
  return status;
}

std::optional<std::chrono::milliseconds> NextAvailabilityCheck(const api::ReplicaSet& rs,
                                                               const std::vector<api::Pod>& owned,
                                                               api::TimePoint now) {
  const int32_t min_ready = rs.spec.min_ready_seconds;
  if (min_ready <= 0) return std::nullopt;
  std::optional<api::TimePoint> first;
  for (const api::Pod& pod : owned) {
    const api::TimePoint since = ReadySince(pod);
    if (since == api::TimePoint{} || IsPodAvailable(pod, min_ready, now)) continue;
    const api::TimePoint at = since + std::chrono::seconds(min_ready);
    if (!first || at < *first) first = at;
  }
  if (!first) return std::nullopt;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*first - now);
  return std::max(wait, std::chrono::milliseconds(0)) + std::chrono::milliseconds(1);
}

void ReplicaSetExpectations::ExpectCreations(const std::string& rs_key, int count, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[rs_key] = Record{.creations = count, .deletions = {}, .set_at = now};
}

void ReplicaSetExpectations::ExpectDeletions(const std::string& rs_key,
                                             const std::vector<std::string>& pod_keys,
                                             TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[rs_key] =
      Record{.creations = 0, .deletions = {pod_keys.begin(), pod_keys.end()}, .set_at = now};
}

void ReplicaSetExpectations::CreationObserved(const std::string& rs_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(rs_key);
  if (it != records_.end()) --it->second.creations;
}

void ReplicaSetExpectations::DeletionObserved(const std::string& rs_key,
                                              const std::string& pod_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(rs_key);
  if (it != records_.end()) it->second.deletions.erase(pod_key);
}

bool ReplicaSetExpectations::Satisfied(const std::string& rs_key, TimePoint now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(rs_key);
  if (it == records_.end()) return true;
  const Record& record = it->second;
  if (record.creations <= 0 && record.deletions.empty()) return true;
  return now - record.set_at > timeout_;
}

void ReplicaSetExpectations::Forget(const std::string& rs_key) {
  std::lock_guard<std::mutex> lock(mu_);
  records_.erase(rs_key);
}

}  // namespace devflow::node
