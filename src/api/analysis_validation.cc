#include "api/analysis_validation.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "analysis/expr/syntax.h"
#include "api/analysis_defaults.h"
#include "api/decode.h"
#include "api/duration.h"
#include "api/pod_validation.h"
#include "api/validation_util.h"
#include "api/workloads_codec.h"

namespace devflow::api {
namespace {

std::string Join(const std::vector<std::string_view>& items) {
  std::string out;
  for (std::string_view item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// An IntOrString field as validation sees it: a literal integer (known), or a placeholder (not
// known until the run is created).
struct IntField {
  bool known = true;
  int64_t value = 0;
};

// Reads an optional IntOrString: absent gives `fallback`; an integer or a decimal string gives
// its value; a "{{...}}" string is unknown; any other string is reported.
IntField ReadIntField(const std::optional<IntOrString>& field, int64_t fallback,
                      const FieldPath& path, FieldErrors* errors) {
  if (!field) return {true, fallback};
  if (field->is_int()) return {true, field->int_value()};
  const std::string& s = field->string_value();
  if (HasTemplatePlaceholder(s)) return {false, 0};
  std::string_view digits = s;
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  bool numeric =
      !digits.empty() && digits.size() <= 10 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!numeric) {
    AddFieldError(errors, path, "must be an integer or a \"{{args.<name>}}\" placeholder, got " + Quoted(s));
    return {false, 0};
  }
  int64_t v = std::stoll(std::string(digits));
  return {true, negative ? -v : v};
}

void CheckDuration(const std::string& text, const FieldPath& path, FieldErrors* errors) {
  if (text.empty() || HasTemplatePlaceholder(text)) return;
  Result<std::chrono::nanoseconds> d = ParseGoDuration(text);
  if (!d.ok()) {
    AddFieldError(errors, path, d.error().message());
  } else if (d->count() < 0) {
    AddFieldError(errors, path, "must not be negative, got " + Quoted(text));
  }
}

// Returns the rendered path `rel` (relative, as a DecodeContext or a nested validator produced
// it) appended to `base`.
FieldPath Rebase(const FieldPath& base, const FieldPath& rel) {
  FieldPath out = base;
  const std::string& s = rel.str();
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '[') {
      size_t close = s.find(']', i);
      if (close == std::string::npos) close = s.size();
      std::string_view inner(s.data() + i + 1, close - i - 1);
      bool index = !inner.empty() && std::all_of(inner.begin(), inner.end(),
                                                 [](char c) { return c >= '0' && c <= '9'; });
      out = index ? out.Index(std::stoul(std::string(inner))) : out.Child(inner);
      i = close + 1;
    } else {
      size_t end = s.find_first_of(".[", i);
      if (end == std::string::npos) end = s.size();
      out = out.Child(std::string_view(s.data() + i, end - i));
      i = end;
    }
  }
  return out;
}

void ValidateHeaders(const std::vector<WebMetricHeader>& headers, const FieldPath& path,
                     FieldErrors* errors) {
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].key.empty()) {
      AddFieldError(errors, path.Index(i).Child("key"), "is required: the header's name");
    }
  }
}

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      std::string_view rest = url.substr(scheme.size());
      return !rest.empty() && rest[0] != '/';
    }
  }
  return false;
}

void ValidatePrometheus(const PrometheusMetric& p, const FieldPath& path, FieldErrors* errors) {
  if (p.query.empty()) AddFieldError(errors, path.Child("query"), "is required: the PromQL query to run");
  if (!p.address.empty() && !HasTemplatePlaceholder(p.address) && !IsHttpUrl(p.address)) {
    AddFieldError(errors, path.Child("address"),
        "must be an http(s) URL such as \"http://prometheus:9090\", got " + Quoted(p.address));
  }
  if (p.timeout && *p.timeout < 0) {
    AddFieldError(errors, path.Child("timeout"),
        "must be >= 0 seconds (0 means the default 30), got " + std::to_string(*p.timeout));
  }
  ValidateHeaders(p.headers, path.Child("headers"), errors);
}

