#include "api/strategic_merge_patch.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/field_path.h"

namespace devflow::api {
namespace {

constexpr std::string_view kPatchDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Quote(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, out);
  return out;
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) {
    return std::string(key);
  }
  std::string path(parent);
  path += '.';
  path += key;
  return path;
}

// Where a merge is: the schema path (field names only) for rule lookups, and the field path of
// the patch (with list indexes) for errors.
struct Location {
  std::string schema;
  FieldPath field;

  Location Child(std::string_view key) const { return {JoinPath(schema, key), field.Child(key)}; }
  Location Element(size_t index) const { return {schema, field.Index(index)}; }
};

Status ErrorAt(const Location& at, std::string message) {
  return InvalidArgumentError(std::move(message), at.field.str());
}

// Identities of list elements, as hashable strings: the merge key's value for keyed lists, the
// whole value otherwise. The prefixes keep the two kinds apart; the JSON text keeps 1 and 1.0 and
// "1" apart, as json::Value's == does.
std::string ValueId(const json::Value& value) { return "v" + json::Write(value); }

std::string ElementId(const json::Value& element, const std::string& merge_key) {
  if (!merge_key.empty()) {
    if (const json::Value* key = element.Find(merge_key)) {
      return "k" + json::Write(*key);
    }
  }
  return ValueId(element);
}

bool IsDirectiveElement(const json::Value& element) {
  return element.is_object() && element.Find(kPatchDirective) != nullptr;
}

bool IsReplaceMarker(const json::Value& element) {
  const json::Value* directive = element.Find(kPatchDirective);
  return directive != nullptr && directive->is_string() && directive->as_string() == "replace";
}

// Puts the elements of a merged list in their final order. `named` holds the identities the patch
// gives, in the patch's order; `server` the identities of the target's list before the merge.
// Named elements follow the patch's order; the others keep the target's relative order and are
// slotted in before named elements that followed them in the target, so that an element only the
// server knows (a sidecar someone injected) stays near its old neighbours.
json::Array Arrange(json::Array merged, const std::vector<std::string>& named,
                    const std::vector<std::string>& server, const std::string& merge_key) {
  std::unordered_map<std::string, size_t> named_position;
  for (size_t i = 0; i < named.size(); ++i) {
    named_position.emplace(named[i], i);
  }
  std::unordered_map<std::string, size_t> server_position;
  for (size_t i = 0; i < server.size(); ++i) {
    server_position.emplace(server[i], i);
  }
  constexpr size_t kAbsent = std::numeric_limits<size_t>::max();
  auto position = [](const std::unordered_map<std::string, size_t>& positions,
                     const std::string& id) {
    auto it = positions.find(id);
    return it == positions.end() ? kAbsent : it->second;
  };

  struct Item {
    json::Value value;
    size_t named;
    size_t server;
  };
  std::vector<Item> patch_items;
  std::vector<Item> server_items;
  for (json::Value& value : merged) {
    std::string id = ElementId(value, merge_key);
    Item item{std::move(value), position(named_position, id), position(server_position, id)};
    (item.named == kAbsent ? server_items : patch_items).push_back(std::move(item));
  }
  std::stable_sort(patch_items.begin(), patch_items.end(),
                   [](const Item& a, const Item& b) { return a.named < b.named; });
  std::stable_sort(server_items.begin(), server_items.end(),
                   [](const Item& a, const Item& b) { return a.server < b.server; });

  json::Array result;
  result.reserve(patch_items.size() + server_items.size());
  size_t i = 0;
  size_t j = 0;
  while (i < server_items.size() || j < patch_items.size()) {
    bool take_server = j == patch_items.size();
    if (!take_server && i < server_items.size()) {
      const Item& s = server_items[i];
      const Item& p = patch_items[j];
      take_server = s.server != kAbsent && p.server != kAbsent && s.server < p.server;
    }
    result.push_back(std::move(take_server ? server_items[i++].value : patch_items[j++].value));
  }
  return result;
}

