// `devflow get RESOURCE [NAME...]`: lists or shows objects, as `kubectl get`
// does: a table (NAME and AGE, NAMESPACE first with --all-namespaces), or -o
// json|yaml|name. Named AnalysisRuns and Experiments without -o print their
// summaries instead (analysis_run_printer.h, experiment_printer.h); an
// Experiment's shows the ReplicaSets and AnalysisRuns of its namespace whose
// controller ownerReference has its uid.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "cli/kube_flags.h"

namespace devflow::cli {

struct GetFlags {
  std::string resource;            // "rollouts", "ro", "Rollout", "rollouts.argoproj.io"
  std::vector<std::string> names;  // empty: list
  std::string output;              // "", "json", "yaml", "name"
  std::string selector;            // -l
  bool all_namespaces = false;     // -A
};

int RunGet(const KubeFlags& flags, const GetFlags& get, std::ostream& out, std::ostream& err);

// kubectl's age format: "42s", "3m12s", "15m", "5h3m", "20h", "3d4h", "120d",
// "2y30d", "9y".
std::string HumanDuration(std::chrono::seconds age);

}  // namespace devflow::cli
