// Round-trip scaffolding for codec tests (test-only; included by *_codec_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "api/decode.h"
#include "api/manifest_reader.h"
#include "common/json_value.h"

namespace devflow::api::testing {

// The one object in `yaml`; a test failure (and null) when there is not exactly one.
inline json::Value Parse(std::string_view yaml) {
  Result<std::vector<Manifest>> m = ReadManifests(yaml, "test.yaml");
  if (!m.ok() || m->size() != 1) {
    ADD_FAILURE() << "bad test manifest: " << m.status();
    return json::Value();
  }
  return (*m)[0].object;
}

// Decodes `yaml` as T without errors, checks that encoding gives the input back (members in any
// order), and returns the typed object.
template <class T>
T RoundTrip(std::string_view yaml) {
  json::Value in = Parse(yaml);
  FieldErrors errors;
  T typed = Decode<T>(in, &errors);
  for (const FieldError& e : errors) ADD_FAILURE() << "decode error: " << ToString(e);
  json::Value out = Encode(typed);
  EXPECT_EQ(out, in) << "encoded:\n"
                     << json::WritePretty(out) << "\ninput:\n"
                     << json::WritePretty(in);
  return typed;
}

}  // namespace devflow::api::testing
