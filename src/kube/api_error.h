// Turning the API server's failure answers into devflow Statuses: the client's side of the one
// mapping between HTTP codes, Kubernetes `Status` objects and devflow::StatusCode
// (docs/architecture.md, "Errors").
//
// A failed request comes back with an HTTP code and, from a Kubernetes API server, a body like
//   {"kind":"Status","apiVersion":"v1","status":"Failure","message":"rollouts.argoproj.io
//    \"web\" not found","reason":"NotFound","details":{"name":"web","kind":"rollouts",
//    "group":"argoproj.io"},"code":404}
// A watch reports failures as an ERROR event carrying the same object.
//
// The code is chosen by who should retry:
//   400 BadRequest, 415 UnsupportedMediaType      InvalidArgument
//   422 Invalid                                   InvalidArgument, field_path = the first cause's
//   401 Unauthorized                              Unauthenticated
//   403 Forbidden                                 PermissionDenied
//   404 NotFound                                  NotFound
//   409 reason AlreadyExists                      AlreadyExists
//   409 any other reason (Conflict)               Conflict
//   410 Gone / Expired                            Gone
//   429 TooManyRequests, 5xx (except 504)         Unavailable
//   504 Timeout                                   DeadlineExceeded
//   other 4xx                                     InvalidArgument (the request as sent is wrong)
//   anything else (1xx, 3xx, a 2xx Status)        Internal
// The message is the Status's message; when the body is not a Status, the body's text (trimmed,
// at most 512 bytes), or the HTTP reason phrase when the body is empty.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_value.h"
#include "common/status.h"

namespace devflow::kube {

// status.details.causes[] of a Kubernetes Status.
struct StatusCause {
  std::string reason;   // "FieldValueInvalid"
  std::string message;  // "Invalid value: 120: must be 0..100"
  std::string field;    // "spec.strategy.canary.steps[2].setWeight"
  friend bool operator==(const StatusCause&, const StatusCause&) = default;
};

// The members of a Kubernetes Status (meta/v1) that the client reads.
struct KubeStatus {
  int code = 0;                     // code: the HTTP code it stands for (0 when absent)
  std::string status;               // status: "Failure" or "Success"
  std::string reason;               // reason: "NotFound", "AlreadyExists", "Conflict", "Invalid"
  std::string message;              // message
  std::string name;                 // details.name
  std::string kind;                 // details.kind
  std::vector<StatusCause> causes;  // details.causes
  int retry_after_seconds = 0;      // details.retryAfterSeconds
  friend bool operator==(const KubeStatus&, const KubeStatus&) = default;
};

// Returns the Status in `value`, or nullopt when `value` is not an object of kind "Status".
// Members of the wrong type are read as absent.
std::optional<KubeStatus> ParseKubeStatus(const json::Value& value);

// Maps `status` to a devflow Status by the table above, using `status.code` (and its reason for
// 409). A code of 0 is read from the reason instead (NotFound, AlreadyExists, Conflict, Invalid,
// Gone, Expired, ...). Returns Internal "<message>" when neither says what failed, and an ok
// Status for status "Success".
Status ToStatus(const KubeStatus& status);

// Returns the error for an HTTP answer `http_code` with `body`: the body's Status when it holds
// one (the HTTP code wins over the Status's own code), else the table above with the body's text
// or the reason phrase as message. Never ok: a 2xx code (not a failure) gives Internal.
Status ErrorFromResponse(int http_code, std::string_view body);

// "Not Found" for 404 and the other RFC 9110 reason phrases; "HTTP <code>" for codes it does not
// know.
std::string HttpReasonPhrase(int http_code);

}  // namespace devflow::kube
