#include "api/codec_engine.h"

#include <cmath>

namespace devflow::api {

bool codec_internal::IsEmptyJson(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kNull:
      return true;
    case json::Type::kBool:
      return !v.as_bool();
    case json::Type::kInt:
      return v.as_int() == 0;
    case json::Type::kDouble:
      return v.as_double() == 0;
    case json::Type::kString:
      return v.as_string().empty();
    case json::Type::kArray:
      return v.as_array().empty();
    case json::Type::kObject:
      return v.as_object().empty();
  }
  return false;
}

std::string ToString(const FieldError& error) {
  if (error.path.empty()) return error.message;
  return error.path.str() + ": " + error.message;
}

void DecodeContext::Error(std::string message) {
  if (errors_ != nullptr) errors_->push_back(FieldError{CurrentPath(), std::move(message)});
}

FieldPath DecodeContext::CurrentPath() const {
  FieldPath path;
  for (const Elem& e : stack_) path = e.is_index ? path.Index(e.index) : path.Child(e.key);
  return path;
}

void TypeError(DecodeContext& ctx, std::string_view want, const json::Value& got) {
  std::string message = "must be ";
  message += want;
  message += ", got ";
  message += json::TypeName(got.type());
  if (got.is_string()) {
    message += " \"" + got.as_string() + "\"";
  }
  ctx.Error(std::move(message));
}

void DecodeValue(const json::Value& in, bool& out, DecodeContext& ctx) {
  if (!in.is_bool()) return TypeError(ctx, "true or false", in);
  out = in.as_bool();
}

namespace {

// Accepts integers, and doubles that hold an integral value (JSON written by some tools says 3.0).
bool IntegralValue(const json::Value& in, int64_t& out) {
  if (in.is_int()) {
    out = in.as_int();
    return true;
  }
  if (in.is_double()) {
    double d = in.as_double();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) {
      out = static_cast<int64_t>(d);
      return true;
    }
  }
  return false;
}

}  // namespace

void DecodeValue(const json::Value& in, int32_t& out, DecodeContext& ctx) {
  int64_t v;
  if (!IntegralValue(in, v)) return TypeError(ctx, "an integer", in);
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return ctx.Error("must fit in 32 bits, got " + std::to_string(v));
  }
  out = static_cast<int32_t>(v);
}

void DecodeValue(const json::Value& in, int64_t& out, DecodeContext& ctx) {
  if (!IntegralValue(in, out)) TypeError(ctx, "an integer", in);
}

void DecodeValue(const json::Value& in, double& out, DecodeContext& ctx) {
  if (!in.is_number()) return TypeError(ctx, "a number", in);
  out = in.as_double();
}

void DecodeValue(const json::Value& in, std::string& out, DecodeContext& ctx) {
  if (!in.is_string()) return TypeError(ctx, "a string", in);
  out = in.as_string();
}

void DecodeValue(const json::Value& in, json::Value& out, DecodeContext&) { out = in; }

}  // namespace devflow::api
