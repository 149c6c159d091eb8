// The Experiment and AnalysisRun action commands of Argo Rollouts' kubectl plugin (§6.1 of
// ../shared/spec/argo-rollouts.md): `devflow terminate analysisrun NAME...`, `devflow terminate
// experiment NAME...` and `devflow retry experiment NAME...`. Each sends one merge patch per
// name, as the plugin does, so either tool can drive either controller:
//
//   terminate analysisrun  {"spec":{"terminate":true}}  prints  analysisRun '<n>' terminated
//   terminate experiment   {"spec":{"terminate":true}}  prints  experiment '<n>' terminated
//   retry experiment       {"status":null}              prints  experiment '<n>' retried
//
// Argo's plugin prints "experiment '<n>' retried" after terminating an experiment (a copy-paste
// slip in its message); devflow says "terminated", the word for what happened.
// Argo sends the retry patch to the main resource. devflow sends it to the status subresource
// first and falls back to the main resource when that answers NotFound (a kind without the
// subresource, as devflow's Experiment is today), as the rollout actions do: where the
// subresource exists, a main-resource patch would leave the status untouched.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/kube_flags.h"
#include "common/json_value.h"
#include "kube/api_types.h"

namespace devflow::cli {

enum class ExperimentAction { kTerminateAnalysisRun, kTerminateExperiment, kRetryExperiment };

struct ExperimentActionFlags {
  ExperimentAction action = ExperimentAction::kTerminateExperiment;
  std::vector<std::string> names;  // one or more objects in the client's namespace
};

// What one action sends for the object `name`, and what it prints once sent.
struct ExperimentActionRequest {
  kube::ResourceRef resource;  // analysisruns or experiments (argoproj.io/v1alpha1)
  json::Value patch;           // application/merge-patch+json
  bool status_first = false;   // true: try the status subresource first (see above)
  std::string message;         // "experiment 'web' terminated"
  friend bool operator==(const ExperimentActionRequest&, const ExperimentActionRequest&) = default;
};

// The request of `action` for `name`, per the table above. Pure.
ExperimentActionRequest RequestFor(ExperimentAction action, const std::string& name);

// Sends the request of `action.action` for each of `action.names`, in order, in the namespace
// the flags select; prints each message to `out`, and for a failure (e.g. NotFound:
// `experiments.argoproj.io "nope" not found`) `devflow: <message>` to `err`, then goes on with
// the next name. Returns 0 when every name succeeded, else 1.
int RunExperimentAction(const KubeFlags& flags, const ExperimentActionFlags& action,
                        std::ostream& out, std::ostream& err);

}  // namespace devflow::cli
