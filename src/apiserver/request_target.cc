#include "apiserver/request_target.h"

#include <vector>

namespace devflow::apiserver {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string_view VerbName(Verb verb) {
  switch (verb) {
    case Verb::kGet:
      return "get";
    case Verb::kList:
      return "list";
    case Verb::kWatch:
      return "watch";
    case Verb::kCreate:
      return "create";
    case Verb::kUpdate:
      return "update";
    case Verb::kPatch:
      return "patch";
    case Verb::kDelete:
      return "delete";
    case Verb::kDeleteCollection:
      return "deletecollection";
  }
  return "";
}

std::optional<ResourcePath> ParseResourcePath(std::string_view path) {
  if (!path.starts_with('/')) return std::nullopt;
  path.remove_prefix(1);
  if (path.ends_with('/')) path.remove_suffix(1);
  std::vector<std::string_view> parts = SplitPath(path);
  for (std::string_view part : parts) {
    if (part.empty()) return std::nullopt;
  }

  ResourcePath result;
  size_t at = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    result.version = parts[1];
    at = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    result.group = parts[1];
    result.version = parts[2];
    at = 3;
  } else {
    return std::nullopt;
  }
  if (result.group.empty() && result.version != "v1") return std::nullopt;
  if (at < parts.size() && parts[at] == "watch") {
    result.watch_prefix = true;
    ++at;
  }
  std::vector<std::string_view> rest(parts.begin() + static_cast<std::ptrdiff_t>(at), parts.end());
  if (rest.empty()) return std::nullopt;

  // As kube-apiserver: namespaces/NS/X is a resource X in NS, unless X is one of the Namespace's
  // own subresources; namespaces/NS alone is the Namespace NS.
  if (rest[0] == "namespaces" && rest.size() >= 2) {
    const bool namespace_subresource =
        rest.size() >= 3 && (rest[2] == "status" || rest[2] == "finalize");
    if (rest.size() >= 3 && !namespace_subresource) {
      result.namespace_ = rest[1];
      rest.erase(rest.begin(), rest.begin() + 2);
    }
  }
  if (rest.size() > 3) return std::nullopt;
  result.plural = rest[0];
  if (rest.size() >= 2) result.name = rest[1];
  if (rest.size() >= 3) result.subresource = rest[2];
  return result;
}

std::optional<Verb> VerbFor(std::string_view method, const ResourcePath& path, bool watch_query) {
  const bool collection = path.name.empty();
  if (method == "GET") {
    if (collection) return path.watch_prefix || watch_query ? Verb::kWatch : Verb::kList;
    if (path.watch_prefix) {
      if (!path.subresource.empty()) return std::nullopt;
      return Verb::kWatch;
    }
    return Verb::kGet;
  }
  if (path.watch_prefix) return std::nullopt;
  if (method == "POST") {
    if (collection) return Verb::kCreate;
    return std::nullopt;
  }
  if (method == "PUT") {
    if (collection) return std::nullopt;
    return Verb::kUpdate;
  }
  if (method == "PATCH") {
    if (collection) return std::nullopt;
    return Verb::kPatch;
  }
  if (method == "DELETE") return collection ? Verb::kDeleteCollection : Verb::kDelete;
  return std::nullopt;
}

bool QueryFlag(const std::optional<std::string>& value) {
  if (!value) return false;
  return *value == "1" || *value == "t" || *value == "T" || *value == "true" || *value == "True" ||
         *value == "TRUE";
}

}  // namespace devflow::apiserver
