// The owner that controls an object (its ownerReference with controller: true), read from the
// object's JSON without decoding it: informer handlers run on every event and only need the
// owner's key.
#pragma once

#include <string>
#include <string_view>

#include "common/json_value.h"

namespace devflow::controller {

struct ControllingOwner {
  std::string uid;  // "" when no owner of the kind controls the object
  std::string name;
};

// The controller ownerReference of `object` whose kind is `kind`, or an empty owner.
ControllingOwner ControllingOwnerOf(const json::Value& object, std::string_view kind);

}  // namespace devflow::controller
