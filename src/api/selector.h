// Label and field selector strings, parsed, printed and evaluated as Kubernetes does
// (k8s.io/apimachinery/pkg/labels and pkg/fields), for the `labelSelector=` and `fieldSelector=`
// query parameters of list and watch, for the client that builds them and for the CLI's `-l`.
//
// Everything here is pure (no I/O, no clock, no global state) and safe to call from any thread.
// Selector and FieldSelector are plain values: copyable, comparable with ==.
//
// Label selector syntax (labels.Parse):
//   selector    := "" | requirement ("," requirement)*
//   requirement := ["!"] KEY | KEY ("=" | "==" | "!=") VALUE | KEY (">" | "<") INTEGER
//                | KEY ("in" | "notin") "(" VALUE ("," VALUE)* ")"
// Blanks (space, tab, CR, LF) may stand between any two tokens and are needed only to end a word
// ("x in (a)"). KEY is a qualified name and VALUE a label value (api/name_rules.h); VALUE may be
// empty ("a=", "a in (,b)", "a in ()" means the set {""}). As in Go's lexer, a NUL byte where a
// token starts ends the input, and elsewhere ends the word or symbol it follows.
//
// Field selector syntax (fields.ParseSelector):
//   selector := term? ("," term?)*          (empty terms are skipped)
//   term     := FIELD ("=" | "==" | "!=") VALUE
// FIELD is everything before the first operator, blanks included; VALUE is the rest, in which
// ',', '=' and '\' must be escaped with '\' ("\," "\=" "\\"). devflow also reads "\!" as '!'
// (Kubernetes rejects that escape; devflow never writes it).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/meta.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

// The operator of a label requirement. kEquals and kDoubleEquals match alike but are kept apart,
// as Kubernetes keeps them, so a selector prints back as written ("a==b").
enum class SelectorOperator {
  kEquals,        // key=value
  kDoubleEquals,  // key==value
  kNotEquals,     // key!=value: also true when the label is absent
  kIn,            // key in (v1,v2)
  kNotIn,         // key notin (v1,v2): also true when the label is absent
  kExists,        // key
  kDoesNotExist,  // !key
  kGreaterThan,   // key>1: the label's value, read as a decimal int64, is greater
  kLessThan,      // key<1
};

// One term of a label selector.
struct Requirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  // Exactly one value for =, ==, !=, > and <; at least one for in/notin, sorted and without
  // duplicates; none for exists/does-not-exist.
  std::vector<std::string> values;
  friend bool operator==(const Requirement&, const Requirement&) = default;
};

// A parsed label selector: every requirement must hold. An empty selector matches everything.
// Parse and FromLabelSelector return requirements in canonical order: by key, then operator (in
// enum order), then values. Kubernetes orders by key only and leaves ties unspecified; the full
// order makes equal selectors compare equal however they were written.
struct Selector {
  std::vector<Requirement> requirements;
  bool empty() const { return requirements.empty(); }
  friend bool operator==(const Selector&, const Selector&) = default;
};

// Parses a label selector string.
// Success: the canonical Selector; "" (or only blanks) gives the empty selector.
// Failure: InvalidArgument whose message is Kubernetes' message with the 1-based column of the
// offending token inserted, e.g.
//   unable to parse requirement: found 'b' at column 3, expected: in, notin, =, ==, !=, gt, lt
//   found ',' at column 4, expected: identifier after ','
//   unable to parse requirement: invalid label key at column 1: must be [prefix/]name ...
Result<Selector> ParseLabelSelector(std::string_view selector);

// True when `labels` satisfy every requirement of `selector` (Kubernetes' Requirement.Matches):
// an absent label fails =, ==, in, exists, > and <, and passes !=, notin and !key. > and < fail
// when either side is not a decimal int64.
bool Matches(const Selector& selector, const std::map<std::string, std::string>& labels);

// Renders `selector` as Kubernetes' Selector.String() does ("a=b,c in (x,y),!d,n>3"), with
// requirements in canonical order and in/notin values sorted, so it also normalizes a hand-built
// Selector. For every Selector returned by ParseLabelSelector or FromLabelSelector,
// ParseLabelSelector(ToString(s)) == s. "" for the empty selector.
std::string ToString(const Selector& selector);

// Converts a metav1.LabelSelector (matchLabels as "=" requirements plus matchExpressions), as
// metav1.LabelSelectorAsSelector does. An empty LabelSelector gives the empty Selector (matches
// everything).
// Failure: InvalidArgument for the first of: an invalid key or value, an operator other than
// In, NotIn, Exists and DoesNotExist, In/NotIn without values, Exists/DoesNotExist with values.
// Its field_path names the field relative to the selector, rendered as FieldPath does:
// "matchLabels" (a bad key), "matchLabels.app" (a bad value), "matchExpressions[0].operator",
// "matchExpressions[1].key", "matchExpressions[1].values", "matchExpressions[1].values[2]".
// Callers prefix their own path ("spec.selector").
Result<Selector> FromLabelSelector(const LabelSelector& selector);

// Converts back to a metav1.LabelSelector that selects the same objects: = and == become
// matchLabels (a second, different value for a key becomes an In expression, so nothing is lost),
// != becomes NotIn with one value, the others become matchExpressions of the same operator.
// Failure: InvalidArgument for > and <, which a LabelSelector cannot express.
Result<LabelSelector> ToLabelSelector(const Selector& selector);

