// The codec engine: decoding json::Values into typed structs and encoding them back.
//
// Internal to src/api: include it only from *_codec.cc files. Each struct describes its fields
// once, in a function template found by argument-dependent lookup:
//
//   template <class V> void Fields(V& v, CanaryStep& s) {
//     v("setWeight", s.set_weight);
//     v("pause", s.pause);
//   }
//
// and holds a `json::Object extra` member that keeps every member the struct does not name, so
// a decoded-then-encoded document loses nothing. The same Fields() drives decoding (the visitor
// reads each named member, type-checks it, and records an error with its field path when the
// type is wrong) and encoding (members are written in Fields() order, empty ones omitted as Go's
// `omitempty` does, then the extra members).
//
// Supported field types: bool, int32_t, int64_t, double, std::string, json::Value (schemaless),
// std::optional<T> (a Go pointer: written whenever set, even if empty), std::vector<T>,
// std::map<std::string, T>, any struct with Fields(), and any type with its own non-template
// DecodeValue/EncodeValue overloads (IntOrString, Duration, Time, and structs
// shared between codec files, e.g. ObjectMeta and PodTemplateSpec).
//
// Decoding is total: malformed input never aborts; a field of the wrong type keeps its default.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "api/decode_context.h"
#include "api/field_error.h"
#include "common/json_value.h"

namespace devflow::api {

// Records "must be <want>, got <actual type>" at the current path.
void TypeError(DecodeContext& ctx, std::string_view want, const json::Value& got);

// ---- Primitive decoders (non-template, defined in codec_engine.cc) ----
void DecodeValue(const json::Value& in, bool& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, int32_t& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, int64_t& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, double& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, std::string& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, json::Value& out, DecodeContext& ctx);

inline json::Value EncodeValue(bool b) { return json::Value(b); }
inline json::Value EncodeValue(int32_t i) { return json::Value(static_cast<int64_t>(i)); }
inline json::Value EncodeValue(int64_t i) { return json::Value(i); }
inline json::Value EncodeValue(double d) { return json::Value(d); }
inline json::Value EncodeValue(const std::string& s) { return json::Value(s); }
inline json::Value EncodeValue(const json::Value& v) { return v; }

// ---- Containers ----
template <class T>
void DecodeValue(const json::Value& in, std::optional<T>& out, DecodeContext& ctx);
template <class T>
void DecodeValue(const json::Value& in, std::vector<T>& out, DecodeContext& ctx);
template <class T>
void DecodeValue(const json::Value& in, std::map<std::string, T>& out, DecodeContext& ctx);
template <class T>
json::Value EncodeValue(const std::optional<T>& v);
template <class T>
json::Value EncodeValue(const std::vector<T>& v);
template <class T>
json::Value EncodeValue(const std::map<std::string, T>& v);

// ---- Structs described by Fields() ----
namespace codec_internal {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

// Go's omitempty, extended to structs: null, false, 0, "", [] and {} are not written.
// (Go would still write "{}" for a non-pointer struct; omitting it reads the same to every
// Kubernetes decoder.) A std::optional field that is set is written even when empty.
bool IsEmptyJson(const json::Value& v);

// Reads the named members of a struct from an input object.
class DecodeVisitor {
 public:
  DecodeVisitor(const json::Object& in, DecodeContext& ctx, std::vector<bool>& consumed)
      : in_(in), ctx_(ctx), consumed_(consumed) {}

  template <class T>
  void operator()(std::string_view name, T& field) {
    size_t i = 0;
    for (const json::Member& m : in_) {
      if (m.key == name) {
        consumed_[i] = true;
        // Go's encoding/json leaves a field untouched on null; so do we.
        if (m.value.is_null()) return;
        ctx_.PushKey(m.key);
        DecodeValue(m.value, field, ctx_);
        ctx_.Pop();
        return;
      }
      ++i;
    }
  }

