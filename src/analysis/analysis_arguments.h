// The arguments of an AnalysisRun (../shared/spec/argo-rollouts.md §5.4): where their values
// come from and how a caller's arguments combine with a template's.
//
// Three stages, each a pure function:
//   1. ResolveRolloutArguments: a Rollout's analysis args (value, podTemplateHashValue,
//      fieldRef) become literal values, written into the run it creates (Argo's
//      BuildArgumentsForRolloutAnalysisRun).
//   2. MergeArguments: the caller's args override the flattened template's args by name; every
//      argument must then have a value or a valueFrom (Argo's MergeArgs).
//   3. ResolveArgumentValues: on each measurement, the run's args become the name -> value map
//      substituted into metrics; secretKeyRef values are read through a lookup the caller
//      provides (the caller does the I/O) and reported apart, so messages can mask them.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/analysis.h"
#include "api/rollout.h"
#include "common/field_path.h"
#include "common/result.h"

namespace devflow::analysis {

// The pod-template hashes podTemplateHashValue reads.
struct PodTemplateHashes {
  std::string latest;  // "Latest": the new ReplicaSet's rollouts-pod-template-hash
  std::string stable;  // "Stable": the stable ReplicaSet's; "" when there is none
  friend bool operator==(const PodTemplateHashes&, const PodTemplateHashes&) = default;
};

// The text of the field at `field_path` of `rollout` (the Rollout's valueFrom.fieldRef).
//   - "metadata..." paths read like Kubernetes' downward API: metadata.name, metadata.namespace,
//     metadata.uid, metadata.labels['k'] and metadata.annotations['k'] ("" when the key is
//     absent), and metadata.labels / metadata.annotations (every entry as k="v", sorted by key,
//     one a line).
//   - any other path is walked in the Rollout's JSON, split at "." and "[i]"
//     ("spec.template.spec.containers[0].image"); it must end in a string, number or bool,
//     rendered as Go's %v does (3, 0.5, true).
// Errors: InvalidArgument with a message saying which part of the path failed (an unsupported
// metadata field, a subscript on a field without one, a member that is absent, a bad or out of
// range index, a path ending in an object, an array or null). No field path: the caller adds it.
Result<std::string> RolloutFieldValue(const api::Rollout& rollout, std::string_view field_path);

// Resolves a Rollout's analysis args into literal ones (name and value only), in order:
//   value                      -> itself;
//   podTemplateHashValue       -> hashes.latest ("Latest") or hashes.stable ("Stable");
//   fieldRef                   -> RolloutFieldValue;
//   neither value nor valueFrom -> an argument without value, which MergeArguments rejects
//                                 unless the template gives it one.
// `args_path` is the path of `args` ("spec.strategy.canary.steps[1].analysis.args").
// Errors: InvalidArgument at args_path[i].valueFrom.podTemplateHashValue for a value other than
// Stable or Latest, and at args_path[i].valueFrom.fieldRef.fieldPath when RolloutFieldValue
// fails. (Argo turns a failed non-metadata path into ""; devflow reports it, so a misspelt path
// does not silently measure the wrong thing.)
Result<std::vector<api::Argument>> ResolveRolloutArguments(
    const api::Rollout& rollout, const std::vector<api::RolloutAnalysisArgument>& args,
    const PodTemplateHashes& hashes, const FieldPath& args_path);

// The template's args with the caller's laid over them, by name: a caller argument with a value
// replaces the template argument's value and drops its valueFrom; one with only a valueFrom
// replaces the valueFrom. Caller args the template does not declare are dropped (Argo's
// MergeArgs). The result keeps the template's order.
// Argo keeps a template's valueFrom beside a caller's value (and the secret then wins at run
// time); devflow lets the caller's value win, which is what the override asks for.
// Errors: InvalidArgument "args.<name> was not resolved" at `caller_args_path` for an argument
// left with neither a value nor a valueFrom.
Result<std::vector<api::Argument>> MergeArguments(const std::vector<api::Argument>& caller,
                                                  const std::vector<api::Argument>& template_args,
                                                  const FieldPath& caller_args_path);

// Reads one secret's key: the value, or an error Status (NotFound, Unavailable, ...). The
// caller knows the namespace (the run's). To validate without reading secrets, return a stub.
using SecretLookup = std::function<Result<std::string>(const api::SecretKeyRef& ref)>;

// The values substituted into a run's metrics.
struct ResolvedArguments {
  std::map<std::string, std::string> values;  // argument name -> value
  // The values that came from Secrets, to be masked in messages (MaskSecretValues).
  std::vector<std::string> secret_values;
  friend bool operator==(const ResolvedArguments&, const ResolvedArguments&) = default;
};

// The values of a run's args: valueFrom.secretKeyRef through `secrets` (it wins over a value,
// as in Argo), else value.
// `args_path` is the path of `args` ("spec.args").
// Errors (InvalidArgument unless said otherwise):
//   "args.<name> was not resolved" at args_path[i] (no value, no valueFrom);
//   a valueFrom with neither secretKeyRef nor a value (fieldRef and podTemplateHashValue are
//   resolved by whoever creates the run, never in it) at args_path[i].valueFrom;
//   the lookup's own error, its code kept, with "args.<name>: " and the path
//   args_path[i].valueFrom.secretKeyRef.
Result<ResolvedArguments> ResolveArgumentValues(const std::vector<api::Argument>& args,
                                                const SecretLookup& secrets,
                                                const FieldPath& args_path);

// `message` with every non-empty secret value replaced by "*****" (longest first, so a secret
// containing another is masked whole).
std::string MaskSecretValues(std::string_view message,
                             const std::vector<std::string>& secret_values);

}  // namespace devflow::analysis
