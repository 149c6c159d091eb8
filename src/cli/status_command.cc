#include "cli/status_command.h"

#include <chrono>
#include <thread>

#include "api/decode.h"
#include "api/rollout_codec.h"
#include "cli/rollout_commands.h"
#include "kube/api_client.h"

namespace devflow::cli {
namespace {

const kube::ResourceRef kRollouts{
    .group = "argoproj.io", .version = "v1alpha1", .plural = "rollouts", .kind = "Rollout"};
constexpr std::chrono::milliseconds kPollInterval(500);

}  // namespace

std::string StatusLine(const core::RolloutPhase& phase) {
  if (phase.phase == "Healthy" || phase.phase == "Degraded" || phase.message.empty()) {
    return phase.phase;
  }
  return phase.phase + " - " + phase.message;
}

int RunStatus(const KubeFlags& flags, const StatusFlags& status, std::ostream& out,
              std::ostream& err) {
  Result<std::chrono::seconds> timeout = ParseDuration(status.timeout);
  if (!timeout.ok()) {
    err << "devflow status: " << timeout.status().message() << "\n";
    return 1;
  }
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow status: " << client.status().message() << "\n";
    return 1;
  }
  const std::string& ns = (*client)->config().namespace_;
  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  std::string last_line;
  while (true) {
    Result<json::Value> object = (*client)->Get(kRollouts, ns, status.name);
    if (!object.ok()) {
      err << "devflow status: " << object.status().message() << "\n";
      return 1;
    }
    const core::RolloutPhase phase =
        core::DisplayedRolloutPhase(api::Decode<api::Rollout>(*object));
    const std::string line = StatusLine(phase);
    if (line != last_line) out << line << "\n" << std::flush;
    last_line = line;
    if (phase.phase == "Degraded") {
      err << "Error: The rollout is in a degraded state with message: " << phase.message << "\n";
      return 1;
    }
    if (phase.phase == "Healthy" || !status.watch) return 0;
    if (timeout->count() > 0 && std::chrono::steady_clock::now() >= deadline) {
      err << "Error: Rollout status watch exceeded timeout\n";
      return 1;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace devflow::cli
