#include "api/selector.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>

#include "api/kinds.h"
#include "api/name_rules.h"
#include "common/field_path.h"

namespace devflow::api {
namespace {

// The label selector lexer and parser. The structure follows labels.Parse closely (a token list,
// then a recursive descent with one token of lookahead) because its quirks are the contract: which
// inputs are accepted, that "in"/"notin" are plain words where a value is expected, that "()"
// means {""}.

enum class Token {
  kEnd,
  kClosePar,
  kComma,
  kNot,  // "!": does-not-exist, or the start of "!="
  kDoubleEquals,
  kEquals,
  kGreater,
  kIdentifier,
  kIn,
  kLess,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Scanned {
  Token token;
  std::string literal;
  size_t offset;  // of the token's first byte; the input's length for the end
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSymbol(char c) {
  switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
      return true;
    default:
      return false;
  }
}

std::optional<Token> SymbolToken(std::string_view s) {
  if (s == ")") return Token::kClosePar;
  if (s == ",") return Token::kComma;
  if (s == "!") return Token::kNot;
  if (s == "==") return Token::kDoubleEquals;
  if (s == "=") return Token::kEquals;
  if (s == ">") return Token::kGreater;
  if (s == "<") return Token::kLess;
  if (s == "!=") return Token::kNotEquals;
  if (s == "(") return Token::kOpenPar;
  return std::nullopt;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  Scanned Next() {
    size_t start = pos_;
    char c = Read();
    while (IsBlank(c)) {
      start = pos_;
      c = Read();
    }
    // Go's lexer reads a NUL byte as its end-of-input marker.
    if (c == '\0') return {Token::kEnd, "", start};
    Unread();
    return IsSymbol(c) ? Symbol(start) : Word(start);
  }

 private:
  // Returns '\0' at the end without advancing, as Go's Lexer.read does.
  char Read() { return pos_ < input_.size() ? input_[pos_++] : '\0'; }
  void Unread() { --pos_; }

  // The longest run of symbol characters that is a token ("!=" over "!").
  Scanned Symbol(size_t start) {
    std::string buffer;
    std::optional<Token> last;
    std::string last_literal;
    for (;;) {
      char c = Read();
      if (c == '\0') break;
      if (!IsSymbol(c)) {
        Unread();
        break;
      }
      buffer += c;
      if (std::optional<Token> t = SymbolToken(buffer)) {
        last = t;
        last_literal = buffer;
      } else if (last) {
        Unread();
        break;
      }
    }
    // Every single symbol character is a token, so `last` is always set.
    return {*last, last_literal, start};
  }

  Scanned Word(size_t start) {
    std::string buffer;
    for (;;) {
      char c = Read();
      if (c == '\0') break;
      if (IsSymbol(c) || IsBlank(c)) {
        Unread();
        break;
      }
      buffer += c;
    }
    if (buffer == "in") return {Token::kIn, buffer, start};
    if (buffer == "notin") return {Token::kNotIn, buffer, start};
    return {Token::kIdentifier, buffer, start};
  }

  std::string_view input_;
  size_t pos_ = 0;
};

// Where a value is expected, "in" and "notin" are ordinary words.
enum class Context { kKeyAndOperator, kValues };

struct ValueAt {
  std::string value;
  size_t offset;
};

std::string Column(size_t offset) { return "column " + std::to_string(offset + 1); }

std::string Found(const Scanned& s, std::string_view expected) {
  return "found '" + s.literal + "' at " + Column(s.offset) +
         ", expected: " + std::string(expected);
}

// Go's strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits.
std::optional<int64_t> ParseInt64(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

class Parser {
 public:
  explicit Parser(std::string_view input) {
    Lexer lexer(input);
    for (;;) {
      tokens_.push_back(lexer.Next());
      if (tokens_.back().token == Token::kEnd) break;
    }
  }

  Result<Selector> Parse() {
    Selector selector;
    for (;;) {
      const Scanned& next = Lookahead();
      switch (Kind(next, Context::kValues)) {
        case Token::kIdentifier:
        case Token::kNot: {
          Result<Requirement> r = ParseRequirement();
          if (!r.ok()) return r.error().WithContext("unable to parse requirement");
          selector.requirements.push_back(std::move(r).value());
          const Scanned& after = Consume();
          Token at = Kind(after, Context::kValues);
          if (at == Token::kEnd) return selector;
          if (at != Token::kComma) {
            return InvalidArgumentError(Found(after, "',' or 'end of string'"));
          }
          const Scanned& following = Lookahead();
          Token ft = Kind(following, Context::kValues);
          if (ft != Token::kIdentifier && ft != Token::kNot) {
            return InvalidArgumentError(Found(following, "identifier after ','"));
          }
          break;
        }
        case Token::kEnd:
          return selector;
        default:
          return InvalidArgumentError(Found(next, "!, identifier, or 'end of string'"));
      }
    }
  }

 private:
  static Token Kind(const Scanned& s, Context context) {
    if (context == Context::kValues && (s.token == Token::kIn || s.token == Token::kNotIn)) {
      return Token::kIdentifier;
    }
    return s.token;
  }
  const Scanned& Lookahead() const { return tokens_[position_]; }
  // Never moves past the end token, which every parse path stops at.
  const Scanned& Consume() {
    const Scanned& s = tokens_[position_];
    if (position_ + 1 < tokens_.size()) ++position_;
    return s;
  }

  Result<Requirement> ParseRequirement() {
    Requirement r;
    bool does_not_exist = false;
    const Scanned* key = &Consume();
    if (key->token == Token::kNot) {
      does_not_exist = true;
      key = &Consume();
    }
    if (Kind(*key, Context::kValues) != Token::kIdentifier) {
      return InvalidArgumentError(Found(*key, "identifier"));
    }
    if (std::string why = CheckQualifiedName(key->literal); !why.empty()) {
      return InvalidArgumentError("invalid label key at " + Column(key->offset) + ": " + why);
    }
    r.key = key->literal;
    if (does_not_exist) {
      r.op = SelectorOperator::kDoesNotExist;
      return r;
    }
    if (Token next = Kind(Lookahead(), Context::kValues);
        next == Token::kEnd || next == Token::kComma) {
      r.op = SelectorOperator::kExists;
      return r;
    }
    DEVFLOW_ASSIGN_OR_RETURN(r.op, ParseOperator());
    std::vector<ValueAt> values;
    if (r.op == SelectorOperator::kIn || r.op == SelectorOperator::kNotIn) {
      DEVFLOW_ASSIGN_OR_RETURN(values, ParseValueSet());
    } else {
      DEVFLOW_ASSIGN_OR_RETURN(ValueAt v, ParseExactValue());
      values.push_back(std::move(v));
    }
    DEVFLOW_RETURN_IF_ERROR(CheckValues(r.op, values));
    for (ValueAt& v : values) r.values.push_back(std::move(v.value));
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    return r;
  }

  Result<SelectorOperator> ParseOperator() {
    const Scanned& s = Consume();
    switch (Kind(s, Context::kKeyAndOperator)) {
      case Token::kIn:
        return SelectorOperator::kIn;
      case Token::kEquals:
        return SelectorOperator::kEquals;
      case Token::kDoubleEquals:
        return SelectorOperator::kDoubleEquals;
      case Token::kGreater:
        return SelectorOperator::kGreaterThan;
      case Token::kLess:
        return SelectorOperator::kLessThan;
      case Token::kNotIn:
        return SelectorOperator::kNotIn;
      case Token::kNotEquals:
        return SelectorOperator::kNotEquals;
      default:
        return InvalidArgumentError(Found(s, "in, notin, =, ==, !=, gt, lt"));
    }
  }

  // "(" values ")"; "()" is the set {""}, and an empty entry between commas is "".
  Result<std::vector<ValueAt>> ParseValueSet() {
    const Scanned& open = Consume();
    if (Kind(open, Context::kValues) != Token::kOpenPar) {
      return InvalidArgumentError(Found(open, "'('"));
    }
    const Scanned& first = Lookahead();
    switch (Kind(first, Context::kValues)) {
      case Token::kIdentifier:
      case Token::kComma: {
        DEVFLOW_ASSIGN_OR_RETURN(std::vector<ValueAt> values, ParseValueList());
        Consume();  // the ')' that ParseValueList stopped at
        return values;
      }
      case Token::kClosePar:
        Consume();
        return std::vector<ValueAt>{{"", first.offset}};
      default:
        return InvalidArgumentError(Found(first, "',', ')' or identifier"));
    }
  }

  Result<std::vector<ValueAt>> ParseValueList() {
    std::vector<ValueAt> values;
    for (;;) {
      const Scanned& s = Consume();
      switch (Kind(s, Context::kValues)) {
        case Token::kIdentifier: {
          values.push_back({s.literal, s.offset});
          const Scanned& next = Lookahead();
          Token t = Kind(next, Context::kValues);
          if (t == Token::kComma) continue;
          if (t == Token::kClosePar) return values;
          return InvalidArgumentError(Found(next, "',' or ')'"));
        }
        case Token::kComma: {
          if (values.empty()) values.push_back({"", s.offset});  // "(,"
          Token t = Kind(Lookahead(), Context::kValues);
          if (t == Token::kClosePar) {  // ",)"
            values.push_back({"", s.offset});
            return values;
          }
          if (t == Token::kComma) {  // ",,"
            Consume();
            values.push_back({"", s.offset});
          }
          break;
        }
        default:
          return InvalidArgumentError(Found(s, "',', or identifier"));
      }
    }
  }

  // The value after =, ==, !=, > or <; nothing before ',' or the end is "".
  Result<ValueAt> ParseExactValue() {
    const Scanned& next = Lookahead();
    Token t = Kind(next, Context::kValues);
    if (t == Token::kEnd || t == Token::kComma) return ValueAt{"", next.offset};
    const Scanned& s = Consume();
    if (Kind(s, Context::kValues) == Token::kIdentifier) return ValueAt{s.literal, s.offset};
    return InvalidArgumentError(Found(s, "identifier"));
  }

  // What labels.NewRequirement checks of the values, in its order.
  static Status CheckValues(SelectorOperator op, const std::vector<ValueAt>& values) {
    if (op == SelectorOperator::kGreaterThan || op == SelectorOperator::kLessThan) {
      for (const ValueAt& v : values) {
        if (!ParseInt64(v.value)) {
          return InvalidArgumentError(
              "for 'Gt', 'Lt' operators, the value must be an integer, got '" + v.value + "' at " +
              Column(v.offset));
        }
      }
    }
    for (const ValueAt& v : values) {
      if (std::string why = CheckLabelValue(v.value); !why.empty()) {
        return InvalidArgumentError("invalid label value at " + Column(v.offset) + ": " + why);
      }
    }
    return Status::Ok();
  }

  std::vector<Scanned> tokens_;
  size_t position_ = 0;
};

bool CanonicalLess(const Requirement& a, const Requirement& b) {
  return std::tie(a.key, a.op, a.values) < std::tie(b.key, b.op, b.values);
}

void SortCanonical(std::vector<Requirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(), CanonicalLess);
}

bool HasValue(const Requirement& r, const std::string& value) {
  return std::find(r.values.begin(), r.values.end(), value) != r.values.end();
}

bool RequirementMatches(const Requirement& r, const std::map<std::string, std::string>& labels) {
  auto it = labels.find(r.key);
  bool present = it != labels.end();
  switch (r.op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
      return present && HasValue(r, it->second);
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals:
      return !present || !HasValue(r, it->second);
    case SelectorOperator::kExists:
      return present;
    case SelectorOperator::kDoesNotExist:
      return !present;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      if (!present || r.values.size() != 1) return false;
      std::optional<int64_t> have = ParseInt64(it->second);
      std::optional<int64_t> bound = ParseInt64(r.values[0]);
      if (!have || !bound) return false;
      return r.op == SelectorOperator::kGreaterThan ? *have > *bound : *have < *bound;
    }
  }
  return false;
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += values[i];
  }
  return out;
}

std::string RequirementString(const Requirement& r) {
  std::string out;
  if (r.op == SelectorOperator::kDoesNotExist) out += '!';
  out += r.key;
  switch (r.op) {
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      return out;
    case SelectorOperator::kEquals:
      out += '=';
      break;
    case SelectorOperator::kDoubleEquals:
      out += "==";
      break;
    case SelectorOperator::kNotEquals:
      out += "!=";
      break;
    case SelectorOperator::kIn:
      out += " in ";
      break;
    case SelectorOperator::kNotIn:
      out += " notin ";
      break;
    case SelectorOperator::kGreaterThan:
      out += '>';
      break;
    case SelectorOperator::kLessThan:
      out += '<';
      break;
  }
  std::vector<std::string> values = r.values;
  std::sort(values.begin(), values.end());
  bool set = r.op == SelectorOperator::kIn || r.op == SelectorOperator::kNotIn;
  if (set) out += '(';
  out += Join(values);
  if (set) out += ')';
  return out;
}

Result<SelectorOperator> ExpressionOperator(const std::string& op) {
  if (op == "In") return SelectorOperator::kIn;
  if (op == "NotIn") return SelectorOperator::kNotIn;
  if (op == "Exists") return SelectorOperator::kExists;
  if (op == "DoesNotExist") return SelectorOperator::kDoesNotExist;
  return InvalidArgumentError("\"" + op + "\" is not a valid label selector operator");
}

// fields.splitTerms: commas split terms unless escaped; the escapes stay in the terms.
std::vector<std::string_view> SplitTerms(std::string_view selector) {
  std::vector<std::string_view> terms;
  if (selector.empty()) return terms;
  size_t start = 0;
  bool escaped = false;
  for (size_t i = 0; i < selector.size(); ++i) {
    if (escaped) {
      escaped = false;
    } else if (selector[i] == '\\') {
      escaped = true;
    } else if (selector[i] == ',') {
      terms.push_back(selector.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(selector.substr(start));
  return terms;
}

// fields.splitTerm: the first operator from the left splits the term; "!=" and "==" are tried
// before "=" at each position.
bool SplitTerm(std::string_view term, FieldRequirement* out, std::string_view* raw_value) {
  for (size_t i = 0; i < term.size(); ++i) {
    std::string_view rest = term.substr(i);
    size_t length = 0;
    if (rest.starts_with("!=")) {
      out->op = FieldOperator::kNotEquals;
      length = 2;
    } else if (rest.starts_with("==")) {
      out->op = FieldOperator::kEquals;
      length = 2;
    } else if (rest.starts_with("=")) {
      out->op = FieldOperator::kEquals;
      length = 1;
    } else {
      continue;
    }
    out->field = std::string(term.substr(0, i));
    *raw_value = term.substr(i + length);
    return true;
  }
  return false;
}

// The UTF-8 sequence starting at s[i] (one byte when malformed), for messages.
std::string_view CharAt(std::string_view s, size_t i) {
  unsigned char lead = static_cast<unsigned char>(s[i]);
  size_t n = lead < 0x80           ? 1
             : (lead >> 5) == 0x6  ? 2
             : (lead >> 4) == 0xe  ? 3
             : (lead >> 3) == 0x1e ? 4
                                   : 1;
  return s.substr(i, std::min(n, s.size() - i));
}

Result<std::string> UnescapeFieldValue(std::string_view raw, std::string_view term) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\') {
      if (i + 1 == raw.size()) {
        return InvalidArgumentError(
            "invalid field selector: invalid escape sequence: \\ in term '" + std::string(term) +
            "'");
      }
      char e = raw[++i];
      if (e != '\\' && e != ',' && e != '=' && e != '!') {
        return InvalidArgumentError("invalid field selector: invalid escape sequence: \\" +
                                    std::string(CharAt(raw, i)) + " in term '" + std::string(term) +
                                    "'");
      }
      out += e;
    } else if (c == ',' || c == '=') {
      return InvalidArgumentError("invalid field selector: unescaped character '" +
                                  std::string(1, c) + "' in value of term '" + std::string(term) +
                                  "'");
    } else {
      out += c;
    }
  }
  return out;
}

std::string TermString(const FieldRequirement& r) {
  return r.field + (r.op == FieldOperator::kNotEquals ? "!=" : "=") + EscapeFieldValue(r.value);
}

void SortCanonical(std::vector<FieldRequirement>& requirements) {
  std::vector<std::pair<std::string, FieldRequirement>> keyed;
  keyed.reserve(requirements.size());
  for (FieldRequirement& r : requirements) keyed.emplace_back(TermString(r), std::move(r));
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  requirements.clear();
  for (auto& [term, r] : keyed) requirements.push_back(std::move(r));
}

// A field Kubernetes computes rather than copies (its ToSelectableFields functions).
struct ComputedField {
  std::string_view group;
  std::string_view kind;
  std::string_view field;
  std::string_view path;           // dotted JSON path the value comes from; "" for none
  std::string_view default_value;  // when the path is absent
};

// clang-format off
constexpr ComputedField kComputedFields[] = {
    {"", "Pod", "spec.hostNetwork", "spec.hostNetwork", "false"},
    {"", "Pod", "status.podIPs", "", ""},
    {"", "Node", "spec.unschedulable", "spec.unschedulable", "false"},
    {"", "ReplicationController", "status.replicas", "status.replicas", "0"},
    {"batch", "Job", "status.successful", "status.succeeded", "0"},
};
// clang-format on

std::string_view GroupOf(const json::Value& object) {
  const json::Value* api_version = object.Find("apiVersion");
  if (api_version == nullptr || !api_version->is_string()) return {};
  std::string_view v = api_version->as_string();
  size_t slash = v.find('/');
  return slash == std::string_view::npos ? std::string_view() : v.substr(0, slash);
}

std::string_view KindOf(const json::Value& object) {
  const json::Value* kind = object.Find("kind");
  return kind != nullptr && kind->is_string() ? std::string_view(kind->as_string())
                                              : std::string_view();
}

const json::Value* AtPath(const json::Value& object, std::string_view path) {
  const json::Value* v = &object;
  while (v != nullptr) {
    size_t dot = path.find('.');
    v = v->Find(path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return v;
}

// Scalars as Go's strconv writes them; anything else (absent, null, objects, arrays) is "".
std::optional<std::string> ScalarString(const json::Value* v) {
  if (v == nullptr) return std::nullopt;
  switch (v->type()) {
    case json::Type::kString:
      return v->as_string();
    case json::Type::kInt:
      return std::to_string(v->as_int());
    case json::Type::kBool:
      return v->as_bool() ? "true" : "false";
    case json::Type::kDouble: {
      char buffer[64];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v->as_double());
      return std::string(buffer, end);
    }
    default:
      return std::nullopt;
  }
}

std::string ScalarAt(const json::Value& object, std::string_view path) {
  return ScalarString(AtPath(object, path)).value_or("");
}

// How kube-apiserver treats field selectors on a kind.
enum class FieldRuleStyle {
  kOwnList,     // a conversion function of its own: "field label not supported: X"
  kJob,         // batch Job's function: "field label \"X\" not supported for Job"
  kMetaOnly,    // a built-in kind without one (DefaultMetaV1FieldSelectorConversion)
  kCustomKind,  // a custom resource (apiextensions' converter)
};

struct KindFieldRule {
  std::string_view group;
  std::string_view kind;
  FieldRuleStyle style;
  std::vector<std::string_view> fields;
};

const std::vector<KindFieldRule>& KindFieldRules() {
  static const std::vector<KindFieldRule> rules = {
      {"",
       "Pod",
       FieldRuleStyle::kOwnList,
       {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
        "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
        "status.podIP", "status.podIPs", "status.nominatedNodeName", "spec.host"}},
      {"", "Node", FieldRuleStyle::kOwnList, {"metadata.name", "spec.unschedulable"}},
      {"",
       "ReplicationController",
       FieldRuleStyle::kOwnList,
       {"metadata.name", "metadata.namespace", "status.replicas"}},
      {"",
       "Event",
       FieldRuleStyle::kOwnList,
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
        "metadata.namespace", "metadata.name"}},
      {"", "Namespace", FieldRuleStyle::kOwnList, {"status.phase", "metadata.name"}},
      {"", "Secret", FieldRuleStyle::kOwnList, {"type", "metadata.namespace", "metadata.name"}},
      {"",
       "Service",
       FieldRuleStyle::kOwnList,
       {"metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"}},
      {"batch",
       "Job",
       FieldRuleStyle::kJob,
       {"metadata.name", "metadata.namespace", "status.successful"}},
  };
  return rules;
}

// API groups served by kube-apiserver itself; any other group is a custom resource's.
bool IsBuiltinGroup(std::string_view group) {
  static constexpr std::string_view kGroups[] = {
      "",
      "admissionregistration.k8s.io",
      "apiextensions.k8s.io",
      "apiregistration.k8s.io",
      "apps",
      "authentication.k8s.io",
      "authorization.k8s.io",
      "autoscaling",
      "batch",
      "certificates.k8s.io",
      "coordination.k8s.io",
      "discovery.k8s.io",
      "events.k8s.io",
      "flowcontrol.apiserver.k8s.io",
      "internal.apiserver.k8s.io",
      "networking.k8s.io",
      "node.k8s.io",
      "policy",
      "rbac.authorization.k8s.io",
      "resource.k8s.io",
      "scheduling.k8s.io",
      "storage.k8s.io",
      "storagemigration.k8s.io",
  };
  return std::find(std::begin(kGroups), std::end(kGroups), group) != std::end(kGroups);
}

const KindFieldRule* FindRule(std::string_view group, std::string_view kind) {
  for (const KindFieldRule& rule : KindFieldRules()) {
    if (rule.group == group && rule.kind == kind) return &rule;
  }
  return nullptr;
}

bool MetadataFieldSupported(bool namespace_allowed, std::string_view field) {
  return field == "metadata.name" || (namespace_allowed && field == "metadata.namespace");
}

FieldRuleStyle StyleOf(std::string_view group, std::string_view kind) {
  if (const KindFieldRule* rule = FindRule(group, kind)) return rule->style;
  return IsBuiltinGroup(group) ? FieldRuleStyle::kMetaOnly : FieldRuleStyle::kCustomKind;
}

// Go's %q for the ASCII a field label holds; other bytes pass through.
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      unsigned char u = static_cast<unsigned char>(c);
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string UnsupportedMessage(FieldRuleStyle style, std::string_view field) {
  switch (style) {
    case FieldRuleStyle::kJob:
      return "field label " + GoQuote(field) + " not supported for Job";
    case FieldRuleStyle::kMetaOnly:
      return GoQuote(field) +
             " is not a known field selector: only \"metadata.name\", \"metadata.namespace\"";
    case FieldRuleStyle::kOwnList:
    case FieldRuleStyle::kCustomKind:
      break;
  }
  return "field label not supported: " + std::string(field);
}

}  // namespace