std::vector<std::string> Ids(const json::Array& list, const std::string& merge_key) {
  std::vector<std::string> ids;
  ids.reserve(list.size());
  for (const json::Value& element : list) {
    if (!IsDirectiveElement(element)) {
      ids.push_back(ElementId(element, merge_key));
    }
  }
  return ids;
}

class Applier {
 public:
  explicit Applier(const PatchSchema& schema) : schema_(schema) {}

  // Returns the merged object, or nullopt when the patch deletes it ("$patch": "delete").
  Result<std::optional<json::Object>> MergeObject(json::Object target, const json::Object& patch,
                                                  const Location& at) const {
    if (const json::Value* directive = patch.Find(kPatchDirective)) {
      if (!directive->is_string()) {
        return ErrorAt(at, "\"$patch\" must be a string, got " +
                               std::string(json::TypeName(directive->type())));
      }
      const std::string& name = directive->as_string();
      if (name == "replace") {
        json::Object literal = patch;
        literal.Erase(kPatchDirective);
        return std::optional<json::Object>(std::move(literal));
      }
      if (name == "delete") {
        return std::optional<json::Object>();
      }
      if (name != "merge") {
        return ErrorAt(
            at, "unknown \"$patch\" directive " + Quote(name) + ", want replace, delete or merge");
      }
    }
    if (const json::Value* retain = patch.Find(kRetainKeys)) {
      DEVFLOW_RETURN_IF_ERROR(RetainKeys(target, patch, *retain, at));
    }
    // Lists with an element order are merged and ordered together first, so that the main loop
    // below (and the deletions it applies) sees them in their final order.
    std::unordered_set<std::string> ordered;
    for (const json::Member& member : patch) {
      if (StartsWith(member.key, kSetElementOrder)) {
        std::string field = member.key.substr(kSetElementOrder.size());
        DEVFLOW_RETURN_IF_ERROR(MergeOrderedList(target, patch, field, member.value, at));
        ordered.insert(std::move(field));
      }
    }
    for (const json::Member& member : patch) {
      const std::string& key = member.key;
      if (key == kPatchDirective || key == kRetainKeys || StartsWith(key, kSetElementOrder) ||
          ordered.count(key) > 0) {
        continue;
      }
      if (StartsWith(key, kDeleteFromPrimitiveList)) {
        std::string field = key.substr(kDeleteFromPrimitiveList.size());
        DEVFLOW_RETURN_IF_ERROR(DeleteFromList(target, field, member.value, at.Child(key)));
        continue;
      }
      DEVFLOW_RETURN_IF_ERROR(MergeField(target, key, member.value, at.Child(key)));
    }
    return std::optional<json::Object>(std::move(target));
  }

 private:
  Status MergeField(json::Object& target, const std::string& key, const json::Value& patch,
                    const Location& at) const {
    if (patch.is_null()) {
      target.Erase(key);
      return Status::Ok();
    }
    const FieldPatchRule* rule = schema_.Find(at.schema);
    json::Value* existing = target.Find(key);
    if (patch.is_object()) {
      if (rule != nullptr && rule->replace) {
        json::Object literal = patch.as_object();
        literal.Erase(kPatchDirective);
        target.Set(key, std::move(literal));
        return Status::Ok();
      }
      json::Object base;
      if (existing != nullptr && existing->is_object()) {
        base = std::move(existing->as_object());
      }
      DEVFLOW_ASSIGN_OR_RETURN(std::optional<json::Object> merged,
                               MergeObject(std::move(base), patch.as_object(), at));
      if (merged.has_value()) {
        target.Set(key, std::move(*merged));
      } else {
        target.Erase(key);
      }
      return Status::Ok();
    }
    if (patch.is_array() && rule != nullptr && rule->merge && !rule->replace) {
      json::Array base;
      if (existing != nullptr && existing->is_array()) {
        base = std::move(existing->as_array());
      }
      DEVFLOW_ASSIGN_OR_RETURN(json::Array merged,
                               MergeList(std::move(base), patch.as_array(), *rule, at));
      target.Set(key, std::move(merged));
      return Status::Ok();
    }
    target.Set(key, patch);
    return Status::Ok();
  }

