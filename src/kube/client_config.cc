#include "kube/client_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace devflow::kube {
namespace {

constexpr std::string_view kExecV1 = "client.authentication.k8s.io/v1";
constexpr std::string_view kExecV1Beta1 = "client.authentication.k8s.io/v1beta1";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Reads all of an open descriptor.
bool ReadAll(int fd, std::string& out) {
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Reads a file a kubeconfig entry refers to. `what` names the field and its owner
// ("cluster \"prod\" in /etc/kube.yaml: certificate-authority").
Result<std::string> ReadReferencedFile(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::string text;
  if (fd >= 0) {
    bool ok = ReadAll(fd, text);
    int err = errno;
    ::close(fd);
    if (ok) return text;
    errno = err;
  }
  std::string message = what + " " + path + ": " + std::strerror(errno);
  return errno == ENOENT ? NotFoundError(message) : FailedPreconditionError(message);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status ValidateExec(const ExecConfig& exec, const std::string& owner) {
  auto bad = [&](const std::string& why) { return InvalidArgumentError(owner + ": exec: " + why); };
  if (exec.command.empty()) return bad("command is required");
  if (exec.api_version.empty()) return bad("apiVersion is required");
  if (exec.api_version != kExecV1 && exec.api_version != kExecV1Beta1) {
    return bad("apiVersion " + Quote(exec.api_version) + " is not supported (use " +
               std::string(kExecV1) + " or " + std::string(kExecV1Beta1) + ")");
  }
  for (size_t i = 0; i < exec.env.size(); ++i) {
    if (exec.env[i].name.empty()) return bad("env[" + std::to_string(i) + "].name is required");
  }
  const std::string& mode = exec.interactive_mode;
  if (mode.empty() && exec.api_version == kExecV1) {
    return bad("interactiveMode is required for " + std::string(kExecV1) +
               " (Never or IfAvailable)");
  }
  if (!mode.empty() && mode != "Never" && mode != "IfAvailable" && mode != "Always") {
    return bad("interactiveMode must be Never, IfAvailable or Always, got " + Quote(mode));
  }
  if (mode == "Always") {
    return bad(
        "interactiveMode Always needs a terminal for the plugin to prompt on, which devflow "
        "never has; use Never or IfAvailable");
  }
  return Status::Ok();
}

// The exec plugin's view of the cluster (KUBERNETES_EXEC_INFO spec.cluster).
ExecCluster ExecClusterOf(const ClientConfig& resolved, const KubeconfigCluster& cluster) {
  ExecCluster c;
  c.server = cluster.server;
  c.tls_server_name = resolved.tls_server_name;
  c.insecure_skip_tls_verify = resolved.insecure_skip_tls_verify;
  c.certificate_authority_data = resolved.ca_pem;
  c.proxy_url = resolved.proxy_url;
  c.config = cluster.exec_extension;
  return c;
}

Status ResolveCluster(const KubeconfigCluster& cluster, const std::string& owner,
                      ClientConfig& out) {
  if (cluster.server.empty()) return InvalidArgumentError(owner + " has no server");
  bool has_tls = !cluster.certificate_authority.empty() ||
                 !cluster.certificate_authority_data.empty() || cluster.insecure_skip_tls_verify;
  Result<ServerUrl> server = ParseServerUrl(cluster.server, has_tls);
  if (!server.ok()) {
    return InvalidArgumentError(owner + ": server " + Quote(cluster.server) + ": " +
                                server.error().message());
  }
  out.server = std::move(*server);
  // The data field wins over the file when both are set, as kubectl documents.
  if (!cluster.certificate_authority_data.empty()) {
    out.ca_pem = cluster.certificate_authority_data;
  } else if (!cluster.certificate_authority.empty()) {
    DEVFLOW_ASSIGN_OR_RETURN(out.ca_pem, ReadReferencedFile(cluster.certificate_authority,
                                                            owner + ": certificate-authority"));
  }
  out.insecure_skip_tls_verify = cluster.insecure_skip_tls_verify;
  out.tls_server_name = cluster.tls_server_name;
  out.proxy_url = cluster.proxy_url;
  return Status::Ok();
}

Status ResolveClientCertificate(const KubeconfigUser& user, const std::string& owner,
                                ClientConfig& out) {
  if (!user.client_certificate_data.empty()) {
    out.client_cert_pem = user.client_certificate_data;
  } else if (!user.client_certificate.empty()) {
    DEVFLOW_ASSIGN_OR_RETURN(
        out.client_cert_pem,
        ReadReferencedFile(user.client_certificate, owner + ": client-certificate"));
  }
  if (!user.client_key_data.empty()) {
    out.client_key_pem = user.client_key_data;
  } else if (!user.client_key.empty()) {
    DEVFLOW_ASSIGN_OR_RETURN(out.client_key_pem,
                             ReadReferencedFile(user.client_key, owner + ": client-key"));
  }
  if (!out.client_cert_pem.empty() && out.client_key_pem.empty()) {
    return InvalidArgumentError(owner +
                                ": a client certificate needs client-key or client-key-data");
  }
  if (out.client_cert_pem.empty() && !out.client_key_pem.empty()) {
    return InvalidArgumentError(
        owner + ": a client key needs client-certificate or client-certificate-data");
  }
  return Status::Ok();
}

Status ResolveUser(const KubeconfigUser& user, const std::string& owner,
                   const KubeconfigCluster& cluster, const ExecOptions& exec_options,
                   ClientConfig& out) {
  if (!user.auth_provider.empty()) {
    return InvalidArgumentError(owner + ": auth-provider " + Quote(user.auth_provider) +
                                " is not supported; use an exec credential plugin (exec)");
  }
  if (user.impersonates) {
    return InvalidArgumentError(owner +
                                ": impersonation (as, as-uid, as-groups, as-user-extra) is not "
                                "supported");
  }
  std::vector<std::string> methods;
  if (!user.token.empty() || !user.token_file.empty()) methods.push_back("token");
  if (!user.username.empty() || !user.password.empty()) methods.push_back("basic auth");
  if (user.exec.has_value()) methods.push_back("exec");
  if (methods.size() > 1) {
    return InvalidArgumentError(owner + " sets more than one authentication method (" +
                                Join(methods) + "); only one is allowed");
  }
  DEVFLOW_RETURN_IF_ERROR(ResolveClientCertificate(user, owner, out));

  if (!user.token_file.empty()) {
    TokenFile file(user.token_file, user.token);
    // Read now so a missing file fails at start-up rather than at the first request.
    Result<std::string> first = file.CurrentToken();
    if (!first.ok()) return first.error().WithContext(owner);
    out.credentials = std::move(file);
  } else if (!user.token.empty()) {
    out.credentials = BearerToken{user.token};
  } else if (!user.username.empty() || !user.password.empty()) {
    out.credentials = BasicAuth{user.username, user.password};
  } else if (user.exec.has_value()) {
    DEVFLOW_RETURN_IF_ERROR(ValidateExec(*user.exec, owner));
    ExecOptions options = exec_options;
    options.owner = owner;
    std::optional<ExecCluster> exec_cluster;
    if (user.exec->provide_cluster_info) exec_cluster = ExecClusterOf(out, cluster);
    out.credentials = ExecPlugin(*user.exec, std::move(exec_cluster), std::move(options));
  }
  return Status::Ok();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::vector<std::string> DefaultKubeconfigPaths(const std::string& data_dir, const EnvLookup& env) {
  std::vector<std::string> paths;
  if (!data_dir.empty()) paths.push_back(data_dir + "/kubeconfig");
  std::string home = env("HOME").value_or("");
  if (!home.empty()) paths.push_back(home + "/.kube/config");
  return paths;
}

std::string ServerUrl::HostPort() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string ServerUrl::ToString() const { return scheme + "://" + HostPort() + path; }

Result<ServerUrl> ParseServerUrl(std::string_view text, bool default_https) {
  if (text.empty()) return InvalidArgumentError("empty address");
  ServerUrl url;
  std::string_view rest = text;
  size_t sep = text.find("://");
  if (sep != std::string_view::npos) {
    for (char c : text.substr(0, sep)) {
      url.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (url.scheme != "https" && url.scheme != "http") {
      return InvalidArgumentError("scheme must be http or https, got " + Quote(url.scheme));
    }
    rest = text.substr(sep + 3);
  } else {
    url.scheme = default_https ? "https" : "http";
  }
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (tail.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgumentError("a query or fragment is not allowed");
  }
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("user information is not allowed; use the user's credentials");
  }
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("unclosed '[' in host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return InvalidArgumentError("unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return InvalidArgumentError("empty port");
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos &&
        authority.find(':', colon + 1) != std::string_view::npos) {
      return InvalidArgumentError("an IPv6 address must be written in brackets ([::1]:6443)");
    }
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return InvalidArgumentError("empty port");
    }
  }
  if (url.host.empty()) return InvalidArgumentError("no host");
  if (port_text.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else {
    if (!AllDigits(port_text) || port_text.size() > 5 ||
        std::atoi(std::string(port_text).c_str()) < 1 ||
        std::atoi(std::string(port_text).c_str()) > 65535) {
      return InvalidArgumentError("port must be 1..65535, got " + Quote(port_text));
    }
    url.port = std::atoi(std::string(port_text).c_str());
  }
  while (!tail.empty() && tail.back() == '/') tail.remove_suffix(1);
  url.path = std::string(tail);
  return url;
}

// Identifies one version of a file: a rotation (write and rename, or a symlink swap) changes at
// least one of these even within one mtime tick.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

struct TokenFile::Cache {
  std::mutex mu;
  // All guarded by mu.
  bool have_token = false;
  FileStamp stamp;
  std::string token;
};

TokenFile::TokenFile(std::string path, std::string fallback)
    : path_(std::move(path)), fallback_(std::move(fallback)), cache_(std::make_shared<Cache>()) {}

Result<std::string> TokenFile::CurrentToken() const {
  std::lock_guard<std::mutex> lock(cache_->mu);
  auto fail = [&](Status why) -> Result<std::string> {
    if (cache_->have_token) return cache_->token;
    if (!fallback_.empty()) return fallback_;
    return why;
  };
  // One descriptor for both the stamp and the read, so they describe the same file version.
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::string message = "token file " + path_ + ": " + std::strerror(errno);
    return fail(errno == ENOENT ? NotFoundError(message) : FailedPreconditionError(message));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string message = "token file " + path_ + ": " + std::strerror(errno);
    ::close(fd);
    return fail(FailedPreconditionError(message));
  }
  FileStamp stamp{st.st_dev, st.st_ino, st.st_size, static_cast<int64_t>(st.st_mtim.tv_sec),
                  static_cast<int64_t>(st.st_mtim.tv_nsec)};
  if (cache_->have_token && stamp == cache_->stamp) {
    ::close(fd);
    return cache_->token;
  }
  std::string text;
  bool ok = ReadAll(fd, text);
  int err = errno;
  ::close(fd);
  if (!ok) {
    return fail(FailedPreconditionError("token file " + path_ + ": " + std::strerror(err)));
  }
  std::string token = Trim(text);
  if (token.empty()) return fail(FailedPreconditionError("token file " + path_ + " is empty"));
  cache_->have_token = true;
  cache_->stamp = stamp;
  cache_->token = std::move(token);
  return cache_->token;
}

Result<RequestAuth> ClientConfig::CurrentAuth() const {
  RequestAuth auth;
  auth.client_cert_pem = client_cert_pem;
  auth.client_key_pem = client_key_pem;
  if (const auto* token = std::get_if<BearerToken>(&credentials)) {
    auth.bearer_token = token->token;
  } else if (const auto* file = std::get_if<TokenFile>(&credentials)) {
    DEVFLOW_ASSIGN_OR_RETURN(auth.bearer_token, file->CurrentToken());
  } else if (const auto* basic = std::get_if<BasicAuth>(&credentials)) {
    auth.username = basic->username;
    auth.password = basic->password;
  } else if (const auto* exec = std::get_if<ExecPlugin>(&credentials)) {
    DEVFLOW_ASSIGN_OR_RETURN(ExecCredential cred, exec->Credential());
    auth.bearer_token = cred.token;
    if (!cred.client_certificate_pem.empty()) {
      auth.client_cert_pem = cred.client_certificate_pem;
      auth.client_key_pem = cred.client_key_pem;
    }
  }
  return auth;
}

void ClientConfig::InvalidateCredentials() const {
  if (const auto* exec = std::get_if<ExecPlugin>(&credentials)) exec->Invalidate();
}

Result<ClientConfig> ResolveContext(const Kubeconfig& config, const std::string& context_name,
                                    const std::string& namespace_override,
                                    const ExecOptions& exec_options) {
  std::string in = "kubeconfig " + Join(config.sources);
  if (context_name.empty()) {
    return InvalidArgumentError("no context chosen: " + in +
                                " sets no current-context; pass --context");
  }
  auto context_it = config.contexts.find(context_name);
  if (context_it == config.contexts.end()) {
    return NotFoundError("context " + Quote(context_name) + " not found in " + in);
  }
  const KubeconfigContext& context = context_it->second;
  std::string context_owner = "context " + Quote(context_name) + " in " + context.origin;

  if (context.cluster.empty()) return InvalidArgumentError(context_owner + " names no cluster");
  auto cluster_it = config.clusters.find(context.cluster);
  if (cluster_it == config.clusters.end()) {
    return NotFoundError("cluster " + Quote(context.cluster) + " of context " +
                         Quote(context_name) + " not found in " + in);
  }
  const KubeconfigCluster& cluster = cluster_it->second;

  ClientConfig out;
  out.origin = "context " + Quote(context_name) + " of " + Join(config.sources);
  DEVFLOW_RETURN_IF_ERROR(
      ResolveCluster(cluster, "cluster " + Quote(context.cluster) + " in " + cluster.origin, out));

  if (!context.user.empty()) {
    auto user_it = config.users.find(context.user);
    if (user_it == config.users.end()) {
      return NotFoundError("user " + Quote(context.user) + " of context " + Quote(context_name) +
                           " not found in " + in);
    }
    const KubeconfigUser& user = user_it->second;
    DEVFLOW_RETURN_IF_ERROR(ResolveUser(user, "user " + Quote(context.user) + " in " + user.origin,
                                        cluster, exec_options, out));
  }

  if (!namespace_override.empty()) {
    out.namespace_ = namespace_override;
  } else if (!context.namespace_.empty()) {
    out.namespace_ = context.namespace_;
  }
  return out;
}

Result<ClientConfig> ResolveClientConfig(const LoadOptions& options) {
  EnvLookup env = options.env ? options.env : ProcessEnv();
  KubeconfigLocations locations;
  locations.explicit_path = options.kubeconfig_path;
  locations.kubeconfig_env = env("KUBECONFIG");
  locations.default_paths = options.default_paths;
  DEVFLOW_ASSIGN_OR_RETURN(Kubeconfig config, LoadKubeconfig(locations));
  std::string context = options.context.empty() ? config.current_context : options.context;
  return ResolveContext(config, context, options.namespace_, options.exec);
}

}  // namespace devflow::kube
