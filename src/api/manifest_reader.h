// Reads manifests: a stream of YAML documents separated by "---", or JSON, possibly holding
// `List` kinds (kind: List, or any *List with items[]) whose items are expanded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"
#include "common/source_map.h"

namespace devflow::api {

// One object read from a source, with where each of its fields was written.
struct Manifest {
  std::string source;   // the file name ("-" for standard input)
  int document = 0;     // 0-based index of the YAML document in the source
  json::Value object;   // the object as written (numbers, strings and booleans typed per YAML 1.1,
                        // as kubectl reads them)
  SourceMap positions;  // field path -> line and column in `source`
};

// Parses `text`. JSON is recognised by a leading '{' or '['; everything else is YAML. Empty
// documents are skipped. A `List` document becomes one Manifest per item.
// Returns InvalidArgument "SOURCE:LINE:COL: <what is wrong>" for malformed text, duplicate keys
// and a document that is not a mapping.
Result<std::vector<Manifest>> ReadManifests(std::string_view text, const std::string& source);

}  // namespace devflow::api
