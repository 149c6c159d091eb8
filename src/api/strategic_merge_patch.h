// Strategic merge patch: Kubernetes' variant of the JSON merge patch for its built-in kinds, in
// which some lists merge instead of being replaced (containers by name, ports by containerPort,
// finalizers as a set) and the patch may carry directives. kubectl sends it for `apply`, `edit`
// and `patch` of Deployments, Pods, Services...; the API server applies it for PATCH requests of
// type application/strategic-merge-patch+json.
//
// What merges how is data, a PatchSchema, standing for the patchStrategy/patchMergeKey tags of
// Kubernetes' Go types. PatchSchemaForKind() gives the schema of each kind devflow serves; a kind
// without one (custom resources) gets the empty schema, under which a strategic merge patch means
// what a JSON merge patch means (objects merge, null deletes, lists are replaced whole) plus the
// directives below. Kubernetes answers 415 Unsupported Media Type for strategic patches of custom
// resources; devflow accepts them with these merge semantics instead.
//
// Merge rules, applied at every depth (patch value -> effect on the target's member):
//   null                        deletes the member.
//   object                      merges into the target's object member (a missing member or one
//                               of another type counts as {}), unless the field's rule says
//                               `replace`: then the patch value is taken as it is.
//   list, field rule `merge`    merges with the target's list (a missing one counts as []):
//     with a merge key          elements are matched by the value of that member: a match merges
//                               as an object, an unmatched element is appended;
//     without a merge key       the list is a set of scalars: the union, without duplicates.
//   list, no `merge` rule       replaces the target's list, element for element as written.
//   scalar                      replaces the member.
// Values that are new to the target are merged into an empty value, so a new object loses its
// null members and its directives take effect (Kubernetes copies such values verbatim, nulls
// dropped).
//
// Order of a merged list, as Kubernetes computes it: the elements the patch names (its list, or
// $setElementOrder when given) come in the patch's order; elements only the target has keep
// their relative order and are interleaved: one goes before the next named element when that
// element was in the target too and came after it there. A named element the target lacked
// therefore goes before the remaining target-only elements ($setElementOrder, which kubectl
// always sends with a changed list, names every element and so fixes the whole order).
//
// Directives (JSON members whose names start with "$"):
//   "$patch": "replace"         in an object: the object replaces the target's as written
//                               (without the "$patch" member; nested directives are not applied).
//   "$patch": "delete"          in an object: the member holding the object is deleted (at the top
//                               level: the result is {}).
//   "$patch": "merge"           in an object: the default, merge. (Kubernetes rejects it in
//                               patches; devflow accepts it as a no-op. In a list element it is
//                               an error, as in Kubernetes.)
//   {"$patch": "replace"}       as an element of a merged list: the list becomes the patch's
//                               other elements, as written.
//   {"name": "x", "$patch": "delete"}  as an element of a list merged by key: deletes every
//                               element whose merge key ("name" here) equals "x".
//   "$retainKeys": ["a", "b"]   in an object: members of the target not listed are cleared
//                               before merging; every non-null member the patch sets must be
//                               listed. Used by union types (Deployment's spec.strategy, volumes).
//   "$deleteFromPrimitiveList/<field>": [values]  removes every occurrence of these values from
//                               the target's list <field>.
//   "$setElementOrder/<field>": [...]  gives the final order of list <field>: the values of a
//                               list of scalars, or {<mergeKey>: value} objects for a list merged
//                               by key. Every element of the patch's list must appear in it.
// Members of documents whose names start with "$" are therefore not supported as data.
//
// Everything here is pure (no I/O) and thread-compatible; the built-in schemas are immutable
// after first use and safe to read from any thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

// How one field merges: the patchStrategy and patchMergeKey tags of a Kubernetes Go type field.
// The default (all false, no key) is a plain field: objects merge, lists are replaced.
struct FieldPatchRule {
  // patchStrategy "merge": the field is a list merged with the target's instead of replacing it,
  // by `merge_key` when set, as a set of scalars otherwise.
  bool merge = false;
  // patchMergeKey: the member that identifies an element of a list of objects ("name").
  std::string merge_key;
  // patchStrategy "replace": the field is never merged; the patch's value replaces it whole.
  bool replace = false;
  // patchStrategy "retainKeys": the field is a union type (an object, or each object element of
  // the list); a two-way patch that changes it lists its members in "$retainKeys" so that
  // members dropped from it are cleared.
  bool retain_keys = false;

  friend bool operator==(const FieldPatchRule&, const FieldPatchRule&) = default;
};

// The rules for one kind: a map from field path to FieldPatchRule. A path is the field names
// from the document's root joined by ".", list elements not counted: the ports of every
// container of a Deployment are "spec.template.spec.containers.ports". A plain value type.
class PatchSchema {
 public:
  // The empty schema: merge-patch semantics everywhere.
  PatchSchema() = default;