  // Merges a list whose rule says `merge`, ordering the result by the patch's list.
  Result<json::Array> MergeList(json::Array base, const json::Array& patch,
                                const FieldPatchRule& rule, const Location& at) const {
    if (std::any_of(patch.begin(), patch.end(), IsReplaceMarker)) {
      json::Array literal;
      for (const json::Value& element : patch) {
        if (!IsDirectiveElement(element)) {
          literal.push_back(element);
        }
      }
      return literal;
    }
    if (rule.merge_key.empty()) {
      return MergeSet(std::move(base), patch, at);
    }
    return MergeByKey(std::move(base), patch, rule.merge_key, at);
  }

  Result<json::Array> MergeSet(json::Array base, const json::Array& patch,
                               const Location& at) const {
    auto check = [&](const json::Value& element, const Location& where) -> Status {
      if (element.is_object() || element.is_array()) {
        return ErrorAt(where, "the list is merged as a set of scalars, but this element is " +
                                  std::string(json::TypeName(element.type())));
      }
      return Status::Ok();
    };
    for (const json::Value& element : base) {
      DEVFLOW_RETURN_IF_ERROR(check(element, at));
    }
    for (size_t i = 0; i < patch.size(); ++i) {
      DEVFLOW_RETURN_IF_ERROR(check(patch[i], at.Element(i)));
    }
    std::vector<std::string> server = Ids(base, "");
    std::unordered_set<std::string> seen;
    json::Array merged;
    for (json::Value& element : base) {
      if (seen.insert(ValueId(element)).second) {
        merged.push_back(std::move(element));
      }
    }
    for (const json::Value& element : patch) {
      if (seen.insert(ValueId(element)).second) {
        merged.push_back(element);
      }
    }
    return Arrange(std::move(merged), Ids(patch, ""), server, "");
  }