Result<Selector> ParseLabelSelector(std::string_view selector) {
  DEVFLOW_ASSIGN_OR_RETURN(Selector parsed, Parser(selector).Parse());
  SortCanonical(parsed.requirements);
  return parsed;
}

bool Matches(const Selector& selector, const std::map<std::string, std::string>& labels) {
  return std::all_of(selector.requirements.begin(), selector.requirements.end(),
                     [&](const Requirement& r) { return RequirementMatches(r, labels); });
}

std::string ToString(const Selector& selector) {
  std::vector<Requirement> sorted = selector.requirements;
  for (Requirement& r : sorted) std::sort(r.values.begin(), r.values.end());
  SortCanonical(sorted);
  std::vector<std::string> terms;
  terms.reserve(sorted.size());
  for (const Requirement& r : sorted) terms.push_back(RequirementString(r));
  return Join(terms);
}

Result<Selector> FromLabelSelector(const LabelSelector& selector) {
  Selector out;
  const FieldPath labels_path("matchLabels");
  for (const auto& [key, value] : selector.match_labels) {
    if (std::string why = CheckQualifiedName(key); !why.empty()) {
      return InvalidArgumentError("invalid label key: " + why, labels_path.str());
    }
    if (std::string why = CheckLabelValue(value); !why.empty()) {
      return InvalidArgumentError("invalid label value: " + why, labels_path.Child(key).str());
    }
    out.requirements.push_back({key, SelectorOperator::kEquals, {value}});
  }
  const FieldPath expressions_path("matchExpressions");
  for (size_t i = 0; i < selector.match_expressions.size(); ++i) {
    const LabelSelectorRequirement& e = selector.match_expressions[i];
    const FieldPath path = expressions_path.Index(i);
    Result<SelectorOperator> op = ExpressionOperator(e.operator_);
    if (!op.ok()) {
      return InvalidArgumentError(op.error().message(), path.Child("operator").str());
    }
    if (std::string why = CheckQualifiedName(e.key); !why.empty()) {
      return InvalidArgumentError("invalid label key: " + why, path.Child("key").str());
    }
    bool is_set = *op == SelectorOperator::kIn || *op == SelectorOperator::kNotIn;
    if (is_set && e.values.empty()) {
      return InvalidArgumentError("must be specified when `operator` is 'In' or 'NotIn'",
                                  path.Child("values").str());
    }
    if (!is_set && !e.values.empty()) {
      return InvalidArgumentError(
          "may not be specified when `operator` is 'Exists' or "
          "'DoesNotExist'",
          path.Child("values").str());
    }
    for (size_t j = 0; j < e.values.size(); ++j) {
      if (std::string why = CheckLabelValue(e.values[j]); !why.empty()) {
        return InvalidArgumentError("invalid label value: " + why,
                                    path.Child("values").Index(j).str());
      }
    }
    Requirement r{e.key, *op, e.values};
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    out.requirements.push_back(std::move(r));
  }
  SortCanonical(out.requirements);
  return out;
}

