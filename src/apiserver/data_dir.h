// The data directory of `devflow serve`: what it keeps there besides the database, and the
// kubeconfig it writes for the CLI and kubectl.
//
//   DIR/devflow.db (+ -wal)   the object store (sqlite_store.h)
//   DIR/token                 the bearer token clients present (mode 0600), made on first start
//   DIR/pki/ca.crt, ca.key    the self-signed CA of --tls (key mode 0600), made on first start
//   DIR/pki/server.crt, .key  the serving certificate, reissued on every start with --tls
//   DIR/kubeconfig            server address, CA and token (mode 0600), rewritten on every start
//
// Every file is written whole or not at all (a temporary file, fsync, rename), so a kill during
// start-up never leaves a truncated token or kubeconfig behind.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "http/tls.h"

namespace devflow::apiserver {

// The default data directory: $DEVFLOW_DATA_DIR, else $XDG_DATA_HOME/devflow, else
// $HOME/.local/share/devflow. Empty when none of these is set.
std::string DefaultDataDir();

// Creates `dir` (and its parents) with mode 0700 when absent. Errors: Unavailable naming the
// directory and the system's reason.
Status EnsureDataDir(const std::string& dir);

// Returns the token in DIR/token, creating it (256 random bits, hex) when absent. A token file
// readable by group or others is refused (FailedPrecondition naming the file and its mode): the
// token is the only credential of the server.
Result<std::string> LoadOrCreateToken(const std::string& dir);

struct ServingTls {
  http::CertificateBundle ca;      // from DIR/pki/ca.*; made on first use
  http::CertificateBundle server;  // issued now for the listen address, localhost and 127.0.0.1
};

// Loads the CA (creating it on first use) and issues a serving certificate for `host` (an IP
// literal or a name) plus localhost, 127.0.0.1 and ::1; writes both into DIR/pki.
Result<ServingTls> LoadOrCreateServingTls(const std::string& dir, const std::string& host);

struct KubeconfigSpec {
  std::string server;  // "http://127.0.0.1:7443" or "https://..."
  std::string token;
  std::string ca_pem;  // empty for http
};

// The kubeconfig text: one cluster, user and context named "devflow", namespace "default".
std::string RenderKubeconfig(const KubeconfigSpec& spec);

// Writes RenderKubeconfig(spec) to DIR/kubeconfig (mode 0600) atomically.
Status WriteKubeconfig(const std::string& dir, const KubeconfigSpec& spec);

// Writes `content` to `path` atomically with `mode` (temporary file in the same directory,
// fsync, rename, fsync of the directory).
Status WriteFileAtomically(const std::string& path, std::string_view content, int mode);

}  // namespace devflow::apiserver
