// `devflow serve`: runs the embedded API server (and, from later issues, the controllers and
// the one-machine runtime) until SIGINT or SIGTERM.
#pragma once

#include <ostream>
#include <string>

namespace devflow::cli {

struct ServeFlags {
  std::string data_dir;  // --data-dir; empty: apiserver::DefaultDataDir()
  std::string listen;    // --listen HOST:PORT; empty: apiserver::kDefaultListen
  bool tls = true;       // --no-tls turns it off
};

// Returns the process exit code: 0 after a clean stop on a signal, 1 when the server could not
// start (the reason is printed to `err`).
int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace devflow::cli
