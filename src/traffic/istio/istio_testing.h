// Test-only helpers for the Istio router's tables: the standard targets, and VirtualServices and
// DestinationRules written as YAML.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/networking_codec.h"
#include "common/json_value.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::istio::testing {

// Rollout default/web: canaryService web-canary, stableService web-stable, canary at 30.
inline TrafficTargets Targets() {
  return {.rollout_name = "web",
          .namespace_ = "default",
          .rollout_uid = "uid-web",
          .canary_service = "web-canary",
          .stable_service = "web-stable",
          .canary_hash = "new",
          .stable_hash = "old",
          .canary_weight = 30,
          .max_weight = 100};
}

// `text` with every line indented by `by` spaces.
inline std::string Indent(std::string_view text, int by) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && c != '\n') out.append(by, ' ');
    out += c;
    line_start = c == '\n';
  }
  return out;
}

// A VirtualService default/vs whose spec is `spec_yaml` (block YAML starting at column 0).
inline json::Value VsJson(std::string_view spec_yaml, std::string_view name = "vs",
                          std::string_view ns = "default") {
  return api::testing::Parse(
      "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n"
      "metadata: {name: " +
      std::string(name) + ", namespace: " + std::string(ns) + "}\nspec:\n" + Indent(spec_yaml, 2));
}
inline api::VirtualService Vs(std::string_view spec_yaml) {
  return api::Decode<api::VirtualService>(VsJson(spec_yaml));
}

// A DestinationRule default/dr whose spec is `spec_yaml`.
inline json::Value DrJson(std::string_view spec_yaml) {
  return api::testing::Parse(
      "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\n"
      "metadata: {name: dr, namespace: default}\nspec:\n" +
      Indent(spec_yaml, 2));
}
inline api::DestinationRule Dr(std::string_view spec_yaml) {
  return api::Decode<api::DestinationRule>(DrJson(spec_yaml));
}

template <class T>
std::string Pretty(const T& object) {
  return json::WritePretty(api::Encode(object));
}

}  // namespace devflow::traffic::istio::testing
