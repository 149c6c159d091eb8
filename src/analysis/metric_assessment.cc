#include "analysis/metric_assessment.h"

namespace devflow::analysis {
namespace {

namespace phase = api::analysis_phase;

std::string Exceeds(std::string_view counter, int32_t value, std::string_view limit_name,
                    int32_t limit) {
  return std::string(counter) + " (" + std::to_string(value) + ") > " + std::string(limit_name) +
         " (" + std::to_string(limit) + ")";
}

}  // namespace

std::optional<LimitBreach> CheckLimits(const MetricSettings& s, const api::MetricResult& r) {
  std::optional<LimitBreach> breach;
  if (s.failure_limit >= 0 && r.failed > s.failure_limit) {
    breach = LimitBreach{std::string(phase::kFailed),
                         Exceeds("failed", r.failed, "failureLimit", s.failure_limit)};
  }
  if (r.inconclusive > s.inconclusive_limit) {
    breach = LimitBreach{
        std::string(phase::kInconclusive),
        Exceeds("inconclusive", r.inconclusive, "inconclusiveLimit", s.inconclusive_limit)};
  }
  if (r.consecutive_error > s.consecutive_error_limit) {
    breach = LimitBreach{std::string(phase::kError),
                         Exceeds("consecutiveErrors", r.consecutive_error, "consecutiveErrorLimit",
                                 s.consecutive_error_limit)};
  }
  return breach;
}

std::string AssessMetric(const MetricSettings& s, const api::MetricResult& r, bool terminating) {
  if (api::IsCompletedPhase(r.phase)) return r.phase;
  if (r.measurements.empty()) {
    return std::string(terminating ? phase::kSuccessful : phase::kPending);
  }
  if (!api::IsCompletedPhase(r.measurements.back().phase)) return std::string(phase::kRunning);
  if (std::optional<LimitBreach> breach = CheckLimits(s, r)) return breach->phase;
  const bool success_limit_applies = s.consecutive_success_limit > 0;
  if (success_limit_applies && r.consecutive_success >= s.consecutive_success_limit) {
    return std::string(phase::kSuccessful);
  }
  if (s.count && r.count >= *s.count) {
    if (success_limit_applies) {
      return std::string(s.failure_limit >= 0 ? phase::kInconclusive : phase::kFailed);
    }
    return std::string(phase::kSuccessful);
  }
  if (terminating) return std::string(phase::kSuccessful);
  return std::string(phase::kRunning);
}

}  // namespace devflow::analysis
