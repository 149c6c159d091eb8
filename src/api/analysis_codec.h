// JSON codecs for the analysis kinds of analysis.h: AnalysisTemplate, ClusterAnalysisTemplate and
// AnalysisRun, plus the parts other kinds embed (Rollout analysis steps and Experiments use
// Argument, DryRun, MeasurementRetention and AnalysisRunMetadata; the analysis controller
// encodes MetricResults and Measurements into status patches).
//
// Decoding is total: a member of the wrong type keeps its default and is reported with its
// field path; members not modelled are kept in `extra` and written back by the encoders.
#pragma once

#include "api/analysis.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, AnalysisTemplate& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, ClusterAnalysisTemplate& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, AnalysisRun& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, AnalysisTemplateSpec& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, AnalysisRunSpec& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, AnalysisRunStatus& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Metric& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, MetricResult& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Measurement& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Argument& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, DryRun& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, MeasurementRetention& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, AnalysisRunMetadata& out, DecodeContext& ctx);

json::Value EncodeValue(const AnalysisTemplate& v);
json::Value EncodeValue(const ClusterAnalysisTemplate& v);
json::Value EncodeValue(const AnalysisRun& v);
json::Value EncodeValue(const AnalysisTemplateSpec& v);
json::Value EncodeValue(const AnalysisRunSpec& v);
json::Value EncodeValue(const AnalysisRunStatus& v);
json::Value EncodeValue(const Metric& v);
json::Value EncodeValue(const MetricResult& v);
json::Value EncodeValue(const Measurement& v);
json::Value EncodeValue(const Argument& v);
json::Value EncodeValue(const DryRun& v);
json::Value EncodeValue(const MeasurementRetention& v);
json::Value EncodeValue(const AnalysisRunMetadata& v);

}  // namespace devflow::api
