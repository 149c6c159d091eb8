// devflow::Result<T>: either a value of T or a non-ok Status.
//
// Shaped like std::expected (ok(), value(), error(), operator*, operator->) so that a later
// switch to C++23 is mechanical. Accessing value() of an error Result, or error() of an ok one,
// is a bug and aborts.
#pragma once

#include <cassert>
#include <cstdlib>
#include <iostream>
#include <utility>
#include <variant>

#include "common/status.h"

namespace devflow {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok().
  Result(Status status) : rep_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(rep_).ok()) Die("Result constructed from an ok Status");
  }
  Result(T value) : rep_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(rep_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    if (!ok()) Die(error().ToString());
    return std::get<T>(rep_);
  }
  T& value() & {
    if (!ok()) Die(error().ToString());
    return std::get<T>(rep_);
  }
  T&& value() && {
    if (!ok()) Die(error().ToString());
    return std::get<T>(std::move(rep_));
  }
  const Status& error() const {
    if (ok()) Die("error() of an ok Result");
    return std::get<Status>(rep_);
  }
  // The status: ok when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(rep_); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(rep_) : std::move(fallback); }

 private:
  [[noreturn]] static void Die(const std::string& why) {
    std::cerr << "devflow: bad Result access: " << why << "\n";
    std::abort();
  }
  std::variant<T, Status> rep_;
};

}  // namespace devflow

#define DEVFLOW_CONCAT_INNER_(a, b) a##b
#define DEVFLOW_CONCAT_(a, b) DEVFLOW_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (a Result<T>); on error returns its Status from the enclosing function,
// otherwise moves the value into `lhs` (a declaration such as `auto x` or an lvalue).
#define DEVFLOW_ASSIGN_OR_RETURN(lhs, rexpr) \
  DEVFLOW_ASSIGN_OR_RETURN_IMPL_(DEVFLOW_CONCAT_(devflow_result_, __LINE__), lhs, rexpr)
#define DEVFLOW_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                                   \
  if (!result.ok()) return result.error();                 \
  lhs = std::move(result).value()