  Result<json::Array> MergeByKey(json::Array base, const json::Array& patch,
                                 const std::string& merge_key, const Location& at) const {
    // Deletions first, as Kubernetes does: a patch may delete an element and add it anew.
    std::unordered_set<std::string> deleted;
    for (size_t i = 0; i < patch.size(); ++i) {
      const json::Value& element = patch[i];
      if (!element.is_object()) {
        return ErrorAt(at.Element(i), "the list is merged by key " + Quote(merge_key) +
                                          ", but this element is " +
                                          std::string(json::TypeName(element.type())));
      }
      const json::Value* directive = element.Find(kPatchDirective);
      if (directive == nullptr) {
        if (element.Find(merge_key) == nullptr) {
          return ErrorAt(at.Element(i), "missing merge key " + Quote(merge_key));
        }
        continue;
      }
      if (!directive->is_string()) {
        return ErrorAt(at.Element(i), "\"$patch\" must be a string, got " +
                                          std::string(json::TypeName(directive->type())));
      }
      const std::string& name = directive->as_string();
      if (name == "delete") {
        const json::Value* key = element.Find(merge_key);
        if (key == nullptr) {
          return ErrorAt(at.Element(i),
                         "\"$patch\": \"delete\" needs the merge key " + Quote(merge_key));
        }
        deleted.insert("k" + json::Write(*key));
      } else if (name == "merge") {
        // Kubernetes rejects it too; dropping the element silently would lose the change.
        return ErrorAt(at.Element(i), "\"$patch\": \"merge\" is not supported in a list element");
      } else {
        return ErrorAt(at.Element(i), "unknown \"$patch\" directive " + Quote(name) +
                                          " in a list, want replace or delete");
      }
    }
    json::Array merged;
    merged.reserve(base.size() + patch.size());
    for (json::Value& element : base) {
      if (deleted.count(ElementId(element, merge_key)) == 0) {
        merged.push_back(std::move(element));
      }
    }
    std::vector<std::string> server = Ids(merged, merge_key);
    // Where each key sits in `merged`; the first of duplicates wins, as in Kubernetes.
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < merged.size(); ++i) {
      if (merged[i].is_object() && merged[i].Find(merge_key) != nullptr) {
        index.emplace(ElementId(merged[i], merge_key), i);
      }
    }
    for (size_t i = 0; i < patch.size(); ++i) {
      const json::Value& element = patch[i];
      if (IsDirectiveElement(element)) {
        continue;
      }
      std::string id = ElementId(element, merge_key);
      auto it = index.find(id);
      json::Object base_element;
      if (it != index.end()) {
        base_element = std::move(merged[it->second].as_object());
      }
      DEVFLOW_ASSIGN_OR_RETURN(
          std::optional<json::Object> result,
          MergeObject(std::move(base_element), element.as_object(), at.Element(i)));
      // Directive elements were skipped above, so the element cannot delete itself.
      json::Value value = result.has_value() ? json::Value(std::move(*result)) : json::Object();
      if (it != index.end()) {
        merged[it->second] = std::move(value);
      } else {
        index.emplace(std::move(id), merged.size());
        merged.push_back(std::move(value));
      }
    }
    return Arrange(std::move(merged), Ids(patch, merge_key), server, merge_key);
  }

  // Merges list `field` (when the patch has it) and puts it in the order `order` gives.
  Status MergeOrderedList(json::Object& target, const json::Object& patch, const std::string& field,
                          const json::Value& order, const Location& parent) const {
    Location at = parent.Child(field);
    Location order_at = parent.Child(std::string(kSetElementOrder) + field);
    if (!order.is_array()) {
      return ErrorAt(order_at, "must be a list, got " + std::string(json::TypeName(order.type())));
    }
    const FieldPatchRule* rule = schema_.Find(at.schema);
    std::string merge_key = rule != nullptr ? rule->merge_key : "";
    std::vector<std::string> named;
    for (size_t i = 0; i < order.as_array().size(); ++i) {
      const json::Value& entry = order.as_array()[i];
      if (!merge_key.empty() && (!entry.is_object() || entry.Find(merge_key) == nullptr)) {
        return ErrorAt(order_at.Element(i), "missing merge key " + Quote(merge_key));
      }
      named.push_back(ElementId(entry, merge_key));
    }

    const json::Value* patch_list = patch.Find(field);
    if (patch_list != nullptr && patch_list->is_null()) {
      target.Erase(field);
      return Status::Ok();
    }
    if (patch_list != nullptr && !patch_list->is_array()) {
      return ErrorAt(at, "must be a list (it has " + std::string(kSetElementOrder) + field +
                             "), got " + std::string(json::TypeName(patch_list->type())));
    }
    json::Value* existing = target.Find(field);
    bool has_list = existing != nullptr && existing->is_array();
    if (patch_list == nullptr && !has_list) {
      return Status::Ok();
    }
    if (patch_list != nullptr) {
      std::unordered_set<std::string> in_order(named.begin(), named.end());
      const json::Array& elements = patch_list->as_array();
      for (size_t i = 0; i < elements.size(); ++i) {
        if (!IsDirectiveElement(elements[i]) &&
            in_order.count(ElementId(elements[i], merge_key)) == 0) {
          return ErrorAt(at.Element(i), "not named in " + std::string(kSetElementOrder) + field);
        }
      }
    }
    json::Array base = has_list ? std::move(existing->as_array()) : json::Array();
    std::vector<std::string> server = Ids(base, merge_key);
    json::Array merged;
    if (patch_list == nullptr) {
      merged = std::move(base);
    } else if (rule != nullptr && rule->merge && !rule->replace) {
      DEVFLOW_ASSIGN_OR_RETURN(merged,
                               MergeList(std::move(base), patch_list->as_array(), *rule, at));
    } else {
      merged = patch_list->as_array();
    }
    target.Set(field, Arrange(std::move(merged), named, server, merge_key));
    return Status::Ok();
  }

  static Status DeleteFromList(json::Object& target, const std::string& field,
                               const json::Value& values, const Location& at) {
    if (!values.is_array()) {
      return ErrorAt(at, "must be a list, got " + std::string(json::TypeName(values.type())));
    }
    json::Value* existing = target.Find(field);
    if (existing == nullptr || !existing->is_array()) {
      return Status::Ok();
    }
    std::unordered_set<std::string> doomed;
    for (const json::Value& value : values.as_array()) {
      doomed.insert(ValueId(value));
    }
    json::Array& list = existing->as_array();
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const json::Value& v) { return doomed.count(ValueId(v)) > 0; }),
               list.end());
    return Status::Ok();
  }

  static Status RetainKeys(json::Object& target, const json::Object& patch,
                           const json::Value& retain, const Location& at) {
    Location retain_at = at.Child(kRetainKeys);
    if (!retain.is_array()) {
      return ErrorAt(retain_at, "must be a list of field names, got " +
                                    std::string(json::TypeName(retain.type())));
    }
    std::unordered_set<std::string> keep;
    for (size_t i = 0; i < retain.as_array().size(); ++i) {
      const json::Value& name = retain.as_array()[i];
      if (!name.is_string()) {
        return ErrorAt(retain_at.Element(i), "must be a field name (a string), got " +
                                                 std::string(json::TypeName(name.type())));
      }
      keep.insert(name.as_string());
    }
    for (const json::Member& member : patch) {
      if (!StartsWith(member.key, "$") && !member.value.is_null() && keep.count(member.key) == 0) {
        return ErrorAt(at.Child(member.key), "set by the patch but not listed in $retainKeys");
      }
    }
    std::vector<std::string> cleared;
    for (const json::Member& member : target) {
      if (keep.count(member.key) == 0) {
        cleared.push_back(member.key);
      }
    }
    for (const std::string& key : cleared) {
      target.Erase(key);
    }
    return Status::Ok();
  }

  const PatchSchema& schema_;
};

