#include "cli/get_command.h"

#include <algorithm>
#include <iomanip>

#include "api/analysis_codec.h"
#include "api/decode.h"
#include "api/experiment_codec.h"
#include "api/time.h"
#include "api/workloads_codec.h"
#include "api/yaml_writer.h"
#include "cli/analysis_run_printer.h"
#include "cli/experiment_printer.h"
#include "cli/resource_resolver.h"
#include "kube/api_client.h"

namespace devflow::cli {
namespace {

std::string Age(const json::Value& object) {
  Result<api::TimePoint> created =
      api::ParseRfc3339(json::StringAt(object, {"metadata", "creationTimestamp"}));
  if (!created.ok()) return "<unknown>";
  auto age =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *created);
  return HumanDuration(std::max(age, std::chrono::seconds(0)));
}

// Objects in a list come without apiVersion and kind from some servers: set
// them, as kubectl's output has them.
json::Value WithTypeMeta(json::Value object, const kube::ResourceRef& resource) {
  if (object.is_object()) {
    if (!object.Find("apiVersion")) object.as_object().Set("apiVersion", resource.ApiVersion());
    if (!object.Find("kind")) object.as_object().Set("kind", resource.kind);
  }
  return object;
}

void PrintTable(const std::vector<json::Value>& items, bool with_namespace, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back(with_namespace ? std::vector<std::string>{"NAMESPACE", "NAME", "AGE"}
                                : std::vector<std::string>{"NAME", "AGE"});
  for (const json::Value& item : items) {
    std::vector<std::string> row;
    if (with_namespace) row.push_back(json::StringAt(item, {"metadata", "namespace"}));
    row.push_back(json::StringAt(item, {"metadata", "name"}));
    row.push_back(Age(item));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(widths[i] - row[i].size() + 3, ' ');
    }
    out << "\n";
  }
}

const kube::ResourceRef kReplicaSets{
    .group = "apps", .version = "v1", .plural = "replicasets", .kind = "ReplicaSet"};
const kube::ResourceRef kAnalysisRuns{
    .group = "argoproj.io", .version = "v1alpha1", .plural = "analysisruns", .kind = "AnalysisRun"};

// True when `meta` has a controller ownerReference with `uid` (never for an empty uid).
bool ControlledBy(const api::ObjectMeta& meta, const std::string& uid) {
  for (const api::OwnerReference& owner : meta.owner_references) {
    if (!uid.empty() && owner.controller.value_or(false) && owner.uid == uid) return true;
  }
  return false;
}

// The summaries of `experiments` (objects read from namespace `ns`), each with the ReplicaSets
// and AnalysisRuns of `ns` it controls, separated by blank lines. Errors: those of listing the
// ReplicaSets or AnalysisRuns.
Result<std::string> ExperimentSummaries(kube::ApiClient& client, const std::string& ns,
                                        const std::vector<json::Value>& experiments) {
  DEVFLOW_ASSIGN_OR_RETURN(kube::ObjectList rs_list, client.ListAll(kReplicaSets, ns));
  DEVFLOW_ASSIGN_OR_RETURN(kube::ObjectList run_list, client.ListAll(kAnalysisRuns, ns));
  std::string text;
  for (const json::Value& item : experiments) {
    api::Experiment experiment = api::Decode<api::Experiment>(item);
    std::vector<api::ReplicaSet> replica_sets;
    for (const json::Value& rs : rs_list.items) {
      api::ReplicaSet decoded = api::Decode<api::ReplicaSet>(rs);
      if (ControlledBy(decoded.metadata, experiment.metadata.uid)) {
        replica_sets.push_back(std::move(decoded));
      }
    }
    std::vector<api::AnalysisRun> runs;
    for (const json::Value& run : run_list.items) {
      api::AnalysisRun decoded = api::Decode<api::AnalysisRun>(run);
      if (ControlledBy(decoded.metadata, experiment.metadata.uid)) {
        runs.push_back(std::move(decoded));
      }
    }
    text += (text.empty() ? "" : "\n") + FormatExperiment(experiment, replica_sets, runs);
  }
  return text;
}

}  // namespace

