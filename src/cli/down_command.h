// `devflow down [--data-dir DIR]`: stops what a stopped `devflow serve` left running on this
// machine: the pods' processes (SIGTERM to each process group, SIGKILL after 10 s) and HAProxy.
// `devflow serve` leaves them serving on purpose, as a stopped kubelet leaves its containers, so
// that a restart does not interrupt traffic; `down` is for taking the machine's workloads off
// (the end of a demo, a maintenance). The API objects stay: the next `devflow serve` starts the
// pods again. Refuses while a `devflow serve` answers on the data directory's kubeconfig, and
// signals only processes its records prove are its own.
#pragma once

#include <ostream>
#include <string>

namespace devflow::cli {

struct DownFlags {
  std::string data_dir;  // --data-dir; empty: apiserver::DefaultDataDir()
};

int RunDown(const DownFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace devflow::cli
