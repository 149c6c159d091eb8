#include "analysis/judge/judge_config.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <set>

#include "api/duration.h"
#include "api/validation_util.h"

namespace devflow::analysis::judge {
namespace {

using api::AddFieldError;
using api::FieldErrors;
using api::Quoted;

std::string Number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

// Reads the members of one JSON object, each at most once, and reports the members nobody read.
class ObjectReader {
 public:
  ObjectReader(const json::Value& value, FieldPath path, FieldErrors* errors)
      : path_(std::move(path)), errors_(errors) {
    if (value.is_object()) {
      object_ = &value.as_object();
    } else if (!value.is_null()) {
      AddFieldError(errors_, path_,
                    "must be an object, got " + std::string(json::TypeName(value.type())));
    }
  }

  const FieldPath& path() const { return path_; }
  FieldPath Path(std::string_view key) const { return path_.Child(key); }
  FieldErrors* errors() const { return errors_; }

  // The member, or nullptr when absent or null.
  const json::Value* Get(std::string_view key) {
    known_.emplace_back(key);
    if (object_ == nullptr) return nullptr;
    const json::Value* v = object_->Find(key);
    return v == nullptr || v->is_null() ? nullptr : v;
  }

  void String(std::string_view key, std::string* out) {
    if (const json::Value* v = Get(key)) {
      if (v->is_string()) {
        *out = v->as_string();
      } else {
        TypeError(key, "a string", *v);
      }
    }
  }

  void Bool(std::string_view key, bool* out) {
    if (const json::Value* v = Get(key)) {
      if (v->is_bool()) {
        *out = v->as_bool();
      } else {
        TypeError(key, "a boolean", *v);
      }
    }
  }

  // Returns whether a number was read.
  bool Number(std::string_view key, double* out) {
    if (const json::Value* v = Get(key)) {
      if (v->is_number()) {
        *out = v->as_double();
        return true;
      }
      TypeError(key, "a number", *v);
    }
    return false;
  }

  bool Number(std::string_view key, std::optional<double>* out) {
    double v = 0;
    if (!Number(key, &v)) return false;
    *out = v;
    return true;
  }

  // A string member that must be one of `allowed`; returns the index read, or -1 when absent or
  // invalid.
  int Enum(std::string_view key, std::initializer_list<std::string_view> allowed) {
    std::string text;
    const json::Value* v = Get(key);
    if (v == nullptr) return -1;
    if (!v->is_string()) {
      TypeError(key, "a string", *v);
      return -1;
    }
    text = v->as_string();
    int i = 0;
    for (std::string_view a : allowed) {
      if (text == a) return i;
      ++i;
    }
    AddFieldError(errors_, Path(key), api::CheckOneOf(text, allowed));
    return -1;
  }

  // Reports the members that no Get asked for. Call after every Get.
  void RejectUnknown() {
    if (object_ == nullptr) return;
    std::vector<std::string> sorted = known_;
    std::sort(sorted.begin(), sorted.end());
    std::string names;
    for (const std::string& k : sorted) {
      names += names.empty() ? k : ", " + k;
    }
    for (const json::Member& member : *object_) {
      if (std::find(known_.begin(), known_.end(), member.key) == known_.end()) {
        AddFieldError(errors_, Path(member.key), "unknown field; known fields: " + names);
      }
    }
  }

 private:
  void TypeError(std::string_view key, std::string_view want, const json::Value& got) {
    AddFieldError(
        errors_, Path(key),
        "must be " + std::string(want) + ", got " + std::string(json::TypeName(got.type())));
  }