Result<LabelSelector> ToLabelSelector(const Selector& selector) {
  std::vector<Requirement> sorted = selector.requirements;
  SortCanonical(sorted);
  LabelSelector out;
  for (const Requirement& r : sorted) {
    auto expression = [&](std::string op) {
      std::vector<std::string> values = r.values;
      std::sort(values.begin(), values.end());
      out.match_expressions.push_back({r.key, std::move(op), std::move(values)});
    };
    switch (r.op) {
      case SelectorOperator::kEquals:
      case SelectorOperator::kDoubleEquals: {
        const std::string value = r.values.empty() ? "" : r.values[0];
        auto [it, inserted] = out.match_labels.emplace(r.key, value);
        // matchLabels holds one value per key; a second value must still select nothing.
        if (!inserted && it->second != value) expression("In");
        break;
      }
      case SelectorOperator::kNotEquals:
      case SelectorOperator::kNotIn:
        expression("NotIn");
        break;
      case SelectorOperator::kIn:
        expression("In");
        break;
      case SelectorOperator::kExists:
        expression("Exists");
        break;
      case SelectorOperator::kDoesNotExist:
        expression("DoesNotExist");
        break;
      case SelectorOperator::kGreaterThan:
      case SelectorOperator::kLessThan:
        return InvalidArgumentError("requirement '" + RequirementString(r) +
                                    "' has no LabelSelector form: matchExpressions support only "
                                    "In, NotIn, Exists and DoesNotExist");
    }
  }
  return out;
}

