// The kinds devflow knows: their API group/version, REST names and scope, and how a manifest of
// that kind is checked. One table, so lint, apply and the API server agree on what exists.
#pragma once

#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "common/field_path.h"
#include "common/json_value.h"

namespace devflow::api {

// Which syntax an object's metadata.name must follow (Kubernetes differs per kind).
enum class NameRule {
  kDnsSubdomain,  // most kinds: at most 253 of [a-z0-9.-]
  kDnsLabel,      // Namespace: at most 63 of [a-z0-9-]
  kDns1035Label,  // Service: a DNS label that starts with a letter
};

struct KindInfo {
  std::string_view group;                     // "" for the core group
  std::string_view version;                   // "v1alpha1"
  std::string_view kind;                      // "Rollout"
  std::string_view plural;                    // "rollouts": the REST resource name
  std::string_view singular;                  // "rollout"
  std::vector<std::string_view> short_names;  // {"ro"}
  bool namespaced = true;
  bool status_subresource = false;  // status is written through /status only
  // Decodes and validates an object of this kind; returns every problem (empty when valid).
  FieldErrors (*check)(const json::Value& object) = nullptr;
  // Lists fields the kind does not define (likely misspellings), for lint warnings; nullptr when
  // devflow models the kind only partly and cannot tell.
  std::vector<FieldPath> (*unknown_fields)(const json::Value& object) = nullptr;
  // The rule for metadata.name, applied by the generic metadata check (object_check.h).
  NameRule name_rule = NameRule::kDnsSubdomain;

  // "argoproj.io/v1alpha1", or "v1" for the core group.
  std::string ApiVersion() const;
};

// Every kind devflow reads or writes.
const std::vector<KindInfo>& BuiltinKinds();

// Returns the kind with this apiVersion ("apps/v1") and kind ("ReplicaSet"), or nullptr.
const KindInfo* FindKind(std::string_view api_version, std::string_view kind);

}  // namespace devflow::api
