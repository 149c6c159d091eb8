// YAML is read with yaml-cpp, kept out of every header. Scalars are typed the way kubectl's
// decoder (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1) types them: quoted scalars are
// strings; plain ones are null, bool (true/yes/on/y...), int (decimal, 0x, 0o, legacy 0-octal,
// underscores allowed), float (incl. .inf/.nan) or else string. Explicit !!str/!!int/... tags win.
#include "api/manifest_reader.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/json_reader.h"

namespace devflow::api {
namespace {

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

std::string At(const std::string& source, const YAML::Mark& mark) {
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Mark ToMark(const YAML::Mark& m) { return Mark{m.line + 1, m.column + 1}; }

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (s == o) return true;
  }
  return false;
}

bool ParseYamlInt(std::string s, int64_t& out) {
  std::string digits;
  for (char c : s) {
    if (c != '_') digits += c;
  }
  if (digits.empty()) return false;
  bool negative = false;
  size_t i = 0;
  if (digits[0] == '+' || digits[0] == '-') {
    negative = digits[0] == '-';
    i = 1;
  }
  std::string body = digits.substr(i);
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    base = 16;
    body = body.substr(2);
  } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) {
    base = 8;
    body = body.substr(2);
  } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B')) {
    base = 2;
    body = body.substr(2);
  } else if (body.size() > 1 && body[0] == '0') {
    base = 8;  // YAML 1.1 legacy octal, as go-yaml v2 reads "0777"
  }
  if (body.empty()) return false;
  for (char c : body) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                         : (c >= '0' && c < static_cast<char>('0' + std::min(base, 10)));
    if (!ok) return false;
  }
  errno = 0;
  unsigned long long v = std::strtoull(body.c_str(), nullptr, base);
  if (errno != 0) return false;
  if (!negative && v > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
    return false;
  }
  if (negative && v > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max()) + 1) {
    return false;
  }
  out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool ParseYamlFloat(const std::string& s, double& out) {
  if (IsOneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (IsOneOf(s, {"-.inf", "-.Inf", "-.INF"})) {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (IsOneOf(s, {".nan", ".NaN", ".NAN"})) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  // [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?
  std::string digits;
  bool seen_digit = false, seen_dot = false, seen_exp = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') continue;
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_dot && !seen_exp) {
      seen_dot = true;
    } else if ((c == 'e' || c == 'E') && seen_digit && !seen_exp) {
      seen_exp = true;
      if (i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')) {
        digits += c;
        c = s[++i];
      }
    } else if ((c == '+' || c == '-') && i == 0) {
    } else {
      return false;
    }
    digits += c;
  }
  if (!seen_digit || (!seen_dot && !seen_exp)) return false;
  char* end = nullptr;
  out = std::strtod(digits.c_str(), &end);
  return end == digits.c_str() + digits.size();
}

json::Value ResolvePlainScalar(const std::string& s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) return json::Value();
  if (IsOneOf(s, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})) {
    return json::Value(true);
  }
  if (IsOneOf(s, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"})) {
    return json::Value(false);
  }
  int64_t i;
  if (ParseYamlInt(s, i)) return json::Value(i);
  double d;
  if (ParseYamlFloat(s, d)) return json::Value(d);
  return json::Value(s);
}

class YamlConverter {
 public:
  YamlConverter(const std::string& source, SourceMap& positions)
      : source_(source), positions_(positions) {}

