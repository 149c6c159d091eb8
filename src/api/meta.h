// Object metadata shared by every kind: ObjectMeta, OwnerReference, LabelSelector.
//
// Plain value types (copyable, comparable). Field names follow the manifest's words in
// snake_case; a name that is a C++ keyword gets a trailing underscore (namespace_), as protobuf's
// C++ code does. `extra` keeps members devflow does not model, so nothing is lost on a round trip.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// metadata.ownerReferences[]
struct OwnerReference {
  std::string api_version;                   // apiVersion
  std::string kind;                          // kind
  std::string name;                          // name
  std::string uid;                           // uid
  std::optional<bool> controller;            // controller: the managing controller when true
  std::optional<bool> block_owner_deletion;  // blockOwnerDeletion
  json::Object extra;
  friend bool operator==(const OwnerReference&, const OwnerReference&) = default;
};

// metadata
struct ObjectMeta {
  std::string name;              // name
  std::string generate_name;     // generateName: server appends 5 random characters
  std::string namespace_;        // namespace
  std::string uid;               // uid: set by the server
  std::string resource_version;  // resourceVersion: opaque; optimistic concurrency
  int64_t generation = 0;        // generation: bumped by spec changes only
  Time creation_timestamp;       // creationTimestamp
  Time deletion_timestamp;       // deletionTimestamp: set when deletion is pending
  std::optional<int64_t> deletion_grace_period_seconds;  // deletionGracePeriodSeconds
  std::map<std::string, std::string> labels;             // labels
  std::map<std::string, std::string> annotations;        // annotations
  std::vector<OwnerReference> owner_references;          // ownerReferences
  std::vector<std::string> finalizers;                   // finalizers
  json::Object extra;                                    // managedFields and anything else
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// A requirement of a LabelSelector: matchExpressions[]
struct LabelSelectorRequirement {
  std::string key;                  // key
  std::string operator_;            // operator: In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;  // values: non-empty for In/NotIn, empty otherwise
  json::Object extra;
  friend bool operator==(const LabelSelectorRequirement&,
                         const LabelSelectorRequirement&) = default;
};

// metav1.LabelSelector: all matchLabels and all matchExpressions must hold. An empty selector
// matches everything (Rollout validation rejects it).
struct LabelSelector {
  std::map<std::string, std::string> match_labels;          // matchLabels
  std::vector<LabelSelectorRequirement> match_expressions;  // matchExpressions
  json::Object extra;
  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

// The ownerReference a controller writes on what it creates: the owner's name and uid, controller
// and blockOwnerDeletion true (so deleting the owner in the foreground waits for its children).
OwnerReference ControllerReference(std::string api_version, std::string kind,
                                   const ObjectMeta& owner);

// True when `labels` satisfy every term of `selector`. Unknown operators match nothing.
bool Matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels);

// Renders the selector in the query form kubectl and the scale subresource use:
// "app=web,tier in (a,b),!legacy". Terms are sorted by key.
std::string ToSelectorString(const LabelSelector& selector);

}  // namespace devflow::api