Result<FieldSelector> ParseFieldSelector(std::string_view selector) {
  std::vector<std::string_view> terms = SplitTerms(selector);
  // Kubernetes sorts the raw terms first, so the first error reported is the first in that order.
  std::sort(terms.begin(), terms.end());
  FieldSelector out;
  for (std::string_view term : terms) {
    if (term.empty()) continue;
    FieldRequirement r;
    std::string_view raw_value;
    if (!SplitTerm(term, &r, &raw_value)) {
      return InvalidArgumentError("invalid selector: '" + std::string(selector) +
                                  "'; can't understand '" + std::string(term) + "'");
    }
    DEVFLOW_ASSIGN_OR_RETURN(r.value, UnescapeFieldValue(raw_value, term));
    out.requirements.push_back(std::move(r));
  }
  SortCanonical(out.requirements);
  return out;
}

std::string EscapeFieldValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

std::string ToString(const FieldSelector& selector) {
  std::vector<FieldRequirement> sorted = selector.requirements;
  SortCanonical(sorted);
  std::string out;
  for (const FieldRequirement& r : sorted) {
    if (!out.empty()) out += ',';
    out += TermString(r);
  }
  return out;
}

std::string SelectableFieldValue(const json::Value& object, std::string_view field) {
  std::string_view group = GroupOf(object);
  std::string_view kind = KindOf(object);
  for (const ComputedField& c : kComputedFields) {
    if (c.group != group || c.kind != kind || c.field != field) continue;
    if (c.path.empty()) return std::string(c.default_value);
    return ScalarString(AtPath(object, c.path)).value_or(std::string(c.default_value));
  }
  if (group.empty() && kind == "Pod" && field == "status.podIP") {
    const json::Value* ips = AtPath(object, "status.podIPs");
    if (ips != nullptr && ips->is_array() && !ips->as_array().empty()) {
      return ScalarAt(ips->as_array()[0], "ip");
    }
    return ScalarAt(object, "status.podIP");
  }
  if (group.empty() && kind == "Event" && field == "source") {
    std::string component = ScalarAt(object, "source.component");
    return component.empty() ? ScalarAt(object, "reportingComponent") : component;
  }
  return ScalarAt(object, field);
}