  Result<json::Value> Convert(const YAML::Node& node, const FieldPath& path, Mark key_mark,
                              int depth) {
    if (depth > 256) {
      return InvalidArgumentError(At(source_, node.Mark()) + ": nesting deeper than 256 levels");
    }
    Mark value_mark = ToMark(node.Mark());
    if (key_mark.line == 0) key_mark = value_mark;
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        positions_.Record(path, SourcePosition{key_mark, value_mark});
        return json::Value();
      case YAML::NodeType::Scalar: {
        json::Value v = ScalarValue(node);
        // Offsets into the text map to columns only for one-line text without escapes or quote
        // characters (folding and escapes shift them).
        const std::string& text = node.Scalar();
        bool quoted = node.Tag() == "!";
        bool simple = text.find_first_of("\n\\'\"") == std::string::npos;
        positions_.Record(path, SourcePosition{key_mark, value_mark, simple, quoted ? 1 : 0});
        return v;
      }
      case YAML::NodeType::Sequence: {
        positions_.Record(path, SourcePosition{key_mark, value_mark});
        json::Array items;
        size_t index = 0;
        for (const YAML::Node& item : node) {
          DEVFLOW_ASSIGN_OR_RETURN(json::Value v,
                                   Convert(item, path.Index(index), Mark{}, depth + 1));
          items.push_back(std::move(v));
          ++index;
        }
        return json::Value(std::move(items));
      }
      case YAML::NodeType::Map: {
        positions_.Record(path, SourcePosition{key_mark, value_mark});
        json::Object members;
        for (const auto& entry : node) {
          const YAML::Node& key = entry.first;
          if (!key.IsScalar()) {
            return InvalidArgumentError(At(source_, key.Mark()) + ": mapping keys must be scalars");
          }
          std::string name = key.Scalar();
          if (members.Contains(name)) {
            return InvalidArgumentError(At(source_, key.Mark()) + ": " +
                                        (path.empty() ? "" : path.str() + ": ") +
                                        "duplicate key \"" + name + "\"");
          }
          DEVFLOW_ASSIGN_OR_RETURN(json::Value v, Convert(entry.second, path.Child(name),
                                                          ToMark(key.Mark()), depth + 1));
          members.Set(std::move(name), std::move(v));
        }
        return json::Value(std::move(members));
      }
    }
    return json::Value();
  }

 private:
  static json::Value ScalarValue(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    if (tag == "!") return json::Value(text);  // quoted
    if (tag.rfind(kYamlTagPrefix, 0) == 0) {
      std::string_view t = std::string_view(tag).substr(kYamlTagPrefix.size());
      if (t == "str") return json::Value(text);
      json::Value resolved = ResolvePlainScalar(text);
      if (t == "int" && resolved.is_int()) return resolved;
      if (t == "float" && resolved.is_number()) return json::Value(resolved.as_double());
      if (t == "bool" && resolved.is_bool()) return resolved;
      if (t == "null") return json::Value();
      return json::Value(text);
    }
    return ResolvePlainScalar(text);
  }

  const std::string& source_;
  SourceMap& positions_;
};

// Splits a `List` into its items; any other object is returned as is.
void AppendExpanded(Manifest manifest, std::vector<Manifest>& out) {
  const json::Value* kind = manifest.object.Find("kind");
  const json::Value* items = manifest.object.Find("items");
  bool is_list = kind != nullptr && kind->is_string() && kind->as_string().size() >= 4 &&
                 kind->as_string().ends_with("List") && items != nullptr && items->is_array();
  if (!is_list) {
    out.push_back(std::move(manifest));
    return;
  }
  const json::Array& array = items->as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    Manifest item;
    item.source = manifest.source;
    item.document = manifest.document;
    item.object = array[i];
    item.positions = manifest.positions.Subtree(FieldPath("items").Index(i));
    out.push_back(std::move(item));
  }
}

Status NotAnObject(const std::string& source, Mark at, const json::Value& v) {
  return InvalidArgumentError(source + ":" + std::to_string(at.line) + ":" +
                              std::to_string(at.column) + ": a manifest must be a mapping, got " +
                              std::string(json::TypeName(v.type())));
}

Result<std::vector<Manifest>> ReadJson(std::string_view text, const std::string& source) {
  SourceMap positions;
  auto parsed = json::Parse(text, &positions);
  if (!parsed.ok()) return InvalidArgumentError(source + ": " + parsed.error().message());
  std::vector<Manifest> out;
  if (parsed->is_array()) {
    // A JSON array of objects is accepted as a list of manifests.
    const json::Array& array = parsed->as_array();
    for (size_t i = 0; i < array.size(); ++i) {
      FieldPath at = FieldPath().Index(i);
      if (!array[i].is_object()) return NotAnObject(source, positions.Locate(at), array[i]);
      AppendExpanded(Manifest{source, static_cast<int>(i), array[i], positions.Subtree(at)}, out);
    }
    return out;
  }
  if (!parsed->is_object()) return NotAnObject(source, Mark{1, 1}, *parsed);
  AppendExpanded(Manifest{source, 0, std::move(parsed).value(), std::move(positions)}, out);
  return out;
}

}  // namespace

Result<std::vector<Manifest>> ReadManifests(std::string_view text, const std::string& source) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::vector<Manifest>{};
  if (text[first] == '{' || text[first] == '[') return ReadJson(text, source);

  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(At(source, e.mark) + ": " + e.msg);
  }
  std::vector<Manifest> out;
  int index = 0;
  for (const YAML::Node& document : documents) {
    int this_index = index++;
    if (!document.IsDefined() || document.IsNull()) continue;
    Manifest manifest;
    manifest.source = source;
    manifest.document = this_index;
    YamlConverter converter(source, manifest.positions);
    try {
      DEVFLOW_ASSIGN_OR_RETURN(manifest.object,
                               converter.Convert(document, FieldPath(), Mark{}, 0));
    } catch (const YAML::Exception& e) {
      return InvalidArgumentError(At(source, e.mark) + ": " + e.msg);
    }
    if (!manifest.object.is_object()) {
      return NotAnObject(source, ToMark(document.Mark()), manifest.object);
    }
    AppendExpanded(std::move(manifest), out);
  }
  return out;
}

}  // namespace devflow::api
