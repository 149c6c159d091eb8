#include "demo_flags.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace devflow::demo {
namespace {

constexpr size_t kMaxColorLength = 128;
constexpr int64_t kMaxLatencyMs = 3'600'000;
constexpr double kMaxCrashAfterSeconds = 366.0 * 24 * 3600;

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Status BadValue(std::string_view name, std::string_view accepted, std::string_view value) {
  return InvalidArgumentError(std::string(name) + ": must be " + std::string(accepted) + ", got " +
                              Quoted(value));
}

// from_chars, not stod/stoi: those accept leading spaces and trailing garbage ("5ms") and throw.
template <class T>
std::optional<T> ParseWhole(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

Result<int> ParsePort(std::string_view name, std::string_view value) {
  std::optional<int> port = ParseWhole<int>(value);
  if (!port || *port < 0 || *port > 65535) {
    return BadValue(name, "a port number from 0 to 65535", value);
  }
  return *port;
}

Result<std::string> ParseColor(std::string_view name, std::string_view value) {
  bool ok = !value.empty() && value.size() <= kMaxColorLength;
  for (char c : value) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '#' || c == '-' || c == '_' || c == '.';
    ok = ok && allowed;
  }
  if (!ok) {
    return BadValue(name, "1 to 128 letters, digits or \"#-_.\" (a colour such as green)", value);
  }
  return std::string(value);
}

Result<double> ParseErrorRate(std::string_view name, std::string_view value) {
  std::optional<double> rate = ParseWhole<double>(value);
  // The comparison is false for NaN, so "nan" is refused here too.
  if (!rate || !(*rate >= 0 && *rate <= 1)) {
    return BadValue(name, "a number from 0 to 1", value);
  }
  return *rate;
}

Result<std::chrono::milliseconds> ParseLatency(std::string_view name, std::string_view value) {
  std::optional<int64_t> ms = ParseWhole<int64_t>(value);
  if (!ms || *ms < 0 || *ms > kMaxLatencyMs) {
    return BadValue(name, "whole milliseconds from 0 to 3600000", value);
  }
  return std::chrono::milliseconds(*ms);
}

Result<std::chrono::milliseconds> ParseCrashAfter(std::string_view name, std::string_view value) {
  std::optional<double> seconds = ParseWhole<double>(value);
  if (!seconds || !(*seconds >= 0 && *seconds <= kMaxCrashAfterSeconds)) {
    return BadValue(name, "seconds from 0 to 31622400 (fractions allowed)", value);
  }
  return std::chrono::milliseconds(std::llround(*seconds * 1000));
}

Result<bool> ParseBool(std::string_view name, std::string_view value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return BadValue(name, "written alone, or =true or =false", value);
}

// Applies one flag that takes a value.
Status ApplyValueFlag(std::string_view name, std::string_view value, DemoOptions& options) {
  if (name == "--address") {
    if (value.empty()) return BadValue(name, "an IP address such as 127.0.0.1", value);
    options.address = std::string(value);
  } else if (name == "--port") {
    DEVFLOW_ASSIGN_OR_RETURN(options.port, ParsePort(name, value));
  } else if (name == "--color") {
    DEVFLOW_ASSIGN_OR_RETURN(options.color, ParseColor(name, value));
  } else if (name == "--error-rate") {
    DEVFLOW_ASSIGN_OR_RETURN(options.error_rate, ParseErrorRate(name, value));
  } else if (name == "--latency-ms") {
    DEVFLOW_ASSIGN_OR_RETURN(options.latency, ParseLatency(name, value));
  } else if (name == "--crash-after") {
    DEVFLOW_ASSIGN_OR_RETURN(options.crash_after, ParseCrashAfter(name, value));
  } else {
    return InvalidArgumentError("unknown flag " + std::string(name));
  }
  return Status::Ok();
}

bool TakesValue(std::string_view name) {
  return name == "--address" || name == "--port" || name == "--color" || name == "--error-rate" ||
         name == "--latency-ms" || name == "--crash-after";
}

}  // namespace

Result<DemoCommand> ParseDemoFlags(const std::vector<std::string>& args,
                                   const DemoEnvironment& env) {
  DemoCommand command;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      command.action = DemoAction::kPrintUsage;
      return command;
    }
    if (arg == "--version") {
      command.action = DemoAction::kPrintVersion;
      return command;
    }
  }

  DemoOptions& options = command.options;
  // The environment first, so that flags override it.
  if (env.port && !env.port->empty()) {
    DEVFLOW_ASSIGN_OR_RETURN(options.port, ParsePort("$PORT", *env.port));
  }
  bool color_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg.substr(0, 2) != "--") {
      return InvalidArgumentError("unexpected argument " + Quoted(arg) +
                                  ": every setting is a flag (--color " + std::string(arg) + "?)");
    }
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (name == "--fail-readiness") {
      options.fail_readiness = true;
      if (value) {
        DEVFLOW_ASSIGN_OR_RETURN(options.fail_readiness, ParseBool(name, *value));
      }
      continue;
    }
    if (!TakesValue(name)) return InvalidArgumentError("unknown flag " + std::string(name));
    if (!value) {
      if (i + 1 >= args.size()) return InvalidArgumentError(std::string(name) + ": needs a value");
      value = args[++i];
    }
    DEVFLOW_RETURN_IF_ERROR(ApplyValueFlag(name, *value, options));
    color_given = color_given || name == "--color";
  }
  if (!color_given && env.image_tag && !env.image_tag->empty()) {
    DEVFLOW_ASSIGN_OR_RETURN(options.color, ParseColor("$DEVFLOW_IMAGE_TAG", *env.image_tag));
  }
  return command;
}

std::string DemoUsage() {
  return R"(Usage: devflow-demo-app [flags]

A small web service for progressive-delivery demos. GET / serves a page that asks /color
50 times a second and paints one square per answer in the colour that answered.

Endpoints:
  GET /          the page (self-contained: no external resources)
  GET /color     {"color":"<colour>"} as application/json (500 with {"error":...} when failing)
  GET /healthz   200 "ok", or 503 with --fail-readiness
  GET /metrics   request counters in the Prometheus text format

Flags:
  --address IP          address to listen on (default 127.0.0.1)
  --port N              port to listen on (default $PORT, else 8080; 0 picks a free one)
  --color NAME          the colour to answer (default $DEVFLOW_IMAGE_TAG, else blue)
  --error-rate F        share of /color answers that are 500, from 0 to 1 (default 0)
  --latency-ms N        milliseconds added to every /color answer (default 0)
  --fail-readiness      /healthz answers 503
  --crash-after S       exit with status 1 after S seconds (fractions allowed)
  --version             print the version and exit
  -h, --help            print this help and exit

SIGTERM or SIGINT: stop accepting connections, finish the requests in flight, exit 0.
A bad flag exits 2.
)";
}

}  // namespace devflow::demo
