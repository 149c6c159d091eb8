// Test helpers for the AnalysisRun rules: times, metrics, measurements and results written in
// one line of a table row. Test-only (included by *_test.cc).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/analysis.h"
#include "api/time.h"

namespace devflow::analysis::run_testing {

// 2026-11-23T10:00:00Z + `seconds`.
inline api::TimePoint At(int seconds) {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 23} + hours{10} + std::chrono::seconds{seconds};
}
inline api::Time TimeAt(int seconds) { return api::Time{At(seconds)}; }

// A prometheus metric with the given name; fields set with the With* helpers.
inline api::Metric PromMetric(std::string name) {
  api::Metric m;
  m.name = std::move(name);
  m.provider.prometheus = api::PrometheusMetric{};
  m.provider.prometheus->query = "up";
  return m;
}

struct MetricFields {
  std::string interval;
  std::string initial_delay;
  std::optional<api::IntOrString> count;
  std::optional<api::IntOrString> failure_limit;
  std::optional<api::IntOrString> inconclusive_limit;
  std::optional<api::IntOrString> consecutive_error_limit;
  std::optional<api::IntOrString> consecutive_success_limit;
  std::string success_condition;
  std::string failure_condition;
};

inline api::Metric MakeMetric(std::string name, const MetricFields& f) {
  api::Metric m = PromMetric(std::move(name));
  m.interval = f.interval;
  m.initial_delay = f.initial_delay;
  m.count = f.count;
  m.failure_limit = f.failure_limit;
  m.inconclusive_limit = f.inconclusive_limit;
  m.consecutive_error_limit = f.consecutive_error_limit;
  m.consecutive_success_limit = f.consecutive_success_limit;
  m.success_condition = f.success_condition;
  m.failure_condition = f.failure_condition;
  return m;
}

// A finished measurement of `phase`, started and finished at `finished` seconds.
inline api::Measurement Finished(std::string_view phase, int finished, std::string message = "") {
  api::Measurement m;
  m.phase = std::string(phase);
  m.message = std::move(message);
  m.started_at = TimeAt(finished);
  m.finished_at = TimeAt(finished);
  return m;
}

// A measurement in flight since `started`, to resume at `resume_at` seconds (none when < 0).
inline api::Measurement InFlight(int started, int resume_at = -1) {
  api::Measurement m;
  m.phase = std::string(api::analysis_phase::kRunning);
  m.started_at = TimeAt(started);
  if (resume_at >= 0) m.resume_at = TimeAt(resume_at);
  m.metadata["job-name"] = "job-1";
  return m;
}

struct Counters {
  int32_t successful = 0;
  int32_t failed = 0;
  int32_t inconclusive = 0;
  int32_t error = 0;
  int32_t consecutive_error = 0;
  int32_t consecutive_success = 0;
};

// A metric result with these measurements and counters (count = successful + failed +
// inconclusive).
inline api::MetricResult MetricResultOf(std::string name, std::string_view phase,
                                        std::vector<api::Measurement> measurements,
                                        const Counters& c = {}) {
  api::MetricResult r;
  r.name = std::move(name);
  r.phase = std::string(phase);
  r.measurements = std::move(measurements);
  r.successful = c.successful;
  r.failed = c.failed;
  r.inconclusive = c.inconclusive;
  r.error = c.error;
  r.count = c.successful + c.failed + c.inconclusive;
  r.consecutive_error = c.consecutive_error;
  r.consecutive_success = c.consecutive_success;
  return r;
}

}  // namespace devflow::analysis::run_testing
