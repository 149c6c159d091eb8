#include "apiserver/object_store.h"

namespace devflow::apiserver {

std::string QualifiedResource(std::string_view resource) {
  const size_t slash = resource.rfind('/');
  if (slash == std::string_view::npos) return std::string(resource);
  std::string_view group = resource.substr(0, slash);
  std::string out(resource.substr(slash + 1));
  if (!group.empty()) {
    out += '.';
    out += group;
  }
  return out;
}

std::string ToString(const ObjectKey& key) {
  std::string out = QualifiedResource(key.resource);
  out += '/';
  if (!key.namespace_.empty()) {
    out += key.namespace_;
    out += '/';
  }
  out += key.name;
  return out;
}

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
  }
  return "UNKNOWN";
}

}  // namespace devflow::apiserver
