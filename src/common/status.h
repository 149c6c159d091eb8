// devflow::Status: the outcome of an operation that can fail in an expected way.
//
// Expected failures (a bad manifest, 404/409/410 from an API server, a timeout, a dead metric
// provider) are values, not exceptions: signatures say so and the compiler flags an ignored one.
// Codes are chosen by who should retry (see docs/architecture.md, "Errors"):
//   kNotFound           the object does not exist (HTTP 404).
//   kAlreadyExists      create of a name that exists (HTTP 409, reason AlreadyExists).
//   kConflict           stale resourceVersion: re-read and redo the read-modify-write (HTTP 409).
//   kGone               the requested resourceVersion is too old: relist (HTTP 410).
//   kInvalidArgument    bad input; field_path names the field (HTTP 400/422).
//   kUnavailable        transient: retry the same call with backoff (HTTP 503, connection errors).
//   kFailedPrecondition the system is not in a state to do this yet: wait until it changes.
//   kDeadlineExceeded   a timeout elapsed.
//   kUnauthenticated    no or bad credentials (HTTP 401).
//   kPermissionDenied   credentials lack the right (HTTP 403).
//   kInternal           a bug or an unexpected failure of a dependency (HTTP 500).
//
// Status is a small value type: copyable, comparable, cheap when ok (no allocation).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace devflow {

enum class StatusCode {
  kOk = 0,
  kNotFound,
  kAlreadyExists,
  kConflict,
  kGone,
  kInvalidArgument,
  kUnavailable,
  kFailedPrecondition,
  kDeadlineExceeded,
  kUnauthenticated,
  kPermissionDenied,
  kInternal,
};

// Returns the code's name as written in messages ("NotFound", "Conflict", ...).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An ok status.
  Status() = default;
  // REQUIRES: code != kOk.
  Status(StatusCode code, std::string message, std::string field_path = {});

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The human-readable cause; empty when ok.
  const std::string& message() const;
  // The manifest field the error is about ("spec.strategy.canary.steps[2].setWeight"), or empty.
  const std::string& field_path() const;

  // Returns a copy whose message is "<context>: <message>"; ok statuses stay ok. Used to add
  // context on the way up ("patching replicasets/web-7f9c: ...").
  Status WithContext(std::string_view context) const;

  // "<Code>: [<field_path>: ]<message>", or "OK".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b);

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string field_path;
  };
  // Shared and immutable, so copies are cheap; null means ok.
  std::shared_ptr<const Rep> rep_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

// Shorthands for the common codes.
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status ConflictError(std::string message);
Status GoneError(std::string message);
Status InvalidArgumentError(std::string message, std::string field_path = {});
Status UnavailableError(std::string message);
Status FailedPreconditionError(std::string message);
Status DeadlineExceededError(std::string message);
Status UnauthenticatedError(std::string message);
Status PermissionDeniedError(std::string message);
Status InternalError(std::string message);

}  // namespace devflow

// Returns from the enclosing function if `expr` (a Status) is not ok.
#define DEVFLOW_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::devflow::Status devflow_status_ = (expr);        \
    if (!devflow_status_.ok()) return devflow_status_; \
  } while (false)
