// JSON codecs for the kinds of networking.h: Ingress, Gateway, HTTPRoute, VirtualService and
// DestinationRule.
//
// Decoding is total: a field of the wrong type keeps its default and is reported with its field
// path; members a struct does not model are kept in its `extra`, so a route devflow re-weights
// keeps every other field. Use through decode.h:
//   HTTPRoute route = Decode<HTTPRoute>(json, &errors);  json::Value out = Encode(route);
#pragma once

#include "api/networking.h"

namespace devflow::api {

class DecodeContext;

void DecodeValue(const json::Value& in, Ingress& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, Gateway& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, HTTPRoute& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, VirtualService& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, DestinationRule& out, DecodeContext& ctx);
json::Value EncodeValue(const Ingress& v);
json::Value EncodeValue(const Gateway& v);
json::Value EncodeValue(const HTTPRoute& v);
json::Value EncodeValue(const VirtualService& v);
json::Value EncodeValue(const DestinationRule& v);

}  // namespace devflow::api
