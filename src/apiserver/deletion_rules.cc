#include "apiserver/deletion_rules.h"

#include <utility>

#include "api/time.h"

namespace devflow::apiserver {
namespace {

const json::Value* Metadata(const json::Value& object) {
  const json::Value* metadata = object.Find("metadata");
  return metadata != nullptr && metadata->is_object() ? metadata : nullptr;
}

const json::Array* Finalizers(const json::Value& object) {
  const json::Value* metadata = Metadata(object);
  if (metadata == nullptr) return nullptr;
  const json::Value* finalizers = metadata->Find("finalizers");
  return finalizers != nullptr && finalizers->is_array() ? &finalizers->as_array() : nullptr;
}

// Adds `finalizer` to metadata.finalizers unless present.
void AddFinalizer(json::Value& object, std::string_view finalizer) {
  if (HasFinalizer(object, finalizer)) return;
  json::Value& finalizers = object["metadata"]["finalizers"];
  if (!finalizers.is_array()) finalizers = json::Array{};
  finalizers.as_array().push_back(json::Value(finalizer));
}

const json::Value* Member(const json::Value& object, std::string_view section,
                          std::string_view member) {
  const json::Value* parent = object.Find(section);
  return parent != nullptr && parent->is_object() ? parent->Find(member) : nullptr;
}

std::optional<int64_t> IntMember(const json::Value& object, std::string_view section,
                                 std::string_view member) {
  const json::Value* value = Member(object, section, member);
  if (value == nullptr || !value->is_int()) return std::nullopt;
  return value->as_int();
}

std::string StringMember(const json::Value& object, std::string_view section,
                         std::string_view member) {
  const json::Value* value = Member(object, section, member);
  return value != nullptr && value->is_string() ? value->as_string() : std::string();
}

constexpr int64_t kDefaultTerminationGracePeriodSeconds = 30;

}  // namespace

std::optional<json::Value> PlanGracefulPodDelete(const json::Value& pod,
                                                 std::optional<int64_t> requested,
                                                 std::chrono::system_clock::time_point now) {
  if (Metadata(pod) == nullptr) return std::nullopt;
  const std::string phase = StringMember(pod, "status", "phase");
  // Nothing runs for an unbound or finished pod, so there is nothing to wait for.
  if (StringMember(pod, "spec", "nodeName").empty() || phase == "Succeeded" || phase == "Failed") {
    return std::nullopt;
  }
  int64_t grace = kDefaultTerminationGracePeriodSeconds;
  if (requested && *requested >= 0) {
    grace = *requested;
  } else if (std::optional<int64_t> spec_grace =
                 IntMember(pod, "spec", "terminationGracePeriodSeconds");
             spec_grace && *spec_grace >= 0) {
    grace = *spec_grace;
  }
  if (grace == 0) return std::nullopt;
  if (IsMarkedForDeletion(pod)) {
    std::optional<int64_t> current = IntMember(pod, "metadata", "deletionGracePeriodSeconds");
    if (current && *current <= grace) return pod;
  }
  json::Value marked = pod;
  json::Object& metadata = marked["metadata"].as_object();
  const auto deadline = std::chrono::floor<std::chrono::seconds>(now) + std::chrono::seconds(grace);
  metadata.Set("deletionTimestamp", json::Value(api::FormatRfc3339(deadline)));
  metadata.Set("deletionGracePeriodSeconds", json::Value(grace));
  return marked;
}

Result<PropagationPolicy> ParsePropagationPolicy(std::string_view text) {
  if (text.empty() || text == "Background") return PropagationPolicy::kBackground;
  if (text == "Foreground") return PropagationPolicy::kForeground;
  if (text == "Orphan") return PropagationPolicy::kOrphan;
  return InvalidArgumentError("Unsupported value: \"" + std::string(text) +
                                  "\": supported values: \"Orphan\", \"Background\", "
                                  "\"Foreground\"",
                              "propagationPolicy");
}

bool IsMarkedForDeletion(const json::Value& object) {
  const json::Value* metadata = Metadata(object);
  if (metadata == nullptr) return false;
  const json::Value* timestamp = metadata->Find("deletionTimestamp");
  return timestamp != nullptr && !timestamp->is_null();
}

bool HasFinalizer(const json::Value& object, std::string_view finalizer) {
  const json::Array* finalizers = Finalizers(object);
  if (finalizers == nullptr) return false;
  for (const json::Value& f : *finalizers) {
    if (f.is_string() && f.as_string() == finalizer) return true;
  }
  return false;
}

bool ReadyToRemove(const json::Value& object) {
  if (!IsMarkedForDeletion(object)) return false;
  const json::Array* finalizers = Finalizers(object);
  return finalizers == nullptr || finalizers->empty();
}

json::Value WithoutListEntries(const json::Value& object, std::string_view section,
                               std::string_view member,
                               const std::function<bool(const json::Value&)>& drop) {
  json::Value result = object;
  json::Value* outer = result.Find(section);
  json::Value* list = outer != nullptr ? outer->Find(member) : nullptr;
  if (list == nullptr || !list->is_array()) return result;
  json::Array kept;
  for (json::Value& entry : list->as_array()) {
    if (!drop(entry)) kept.push_back(std::move(entry));
  }
  if (kept.empty()) {
    outer->as_object().Erase(member);
  } else {
    *list = std::move(kept);
  }
  return result;
}

json::Value WithoutFinalizer(const json::Value& object, std::string_view finalizer) {
  return WithoutListEntries(object, "metadata", "finalizers", [&](const json::Value& f) {
    return f.is_string() && f.as_string() == finalizer;
  });
}

DeletePlan PlanDelete(const json::Value& object, PropagationPolicy policy, std::string_view now) {
  // Only one propagation finalizer is kept, the one of the latest request, as kube-apiserver
  // does: a Background delete of an object waiting in the foreground lets it go at once.
  json::Value marked = object;
  switch (policy) {
    case PropagationPolicy::kForeground:
      marked = WithoutFinalizer(marked, kOrphanFinalizer);
      AddFinalizer(marked, kForegroundDeletionFinalizer);
      break;
    case PropagationPolicy::kOrphan:
      marked = WithoutFinalizer(marked, kForegroundDeletionFinalizer);
      AddFinalizer(marked, kOrphanFinalizer);
      break;
    case PropagationPolicy::kBackground:
      marked = WithoutFinalizer(WithoutFinalizer(marked, kForegroundDeletionFinalizer),
                                kOrphanFinalizer);
      break;
  }
  const json::Array* finalizers = Finalizers(marked);
  if (finalizers == nullptr || finalizers->empty()) {
    return DeletePlan{.remove_now = true, .marked = {}};
  }
  if (!IsMarkedForDeletion(marked)) {
    marked["metadata"].as_object().Set("deletionTimestamp", json::Value(now));
    marked["metadata"].as_object().Set("deletionGracePeriodSeconds", json::Value(0));
  }
  return DeletePlan{.remove_now = false, .marked = std::move(marked)};
}

}  // namespace devflow::apiserver