  // Sets the rule of the field at `path`, replacing any rule there. Returns *this.
  PatchSchema& Set(std::string path, FieldPatchRule rule);
  // Adds every rule of `other` with "<prefix>." in front of its path (as they are when `prefix`
  // is empty), replacing rules at the same paths. Returns *this.
  PatchSchema& Include(std::string_view prefix, const PatchSchema& other);

  // Returns the rule of the field at `path`, or nullptr when it has none.
  const FieldPatchRule* Find(std::string_view path) const;

  bool empty() const { return rules_.empty(); }
  const std::map<std::string, FieldPatchRule, std::less<>>& rules() const { return rules_; }

  friend bool operator==(const PatchSchema&, const PatchSchema&) = default;

 private:
  std::map<std::string, FieldPatchRule, std::less<>> rules_;
};

// Returns `target` with the strategic merge patch `patch` applied under `schema` (rules and
// directives in the file comment). A target that is not an object is taken as {}.
// Errors are InvalidArgument with field_path set to the field of the patch at fault
// ("spec.template.spec.containers[1]": the second element of the patch's list) and the problem
// in the message:
//   - the patch is not an object;
//   - "$patch" is not "replace", "delete" or "merge" (in a list element: "replace" or
//     "delete");
//   - "$retainKeys" is not a list of strings, or the patch sets a member it does not list;
//   - "$setElementOrder/<f>" or "$deleteFromPrimitiveList/<f>" is not a list, an entry of the
//     former lacks the merge key, or an element of the patch's list is missing from it;
//   - an element of a list merged by key is not an object or lacks the merge key (also for a
//     "$patch": "delete" element);
//   - an element of a list merged as a set of scalars, on either side, is an object or a list.
// The target is never changed: the result is a new value.
Result<json::Value> ApplyStrategicMergePatch(const json::Value& target, const json::Value& patch,
                                             const PatchSchema& schema);

// Returns a two-way strategic merge patch p with ApplyStrategicMergePatch(original, p, schema)
// == modified, in the form kubectl generates:
//   - changed members are set, removed ones are null, objects are compared member by member;
//   - a list merged by key sends, in modified's order, the changed elements (the merge key plus
//     the changed members) and new elements (whole), then {key, "$patch": "delete"} for removed
//     elements, and "$setElementOrder/<f>" whenever the list changed in content or order;
//   - a list merged as a set sends the added values, "$deleteFromPrimitiveList/<f>" with the
//     removed ones, and "$setElementOrder/<f>" when it changed;
//   - a `retain_keys` field that changed carries "$retainKeys" with its members in modified;
//   - any other list that differs is sent whole.
// A merged list that cannot be merged as its rule says (an element without the merge key, a
// duplicate key or value, objects in a set of scalars) is sent whole with a {"$patch": "replace"}
// element. As with merge patches, a null member of `modified` cannot be expressed (treated as
// absent). The round trip holds for documents without such nulls whose new values apply
// cleanly (see the errors of ApplyStrategicMergePatch: elements of merged lists carry their
// merge key, as Kubernetes' validation requires anyway). When `modified` is not an object,
// returns it (it is no valid strategic patch; Apply rejects it). Equal documents give {}.
json::Value CreateStrategicMergePatch(const json::Value& original, const json::Value& modified,
                                      const PatchSchema& schema);

// The rules of a PodTemplateSpec ({"metadata": ..., "spec": <PodSpec>}), with paths relative to
// it: "spec.containers" (merge by name), "spec.containers.ports" (by containerPort),
// "spec.containers.env" (by name), "spec.containers.volumeMounts" (by mountPath),
// "spec.volumes" (by name, retainKeys), "metadata.finalizers" (set), ... as Kubernetes' core/v1
// types tag them. Lists Kubernetes does not tag (tolerations, command, args, envFrom) are
// replaced whole.
const PatchSchema& PodTemplateSchema();

// Returns the schema of objects of `kind` ("Deployment"): ObjectMeta's rules under "metadata"
// (finalizers as a set, ownerReferences by uid) for Pod, PodTemplate, ReplicaSet, Deployment,
// StatefulSet, DaemonSet, Job, CronJob, Rollout, Service, Namespace, ConfigMap, Secret,
// ServiceAccount, Event, Lease, Ingress and Endpoints; the pod spec under "spec" (Pod), "template"
// (PodTemplate), "spec.template" (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, and Argo's
// Rollout, whose template devflow treats as Kubernetes treats a Deployment's),
// "spec.jobTemplate.spec.template" (CronJob); Service's spec.ports by port; Deployment's
// spec.strategy (retainKeys); status conditions by type. For a kind without a schema (any custom
// resource) returns the empty schema: merge-patch semantics. The kind is matched by name only;
// callers pass kinds of the built-in groups.
const PatchSchema& PatchSchemaForKind(std::string_view kind);

// Whether PatchSchemaForKind(kind) is a built-in schema rather than the merge-patch fallback.
bool HasStrategicPatchSchema(std::string_view kind);

}  // namespace devflow::api
