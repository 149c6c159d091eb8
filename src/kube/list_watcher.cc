#include "kube/list_watcher.h"

#include "kube/api_client.h"

namespace devflow::kube {
namespace {

class ApiListerWatcher : public ListerWatcher {
 public:
  ApiListerWatcher(ApiClient& client, ResourceRef resource, std::string ns,
                   std::string label_selector, std::string field_selector)
      : client_(client),
        resource_(std::move(resource)),
        ns_(std::move(ns)),
        label_selector_(std::move(label_selector)),
        field_selector_(std::move(field_selector)) {}

  Result<ObjectList> List(const ListRequest& request) override {
    ListRequest narrowed = request;
    narrowed.label_selector = label_selector_;
    narrowed.field_selector = field_selector_;
    return client_.List(resource_, ns_, narrowed);
  }

  Result<std::unique_ptr<WatchStream>> Watch(const WatchRequest& request) override {
    WatchRequest narrowed = request;
    narrowed.label_selector = label_selector_;
    narrowed.field_selector = field_selector_;
    return client_.Watch(resource_, ns_, narrowed);
  }

 private:
  ApiClient& client_;
  const ResourceRef resource_;
  const std::string ns_;
  const std::string label_selector_;
  const std::string field_selector_;
};

}  // namespace

std::unique_ptr<ListerWatcher> NewListerWatcher(ApiClient& client, ResourceRef resource,
                                                std::string ns, std::string label_selector,
                                                std::string field_selector) {
  return std::make_unique<ApiListerWatcher>(client, std::move(resource), std::move(ns),
                                            std::move(label_selector), std::move(field_selector));
}

}  // namespace devflow::kube