void ValidateWeb(const WebMetric& w, const FieldPath& path, FieldErrors* errors) {
  if (w.url.empty()) AddFieldError(errors, path.Child("url"), "is required: the URL to query");
  bool method_ok = w.method.empty() || w.method == "GET" || w.method == "POST" || w.method == "PUT";
  if (!method_ok) {
    AddFieldError(errors, path.Child("method"), "must be GET, POST or PUT, got " + Quoted(w.method));
  }
  bool has_json_body = !w.json_body.is_null();
  if (!w.body.empty() && has_json_body) {
    AddFieldError(errors, path.Child("jsonBody"), "must not be set together with body: use one of them");
  }
  std::string method = WebMethod(w);
  if (method_ok && method != "POST" && method != "PUT") {
    if (!w.body.empty()) {
      AddFieldError(errors, path.Child("body"), "is only allowed with method POST or PUT, got " + method);
    }
    if (has_json_body) {
      AddFieldError(errors, path.Child("jsonBody"), "is only allowed with method POST or PUT, got " + method);
    }
  }
  if (w.timeout_seconds < 0) {
    AddFieldError(errors, path.Child("timeoutSeconds"),
        "must be >= 0 (0 means the default 10), got " + std::to_string(w.timeout_seconds));
  }
  ValidateHeaders(w.headers, path.Child("headers"), errors);
}

void ValidateJob(const JobMetric& job, const FieldPath& path, FieldErrors* errors) {
  FieldPath spec_path = path.Child("spec");
  if (!job.spec.is_object()) {
    AddFieldError(errors, spec_path, "is required: a batch/v1 JobSpec with a pod template");
    return;
  }
  FieldErrors decode_errors;
  JobSpec spec = Decode<JobSpec>(job.spec, &decode_errors);
  for (FieldError& e : decode_errors) {
    e.path = Rebase(spec_path, e.path);
    errors->push_back(std::move(e));
  }
  const json::Value* tmpl = job.spec.Find("template");
  if (tmpl == nullptr || tmpl->is_null()) {
    AddFieldError(errors, spec_path.Child("template"), "is required: the pod template the Job runs");
    return;
  }
  ValidatePodTemplate(spec.template_, spec_path.Child("template"), errors,
                      RestartPolicyRule::kNotAlways);
}

void ValidateProvider(const MetricProvider& provider, const FieldPath& path, FieldErrors* errors) {
  std::string allowed = Join(MetricProviderNames());
  for (const json::Member& m : provider.extra) {
    AddFieldError(errors, path.Child(m.key),
        "unknown provider " + Quoted(m.key) + "; known providers: " + allowed);
  }
  std::vector<std::string_view> set = SetProviders(provider);
  if (set.empty() && provider.extra.empty()) {
    AddFieldError(errors, path, "must set exactly one provider (one of: " + allowed + "), got none");
  } else if (set.size() > 1) {
    AddFieldError(errors, path,
        "must set exactly one provider (one of: " + allowed + "), got " +
            std::to_string(set.size()) + ": " + Join(set));
  }
  if (provider.prometheus)
    ValidatePrometheus(*provider.prometheus, path.Child("prometheus"), errors);
  if (provider.web) ValidateWeb(*provider.web, path.Child("web"), errors);
  if (provider.job) ValidateJob(*provider.job, path.Child("job"), errors);
}

