#include "cli/analysis_run_printer.h"

#include <algorithm>
#include <sstream>
#include <string_view>
#include <vector>

#include "api/time.h"
#include "cli/text_table.h"

namespace devflow::cli {
namespace {

// Longer values are cut, so that the MESSAGE column stays readable; -o yaml shows them whole.
constexpr size_t kMaxValueWidth = 40;

std::string TimeText(const std::optional<api::Time>& time) {
  return time ? api::FormatRfc3339(time->value) : "-";
}

// A measurement's value for the table: on one line, cut to kMaxValueWidth characters.
std::string ValueCell(std::string_view value) { return Truncate(OneLine(value), kMaxValueWidth); }

void WriteMetric(const std::string& name, const api::MetricResult* result, std::ostream& out) {
  out << "\nMetric: " << name << "\n";
  if (result == nullptr) {
    out << "  Phase:   " << api::analysis_phase::kPending << "\n";
    return;
  }
  out << "  Phase:   " << (result->phase.empty() ? "-" : result->phase)
      << (result->dry_run ? " (dry run)" : "") << "\n";
  if (!result->message.empty()) out << "  Message: " << result->message << "\n";
  out << "  Counts:  successful " << result->successful << ", failed " << result->failed
      << ", inconclusive " << result->inconclusive << ", error " << result->error << "\n";
  if (result->measurements.empty()) return;
  std::vector<const api::Measurement*> ordered;
  for (const api::Measurement& m : result->measurements) ordered.push_back(&m);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const api::Measurement* a, const api::Measurement* b) {
                     // Unset startedAt sorts first, as the oldest.
                     return a->started_at < b->started_at;
                   });
  out << "  Measurements (oldest first):\n";
  std::vector<TextRow> rows = {{"TIME", "PHASE", "VALUE", "MESSAGE"}};
  for (const api::Measurement* m : ordered) {
    rows.push_back({TimeText(m->started_at), m->phase, ValueCell(m->value), OneLine(m->message)});
  }
  WriteTable(rows, "    ", out);
}

}  // namespace

std::string FormatAnalysisRun(const api::AnalysisRun& run) {
  std::ostringstream out;
  const api::AnalysisRunStatus& status = run.status;
  std::vector<TextRow> header = {
      {"Name:", run.metadata.name},
      {"Namespace:", run.metadata.namespace_},
      {"Phase:", status.phase.empty() ? std::string(api::analysis_phase::kPending) : status.phase},
  };
  if (!status.message.empty()) header.push_back({"Message:", status.message});
  if (status.started_at) header.push_back({"Started:", TimeText(status.started_at)});
  if (status.completed_at) header.push_back({"Completed:", TimeText(status.completed_at)});
  WriteTable(header, "", out);

  std::vector<bool> shown(status.metric_results.size(), false);
  for (const api::Metric& metric : run.spec.metrics) {
    const api::MetricResult* result = nullptr;
    for (size_t i = 0; i < status.metric_results.size(); ++i) {
      if (!shown[i] && status.metric_results[i].name == metric.name) {
        result = &status.metric_results[i];
        shown[i] = true;
        break;
      }
    }
    WriteMetric(metric.name, result, out);
  }
  for (size_t i = 0; i < status.metric_results.size(); ++i) {
    if (!shown[i]) WriteMetric(status.metric_results[i].name, &status.metric_results[i], out);
  }
  return out.str();
}

}  // namespace devflow::cli
