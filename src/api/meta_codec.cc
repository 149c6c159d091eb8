#include "api/meta_codec.h"

#include "api/codec_engine.h"

namespace devflow::api {

template <class V>
void Fields(V& v, OwnerReference& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("name", s.name);
  v("uid", s.uid);
  v("controller", s.controller);
  v("blockOwnerDeletion", s.block_owner_deletion);
}

template <class V>
void Fields(V& v, ObjectMeta& s) {
  v("name", s.name);
  v("generateName", s.generate_name);
  v("namespace", s.namespace_);
  v("uid", s.uid);
  v("resourceVersion", s.resource_version);
  v("generation", s.generation);
  v("creationTimestamp", s.creation_timestamp);
  v("deletionTimestamp", s.deletion_timestamp);
  v("deletionGracePeriodSeconds", s.deletion_grace_period_seconds);
  v("labels", s.labels);
  v("annotations", s.annotations);
  v("ownerReferences", s.owner_references);
  v("finalizers", s.finalizers);
}

template <class V>
void Fields(V& v, LabelSelectorRequirement& s) {
  v("key", s.key);
  v("operator", s.operator_);
  v("values", s.values);
}

template <class V>
void Fields(V& v, LabelSelector& s) {
  v("matchLabels", s.match_labels);
  v("matchExpressions", s.match_expressions);
}

void DecodeValue(const json::Value& in, ObjectMeta& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, OwnerReference& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, LabelSelector& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const ObjectMeta& v) { return EncodeStruct(v); }
json::Value EncodeValue(const OwnerReference& v) { return EncodeStruct(v); }
json::Value EncodeValue(const LabelSelector& v) { return EncodeStruct(v); }

}  // namespace devflow::api
