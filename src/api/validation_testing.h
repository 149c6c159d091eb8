// Table-test scaffolding for validators (test-only; included by *_validation_test.cc).
// A row breaks one rule of a valid object and names the single error it expects.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string_view>
#include <vector>

#include "api/decode.h"
#include "api/field_error.h"
#include "api/manifest_reader.h"

namespace devflow::api::testing {

template <class T>
T FromYaml(std::string_view yaml) {
  Result<std::vector<Manifest>> m = ReadManifests(yaml, "test.yaml");
  if (!m.ok() || m->size() != 1) {
    ADD_FAILURE() << "bad test manifest: " << m.status();
    return T{};
  }
  FieldErrors errors;
  T out = Decode<T>((*m)[0].object, &errors);
  for (const FieldError& e : errors) ADD_FAILURE() << "decode error: " << ToString(e);
  return out;
}

template <class T>
struct Row {
  const char* name;
  std::function<void(T&)> mutate;
  const char* path;
  const char* message;
};

// Each row breaks one rule of a valid object and expects exactly that one error.
template <class T>
void RunRows(const char* suite, const T& valid, const std::vector<Row<T>>& rows) {
  FieldErrors base = Validate(valid);
  EXPECT_TRUE(base.empty()) << suite << " valid base: " << ToString(base.at(0));
  for (const Row<T>& row : rows) {
    T obj = valid;
    row.mutate(obj);
    FieldErrors errors = Validate(obj);
    ASSERT_EQ(errors.size(), 1u) << suite << "/" << row.name
                                 << (errors.empty() ? "" : ": " + ToString(errors[0]));
    EXPECT_EQ(errors[0].path.str(), row.path) << suite << "/" << row.name;
    EXPECT_NE(errors[0].message.find(row.message), std::string::npos)
        << suite << "/" << row.name << ": " << errors[0].message;
  }
}

template <class T>
void ExpectValid(const char* name, const T& obj) {
  FieldErrors errors = Validate(obj);
  for (const FieldError& e : errors) ADD_FAILURE() << name << ": " << ToString(e);
}

}  // namespace devflow::api::testing
