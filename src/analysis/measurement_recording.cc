#include "analysis/measurement_recording.h"

#include "analysis/status_time.h"

namespace devflow::analysis {
namespace {

namespace phase = api::analysis_phase;

constexpr char kMask[] = "*****";

std::string Mask(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + sizeof(kMask) - 1)) {
      text.replace(at, secret.size(), kMask);
    }
  }
  return text;
}

}  // namespace

api::Measurement ToMeasurement(const MeasurementTask& task, const Result<Reading>& reading,
                               const CompiledConditions& conditions,
                               const std::vector<std::string>& secrets, api::TimePoint now) {
  api::Measurement m;
  if (task.action != MeasurementAction::kMeasure && task.in_flight) {
    m = *task.in_flight;
  } else {
    m.started_at = StatusTime(now);
  }
  if (!reading.ok()) {
    m.phase = phase::kError;
    m.message = reading.error().message();
  } else {
    const Reading& r = *reading;
    m.value = r.value;
    for (const auto& [key, value] : r.metadata) m.metadata[key] = value;
    if (r.phase.empty()) {
      MeasurementOutcome outcome = conditions.Evaluate(r.result, now);
      m.phase = outcome.phase;
      m.message = outcome.message;
    } else {
      m.phase = r.phase;
      m.message = r.message;
      m.resume_at = r.resume_at;
    }
    if (task.action == MeasurementAction::kTerminate &&
        (m.phase == phase::kSuccessful || m.phase == phase::kInconclusive)) {
      m.message = "Metric Terminated";
    }
  }
  m.message = Mask(std::move(m.message), secrets);
  if (api::IsCompletedPhase(m.phase)) {
    if (!m.finished_at) m.finished_at = StatusTime(now);
    m.resume_at.reset();
  }
  return m;
}

void RecordMeasurement(const api::Measurement& m, bool continues_in_flight,
                       api::MetricResult* result) {
  if (m.phase == phase::kSuccessful) {
    ++result->successful;
    ++result->count;
    result->consecutive_error = 0;
    ++result->consecutive_success;
  } else if (m.phase == phase::kFailed) {
    ++result->failed;
    ++result->count;
    result->consecutive_error = 0;
    result->consecutive_success = 0;
  } else if (m.phase == phase::kInconclusive) {
    ++result->inconclusive;
    ++result->count;
    result->consecutive_error = 0;
    result->consecutive_success = 0;
  } else if (m.phase == phase::kError) {
    ++result->error;
    ++result->consecutive_error;
    result->consecutive_success = 0;
  }
  if (continues_in_flight && !result->measurements.empty()) {
    result->measurements.back() = m;
  } else {
    result->measurements.push_back(m);
  }
}

}  // namespace devflow::analysis
