// DemoHandler: the demo app's HTTP endpoints.
//
//   GET /         the page (demo_page.h)
//   GET /color    200 {"color":"<colour>"} (application/json, not cached), or, for the share
//                 --error-rate asks for, 500 {"error":"failure injected by --error-rate",...};
//                 either one --latency-ms late
//   GET /healthz  200 "ok", or 503 with --fail-readiness
//   GET /metrics  Prometheus text: /color answers by status code, /color requests in flight, and
//                 an info series carrying the colour
// HEAD is answered like GET without a body; other methods get 405, other paths 404.
//
// Thread-safety: Handle may run on several server threads at once, as http::Handler requires.
#pragma once

#include <atomic>
#include <cstdint>

#include "delayed_sender.h"
#include "demo_flags.h"
#include "http/server.h"

namespace devflow::demo {

// Whether the /color answer numbered `index` (0 for the first since start, in arrival order)
// is an injected failure, for `error_rate` in [0, 1]. Failures are spread evenly: among any
// first n answers, floor(n * error_rate) fail (the rate counted in millionths), so 0.25 fails
// answers 3, 7, 11, ..., 0 never fails and 1 always does.
bool IsInjectedError(uint64_t index, double error_rate);

class DemoHandler : public http::Handler {
 public:
  explicit DemoHandler(DemoOptions options);
  // Sends the answers still delayed by --latency-ms at once. Destroy the server first (its
  // Stop() waits for those answers, which this handler sends in time).
  ~DemoHandler() override = default;
  DemoHandler(const DemoHandler&) = delete;
  DemoHandler& operator=(const DemoHandler&) = delete;

  void Handle(const http::Request& request, http::ResponseWriter& writer) override;

  // /color requests received and not yet answered (those waiting out --latency-ms).
  int64_t color_in_flight() const { return in_flight_.load(); }

 private:
  void HandleColor(http::ResponseWriter& writer);
  http::Response Metrics() const;

  const DemoOptions options_;
  std::atomic<uint64_t> color_requests_{0};  // numbers /color requests in arrival order
  std::atomic<int64_t> in_flight_{0};
  std::atomic<uint64_t> answered_ok_{0};
  std::atomic<uint64_t> answered_failed_{0};
  DelayedSender sender_;  // last: destroyed first, while the counters it updates still exist
};

}  // namespace devflow::demo
