// JSON codecs for the kinds of core_kinds.h (Service, Namespace, Secret, Event, Lease) and the
// parts other codec files share (ObjectReference).
//
// Decoding is total: a field of the wrong type keeps its default and is reported with its field
// path; members a struct does not model are kept in its `extra`. Use through decode.h:
//   Service svc = Decode<Service>(json, &errors);  json::Value out = Encode(svc);
#pragma once

#include "api/core_kinds.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, Service& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Namespace& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Secret& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Event& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Lease& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, ObjectReference& out, DecodeContext& ctx);
json::Value EncodeValue(const Service& v);
json::Value EncodeValue(const Namespace& v);
json::Value EncodeValue(const Secret& v);
json::Value EncodeValue(const Event& v);
json::Value EncodeValue(const Lease& v);
json::Value EncodeValue(const ObjectReference& v);

}  // namespace devflow::api
