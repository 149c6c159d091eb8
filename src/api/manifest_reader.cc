// YAML is read with libyaml's event parser (kept out of every header). yaml-cpp was the first
// choice, but the fuzzer found 300-byte inputs on which yaml-cpp 0.7 allocates without bound
// (docs/architecture.md, "YAML"). libyaml gives events with positions and scalar styles; this file
// builds json::Values from them, expanding aliases under a size bound.
//
// Scalars are typed the way kubectl's decoder (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1)
// types them: quoted and block scalars are strings; plain ones are null, bool (true/yes/on/y...),
// int (decimal, 0x, 0o, legacy 0-octal, underscores allowed), float (incl. .inf/.nan) or else
// string. Explicit !!str/!!int/... tags win. Merge keys (<<) are honoured, as go-yaml does.
#include "api/manifest_reader.h"

#include <yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "common/json_reader.h"

namespace devflow::api {
namespace {

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";
// Alias expansion may not grow a document past this many values ("billion laughs").
constexpr size_t kMaxValues = 1000000;
constexpr int kMaxDepth = 256;

std::string At(const std::string& source, Mark mark) {
  return source + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

Mark ToMark(const yaml_mark_t& m) {
  return Mark{static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
}

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

// Owns a libyaml event and frees it on every path.
class Event {
 public:
  Event() = default;
  ~Event() {
    if (valid_) yaml_event_delete(&event_);
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  yaml_event_t* get() { return &event_; }
  void set_valid() { valid_ = true; }
  const yaml_event_t& operator*() const { return event_; }
  const yaml_event_t* operator->() const { return &event_; }

 private:
  yaml_event_t event_{};
  bool valid_ = false;
};

std::string_view ScalarText(const yaml_event_t& e) {
  return std::string_view(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
}

std::string_view TagOf(const yaml_event_t& e) {
  const yaml_char_t* tag = nullptr;
  if (e.type == YAML_SCALAR_EVENT) tag = e.data.scalar.tag;
  if (e.type == YAML_SEQUENCE_START_EVENT) tag = e.data.sequence_start.tag;
  if (e.type == YAML_MAPPING_START_EVENT) tag = e.data.mapping_start.tag;
  return tag == nullptr ? std::string_view() : reinterpret_cast<const char*>(tag);
}

std::string AnchorOf(const yaml_event_t& e) {
  const yaml_char_t* anchor = nullptr;
  if (e.type == YAML_SCALAR_EVENT) anchor = e.data.scalar.anchor;
  if (e.type == YAML_SEQUENCE_START_EVENT) anchor = e.data.sequence_start.anchor;
  if (e.type == YAML_MAPPING_START_EVENT) anchor = e.data.mapping_start.anchor;
  return anchor == nullptr ? std::string() : reinterpret_cast<const char*>(anchor);
}

json::Value ScalarValue(const yaml_event_t& e) {
  std::string text(ScalarText(e));
  std::string_view tag = TagOf(e);
  bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  if (tag == "!") return json::Value(std::move(text));
  if (tag.starts_with(kYamlTagPrefix)) {
    std::string_view t = tag.substr(kYamlTagPrefix.size());
    if (t == "str") return json::Value(std::move(text));
    json::Value resolved = ResolvePlainScalar(text);
    if (t == "int" && resolved.is_int()) return resolved;
    if (t == "float" && resolved.is_number()) return json::Value(resolved.as_double());
    if (t == "bool" && resolved.is_bool()) return resolved;
    if (t == "null") return json::Value();
    return json::Value(std::move(text));
  }
  if (!plain) return json::Value(std::move(text));
  return ResolvePlainScalar(text);
}

size_t CountValues(const json::Value& v) {
  size_t n = 1;
  if (v.is_array()) {
    for (const json::Value& item : v.as_array()) n += CountValues(item);
  } else if (v.is_object()) {
    for (const json::Member& m : v.as_object()) n += CountValues(m.value);
  }
  return n;
}

// Builds one document's json::Value from libyaml events, recording positions.
class YamlDocumentBuilder {
 public:
  YamlDocumentBuilder(yaml_parser_t& parser, const std::string& source, SourceMap& positions)
      : parser_(parser), source_(source), positions_(positions) {}

  // Reads the node that starts with `first` (already pulled).
  Result<json::Value> Node(Event& first, const FieldPath& path, Mark key_mark, int depth) {
    const yaml_event_t& e = *first;
    Mark value_mark = ToMark(e.start_mark);
    if (key_mark.line == 0) key_mark = value_mark;
    if (depth > kMaxDepth) {
      return InvalidArgumentError(At(source_, value_mark) + ": nesting deeper than " +
                                  std::to_string(kMaxDepth) + " levels");
    }
    json::Value value;
    switch (e.type) {
      case YAML_ALIAS_EVENT: {
        std::string name = reinterpret_cast<const char*>(e.data.alias.anchor);
        auto it = anchors_.find(name);
        if (it == anchors_.end()) {
          return InvalidArgumentError(At(source_, value_mark) + ": unknown anchor \"" + name +
                                      "\"");
        }
        DEVFLOW_RETURN_IF_ERROR(CountAndCheck(it->second.size, value_mark));
        positions_.Record(path, SourcePosition{key_mark, value_mark});
        return it->second.value;
      }
      case YAML_SCALAR_EVENT: {
        value = ScalarValue(e);
        std::string_view text = ScalarText(e);
        bool quoted = e.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                      e.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        bool inline_style = quoted || e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        // Offsets into the text map to columns only for one-line text without escapes or quote
        // characters (folding and escapes shift them).
        bool simple = inline_style && e.start_mark.line == e.end_mark.line &&
                      text.find_first_of("\n\\'\"") == std::string_view::npos;
        positions_.Record(path, SourcePosition{key_mark, value_mark, simple, quoted ? 1 : 0});
        DEVFLOW_RETURN_IF_ERROR(CountAndCheck(1, value_mark));
        break;
      }
      case YAML_SEQUENCE_START_EVENT: {
        positions_.Record(path, SourcePosition{key_mark, value_mark});
        DEVFLOW_RETURN_IF_ERROR(CountAndCheck(1, value_mark));
        json::Array items;
        while (true) {
          Event next;
          DEVFLOW_RETURN_IF_ERROR(Pull(next));
          if (next->type == YAML_SEQUENCE_END_EVENT) break;
          DEVFLOW_ASSIGN_OR_RETURN(json::Value item,
                                   Node(next, path.Index(items.size()), Mark{}, depth + 1));
          items.push_back(std::move(item));
        }
        value = json::Value(std::move(items));
        break;
      }
      case YAML_MAPPING_START_EVENT: {
        positions_.Record(path, SourcePosition{key_mark, value_mark});
        DEVFLOW_RETURN_IF_ERROR(CountAndCheck(1, value_mark));
        DEVFLOW_ASSIGN_OR_RETURN(value, Mapping(path, depth));
        break;
      }
      default:
        return InvalidArgumentError(At(source_, value_mark) + ": unexpected YAML event");
    }
    std::string anchor = AnchorOf(e);
    if (!anchor.empty()) anchors_[anchor] = Anchored{value, CountValues(value)};
    return value;
  }

  Status Pull(Event& event) {
    if (!yaml_parser_parse(&parser_, event.get())) return ParserError(parser_, source_);
    event.set_valid();
    return Status::Ok();
  }

  static Status ParserError(const yaml_parser_t& parser, const std::string& source) {
    std::string message = parser.problem != nullptr ? parser.problem : "malformed YAML";
    if (parser.context != nullptr) message += std::string(" ") + parser.context;
    return InvalidArgumentError(At(source, ToMark(parser.problem_mark)) + ": " + message);
  }

 private:
  struct Anchored {
    json::Value value;
    size_t size;
  };

  Status CountAndCheck(size_t n, Mark at) {
    values_ += n;
    if (values_ > kMaxValues) {
      return InvalidArgumentError(At(source_, at) + ": document expands to more than " +
                                  std::to_string(kMaxValues) + " values (too many aliases?)");
    }
    return Status::Ok();
  }

  Result<json::Value> Mapping(const FieldPath& path, int depth) {
    json::Object members;
    std::vector<json::Object> merged;  // from "<<" keys, applied after the explicit keys
    while (true) {
      Event key;
      DEVFLOW_RETURN_IF_ERROR(Pull(key));
      if (key->type == YAML_MAPPING_END_EVENT) break;
      Mark key_mark = ToMark(key->start_mark);
      if (key->type != YAML_SCALAR_EVENT) {
        return InvalidArgumentError(At(source_, key_mark) + ": mapping keys must be scalars");
      }
      std::string name(ScalarText(*key));
      bool merge = name == "<<" && key->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      if (!merge && members.Contains(name)) {
        return InvalidArgumentError(At(source_, key_mark) + ": " +
                                    (path.empty() ? "" : path.str() + ": ") + "duplicate key \"" +
                                    name + "\"");
      }
      Event value_event;
      DEVFLOW_RETURN_IF_ERROR(Pull(value_event));
      DEVFLOW_ASSIGN_OR_RETURN(json::Value v,
                               Node(value_event, path.Child(name), key_mark, depth + 1));
      if (merge) {
        DEVFLOW_RETURN_IF_ERROR(CollectMerge(v, key_mark, merged));
        continue;
      }
      members.Set(std::move(name), std::move(v));
    }
    for (const json::Object& source : merged) {
      for (const json::Member& m : source) {
        if (!members.Contains(m.key)) members.Set(m.key, m.value);
      }
    }
    return json::Value(std::move(members));
  }

  Status CollectMerge(const json::Value& v, Mark at, std::vector<json::Object>& merged) {
    if (v.is_object()) {
      merged.push_back(v.as_object());
      return Status::Ok();
    }
    if (v.is_array()) {
      for (const json::Value& item : v.as_array()) {
        if (!item.is_object()) break;
        merged.push_back(item.as_object());
      }
      if (merged.size() > 0) return Status::Ok();
    }
    return InvalidArgumentError(At(source_, at) +
                                ": a merge key (<<) needs a mapping or a list of mappings");
  }

  yaml_parser_t& parser_;
  const std::string& source_;
  SourceMap& positions_;
  std::map<std::string, Anchored> anchors_;
  size_t values_ = 0;
};

// Owns a libyaml parser.
class YamlParser {
 public:
  explicit YamlParser(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~YamlParser() { yaml_parser_delete(&parser_); }
  YamlParser(const YamlParser&) = delete;
  YamlParser& operator=(const YamlParser&) = delete;
  yaml_parser_t& get() { return parser_; }

 private:
  yaml_parser_t parser_{};
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

  YamlParser parser(text);
  std::vector<Manifest> out;
  int index = 0;
  while (true) {
    Event event;
    if (!yaml_parser_parse(&parser.get(), event.get())) {
      return YamlDocumentBuilder::ParserError(parser.get(), source);
    }
    event.set_valid();
    if (event->type == YAML_STREAM_END_EVENT) break;
    if (event->type != YAML_DOCUMENT_START_EVENT) continue;  // STREAM_START
    Manifest manifest;
    manifest.source = source;
    manifest.document = index++;
    YamlDocumentBuilder builder(parser.get(), source, manifest.positions);
    Event root;
    DEVFLOW_RETURN_IF_ERROR(builder.Pull(root));
    Mark root_mark = ToMark(root->start_mark);
    DEVFLOW_ASSIGN_OR_RETURN(manifest.object, builder.Node(root, FieldPath(), Mark{}, 0));
    Event end;
    DEVFLOW_RETURN_IF_ERROR(builder.Pull(end));  // DOCUMENT_END
    if (manifest.object.is_null()) continue;     // an empty document
    if (!manifest.object.is_object()) return NotAnObject(source, root_mark, manifest.object);
    AppendExpanded(std::move(manifest), out);
  }
  return out;
}

}  // namespace devflow::api
