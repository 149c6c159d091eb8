#include "node/haproxy_config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace devflow::node {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == ':';
}

std::string HashSuffix(std::string_view text) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), ":x%08x", hash);
  return buffer;
}

std::string Sanitised(std::string_view text, bool keep_dots) {
  std::string out;
  for (char c : text) out += IsNameChar(c) || (keep_dots && c == '.') ? c : '_';
  return out + HashSuffix(text);
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// One configuration token, single-quoted: nothing inside is interpreted, and a quote is written
// by closing the quotes, an escaped quote, and reopening them.
std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Header names are HTTP tokens; a quote or backslash would also be read by the sample-fetch
// argument parser inside req.fhdr(...), so those are refused along with separators.
bool IsHeaderNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<std::string> HostPort(std::string_view address, int port, std::string_view what) {
  std::string text(address);
  in_addr v4;
  in6_addr v6;
  if (port < 1 || port > 65535) {
    return InvalidArgumentError(std::string(what) + ": port " + std::to_string(port) +
                                " is outside 1..65535");
  }
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return text + ":" + std::to_string(port);
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return "[" + text + "]:" + std::to_string(port);
  }
  return InvalidArgumentError(std::string(what) + ": address \"" + text +
                              "\" is not an IP address literal");
}

// The ACL terms of one match, and the named ACLs they need (prefix paths: an exact path or the
// path followed by '/', which HAProxy ORs when two `acl` lines share a name).
class RuleWriter {
 public:
  RuleWriter(std::string prefix, std::string context)
      : prefix_(std::move(prefix)), context_(std::move(context)) {}

  // The condition under which the rule applies ("" = always), or InvalidArgument.
  Result<std::string> Condition(const RouteRule& rule) {
    std::string host_term;
    if (!rule.hostnames.empty()) {
      DEVFLOW_ASSIGN_OR_RETURN(host_term, HostTerm(rule.hostnames));
    }
    std::vector<std::string> alternatives;
    if (rule.matches.empty()) alternatives.push_back("");
    for (size_t m = 0; m < rule.matches.size(); ++m) {
      DEVFLOW_ASSIGN_OR_RETURN(std::string terms, MatchTerms(rule.matches[m], m));
      alternatives.push_back(std::move(terms));
    }
    std::string condition;
    for (const std::string& terms : alternatives) {
      std::string clause = host_term;
      if (!clause.empty() && !terms.empty()) clause += ' ';
      clause += terms;
      if (clause.empty()) return std::string();  // one alternative accepts every request
      if (!condition.empty()) condition += " or ";
      condition += clause;
    }
    return condition;
  }

  const std::string& acls() const { return acls_; }

 private:
  Status Check(std::string_view value, std::string_view field) const {
    if (HasControlCharacter(value)) {
      return InvalidArgumentError(context_ + ": " + std::string(field) +
                                  " holds a control character, which HAProxy cannot match");
    }
    return Status::Ok();
  }

  // "" when a hostname is "*" (any host).
  Result<std::string> HostTerm(const std::vector<std::string>& hostnames) {
    std::string exact;
    std::string suffixes;
    for (const std::string& hostname : hostnames) {
      DEVFLOW_RETURN_IF_ERROR(Check(hostname, "hostname \"" + hostname + "\""));
      std::string host = Lower(hostname);
      if (host == "*") return std::string();
      if (host.starts_with("*.")) {
        suffixes += " " + Quote(host.substr(1));
      } else {
        exact += " " + Quote(host);
      }
    }
    const std::string name = prefix_ + "_host";
    const std::string fetch = "req.hdr(host),field(1,:),lower";
    if (!exact.empty()) acls_ += "  acl " + name + " " + fetch + " -m str --" + exact + "\n";
    if (!suffixes.empty()) acls_ += "  acl " + name + " " + fetch + " -m end --" + suffixes + "\n";
    return name;
  }

