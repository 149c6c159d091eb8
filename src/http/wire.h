// Helpers that write HTTP/1.1 message heads, shared by server.cc and client.cc. Internal to
// src/http/.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "http/message.h"

namespace devflow::http::wire {

// True for a valid field name (an RFC 9110 token: visible ASCII except separators).
bool IsFieldName(std::string_view name);
// True for a field value that cannot break the message: no CR, LF or NUL.
bool IsFieldValue(std::string_view value);
// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Appends "name: value\r\n" for each field of `headers` whose name is valid, whose value is
// valid, and which is not one of `managed` (fields the caller writes itself). Returns the name
// of the first field it dropped as invalid, or "" when none was.
std::string AppendFields(std::string& out, const Headers& headers,
                         std::initializer_list<std::string_view> managed);

}  // namespace devflow::http::wire