 private:
  const json::Object& in_;
  DecodeContext& ctx_;
  std::vector<bool>& consumed_;
};

// Writes the non-empty fields of a struct into an output object.
class EncodeVisitor {
 public:
  explicit EncodeVisitor(json::Object& out) : out_(out) {}

  template <class T>
  void operator()(std::string_view name, const T& field) {
    json::Value encoded = EncodeValue(field);
    if (!IsOptional<T>::value && IsEmptyJson(encoded)) return;
    if (encoded.is_null()) return;
    out_.Set(std::string(name), std::move(encoded));
  }

 private:
  json::Object& out_;
};

// Detects a struct described by Fields(); Fields is found by argument-dependent lookup.
struct FieldsProbe {
  template <class T>
  void operator()(std::string_view, T&) {}
};

}  // namespace codec_internal

template <class T>
concept DescribedStruct = requires(codec_internal::FieldsProbe& probe, T& t) {
  Fields(probe, t);
  { t.extra } -> std::convertible_to<json::Object>;
};

// Decodes a struct through its Fields(). Codec files that export a struct to other codec files
// define a non-template DecodeValue overload that calls this (and EncodeStruct).
template <DescribedStruct T>
void DecodeStruct(const json::Value& in, T& out, DecodeContext& ctx) {
  if (!in.is_object()) {
    TypeError(ctx, "an object", in);
    return;
  }
  const json::Object& object = in.as_object();
  std::vector<bool> consumed(object.size(), false);
  codec_internal::DecodeVisitor visitor(object, ctx, consumed);
  Fields(visitor, out);
  size_t i = 0;
  for (const json::Member& m : object) {
    if (!consumed[i++]) out.extra.Set(m.key, m.value);
  }
}

template <DescribedStruct T>
json::Value EncodeStruct(const T& in) {
  json::Object out;
  codec_internal::EncodeVisitor visitor(out);
  // Fields() takes a mutable reference so that one function serves both directions; the encode
  // visitor only reads.
  Fields(visitor, const_cast<T&>(in));
  for (const json::Member& m : in.extra) {
    if (!out.Contains(m.key)) out.Set(m.key, m.value);
  }
  return json::Value(std::move(out));
}

template <DescribedStruct T>
void DecodeValue(const json::Value& in, T& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
template <DescribedStruct T>
json::Value EncodeValue(const T& in) {
  return EncodeStruct(in);
}

// ---- Container definitions ----
template <class T>
void DecodeValue(const json::Value& in, std::optional<T>& out, DecodeContext& ctx) {
  if (in.is_null()) return;
  out.emplace();
  DecodeValue(in, *out, ctx);
}

template <class T>
void DecodeValue(const json::Value& in, std::vector<T>& out, DecodeContext& ctx) {
  if (!in.is_array()) {
    TypeError(ctx, "a list", in);
    return;
  }
  const json::Array& items = in.as_array();
  out.clear();
  out.resize(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    ctx.PushIndex(i);
    DecodeValue(items[i], out[i], ctx);
    ctx.Pop();
  }
}

template <class T>
void DecodeValue(const json::Value& in, std::map<std::string, T>& out, DecodeContext& ctx) {
  if (!in.is_object()) {
    TypeError(ctx, "a map", in);
    return;
  }
  for (const json::Member& m : in.as_object()) {
    ctx.PushKey(m.key);
    DecodeValue(m.value, out[m.key], ctx);
    ctx.Pop();
  }
}

template <class T>
json::Value EncodeValue(const std::optional<T>& v) {
  if (!v.has_value()) return json::Value();
  return EncodeValue(*v);
}

template <class T>
json::Value EncodeValue(const std::vector<T>& v) {
  json::Array out;
  out.reserve(v.size());
  for (const T& item : v) out.push_back(EncodeValue(item));
  return json::Value(std::move(out));
}

template <class T>
json::Value EncodeValue(const std::map<std::string, T>& v) {
  json::Object out;
  for (const auto& [key, value] : v) out.Set(key, EncodeValue(value));
  return json::Value(std::move(out));
}

}  // namespace devflow::api
