#include "analysis/analysis_arguments.h"

#include <algorithm>
#include <utility>

#include "analysis/expr/go_format.h"
#include "api/decode.h"
#include "api/rollout_codec.h"

namespace devflow::analysis {
namespace {

// Kubernetes' FormatMap: k="v" lines sorted by key, without a trailing newline.
std::string FormatMap(const std::map<std::string, std::string>& entries) {
  std::string out;
  for (const auto& [key, value] : entries) {
    if (!out.empty()) out += '\n';
    out += key + "=";
    json::AppendQuoted(value, out);
  }
  return out;
}

// The downward API's reading of "metadata...." paths.
Result<std::string> MetadataFieldValue(const api::ObjectMeta& meta, std::string_view path) {
  // A subscripted path: metadata.labels['k'].
  const size_t open = path.find("['");
  if (open != std::string_view::npos && path.ends_with("']")) {
    const std::string_view field = path.substr(0, open);
    const std::string key(path.substr(open + 2, path.size() - open - 4));
    const std::map<std::string, std::string>* entries = nullptr;
    if (field == "metadata.labels") entries = &meta.labels;
    if (field == "metadata.annotations") entries = &meta.annotations;
    if (entries == nullptr) {
      return InvalidArgumentError("\"" + std::string(field) + "\" takes no subscript");
    }
    auto it = entries->find(key);
    return it == entries->end() ? std::string() : it->second;
  }
  if (path == "metadata.name") return meta.name;
  if (path == "metadata.namespace") return meta.namespace_;
  if (path == "metadata.uid") return meta.uid;
  if (path == "metadata.labels") return FormatMap(meta.labels);
  if (path == "metadata.annotations") return FormatMap(meta.annotations);
  return InvalidArgumentError("unsupported metadata field \"" + std::string(path) +
                              "\"; supported: metadata.name, metadata.namespace, metadata.uid, "
                              "metadata.labels['<key>'], metadata.annotations['<key>']");
}

// The path's sections: split at any run of '.', '[' and ']' (so "a.b[0].c" is a, b, 0, c).
std::vector<std::string_view> Sections(std::string_view path) {
  std::vector<std::string_view> sections;
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '.' || path[i] == '[' || path[i] == ']') {
      if (i > start) sections.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return sections;
}

std::optional<size_t> ParseIndex(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  size_t index = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  return index;
}

// Walks the Rollout's JSON along `path`.
Result<std::string> JsonFieldValue(const api::Rollout& rollout, std::string_view path) {
  const json::Value document = api::Encode(rollout);
  const json::Value* at = &document;
  std::string walked;
  for (std::string_view section : Sections(path)) {
    if (at->is_array()) {
      std::optional<size_t> index = ParseIndex(section);
      if (!index) {
        return InvalidArgumentError("\"" + walked + "\" is a list; \"" + std::string(section) +
                                    "\" is not an index");
      }
      if (*index >= at->as_array().size()) {
        return InvalidArgumentError("index " + std::to_string(*index) + " of \"" + walked +
                                    "\" is out of range (" + std::to_string(at->as_array().size()) +
                                    " elements)");
      }
      at = &at->as_array()[*index];
      walked += "[" + std::string(section) + "]";
      continue;
    }
    const json::Value* member = at->is_object() ? at->Find(section) : nullptr;
    walked += (walked.empty() ? "" : ".") + std::string(section);
    if (member == nullptr) {
      return InvalidArgumentError("the Rollout has no field \"" + walked + "\"");
    }
    at = member;
  }
  switch (at->type()) {
    case json::Type::kString:
      return at->as_string();
    case json::Type::kInt:
      return std::to_string(at->as_int());
    case json::Type::kDouble:
      return expr::FormatGoFloat(at->as_double());
    case json::Type::kBool:
      return std::string(at->as_bool() ? "true" : "false");
    case json::Type::kNull:
      return InvalidArgumentError("the Rollout has no field \"" + std::string(path) + "\"");
    default:
      return InvalidArgumentError("\"" + std::string(path) +
                                  "\" must end in a string, number or bool, not an " +
                                  std::string(json::TypeName(at->type())));
  }
}

}  // namespace

Result<std::string> RolloutFieldValue(const api::Rollout& rollout, std::string_view field_path) {
  if (field_path.starts_with("metadata")) return MetadataFieldValue(rollout.metadata, field_path);
  return JsonFieldValue(rollout, field_path);
}

Result<std::vector<api::Argument>> ResolveRolloutArguments(
    const api::Rollout& rollout, const std::vector<api::RolloutAnalysisArgument>& args,
    const PodTemplateHashes& hashes, const FieldPath& args_path) {
  std::vector<api::Argument> resolved;
  for (size_t i = 0; i < args.size(); ++i) {
    const api::RolloutAnalysisArgument& arg = args[i];
    api::Argument out;
    out.name = arg.name;
    out.value = arg.value;
    if (arg.value_from && arg.value_from->pod_template_hash_value) {
      const std::string& which = *arg.value_from->pod_template_hash_value;
      if (which == "Latest") {
        out.value = hashes.latest;
      } else if (which == "Stable") {
        out.value = hashes.stable;
      } else {
        return InvalidArgumentError(
            "must be Stable or Latest, got \"" + which + "\"",
            args_path.Index(i).Child("valueFrom").Child("podTemplateHashValue").str());
      }
    } else if (arg.value_from && arg.value_from->field_ref) {
      Result<std::string> value = RolloutFieldValue(rollout, arg.value_from->field_ref->field_path);
      if (!value.ok()) {
        return InvalidArgumentError(
            value.error().message(),
            args_path.Index(i).Child("valueFrom").Child("fieldRef").Child("fieldPath").str());
      }
      out.value = *std::move(value);
    }
    resolved.push_back(std::move(out));
  }
  return resolved;
}

Result<std::vector<api::Argument>> MergeArguments(const std::vector<api::Argument>& caller,
                                                  const std::vector<api::Argument>& template_args,
                                                  const FieldPath& caller_args_path) {
  std::vector<api::Argument> merged = template_args;
  for (const api::Argument& given : caller) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const api::Argument& a) { return a.name == given.name; });
    if (it == merged.end()) continue;
    if (given.value) {
      it->value = given.value;
      it->value_from.reset();
    } else if (given.value_from) {
      it->value_from = given.value_from;
    }
  }
  for (const api::Argument& arg : merged) {
    if (!arg.value && !arg.value_from) {
      return InvalidArgumentError("args." + arg.name + " was not resolved", caller_args_path.str());
    }
  }
  return merged;
}

