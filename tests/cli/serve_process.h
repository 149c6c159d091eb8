// Runs the real `devflow serve` binary for end-to-end tests: a fresh data directory, a free
// loopback port, and the kubeconfig it writes.
#pragma once

#include <sys/types.h>

#include <string>

namespace devflow::testing {

class ServeProcess {
 public:
  // A new temporary data directory, removed by the destructor. Without `runtime` the server runs
  // with --no-runtime (no pods run, no HAProxy), which is all most tests need.
  explicit ServeProcess(bool runtime = false);
  // Stops the server (SIGTERM, then SIGKILL), then, with the runtime, what it left running
  // (`devflow down`), and removes the data directory.
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Starts `devflow serve --data-dir DIR --listen 127.0.0.1:0 [--no-runtime] [extra]` and waits (up
  // to 30 s) until it has written a kubeconfig for this start. Returns false (with the server's
  // output in `log()`) when it exits or does not get there.
  bool Start(const std::string& extra_flags = "");
  // Sends `signal` and waits for the process to exit; returns its wait status.
  int Kill(int signal);
  bool running() const { return pid_ > 0; }

  const std::string& data_dir() const { return data_dir_; }
  std::string kubeconfig() const { return data_dir_ + "/kubeconfig"; }
  // The server line of the kubeconfig ("http://127.0.0.1:41234").
  std::string url() const;
  // What the server printed (stdout and stderr).
  std::string log() const;

 private:
  std::string data_dir_;
  bool runtime_ = false;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace devflow::testing
