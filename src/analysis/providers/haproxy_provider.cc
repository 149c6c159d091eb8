#include "analysis/providers/haproxy_provider.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <thread>
#include <utility>

#include "analysis/providers/prometheus_client.h"
#include "api/duration.h"

namespace devflow::analysis::providers {
namespace {

constexpr std::string_view kPath = "provider.haproxy";

std::string FieldOf(std::string_view field) {
  return std::string(kPath) + "." + std::string(field);
}

Result<std::string> StringField(const json::Object& object, std::string_view field) {
  const json::Value* value = object.Find(field);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) {
    return InvalidArgumentError("must be a string", FieldOf(field));
  }
  return value->as_string();
}

Result<HaproxyMetric> MetricNamed(std::string_view name) {
  if (name == "errorRate") return HaproxyMetric::kErrorRate;
  if (name == "requestRate") return HaproxyMetric::kRequestRate;
  if (name == "responseTime") return HaproxyMetric::kResponseTime;
  if (name == "totalTime") return HaproxyMetric::kTotalTime;
  return InvalidArgumentError(
      (name.empty() ? std::string("required") : "unknown metric \"" + std::string(name) + "\"") +
          ": must be one of errorRate, requestRate, responseTime, totalTime",
      FieldOf("metric"));
}

// The cells of one CSV line (HAProxy writes no quoted cells in `show stat`).
std::vector<std::string_view> Cells(std::string_view line) {
  std::vector<std::string_view> cells;
  for (;;) {
    size_t comma = line.find(',');
    cells.push_back(line.substr(0, comma));
    if (comma == std::string_view::npos) return cells;
    line.remove_prefix(comma + 1);
  }
}

Result<int64_t> Integer(std::string_view cell, std::string_view column) {
  if (cell.empty()) return int64_t{0};
  int64_t value = 0;
  auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error != std::errc() || end != cell.data() + cell.size()) {
    return InvalidArgumentError("show stat: column " + std::string(column) + " holds \"" +
                                std::string(cell) + "\", not an integer");
  }
  return value;
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Sends one command on HAProxy's runtime socket and reads the answer until HAProxy closes the
// connection (non-interactive mode: one line, then half-close).
Result<std::string> SendRuntimeCommand(const std::filesystem::path& socket_path,
                                       std::string_view command,
                                       std::chrono::milliseconds timeout) {
  const std::string path = socket_path.string();
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path)) {
    return InvalidArgumentError("socket path " + path + " is too long for a unix socket",
                                FieldOf("socket"));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return UnavailableError(Errno("socket"));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return UnavailableError(Errno("connecting to HAProxy's runtime socket " + path));
  }
  std::string request = std::string(command) + "\n";
  for (std::string_view rest = request; !rest.empty();) {
    ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError(Errno("writing to " + path));
    rest.remove_prefix(static_cast<size_t>(n));
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return DeadlineExceededError("no complete answer from " + path + " to \"" +
                                   std::string(command) + "\" within " +
                                   std::to_string(timeout.count()) + " ms");
    }
    pollfd ready{fd, POLLIN, 0};
    int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
    if (polled <= 0) continue;  // EINTR or timeout: the deadline check decides
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError(Errno("reading from " + path));
    if (n == 0) return answer;
    answer.append(buffer, static_cast<size_t>(n));
  }
}

bool IsServiceBackend(std::string_view backend, std::string_view namespace_,
                      std::string_view service) {
  // HaproxyProxyName("<ns>/<service>:<port>") is "<ns>.<service>:<port>".
  if (backend.size() <= namespace_.size() + 1 || !backend.starts_with(namespace_) ||
      backend[namespace_.size()] != '.') {
    return false;
  }
  if (service.empty()) return true;
  std::string_view rest = backend.substr(namespace_.size() + 1);
  return rest.size() > service.size() + 1 && rest.starts_with(service) &&
         rest[service.size()] == ':';
}

bool SelectsServer(const HaproxySelection& selection, const HaproxyStatRow& row) {
  if (!row.is_server || !IsServiceBackend(row.backend, selection.namespace_, selection.service)) {
    return false;
  }
  if (selection.pod_template_hash.empty()) return true;
  if (selection.revision_servers) return selection.revision_servers->contains(row.server);
  return ServerNameHasRevision(row.server, selection.pod_template_hash);
}

