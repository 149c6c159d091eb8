#include "api/object_check.h"

#include "api/core_kinds_validation.h"
#include "api/decode.h"
#include "api/kinds.h"
#include "api/meta_codec.h"
#include "api/name_rules.h"
#include "api/validation_util.h"

namespace devflow::api {
namespace {

void AddKeyError(FieldErrors* errors, FieldPath path, std::string message) {
  if (message.empty()) return;
  FieldError e{std::move(path), std::move(message)};
  e.about_key = true;
  errors->push_back(std::move(e));
}

}  // namespace

std::string CheckName(NameRule rule, std::string_view name) {
  switch (rule) {
    case NameRule::kDnsSubdomain:
      return CheckDnsSubdomain(name);
    case NameRule::kDnsLabel:
      return CheckDnsLabel(name);
    case NameRule::kDns1035Label:
      return CheckDns1035Label(name);
  }
  return {};
}

void ValidateObjectMeta(const json::Value& object, const KindInfo* info, FieldErrors* errors) {
  const bool namespaced = info == nullptr || info->namespaced;
  const NameRule name_rule = info == nullptr ? NameRule::kDnsSubdomain : info->name_rule;
  const json::Value* metadata_value = object.Find("metadata");
  FieldPath path("metadata");
  if (metadata_value == nullptr || metadata_value->is_null()) {
    errors->push_back(FieldError{path, "is required: every object needs metadata.name"});
    return;
  }
  if (!metadata_value->is_object()) {
    errors->push_back(FieldError{path, "must be an object"});
    return;
  }
  ObjectMeta meta = Decode<ObjectMeta>(*metadata_value, nullptr);
  if (meta.name.empty() && meta.generate_name.empty()) {
    errors->push_back(FieldError{path.Child("name"), "is required (or set generateName)"});
  } else if (!meta.name.empty()) {
    AddFieldError(errors, path.Child("name"), CheckName(name_rule, meta.name));
  }
  if (!meta.namespace_.empty()) {
    if (!namespaced) {
      errors->push_back(
          FieldError{path.Child("namespace"), "must be empty: this kind is cluster-scoped"});
    } else {
      AddFieldError(errors, path.Child("namespace"), CheckDnsLabel(meta.namespace_));
    }
  }
  for (const auto& [key, value] : meta.labels) {
    FieldPath label = path.Child("labels").Child(key);
    AddKeyError(errors, label, CheckQualifiedName(key));
    AddFieldError(errors, label, CheckLabelValue(value));
  }
  for (const auto& [key, value] : meta.annotations) {
    AddKeyError(errors, path.Child("annotations").Child(key), CheckQualifiedName(key));
  }
}

ObjectCheck CheckObject(const json::Value& object) {
  ObjectCheck result;
  const json::Value* api_version = object.Find("apiVersion");
  const json::Value* kind = object.Find("kind");
  bool typed = true;
  if (api_version == nullptr || !api_version->is_string() || api_version->as_string().empty()) {
    result.errors.push_back(
        FieldError{FieldPath("apiVersion"), "is required, e.g. \"argoproj.io/v1alpha1\""});
    typed = false;
  }
  if (kind == nullptr || !kind->is_string() || kind->as_string().empty()) {
    result.errors.push_back(FieldError{FieldPath("kind"), "is required, e.g. \"Rollout\""});
    typed = false;
  }
  const KindInfo* info = typed ? FindKind(api_version->as_string(), kind->as_string()) : nullptr;
  ValidateObjectMeta(object, info, &result.errors);
  if (info == nullptr) return result;
  result.known_kind = true;
  if (info->unknown_fields != nullptr) {
    for (FieldPath& path : info->unknown_fields(object)) {
      FieldError w{std::move(path), "unknown field: " + info->ApiVersion() + " " +
                                        std::string(info->kind) +
                                        " does not define it (misspelt?); it will be ignored"};
      w.about_key = true;
      result.warnings.push_back(std::move(w));
    }
  }
  if (info->check != nullptr) {
    FieldErrors kind_errors = info->check(object);
    result.errors.insert(result.errors.end(), kind_errors.begin(), kind_errors.end());
  }
  return result;
}

}  // namespace devflow::api