  Result<std::string> MatchTerms(const RouteMatch& match, size_t index) {
    std::vector<std::string> terms;
    if (match.path) {
      const std::string& value = match.path->value;
      DEVFLOW_RETURN_IF_ERROR(Check(value, "path \"" + value + "\""));
      switch (match.path->type) {
        case PathCondition::Type::kPrefix: {
          std::string prefix = value;
          while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
          if (prefix.empty()) break;  // "/" accepts every path
          // Gateway API prefixes match whole path elements: "/foo" accepts "/foo" and "/foo/x",
          // not "/foobar".
          std::string name = prefix_ + "_m" + std::to_string(index) + "_path";
          acls_ += "  acl " + name + " path -m str -- " + Quote(prefix) + "\n";
          acls_ += "  acl " + name + " path -m beg -- " + Quote(prefix + "/") + "\n";
          terms.push_back(name);
          break;
        }
        case PathCondition::Type::kExact:
          terms.push_back("{ path -m str -- " + Quote(value) + " }");
          break;
        case PathCondition::Type::kRegex:
          terms.push_back("{ path -m reg -- " + Quote("^(?:" + value + ")$") + " }");
          break;
      }
    }
    for (const HeaderCondition& header : match.headers) {
      if (header.name.empty() ||
          !std::all_of(header.name.begin(), header.name.end(), IsHeaderNameChar)) {
        return InvalidArgumentError(context_ + ": header name \"" + header.name +
                                    "\" is not an HTTP token HAProxy can match");
      }
      DEVFLOW_RETURN_IF_ERROR(Check(header.value, "header " + header.name + " value"));
      // req.fhdr: the whole field value; req.hdr would split it at commas.
      std::string fetch = Quote("req.fhdr(" + header.name + ")");
      if (header.regex) {
        terms.push_back("{ " + fetch + " -m reg -- " + Quote("^(?:" + header.value + ")$") + " }");
      } else if (header.value.empty()) {
        terms.push_back("{ " + fetch + " -m len 0 }");  // HAProxy drops an empty pattern
      } else {
        terms.push_back("{ " + fetch + " -m str -- " + Quote(header.value) + " }");
      }
    }
    if (match.method) {
      DEVFLOW_RETURN_IF_ERROR(Check(*match.method, "method"));
      terms.push_back("{ method -m str -- " + Quote(*match.method) + " }");
    }
    std::string out;
    for (const std::string& term : terms) {
      if (!out.empty()) out += ' ';
      out += term;
    }
    return out;
  }

  std::string prefix_;
  std::string context_;
  std::string acls_;
};

std::string GlobalAndDefaults(const HaproxySettings& settings) {
  return "global\n"
         "  stats socket " +
         Quote(settings.runtime_socket) +
         " mode 600 level admin expose-fd listeners\n"
         "  stats timeout 2m\n"
         // Old workers keep finishing requests after a reload; this bounds how long.
         "  hard-stop-after 60s\n"
         "\n"
         "defaults\n"
         "  mode http\n"
         "  balance roundrobin\n"
         "  option forwardfor\n"
         "  option idle-close-on-response\n"
         "  retries 3\n"
         "  option redispatch 1\n"
         "  retry-on conn-failure empty-response response-timeout\n"
         "  timeout connect 2s\n"
         "  timeout client 60s\n"
         "  timeout server 60s\n"
         "  timeout http-request 15s\n"
         "  timeout http-keep-alive 30s\n"
         "  timeout queue 10s\n"
         "\n";
}

}  // namespace

