// JSON codecs for the workload kinds of workloads.h. The JobSpec codec is exported too, for the
// job metric provider (spec.metrics[].provider.job.spec).
#pragma once

#include "api/workloads.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, ReplicaSet& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Deployment& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Job& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, JobSpec& out, DecodeContext& ctx);
json::Value EncodeValue(const ReplicaSet& v);
json::Value EncodeValue(const Deployment& v);
json::Value EncodeValue(const Job& v);
json::Value EncodeValue(const JobSpec& v);

}  // namespace devflow::api
