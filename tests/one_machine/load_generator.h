// LoadGenerator: steady HTTP/1.1 load for the one-machine end-to-end tests, counting answers by
// the colour the demo app names (`GET /color` answers {"color":"blue"}) and every failure.
//
// Each of `connections` threads keeps one keep-alive connection and sends requests at
// rate / connections per second (paced against a schedule, so a slow answer is followed by a
// catch-up burst, and the achieved rate shows when the target was not met). Plain sockets: what
// the test measures is exactly what went over the wire.
//
// What counts as a failure: a connection that cannot be made, a request that cannot be written,
// a connection closed or reset before the whole answer arrived, no whole answer within
// `timeout`, a status other than 2xx, or a 2xx body naming no colour. One exception, the rule
// every HTTP client follows for idempotent requests (RFC 9112 section 9.3.1; browsers, curl and
// http::Client do it): a request on a REUSED connection that the server closed before sending
// any byte of the answer (it closed the idle connection as the request went out) is sent again
// once on a new connection; it is counted in `retried` and fails only if the new attempt fails.
//
// Thread-safety: Start and Stop from one thread; Counts from any.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace devflow::testing {

struct LoadOptions {
  std::string host = "127.0.0.1";  // an IPv4 address literal
  int port = 0;                    // required
  std::string path = "/color";
  std::vector<std::pair<std::string, std::string>> headers;  // added to every request
  int connections = 8;                                       // threads, one connection each
  double rate = 1200;  // target requests per second, all threads together
  // Requests to send in all, then the threads end; 0 sends until Stop().
  int64_t request_limit = 0;
  // One request's budget: connecting, writing and reading the whole answer.
  std::chrono::milliseconds timeout{5000};
};

struct LoadFailure {
  std::chrono::milliseconds at{0};  // since Start
  std::string what;                 // e.g. "status 503", "connection refused"
  friend bool operator==(const LoadFailure&, const LoadFailure&) = default;
};

struct LoadCounts {
  int64_t answered = 0;  // 2xx answers naming a colour
  int64_t failed = 0;    // see the top
  int64_t retried = 0;   // requests sent again after an idle connection closed (not failures)
  std::map<std::string, int64_t> colors;    // colour -> answers
  std::vector<LoadFailure> first_failures;  // the first kKeptFailures, in order
  std::chrono::milliseconds elapsed{0};     // from Start to now (to Stop once stopped)

  int64_t completed() const { return answered + failed; }
  // Completed requests per second over `elapsed`.
  double rate() const;
  // The answers of `color` (0 when none).
  int64_t Of(const std::string& color) const;
  // Counts of `later` minus those of `earlier` (failure list: `later`'s failures after
  // `earlier`'s); for "what happened between two readings".
  static LoadCounts Between(const LoadCounts& earlier, const LoadCounts& later);
  // "answered 1234 (blue 600, green 634), failed 0, retried 1, 1201.3 req/s over 1.03 s" plus
  // the kept failures, one per line.
  std::string Summary() const;
};

inline constexpr size_t kKeptFailures = 10;

// The answer to one request.
struct FetchResult {
  int status = 0;     // 0: no answer (see error)
  std::string color;  // from a 2xx {"color":...} body; "" otherwise
  std::string error;  // "" when a 2xx answer named a colour; else what went wrong
  bool ok() const { return error.empty(); }
};

// One GET on a new connection (closed afterwards), with the options' host, port, path, headers
// and timeout.
FetchResult FetchOnce(const LoadOptions& options);

class LoadGenerator {
 public:
  explicit LoadGenerator(LoadOptions options);
  ~LoadGenerator();  // Stop()
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Starts the threads. REQUIRES: called once.
  void Start();
  // Stops sending, lets each thread finish the request in flight (at most `timeout`) and joins
  // them. Idempotent.
  void Stop();

  // The counts so far; may be called while running.
  LoadCounts Counts() const;
  // Whether request_limit requests have completed (false without a limit).
  bool Done() const;

 private:
  void Run(int index);
  void Record(const FetchResult& result, bool retried);
  bool stopping() const;

  const LoadOptions options_;
  std::chrono::steady_clock::time_point started_;
  std::vector<std::thread> threads_;

  mutable std::mutex mu_;
  bool stopping_ = false;                               // guarded by mu_
  int64_t tickets_ = 0;                                 // requests begun; guarded by mu_
  LoadCounts counts_;                                   // guarded by mu_ (elapsed unset)
  std::chrono::steady_clock::time_point stopped_at_{};  // guarded by mu_; set by Stop
};

}  // namespace devflow::testing