std::string HaproxyProxyName(std::string_view name) {
  bool plain = !name.empty() && std::all_of(name.begin(), name.end(),
                                            [](char c) { return IsNameChar(c) || c == '/'; });
  if (!plain) return Sanitised(name, /*keep_dots=*/false);
  std::string out(name);
  std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

std::string HaproxyServerName(std::string_view pod) {
  bool plain = !pod.empty() && std::all_of(pod.begin(), pod.end(),
                                           [](char c) { return IsNameChar(c) || c == '.'; });
  return plain ? std::string(pod) : Sanitised(pod, /*keep_dots=*/true);
}

std::string RuleMapName(size_t listener_index, size_t rule_index) {
  return "maps/l" + std::to_string(listener_index) + "_r" + std::to_string(rule_index) + ".map";
}

std::vector<MapEntry> RuleMapEntries(const RouteRule& rule, const std::set<std::string>& backends) {
  int64_t total = 0;
  for (const WeightedBackend& backend : rule.backends)
    total += std::max<int64_t>(0, backend.weight);
  std::vector<MapEntry> entries;
  if (total == 0) return entries;
  int64_t before = 0;
  for (const WeightedBackend& backend : rule.backends) {
    if (backend.weight <= 0) continue;
    int64_t after = before + backend.weight;
    int64_t low = before * kWeightScale / total;
    int64_t high = after * kWeightScale / total - 1;
    before = after;
    if (high < low) continue;
    std::string value = backends.contains(backend.backend) ? HaproxyProxyName(backend.backend)
                                                           : std::string(kNoBackendName);
    entries.push_back({std::to_string(low) + ":" + std::to_string(high), std::move(value)});
  }
  return entries;
}

std::vector<HaproxyServer> BackendServers(const ProxyBackend& backend) {
  std::vector<HaproxyServer> servers;
  std::set<std::string> seen;
  for (const ProxyEndpoint& endpoint : backend.endpoints) {
    std::string name = HaproxyServerName(endpoint.name);
    if (!seen.insert(name).second) continue;
    servers.push_back({std::move(name), endpoint.address, endpoint.port, endpoint.serving});
  }
  return servers;
}

std::string MapFileText(const std::vector<MapEntry>& entries) {
  std::string text;
  for (const MapEntry& entry : entries) text += entry.key + " " + entry.value + "\n";
  return text;
}

Result<HaproxyConfig> GenerateHaproxyConfig(const ProxyState& state,
                                            const HaproxySettings& settings) {
  HaproxyConfig config;
  std::string& text = config.text;
  if (HasControlCharacter(settings.runtime_socket) || settings.runtime_socket.empty()) {
    return InvalidArgumentError("runtime socket path \"" + settings.runtime_socket +
                                "\" is empty or holds a control character");
  }
  text += GlobalAndDefaults(settings);

  DEVFLOW_ASSIGN_OR_RETURN(std::string stats,
                           HostPort(settings.stats_address, settings.stats_port, "stats listener"));
  text += "frontend " + std::string(kStatsFrontendName) + "\n  bind " + stats +
          "\n"
          "  http-request use-service prometheus-exporter if { path /metrics }\n"
          "  http-request return status 404\n\n";

  std::set<std::string> backend_names;
  for (const ProxyBackend& backend : state.backends) backend_names.insert(backend.name);

  for (size_t l = 0; l < state.listeners.size(); ++l) {
    const ProxyListener& listener = state.listeners[l];
    DEVFLOW_ASSIGN_OR_RETURN(std::string bind, HostPort(listener.bind_address, listener.port,
                                                        "listener " + listener.name));
    std::string acls;
    std::string routes;
    for (size_t r = 0; r < listener.rules.size(); ++r) {
      const RouteRule& rule = listener.rules[r];
      RuleWriter writer("r" + std::to_string(r), "listener " + listener.name + " rules[" +
                                                     std::to_string(r) + "] (" + rule.origin + ")");
      DEVFLOW_ASSIGN_OR_RETURN(std::string condition, writer.Condition(rule));
      acls += writer.acls();
      std::string map = RuleMapName(l, r);
      config.map_files[map] = MapFileText(RuleMapEntries(rule, backend_names));
      routes += "  use_backend " + Quote("%[rand(" + std::to_string(kWeightScale) + "),map_int(" +
                                         map + "," + std::string(kNoBackendName) + ")]");
      if (!condition.empty()) routes += " if " + condition;
      routes += "\n";
    }
    text += "frontend " + HaproxyProxyName(listener.name) + "\n  bind " + bind + "\n" + acls +
            routes + "  default_backend " + std::string(kNoRouteName) + "\n\n";
  }

  for (const ProxyBackend& backend : state.backends) {
    text += "backend " + HaproxyProxyName(backend.name) + "\n";
    for (const HaproxyServer& server : BackendServers(backend)) {
      DEVFLOW_ASSIGN_OR_RETURN(std::string address,
                               HostPort(server.address, server.port,
                                        "backend " + backend.name + " server " + server.name));
      // The configuration has no drain keyword: a drained server starts with weight 0, and
      // becoming serving again sets its weight back to 1 (see haproxy_runtime.h).
      text += "  server " + server.name + " " + address + " weight " +
              (server.serving ? "1" : "0") + "\n";
    }
    text += "\n";
  }

  text += "backend " + std::string(kNoBackendName) +
          "\n"
          "  http-request return status 503 content-type text/plain string "
          "\"no backend serves this route\"\n\n";
  text += "backend " + std::string(kNoRouteName) +
          "\n"
          "  http-request return status 404 content-type text/plain string "
          "\"no route matches this request\"\n";
  return config;
}

}  // namespace devflow::node