json::Array SortedKeys(const json::Object& object) {
  std::vector<std::string> keys;
  for (const json::Member& member : object) {
    if (!member.value.is_null()) {
      keys.push_back(member.key);
    }
  }
  std::sort(keys.begin(), keys.end());
  return json::Array(keys.begin(), keys.end());
}

json::Array ReplaceWhole(const json::Array& modified) {
  json::Array list = modified;
  list.push_back(json::Object{{std::string(kPatchDirective), "replace"}});
  return list;
}

// Whether every element is a scalar and no value repeats: a list a set diff can express.
bool IsScalarSet(const json::Array& list) {
  std::unordered_set<std::string> seen;
  for (const json::Value& element : list) {
    if (element.is_object() || element.is_array() || !seen.insert(ValueId(element)).second) {
      return false;
    }
  }
  return true;
}

// Whether every element is an object with a distinct merge key and no directive.
bool IsKeyedList(const json::Array& list, const std::string& merge_key) {
  std::unordered_set<std::string> seen;
  for (const json::Value& element : list) {
    if (!element.is_object() || element.Find(merge_key) == nullptr || IsDirectiveElement(element) ||
        !seen.insert(ElementId(element, merge_key)).second) {
      return false;
    }
  }
  return true;
}

class Differ {
 public:
  explicit Differ(const PatchSchema& schema) : schema_(schema) {}

