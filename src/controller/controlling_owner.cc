#include "controller/controlling_owner.h"

namespace devflow::controller {

ControllingOwner ControllingOwnerOf(const json::Value& object, std::string_view kind) {
  const json::Value* metadata = object.Find("metadata");
  const json::Value* owners = metadata != nullptr ? metadata->Find("ownerReferences") : nullptr;
  if (owners == nullptr || !owners->is_array()) return {};
  for (const json::Value& owner : owners->as_array()) {
    const json::Value* controller = owner.Find("controller");
    if (controller != nullptr && controller->is_bool() && controller->as_bool() &&
        json::StringAt(owner, {"kind"}) == kind) {
      return {json::StringAt(owner, {"uid"}), json::StringAt(owner, {"name"})};
    }
  }
  return {};
}

}  // namespace devflow::controller
