// Scaffolding for tests that build typed objects from text: codec round trips, and tables of
// small JSON documents (test-only).
#pragma once

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "api/decode.h"
#include "api/manifest_reader.h"
#include "common/json_reader.h"
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

// Decodes the JSON `text` as T (a test failure, and T{}, when it is not JSON). For tables whose
// rows are small JSON documents.
template <class T>
T DecodeJsonText(std::string_view text) {
  Result<json::Value> value = json::Parse(text);
  if (!value.ok()) {
    ADD_FAILURE() << "bad test JSON: " << value.error() << "\n" << text;
    return T{};
  }
  return Decode<T>(*value);
}

}  // namespace devflow::api::testing
