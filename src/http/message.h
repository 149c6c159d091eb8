// HTTP/1.1 messages as plain values, shared by the server (server.h) and the client (client.h).
//
// Request and Response are copyable structs with no behaviour beyond lookups; neither the server
// nor the client keeps a reference to one after a call returns. Header names keep the case they
// were written with; every lookup here compares names case-insensitively, as RFC 9110 requires.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace devflow::http {

// Header fields in the order written. A name may repeat (Set-Cookie, Warning).
using Headers = std::vector<std::pair<std::string, std::string>>;

// Returns the value of the first field named `name` (any case), or "" when there is none, as
// Go's http.Header.Get does. The view points into `headers`.
std::string_view HeaderValue(const Headers& headers, std::string_view name);

// Replaces every field named `name` (any case) by one field `name: value`, appended at the end.
void SetHeader(Headers& headers, std::string_view name, std::string value);

struct Request {
  std::string method = "GET";
  // The request target as sent: an absolute path and an optional query ("/api/v1/pods?watch=1").
  // For the client it is relative to the base URL's path prefix (client.h).
  std::string target = "/";
  Headers headers;
  std::string body;

  // Server side only: the peer's address, "127.0.0.1:53412" or "[::1]:53412".
  std::string remote;
  // Server side only, over TLS with a client CA (ServerTlsOptions::client_ca_pem): the subject
  // common name and organizations of the client certificate, when the client presented one and
  // it verified against that CA; empty otherwise. Kubernetes reads them as user name and groups.
  std::string client_common_name;
  std::vector<std::string> client_organizations;

  // The first value of header `name` (any case), or "".
  std::string_view Header(std::string_view name) const { return HeaderValue(headers, name); }
  // The target's path, before '?', percent-decoded ("/api/v1/namespaces/a%20b" -> ".../a b").
  // '+' stays '+'. A malformed escape ("%zz") is kept as written.
  std::string Path() const;
  // The first value of query parameter `name` in the target, decoded as Go's url.ParseQuery does
  // ('+' is a space, %XX escapes); "" for "?name" or "?name=". nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;

  friend bool operator==(const Request&, const Request&) = default;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // The first value of header `name` (any case), or "".
  std::string_view Header(std::string_view name) const { return HeaderValue(headers, name); }

  friend bool operator==(const Response&, const Response&) = default;
};

// Decodes %XX escapes; when `plus_is_space`, '+' becomes ' ' (query strings). A malformed escape
// is kept as written.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// Escapes `text` for a query parameter name or value, as Go's url.QueryEscape does: letters,
// digits and "-_.~" stay, ' ' becomes '+', every other byte becomes %XX.
std::string QueryEscape(std::string_view text);

}  // namespace devflow::http