void ValidateLimits(const Metric& m, const FieldPath& path, FieldErrors* errors) {
  FieldPath count_path = path.Child("count");
  IntField count = ReadIntField(m.count, 0, count_path, errors);
  IntField failure = ReadIntField(m.failure_limit, 0, path.Child("failureLimit"), errors);
  IntField inconclusive =
      ReadIntField(m.inconclusive_limit, 0, path.Child("inconclusiveLimit"), errors);
  IntField consecutive_error =
      ReadIntField(m.consecutive_error_limit, 0, path.Child("consecutiveErrorLimit"), errors);
  IntField consecutive_success =
      ReadIntField(m.consecutive_success_limit, 0, path.Child("consecutiveSuccessLimit"), errors);

  auto non_negative = [&](const IntField& f, std::string_view name) {
    if (f.known && f.value < 0) {
      AddFieldError(errors, path.Child(name), "must be >= 0, got " + std::to_string(f.value));
      return false;
    }
    return f.known;
  };
  bool count_ok = non_negative(count, "count");
  bool inconclusive_ok = non_negative(inconclusive, "inconclusiveLimit");
  non_negative(consecutive_error, "consecutiveErrorLimit");
  bool success_ok = non_negative(consecutive_success, "consecutiveSuccessLimit");

  bool failure_ok = failure.known;
  if (failure.known && failure.value < 0) {
    // -1 disables failureLimit, which only makes sense when consecutive successes decide.
    bool disabled_ok =
        failure.value == -1 && (!consecutive_success.known || consecutive_success.value > 0);
    if (!disabled_ok) {
      AddFieldError(errors, path.Child("failureLimit"),
          "must be >= 0, or -1 together with consecutiveSuccessLimit > 0, got " +
              std::to_string(failure.value));
      failure_ok = false;
    }
  }

  if (count_ok && count.value > 1 && m.interval.empty()) {
    AddFieldError(errors, count_path,
        "is " + std::to_string(count.value) +
            ", which needs an interval between measurements: set interval, or use a count of 0 "
            "or 1");
  }
  if (!count_ok || count.value == 0) return;
  if (failure_ok && success_ok) {
    if (failure.value >= 0 && count.value < failure.value + consecutive_success.value) {
      AddFieldError(errors, count_path,
          "must be >= failureLimit + consecutiveSuccessLimit (" + std::to_string(failure.value) +
              " + " + std::to_string(consecutive_success.value) + " = " +
              std::to_string(failure.value + consecutive_success.value) + "), got " +
              std::to_string(count.value));
    } else if (failure.value < 0 && count.value < consecutive_success.value) {
      AddFieldError(errors, count_path,
          "must be >= consecutiveSuccessLimit (" + std::to_string(consecutive_success.value) +
              ") when failureLimit is -1, got " + std::to_string(count.value));
    }
  }
  if (inconclusive_ok && count.value < inconclusive.value) {
    AddFieldError(errors, count_path,
        "must be >= inconclusiveLimit (" + std::to_string(inconclusive.value) + "), got " +
            std::to_string(count.value));
  }
}

void ValidateMetric(const Metric& m, const FieldPath& path, FieldErrors* errors) {
  CheckDuration(m.interval, path.Child("interval"), errors);
  CheckDuration(m.initial_delay, path.Child("initialDelay"), errors);
  ValidateLimits(m, path, errors);
  ValidateCondition(m.success_condition, path.Child("successCondition"), errors);
  ValidateCondition(m.failure_condition, path.Child("failureCondition"), errors);
  ValidateProvider(m.provider, path.Child("provider"), errors);
}

// Validates metrics[] at `path` and returns their names.
std::vector<std::string> ValidateMetrics(const std::vector<Metric>& metrics, const FieldPath& path,
                                         FieldErrors* errors) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (size_t i = 0; i < metrics.size(); ++i) {
    const Metric& m = metrics[i];
    FieldPath p = path.Index(i);
    if (m.name.empty()) {
      AddFieldError(errors, p.Child("name"), "is required");
    } else if (!seen.insert(m.name).second) {
      AddFieldError(errors, p.Child("name"), "duplicate metric name " + Quoted(m.name));
    }
    names.push_back(m.name);
    ValidateMetric(m, p, errors);
  }
  return names;
}

