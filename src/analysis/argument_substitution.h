// Substituting arguments into a metric (../shared/spec/argo-rollouts.md §5.4): every
// "{{args.<name>}}" in any string of a metric becomes the argument's value.
//
// As in Argo (analysisutil.SubstituteArgs with fasttemplate), the whole metric is encoded to
// JSON, each "{{ ... }}" tag is replaced in that text, and the text is decoded back. Templating
// therefore works in every string field alike: count, interval, failureLimit, queries, URLs,
// headers, job specs, and the keys of maps. The value is inserted JSON-escaped, so a value with
// quotes, backslashes or newlines stays inside its string. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "api/analysis.h"
#include "common/field_path.h"
#include "common/result.h"

namespace devflow::analysis {

// `metric` with every "{{args.<name>}}" replaced by values[name]. Whitespace inside the braces
// is trimmed ("{{ args.x }}" is "{{args.x}}"). Text without "{{" is left as it is.
// `metric_path` is the metric's path ("spec.metrics[2]"), given to errors.
// Errors (InvalidArgument at metric_path):
//   "failed to resolve {{<tag>}}" for a tag naming no known argument (the tag as written, with
//   its whitespace; any tag that is not args.<name> fails too, as in Argo);
//   "cannot parse template: ..." for a "{{" without a closing "}}";
//   a metric that no longer decodes after substitution (the field path of the problem added).
Result<api::Metric> SubstituteArguments(const api::Metric& metric,
                                        const std::map<std::string, std::string>& values,
                                        const FieldPath& metric_path);

// `text` with every "{{<tag>}}" replaced by values[<tag>] as it is (no escaping), the tag's
// surrounding whitespace trimmed: the experiment arguments' "{{templates.<t>.podTemplateHash}}".
// Errors as SubstituteArguments's: "failed to resolve {{<tag>}}", "cannot parse template: ...".
Result<std::string> SubstituteTags(std::string_view text,
                                   const std::map<std::string, std::string>& values);

}  // namespace devflow::analysis
