#include "analysis/providers/json_path.h"

#include <charconv>
#include <utility>

namespace devflow::analysis::providers {
namespace {

using Step = JsonPath::Step;
using Part = JsonPath::Part;

Status ParseError(std::string what, size_t offset) {
  return InvalidArgumentError(std::move(what) + " at offset " + std::to_string(offset));
}

// Kubernetes' terminators of a member name after '.'.
bool IsNameTerminator(char c) {
  switch (c) {
    case ' ':
    case '.':
    case ',':
    case '[':
    case ']':
    case '$':
    case '@':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

// Parses one action, from after its '{' to after its '}'.
class ActionParser {
 public:
  ActionParser(std::string_view text, size_t pos) : text_(text), pos_(pos) {}

  size_t pos() const { return pos_; }

  Result<std::vector<Step>> Parse() {
    std::vector<Step> steps;
    SkipSpaces();
    if (Peek() == '$' || Peek() == '@') ++pos_;
    while (true) {
      SkipSpaces();
      if (AtEnd()) return ParseError("unclosed action", pos_);
      const char c = Peek();
      if (c == '}') {
        ++pos_;
        return steps;
      }
      if (c == '.') {
        DEVFLOW_RETURN_IF_ERROR(ParseDot(steps));
      } else if (c == '[') {
        DEVFLOW_ASSIGN_OR_RETURN(Step step, ParseBracket());
        steps.push_back(std::move(step));
      } else if (text_.substr(pos_).starts_with("range") || text_.substr(pos_).starts_with("end")) {
        return ParseError("range blocks are not supported", pos_);
      } else {
        return ParseError(std::string("unexpected '") + c + "'", pos_);
      }
    }
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void SkipSpaces() {
    while (!AtEnd() && text_[pos_] == ' ') ++pos_;
  }

  // A member name up to the next terminator; "\." is a literal dot.
  std::string ReadName() {
    std::string name;
    while (!AtEnd() && !IsNameTerminator(text_[pos_])) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      name += text_[pos_++];
    }
    return name;
  }

  Status ParseDot(std::vector<Step>& steps) {
    const size_t start = pos_;
    ++pos_;  // '.'
    if (Peek() == '.') {
      ++pos_;
      steps.push_back(Step{.kind = Step::Kind::kRecursive});
      // "..name" and "..*" name what to take from every level; "..[0]" leaves it to '['.
      if (Peek() == '[') return Status::Ok();
    }
    if (Peek() == '*') {
      ++pos_;
      steps.push_back(Step{.kind = Step::Kind::kWildcard});
      return Status::Ok();
    }
    std::string name = ReadName();
    if (name.empty()) return ParseError("missing member name after '.'", start);
    steps.push_back(Step{.kind = Step::Kind::kField, .name = std::move(name)});
    return Status::Ok();
  }

  // From '[' to after the matching ']'.
  Result<Step> ParseBracket() {
    const size_t open = pos_;
    ++pos_;
    // The members of the bracket, split at commas outside quotes.
    std::vector<std::pair<std::string, size_t>> items;
    std::string item;
    size_t item_start = pos_;
    char quote = 0;
    while (true) {
      if (AtEnd()) return ParseError("unterminated '['", open);
      const char c = text_[pos_];
      if (quote != 0) {
        if (c == '\\' && pos_ + 1 < text_.size()) {
          item += c;
          item += text_[++pos_];
        } else {
          item += c;
          if (c == quote) quote = 0;
        }
        ++pos_;
        continue;
      }
      if (c == '\'' || c == '"') quote = c;
      if (c == ',' || c == ']') {
        items.emplace_back(Trim(item), item_start);
        item.clear();
        ++pos_;
        item_start = pos_;
        if (c == ']') break;
        continue;
      }
      item += c;
      ++pos_;
    }
    if (items.size() == 1) {
      const std::string& only = items[0].first;
      if (only == "*") return Step{.kind = Step::Kind::kArray};
      if (only.starts_with("?")) return ParseError("filters [?(...)] are not supported", open);
      return ParseItem(only, items[0].second);
    }
    Step u{.kind = Step::Kind::kUnion};
    for (const auto& [text, at] : items) {
      DEVFLOW_ASSIGN_OR_RETURN(Step step, ParseItem(text, at));
      u.alternatives.push_back(std::move(step));
    }
    return u;
  }

  static std::string Trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
  }

  // One member of a bracket: a quoted name, an index or a slice.
  static Result<Step> ParseItem(const std::string& item, size_t at) {
    if (item.empty()) return ParseError("empty '[]'", at);
    if (item.front() == '\'' || item.front() == '"') {
      if (item.size() < 2 || item.back() != item.front()) {
        return ParseError("unterminated quoted name", at);
      }
      std::string name;
      for (size_t i = 1; i + 1 < item.size(); ++i) {
        if (item[i] == '\\' && i + 2 < item.size()) ++i;
        name += item[i];
      }
      return Step{.kind = Step::Kind::kField, .name = std::move(name)};
    }
    std::vector<std::string> fields;
    size_t from = 0;
    while (true) {
      const size_t colon = item.find(':', from);
      fields.push_back(Trim(std::string_view(item).substr(from, colon - from)));
      if (colon == std::string::npos) break;
      from = colon + 1;
    }
    if (fields.size() > 3) return ParseError("invalid array slice '" + item + "'", at);
    std::optional<int64_t> numbers[3];
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].empty()) continue;
      int64_t n = 0;
      std::string_view f = fields[i];
      if (f.front() == '+') f.remove_prefix(1);
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), n);
      if (ec != std::errc() || end != f.data() + f.size()) {
        return ParseError("invalid array index '" + fields[i] + "'", at);
      }
      numbers[i] = n;
    }
    Step step{.kind = Step::Kind::kArray};
    if (fields.size() == 1) {
      if (!numbers[0]) return ParseError("invalid array index ''", at);
      step.start = numbers[0];
      step.single = true;
      return step;
    }
    step.start = numbers[0];
    step.end = numbers[1];
    step.stride = numbers[2];
    if (step.stride && *step.stride <= 0) {
      return ParseError("slice step must be positive in '" + item + "'", at);
    }
    return step;
  }

  std::string_view text_;
  size_t pos_;
};

