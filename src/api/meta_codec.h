// JSON codecs for the metadata types of meta.h (shared by every kind's codec).
#pragma once

#include "api/meta.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, ObjectMeta& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, OwnerReference& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, LabelSelector& out, DecodeContext& ctx);
json::Value EncodeValue(const ObjectMeta& v);
json::Value EncodeValue(const OwnerReference& v);
json::Value EncodeValue(const LabelSelector& v);

}  // namespace devflow::api
