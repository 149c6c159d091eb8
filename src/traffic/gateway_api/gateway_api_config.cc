#include "traffic/gateway_api/gateway_api_config.h"

#include <string>
#include <utility>

#include "api/name_rules.h"
#include "api/validation_util.h"
#include "common/status.h"

namespace devflow::traffic::gateway_api {
namespace {

using api::AddFieldError;
using api::FieldErrors;

std::string WrongType(const json::Value& value, std::string_view want) {
  return "must be " + std::string(want) + ", got " + std::string(json::TypeName(value.type()));
}

// The string member `key` of `config`, or "" when absent; a non-string is reported.
std::string StringMember(const json::Value& config, std::string_view key, const FieldPath& at,
                         FieldErrors* errors) {
  const json::Value* value = config.Find(key);
  if (value == nullptr || value->is_null()) return "";
  if (!value->is_string()) {
    AddFieldError(errors, at.Child(key), WrongType(*value, "a string"));
    return "";
  }
  return value->as_string();
}

bool BoolMember(const json::Value& config, std::string_view key, const FieldPath& at,
                FieldErrors* errors) {
  const json::Value* value = config.Find(key);
  if (value == nullptr || value->is_null()) return false;
  if (!value->is_bool()) {
    AddFieldError(errors, at.Child(key), WrongType(*value, "true or false"));
    return false;
  }
  return value->as_bool();
}

// Adds `ref`, or merges it into an earlier mention of the same route.
void AddRoute(HttpRouteRef ref, std::vector<HttpRouteRef>& routes) {
  for (HttpRouteRef& existing : routes) {
    if (existing.name == ref.name) {
      existing.use_header_routes = existing.use_header_routes || ref.use_header_routes;
      return;
    }
  }
  routes.push_back(std::move(ref));
}

void DecodeHttpRoutes(const json::Value& config, const FieldPath& at, GatewayApiConfig& out,
                      FieldErrors* errors) {
  const json::Value* list = config.Find("httpRoutes");
  if (list != nullptr && !list->is_null()) {
    FieldPath list_at = at.Child("httpRoutes");
    if (!list->is_array()) {
      AddFieldError(errors, list_at, WrongType(*list, "a list of {name, useHeaderRoutes}"));
    } else {
      for (size_t i = 0; i < list->as_array().size(); ++i) {
        const json::Value& entry = list->as_array()[i];
        FieldPath entry_at = list_at.Index(i);
        if (!entry.is_object()) {
          AddFieldError(errors, entry_at, WrongType(entry, "an object {name, useHeaderRoutes}"));
          continue;
        }
        HttpRouteRef ref{
            .name = StringMember(entry, "name", entry_at, errors),
            .use_header_routes = BoolMember(entry, "useHeaderRoutes", entry_at, errors)};
        if (ref.name.empty()) {
          if (entry.Find("name") == nullptr || entry.Find("name")->is_string()) {
            AddFieldError(errors, entry_at.Child("name"), "required: the HTTPRoute's name");
          }
          continue;
        }
        std::string bad = api::CheckDnsSubdomain(ref.name);
        if (!bad.empty()) {
          AddFieldError(errors, entry_at.Child("name"), "an HTTPRoute name: " + bad);
          continue;
        }
        AddRoute(std::move(ref), out.http_routes);
      }
    }
  }
  std::string single = StringMember(config, "httpRoute", at, errors);
  if (!single.empty()) {
    std::string bad = api::CheckDnsSubdomain(single);
    if (!bad.empty()) {
      AddFieldError(errors, at.Child("httpRoute"), "an HTTPRoute name: " + bad);
    } else {
      AddRoute(HttpRouteRef{.name = single, .use_header_routes = true}, out.http_routes);
    }
  }
}

void RejectUnsupported(const json::Value& config, const FieldPath& at, FieldErrors* errors) {
  for (std::string_view key :
       {"grpcRoute", "grpcRoutes", "tcpRoute", "tcpRoutes", "tlsRoute", "tlsRoutes"}) {
    const json::Value* value = config.Find(key);
    if (value == nullptr || value->is_null()) continue;
    AddFieldError(errors, at.Child(key),
                  "is not supported by devflow yet (HTTPRoutes only): route this traffic with "
                  "httpRoute or httpRoutes, or remove it");
  }
  for (std::string_view key :
       {"httpRouteSelector", "grpcRouteSelector", "tcpRouteSelector", "tlsRouteSelector"}) {
    const json::Value* value = config.Find(key);
    if (value == nullptr || value->is_null()) continue;
    AddFieldError(errors, at.Child(key),
                  "route discovery by label selector is not supported by devflow yet: name the "
                  "routes in httpRoutes instead");
  }
}

void DecodeInProgressLabel(const json::Value& config, const FieldPath& at, GatewayApiConfig& out,
                           FieldErrors* errors) {
  out.in_progress_label = !BoolMember(config, "disableInProgressLabel", at, errors);
  std::string key = StringMember(config, "inProgressLabelKey", at, errors);
  if (!key.empty()) {
    AddFieldError(errors, at.Child("inProgressLabelKey"), api::CheckQualifiedName(key));
    out.in_progress_label_key = key;
  }
  std::string value = StringMember(config, "inProgressLabelValue", at, errors);
  if (!value.empty()) {
    AddFieldError(errors, at.Child("inProgressLabelValue"), api::CheckLabelValue(value));
    out.in_progress_label_value = value;
  }
}

}  // namespace

FieldPath GatewayApiConfigPath() {
  return FieldPath("spec")
      .Child("strategy")
      .Child("canary")
      .Child("trafficRouting")
      .Child("plugins")
      .Child(kPluginName);
}

GatewayApiConfig DecodeGatewayApiConfig(const json::Value& config, const FieldPath& at,
                                        api::FieldErrors* errors) {
  GatewayApiConfig out;
  if (!config.is_object()) {
    AddFieldError(errors, at,
                  WrongType(config,
                            "an object such as {httpRoute: <name>} or {httpRoutes: "
                            "[{name: <name>}]}"));
    return out;
  }
  size_t errors_before = errors->size();
  DecodeHttpRoutes(config, at, out, errors);
  out.namespace_ = StringMember(config, "namespace", at, errors);
  if (!out.namespace_.empty()) {
    AddFieldError(errors, at.Child("namespace"), api::CheckDnsLabel(out.namespace_));
  }
  StringMember(config, "configMap", at, errors);  // type-checked, otherwise ignored
  DecodeInProgressLabel(config, at, out, errors);
  RejectUnsupported(config, at, errors);
  // Only when nothing else was wrong: an unsupported or malformed route list already says why.
  if (out.http_routes.empty() && errors->size() == errors_before) {
    AddFieldError(errors, at,
                  "no routes configured: set httpRoute (one HTTPRoute that also gets header "
                  "routes) or httpRoutes [{name, useHeaderRoutes}]");
  }
  return out;
}

Result<GatewayApiConfig> ParseGatewayApiConfig(const json::Value& config) {
  api::FieldErrors errors;
  GatewayApiConfig out = DecodeGatewayApiConfig(config, GatewayApiConfigPath(), &errors);
  if (errors.empty()) return out;
  // The first problem's path is the Status's field path; the others carry their own.
  std::string message = errors.front().message;
  for (size_t i = 1; i < errors.size(); ++i) message += "; " + api::ToString(errors[i]);
  return InvalidArgumentError(std::move(message), errors.front().path.str());
}

}  // namespace devflow::traffic::gateway_api
