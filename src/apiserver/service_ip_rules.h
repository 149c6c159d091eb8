// Cluster IPs of Services on the embedded server. On one machine every Service gets its own
// address in the loopback range 127.1.0.0/16 (Linux routes all of 127/8 to the loopback
// interface), so each Service owns its whole port space: an active and a preview Service can both
// listen on port 80, as they do on a cluster. The one-machine data plane binds each Service port
// at spec.clusterIP. Allocation and immutability follow kube-apiserver: an empty clusterIP is
// allocated on create, "None" makes a headless Service, an ExternalName Service gets none, a
// given address must be in the range and free, and an update may not change it (an update that
// leaves it empty keeps the allocated one, as `kubectl apply` of a manifest without it expects).
//
// Pure functions; the REST layer serialises allocations and supplies the addresses in use.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "api/field_error.h"
#include "common/json_value.h"

namespace devflow::apiserver {

// "127.1.0.0/16", for messages.
inline constexpr const char* kServiceIpRange = "127.1.0.0/16";

// The spec.clusterIP of a Service object ("" when absent or not a string).
std::string ClusterIpOf(const json::Value& service);

// Gives a new Service its cluster IP: `service` is changed in place (spec.clusterIP and
// spec.clusterIPs) when it needs one. `used` are the addresses of existing Services; `random`
// returns uniformly distributed numbers (tests pass a fixed sequence). Errors (as FieldErrors for
// a 422): a given address outside the range or already allocated; the range exhausted.
api::FieldErrors AllocateClusterIp(json::Value& service, const std::set<std::string>& used,
                                   const std::function<uint64_t()>& random);

// Carries the allocated address into an updated Service (changed in place) when the update left
// it empty; an update that sets a different address is a FieldError "field is immutable".
// Switching to type ExternalName releases the address (clusterIP must then be empty).
api::FieldErrors KeepClusterIp(json::Value& updated, const json::Value& stored);

}  // namespace devflow::apiserver