bool Matches(const FieldSelector& selector, const json::Value& object) {
  for (const FieldRequirement& r : selector.requirements) {
    bool equal = SelectableFieldValue(object, r.field) == r.value;
    if (equal != (r.op == FieldOperator::kEquals)) return false;
  }
  return true;
}

bool FieldSelectorSupported(std::string_view group, std::string_view kind, bool namespaced,
                            std::string_view field) {
  if (const KindFieldRule* rule = FindRule(group, kind)) {
    return std::find(rule->fields.begin(), rule->fields.end(), field) != rule->fields.end();
  }
  // kube-apiserver's default conversion accepts metadata.namespace whatever the scope; the
  // custom resource converter only for namespaced kinds.
  return MetadataFieldSupported(IsBuiltinGroup(group) || namespaced, field);
}

bool FieldSelectorSupported(std::string_view kind, std::string_view field) {
  for (const KindFieldRule& rule : KindFieldRules()) {
    if (rule.kind == kind) return FieldSelectorSupported(rule.group, kind, true, field);
  }
  for (const KindInfo& info : BuiltinKinds()) {
    if (info.kind == kind) return FieldSelectorSupported(info.group, kind, info.namespaced, field);
  }
  return MetadataFieldSupported(true, field);
}

Result<FieldSelector> ConvertFieldSelector(std::string_view group, std::string_view kind,
                                           bool namespaced, const FieldSelector& selector) {
  FieldSelector out = selector;
  SortCanonical(out.requirements);
  for (FieldRequirement& r : out.requirements) {
    if (!FieldSelectorSupported(group, kind, namespaced, r.field)) {
      return InvalidArgumentError(UnsupportedMessage(StyleOf(group, kind), r.field));
    }
    if (group.empty() && kind == "Pod" && r.field == "spec.host") r.field = "spec.nodeName";
  }
  SortCanonical(out.requirements);
  return out;
}

}  // namespace devflow::api
