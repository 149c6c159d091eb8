#include "apiserver/api_server.h"

#include <charconv>
#include <utility>

#include "apiserver/data_dir.h"
#include "apiserver/garbage_collector.h"
#include "apiserver/namespace_controller.h"
#include "apiserver/resource_catalog.h"
#include "apiserver/rest_handler.h"
#include "apiserver/sqlite_store.h"
#include "apiserver/watch_hub.h"
#include "http/server.h"

namespace devflow::apiserver {
namespace {

struct ListenAddress {
  std::string host;
  int port = 0;
};

Result<ListenAddress> ParseListen(std::string_view text) {
  auto bad = [&](std::string why) {
    return Status(StatusCode::kInvalidArgument,
                  "--listen \"" + std::string(text) + "\": " + std::move(why) +
                      " (expected HOST:PORT, e.g. 127.0.0.1:7443 or [::1]:7443)");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 address must be in brackets");
  }
  if (host.empty()) return bad("no host");
  int value = -1;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) {
    return bad("the port must be a number 0..65535");
  }
  return ListenAddress{std::string(host), value};
}

}  // namespace

// Declared in the order they start; destroyed in reverse, so the listener goes first and the
// store last.
struct ApiServer::Parts {
  ApiServerOptions options;
  std::string token;
  std::string ca_pem;
  std::string host;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<ResourceCatalog> catalog;
  std::unique_ptr<WatchHub> hub;
  std::unique_ptr<GarbageCollector> collector;
  std::unique_ptr<NamespaceController> namespaces;
  std::unique_ptr<RestHandler> handler;
  std::unique_ptr<http::Server> server;
  bool stopped = false;
};

ApiServer::ApiServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ApiServer::~ApiServer() { Stop(); }

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const ApiServerOptions& options) {
  if (options.data_dir.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "no data directory: pass --data-dir or set DEVFLOW_DATA_DIR");
  }
  DEVFLOW_ASSIGN_OR_RETURN(ListenAddress listen, ParseListen(options.listen));
  auto parts = std::make_unique<Parts>();
  parts->options = options;
  parts->host = listen.host;
  DEVFLOW_RETURN_IF_ERROR(EnsureDataDir(options.data_dir));
  DEVFLOW_ASSIGN_OR_RETURN(parts->token, LoadOrCreateToken(options.data_dir));

  DEVFLOW_ASSIGN_OR_RETURN(parts->store,
                           SqliteStore::Open({.path = options.data_dir + "/devflow.db",
                                              .history_window = options.history_window}));
  parts->catalog = std::make_unique<ResourceCatalog>();
  DEVFLOW_RETURN_IF_ERROR(LoadCustomResourceDefinitions(*parts->store, *parts->catalog));
  DEVFLOW_RETURN_IF_ERROR(EnsureSystemNamespaces(*parts->store));

  WatchHubOptions hub_options;
  hub_options.bookmark_interval = options.bookmark_interval;
  parts->hub = std::make_unique<WatchHub>(*parts->store, hub_options);
  parts->collector = std::make_unique<GarbageCollector>(*parts->store, *parts->catalog);
  DEVFLOW_RETURN_IF_ERROR(parts->collector->Start());
  parts->namespaces = std::make_unique<NamespaceController>(*parts->store, *parts->catalog);
  DEVFLOW_RETURN_IF_ERROR(parts->namespaces->Start());

  RestHandlerOptions handler_options;
  if (options.authenticate) handler_options.token = parts->token;
  handler_options.pod_log_path = options.pod_log_path;
  parts->handler = std::make_unique<RestHandler>(std::move(handler_options), *parts->store,
                                                 *parts->catalog, *parts->hub);

  http::ServerOptions server_options;
  server_options.bind_address = listen.host == "localhost" ? "127.0.0.1" : listen.host;
  server_options.port = listen.port;
  server_options.threads = options.threads;
  if (options.tls) {
    DEVFLOW_ASSIGN_OR_RETURN(ServingTls tls, LoadOrCreateServingTls(options.data_dir, listen.host));
    parts->ca_pem = tls.ca.certificate_pem;
    server_options.tls = http::ServerTlsOptions{
        .certificate_chain_pem = tls.server.certificate_pem,
        .private_key_pem = tls.server.private_key_pem,
    };
  }
  parts->server = std::make_unique<http::Server>(server_options, *parts->handler);
  DEVFLOW_RETURN_IF_ERROR(parts->server->Start());

  std::unique_ptr<ApiServer> server(new ApiServer(std::move(parts)));
  DEVFLOW_RETURN_IF_ERROR(WriteKubeconfig(
      options.data_dir,
      {.server = server->url(), .token = server->token(), .ca_pem = server->ca_pem()}));
  return server;
}

void ApiServer::Stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  // Listener first (no new requests), then watches, then the background writers, then the store.
  parts_->server->Stop();
  parts_->hub->Stop();
  parts_->namespaces->Stop();
  parts_->collector->Stop();
}

std::string ApiServer::url() const {
  std::string host = parts_->host;
  if (host == "0.0.0.0" || host == "localhost") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(parts_->options.tls ? "https" : "http") + "://" + host + ":" +
         std::to_string(port());
}

int ApiServer::port() const { return parts_->server->port(); }
const std::string& ApiServer::token() const { return parts_->token; }
const std::string& ApiServer::ca_pem() const { return parts_->ca_pem; }
std::string ApiServer::kubeconfig_path() const { return parts_->options.data_dir + "/kubeconfig"; }
ObjectStore& ApiServer::store() { return *parts_->store; }

}  // namespace devflow::apiserver
