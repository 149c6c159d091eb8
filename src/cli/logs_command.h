// `devflow logs POD [-c CONTAINER] [-f] [--tail N]`: prints a pod's container log, as
// `kubectl logs` does, through the pods/log subresource (on one machine the embedded server
// reads the files the process runtime writes).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "cli/kube_flags.h"

namespace devflow::cli {

struct LogsFlags {
  std::string pod;                     // "web-1", "pod/web-1" or "pods/web-1"
  std::string container;               // -c; empty: the pod's only container
  bool follow = false;                 // -f
  std::optional<int64_t> tail;         // --tail; unset (or -1): everything
  std::optional<int64_t> limit_bytes;  // --limit-bytes
};

// The pods/log path with its query, e.g.
// "/api/v1/namespaces/prod/pods/web-1/log?container=app&follow=true&tailLines=10".
// Errors: InvalidArgument for a resource prefix other than pod/pods.
Result<std::string> PodLogPath(const std::string& ns, const LogsFlags& flags);

int RunLogs(const KubeFlags& flags, const LogsFlags& logs, std::ostream& out, std::ostream& err);

}  // namespace devflow::cli
