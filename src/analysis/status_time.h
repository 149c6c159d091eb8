// StatusTime: the time an AnalysisRun's status records for `now`.
//
// metav1.Time is stored with whole seconds (api/time.h drops the fraction when encoding), so
// the analysis rules truncate `now` before writing startedAt, finishedAt or completedAt: the
// status they return is then exactly what the controller reads back on its next reconcile, and
// the due times computed from it do not move by a fraction of a second between passes.
#pragma once

#include <chrono>

#include "api/time.h"

namespace devflow::analysis {

inline api::Time StatusTime(api::TimePoint now) {
  return api::Time{std::chrono::floor<std::chrono::seconds>(now)};
}

}  // namespace devflow::analysis
