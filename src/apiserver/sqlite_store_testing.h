// Helpers for the SqliteStore tests: a temporary directory and object documents.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "apiserver/object_store.h"
#include "apiserver/sqlite_store.h"
#include "common/json_reader.h"
#include "common/json_value.h"

namespace devflow::apiserver {

// Readable test failures.
inline void PrintTo(const ObjectKey& key, std::ostream* os) { *os << ToString(key); }
inline void PrintTo(const StoredObject& object, std::ostream* os) {
  *os << ToString(object.key) << "@" << object.resource_version << " " << object.json;
}
inline void PrintTo(const Event& event, std::ostream* os) {
  *os << EventTypeName(event.type) << " ";
  PrintTo(event.object, os);
  if (event.previous) {
    *os << " (was ";
    PrintTo(*event.previous, os);
    *os << ")";
  }
}

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "devflow-store-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A document for `key`: apiVersion/kind, metadata (name, namespace unless cluster-scoped,
// labels, uid when given) and spec.value.
inline std::string Doc(const ObjectKey& key, int64_t value = 0, const Labels& labels = {},
                       const std::string& uid = "") {
  json::Object metadata{{"name", key.name}};
  if (!key.namespace_.empty()) metadata.Set("namespace", key.namespace_);
  if (!uid.empty()) metadata.Set("uid", uid);
  if (!labels.empty()) {
    json::Object object;
    for (const auto& [k, v] : labels) object.Set(k, v);
    metadata.Set("labels", std::move(object));
  }
  json::Object doc{{"apiVersion", "v1"},
                   {"kind", "Thing"},
                   {"metadata", std::move(metadata)},
                   {"spec", json::Object{{"value", value}}}};
  return json::Write(json::Value(std::move(doc)));
}

// `doc` as the store keeps it at `version`: metadata.resourceVersion set.
inline std::string Stamped(const std::string& doc, int64_t version) {
  json::Value value = json::Parse(doc).value();
  value.Find("metadata")->as_object().Set("resourceVersion", std::to_string(version));
  return json::Write(value);
}

inline std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path,
                                              int64_t history_window = 10000) {
  auto store = SqliteStore::Open({.path = path, .history_window = history_window});
  if (!store.ok()) {
    ADD_FAILURE() << "opening " << path << ": " << store.error();
    std::abort();
  }
  return std::move(store).value();
}

inline const ObjectKey kWeb{"apps/replicasets", "default", "web"};

}  // namespace devflow::apiserver
