// Checks one object read from a manifest: the fields every object needs (apiVersion, kind,
// metadata.name), then, for a kind devflow knows, its schema and validation rules.
#pragma once

#include "api/field_error.h"
#include "api/kinds.h"
#include "common/json_value.h"

namespace devflow::api {

struct ObjectCheck {
  FieldErrors errors;
  // Not errors: fields the kind does not define, which Kubernetes would silently drop (a
  // misspelt `autoPromotionEnable` leaves the default in force).
  FieldErrors warnings;
  // True when the kind is one devflow models; objects of other kinds get only the generic checks
  // (they may be CRDs devflow does not know, which is not an error).
  bool known_kind = false;
};

// REQUIRES: object.is_object().
ObjectCheck CheckObject(const json::Value& object);

// Validates metadata as Kubernetes does for any object: name (or generateName) present and
// following the kind's name rule (`info`; nullptr for kinds devflow does not know: a DNS
// subdomain, namespaced), namespace a DNS label (and absent for cluster-scoped kinds), label keys
// and values and annotation keys well-formed. Appends to *errors with paths under "metadata".
void ValidateObjectMeta(const json::Value& object, const KindInfo* info, FieldErrors* errors);

}  // namespace devflow::api
