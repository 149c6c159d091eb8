// Test-only: an ObjectStore that forwards every call to another, so a test decorator overrides
// only the calls it interferes with.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "apiserver/object_store.h"

namespace devflow::apiserver {

class ForwardingStore : public ObjectStore {
 public:
  // `inner` must outlive this store.
  explicit ForwardingStore(ObjectStore& inner) : inner_(inner) {}

  Result<StoredObject> Create(const ObjectKey& key, std::string_view json) override {
    return inner_.Create(key, json);
  }
  Result<StoredObject> Get(const ObjectKey& key) override { return inner_.Get(key); }
  Result<StoredObject> Update(const ObjectKey& key, std::string_view json,
                              const Preconditions& preconditions) override {
    return inner_.Update(key, json, preconditions);
  }
  Result<StoredObject> Delete(const ObjectKey& key, const Preconditions& preconditions) override {
    return inner_.Delete(key, preconditions);
  }
  Result<ListResult> List(const ListOptions& options) override { return inner_.List(options); }
  Result<std::vector<Event>> EventsSince(std::string_view resource, std::string_view namespace_,
                                         int64_t version) override {
    return inner_.EventsSince(resource, namespace_, version);
  }
  StoreVersions Versions() override { return inner_.Versions(); }
  SubscriptionId Subscribe(EventListener listener) override {
    return inner_.Subscribe(std::move(listener));
  }
  void Unsubscribe(SubscriptionId id) override { inner_.Unsubscribe(id); }

 protected:
  ObjectStore& inner() { return inner_; }

 private:
  ObjectStore& inner_;
};

}  // namespace devflow::apiserver
