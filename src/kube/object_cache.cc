#include "kube/object_cache.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "common/json_reader.h"

namespace devflow::kube {
namespace {

constexpr uint32_t kNamespaceIndexId = 0;
constexpr uint32_t kOwnerUidIndexId = 1;
constexpr uint32_t kLabelIndexId = 2;

const std::string* StringMember(const json::Value* object, std::string_view key) {
  const json::Value* v = object != nullptr ? object->Find(key) : nullptr;
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

json::Value ParseStored(const std::string& text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok()) {
    // The cache wrote this text with json::Write: failing to read it back is a bug.
    std::cerr << "devflow: object cache holds unparsable JSON: " << parsed.error() << "\n";
    std::abort();
  }
  return std::move(parsed).value();
}

// Parsing happens after the lock is released, so a long list does not hold writers up.
std::vector<json::Value> ParseAll(const std::vector<std::shared_ptr<const std::string>>& texts) {
  std::vector<json::Value> out;
  out.reserve(texts.size());
  for (const auto& text : texts) {
    out.push_back(ParseStored(*text));
  }
  return out;
}

// Heap bytes of a string's buffer (none while it fits the small-string buffer).
size_t HeapBytes(const std::string& s) {
  return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
}

// Approximate sizes of the node-based containers' nodes (libstdc++): a red-black tree node
// carries three pointers and a colour; a hash node one pointer and the cached hash.
constexpr size_t kTreeNodeHeader = 32;
constexpr size_t kHashNodeHeader = 16;
// make_shared's control block beside the object.
constexpr size_t kSharedControlBlock = 16;

}  // namespace

Result<std::string> ObjectKey(const json::Value& object) {
  const json::Value* metadata = object.Find("metadata");
  const std::string* name = StringMember(metadata, "name");
  if (name == nullptr || name->empty()) {
    return InvalidArgumentError("object has no name", "metadata.name");
  }
  const std::string* ns = StringMember(metadata, "namespace");
  if (ns == nullptr || ns->empty()) {
    return *name;
  }
  return *ns + "/" + *name;
}

std::pair<std::string, std::string> SplitObjectKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) {
    return {"", std::string(key)};
  }
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

ObjectCache::ObjectCache() {
  indexes_.push_back({kNamespaceIndex, nullptr, {}});
  indexes_.push_back({kOwnerUidIndex, nullptr, {}});
  indexes_.push_back({kLabelIndex, nullptr, {}});
}

Status ObjectCache::AddIndex(std::string name, IndexFunc fn) {
  std::unique_lock<std::shared_mutex> l(mu_);
  for (const Index& index : indexes_) {
    if (index.name == name) {
      return AlreadyExistsError("index \"" + name + "\" already exists");
    }
  }
  if (!entries_.empty()) {
    return FailedPreconditionError("cannot add index \"" + name +
                                   "\": the cache already holds objects");
  }
  indexes_.push_back({std::move(name), std::move(fn), {}});
  return Status::Ok();
}

Result<std::shared_ptr<const std::string>> ObjectCache::Upsert(const json::Value& object) {
  DEVFLOW_ASSIGN_OR_RETURN(std::string key, ObjectKey(object));

  // Everything derived from the object is computed before taking the lock: writers then hold it
  // only for the map and index updates.
  Entry entry;
  std::string text = json::Write(object);
  // json::Write grows its buffer by doubling: without this the cache would hold up to twice the
  // text's size.
  text.shrink_to_fit();
  entry.text = std::make_shared<const std::string>(std::move(text));
  const json::Value* metadata = object.Find("metadata");
  if (const std::string* rv = StringMember(metadata, "resourceVersion")) {
    entry.resource_version = *rv;
  }
  const std::string* ns = StringMember(metadata, "namespace");
  entry.index_values.emplace_back(kNamespaceIndexId, ns != nullptr ? *ns : std::string());
  if (const json::Value* owners = metadata->Find("ownerReferences");
      owners != nullptr && owners->is_array()) {
    for (const json::Value& owner : owners->as_array()) {
      if (const std::string* uid = StringMember(&owner, "uid"); uid != nullptr && !uid->empty()) {
        entry.index_values.emplace_back(kOwnerUidIndexId, *uid);
      }
    }
  }
  if (const json::Value* labels = metadata->Find("labels");
      labels != nullptr && labels->is_object()) {
    for (const json::Member& label : labels->as_object()) {
      if (label.value.is_string()) {
        entry.index_values.emplace_back(kLabelIndexId, label.key + "=" + label.value.as_string());
      }
    }
  }

  std::unique_lock<std::shared_mutex> l(mu_);
  for (uint32_t i = kLabelIndexId + 1; i < indexes_.size(); ++i) {
    for (std::string& value : indexes_[i].fn(object)) {
      entry.index_values.emplace_back(i, std::move(value));
    }
  }
  // Values repeated by an index function (or an owner listed twice) are indexed once.
  std::sort(entry.index_values.begin(), entry.index_values.end());
  entry.index_values.erase(std::unique(entry.index_values.begin(), entry.index_values.end()),
                           entry.index_values.end());
  entry.index_values.shrink_to_fit();

  std::shared_ptr<const std::string> previous;
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    Unindex(it->first, it->second);
    previous = std::move(it->second.text);
    it->second = std::move(entry);
  } else {
    it = entries_.emplace(std::move(key), std::move(entry)).first;
  }
  for (const auto& [index, value] : it->second.index_values) {
    indexes_[index].keys_by_value[value].insert(it->first);
  }
  return previous;
}

