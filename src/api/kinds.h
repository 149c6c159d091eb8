// The kinds devflow knows: their API group/version, REST names and scope, and how a manifest of
// that kind is checked. One table, so lint, apply and the API server agree on what exists.
#pragma once

#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "common/json_value.h"

namespace devflow::api {

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

  // "argoproj.io/v1alpha1", or "v1" for the core group.
  std::string ApiVersion() const;
};

// Every kind devflow reads or writes.
const std::vector<KindInfo>& BuiltinKinds();

// Returns the kind with this apiVersion ("apps/v1") and kind ("ReplicaSet"), or nullptr.
const KindInfo* FindKind(std::string_view api_version, std::string_view kind);

}  // namespace devflow::api
