// ApiStatus: the Kubernetes `Status` object (apiVersion v1, kind Status) that the embedded API
// server answers every failed request with, worded as kube-apiserver words it
// (k8s.io/apimachinery/pkg/api/errors), plus the conversions from devflow::Status and from
// validation's FieldErrors.
//
// Examples of the wording (the builders below produce exactly these):
//   404 NotFound       replicasets.apps "web" not found
//   409 AlreadyExists  rollouts.argoproj.io "web" already exists
//   409 Conflict       Operation cannot be fulfilled on rollouts.argoproj.io "web": the object
//                      has been modified; please apply your changes to the latest version and try
//                      again
//   422 Invalid        Rollout.argoproj.io "web" is invalid: spec.strategy.canary.steps[2].
//                      setWeight: Invalid value: 120: must be 0..100
//                      (several errors: `... is invalid: [a: ..., b: ...]`; one cause each)
//   403 Forbidden      pods "p" is forbidden: unable to create new content in namespace x
//                      because it is being terminated
//   401 Unauthorized   Unauthorized
//   405 MethodNotAllowed  the server does not allow this method on the requested resource
//   415 UnsupportedMediaType  the body of the request was in an unknown format - accepted media
//                      types include: application/json-patch+json, application/merge-patch+json
//   410 Expired        too old resource version: 5 (10)
//
// Everything here is pure and thread-safe; the structs are plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "common/json_value.h"
#include "common/status.h"

namespace devflow::apiserver {

// metav1.StatusCause. Kubernetes calls the type member "reason" in JSON.
struct StatusCause {
  // "FieldValueInvalid", "FieldValueRequired", "FieldValueForbidden", "NamespaceTerminating",
  // "ResourceVersionTooLarge", ... ; may be empty.
  std::string type;
  std::string message;
  // The field path ("spec.replicas"); may be empty.
  std::string field;
  friend bool operator==(const StatusCause&, const StatusCause&) = default;
};

// metav1.StatusDetails. `kind` holds the resource (plural) for most errors, as Kubernetes does,
// and the Kind for Invalid errors.
struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;
  std::string uid;
  std::vector<StatusCause> causes;
  // retryAfterSeconds; 0 = absent.
  int retry_after_seconds = 0;
  friend bool operator==(const StatusDetails&, const StatusDetails&) = default;
};

struct ApiStatus {
  // "Success" (deletes answered with a Status) or "Failure".
  bool success = false;
  // The HTTP status code; also the body's `code`.
  int code = 500;
  // "NotFound", "Invalid", ...; empty for Success.
  std::string reason;
  std::string message;
  std::optional<StatusDetails> details;
  friend bool operator==(const ApiStatus&, const ApiStatus&) = default;
};

// The Status object: {"kind":"Status","apiVersion":"v1","metadata":{},"status":...,
// "message":...,"reason":...,"details":{...},"code":...}; empty members are left out, as Go's
// omitempty does.
json::Value ToJson(const ApiStatus& status);
// ToJson written compactly.
std::string ToJsonText(const ApiStatus& status);

// "rollouts.argoproj.io", or "pods" for the core group: how messages name a resource.
std::string QualifiedResourceName(std::string_view group, std::string_view plural);
// "Rollout.argoproj.io", or "Pod" for the core group: how Invalid messages name a kind.
std::string QualifiedKindName(std::string_view group, std::string_view kind);

// 404 `<plural.group> "<name>" not found`; details name, group, kind = plural.
ApiStatus NotFoundStatus(std::string_view group, std::string_view plural, std::string_view name);
// 404 "the server could not find the requested resource" (a path no resource is served at).
ApiStatus PathNotFoundStatus();
// 409 AlreadyExists `<plural.group> "<name>" already exists`.
ApiStatus AlreadyExistsStatus(std::string_view group, std::string_view plural,
                              std::string_view name);
// 409 Conflict `Operation cannot be fulfilled on <plural.group> "<name>": <why>`.
ApiStatus ConflictStatus(std::string_view group, std::string_view plural, std::string_view name,
                         std::string_view why);