void ObjectCache::Unindex(std::string_view key, const Entry& entry) {
  for (const auto& [index, value] : entry.index_values) {
    auto& by_value = indexes_[index].keys_by_value;
    auto bucket = by_value.find(value);
    if (bucket == by_value.end()) {
      continue;
    }
    bucket->second.erase(key);
    if (bucket->second.empty()) {
      by_value.erase(bucket);
    }
  }
}

std::shared_ptr<const std::string> ObjectCache::Remove(std::string_view key) {
  std::unique_lock<std::shared_mutex> l(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return nullptr;
  }
  Unindex(it->first, it->second);
  std::shared_ptr<const std::string> removed = std::move(it->second.text);
  entries_.erase(it);
  return removed;
}

std::optional<json::Value> ObjectCache::Get(std::string_view key) const {
  std::shared_ptr<const std::string> text = GetText(key);
  if (text == nullptr) {
    return std::nullopt;
  }
  return ParseStored(*text);
}

std::shared_ptr<const std::string> ObjectCache::GetText(std::string_view key) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second.text;
}

std::optional<std::string> ObjectCache::ResourceVersion(std::string_view key) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second.resource_version;
}

std::vector<std::string> ObjectCache::Keys() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    keys.push_back(key);
  }
  return keys;
}

std::vector<std::shared_ptr<const std::string>> ObjectCache::TextsLocked(
    const std::vector<std::string_view>& keys) const {
  std::vector<std::shared_ptr<const std::string>> texts;
  texts.reserve(keys.size());
  for (std::string_view key : keys) {
    texts.push_back(entries_.find(key)->second.text);
  }
  return texts;
}

std::vector<json::Value> ObjectCache::List() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::string_view> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    keys.push_back(key);
  }
  auto texts = TextsLocked(keys);
  l.unlock();
  return ParseAll(texts);
}

std::vector<json::Value> ObjectCache::List(std::string_view ns,
                                           const api::LabelSelector& selector) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  const auto& by_ns = indexes_[kNamespaceIndexId].keys_by_value;
  auto bucket = by_ns.find(std::string(ns));
  if (bucket == by_ns.end()) {
    return {};
  }
  std::vector<std::string_view> keys;
  for (std::string_view key : bucket->second) {
    const Entry& entry = entries_.find(key)->second;
    std::map<std::string, std::string> labels;
    for (const auto& [index, value] : entry.index_values) {
      if (index == kLabelIndexId) {
        size_t eq = value.find('=');  // label keys cannot contain '='
        labels.emplace(value.substr(0, eq), value.substr(eq + 1));
      }
    }
    if (api::Matches(selector, labels)) {
      keys.push_back(key);
    }
  }
  auto texts = TextsLocked(keys);
  l.unlock();
  return ParseAll(texts);
}

Result<std::vector<std::string>> ObjectCache::IndexKeys(std::string_view index,
                                                        std::string_view value) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  for (const Index& candidate : indexes_) {
    if (candidate.name != index) {
      continue;
    }
    auto bucket = candidate.keys_by_value.find(std::string(value));
    if (bucket == candidate.keys_by_value.end()) {
      return std::vector<std::string>();
    }
    return std::vector<std::string>(bucket->second.begin(), bucket->second.end());
  }
  return NotFoundError("no index named \"" + std::string(index) + "\"");
}

Result<std::vector<json::Value>> ObjectCache::ByIndex(std::string_view index,
                                                      std::string_view value) const {
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<std::string> keys, IndexKeys(index, value));
  std::vector<json::Value> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    // A key removed between the two steps is skipped: the result is a recent snapshot anyway.
    if (std::optional<json::Value> object = Get(key)) {
      out.push_back(std::move(*object));
    }
  }
  return out;
}

size_t ObjectCache::Size() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return entries_.size();
}

size_t ObjectCache::ApproximateBytes() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  size_t bytes = 0;
  for (const auto& [key, entry] : entries_) {
    bytes += kTreeNodeHeader + sizeof(std::string) + sizeof(Entry) + HeapBytes(key);
    bytes += kSharedControlBlock + sizeof(std::string) + HeapBytes(*entry.text);
    bytes += HeapBytes(entry.resource_version);
    bytes += entry.index_values.capacity() * sizeof(entry.index_values[0]);
    for (const auto& [index, value] : entry.index_values) {
      bytes += HeapBytes(value);
    }
  }
  for (const Index& index : indexes_) {
    bytes += index.keys_by_value.bucket_count() * sizeof(void*);
    for (const auto& [value, keys] : index.keys_by_value) {
      bytes += kHashNodeHeader + sizeof(std::string) + sizeof(keys) + HeapBytes(value);
      bytes += keys.size() * (kTreeNodeHeader + sizeof(std::string_view));
    }
  }
  return bytes;
}

}  // namespace devflow::kube
