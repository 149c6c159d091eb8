// Kubeconfig: the v1 `Config` file kubectl reads (clusters, users, contexts, current-context),
// its loading from files and the merging of several files as kubectl merges `KUBECONFIG`.
//
// Only the fields devflow acts on are modelled; other members (extensions, disable-compression)
// are read past without error, as kubectl does. The values here are as written, except that:
//   - relative file paths (certificate-authority, client-certificate, client-key, tokenFile, and
//     an exec command containing '/') are already resolved against the directory of the file
//     that set them, so a merged config never depends on which file an entry came from;
//   - `*-data` fields ([]byte in Go, base64 in the file) hold the decoded bytes (decoded with
//     api::DecodeBase64, Go's rules for []byte).
// Turning a context into what a client needs (reading files, choosing credentials) is
// client_config.h's job.
//
// All types are plain values; the functions are thread-compatible and touch only the files named.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::kube {

// clusters[].cluster
struct KubeconfigCluster {
  std::string server;                      // server: "https://host:port[/path]"
  std::string certificate_authority;       // certificate-authority: a PEM file (path resolved)
  std::string certificate_authority_data;  // certificate-authority-data: PEM bytes (decoded)
  bool insecure_skip_tls_verify = false;   // insecure-skip-tls-verify
  std::string tls_server_name;             // tls-server-name: name to verify instead of the host
  std::string proxy_url;                   // proxy-url
  // extensions[name=client.authentication.k8s.io/exec].extension: handed to exec plugins as
  // spec.cluster.config when provideClusterInfo is set; null when absent.
  json::Value exec_extension;
  std::string origin;  // the file this entry was read from
  friend bool operator==(const KubeconfigCluster&, const KubeconfigCluster&) = default;
};

// users[].user.exec.env[]
struct ExecEnvVar {
  std::string name;
  std::string value;
  friend bool operator==(const ExecEnvVar&, const ExecEnvVar&) = default;
};

// users[].user.exec: a credential plugin (client.authentication.k8s.io, see exec_credential.h).
struct ExecConfig {
  std::string api_version;  // apiVersion: client.authentication.k8s.io/v1 or /v1beta1
  // command: an absolute path, a path relative to the kubeconfig (contains '/', resolved), or a
  // bare name looked up in PATH.
  std::string command;
  std::vector<std::string> args;      // args
  std::vector<ExecEnvVar> env;        // env: added to (or replacing in) the inherited environment
  std::string install_hint;           // installHint: shown when the plugin is missing or fails
  bool provide_cluster_info = false;  // provideClusterInfo: pass spec.cluster to the plugin
  std::string interactive_mode;       // interactiveMode: Never | IfAvailable | Always | ""
  friend bool operator==(const ExecConfig&, const ExecConfig&) = default;
};

// users[].user
struct KubeconfigUser {
  std::string token;                    // token: a bearer token
  std::string token_file;               // tokenFile: a file holding one (path resolved)
  std::string client_certificate;       // client-certificate: a PEM file (path resolved)
  std::string client_certificate_data;  // client-certificate-data: PEM bytes (decoded)
  std::string client_key;               // client-key: a PEM file (path resolved)
  std::string client_key_data;          // client-key-data: PEM bytes (decoded)
  std::string username;                 // username: basic authentication
  std::string password;                 // password: basic authentication
  std::optional<ExecConfig> exec;       // exec
  // auth-provider.name, when set: the legacy in-tree providers (gcp, azure, oidc), which devflow
  // rejects with a pointer to exec plugins rather than silently sending no credentials.
  std::string auth_provider;
  // as / as-uid / as-groups / as-user-extra: impersonation, which devflow does not implement and
  // therefore rejects (acting with more rights than the user asked for would be worse).
  bool impersonates = false;
  std::string origin;  // the file this entry was read from
  friend bool operator==(const KubeconfigUser&, const KubeconfigUser&) = default;
};

// contexts[].context
struct KubeconfigContext {
  std::string cluster;     // cluster: a key of Kubeconfig::clusters
  std::string user;        // user: a key of Kubeconfig::users; empty means no credentials
  std::string namespace_;  // namespace: empty means "default"
  std::string origin;      // the file this entry was read from
  friend bool operator==(const KubeconfigContext&, const KubeconfigContext&) = default;
};

// A whole kubeconfig, or several merged. Entries are keyed by their `name`.
struct Kubeconfig {
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::string current_context;  // current-context
  json::Object preferences;     // preferences, as written (devflow reads none of it)
  // The files read, in precedence order (for messages: "in kubeconfig a.yaml, b.yaml").
  std::vector<std::string> sources;
  friend bool operator==(const Kubeconfig&, const Kubeconfig&) = default;
};

// Parses the text of one kubeconfig file. `source` names the file in messages and is the base of
// relative paths (its directory; a bare file name leaves relative paths as written).
// An empty text (or one holding only comments) is an empty config, as for kubectl.
// Returns InvalidArgument "SOURCE:LINE:COL: FIELD: what is wrong" (one line per error, all
// errors reported) for malformed YAML, wrongly typed fields, bad base64 in *-data fields, a
// missing or repeated name, a kind other than Config or an apiVersion other than v1, and more
// than one YAML document.
Result<Kubeconfig> ParseKubeconfig(std::string_view text, const std::string& source);

// Reads and parses the file at `path`.
// Returns NotFound "kubeconfig PATH: No such file or directory" when it does not exist,
// FailedPrecondition "kubeconfig PATH: <strerror>" when it cannot be read, and ParseKubeconfig's
// errors.
Result<Kubeconfig> LoadKubeconfigFile(const std::string& path);

// Merges `from` into `into` as kubectl merges KUBECONFIG files: whatever `into` already has wins
// (map entries by name, a non-empty current-context, each preferences member); `from` only fills
// gaps. `from.sources` are appended to `into.sources`.
void MergeKubeconfig(Kubeconfig& into, const Kubeconfig& from);

// Where to look for kubeconfig files, in precedence order.
struct KubeconfigLocations {
  // --kubeconfig: when set, this file alone is read and must exist.
  std::string explicit_path;
  // The value of KUBECONFIG, or nullopt when unset. When set and non-empty, its ':'-separated
  // files are merged (first wins, missing files skipped) and default_paths are not consulted.
  std::optional<std::string> kubeconfig_env;
  // Otherwise, the first of these that exists is read (devflow passes
  // "<data-dir>/kubeconfig", then "~/.kube/config").
  std::vector<std::string> default_paths;
  friend bool operator==(const KubeconfigLocations&, const KubeconfigLocations&) = default;
};

// Loads the kubeconfig chosen by `locations`.
// Returns the parsed (and, for KUBECONFIG, merged) config, whose `sources` list the files read.
// Errors: LoadKubeconfigFile's for the explicit path or any existing file; InvalidArgument when
// KUBECONFIG lists no file ("KUBECONFIG=\":\" lists no files"); NotFound when none of the
// KUBECONFIG files exists, or when no explicit path and no KUBECONFIG are given and none of
// default_paths exists (the message lists what was tried).
Result<Kubeconfig> LoadKubeconfig(const KubeconfigLocations& locations);

}  // namespace devflow::kube
