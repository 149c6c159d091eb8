// JSON merge patch (RFC 7386): applying a patch, computing the patch between two documents, and
// the three-way patch `devflow apply` sends for kinds without a strategic merge schema (what
// kubectl apply sends for custom resources).
//
// A merge patch is a JSON document shaped like its target: an object member merges into the
// target's member of that name (recursively when both are objects), a null member deletes it, and
// anything else (a scalar, an array, a non-object patch) replaces what it lands on. Arrays are
// therefore always replaced whole, and a merge patch cannot set a member to null.
//
// All functions are pure (no I/O) and thread-compatible: they read their arguments and return new
// values. The API server applies PATCH requests of type application/merge-patch+json with
// ApplyMergePatch; the client and the CLI compute what to send with the Create* functions.
#pragma once

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

// Returns `target` with `patch` applied as RFC 7386 says:
//   - a patch that is not an object is the result (it replaces the whole target);
//   - otherwise a target that is not an object is first taken as {}, then for each member of the
//     patch in order: null removes the target's member of that name (absent is fine); an object
//     is merged into the target's member by these same rules; any other value replaces it.
// Null members of patch objects never reach the result, even where the target had nothing to
// delete. Members keep their position in the target; new members follow, in patch order.
// Never fails today (RFC 7386 defines a result for every pair); it returns a Result so that the
// API server handles every patch type alike.
Result<json::Value> ApplyMergePatch(const json::Value& target, const json::Value& patch);

// Returns the smallest merge patch p with ApplyMergePatch(original, p) == modified: members whose
// values differ are set, members removed from `original` become null, objects present on both
// sides are compared member by member, and arrays that differ are sent whole. Equal objects give
// {}. When either side is not an object, returns `modified` itself.
// Limits of the format (RFC 7386): a member of `modified` whose value is null cannot be expressed
// (null means "delete"), so it is treated as absent; likewise null members inside a new or
// replaced object are dropped by the receiver. Apart from such nulls, Apply(original,
// Create(original, modified)) == modified for any pair.
json::Value CreateMergePatch(const json::Value& original, const json::Value& modified);

// Returns the three-way merge patch kubectl apply computes for a resource without a strategic
// merge schema, for sending to the server holding `live`:
//   - `last_applied`: what the previous apply sent (the last-applied-configuration annotation),
//     or null when there was none;
//   - `desired`: the object in the file now;
//   - `live`: the object as the server has it now.
// The patch sets every member whose value in `desired` differs from `live` (additions and
// changes), and deletes (null) a member of `live` only when it was in `last_applied` and is gone
// from `desired`. Members that someone else added to `live` (a controller, `kubectl edit`) and
// that the file never mentioned therefore survive. The rules apply at every depth of nested
// objects: removing `spec.a.b` from the file deletes only `spec.a.b`, removing `spec.a` deletes
// all of `spec.a`, including members others added beneath it.
//
// Arrays are atomic, as in any merge patch: an array in `desired` that differs from `live` in any
// way is sent whole, replacing the live array (entries others appended to it are lost, as with
// kubectl for custom resources); an array equal to live is not sent.
// Nulls: a member written as null in `desired` means "must not exist": it is deleted from `live`
// whether or not `last_applied` had it (kubectl behaves the same). Null members of
// `last_applied` count as present. A deletion is sent only for members `live` has, so the patch
// is {} exactly when applying `desired` would change nothing (`devflow apply` prints
// "unchanged").
// When `desired` is not an object, returns it (replace everything). When `live` is not an object
// (for example null: the object does not exist yet), the patch is `desired` without its nulls.
json::Value CreateThreeWayMergePatch(const json::Value& last_applied, const json::Value& desired,
                                     const json::Value& live);

}  // namespace devflow::api
