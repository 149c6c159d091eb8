// Finds and reads manifest files named on the command line.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "common/result.h"

namespace devflow::cli {

struct SourceText {
  std::string name;  // the path as given, or "-" for standard input
  std::string text;
};

// Expands each path: a directory becomes its *.yaml, *.yml and *.json files (recursively, sorted),
// a file stays itself, "-" reads `in`. Returns NotFound or Unavailable naming the path when a path
// does not exist or cannot be read.
Result<std::vector<SourceText>> ReadSources(const std::vector<std::string>& paths,
                                            std::istream& in);

}  // namespace devflow::cli