// The checks of a metricName rule common to dryRun[] and measurementRetention[].
void ValidateMetricNameRule(const std::string& rule, const FieldPath& path,
                            const std::vector<std::string>* metric_names,
                            std::set<std::string>& seen, FieldErrors* errors) {
  if (rule.empty()) {
    AddFieldError(errors, path, "is required: a regular expression matching metric names (\".*\" for all)");
    return;
  }
  if (!seen.insert(rule).second) {
    AddFieldError(errors, path, "duplicate metricName " + Quoted(rule));
    return;
  }
  auto re = CompileMetricNameRule(rule);
  if (!re.ok()) {
    AddFieldError(errors, path, re.error().message());
    return;
  }
  if (metric_names == nullptr) return;
  for (const std::string& name : *metric_names) {
    if (MetricNameMatches(**re, name)) return;
  }
  std::string names;
  for (const std::string& name : *metric_names) {
    if (!names.empty()) names += ", ";
    names += Quoted(name);
  }
  AddFieldError(errors, path, "Rule didn't match any metric name(s); metrics are " + names);
}

void ValidateSpec(const AnalysisTemplateSpec& spec, FieldErrors* errors) {
  FieldPath path("spec");
  if (spec.metrics.empty() && spec.templates.empty()) {
    AddFieldError(errors, path.Child("metrics"),
        "must list at least one metric (or include other templates through spec.templates)");
  }
  std::vector<std::string> names = ValidateMetrics(spec.metrics, path.Child("metrics"), errors);
  ValidateArguments(spec.args, path.Child("args"), errors);
  // Included templates bring metrics of their own, which the rules may be meant for.
  const std::vector<std::string>* known = spec.templates.empty() ? &names : nullptr;
  ValidateDryRun(spec.dry_run, path.Child("dryRun"), known, errors);
  ValidateMeasurementRetention(spec.measurement_retention, path.Child("measurementRetention"),
                               known, errors);
  for (size_t i = 0; i < spec.templates.size(); ++i) {
    if (spec.templates[i].template_name.empty()) {
      AddFieldError(errors, path.Child("templates").Index(i).Child("templateName"),
          "is required: the name of the AnalysisTemplate (or ClusterAnalysisTemplate) to include");
    }
  }
}

}  // namespace

void ValidateCondition(const std::string& condition, const FieldPath& path, FieldErrors* errors) {
  if (condition.empty()) return;
  // Substitution happens when the run is created; a placeholder stands for a value, so `0`
  // keeps the syntax. origin[i] is the offset in `condition` of text[i].
  std::string text;
  std::vector<int> origin;
  size_t i = 0;
  while (i < condition.size()) {
    if (condition.compare(i, 2, "{{") == 0) {
      size_t close = condition.find("}}", i + 2);
      if (close != std::string::npos) {
        text += '0';
        origin.push_back(static_cast<int>(i));
        i = close + 2;
        continue;
      }
    }
    text += condition[i];
    origin.push_back(static_cast<int>(i));
    ++i;
  }
  origin.push_back(static_cast<int>(condition.size()));
  std::optional<expr::SyntaxError> error = expr::CheckSyntax(text);
  if (!error) return;
  int offset = origin[std::clamp<size_t>(error->offset < 0 ? 0 : error->offset, 0, text.size())];
  FieldError e;
  e.path = path;
  e.message = "does not parse: " + error->message + " at offset " + std::to_string(offset);
  e.value_offset = offset;
  errors->push_back(std::move(e));
}