  json::Object DiffObjects(const json::Object& original, const json::Object& modified,
                           const std::string& path) const {
    json::Object patch;
    for (const json::Member& member : modified) {
      const json::Value* before = original.Find(member.key);
      const json::Value& after = member.value;
      if (before == nullptr) {
        if (!after.is_null()) {
          patch.Set(member.key, after);
        }
        continue;
      }
      if (*before == after) {
        continue;
      }
      if (after.is_null()) {
        patch.Set(member.key, nullptr);
        continue;
      }
      std::string child = JoinPath(path, member.key);
      const FieldPatchRule* rule = schema_.Find(child);
      bool replace = rule != nullptr && rule->replace;
      if (before->is_object() && after.is_object() && !replace) {
        json::Object sub = DiffObjects(before->as_object(), after.as_object(), child);
        if (!sub.empty()) {
          if (rule != nullptr && rule->retain_keys) {
            sub.Set(std::string(kRetainKeys), SortedKeys(after.as_object()));
          }
          patch.Set(member.key, std::move(sub));
        }
        continue;
      }
      if (before->is_array() && after.is_array() && rule != nullptr && rule->merge && !replace) {
        DiffList(patch, member.key, before->as_array(), after.as_array(), *rule, child);
        continue;
      }
      patch.Set(member.key, after);
    }
    for (const json::Member& member : original) {
      if (!modified.Contains(member.key)) {
        patch.Set(member.key, nullptr);
      }
    }
    return patch;
  }

 private:
  void DiffList(json::Object& patch, const std::string& key, const json::Array& original,
                const json::Array& modified, const FieldPatchRule& rule,
                const std::string& path) const {
    if (rule.merge_key.empty()) {
      if (!IsScalarSet(original) || !IsScalarSet(modified)) {
        patch.Set(key, ReplaceWhole(modified));
        return;
      }
      DiffSet(patch, key, original, modified);
      return;
    }
    if (!IsKeyedList(original, rule.merge_key) || !IsKeyedList(modified, rule.merge_key)) {
      patch.Set(key, ReplaceWhole(modified));
      return;
    }
    DiffKeyed(patch, key, original, modified, rule, path);
  }

  static void DiffSet(json::Object& patch, const std::string& key, const json::Array& original,
                      const json::Array& modified) {
    std::unordered_set<std::string> before;
    for (const json::Value& v : original) {
      before.insert(ValueId(v));
    }
    std::unordered_set<std::string> after;
    for (const json::Value& v : modified) {
      after.insert(ValueId(v));
    }
    json::Array added;
    for (const json::Value& v : modified) {
      if (before.count(ValueId(v)) == 0) {
        added.push_back(v);
      }
    }
    json::Array removed;
    for (const json::Value& v : original) {
      if (after.count(ValueId(v)) == 0) {
        removed.push_back(v);
      }
    }
    if (!modified.empty()) {
      patch.Set(std::string(kSetElementOrder) + key, modified);
    }
    if (!added.empty()) {
      patch.Set(key, std::move(added));
    }
    if (!removed.empty()) {
      patch.Set(std::string(kDeleteFromPrimitiveList) + key, std::move(removed));
    }
  }

  void DiffKeyed(json::Object& patch, const std::string& key, const json::Array& original,
                 const json::Array& modified, const FieldPatchRule& rule,
                 const std::string& path) const {
    const std::string& merge_key = rule.merge_key;
    std::unordered_map<std::string, const json::Object*> before;
    for (const json::Value& element : original) {
      before.emplace(ElementId(element, merge_key), &element.as_object());
    }
    std::unordered_set<std::string> after;
    json::Array changes;
    for (const json::Value& element : modified) {
      std::string id = ElementId(element, merge_key);
      after.insert(id);
      auto it = before.find(id);
      if (it == before.end()) {
        changes.push_back(element);
        continue;
      }
      json::Object sub = DiffObjects(*it->second, element.as_object(), path);
      if (sub.empty()) {
        continue;
      }
      if (rule.retain_keys) {
        sub.Set(std::string(kRetainKeys), SortedKeys(element.as_object()));
      }
      json::Object change{{merge_key, *element.Find(merge_key)}};
      for (json::Member& member : sub) {
        change.Set(std::move(member.key), std::move(member.value));
      }
      changes.push_back(std::move(change));
    }
    for (const json::Value& element : original) {
      if (after.count(ElementId(element, merge_key)) == 0) {
        changes.push_back(json::Object{{merge_key, *element.Find(merge_key)},
                                       {std::string(kPatchDirective), "delete"}});
      }
    }
    bool same_order = Ids(original, merge_key) == Ids(modified, merge_key);
    if ((!changes.empty() || !same_order) && !modified.empty()) {
      json::Array order;
      for (const json::Value& element : modified) {
        order.push_back(json::Object{{merge_key, *element.Find(merge_key)}});
      }
      patch.Set(std::string(kSetElementOrder) + key, std::move(order));
    }
    if (!changes.empty()) {
      patch.Set(key, std::move(changes));
    }
  }

