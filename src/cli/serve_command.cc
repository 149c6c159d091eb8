#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "analysis/providers/haproxy_provider.h"
#include "analysis/providers/provider_registry.h"
#include "apiserver/api_server.h"
#include "apiserver/data_dir.h"
#include "controller/analysis_run_controller.h"
#include "controller/experiment_controller.h"
#include "controller/rollout_controller.h"
#include "kube/api_client.h"
#include "kube/client_config.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "node/job_controller.h"
#include "node/node_runtime.h"
#include "node/replica_set_controller.h"

namespace devflow::cli {
namespace {

// A client of the server in this process, over loopback with the server's own token and CA.
Result<std::unique_ptr<kube::ApiClient>> ConnectToSelf(const apiserver::ApiServer& server) {
  kube::ClientConfig config;
  DEVFLOW_ASSIGN_OR_RETURN(config.server, kube::ParseServerUrl(server.url(), false));
  config.ca_pem = server.ca_pem();
  config.credentials = kube::BearerToken{server.token()};
  config.namespace_ = "default";
  // No client-side rate limit: the controllers and the server share this process, and the limit
  // (50 requests/s by default) capped what they could do, e.g. 50 measurements/s in all
  // (bench/analysis_bench). The server's own limits still apply.
  return kube::ApiClient::Create(config, kube::ApiClientOptions{.qps = 0});
}

// The directory of the running devflow binary ("" when unknown): devflow-demo-app is built and
// installed beside it.
std::filesystem::path OwnDirectory() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : self.parent_path();
}

// Everything serve runs, declared in start order so that destruction stops them in reverse.
struct Serving {
  std::unique_ptr<node::NodeRuntime> runtime;  // opened first: the server serves its logs
  std::unique_ptr<apiserver::ApiServer> server;
  std::unique_ptr<kube::ApiClient> client;
  std::unique_ptr<kube::InformerFactory> informers;
  std::unique_ptr<kube::EventSink> event_sink;
  std::unique_ptr<kube::EventRecorder> controller_events;
  std::unique_ptr<node::ReplicaSetController> replica_sets;
  std::unique_ptr<node::JobController> jobs;
  std::unique_ptr<kube::EventRecorder> rollout_events;
  std::unique_ptr<controller::RolloutController> rollouts;
  std::unique_ptr<analysis::providers::ProviderRegistry> providers;
  std::unique_ptr<kube::EventRecorder> analysis_events;
  std::unique_ptr<controller::AnalysisRunController> analysis_runs;
  std::unique_ptr<controller::ExperimentController> experiments;

