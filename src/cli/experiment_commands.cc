#include "cli/experiment_commands.h"

#include "kube/api_client.h"

namespace devflow::cli {
namespace {

const kube::ResourceRef kAnalysisRuns{
    .group = "argoproj.io", .version = "v1alpha1", .plural = "analysisruns", .kind = "AnalysisRun"};
const kube::ResourceRef kExperiments{
    .group = "argoproj.io", .version = "v1alpha1", .plural = "experiments", .kind = "Experiment"};

Status Send(kube::ApiClient& client, const std::string& ns, const std::string& name,
            const ExperimentActionRequest& request) {
  if (request.status_first) {
    Result<json::Value> patched =
        client.Patch(request.resource, ns, name, kube::PatchType::kMerge, request.patch, "status");
    // NotFound: no status subresource (or no object, which the main resource reports again).
    if (patched.ok() || patched.status().code() != StatusCode::kNotFound) return patched.status();
  }
  return client.Patch(request.resource, ns, name, kube::PatchType::kMerge, request.patch).status();
}

}  // namespace

ExperimentActionRequest RequestFor(ExperimentAction action, const std::string& name) {
  const json::Value terminate = json::Object{{"spec", json::Object{{"terminate", true}}}};
  switch (action) {
    case ExperimentAction::kTerminateAnalysisRun:
      return {kAnalysisRuns, terminate, false, "analysisRun '" + name + "' terminated"};
    case ExperimentAction::kTerminateExperiment:
      return {kExperiments, terminate, false, "experiment '" + name + "' terminated"};
    case ExperimentAction::kRetryExperiment:
      return {kExperiments, json::Object{{"status", nullptr}}, true,
              "experiment '" + name + "' retried"};
  }
  return {};
}

int RunExperimentAction(const KubeFlags& flags, const ExperimentActionFlags& action,
                        std::ostream& out, std::ostream& err) {
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow: " << client.status().message() << "\n";
    return 1;
  }
  const std::string& ns = (*client)->config().namespace_;
  int exit_code = 0;
  for (const std::string& name : action.names) {
    ExperimentActionRequest request = RequestFor(action.action, name);
    Status sent = Send(**client, ns, name, request);
    if (!sent.ok()) {
      err << "devflow: " << sent.message() << "\n";
      exit_code = 1;
      continue;
    }
    out << request.message << "\n";
  }
  return exit_code;
}

}  // namespace devflow::cli
