// JSON codecs for the types of pod.h. PodTemplateSpec and Container are exported so that the
// codecs of every workload kind (ReplicaSet, Deployment, Job, Rollout, Experiment, the Job
// metric provider) reuse them.
#pragma once

#include "api/pod.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, Pod& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, PodTemplateSpec& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, PodSpec& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Container& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, PodStatus& out, DecodeContext& ctx);
json::Value EncodeValue(const Pod& v);
json::Value EncodeValue(const PodTemplateSpec& v);
json::Value EncodeValue(const PodSpec& v);
json::Value EncodeValue(const Container& v);
json::Value EncodeValue(const PodStatus& v);

}  // namespace devflow::api