  ~Serving() {
    if (runtime) runtime->Stop();
    if (experiments) experiments->Stop();
    if (analysis_runs) analysis_runs->Stop();
    if (rollouts) rollouts->Stop();
    if (jobs) jobs->Stop();
    if (replica_sets) replica_sets->Stop();
    if (rollout_events) rollout_events->Shutdown();
    if (analysis_events) analysis_events->Shutdown();
    if (informers) informers->Stop();
    if (controller_events) controller_events->Shutdown();
    if (server) server->Stop();
  }
};

Status Start(const ServeFlags& flags, const std::string& data_dir, Serving& serving) {
  if (flags.runtime) {
    DEVFLOW_ASSIGN_OR_RETURN(serving.runtime, node::NodeRuntime::Open(node::NodeRuntimeOptions{
                                                  .data_dir = data_dir,
                                                  .node_name = flags.node_name,
                                                  .bind_address = flags.bind_address,
                                                  .haproxy_binary = flags.haproxy,
                                                  .container_path_prefix = OwnDirectory(),
                                              }));
  }
  apiserver::ApiServerOptions options;
  options.data_dir = data_dir;
  if (!flags.listen.empty()) options.listen = flags.listen;
  options.tls = flags.tls;
  if (serving.runtime) options.pod_log_path = serving.runtime->LogPath();
  DEVFLOW_ASSIGN_OR_RETURN(serving.server, apiserver::ApiServer::Start(options));

  DEVFLOW_ASSIGN_OR_RETURN(serving.client, ConnectToSelf(*serving.server));
  serving.informers = std::make_unique<kube::InformerFactory>(*serving.client);
  serving.event_sink = kube::NewEventSink(*serving.client);
  const auto runs = [&](const std::string& name) {
    return std::find(flags.controllers.begin(), flags.controllers.end(), name) !=
           flags.controllers.end();
  };
  for (const std::string& name : flags.controllers) {
    if (name != "replicaset" && name != "job" && name != "rollout" && name != "analysis" &&
        name != "experiment" && name != "none") {
      return InvalidArgumentError(
          "--controllers: unknown controller \"" + name +
          "\" (known: replicaset, job, rollout, analysis, experiment, none)");
    }
  }
  if (runs("replicaset")) {
    serving.controller_events = std::make_unique<kube::EventRecorder>(
        *serving.event_sink, kube::EventRecorderOptions{.component = "replicaset-controller"});
    serving.replica_sets = node::ReplicaSetController::Start(
        *serving.client, *serving.informers,
        node::ReplicaSetControllerOptions{.recorder = serving.controller_events.get()});
  }
  if (runs("job")) {
    // Jobs (the job metric provider's) run their pods as processes too.
    serving.jobs = node::JobController::Start(*serving.client, *serving.informers);
  }
  if (runs("rollout")) {
    // This process owns the data directory alone, so no leader election.
    serving.rollout_events = std::make_unique<kube::EventRecorder>(
        *serving.event_sink, kube::EventRecorderOptions{.component = "rollouts-controller"});
    serving.rollouts = controller::RolloutController::Start(
        *serving.client, *serving.informers,
        controller::RolloutControllerOptions{.recorder = serving.rollout_events.get()});
  }
  if (runs("analysis")) {
    analysis::providers::ProviderEnvironment environment =
        analysis::providers::ProviderEnvironment::FromProcess(serving.client.get());
    if (flags.runtime) {
      environment.haproxy_socket = analysis::providers::HaproxyRuntimeSocket(data_dir).string();
    }
    serving.providers = std::make_unique<analysis::providers::ProviderRegistry>(environment);
    serving.analysis_events = std::make_unique<kube::EventRecorder>(
        *serving.event_sink, kube::EventRecorderOptions{.component = "rollouts-controller"});
    serving.analysis_runs = controller::AnalysisRunController::Start(
        *serving.client, *serving.informers,
        controller::AnalysisRunControllerOptions{
            .recorder = serving.analysis_events.get(),
            .providers = [registry = serving.providers.get()](const api::Metric& metric) {
              return registry->Find(metric.provider);
            }});
  }
  if (runs("experiment")) {
    if (!serving.rollout_events) {
      serving.rollout_events = std::make_unique<kube::EventRecorder>(
          *serving.event_sink, kube::EventRecorderOptions{.component = "rollouts-controller"});
    }
    serving.experiments = controller::ExperimentController::Start(
        *serving.client, *serving.informers,
        controller::ExperimentControllerOptions{.recorder = serving.rollout_events.get()});
  }
  if (serving.runtime) {
    // Unavailable: the pods were not all listed in time; the kubelet catches up by itself.
    Status started = serving.runtime->Start(*serving.client, *serving.informers);
    if (!started.ok() && started.code() != StatusCode::kUnavailable) return started;
  } else {
    serving.informers->Start();
  }
  return Status::Ok();
}

}  // namespace

int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err) {
  const std::string data_dir =
      flags.data_dir.empty() ? apiserver::DefaultDataDir() : flags.data_dir;

  // Block the stop signals before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that vanishes mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);

  Serving serving;
  if (Status started = Start(flags, data_dir, serving); !started.ok()) {
    err << "devflow serve: " << started.message() << "\n";
    return 1;
  }
  out << "devflow serve: API server on " << serving.server->url() << ", data in " << data_dir
      << "\n";
  if (serving.runtime) {
    out << "devflow serve: running pods as processes; Services and Gateways on "
        << flags.bind_address << " through HAProxy (metrics: " << serving.runtime->MetricsUrl()
        << ")\n";
  } else {
    out << "devflow serve: --no-runtime: no pods run here\n";
  }
  out << "  kubectl --kubeconfig " << serving.server->kubeconfig_path() << " get rollouts\n"
      << std::flush;

  int received = 0;
  sigwait(&stop_signals, &received);
  out << "devflow serve: " << (received == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping"
      << (serving.runtime ? " (pods and HAProxy keep serving)" : "") << "\n"
      << std::flush;
  return 0;
}

}  // namespace devflow::cli