  const PatchSchema& schema_;
};

// Builders for the built-in schemas, named after the Go tags they stand for.
FieldPatchRule MergeByKey(std::string key) {
  return FieldPatchRule{.merge = true, .merge_key = std::move(key)};
}
FieldPatchRule MergeByKeyRetainKeys(std::string key) {
  return FieldPatchRule{.merge = true, .merge_key = std::move(key), .retain_keys = true};
}
FieldPatchRule MergeAsSet() { return FieldPatchRule{.merge = true}; }
FieldPatchRule RetainKeys() { return FieldPatchRule{.retain_keys = true}; }

// k8s.io/apimachinery ObjectMeta.
PatchSchema ObjectMetaRules() {
  PatchSchema s;
  s.Set("finalizers", MergeAsSet());
  s.Set("ownerReferences", MergeByKey("uid"));
  return s;
}

// core/v1 Container and EphemeralContainer (the same tags).
PatchSchema ContainerRules() {
  PatchSchema s;
  s.Set("ports", MergeByKey("containerPort"));
  s.Set("env", MergeByKey("name"));
  s.Set("volumeMounts", MergeByKey("mountPath"));
  s.Set("volumeDevices", MergeByKey("devicePath"));
  return s;
}

// core/v1 PodSpec.
PatchSchema PodSpecRules() {
  PatchSchema s;
  for (const char* containers : {"containers", "initContainers", "ephemeralContainers"}) {
    s.Set(containers, MergeByKey("name"));
    s.Include(containers, ContainerRules());
  }
  s.Set("volumes", MergeByKeyRetainKeys("name"));
  s.Set("imagePullSecrets", MergeByKey("name"));
  s.Set("hostAliases", MergeByKey("ip"));
  s.Set("topologySpreadConstraints", MergeByKey("topologyKey"));
  s.Set("schedulingGates", MergeByKey("name"));
  s.Set("resourceClaims", MergeByKeyRetainKeys("name"));
  return s;
}

PatchSchema PodTemplateSpecRules() {
  PatchSchema s;
  s.Include("metadata", ObjectMetaRules());
  s.Include("spec", PodSpecRules());
  return s;
}

// A kind whose status carries conditions merged by type (their Go tags say so).
PatchSchema WithConditions(PatchSchema s) {
  s.Set("status.conditions", MergeByKey("type"));
  return s;
}

PatchSchema TopLevel() {
  PatchSchema s;
  s.Include("metadata", ObjectMetaRules());
  return s;
}

PatchSchema Workload(std::string_view template_path) {
  PatchSchema s = WithConditions(TopLevel());
  s.Include(template_path, PodTemplateSpecRules());
  return s;
}

using SchemaTable = std::map<std::string, PatchSchema, std::less<>>;

