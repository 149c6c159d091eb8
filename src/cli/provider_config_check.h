// Checks, at lint time, the configuration of devflow's own metric providers (`haproxy`,
// `judge`), whose shape the api layer keeps as plain JSON (it cannot depend on the analysis
// layer that defines them). Without this a typo in `provider.haproxy.window` would surface only
// as an Error measurement in the middle of a release.
//
// A provider configuration holding a "{{args.x}}" placeholder is left to measurement time: its
// values are not known before the arguments are substituted.
#pragma once

#include "api/field_error.h"
#include "common/json_value.h"

namespace devflow::cli {

// The problems of the `haproxy` and `judge` providers of an AnalysisTemplate,
// ClusterAnalysisTemplate or AnalysisRun (`object`, as read), each at its full path
// (spec.metrics[1].provider.haproxy.window). Other kinds: none.
api::FieldErrors CheckProviderConfigs(const json::Value& object);

}  // namespace devflow::cli
