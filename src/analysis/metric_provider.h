// MetricProvider: the edge between an AnalysisRun's decisions and the systems a metric reads.
//
// A provider only reads: it turns one metric (its arguments already substituted) into a
// Reading, and never judges it. Whether a reading is Successful, Failed or Inconclusive is
// decided by the pure rules of the analysis core (successCondition / failureCondition over
// `Reading::result`), so every provider is judged the same way and the rules are testable
// without I/O. Providers that decide the phase themselves (a Job's exit, the judge's score) say
// so in Reading::phase, as Argo's job and kayenta providers do.
//
// Errors: a provider returns an error Status when it could not take the reading (unreachable,
// timeout, non-2xx answer, unusable body); the core records it as an Error measurement with the
// status's message, and counts it towards consecutiveErrorLimit.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "api/analysis.h"
#include "api/time.h"
#include "common/json_value.h"
#include "common/result.h"
#include "common/status.h"

namespace devflow::analysis {

// What a provider read for one measurement.
struct Reading {
  // What the conditions see as `result` (a number, a list of numbers, any JSON).
  // Null when the provider had no data (an empty Prometheus vector is an empty list, not null).
  json::Value result;
  // The text stored in measurements[].value: the result as Argo formats it ("0.99",
  // "[0.99,0.98]", the JSON of a web answer).
  std::string value;
  // Empty: the conditions decide. Otherwise an analysis_phase: Running for a measurement still
  // in flight (poll again at resume_at), or the final phase a provider decided itself.
  std::string phase;
  std::string message;                          // measurements[].message when phase is set
  std::map<std::string, std::string> metadata;  // measurements[].metadata (job-name, ...)
  // Provider facts worth keeping on the metric (metricResults[].metadata), e.g.
  // ResolvedPrometheusQuery.
  std::map<std::string, std::string> metric_metadata;
  std::optional<api::Time> resume_at;  // when phase is Running
};

// One measurement's inputs. `metric` has its {{args.*}} substituted; `run` is the AnalysisRun
// it belongs to (its namespace, name and uid name the objects a provider creates).
struct MeasurementRequest {
  const api::AnalysisRun& run;
  const api::Metric& metric;
  api::TimePoint now;
};

class MetricProvider {
 public:
  virtual ~MetricProvider() = default;

  // Takes a new measurement.
  virtual Result<Reading> Measure(const MeasurementRequest& request) = 0;

  // Polls a measurement left in flight (phase Running) by Measure or an earlier Resume.
  // Synchronous providers never leave one, so the default is never called for them.
  virtual Result<Reading> Resume(const MeasurementRequest& request,
                                 const api::Measurement& in_flight) {
    return FailedPreconditionError("this provider leaves no measurement in flight");
  }

  // Stops a measurement in flight because the run is terminating (a Job is deleted).
  virtual Result<Reading> Terminate(const MeasurementRequest& request,
                                    const api::Measurement& in_flight) {
    return FailedPreconditionError("this provider leaves no measurement in flight");
  }

  // Deletes what measurements beyond the newest `keep` left behind (old Jobs).
  virtual Status GarbageCollect(const api::AnalysisRun& run, const api::Metric& metric, int keep) {
    return Status::Ok();
  }
};

}  // namespace devflow::analysis
