// The command line of devflow-demo-app: flags and environment in, a typed command out.
//
// Parsing is a pure function (no getenv, no printing, no exit) so that main() only acts on its
// answer: serve, print the version, print the usage, or print the error and exit 2.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace devflow::demo {

// What the demo app serves and how badly it behaves. Every field has its flag; README.md lists
// them with examples.
struct DemoOptions {
  // --address: the IP address to listen on. 127.0.0.1 by default: on one machine the app is
  // reached through devflow's HAProxy on loopback, and a demo should not open a port to the
  // network unless asked (--address 0.0.0.0).
  std::string address = "127.0.0.1";
  // --port, else $PORT (what devflow's process runtime sets), else 8080. 0 picks a free port
  // (the bound one is printed at start).
  int port = 8080;
  // --color, else $DEVFLOW_IMAGE_TAG (so `image: rollouts-demo:green` serves green), else
  // "blue". Letters, digits and "#-_." only (1 to 128 characters): it is written into JSON and
  // HTML without escaping. The page draws a name the browser does not know as a colour derived
  // from the name.
  std::string color = "blue";
  // --error-rate: the share of /color answers that are 500, 0 to 1. Failures are spread evenly
  // (0.25: every fourth answer), not drawn at random, so a short test sees the exact share.
  double error_rate = 0;
  // --latency-ms: added to every /color answer (failed ones too).
  std::chrono::milliseconds latency{0};
  // --fail-readiness: /healthz answers 503.
  bool fail_readiness = false;
  // --crash-after SECONDS (fractions allowed): the process exits 1 that long after starting.
  std::optional<std::chrono::milliseconds> crash_after;

  friend bool operator==(const DemoOptions&, const DemoOptions&) = default;
};

// The environment variables the app reads; nullopt when unset. An empty value counts as unset.
struct DemoEnvironment {
  std::optional<std::string> port;       // $PORT
  std::optional<std::string> image_tag;  // $DEVFLOW_IMAGE_TAG

  friend bool operator==(const DemoEnvironment&, const DemoEnvironment&) = default;
};

enum class DemoAction {
  kServe,
  kPrintVersion,  // --version
  kPrintUsage,    // --help or -h
};

struct DemoCommand {
  DemoAction action = DemoAction::kServe;
  DemoOptions options;

  friend bool operator==(const DemoCommand&, const DemoCommand&) = default;
};

// Parses `args` (argv without argv[0]) with `env`. Flags are written "--name value" or
// "--name=value"; --fail-readiness takes no value (or "=true"/"=false"). A later flag repeats
// over an earlier one. When --version, --help or -h appears anywhere, that is the answer and
// nothing else is checked.
// Returns InvalidArgument for an unknown flag, a missing or malformed value, a value out of
// range, or a positional argument; the message names the flag (or variable), the value given
// and what is accepted, e.g. `--error-rate: must be a number from 0 to 1, got "1.5"`.
Result<DemoCommand> ParseDemoFlags(const std::vector<std::string>& args,
                                   const DemoEnvironment& env);

// The --help text, ending with a newline.
std::string DemoUsage();

}  // namespace devflow::demo