  const json::Object* object_ = nullptr;
  FieldPath path_;
  FieldErrors* errors_;
  std::vector<std::string> known_;
};

// A Go duration > 0, unless it holds a placeholder (then `out` keeps its default).
void Duration(ObjectReader& reader, std::string_view key, std::chrono::nanoseconds* out) {
  std::string text;
  reader.String(key, &text);
  if (text.empty() || api::HasTemplatePlaceholder(text)) return;
  Result<std::chrono::nanoseconds> d = api::ParseGoDuration(text);
  if (!d.ok()) {
    AddFieldError(reader.errors(), reader.Path(key), d.error().message());
  } else if (d->count() <= 0) {
    AddFieldError(reader.errors(), reader.Path(key), "must be > 0, got " + Quoted(text));
  } else {
    *out = *d;
  }
}

void DecodeOutliers(ObjectReader& parent, MetricCriteria* criteria) {
  const json::Value* v = parent.Get("outliers");
  if (v == nullptr) return;
  ObjectReader reader(*v, parent.Path("outliers"), parent.errors());
  const int strategy = reader.Enum("strategy", {"keep", "remove"});
  double factor = judge_defaults::kOutlierFactor;
  if (reader.Number("outlierFactor", &factor) && !(factor > 0)) {
    AddFieldError(reader.errors(), reader.Path("outlierFactor"),
                  "must be > 0, got " + Number(factor));
  }
  if (strategy == 1) {
    criteria->outlier_factor = factor;
  }
  reader.RejectUnknown();
}

void DecodeEffectSize(ObjectReader& parent, MetricCriteria* c) {
  const json::Value* v = parent.Get("effectSize");
  if (v == nullptr) return;
  ObjectReader reader(*v, parent.Path("effectSize"), parent.errors());
  if (reader.Enum("measure", {"meanRatio", "cles"}) == 1) {
    c->effect_size_measure = EffectSizeMeasure::kCles;
  }
  reader.Number("allowedIncrease", &c->allowed_increase);
  reader.Number("allowedDecrease", &c->allowed_decrease);
  reader.Number("criticalIncrease", &c->critical_increase);
  reader.Number("criticalDecrease", &c->critical_decrease);
  reader.RejectUnknown();

  const bool cles = c->effect_size_measure == EffectSizeMeasure::kCles;
  const double neutral = NeutralEffectSize(c->effect_size_measure);
  auto check = [&](std::string_view key, const std::optional<double>& value, bool increase) {
    if (!value) return;
    std::string problem;
    const double x = *value;
    if (cles && !(x >= 0 && x <= 1)) {
      problem = "must be 0..1 for measure cles, got " + Number(x);
    } else if (!cles && !(x > 0)) {
      problem = "must be > 0 for measure meanRatio, got " + Number(x);
    } else if (increase && x < neutral) {
      problem = "must be >= " + Number(neutral) + " (no change), got " + Number(x);
    } else if (!increase && x > neutral) {
      problem = "must be <= " + Number(neutral) + " (no change), got " + Number(x);
    }
    AddFieldError(reader.errors(), reader.Path(key), problem);
  };
  check("allowedIncrease", c->allowed_increase, true);
  check("allowedDecrease", c->allowed_decrease, false);
  check("criticalIncrease", c->critical_increase, true);
  check("criticalDecrease", c->critical_decrease, false);
  const double allowed_increase = c->allowed_increase.value_or(neutral);
  const double allowed_decrease = c->allowed_decrease.value_or(neutral);
  if (c->critical_increase && *c->critical_increase < allowed_increase) {
    AddFieldError(reader.errors(), reader.Path("criticalIncrease"),
                  "must be >= allowedIncrease (" + Number(allowed_increase) + "), got " +
                      Number(*c->critical_increase));
  }
  if (c->critical_decrease && *c->critical_decrease > allowed_decrease) {
    AddFieldError(reader.errors(), reader.Path("criticalDecrease"),
                  "must be <= allowedDecrease (" + Number(allowed_decrease) + "), got " +
                      Number(*c->critical_decrease));
  }
}

JudgeMetric DecodeMetric(const json::Value& value, const FieldPath& path, FieldErrors* errors) {
  JudgeMetric m;
  ObjectReader reader(value, path, errors);
  reader.String("name", &m.name);
  if (m.name.empty()) {
    AddFieldError(errors, reader.Path("name"), "required");
  }
  reader.String("query", &m.query);
  if (m.query.empty()) {
    AddFieldError(errors, reader.Path("query"), "required");
  } else if (m.query.find(kScopePlaceholder) == std::string::npos) {
    AddFieldError(errors, reader.Path("query"),
                  "must contain ${scope}, replaced by canaryScope and baselineScope (without it "
                  "both sides read the same series)");
  }
  reader.String("group", &m.group);
  if (m.group.empty()) {
    m.group = std::string(judge_defaults::kGroup);
  }
  MetricCriteria& c = m.criteria;
  switch (reader.Enum("direction", {"increase", "decrease", "either"})) {
    case 0:
      c.direction = Direction::kIncrease;
      break;
    case 1:
      c.direction = Direction::kDecrease;
      break;
    default:
      break;
  }
  reader.Bool("critical", &c.critical);
  reader.Bool("mustHaveData", &c.must_have_data);
  if (reader.Enum("nanStrategy", {"remove", "replace"}) == 1) {
    c.nan_strategy = NanStrategy::kReplace;
  }
  DecodeOutliers(reader, &c);
  DecodeEffectSize(reader, &c);
  reader.RejectUnknown();
  return m;
}

void DecodeThresholds(ObjectReader& parent, ScoreThresholds* t) {
  const json::Value* v = parent.Get("thresholds");
  if (v == nullptr) return;
  ObjectReader reader(*v, parent.Path("thresholds"), parent.errors());
  bool valid = true;
  for (auto [key, out] : {std::pair{"pass", &t->pass}, std::pair{"marginal", &t->marginal}}) {
    double x = *out;
    if (reader.Number(key, &x)) {
      if (x >= 0 && x <= 100) {
        *out = x;
      } else {
        valid = false;
        AddFieldError(reader.errors(), reader.Path(key), "must be 0..100, got " + Number(x));
      }
    }
  }
  if (valid && t->marginal > t->pass) {
    AddFieldError(reader.errors(), reader.Path("marginal"),
                  "must be <= pass (" + Number(t->pass) + "), got " + Number(t->marginal));
  }
  reader.RejectUnknown();
}

void DecodeGroupWeights(ObjectReader& parent, const std::vector<JudgeMetric>& metrics,
                        std::map<std::string, double>* weights) {
  const json::Value* v = parent.Get("groupWeights");
  if (v == nullptr) return;
  const FieldPath path = parent.Path("groupWeights");
  if (!v->is_object()) {
    AddFieldError(parent.errors(), path,
                  "must be an object, got " + std::string(json::TypeName(v->type())));
    return;
  }
  std::set<std::string> groups;
  for (const JudgeMetric& m : metrics) groups.insert(m.group);
  std::string group_names;
  for (const std::string& g : groups) group_names += group_names.empty() ? g : ", " + g;
  double total = 0;
  bool valid = true;
  for (const json::Member& member : v->as_object()) {
    const FieldPath member_path = path.Child(member.key);
    if (!member.value.is_number()) {
      valid = false;
      AddFieldError(parent.errors(), member_path,
                    "must be a number, got " + std::string(json::TypeName(member.value.type())));
      continue;
    }
    const double w = member.value.as_double();
    if (!(w >= 0)) {
      valid = false;
      AddFieldError(parent.errors(), member_path, "must be >= 0, got " + Number(w));
      continue;
    }
    if (!groups.contains(member.key)) {
      valid = false;
      AddFieldError(parent.errors(), member_path,
                    "names no group of metrics[]; groups: " + group_names);
      continue;
    }
    (*weights)[member.key] = w;
    total += w;
  }
  if (!valid) return;
  if (total > 100 + 1e-9) {
    AddFieldError(parent.errors(), path, "weights must total at most 100, got " + Number(total));
  } else if (weights->size() == groups.size() && std::fabs(total - 100) > 1e-9) {
    AddFieldError(parent.errors(), path,
                  "every group has a weight, so the weights must total 100, got " + Number(total));
  }
}

}  // namespace

JudgeConfig DecodeJudgeConfig(const json::Value& judge, const FieldPath& path,
                              FieldErrors* errors) {
  JudgeConfig config;
  if (judge.is_null()) {
    AddFieldError(errors, path, "must be an object, got null");
    return config;
  }
  ObjectReader reader(judge, path, errors);

  reader.String("address", &config.address);
  if (!config.address.empty() && !api::HasTemplatePlaceholder(config.address) &&
      !config.address.starts_with("http://") && !config.address.starts_with("https://")) {
    AddFieldError(errors, reader.Path("address"),
                  "must be an http:// or https:// URL, got " + Quoted(config.address));
  }
  reader.String("canaryScope", &config.canary_scope);
  reader.String("baselineScope", &config.baseline_scope);
  if (config.canary_scope.empty()) {
    AddFieldError(errors, reader.Path("canaryScope"),
                  "required: the value replacing ${scope} in "
                  "the canary's queries");
  }
  if (config.baseline_scope.empty()) {
    AddFieldError(errors, reader.Path("baselineScope"),
                  "required: the value replacing ${scope} in the baseline's queries");
  }
  if (!config.canary_scope.empty() && config.canary_scope == config.baseline_scope &&
      !api::HasTemplatePlaceholder(config.canary_scope)) {
    AddFieldError(errors, reader.Path("baselineScope"),
                  "must differ from canaryScope, both are " + Quoted(config.canary_scope));
  }

  Duration(reader, "lookback", &config.lookback);
  Duration(reader, "step", &config.step);
  if (config.lookback / config.step + 1 > judge_defaults::kMaxPointsPerSeries) {
    AddFieldError(errors, reader.Path("step"),
                  "lookback / step must be < " +
                      std::to_string(judge_defaults::kMaxPointsPerSeries) +
                      " (Prometheus answers at most that many points per series), got " +
                      std::to_string(config.lookback / config.step));
  }
  if (const json::Value* v = reader.Get("timeout")) {
    if (!v->is_int() || v->as_int() <= 0) {
      AddFieldError(errors, reader.Path("timeout"), "must be an integer number of seconds > 0");
    } else {
      config.timeout_seconds = v->as_int();
    }
  }

  DecodeThresholds(reader, &config.thresholds);

  if (const json::Value* v = reader.Get("metrics"); v != nullptr && v->is_array()) {
    const FieldPath metrics_path = reader.Path("metrics");
    const json::Array& items = v->as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      config.metrics.push_back(DecodeMetric(items[i], metrics_path.Index(i), errors));
    }
    std::set<std::string> names;
    for (size_t i = 0; i < config.metrics.size(); ++i) {
      const std::string& name = config.metrics[i].name;
      if (!name.empty() && !names.insert(name).second) {
        AddFieldError(errors, metrics_path.Index(i).Child("name"),
                      "duplicate metric name " + Quoted(name));
      }
    }
    if (items.empty()) {
      AddFieldError(errors, metrics_path, "at least one metric is required");
    }
  } else if (v != nullptr) {
    AddFieldError(errors, reader.Path("metrics"),
                  "must be an array, got " + std::string(json::TypeName(v->type())));
  } else {
    AddFieldError(errors, reader.Path("metrics"), "at least one metric is required");
  }

  DecodeGroupWeights(reader, config.metrics, &config.group_weights);
  reader.RejectUnknown();
  return config;
}

Result<JudgeConfig> ParseJudgeConfig(const json::Value& judge, const FieldPath& path) {
  FieldErrors errors;
  JudgeConfig config = DecodeJudgeConfig(judge, path, &errors);
  if (errors.empty()) {
    return config;
  }
  // The first error's path is the Status's own; the others carry theirs in the message.
  std::string message = errors.front().message;
  for (size_t i = 1; i < errors.size(); ++i) {
    message += "; " + api::ToString(errors[i]);
  }
  return InvalidArgumentError(std::move(message), errors.front().path.str());
}

std::string ResolveQuery(std::string_view query, std::string_view scope) {
  std::string out;
  size_t from = 0;
  while (true) {
    const size_t at = query.find(kScopePlaceholder, from);
    if (at == std::string_view::npos) break;
    out.append(query.substr(from, at - from));
    out.append(scope);
    from = at + kScopePlaceholder.size();
  }
  out.append(query.substr(from));
  return out;
}

}  // namespace devflow::analysis::judge