int64_t Increase(int64_t before, int64_t after) { return after >= before ? after - before : after; }

std::string Describe(const HaproxySelection& selection) {
  std::string text;
  if (!selection.pod_template_hash.empty()) {
    text = "revision " + selection.pod_template_hash;
  }
  if (!selection.service.empty()) {
    text += (text.empty() ? "" : " of ") + std::string("Service ") + selection.namespace_ + "/" +
            selection.service;
  }
  return text.empty() ? "namespace " + selection.namespace_ : text;
}

}  // namespace

Result<HaproxyMetricConfig> DecodeHaproxyMetricConfig(const json::Value& haproxy) {
  if (!haproxy.is_object()) {
    return InvalidArgumentError("must be an object", std::string(kPath));
  }
  const json::Object& object = haproxy.as_object();
  for (const auto& member : object) {
    static constexpr std::string_view kKnown[] = {"metric", "podTemplateHash", "service", "socket",
                                                  "window"};
    bool known = false;
    for (std::string_view name : kKnown) known = known || member.key == name;
    if (!known) {
      return InvalidArgumentError(
          "unknown field (known: metric, podTemplateHash, service, socket, window)",
          FieldOf(member.key));
    }
  }
  HaproxyMetricConfig config;
  DEVFLOW_ASSIGN_OR_RETURN(config.pod_template_hash, StringField(object, "podTemplateHash"));
  DEVFLOW_ASSIGN_OR_RETURN(config.service, StringField(object, "service"));
  DEVFLOW_ASSIGN_OR_RETURN(config.socket, StringField(object, "socket"));
  DEVFLOW_ASSIGN_OR_RETURN(std::string metric, StringField(object, "metric"));
  DEVFLOW_ASSIGN_OR_RETURN(config.metric, MetricNamed(metric));
  DEVFLOW_ASSIGN_OR_RETURN(std::string window, StringField(object, "window"));
  if (!window.empty()) {
    Result<std::chrono::nanoseconds> parsed = api::ParseGoDuration(window);
    if (!parsed.ok()) {
      return InvalidArgumentError(parsed.error().message(), FieldOf("window"));
    }
    if (*parsed <= std::chrono::nanoseconds::zero() || *parsed > kHaproxyMaxWindow) {
      return InvalidArgumentError("must be more than 0s and at most 5m, got \"" + window + "\"",
                                  FieldOf("window"));
    }
    config.window = *parsed;
  }
  if (config.pod_template_hash.empty() && config.service.empty()) {
    return InvalidArgumentError("set podTemplateHash (one revision), service, or both",
                                std::string(kPath));
  }
  return config;
}

