#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include "apiserver/api_server.h"
#include "apiserver/data_dir.h"

namespace devflow::cli {

int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err) {
  apiserver::ApiServerOptions options;
  options.data_dir = flags.data_dir.empty() ? apiserver::DefaultDataDir() : flags.data_dir;
  if (!flags.listen.empty()) options.listen = flags.listen;
  options.tls = flags.tls;

  // Block the stop signals before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that vanishes mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<apiserver::ApiServer>> server = apiserver::ApiServer::Start(options);
  if (!server.ok()) {
    err << "devflow serve: " << server.status().message() << "\n";
    return 1;
  }
  out << "devflow serve: API server on " << (*server)->url() << ", data in " << options.data_dir
      << "\n"
      << "  kubectl --kubeconfig " << (*server)->kubeconfig_path() << " get rollouts\n"
      << std::flush;

  int received = 0;
  sigwait(&stop_signals, &received);
  out << "devflow serve: " << (received == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping\n"
      << std::flush;
  (*server)->Stop();
  return 0;
}

}  // namespace devflow::cli