std::string HumanDuration(std::chrono::seconds age) {
  const int64_t s = age.count();
  const int64_t minutes = s / 60, hours = s / 3600, days = s / 86400;
  auto plural = [](int64_t value, const char* unit) { return std::to_string(value) + unit; };
  if (s < 120) return plural(s, "s");
  if (minutes < 10) {
    return s % 60 == 0 ? plural(minutes, "m") : plural(minutes, "m") + plural(s % 60, "s");
  }
  if (minutes < 180) return plural(minutes, "m");
  if (hours < 8) {
    return minutes % 60 == 0 ? plural(hours, "h") : plural(hours, "h") + plural(minutes % 60, "m");
  }
  if (hours < 48) return plural(hours, "h");
  if (hours < 24 * 8) {
    return hours % 24 == 0 ? plural(days, "d") : plural(days, "d") + plural(hours % 24, "h");
  }
  if (days < 365 * 2) return plural(days, "d");
  const int64_t years = days / 365;
  if (years < 8) {
    return days % 365 == 0 ? plural(years, "y") : plural(years, "y") + plural(days % 365, "d");
  }
  return plural(years, "y");
}

int RunGet(const KubeFlags& flags, const GetFlags& get, std::ostream& out, std::ostream& err) {
  if (get.output != "" && get.output != "json" && get.output != "yaml" && get.output != "name") {
    err << "devflow get: unknown output format \"" << get.output
        << "\": allowed formats are json, yaml, name\n";
    return 1;
  }
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow get: " << client.status().message() << "\n";
    return 1;
  }
  Result<std::vector<DiscoveredResource>> discovered = DiscoverResources(**client);
  if (!discovered.ok()) {
    err << "devflow get: " << discovered.status().message() << "\n";
    return 1;
  }
  Result<kube::ResourceRef> resource = ResolveResourceName(get.resource, *discovered);
  if (!resource.ok()) {
    err << "error: " << resource.status().message() << "\n";
    return 1;
  }
  const std::string ns =
      !resource->namespaced || get.all_namespaces ? "" : (*client)->config().namespace_;

  std::vector<json::Value> items;
  int failed = 0;
  if (get.names.empty()) {
    kube::ListRequest request;
    request.label_selector = get.selector;
    request.limit = 500;
    Result<kube::ObjectList> list = (*client)->ListAll(*resource, ns, request);
    if (!list.ok()) {
      err << "Error from server: " << list.status().message() << "\n";
      return 1;
    }
    items = std::move(list->items);
  } else {
    for (const std::string& name : get.names) {
      Result<json::Value> object = (*client)->Get(*resource, ns, name);
      if (!object.ok()) {
        err << "Error from server: " << object.status().message() << "\n";
        ++failed;
        continue;
      }
      items.push_back(std::move(*object));
    }
  }
  if (!get.names.empty() && items.empty()) return 1;
  for (json::Value& item : items) item = WithTypeMeta(std::move(item), *resource);

  if (get.output == "name") {
    for (const json::Value& item : items) {
      out << DisplayName(*resource) << "/" << json::StringAt(item, {"metadata", "name"}) << "\n";
    }
  } else if (get.output == "json" || get.output == "yaml") {
    json::Value shown;
    if (get.names.size() == 1 && items.size() == 1) {
      shown = items[0];
    } else {
      shown = json::Object{{"apiVersion", "v1"},
                           {"items", json::Array(items.begin(), items.end())},
                           {"kind", "List"},
                           {"metadata", json::Object{{"resourceVersion", ""}}}};
    }
    out << (get.output == "json" ? json::WritePretty(shown) + "\n" : api::WriteYaml(shown));
  } else if (items.empty()) {
    if (failed == 0) {
      err << "No resources found" << (ns.empty() ? "" : " in " + ns + " namespace") << ".\n";
    }
  } else if (!get.names.empty() && resource->group == "argoproj.io" &&
             resource->plural == "analysisruns") {
    for (size_t i = 0; i < items.size(); ++i) {
      out << (i > 0 ? "\n" : "") << FormatAnalysisRun(api::Decode<api::AnalysisRun>(items[i]));
    }
  } else if (!get.names.empty() && resource->group == "argoproj.io" &&
             resource->plural == "experiments") {
    Result<std::string> summaries = ExperimentSummaries(**client, ns, items);
    if (!summaries.ok()) {
      err << "Error from server: " << summaries.status().message() << "\n";
      return 1;
    }
    out << *summaries;
  } else {
    PrintTable(items, get.all_namespaces && resource->namespaced, out);
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace devflow::cli
