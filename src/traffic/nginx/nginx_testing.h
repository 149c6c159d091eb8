// Test-only helpers for the nginx router's tables: the standard targets and Ingresses in YAML.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/networking_codec.h"
#include "common/json_value.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::nginx::testing {

// Rollout default/web (uid uid-web): canaryService web-canary, stableService web-stable, the
// canary at 30 of 100.
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

inline json::Value IngressJson(std::string_view yaml) { return api::testing::Parse(yaml); }
inline api::Ingress Ingress(std::string_view yaml) {
  return api::Decode<api::Ingress>(IngressJson(yaml));
}

template <class T>
std::string Pretty(const T& object) {
  return json::WritePretty(api::Encode(object));
}

}  // namespace devflow::traffic::nginx::testing