Result<std::vector<HaproxyStatRow>> ParseShowStat(std::string_view answer) {
  std::map<std::string_view, size_t> columns;
  std::vector<HaproxyStatRow> rows;
  bool header = false;
  size_t needed = 0;
  auto column = [&](std::string_view name) -> std::optional<size_t> {
    auto it = columns.find(name);
    if (it == columns.end()) return std::nullopt;
    return it->second;
  };
  static constexpr std::string_view kResponseColumns[] = {"hrsp_1xx", "hrsp_2xx", "hrsp_3xx",
                                                          "hrsp_4xx", "hrsp_5xx", "hrsp_other"};
  static constexpr std::string_view kRequired[] = {"pxname",  "svname", "type", "stot",
                                                   "req_tot", "rtime",  "ttime"};
  while (!answer.empty()) {
    size_t end = answer.find('\n');
    std::string_view line = answer.substr(0, end);
    answer.remove_prefix(end == std::string_view::npos ? answer.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!header) {
      if (!line.starts_with("# ")) {
        return InvalidArgumentError("show stat answered \"" + std::string(line) +
                                    "\" instead of the CSV statistics");
      }
      std::vector<std::string_view> names = Cells(line.substr(2));
      for (size_t i = 0; i < names.size(); ++i) columns.emplace(names[i], i);
      for (std::string_view name : kRequired) {
        if (!column(name)) {
          return InvalidArgumentError("show stat has no column " + std::string(name));
        }
        needed = std::max(needed, *column(name) + 1);
      }
      for (std::string_view name : kResponseColumns) {
        if (!column(name)) {
          return InvalidArgumentError("show stat has no column " + std::string(name));
        }
        needed = std::max(needed, *column(name) + 1);
      }
      header = true;
      continue;
    }
    std::vector<std::string_view> cells = Cells(line);
    if (cells.size() < needed) {
      return InvalidArgumentError("show stat row \"" + std::string(line.substr(0, 80)) + "\" has " +
                                  std::to_string(cells.size()) + " cells, expected " +
                                  std::to_string(needed));
    }
    auto cell = [&](std::string_view name) { return cells[*column(name)]; };
    DEVFLOW_ASSIGN_OR_RETURN(int64_t type, Integer(cell("type"), "type"));
    if (type != 1 && type != 2) continue;  // frontends (0) and listeners (3)
    HaproxyStatRow row;
    row.backend = std::string(cell("pxname"));
    row.server = std::string(cell("svname"));
    row.is_server = type == 2;
    DEVFLOW_ASSIGN_OR_RETURN(int64_t sessions, Integer(cell("stot"), "stot"));
    DEVFLOW_ASSIGN_OR_RETURN(row.requests, Integer(cell("req_tot"), "req_tot"));
    if (cell("req_tot").empty()) row.requests = sessions;
    for (std::string_view name : kResponseColumns) {
      DEVFLOW_ASSIGN_OR_RETURN(int64_t count, Integer(cell(name), name));
      row.responses += count;
      if (name == "hrsp_5xx") row.responses_5xx = count;
    }
    DEVFLOW_ASSIGN_OR_RETURN(row.response_time_ms, Integer(cell("rtime"), "rtime"));
    DEVFLOW_ASSIGN_OR_RETURN(row.total_time_ms, Integer(cell("ttime"), "ttime"));
    rows.push_back(std::move(row));
  }
  if (!header) return InvalidArgumentError("show stat answered nothing");
  return rows;
}

bool ServerNameHasRevision(std::string_view server, std::string_view pod_template_hash) {
  // "<rollout>-<hash>-<5>": the hash sits between the last two dashes.
  constexpr size_t kSuffix = 5;
  if (pod_template_hash.empty() || server.size() < pod_template_hash.size() + kSuffix + 3) {
    return false;
  }
  std::string_view suffix = server.substr(server.size() - kSuffix);
  for (char c : suffix) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  std::string_view rest = server.substr(0, server.size() - kSuffix);
  std::string middle = "-" + std::string(pod_template_hash) + "-";
  return rest.ends_with(middle) && rest.size() > middle.size();
}

Result<HaproxyWindowCounts> CountWindow(const HaproxySelection& selection,
                                        const std::vector<HaproxyStatRow>& before,
                                        const std::vector<HaproxyStatRow>& after) {
  if (!selection.service.empty()) {
    bool found = false;
    for (const HaproxyStatRow& row : after) {
      found = found || IsServiceBackend(row.backend, selection.namespace_, selection.service);
    }
    if (!found) {
      return NotFoundError("HAProxy has no backend for Service " + selection.namespace_ + "/" +
                           selection.service + " (is it a Service with ports HAProxy routes?)");
    }
  }
  std::map<std::pair<std::string_view, std::string_view>, const HaproxyStatRow*> earlier;
  for (const HaproxyStatRow& row : before) {
    if (SelectsServer(selection, row)) earlier[{row.backend, row.server}] = &row;
  }
  HaproxyWindowCounts counts;
  for (const HaproxyStatRow& row : after) {
    if (!SelectsServer(selection, row)) continue;
    HaproxyStatRow zero;
    auto it = earlier.find({row.backend, row.server});
    const HaproxyStatRow& first = it == earlier.end() ? zero : *it->second;
    const int64_t responses = Increase(first.responses, row.responses);
    ++counts.servers;
    counts.requests += Increase(first.requests, row.requests);
    counts.responses += responses;
    counts.responses_5xx += Increase(first.responses_5xx, row.responses_5xx);
    counts.response_time_ms_weighted += static_cast<double>(row.response_time_ms) * responses;
    counts.total_time_ms_weighted += static_cast<double>(row.total_time_ms) * responses;
  }
  return counts;
}

