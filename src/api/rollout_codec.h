// JSON codecs for Rollout and its parts (rollout.h). Use Decode<Rollout> / Encode from decode.h.
//
// RolloutSpec, RolloutStatus and RolloutAnalysis are exported too: the status subresource and
// the controllers' patches encode a status alone, and the analysis code reads a RolloutAnalysis
// when it builds an AnalysisRun.
#pragma once

#include <vector>

#include "api/rollout.h"
#include "common/field_path.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, Rollout& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, RolloutSpec& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, RolloutStatus& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, RolloutAnalysis& out, DecodeContext& ctx);
json::Value EncodeValue(const Rollout& v);
json::Value EncodeValue(const RolloutSpec& v);
json::Value EncodeValue(const RolloutStatus& v);
json::Value EncodeValue(const RolloutAnalysis& v);

// Returns the path of every member of `rollout` that devflow does not model (kept in an `extra`),
// e.g. "spec.strategy.canary.stepz", "status.someNewField": depth first, in Fields() order, a
// struct's known fields before its own unknown members. Descends through the
// Rollout's own types; for LabelSelector and PodTemplateSpec it reports only their own top-level
// unknown members (spec.template.foo), and it skips metadata (server-set members such as
// managedFields are not mistakes). Lint uses it to warn about misspelt fields, which
// Kubernetes would silently prune.
std::vector<FieldPath> UnknownRolloutFields(const Rollout& rollout);

}  // namespace devflow::api
