#include "api/workloads_validation.h"

#include <string>

#include "api/int_or_string.h"
#include "api/name_rules.h"
#include "api/pod_validation.h"
#include "api/validation_util.h"

namespace devflow::api {
namespace {

template <class Int>
void CheckAtLeast(const std::optional<Int>& v, Int min, const FieldPath& path,
                  FieldErrors* errors) {
  if (v && *v < min) {
    AddFieldError(errors, path,
                  "must be >= " + std::to_string(min) + ", got " + std::to_string(*v));
  }
}

// Returns the value of maxSurge / maxUnavailable as a percentage or a count (is_percent tells
// which), or reports why it is invalid.
std::optional<int64_t> RollingUpdateNumber(const json::Value& v, const FieldPath& path,
                                           bool& is_percent, FieldErrors* errors) {
  is_percent = false;
  if (v.is_int()) {
    if (v.as_int() < 0) {
      AddFieldError(
          errors, path,
          "must be >= 0 or a percentage such as \"25%\", got " + std::to_string(v.as_int()));
      return std::nullopt;
    }
    return v.as_int();
  }
  if (v.is_string()) {
    Result<int32_t> percent = ParsePercent(v.as_string());
    if (!percent.ok() || *percent < 0) {
      AddFieldError(
          errors, path,
          "must be an integer >= 0 or a percentage such as \"25%\", got \"" + v.as_string() + "\"");
      return std::nullopt;
    }
    is_percent = true;
    return *percent;
  }
  AddFieldError(errors, path, "must be an integer >= 0 or a percentage such as \"25%\"");
  return std::nullopt;
}

void ValidateDeploymentStrategy(const json::Value& strategy, const FieldPath& path,
                                FieldErrors* errors) {
  if (strategy.is_null()) return;
  if (!strategy.is_object()) {
    AddFieldError(errors, path, "must be an object {type, rollingUpdate}");
    return;
  }
  std::string type = "RollingUpdate";
  if (const json::Value* t = strategy.Find("type"); t != nullptr && !t->is_null()) {
    if (!t->is_string() || (t->as_string() != "RollingUpdate" && t->as_string() != "Recreate")) {
      AddFieldError(errors, path.Child("type"),
                    "must be RollingUpdate or Recreate, got " + json::Write(*t));
      return;
    }
    type = t->as_string();
  }
  const json::Value* rolling = strategy.Find("rollingUpdate");
  if (rolling == nullptr || rolling->is_null()) return;
  const FieldPath rp = path.Child("rollingUpdate");
  if (type == "Recreate") {
    AddFieldError(errors, rp, "must not be set when type is Recreate");
    return;
  }
  if (!rolling->is_object()) {
    AddFieldError(errors, rp, "must be an object {maxSurge, maxUnavailable}");
    return;
  }
  bool surge_percent = false;
  bool unavailable_percent = false;
  std::optional<int64_t> surge;
  std::optional<int64_t> unavailable;
  if (const json::Value* s = rolling->Find("maxSurge"); s != nullptr && !s->is_null()) {
    surge = RollingUpdateNumber(*s, rp.Child("maxSurge"), surge_percent, errors);
  }
  if (const json::Value* u = rolling->Find("maxUnavailable"); u != nullptr && !u->is_null()) {
    unavailable = RollingUpdateNumber(*u, rp.Child("maxUnavailable"), unavailable_percent, errors);
    if (unavailable && unavailable_percent && *unavailable > 100) {
      AddFieldError(errors, rp.Child("maxUnavailable"),
                    "must be at most 100%, got " + std::to_string(*unavailable) + "%");
    }
  }
  if (surge && unavailable && *surge == 0 && *unavailable == 0) {
    AddFieldError(errors, rp.Child("maxUnavailable"),
                  "must not be 0 when maxSurge is 0: the rollout could never make progress");
  }
}

}  // namespace

void ValidateSelectorForTemplate(const LabelSelector& selector, const FieldPath& path,
                                 const std::map<std::string, std::string>& template_labels,
                                 const FieldPath& labels_path, FieldErrors* errors) {
  if (selector.match_labels.empty() && selector.match_expressions.empty()) {
    AddFieldError(
        errors, path,
        "must not be empty: set matchLabels or matchExpressions selecting the template's labels");
    return;
  }
  bool well_formed = true;
  for (const auto& [key, value] : selector.match_labels) {
    const FieldPath p = path.Child("matchLabels").Child(key);
    if (std::string why = CheckQualifiedName(key); !why.empty()) {
      AddFieldError(errors, p, "key: " + why);
      well_formed = false;
    }
    if (std::string why = CheckLabelValue(value); !why.empty()) {
      AddFieldError(errors, p, why);
      well_formed = false;
    }
  }
  for (size_t i = 0; i < selector.match_expressions.size(); ++i) {
    const LabelSelectorRequirement& r = selector.match_expressions[i];
    const FieldPath p = path.Child("matchExpressions").Index(i);
    if (std::string why = CheckQualifiedName(r.key); !why.empty()) {
      AddFieldError(errors, p.Child("key"), why);
      well_formed = false;
    }
    if (r.operator_ == "In" || r.operator_ == "NotIn") {
      if (r.values.empty()) {
        AddFieldError(errors, p.Child("values"),
                      "must not be empty when operator is " + r.operator_);
        well_formed = false;
      }
    } else if (r.operator_ == "Exists" || r.operator_ == "DoesNotExist") {
      if (!r.values.empty()) {
        AddFieldError(errors, p.Child("values"), "must be empty when operator is " + r.operator_);
        well_formed = false;
      }
    } else {
      AddFieldError(errors, p.Child("operator"),
                    "must be In, NotIn, Exists or DoesNotExist, got \"" + r.operator_ + "\"");
      well_formed = false;
    }
  }
  if (well_formed && !Matches(selector, template_labels)) {
    AddFieldError(
        errors, labels_path,
        "must match the selector " + path.str() + " (" + ToSelectorString(selector) + ")");
  }
}

FieldErrors Validate(const ReplicaSet& rs) {
  FieldErrors errors;
  const FieldPath spec("spec");
  CheckAtLeast(rs.spec.replicas, 0, spec.Child("replicas"), &errors);
  CheckAtLeast(std::optional<int32_t>(rs.spec.min_ready_seconds), 0, spec.Child("minReadySeconds"),
               &errors);
  const FieldPath tmpl = spec.Child("template");
  ValidateSelectorForTemplate(rs.spec.selector, spec.Child("selector"),
                              rs.spec.template_.metadata.labels,
                              tmpl.Child("metadata").Child("labels"), &errors);
  ValidatePodTemplate(rs.spec.template_, tmpl, &errors, RestartPolicyRule::kAlwaysOnly);
  return errors;
}

FieldErrors Validate(const Deployment& d) {
  FieldErrors errors;
  const FieldPath spec("spec");
  CheckAtLeast(d.spec.replicas, 0, spec.Child("replicas"), &errors);
  CheckAtLeast(std::optional<int32_t>(d.spec.min_ready_seconds), 0, spec.Child("minReadySeconds"),
               &errors);
  CheckAtLeast(d.spec.revision_history_limit, 0, spec.Child("revisionHistoryLimit"), &errors);
  if (d.spec.progress_deadline_seconds &&
      *d.spec.progress_deadline_seconds <= d.spec.min_ready_seconds) {
    AddFieldError(&errors, spec.Child("progressDeadlineSeconds"),
                  "must be greater than minReadySeconds (" +
                      std::to_string(d.spec.min_ready_seconds) + "), got " +
                      std::to_string(*d.spec.progress_deadline_seconds));
  }
  ValidateDeploymentStrategy(d.spec.strategy, spec.Child("strategy"), &errors);
  const FieldPath tmpl = spec.Child("template");
  ValidateSelectorForTemplate(d.spec.selector, spec.Child("selector"),
                              d.spec.template_.metadata.labels,
                              tmpl.Child("metadata").Child("labels"), &errors);
  ValidatePodTemplate(d.spec.template_, tmpl, &errors, RestartPolicyRule::kAlwaysOnly);
  return errors;
}

FieldErrors Validate(const Job& job) {
  FieldErrors errors;
  const FieldPath spec("spec");
  CheckAtLeast(job.spec.parallelism, 0, spec.Child("parallelism"), &errors);
  CheckAtLeast(job.spec.completions, 0, spec.Child("completions"), &errors);
  CheckAtLeast(job.spec.active_deadline_seconds, int64_t{1}, spec.Child("activeDeadlineSeconds"),
               &errors);
  CheckAtLeast(job.spec.backoff_limit, 0, spec.Child("backoffLimit"), &errors);
  CheckAtLeast(job.spec.ttl_seconds_after_finished, 0, spec.Child("ttlSecondsAfterFinished"),
               &errors);
  const FieldPath tmpl = spec.Child("template");
  if (job.spec.manual_selector.value_or(false)) {
    ValidateSelectorForTemplate(job.spec.selector.value_or(LabelSelector{}), spec.Child("selector"),
                                job.spec.template_.metadata.labels,
                                tmpl.Child("metadata").Child("labels"), &errors);
  }
  ValidatePodTemplate(job.spec.template_, tmpl, &errors, RestartPolicyRule::kNotAlways);
  return errors;
}

}  // namespace devflow::api
