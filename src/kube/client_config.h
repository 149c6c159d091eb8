// ClientConfig: everything a Kubernetes client needs to reach one API server, resolved from a
// kubeconfig context (ResolveClientConfig) or from a pod's service account (in_cluster.h).
//
// Resolution reads every file the config names (CA, client certificate and key, token file) once,
// so a broken config fails at start-up with a message naming the file, not at the first request.
// Credentials that change while the process runs (a rotated token file, an expiring exec
// credential) are read again on use: ask ClientConfig::CurrentAuth() before each request.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "kube/exec_credential.h"
#include "kube/kubeconfig.h"

namespace devflow::kube {

// Looks up an environment variable; nullopt when unset. Injected so tests need not touch the
// process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// A lookup in this process's environment (getenv).
EnvLookup ProcessEnv();

// The default kubeconfig paths devflow tries when neither --kubeconfig nor KUBECONFIG is given:
// "<data_dir>/kubeconfig" (written by `devflow serve`; skipped when data_dir is empty), then
// "$HOME/.kube/config" (skipped when HOME is unset or empty).
std::vector<std::string> DefaultKubeconfigPaths(const std::string& data_dir, const EnvLookup& env);

// The API server's address, from `server` ("https://10.0.0.1:6443", "http://[::1]:8080/prefix").
struct ServerUrl {
  std::string scheme;  // "https" or "http"
  std::string host;    // a name or an IP address; an IPv6 address without brackets
  int port = 0;        // as written, else 443 for https and 80 for http
  std::string path;    // a prefix the API paths go under ("" or "/k8s/clusters/c-1"), no '/' at end
  // "host:port", with an IPv6 host bracketed ("[fd00::1]:443").
  std::string HostPort() const;
  // "scheme://host:port/path".
  std::string ToString() const;
  friend bool operator==(const ServerUrl&, const ServerUrl&) = default;
};

// Parses a server address. Without a scheme ("10.0.0.1:6443"), https is assumed when
// `default_https` (the cluster has TLS settings), else http, as client-go does.
// Returns InvalidArgument for an empty host, a scheme other than http/https, a bad port, an
// unbracketed IPv6 address, user info, a query or a fragment.
Result<ServerUrl> ParseServerUrl(std::string_view text, bool default_https);

// No credentials: requests are anonymous (a context without a user).
struct NoCredentials {
  friend bool operator==(const NoCredentials&, const NoCredentials&) = default;
};

// users[].user.token
struct BearerToken {
  std::string token;
  friend bool operator==(const BearerToken&, const BearerToken&) = default;
};

// users[].user.username/password
struct BasicAuth {
  std::string username;
  std::string password;
  friend bool operator==(const BasicAuth&, const BasicAuth&) = default;
};

// A bearer token kept in a file that is replaced when it rotates (users[].user.tokenFile, a
// service-account token). A cheap, copyable handle: copies share one cache. Thread-safe.
class TokenFile {
 public:
  // `fallback` is the kubeconfig's `token` when it sets both token and tokenFile: used until the
  // file has been read successfully once (client-go: "the last successfully read value takes
  // precedence over Token").
  explicit TokenFile(std::string path, std::string fallback = {});

  // Returns the token in the file, without surrounding whitespace. The file is read again
  // whenever its modification time, size or inode differ from the last read (kubelet rotates
  // projected tokens by swapping a symlink, which changes all three), so a rotated token is
  // seen on the next call without a timer.
  // When the file cannot be read or is empty: returns the last token read successfully, else the
  // fallback, else FailedPrecondition "token file PATH: <why>" (NotFound when it does not exist).
  // A transient failure during rotation therefore never fails a request that a moment-old token
  // would still authenticate.
  // Known limit: a rewrite in place that keeps the size and lands within the same file-time tick
  // (a few milliseconds) is not noticed until the next change; writers that rename a new file
  // into place, as the kubelet and most tools do, are always noticed.
  Result<std::string> CurrentToken() const;

  const std::string& path() const { return path_; }
  const std::string& fallback() const { return fallback_; }

  // Equal when they name the same file and fallback (the caches are not compared).
  friend bool operator==(const TokenFile& a, const TokenFile& b) {
    return a.path_ == b.path_ && a.fallback_ == b.fallback_;
  }

