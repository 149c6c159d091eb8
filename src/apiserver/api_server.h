// ApiServer: the embedded Kubernetes-compatible API server as one object, as `devflow serve`
// runs it: the SQLite store in the data directory, the resource catalog (with the stored
// CustomResourceDefinitions), the watch hub, the garbage collector and namespace controller, the
// REST handler and the HTTP(S) listener. Start() also makes the token and, with TLS, the CA, and
// writes DIR/kubeconfig (data_dir.h).
//
// Later issues attach the controllers and the one-machine runtime beside it, speaking to it
// through the Kubernetes client like any other client.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "apiserver/object_store.h"
#include "apiserver/pod_log.h"
#include "common/result.h"

namespace devflow::apiserver {

inline constexpr std::string_view kDefaultListen = "127.0.0.1:7443";

struct ApiServerOptions {
  // Required; created (mode 0700) when absent.
  std::string data_dir;
  // HOST:PORT ("127.0.0.1:7443", "[::1]:7443", "127.0.0.1:0" for a free port).
  std::string listen = std::string(kDefaultListen);
  // Serve HTTPS with a certificate from the data directory's CA (the default). Plain HTTP is for
  // devflow's own client and curl only: kubectl never sends a bearer token over plain HTTP
  // (kubernetes/kubectl#744), so with tls off kubectl gets 401.
  bool tls = true;
  // Require the token (tests of the server itself may turn it off; `devflow serve` never does).
  bool authenticate = true;
  int threads = 4;
  int64_t history_window = 10000;
  // How often idle watches that allow bookmarks get one.
  std::chrono::milliseconds bookmark_interval = std::chrono::minutes(1);
  // Where pods' logs are when a runtime runs on this machine (pods/log); null: none runs.
  PodLogPath pod_log_path;
};

class ApiServer {
 public:
  // Opens the store, loads the CRDs, ensures the system namespaces, starts the collector and
  // the listener, and writes the kubeconfig. Errors name what failed: InvalidArgument for a bad
  // listen address; FailedPrecondition when another server holds the data directory or a
  // credential file is readable by others; Unavailable when the port is taken or a file cannot
  // be written.
  static Result<std::unique_ptr<ApiServer>> Start(const ApiServerOptions& options);
  ~ApiServer();  // Stop()s.
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Stops accepting, ends watches, stops the collector and closes the store. Idempotent.
  void Stop();

  // "http://127.0.0.1:PORT" or "https://..." with the bound port.
  std::string url() const;
  int port() const;
  const std::string& token() const;
  // The CA certificate (PEM) clients must trust; empty without TLS.
  const std::string& ca_pem() const;
  std::string kubeconfig_path() const;
  // For tests and benchmarks that look beneath the REST layer.
  ObjectStore& store();

 private:
  struct Parts;
  explicit ApiServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace devflow::apiserver
