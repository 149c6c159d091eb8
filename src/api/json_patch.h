// JSON patch (RFC 6902): a list of operations applied in order to a JSON document, with locations
// written as JSON pointers (RFC 6901).
//
// The API server applies PATCH requests of type application/json-patch+json with ApplyJsonPatch;
// controllers send JSON patches when they need a precondition (a `test` operation) inside the
// patch itself. Pure and thread-compatible: no I/O, arguments are only read.
#pragma once

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

// Returns `target` with `operations` (a JSON array of operation objects) applied in order.
//
// Operations (members "op", "path", and "value" or "from" where the operation needs them):
//   add      sets the member named by path, replacing an existing one; inserts into an array
//            before the given index, or appends for the index "-"; "" replaces the document.
//            The parent of path must exist.
//   remove   removes the member or array element at path, which must exist.
//   replace  replaces the value at path, which must exist ("" replaces the document).
//   move     removes the value at from and adds it at path; path may not lie inside from.
//   copy     adds a copy of the value at from at path.
//   test     succeeds when the value at path equals "value": objects regardless of member order,
//            arrays element by element, numbers by numeric value (1 equals 1.0).
// Pointers: "" is the whole document, otherwise "/"-separated tokens in which "~1" stands for "/"
// and "~0" for "~". An array index is a decimal without leading zeros ("0", "12"); "-" names the
// slot past the end and is valid only as the target of add, move or copy. Members of an operation
// other than those above are ignored, as RFC 6902 says.
//
// The patch is atomic: on any error nothing is applied (the result is built from a copy).
// Errors are InvalidArgument whose message names the operation's index, the operation, its path
// and the problem, for example:
//   operations[2] (replace /spec/replicas): path does not exist
//   operations[0] (test /metadata/resourceVersion): test failed: value is "41", want "42"
//   operations[1] (move from /a to /a/b): cannot move a value into itself
// and "operations: must be an array, got object" when `operations` is not an array. The Status's
// field_path is left empty: the message already names the operation.
Result<json::Value> ApplyJsonPatch(const json::Value& target, const json::Value& operations);

}  // namespace devflow::api
