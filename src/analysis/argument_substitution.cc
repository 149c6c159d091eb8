#include "analysis/argument_substitution.h"

#include <string_view>
#include <utility>

#include "api/analysis_codec.h"
#include "api/decode.h"
#include "common/json_reader.h"

namespace devflow::analysis {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";
constexpr std::string_view kArgsPrefix = "args.";

// Go's strings.TrimSpace for ASCII whitespace.
std::string_view TrimSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// The JSON escaping of `value` without the surrounding quotes.
std::string JsonEscaped(std::string_view value) {
  std::string quoted;
  json::AppendQuoted(value, quoted);
  return quoted.substr(1, quoted.size() - 2);
}

// `text` with each tag replaced by `value_of(trimmed tag)` (nullptr: unresolved), escaped by
// `escape`, or the error message.
template <typename ValueOf, typename Escape>
Result<std::string> ReplaceTags(std::string_view text, const ValueOf& value_of,
                                const Escape& escape) {
  std::string out;
  size_t from = 0;
  for (size_t open = text.find(kOpen); open != std::string_view::npos;
       open = text.find(kOpen, from)) {
    const size_t close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) {
      return InvalidArgumentError("cannot parse template: no closing \"}}\" after \"" +
                                  std::string(text.substr(open, 40)) + "\"");
    }
    const std::string_view tag = text.substr(open + kOpen.size(), close - open - kOpen.size());
    const std::string* value = value_of(TrimSpace(tag));
    if (value == nullptr) {
      return InvalidArgumentError("failed to resolve {{" + std::string(tag) + "}}");
    }
    out.append(text.substr(from, open - from));
    out += escape(*value);
    from = close + kClose.size();
  }
  out.append(text.substr(from));
  return out;
}

const std::string* Find(const std::map<std::string, std::string>& values, std::string_view key) {
  auto it = values.find(std::string(key));
  return it == values.end() ? nullptr : &it->second;
}

}  // namespace

Result<api::Metric> SubstituteArguments(const api::Metric& metric,
                                        const std::map<std::string, std::string>& values,
                                        const FieldPath& metric_path) {
  const std::string text = json::Write(api::Encode(metric));
  if (text.find(kOpen) == std::string::npos) return metric;
  Result<std::string> substituted = ReplaceTags(
      text,
      [&](std::string_view tag) {
        return tag.starts_with(kArgsPrefix) ? Find(values, tag.substr(kArgsPrefix.size()))
                                            : nullptr;
      },
      JsonEscaped);
  if (!substituted.ok()) {
    return InvalidArgumentError(substituted.error().message(), metric_path.str());
  }
  Result<json::Value> parsed = json::Parse(*substituted);
  if (!parsed.ok()) {
    // Values are inserted escaped, so this means a tag spanned a string's quotes.
    return InvalidArgumentError(
        "the metric is no longer JSON after substitution: " + parsed.error().message(),
        metric_path.str());
  }
  api::FieldErrors errors;
  api::Metric out = api::Decode<api::Metric>(*parsed, &errors);
  if (!errors.empty()) {
    const std::string inner = errors.front().path.str();
    return InvalidArgumentError(
        "after substitution: " + errors.front().message,
        inner.empty() ? metric_path.str() : metric_path.str() + "." + inner);
  }
  return out;
}

Result<std::string> SubstituteTags(std::string_view text,
                                   const std::map<std::string, std::string>& values) {
  return ReplaceTags(
      text, [&](std::string_view tag) { return Find(values, tag); },
      [](const std::string& value) { return value; });
}

}  // namespace devflow::analysis