void CollectRecursive(const json::Value& v, std::vector<json::Value>& out) {
  out.push_back(v);
  if (v.is_array()) {
    for (const json::Value& e : v.as_array()) CollectRecursive(e, out);
  } else if (v.is_object()) {
    for (const json::Member& m : v.as_object()) CollectRecursive(m.value, out);
  }
}

// Kubernetes' evalArray for one value.
Status SliceArray(const Step& step, const json::Array& a, std::vector<json::Value>& out) {
  const int64_t len = static_cast<int64_t>(a.size());
  int64_t start = step.start.value_or(0);
  if (start < 0) start += len;
  int64_t end = 0;
  bool derived = false;
  if (step.single) {
    end = *step.start + 1;
    derived = true;
  } else {
    end = step.end.value_or(len);
  }
  if (end < 0 || (end == 0 && derived)) end += len;
  if (start == end) return Status::Ok();  // zero elements asked for
  if (start < 0 || start >= len) {
    return InvalidArgumentError("array index out of bounds: index " + std::to_string(start) +
                                ", length " + std::to_string(len));
  }
  if (end < 0 || end > len) {
    return InvalidArgumentError("array index out of bounds: index " + std::to_string(end - 1) +
                                ", length " + std::to_string(len));
  }
  if (start > end) {
    return InvalidArgumentError("starting index " + std::to_string(start) +
                                " is greater than ending index " + std::to_string(end));
  }
  const int64_t stride = step.stride.value_or(1);
  for (int64_t i = start; i < end; i += stride) out.push_back(a[static_cast<size_t>(i)]);
  return Status::Ok();
}

Result<std::vector<json::Value>> Apply(const Step& step, const std::vector<json::Value>& in) {
  std::vector<json::Value> out;
  switch (step.kind) {
    case Step::Kind::kField:
      for (const json::Value& v : in) {
        if (const json::Value* member = v.Find(step.name)) out.push_back(*member);
      }
      if (out.empty()) return InvalidArgumentError(step.name + " is not found");
      return out;
    case Step::Kind::kWildcard:
      for (const json::Value& v : in) {
        if (!v.is_object()) continue;
        for (const json::Member& m : v.as_object()) out.push_back(m.value);
      }
      return out;
    case Step::Kind::kRecursive:
      for (const json::Value& v : in) CollectRecursive(v, out);
      return out;
    case Step::Kind::kArray:
      for (const json::Value& v : in) {
        if (v.is_null()) continue;  // Kubernetes skips nil values here
        if (!v.is_array()) {
          return InvalidArgumentError(std::string(json::TypeName(v.type())) + " is not an array");
        }
        DEVFLOW_RETURN_IF_ERROR(SliceArray(step, v.as_array(), out));
      }
      return out;
    case Step::Kind::kUnion:
      for (const Step& alternative : step.alternatives) {
        DEVFLOW_ASSIGN_OR_RETURN(std::vector<json::Value> found, Apply(alternative, in));
        for (json::Value& v : found) out.push_back(std::move(v));
      }
      return out;
  }
  return out;
}

}  // namespace

Result<JsonPath> JsonPath::Parse(std::string_view text) {
  std::vector<Part> parts;
  std::string literal;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] != '{') {
      literal += text[pos++];
      continue;
    }
    if (!literal.empty()) {
      parts.push_back(Part{.is_text = true, .text = std::move(literal)});
      literal.clear();
    }
    ActionParser parser(text, pos + 1);
    DEVFLOW_ASSIGN_OR_RETURN(std::vector<Step> steps, parser.Parse());
    parts.push_back(Part{.steps = std::move(steps)});
    pos = parser.pos();
  }
  if (!literal.empty()) parts.push_back(Part{.is_text = true, .text = std::move(literal)});
  return JsonPath(std::string(text), std::move(parts));
}

Result<std::vector<json::Value>> JsonPath::FindAll(const json::Value& document) const {
  std::vector<json::Value> all;
  for (const Part& part : parts_) {
    if (part.is_text) {
      all.emplace_back(part.text);
      continue;
    }
    std::vector<json::Value> current{document};
    for (const Step& step : part.steps) {
      DEVFLOW_ASSIGN_OR_RETURN(current, Apply(step, current));
    }
    for (json::Value& v : current) all.push_back(std::move(v));
  }
  return all;
}

Result<std::optional<json::Value>> JsonPath::First(const json::Value& document) const {
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<json::Value> all, FindAll(document));
  if (all.empty()) return std::optional<json::Value>();
  return std::optional<json::Value>(std::move(all.front()));
}

}  // namespace devflow::analysis::providers
