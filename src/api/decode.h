// Decode<T> / Encode: the entry points for turning a json::Value into a typed object and back.
// Include the kind's codec header (e.g. rollout_codec.h) for the DecodeValue/EncodeValue overloads.
#pragma once

#include "api/decode_context.h"
#include "api/field_error.h"
#include "common/json_value.h"

namespace devflow::api {

// Decodes `in` as T. Fields of the wrong type keep their defaults and each is reported, with its
// field path, in *errors (when errors is not null). Members T does not model are kept in the
// objects' `extra`, so Encode(Decode<T>(x)) holds every member of x.
template <class T>
T Decode(const json::Value& in, FieldErrors* errors = nullptr) {
  T out;
  DecodeContext ctx(errors);
  DecodeValue(in, out, ctx);
  return out;
}

// Encodes `v`: known fields in declaration order (empty ones omitted), then the extra members.
template <class T>
json::Value Encode(const T& v) {
  return EncodeValue(v);
}

}  // namespace devflow::api
