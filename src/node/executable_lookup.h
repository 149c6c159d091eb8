// Finding the program a container runs, as execvp(3) would, but with the container's PATH.
//
// Container processes get exactly the environment of their spec (nothing of devflow's), so the
// program named by argv[0] is looked up in that environment's PATH, not in devflow's. Looking it
// up before starting the process lets a missing program be an error of Start (as Kubernetes'
// CreateContainerError), not a process that exits at once.
//
// Thread-safety: free functions without state; call from any thread.
#pragma once

#include <map>
#include <string>

#include "common/result.h"

namespace devflow::node {

// The PATH used when the environment has none: the one container runtimes set by default.
inline constexpr const char* kDefaultSearchPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Resolves `name` (argv[0]) to the path to execute:
//   - a name with a '/' is used as is, relative to `working_dir` when relative;
//   - otherwise each directory of `env`'s PATH (kDefaultSearchPath when unset) is tried in
//     order; an empty entry means `working_dir`.
// The result is an executable regular file. Errors: InvalidArgument naming the program when it
// is empty, not found ("executable file \"app\" not found in $PATH (/usr/bin:/bin)"), a
// directory, or not executable.
Result<std::string> FindExecutable(const std::string& name,
                                   const std::map<std::string, std::string>& env,
                                   const std::string& working_dir);

}  // namespace devflow::node
