#include "cli/analysis_run_printer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace devflow::cli {
namespace {

api::Time At(int second) {
  return api::Time{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} +
                   std::chrono::hours{10} + std::chrono::seconds{second}};
}

api::Measurement Measured(std::string phase, int second, std::string value,
                          std::string message = "") {
  api::Measurement m;
  m.phase = std::move(phase);
  m.started_at = At(second);
  m.finished_at = At(second);
  m.value = std::move(value);
  m.message = std::move(message);
  return m;
}

api::AnalysisRun RunWithMetrics(std::vector<std::string> names) {
  api::AnalysisRun run;
  run.metadata.name = "web-analysis";
  run.metadata.namespace_ = "default";
  for (std::string& name : names) {
    api::Metric metric;
    metric.name = std::move(name);
    run.spec.metrics.push_back(std::move(metric));
  }
  return run;
}

TEST(FormatAnalysisRunTest, GivenAFailedRunWhenPrintedThenPhaseMessageCountsAndMeasurements) {
  api::AnalysisRun run = RunWithMetrics({"success-rate"});
  run.status.phase = "Failed";
  run.status.message =
      R"(Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0))";
  run.status.started_at = At(0);
  run.status.completed_at = At(1);
  api::MetricResult result;
  result.name = "success-rate";
  result.phase = "Failed";
  result.successful = 2;
  result.failed = 1;
  // Stored out of order: printed oldest first, newest last.
  result.measurements = {Measured("Failed", 2, "0.42"), Measured("Successful", 0, "0.99"),
                         Measured("Successful", 1, "0.98", "ok")};
  run.status.metric_results = {result};

  EXPECT_EQ(FormatAnalysisRun(run),
            "Name:       web-analysis\n"
            "Namespace:  default\n"
            "Phase:      Failed\n"
            "Message:    Metric \"success-rate\" assessed Failed due to failed (1) > failureLimit "
            "(0)\n"
            "Started:    2026-11-23T10:00:00Z\n"
            "Completed:  2026-11-23T10:00:01Z\n"
            "\n"
            "Metric: success-rate\n"
            "  Phase:   Failed\n"
            "  Counts:  successful 2, failed 1, inconclusive 0, error 0\n"
            "  Measurements (oldest first):\n"
            "    TIME                  PHASE       VALUE  MESSAGE\n"
            "    2026-11-23T10:00:00Z  Successful  0.99\n"
            "    2026-11-23T10:00:01Z  Successful  0.98   ok\n"
            "    2026-11-23T10:00:02Z  Failed      0.42\n");
}

TEST(FormatAnalysisRunTest, GivenMetricsWithoutResultsWhenPrintedThenPendingInSpecOrder) {
  api::AnalysisRun run = RunWithMetrics({"latency", "errors"});
  api::MetricResult errors;
  errors.name = "errors";
  errors.phase = "Running";
  errors.dry_run = true;
  errors.message = "still measuring";
  errors.error = 1;
  api::Measurement in_flight;
  in_flight.phase = "Running";
  errors.measurements = {in_flight};
  api::MetricResult orphan;
  orphan.name = "removed";
  orphan.phase = "Successful";
  run.status.metric_results = {errors, orphan};

  EXPECT_EQ(FormatAnalysisRun(run),
            "Name:       web-analysis\n"
            "Namespace:  default\n"
            "Phase:      Pending\n"
            "\n"
            "Metric: latency\n"
            "  Phase:   Pending\n"
            "\n"
            "Metric: errors\n"
            "  Phase:   Running (dry run)\n"
            "  Message: still measuring\n"
            "  Counts:  successful 0, failed 0, inconclusive 0, error 1\n"
            "  Measurements (oldest first):\n"
            "    TIME  PHASE    VALUE  MESSAGE\n"
            "    -     Running\n"
            "\n"
            "Metric: removed\n"
            "  Phase:   Successful\n"
            "  Counts:  successful 0, failed 0, inconclusive 0, error 0\n");
}

TEST(FormatAnalysisRunTest, GivenMultiLineAndLongValuesWhenPrintedThenOneLineEachAndCut) {
  api::AnalysisRun run = RunWithMetrics({"page"});
  run.status.phase = "Running";
  api::MetricResult page;
  page.name = "page";
  page.phase = "Running";
  page.successful = 2;
  page.measurements = {
      Measured("Successful", 0, "<html>\n  <body>ok</body>\n</html>\n", "first\nline"),
      Measured("Successful", 1, std::string(50, 'x'))};
  run.status.metric_results = {page};

  EXPECT_EQ(
      FormatAnalysisRun(run),
      "Name:       web-analysis\n"
      "Namespace:  default\n"
      "Phase:      Running\n"
      "\n"
      "Metric: page\n"
      "  Phase:   Running\n"
      "  Counts:  successful 2, failed 0, inconclusive 0, error 0\n"
      "  Measurements (oldest first):\n"
      "    TIME                  PHASE       VALUE                                     MESSAGE\n"
      "    2026-11-23T10:00:00Z  Successful  <html> <body>ok</body> </html>            first "
      "line\n"
      "    2026-11-23T10:00:01Z  Successful  xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\n");
}

}  // namespace
}  // namespace devflow::cli