Result<ResolvedArguments> ResolveArgumentValues(const std::vector<api::Argument>& args,
                                                const SecretLookup& secrets,
                                                const FieldPath& args_path) {
  ResolvedArguments resolved;
  for (size_t i = 0; i < args.size(); ++i) {
    const api::Argument& arg = args[i];
    const FieldPath path = args_path.Index(i);
    if (arg.value_from && arg.value_from->secret_key_ref) {
      Result<std::string> secret = secrets(*arg.value_from->secret_key_ref);
      if (!secret.ok()) {
        return Status(secret.error().code(), "args." + arg.name + ": " + secret.error().message(),
                      path.Child("valueFrom").Child("secretKeyRef").str());
      }
      resolved.secret_values.push_back(*secret);
      resolved.values[arg.name] = *std::move(secret);
    } else if (arg.value) {
      resolved.values[arg.name] = *arg.value;
    } else if (arg.value_from) {
      return InvalidArgumentError("args." + arg.name +
                                      " was not resolved: an AnalysisRun reads only "
                                      "valueFrom.secretKeyRef; fieldRef and podTemplateHashValue "
                                      "are resolved by whoever creates the run",
                                  path.Child("valueFrom").str());
    } else {
      return InvalidArgumentError("args." + arg.name + " was not resolved", path.str());
    }
  }
  return resolved;
}

std::string MaskSecretValues(std::string_view message,
                             const std::vector<std::string>& secret_values) {
  std::vector<std::string> secrets = secret_values;
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out(message);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 5)) {
      out.replace(at, secret.size(), "*****");
    }
  }
  return out;
}

}  // namespace devflow::analysis
