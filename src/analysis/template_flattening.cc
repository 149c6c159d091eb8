#include "analysis/template_flattening.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace devflow::analysis {
namespace {

// One template reached from refs, with how it was reached (for messages).
struct Reached {
  TemplateKey key;
  const api::AnalysisTemplateSpec* spec = nullptr;
  size_t root = 0;  // index into refs of the reference it was reached from
};

// A step of the include chain being walked: a template and the include it follows.
struct ChainLink {
  TemplateKey key;
  size_t include_index = 0;
};

std::string ChainText(const std::vector<ChainLink>& chain) {
  std::string text;
  for (const ChainLink& link : chain) {
    if (!text.empty()) text += " -> ";
    text += Describe(link.key) + " spec.templates[" + std::to_string(link.include_index) + "]";
  }
  return text;
}

// Walks the includes depth first, recording every template once in `namespaced` or `cluster`
// in the order first reached (the template before the ones it includes, as Argo does).
class TemplateWalk {
 public:
  TemplateWalk(const TemplateLookup& lookup, const FieldPath& refs_path)
      : lookup_(lookup), refs_path_(refs_path) {}

  Status Visit(const TemplateKey& key, size_t root) {
    for (const ChainLink& link : chain_) {
      if (link.key == key) {
        return InvalidArgumentError(
            Describe(key) + " includes itself: " + ChainText(chain_) + " -> " + Describe(key),
            refs_path_.Index(root).str());
      }
    }
    if (!visited_.insert(key).second) return Status::Ok();
    const api::AnalysisTemplateSpec* spec = lookup_(key);
    if (spec == nullptr) {
      std::string message = Describe(key) + " not found";
      if (!chain_.empty()) message += " (included by " + ChainText(chain_) + ")";
      return Status(StatusCode::kNotFound, std::move(message), refs_path_.Index(root).str());
    }
    (key.cluster_scope ? cluster : namespaced).push_back(Reached{key, spec, root});
    for (size_t i = 0; i < spec->templates.size(); ++i) {
      const api::AnalysisTemplateRef& include = spec->templates[i];
      chain_.push_back(ChainLink{key, i});
      Status status = Visit(TemplateKey{include.template_name, include.cluster_scope}, root);
      chain_.pop_back();
      DEVFLOW_RETURN_IF_ERROR(status);
    }
    return Status::Ok();
  }

  std::vector<Reached> namespaced;
  std::vector<Reached> cluster;

 private:
  const TemplateLookup& lookup_;
  const FieldPath& refs_path_;
  std::set<TemplateKey> visited_;
  std::vector<ChainLink> chain_;
};

// Appends args by Argo's union rule; `origin` remembers which template gave each value.
Status AddArguments(const Reached& from, std::vector<api::Argument>& args,
                    std::map<std::string, std::string>& origin, const FieldPath& refs_path) {
  for (const api::Argument& arg : from.spec->args) {
    auto it = std::find_if(args.begin(), args.end(),
                           [&](const api::Argument& a) { return a.name == arg.name; });
    if (it == args.end()) {
      args.push_back(arg);
      origin[arg.name] = Describe(from.key);
      continue;
    }
    if (it->value && arg.value && *it->value != *arg.value) {
      return InvalidArgumentError("argument \"" + arg.name + "\" has two values: \"" + *it->value +
                                      "\" in " + origin[arg.name] + " and \"" + *arg.value +
                                      "\" in " + Describe(from.key),
                                  refs_path.Index(from.root).str());
    }
    if (!it->value) {
      *it = arg;
      origin[arg.name] = Describe(from.key);
    }
  }
  return Status::Ok();
}

// Appends `from`'s rules of one kind (dryRun or measurementRetention), rejecting a metricName
// given twice.
template <class Rule>
Status AddRules(const Reached& from, const std::vector<Rule>& rules, std::string_view list_name,
                std::vector<Rule>& out, std::map<std::string, std::string>& origin,
                const FieldPath& refs_path) {
  for (const Rule& rule : rules) {
    auto [it, added] = origin.emplace(rule.metric_name, Describe(from.key));
    if (!added) {
      return InvalidArgumentError("two " + std::string(list_name) +
                                      " rules have the same metricName \"" + rule.metric_name +
                                      "\": in " + it->second + " and " + Describe(from.key),
                                  refs_path.Index(from.root).str());
    }
    out.push_back(rule);
  }
  return Status::Ok();
}

}  // namespace

std::string Describe(const TemplateKey& key) {
  return std::string(key.cluster_scope ? "ClusterAnalysisTemplate" : "AnalysisTemplate") + " \"" +
         key.name + "\"";
}

std::vector<TemplateKey> TemplateKeysOf(const api::RolloutAnalysis& analysis) {
  std::vector<TemplateKey> keys;
  for (const api::RolloutAnalysisTemplateRef& ref : analysis.templates) {
    keys.push_back(TemplateKey{ref.template_name, ref.cluster_scope.value_or(false)});
  }
  return keys;
}

Result<api::AnalysisTemplateSpec> FlattenTemplates(const std::vector<TemplateKey>& refs,
                                                   const TemplateLookup& lookup,
                                                   const FieldPath& refs_path) {
  TemplateWalk walk(lookup, refs_path);
  for (size_t i = 0; i < refs.size(); ++i) DEVFLOW_RETURN_IF_ERROR(walk.Visit(refs[i], i));

  std::vector<Reached> ordered = std::move(walk.namespaced);
  ordered.insert(ordered.end(), walk.cluster.begin(), walk.cluster.end());

  api::AnalysisTemplateSpec flat;
  std::map<std::string, std::string> metric_origin, arg_origin, dry_run_origin, retention_origin;
  for (const Reached& from : ordered) {
    for (const api::Metric& metric : from.spec->metrics) {
      auto [it, added] = metric_origin.emplace(metric.name, Describe(from.key));
      if (!added) {
        return InvalidArgumentError("two metrics have the same name \"" + metric.name + "\": in " +
                                        it->second + " and " + Describe(from.key),
                                    refs_path.Index(from.root).str());
      }
      flat.metrics.push_back(metric);
    }
    DEVFLOW_RETURN_IF_ERROR(AddArguments(from, flat.args, arg_origin, refs_path));
    DEVFLOW_RETURN_IF_ERROR(
        AddRules(from, from.spec->dry_run, "dryRun", flat.dry_run, dry_run_origin, refs_path));
    DEVFLOW_RETURN_IF_ERROR(AddRules(from, from.spec->measurement_retention, "measurementRetention",
                                     flat.measurement_retention, retention_origin, refs_path));
  }
  return flat;
}

}  // namespace devflow::analysis