// Whether a field requirement is an equality or an inequality ("==" parses as kEquals, as in
// Kubernetes, and prints as "=").
enum class FieldOperator {
  kEquals,     // field=value, field==value
  kNotEquals,  // field!=value
};

// One term of a field selector.
struct FieldRequirement {
  std::string field;  // "metadata.name", "status.phase", "involvedObject.uid", ...
  FieldOperator op = FieldOperator::kEquals;
  std::string value;  // unescaped
  friend bool operator==(const FieldRequirement&, const FieldRequirement&) = default;
};

// A parsed field selector: every requirement must hold; empty matches everything. Requirements
// are in canonical order: sorted by their rendered term ("field=escaped-value"), which is the
// order Kubernetes sorts the terms of a selector written in canonical form.
struct FieldSelector {
  std::vector<FieldRequirement> requirements;
  bool empty() const { return requirements.empty(); }
  friend bool operator==(const FieldSelector&, const FieldSelector&) = default;
};

// Parses a field selector string. Field names are not checked here (see ConvertFieldSelector).
// Failure: InvalidArgument, with Kubernetes' messages:
//   invalid selector: 'a,b'; can't understand 'b'                         (a term has no operator)
//   invalid field selector: invalid escape sequence: \x in term 'a=\x'
//   invalid field selector: unescaped character '=' in value of term 'a=b=c'
Result<FieldSelector> ParseFieldSelector(std::string_view selector);

// Escapes a value for a field selector term: '\' ',' and '=' get a backslash (fields.EscapeValue).
std::string EscapeFieldValue(std::string_view value);

// Renders the selector as "field=value,field!=value" in canonical order, values escaped.
// REQUIRES: field names hold no ',', '=' or '\' and do not end in '!' (true of every field name
// Kubernetes supports). Then ParseFieldSelector(ToString(s)) == s for every parsed s.
std::string ToString(const FieldSelector& selector);

// The value kube-apiserver compares a field selector term with, read from `object` (a whole
// object as JSON, with apiVersion and kind). Generally the value at the dotted path
// ("spec.nodeName" reads object.spec.nodeName): strings as they are, integers in decimal, booleans
// as "true"/"false", and "" when absent, null, an object or an array. Where Kubernetes computes the
// field (its ToSelectableFields functions) this does the same:
//   v1 Pod     spec.hostNetwork    "false" when absent
//              status.podIP        status.podIPs[0].ip, else status.podIP
//              status.podIPs       always "" (accepted by the server but never populated)
//   v1 Event   source              source.component, else reportingComponent
//   v1 Node    spec.unschedulable  "false" when absent
//   v1 ReplicationController status.replicas "0" when absent
//   batch Job  status.successful   status.succeeded, "0" when absent
std::string SelectableFieldValue(const json::Value& object, std::string_view field);

// True when every requirement holds for `object` (see SelectableFieldValue).
bool Matches(const FieldSelector& selector, const json::Value& object);

// Whether kube-apiserver accepts `field` in a field selector on the kind of API group `group`
// ("" for core) and name `kind`; `namespaced` is the kind's scope. The lists are Kubernetes'
// field label conversion functions:
//   every namespaced kind: metadata.name, metadata.namespace; cluster-scoped custom resources,
//     Namespace and Node: metadata.name only
//   Pod: spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName,
//     spec.hostNetwork, status.phase, status.podIP, status.podIPs, status.nominatedNodeName, and
//     spec.host (an old name of spec.nodeName)
//   Event: involvedObject.{kind,namespace,name,uid,apiVersion,resourceVersion,fieldPath}, reason,
//     reportingComponent, source, type
//   Secret: type. Service: spec.clusterIP, spec.type. Namespace: status.phase.
//   Node: spec.unschedulable. ReplicationController: status.replicas. batch Job: status.successful.
// apps/v1 ReplicaSet accepts only the metadata fields: its status.replicas is selectable inside
// the server but the conversion was never registered, so kube-apiserver rejects it
// (kubernetes/kubernetes#135136).
bool FieldSelectorSupported(std::string_view group, std::string_view kind, bool namespaced,
                            std::string_view field);

// The same for a kind named without its group: a kind of the table above or of BuiltinKinds()
// (kinds.h) takes that group and scope; any other name is taken as a namespaced custom resource.
bool FieldSelectorSupported(std::string_view kind, std::string_view field);

// Checks every field of `selector` against FieldSelectorSupported and renames the fields
// kube-apiserver renames (Pod spec.host -> spec.nodeName), as the server does before listing.
// Success: the selector to evaluate with Matches (canonical order).
// Failure: InvalidArgument with the message kube-apiserver gives for the first unsupported field
// (the server answers it as 400 BadRequest):
//   field label not supported: X                core kinds with their own list, custom resources
//   field label "X" not supported for Job       batch Job
//   "X" is not a known field selector: only "metadata.name", "metadata.namespace"
//                                               other built-in kinds (Deployment, ReplicaSet, ...)
Result<FieldSelector> ConvertFieldSelector(std::string_view group, std::string_view kind,
                                           bool namespaced, const FieldSelector& selector);

}  // namespace devflow::api
