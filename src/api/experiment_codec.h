// JSON codec for the Experiment kind of experiment.h. Decoding is total: a member of the wrong
// type keeps its default and is reported with its field path; members not modelled are kept in
// `extra` and written back by the encoder.
#pragma once

#include "api/experiment.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, Experiment& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, ExperimentSpec& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, ExperimentStatus& out, DecodeContext& ctx);
json::Value EncodeValue(const Experiment& v);
json::Value EncodeValue(const ExperimentSpec& v);
json::Value EncodeValue(const ExperimentStatus& v);

}  // namespace devflow::api
