// Merging the AnalysisTemplates an analysis names into one template spec
// (../shared/spec/argo-rollouts.md §5.4, Argo's analysisutil.FlattenTemplates together with the
// template lookup of rollout/analysis.go).
//
// A Rollout's analysis (or an Experiment's) names templates; each may include others through
// spec.templates[]. Flattening walks those references depth first, keeps each template once,
// and merges them: namespaced templates first, then cluster templates, each group in the order
// first reached. Pure: the caller reads the templates (from an informer's cache) and hands them
// over through a lookup function.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/analysis.h"
#include "api/rollout_analysis.h"
#include "common/field_path.h"
#include "common/result.h"

namespace devflow::analysis {

// A reference to a template: an AnalysisTemplate in the analysis' namespace, or a
// ClusterAnalysisTemplate when cluster_scope is true.
struct TemplateKey {
  std::string name;            // templateName
  bool cluster_scope = false;  // clusterScope
  friend bool operator==(const TemplateKey&, const TemplateKey&) = default;
  friend auto operator<=>(const TemplateKey&, const TemplateKey&) = default;
};

// "AnalysisTemplate \"name\"" or "ClusterAnalysisTemplate \"name\"", for messages.
std::string Describe(const TemplateKey& key);

// The keys of a Rollout's analysis templates[], in order.
std::vector<TemplateKey> TemplateKeysOf(const api::RolloutAnalysis& analysis);

// Returns the spec of the template `key` names, or nullptr when there is none. The pointer must
// stay valid until FlattenTemplates returns (point into the caller's cache snapshot).
using TemplateLookup = std::function<const api::AnalysisTemplateSpec*(const TemplateKey& key)>;

// Flattens the templates `refs` name, and those they include, into one spec:
//   - metrics: concatenated (namespaced templates' first, then cluster templates');
//   - args: unioned by name in the same order: two different values for one name are an
//     error, and an argument without a value is replaced by a later one of the same name
//     that has one (Argo's rule: the later argument, valueFrom included, takes its place);
//   - dryRun and measurementRetention: concatenated;
//   - templates: empty (everything is resolved).
// `refs_path` is the path of the list `refs` came from ("spec.strategy.canary.steps[1].
// analysis.templates"); element i's errors carry refs_path[i].
//
// Errors (InvalidArgument unless said otherwise), each naming the template chain involved:
//   NotFound      a referenced template (or one included by it) does not exist;
//   cycle         a template includes itself, directly or through others;
//   "two metrics have the same name" (two templates, or one twice, define a metric name);
//   an argument with two different values;
//   two dryRun or two measurementRetention rules for the same metricName.
Result<api::AnalysisTemplateSpec> FlattenTemplates(const std::vector<TemplateKey>& refs,
                                                   const TemplateLookup& lookup,
                                                   const FieldPath& refs_path);

}  // namespace devflow::analysis
