#include "api/merge_patch.h"

#include <utility>

namespace devflow::api {
namespace {

json::Value Merge(const json::Value& target, const json::Value& patch) {
  if (!patch.is_object()) {
    return patch;
  }
  json::Object result = target.is_object() ? target.as_object() : json::Object();
  for (const json::Member& member : patch.as_object()) {
    if (member.value.is_null()) {
      result.Erase(member.key);
      continue;
    }
    const json::Value* existing = result.Find(member.key);
    result.Set(member.key, Merge(existing ? *existing : json::Value(), member.value));
  }
  return result;
}

// Drops null members at every depth of nested objects. Arrays are values, kept as they are.
json::Value WithoutNulls(const json::Value& value) {
  if (!value.is_object()) {
    return value;
  }
  json::Object result;
  for (const json::Member& member : value.as_object()) {
    if (!member.value.is_null()) {
      result.Set(member.key, WithoutNulls(member.value));
    }
  }
  return result;
}

json::Object Diff(const json::Object& original, const json::Object& modified) {
  json::Object patch;
  for (const json::Member& member : modified) {
    const json::Value* before = original.Find(member.key);
    if (before == nullptr) {
      // A null here cannot be expressed: setting null would mean "delete", which is a no-op.
      if (!member.value.is_null()) {
        patch.Set(member.key, member.value);
      }
    } else if (*before == member.value) {
      continue;
    } else if (before->is_object() && member.value.is_object()) {
      json::Object sub = Diff(before->as_object(), member.value.as_object());
      if (!sub.empty()) {
        patch.Set(member.key, std::move(sub));
      }
    } else {
      patch.Set(member.key, member.value);
    }
  }
  for (const json::Member& member : original) {
    if (!modified.Contains(member.key)) {
      patch.Set(member.key, nullptr);
    }
  }
  return patch;
}

json::Object ThreeWay(const json::Object* last_applied, const json::Object& desired,
                      const json::Object& live) {
  json::Object patch;
  for (const json::Member& member : desired) {
    const json::Value* now = live.Find(member.key);
    const json::Value& want = member.value;
    if (want.is_null()) {
      // Written as null in the file: the member must not exist, whoever added it.
      if (now != nullptr) {
        patch.Set(member.key, nullptr);
      }
      continue;
    }
    if (want.is_object() && now != nullptr && now->is_object()) {
      const json::Value* before = last_applied ? last_applied->Find(member.key) : nullptr;
      const json::Object* before_object =
          before != nullptr && before->is_object() ? &before->as_object() : nullptr;
      json::Object sub = ThreeWay(before_object, want.as_object(), now->as_object());
      if (!sub.empty()) {
        patch.Set(member.key, std::move(sub));
      }
      continue;
    }
    if (now == nullptr || *now != want) {
      patch.Set(member.key, WithoutNulls(want));
    }
  }
  if (last_applied != nullptr) {
    for (const json::Member& member : *last_applied) {
      if (!desired.Contains(member.key) && live.Contains(member.key)) {
        patch.Set(member.key, nullptr);
      }
    }
  }
  return patch;
}

}  // namespace

Result<json::Value> ApplyMergePatch(const json::Value& target, const json::Value& patch) {
  return Merge(target, patch);
}

json::Value CreateMergePatch(const json::Value& original, const json::Value& modified) {
  if (!original.is_object() || !modified.is_object()) {
    return modified;
  }
  return Diff(original.as_object(), modified.as_object());
}

json::Value CreateThreeWayMergePatch(const json::Value& last_applied, const json::Value& desired,
                                     const json::Value& live) {
  if (!desired.is_object()) {
    return desired;
  }
  if (!live.is_object()) {
    return WithoutNulls(desired);
  }
  const json::Object* last = last_applied.is_object() ? &last_applied.as_object() : nullptr;
  return ThreeWay(last, desired.as_object(), live.as_object());
}

}  // namespace devflow::api
