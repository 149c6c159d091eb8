#include "cli/experiment_printer.h"

#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include "api/analysis_defaults.h"
#include "api/time.h"
#include "cli/analysis_run_printer.h"
#include "cli/text_table.h"
#include "core/experiment_templates.h"

namespace devflow::cli {
namespace {

using Rows = std::vector<TextRow>;

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

// Every line of `text` prefixed by `indent`; empty lines stay empty.
void WriteIndented(const std::string& text, std::string_view indent, std::ostream& out) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    out << (line.empty() ? "" : std::string(indent)) << line << "\n";
  }
}

// "nginx:1.25 (baseline, canary)" per image, sorted by image.
std::vector<std::string> ImageLines(const api::ExperimentSpec& spec) {
  std::map<std::string, std::set<std::string>> templates_by_image;
  for (const api::ExperimentTemplate& t : spec.templates) {
    for (const api::Container& container : t.template_.spec.containers) {
      templates_by_image[container.image].insert(t.name);
    }
  }
  std::vector<std::string> lines;
  for (const auto& [image, templates] : templates_by_image) {
    std::string line = OrDash(image) + " (";
    for (const std::string& name : templates) {
      line += (line.back() == '(' ? "" : ", ") + name;
    }
    lines.push_back(line + ")");
  }
  return lines;
}

// The names of the ReplicaSets annotated with `template_name`, sorted and comma-joined; "-" when
// none.
std::string ReplicaSetCell(const std::string& template_name,
                           const std::vector<api::ReplicaSet>& replica_sets) {
  std::set<std::string> names;
  for (const api::ReplicaSet& rs : replica_sets) {
    auto it = rs.metadata.annotations.find(std::string(core::kExperimentTemplateNameAnnotation));
    if (it != rs.metadata.annotations.end() && it->second == template_name) {
      names.insert(rs.metadata.name);
    }
  }
  std::string cell;
  for (const std::string& name : names) cell += (cell.empty() ? "" : ",") + name;
  return OrDash(cell);
}

// One row of the Templates table; `status` is null before the template has one.
std::vector<std::string> TemplateRow(const std::string& name, const std::string& desired,
                                     const api::ExperimentTemplateStatus* status,
                                     const std::vector<api::ReplicaSet>& replica_sets) {
  api::ExperimentTemplateStatus none;
  none.status = api::analysis_phase::kPending;
  const api::ExperimentTemplateStatus& s = status != nullptr ? *status : none;
  return {name,
          OrDash(s.status),
          std::to_string(s.replicas) + "/" + desired,
          std::to_string(s.updated_replicas),
          std::to_string(s.ready_replicas),
          std::to_string(s.available_replicas),
          OrDash(s.pod_template_hash),
          OrDash(s.service_name),
          ReplicaSetCell(name, replica_sets),
          OneLine(s.message)};
}

void WriteTemplates(const api::Experiment& experiment,
                    const std::vector<api::ReplicaSet>& replica_sets, std::ostream& out) {
  const std::vector<api::ExperimentTemplateStatus>& statuses = experiment.status.template_statuses;
  Rows rows = {{"NAME", "STATUS", "REPLICAS", "UPDATED", "READY", "AVAILABLE", "HASH", "SERVICE",
                "REPLICASET", "MESSAGE"}};
  std::vector<bool> shown(statuses.size(), false);
  for (const api::ExperimentTemplate& t : experiment.spec.templates) {
    const api::ExperimentTemplateStatus* status = nullptr;
    for (size_t i = 0; i < statuses.size(); ++i) {
      if (!shown[i] && statuses[i].name == t.name) {
        status = &statuses[i];
        shown[i] = true;
        break;
      }
    }
    rows.push_back(
        TemplateRow(t.name, std::to_string(api::ReplicasOrDefault(t)), status, replica_sets));
  }
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (!shown[i]) rows.push_back(TemplateRow(statuses[i].name, "-", &statuses[i], replica_sets));
  }
  out << "\nTemplates:\n";
  WriteTable(rows, "  ", out);
}

