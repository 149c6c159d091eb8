// The pods/log subresource (`GET /api/v1/namespaces/NS/pods/NAME/log`), what `kubectl logs` and
// `devflow logs` read. On one machine a container's output is a file the process supervisor
// appends to (src/node/process_supervisor.h); the server only needs to know where that file is,
// which `devflow serve` tells it through a PodLogPath function, so this layer does not depend on
// the runtime.
//
// Answers, worded as kube-apiserver's:
//   200 text/plain        the log (the last `tailLines` lines, at most `limitBytes` bytes)
//   200 chunked           with follow=true: the log, then what is appended, until the pod is
//                         deleted, the client goes away or the server stops
//   400 BadRequest        "a container name must be specified for pod web-1, choose one of: [a b]"
//                         "container x is not valid for pod web-1"
//                         "container \"app\" in pod \"web-1\" is waiting to start: ..." (no file)
//                         a bad tailLines / limitBytes
//   400 BadRequest        "pod web-1 has no logs here: ..." when no runtime runs on this server
//   404 NotFound          pods "web-1" not found
// The log of a restarted container continues in the same file (its earlier runs come first);
// `previous`, `sinceSeconds`, `sinceTime` and `timestamps` are accepted and not applied.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "apiserver/api_status.h"
#include "common/json_value.h"
#include "http/server.h"

namespace devflow::apiserver {

// Where the output of `container` of pod `ns`/`pod` is written on this machine.
using PodLogPath = std::function<std::filesystem::path(
    const std::string& ns, const std::string& pod, const std::string& container)>;

struct PodLogQuery {
  std::string container;
  bool follow = false;
  std::optional<int64_t> tail_lines;
  std::optional<int64_t> limit_bytes;
  friend bool operator==(const PodLogQuery&, const PodLogQuery&) = default;
};

// Reads the query parameters against the stored pod: picks the container (the only one when
// none is named), checks the numbers. Pure.
std::variant<PodLogQuery, ApiStatus> ParsePodLogQuery(const http::Request& request,
                                                      const json::Value& pod);

// The part of `log` to answer: its last `tail_lines` lines (a last line without its newline
// counts), then at most `limit_bytes` bytes from the start of those. Pure.
std::string_view SelectLogText(std::string_view log, std::optional<int64_t> tail_lines,
                               std::optional<int64_t> limit_bytes);

// Streams followed logs: one thread per follower, polling the file every `poll`. A file that
// shrinks was rotated (copy-truncate) and is read again from its start.
// Thread-safe. The destructor ends every stream and joins the threads.
class PodLogFollowers {
 public:
  // Whether the pod is still there (same uid); called from the follower threads.
  using PodExists = std::function<bool()>;

  explicit PodLogFollowers(std::chrono::milliseconds poll = std::chrono::milliseconds(200));
  ~PodLogFollowers();
  PodLogFollowers(const PodLogFollowers&) = delete;
  PodLogFollowers& operator=(const PodLogFollowers&) = delete;

  // Starts the stream on `writer` with the text already selected (`initial`, which ends at byte
  // `offset` of the file), then follows the file from `offset`.
  void Follow(std::filesystem::path path, uint64_t offset, std::string initial,
              http::ResponseWriter writer, PodExists pod_exists);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace devflow::apiserver
