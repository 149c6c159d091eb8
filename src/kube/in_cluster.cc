#include "kube/in_cluster.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace devflow::kube {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Returns the file's contents, nullopt when it does not exist, or an error naming it.
Result<std::optional<std::string>> ReadOptionalFile(const std::string& path,
                                                    const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return FailedPreconditionError(what + " " + path + ": " + std::strerror(errno));
  }
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return FailedPreconditionError(what + " " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Result<ClientConfig> InClusterConfig(const InClusterPaths& paths, const EnvLookup& env) {
  std::string host = env("KUBERNETES_SERVICE_HOST").value_or("");
  std::string port = env("KUBERNETES_SERVICE_PORT").value_or("");
  if (host.empty() || port.empty()) {
    return FailedPreconditionError(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
        "set");
  }
  // The service host is an address, never a URL; an IPv6 one needs brackets before the port.
  std::string authority = host.find(':') != std::string::npos && host[0] != '['
                              ? "[" + host + "]:" + port
                              : host + ":" + port;
  Result<ServerUrl> server = ParseServerUrl("https://" + authority, true);
  if (!server.ok()) {
    return InvalidArgumentError("in-cluster server from KUBERNETES_SERVICE_HOST=" + host +
                                " and KUBERNETES_SERVICE_PORT=" + port + ": " +
                                server.error().message());
  }

  ClientConfig config;
  config.server = std::move(*server);
  config.origin = "in-cluster service account";

  TokenFile token(paths.token_file);
  Result<std::string> first = token.CurrentToken();
  if (!first.ok()) return first.error().WithContext("in-cluster config");
  config.credentials = std::move(token);

  DEVFLOW_ASSIGN_OR_RETURN(std::optional<std::string> ca,
                           ReadOptionalFile(paths.ca_file, "in-cluster CA file"));
  if (ca.has_value()) config.ca_pem = std::move(*ca);

  if (std::string pod_namespace = env("POD_NAMESPACE").value_or(""); !pod_namespace.empty()) {
    config.namespace_ = pod_namespace;
  } else {
    DEVFLOW_ASSIGN_OR_RETURN(std::optional<std::string> ns,
                             ReadOptionalFile(paths.namespace_file, "in-cluster namespace file"));
    if (ns.has_value() && !Trim(*ns).empty()) config.namespace_ = Trim(*ns);
  }
  return config;
}

}  // namespace devflow::kube