void ValidateArguments(const std::vector<Argument>& args, const FieldPath& path,
                       FieldErrors* errors) {
  std::set<std::string> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    const Argument& arg = args[i];
    FieldPath p = path.Index(i);
    if (arg.name.empty()) {
      AddFieldError(errors, p.Child("name"), "is required");
    } else if (!seen.insert(arg.name).second) {
      AddFieldError(errors, p.Child("name"), "duplicate arg name " + Quoted(arg.name));
    }
    if (!arg.value_from) continue;
    FieldPath vp = p.Child("valueFrom");
    if (arg.value) {
      AddFieldError(errors, vp, "must not be set together with value: use one of them");
    }
    const ArgumentValueFrom& from = *arg.value_from;
    if (from.pod_template_hash_value) {
      AddFieldError(errors, vp.Child("podTemplateHashValue"),
          "is only allowed in a Rollout's analysis args; use secretKeyRef or fieldRef here");
    }
    if (from.secret_key_ref && from.field_ref) {
      AddFieldError(errors, vp, "must set exactly one of secretKeyRef and fieldRef, got both");
    } else if (!from.secret_key_ref && !from.field_ref && !from.pod_template_hash_value) {
      AddFieldError(errors, vp, "must set exactly one of secretKeyRef and fieldRef, got none");
    }
    if (from.secret_key_ref) {
      FieldPath sp = vp.Child("secretKeyRef");
      if (from.secret_key_ref->name.empty()) {
        AddFieldError(errors, sp.Child("name"), "is required: the Secret's name");
      }
      if (from.secret_key_ref->key.empty()) {
        AddFieldError(errors, sp.Child("key"), "is required: the key in the Secret");
      }
    }
    if (from.field_ref && from.field_ref->field_path.empty()) {
      AddFieldError(errors, vp.Child("fieldRef").Child("fieldPath"),
          "is required, e.g. \"metadata.labels['app']\"");
    }
  }
}

void ValidateDryRun(const std::vector<DryRun>& rules, const FieldPath& path,
                    const std::vector<std::string>* metric_names, FieldErrors* errors) {
  std::set<std::string> seen;
  for (size_t i = 0; i < rules.size(); ++i) {
    ValidateMetricNameRule(rules[i].metric_name, path.Index(i).Child("metricName"), metric_names,
                           seen, errors);
  }
}

void ValidateMeasurementRetention(const std::vector<MeasurementRetention>& rules,
                                  const FieldPath& path,
                                  const std::vector<std::string>* metric_names,
                                  FieldErrors* errors) {
  std::set<std::string> seen;
  for (size_t i = 0; i < rules.size(); ++i) {
    ValidateMetricNameRule(rules[i].metric_name, path.Index(i).Child("metricName"), metric_names,
                           seen, errors);
    if (rules[i].limit <= 0) {
      AddFieldError(errors, path.Index(i).Child("limit"),
          "must be > 0 (measurements kept per metric), got " + std::to_string(rules[i].limit));
    }
  }
}

FieldErrors Validate(const AnalysisTemplate& tmpl) {
  FieldErrors errors;
  ValidateSpec(tmpl.spec, &errors);
  return errors;
}

FieldErrors Validate(const ClusterAnalysisTemplate& tmpl) {
  FieldErrors errors;
  ValidateSpec(tmpl.spec, &errors);
  return errors;
}

FieldErrors Validate(const AnalysisRun& run) {
  FieldErrors errors;
  FieldPath path("spec");
  if (run.spec.metrics.empty()) {
    AddFieldError(&errors, path.Child("metrics"), "must list at least one metric");
  }
  std::vector<std::string> names =
      ValidateMetrics(run.spec.metrics, path.Child("metrics"), &errors);
  ValidateArguments(run.spec.args, path.Child("args"), &errors);
  ValidateDryRun(run.spec.dry_run, path.Child("dryRun"), &names, &errors);
  ValidateMeasurementRetention(run.spec.measurement_retention, path.Child("measurementRetention"),
                               &names, &errors);
  if (run.spec.ttl_strategy) {
    FieldPath tp = path.Child("ttlStrategy");
    auto check = [&](const std::optional<int32_t>& v, std::string_view name) {
      if (v && *v < 0) AddFieldError(&errors, tp.Child(name), "must be >= 0, got " + std::to_string(*v));
    };
    check(run.spec.ttl_strategy->seconds_after_completion, "secondsAfterCompletion");
    check(run.spec.ttl_strategy->seconds_after_failure, "secondsAfterFailure");
    check(run.spec.ttl_strategy->seconds_after_success, "secondsAfterSuccess");
  }
  return errors;
}

}  // namespace devflow::api