 private:
  struct Cache;
  std::string path_;
  std::string fallback_;
  std::shared_ptr<Cache> cache_;
};

// Where a request's credentials come from.
using Credentials = std::variant<NoCredentials, BearerToken, TokenFile, ExecPlugin, BasicAuth>;

// The credentials to put on one request.
struct RequestAuth {
  std::string bearer_token;  // "Authorization: Bearer ..." when not empty
  std::string username;      // basic authentication when not empty
  std::string password;
  // The TLS client certificate and key (PEM): the config's, or an exec plugin's when it returns
  // one (which wins). Empty when none.
  std::string client_cert_pem;
  std::string client_key_pem;
  friend bool operator==(const RequestAuth&, const RequestAuth&) = default;
};

// One API server and how to authenticate to it. A plain value: copies share the credential
// caches (TokenFile, ExecPlugin), so copying is cheap and keeps one refresh per credential.
// Thread-compatible as a value; CurrentAuth() and InvalidateCredentials() may be called from any
// thread, on any copy (the shared caches lock).
struct ClientConfig {
  ServerUrl server;
  // PEM bytes of the CA bundle to trust (from certificate-authority-data or the file); empty
  // means the system's roots.
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;  // the name to verify in the server's certificate; "" = the host
  std::string proxy_url;        // proxy-url, as written
  std::string client_cert_pem;  // the TLS client certificate (PEM), or empty
  std::string client_key_pem;   // its private key (PEM), or empty
  Credentials credentials;
  std::string namespace_ = "default";  // the default namespace for namespaced requests
  // What the config was built from, for messages: "context \"kind\" of /home/me/.kube/config" or
  // "in-cluster service account".
  std::string origin;

  // Returns the credentials for the next request: a re-read token file, a cached or fresh exec
  // credential. Errors: TokenFile::CurrentToken's and ExecPlugin::Credential's.
  Result<RequestAuth> CurrentAuth() const;
  // Forgets cached credentials so the next CurrentAuth() fetches fresh ones; a client calls this
  // after a 401. A no-op for static credentials.
  void InvalidateCredentials() const;

  friend bool operator==(const ClientConfig&, const ClientConfig&) = default;
};

// Options of ResolveClientConfig: the CLI flags and where to look.
struct LoadOptions {
  std::string kubeconfig_path;  // --kubeconfig; wins over KUBECONFIG and default_paths
  std::string context;          // --context; wins over current-context
  std::string namespace_;       // --namespace; wins over the context's namespace
  EnvLookup env;                // reads KUBECONFIG; null means ProcessEnv()
  // Tried in order when neither kubeconfig_path nor KUBECONFIG is set (devflow passes
  // "<data-dir>/kubeconfig", then "~/.kube/config").
  std::vector<std::string> default_paths;
  // How exec plugins run (timeout, clock); `owner` is filled in by ResolveClientConfig.
  ExecOptions exec;
};

// Loads the kubeconfig (LoadKubeconfig precedence: kubeconfig_path > KUBECONFIG >
// default_paths), picks the context (options.context, else current-context) and resolves it.
// On success the namespace is options.namespace_, else the context's, else "default".
// Errors (each names the kubeconfig file(s)):
//   LoadKubeconfig's errors;
//   InvalidArgument  no context chosen (no --context and no current-context);
//   NotFound         context "x" not found in kubeconfig F; the context's cluster or user is
//                    not in the kubeconfig; a referenced file (CA, certificate, key, token file)
//                    does not exist;
//   InvalidArgument  the context names no cluster; the cluster has no server or a bad one; a
//                    certificate without its key (or the reverse); more than one authentication
//                    method (token/tokenFile, username/password, exec); an auth-provider or
//                    impersonation (unsupported); an exec config without command or a supported
//                    apiVersion, with a nameless env entry, without interactiveMode under v1, or
//                    with interactiveMode Always (devflow has no terminal);
//   FailedPrecondition  a referenced file cannot be read, or a token file is empty.
Result<ClientConfig> ResolveClientConfig(const LoadOptions& options);

// Resolves context `context_name` of an already loaded kubeconfig (the part of
// ResolveClientConfig after loading; same errors). `namespace_override` may be empty.
Result<ClientConfig> ResolveContext(const Kubeconfig& config, const std::string& context_name,
                                    const std::string& namespace_override,
                                    const ExecOptions& exec_options);

}  // namespace devflow::kube