const SchemaTable& BuiltinSchemas() {
  static const SchemaTable* const table = [] {
    auto* t = new SchemaTable;
    PatchSchema pod = WithConditions(TopLevel());
    pod.Include("spec", PodSpecRules());
    pod.Set("status.podIPs", MergeByKey("ip"));
    pod.Set("status.hostIPs", MergeByKey("ip"));
    (*t)["Pod"] = std::move(pod);

    PatchSchema pod_template = TopLevel();
    pod_template.Include("template", PodTemplateSpecRules());
    (*t)["PodTemplate"] = std::move(pod_template);

    for (const char* kind : {"ReplicaSet", "StatefulSet", "DaemonSet", "Job"}) {
      (*t)[kind] = Workload("spec.template");
    }
    PatchSchema deployment = Workload("spec.template");
    deployment.Set("spec.strategy", RetainKeys());
    (*t)["Deployment"] = std::move(deployment);
    // Argo's Rollout has no strategic tags of its own; its pod template is a core PodTemplateSpec.
    PatchSchema rollout = TopLevel();
    rollout.Include("spec.template", PodTemplateSpecRules());
    (*t)["Rollout"] = std::move(rollout);

    PatchSchema cron_job = TopLevel();
    cron_job.Include("spec.jobTemplate.metadata", ObjectMetaRules());
    cron_job.Include("spec.jobTemplate.spec.template", PodTemplateSpecRules());
    (*t)["CronJob"] = std::move(cron_job);

    PatchSchema service = WithConditions(TopLevel());
    service.Set("spec.ports", MergeByKey("port"));
    (*t)["Service"] = std::move(service);

    (*t)["Namespace"] = WithConditions(TopLevel());
    for (const char* kind :
         {"ConfigMap", "Secret", "ServiceAccount", "Event", "Lease", "Ingress", "Endpoints"}) {
      (*t)[kind] = TopLevel();
    }
    return t;
  }();
  return *table;
}

}  // namespace

PatchSchema& PatchSchema::Set(std::string path, FieldPatchRule rule) {
  rules_[std::move(path)] = std::move(rule);
  return *this;
}

PatchSchema& PatchSchema::Include(std::string_view prefix, const PatchSchema& other) {
  for (const auto& [path, rule] : other.rules_) {
    rules_[JoinPath(prefix, path)] = rule;
  }
  return *this;
}

const FieldPatchRule* PatchSchema::Find(std::string_view path) const {
  auto it = rules_.find(path);
  return it == rules_.end() ? nullptr : &it->second;
}

Result<json::Value> ApplyStrategicMergePatch(const json::Value& target, const json::Value& patch,
                                             const PatchSchema& schema) {
  if (!patch.is_object()) {
    return InvalidArgumentError("a strategic merge patch must be a JSON object, got " +
                                std::string(json::TypeName(patch.type())));
  }
  json::Object base = target.is_object() ? target.as_object() : json::Object();
  DEVFLOW_ASSIGN_OR_RETURN(
      std::optional<json::Object> merged,
      Applier(schema).MergeObject(std::move(base), patch.as_object(), Location{}));
  return merged.has_value() ? json::Value(std::move(*merged)) : json::Value(json::Object());
}

json::Value CreateStrategicMergePatch(const json::Value& original, const json::Value& modified,
                                      const PatchSchema& schema) {
  if (!modified.is_object()) {
    return modified;
  }
  static const json::Object kEmpty;
  const json::Object& before = original.is_object() ? original.as_object() : kEmpty;
  return Differ(schema).DiffObjects(before, modified.as_object(), "");
}

const PatchSchema& PodTemplateSchema() {
  static const PatchSchema* const schema = new PatchSchema(PodTemplateSpecRules());
  return *schema;
}

const PatchSchema& PatchSchemaForKind(std::string_view kind) {
  static const PatchSchema* const kMergePatchOnly = new PatchSchema();
  const SchemaTable& table = BuiltinSchemas();
  auto it = table.find(kind);
  return it == table.end() ? *kMergePatchOnly : it->second;
}

bool HasStrategicPatchSchema(std::string_view kind) {
  return BuiltinSchemas().find(kind) != BuiltinSchemas().end();
}

}  // namespace devflow::api