const api::AnalysisRun* FindRun(const std::vector<api::AnalysisRun>& runs,
                                const std::string& name) {
  if (name.empty()) return nullptr;
  for (const api::AnalysisRun& run : runs) {
    if (run.metadata.name == name) return &run;
  }
  return nullptr;
}

void WriteAnalysis(const api::Experiment& experiment, const std::string& name, bool required,
                   const api::ExperimentAnalysisRunStatus* status,
                   const std::vector<api::AnalysisRun>& runs, std::ostream& out) {
  const api::AnalysisRun* run = status != nullptr ? FindRun(runs, status->analysis_run) : nullptr;
  if (run == nullptr) run = FindRun(runs, experiment.metadata.name + "-" + name);
  std::string run_name = status != nullptr ? status->analysis_run : "";
  if (run_name.empty() && run != nullptr) run_name = run->metadata.name;

  out << "  " << name << "\n";
  Rows rows = {{"Phase:", status == nullptr ? std::string(api::analysis_phase::kPending)
                                            : OrDash(status->phase)}};
  if (status != nullptr && !status->message.empty()) {
    rows.push_back({"Message:", OneLine(status->message)});
  }
  rows.push_back({"Required:", required ? "yes" : "no"});
  rows.push_back({"AnalysisRun:", OrDash(run_name)});
  WriteTable(rows, "    ", out);
  if (run != nullptr) WriteIndented(FormatAnalysisRun(*run), "      ", out);
}

void WriteAnalyses(const api::Experiment& experiment, const std::vector<api::AnalysisRun>& runs,
                   std::ostream& out) {
  const std::vector<api::ExperimentAnalysisRunStatus>& statuses = experiment.status.analysis_runs;
  if (experiment.spec.analyses.empty() && statuses.empty()) return;
  out << "\nAnalyses:\n";
  std::vector<bool> shown(statuses.size(), false);
  bool first = true;
  auto separate = [&] {
    if (!first) out << "\n";
    first = false;
  };
  for (const api::ExperimentAnalysisTemplateRef& analysis : experiment.spec.analyses) {
    const api::ExperimentAnalysisRunStatus* status = nullptr;
    for (size_t i = 0; i < statuses.size(); ++i) {
      if (!shown[i] && statuses[i].name == analysis.name) {
        status = &statuses[i];
        shown[i] = true;
        break;
      }
    }
    separate();
    WriteAnalysis(experiment, analysis.name, analysis.required_for_completion, status, runs, out);
  }
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (shown[i]) continue;
    separate();
    WriteAnalysis(experiment, statuses[i].name, false, &statuses[i], runs, out);
  }
}

}  // namespace

std::string FormatExperiment(const api::Experiment& experiment,
                             const std::vector<api::ReplicaSet>& replica_sets,
                             const std::vector<api::AnalysisRun>& runs) {
  std::ostringstream out;
  const api::ExperimentStatus& status = experiment.status;
  Rows header = {
      {"Name:", experiment.metadata.name},
      {"Namespace:", experiment.metadata.namespace_},
      {"Status:", status.phase.empty() ? std::string(api::analysis_phase::kPending) : status.phase},
  };
  if (!status.message.empty()) header.push_back({"Message:", OneLine(status.message)});
  if (status.available_at) {
    header.push_back({"Available at:", api::FormatRfc3339(status.available_at->value)});
  }
  if (!experiment.spec.duration.empty()) header.push_back({"Duration:", experiment.spec.duration});
  if (experiment.spec.terminate) header.push_back({"Terminate:", "requested"});
  std::vector<std::string> images = ImageLines(experiment.spec);
  for (size_t i = 0; i < images.size(); ++i) {
    header.push_back({i == 0 ? "Images:" : "", images[i]});
  }
  WriteTable(header, "", out);
  WriteTemplates(experiment, replica_sets, out);
  WriteAnalyses(experiment, runs, out);
  return out.str();
}

}  // namespace devflow::cli
