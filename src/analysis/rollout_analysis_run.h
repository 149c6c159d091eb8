// The AnalysisRuns a Rollout creates (../shared/spec/argo-rollouts.md §3.4, §4.7, §5.4, §8.7):
// what a step, background, pre-promotion or post-promotion run looks like, and which name it
// takes when its name is already used. Pure, like core/replica_set_creation.h: the caller reads
// the templates and the existing runs from its caches and creates the object this returns.
//
// The run carries the flattened templates' metrics with their "{{args.x}}" placeholders intact
// and the resolved args beside them; substitution happens on each measurement
// (argument_substitution.h), so secret values are never written into the run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analysis_arguments.h"
#include "analysis/template_flattening.h"
#include "api/analysis.h"
#include "api/rollout.h"
#include "common/field_path.h"
#include "common/result.h"

namespace devflow::analysis {

// Labels of the runs a Rollout creates (as Argo spells them).
inline constexpr std::string_view kRolloutTypeLabel = "rollout-type";
inline constexpr std::string_view kStepIndexLabel = "step-index";
// Copied from the Rollout's labels onto its runs when present.
inline constexpr std::string_view kControllerInstanceIdLabel =
    "argo-rollouts.argoproj.io/controller-instance-id";

// Which of a Rollout's analyses a run is for.
enum class RolloutAnalysisType {
  kStep,           // canary steps[i].analysis
  kBackground,     // canary.analysis
  kPrePromotion,   // blueGreen.prePromotionAnalysis
  kPostPromotion,  // blueGreen.postPromotionAnalysis
};

// The rollout-type label's value: "Step", "Background", "PrePromotion" or "PostPromotion".
std::string_view RolloutTypeName(RolloutAnalysisType type);

// What the caller knows about the run to create.
struct RolloutAnalysisRunRequest {
  RolloutAnalysisType type = RolloutAnalysisType::kBackground;
  int32_t step_index = 0;    // kStep only: the index of the analysis step
  PodTemplateHashes hashes;  // latest (required: names and labels the run) and stable
  int64_t revision = 0;      // the Rollout's revision (rollout.argoproj.io/revision)
  friend bool operator==(const RolloutAnalysisRunRequest&,
                         const RolloutAnalysisRunRequest&) = default;
};

// The manifest path of the analysis a request names: "spec.strategy.canary.steps[2].analysis",
// "spec.strategy.canary.analysis", "spec.strategy.blueGreen.prePromotionAnalysis" or
// "spec.strategy.blueGreen.postPromotionAnalysis".
FieldPath RolloutAnalysisPath(const RolloutAnalysisRunRequest& request);

// The analysis the request names in `rollout`, or nullptr when the Rollout has none there (no
// such strategy, step, step analysis or analysis field).
const api::RolloutAnalysis* FindRolloutAnalysis(const api::Rollout& rollout,
                                                const RolloutAnalysisRunRequest& request);

// The run's name before collisions: <rollout>-<latest hash>-<revision>, then "-<step index>"
// for a step run, "-pre" / "-post" for blue/green runs, nothing for a background run.
std::string RolloutAnalysisRunName(const api::Rollout& rollout,
                                   const RolloutAnalysisRunRequest& request);

// The AnalysisRun to create for the request:
//   metadata: name RolloutAnalysisRunName, the Rollout's namespace;
//     labels: rollout-type, step-index (step runs), rollouts-pod-template-hash = latest, the
//       Rollout's controller-instance-id label if any, then analysisRunMetadata.labels, then
//       spec.selector.matchLabels (later ones win on a shared key, as in Argo);
//     annotations: rollout.argoproj.io/revision, then analysisRunMetadata.annotations;
//     ownerReferences: the Rollout (controller and blockOwnerDeletion true);
//   spec: the flattened templates' metrics (placeholders intact), the args (the analysis' args
//     resolved by ResolveRolloutArguments and laid over the templates' by MergeArguments), the
//     analysis' dryRun and measurementRetention followed by the templates'.
// Errors:
//   FailedPrecondition when the Rollout has no analysis at RolloutAnalysisPath, or
//     hashes.latest is empty;
//   the errors of FlattenTemplates (at <analysis path>.templates[i]), ResolveRolloutArguments
//     and MergeArguments (at <analysis path>.args...);
//   InvalidArgument at <analysis path>.dryRun[i] / .measurementRetention[i] when a metricName
//     appears twice in the merged list.
Result<api::AnalysisRun> NewRolloutAnalysisRun(const api::Rollout& rollout,
                                               const RolloutAnalysisRunRequest& request,
                                               const TemplateLookup& lookup);

// Whether two run specs ask for the same analysis: equal metrics, args, dryRun and
// measurementRetention (terminate and ttlStrategy do not count), as Argo's IsSemanticallyEqual.
bool IsSemanticallyEqual(const api::AnalysisRunSpec& a, const api::AnalysisRunSpec& b);

// Where a desired run goes given the runs that exist.
struct AnalysisRunNameChoice {
  std::string name;
  // True: the run `name` already is the desired one (not completed, semantically equal, and
  // controlled by the same owner uid): use it, create nothing. False: create the run as `name`.
  bool reuse = false;
  friend bool operator==(const AnalysisRunNameChoice&, const AnalysisRunNameChoice&) = default;
};

// The collision rule (Argo's CreateWithCollisionCounter, decided over a cache instead of by
// retrying creates): tries desired.metadata.name, then "<name>.1", "<name>.2", ... and stops at
// the first name no run in `existing` has (create) or whose run is reusable (reuse). A name
// taken by a completed run, a different spec or another owner is skipped.
// REQUIRES: `existing` are the runs of desired's namespace (or at least those whose name starts
// with desired's).
AnalysisRunNameChoice ChooseAnalysisRunName(const api::AnalysisRun& desired,
                                            const std::vector<api::AnalysisRun>& existing);

}  // namespace devflow::analysis