// 422 Invalid `<Kind.group> "<name>" is invalid: <cause>` (one cause) or `... is invalid: [<c1>,
// <c2>]` where each cause renders as "<field>: <message>"; details carry the causes, group and
// kind = `kind` (Kubernetes passes the plural here for some errors; the caller decides).
ApiStatus InvalidStatus(std::string_view group, std::string_view kind, std::string_view name,
                        std::vector<StatusCause> causes);
// 400 BadRequest with `message`.
ApiStatus BadRequestStatus(std::string message);
// 401 Unauthorized "Unauthorized".
ApiStatus UnauthorizedStatus();
// 403 Forbidden `<plural.group> "<name>" is forbidden: <why>` (`<plural.group> is forbidden:
// <why>` when name is empty).
ApiStatus ForbiddenStatus(std::string_view group, std::string_view plural, std::string_view name,
                          std::string_view why, std::vector<StatusCause> causes = {});
// 405 MethodNotAllowed "the server does not allow this method on the requested resource".
ApiStatus MethodNotAllowedStatus();
// 415 UnsupportedMediaType "the body of the request was in an unknown format - accepted media
// types include: <accepted joined by ", ">", followed by `note` when not empty.
ApiStatus UnsupportedMediaTypeStatus(const std::vector<std::string>& accepted,
                                     std::string_view note = {});
// 406 NotAcceptable "only the following media types are accepted: <accepted joined by ", ">".
ApiStatus NotAcceptableStatus(const std::vector<std::string>& accepted);
// 410 Expired (watch/list versions and continue tokens older than the history).
ApiStatus ExpiredStatus(std::string message);
// 410 Gone.
ApiStatus GoneStatus(std::string message);
// 500 InternalError "Internal error occurred: <message>", with one cause carrying `message`.
ApiStatus InternalErrorStatus(std::string_view message);
// 503 ServiceUnavailable with `message`.
ApiStatus ServiceUnavailableStatus(std::string message);
// 504 Timeout "Too large resource version: <requested>, current: <current>", cause
// ResourceVersionTooLarge, retryAfterSeconds 1: a list at a version the store has not reached.
ApiStatus TooLargeResourceVersionStatus(int64_t requested, int64_t current);
// 200 Success, details {name, group, kind = plural, uid}: the answer to a DELETE of a kind whose
// deletes Kubernetes answers with a Status rather than the object.
ApiStatus DeletedStatus(std::string_view group, std::string_view plural, std::string_view name,
                        std::string_view uid);

// Which resource and object a devflow::Status is about, for FromStatus.
struct StatusSubject {
  std::string group;
  std::string plural;
  std::string kind;
  std::string name;
};

// Converts an error from the store or the patch functions (the messages are already
// Kubernetes' own, e.g. the store's `replicasets.apps "web" not found`):
//   NotFound 404, AlreadyExists 409, Conflict 409, Gone 410 Expired, InvalidArgument 400
//   BadRequest (422 Invalid with one cause when the Status has a field path), Unauthenticated
//   401, PermissionDenied 403, Unavailable 503, DeadlineExceeded 504 Timeout, FailedPrecondition
//   409 Conflict, Internal 500. REQUIRES: !status.ok().
ApiStatus FromStatus(const Status& status, const StatusSubject& subject);

// A validation error as a Kubernetes field error: the offending value is read from `object` at
// the error's path, so the cause reads `Invalid value: <value>: <message>` (type
// FieldValueInvalid), or `Required value: <message>` (type FieldValueRequired) when the object
// has no value there. Values print as Go's field errors print them: strings quoted, numbers and
// booleans bare, null as null, objects and arrays as compact JSON. An error about a key
// (FieldError::about_key) shows the key, quoted. Each cause's `field` is the path.
StatusCause CauseFromFieldError(const api::FieldError& error, const json::Value& object);
std::vector<StatusCause> CausesFromFieldErrors(const api::FieldErrors& errors,
                                               const json::Value& object);

// The value at a rendered FieldPath ("spec.steps[2].setWeight", "metadata.labels[app/x]") in
// `object`, or nullptr when absent. "" is the object itself.
const json::Value* FindAtPath(const json::Value& object, std::string_view path);

}  // namespace devflow::apiserver