Reading HaproxyReading(HaproxyMetric metric, const HaproxyWindowCounts& counts,
                       std::chrono::nanoseconds window) {
  const std::string window_text = api::FormatGoDuration(window);
  Reading reading;
  reading.metadata = {{"servers", std::to_string(counts.servers)},
                      {"requests", std::to_string(counts.requests)},
                      {"responses", std::to_string(counts.responses)},
                      {"responses5xx", std::to_string(counts.responses_5xx)},
                      {"window", window_text}};
  if (counts.servers == 0) {
    reading.result = nullptr;
    reading.message = "no HAProxy server matched: no data";
    return reading;
  }
  const bool traffic =
      metric == HaproxyMetric::kRequestRate ? counts.requests > 0 : counts.responses > 0;
  if (!traffic) {
    reading.result = nullptr;
    reading.message = "no " +
                      std::string(metric == HaproxyMetric::kRequestRate ? "request" : "response") +
                      " in the " + window_text + " window: no data";
    return reading;
  }
  double value = 0;
  switch (metric) {
    case HaproxyMetric::kRequestRate:
      value = static_cast<double>(counts.requests) / std::chrono::duration<double>(window).count();
      break;
    case HaproxyMetric::kErrorRate:
      value = static_cast<double>(counts.responses_5xx) / static_cast<double>(counts.responses);
      break;
    case HaproxyMetric::kResponseTime:
      value = counts.response_time_ms_weighted / static_cast<double>(counts.responses) / 1000.0;
      break;
    case HaproxyMetric::kTotalTime:
      value = counts.total_time_ms_weighted / static_cast<double>(counts.responses) / 1000.0;
      break;
  }
  reading.result = value;
  reading.value = FormatPrometheusValue(value);
  return reading;
}

std::filesystem::path HaproxyRuntimeSocket(const std::filesystem::path& data_dir) {
  return data_dir / "haproxy" / "runtime.sock";
}

Result<Reading> HaproxyProvider::Measure(const MeasurementRequest& request) {
  const std::optional<json::Value>& haproxy = request.metric.provider.haproxy;
  if (!haproxy) return InvalidArgumentError("not set", std::string(kPath));
  DEVFLOW_ASSIGN_OR_RETURN(HaproxyMetricConfig config, DecodeHaproxyMetricConfig(*haproxy));
  const std::filesystem::path socket =
      config.socket.empty() ? options_.default_socket : std::filesystem::path(config.socket);
  if (socket.empty()) {
    return InvalidArgumentError("no HAProxy runtime socket: set it, or run under devflow serve",
                                FieldOf("socket"));
  }
  HaproxySelection selection{.namespace_ = request.run.metadata.namespace_.empty()
                                               ? "default"
                                               : request.run.metadata.namespace_,
                             .service = config.service,
                             .pod_template_hash = config.pod_template_hash};
  if (!config.pod_template_hash.empty() && options_.revision_servers) {
    DEVFLOW_ASSIGN_OR_RETURN(
        selection.revision_servers,
        options_.revision_servers(selection.namespace_, config.pod_template_hash));
  }
  // Backends (type 2) and servers (type 4), every proxy: frontends carry no per-revision data.
  auto read = [&]() -> Result<std::vector<HaproxyStatRow>> {
    DEVFLOW_ASSIGN_OR_RETURN(std::string answer, SendRuntimeCommand(socket, "show stat -1 6 -1",
                                                                    options_.socket_timeout));
    return ParseShowStat(answer);
  };
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<HaproxyStatRow> before, read());
  if (options_.wait) {
    options_.wait(config.window);
  } else {
    std::this_thread::sleep_for(config.window);
  }
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<HaproxyStatRow> after, read());
  DEVFLOW_ASSIGN_OR_RETURN(HaproxyWindowCounts counts, CountWindow(selection, before, after));
  Reading reading = HaproxyReading(config.metric, counts, config.window);
  if (!reading.message.empty()) reading.message += " (" + Describe(selection) + ")";
  return reading;
}

}  // namespace devflow::analysis::providers
