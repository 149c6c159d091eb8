#include "analysis/expr/builtins.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "analysis/expr/go_format.h"
#include "analysis/expr/operators.h"
#include "analysis/expr/time_text.h"
#include "analysis/expr/utf8.h"

namespace devflow::expr {
namespace {

using Args = std::span<const Value>;

Status InvalidArgumentFor(std::string_view function, const Value& v) {
  return InvalidArgumentError("invalid argument for " + std::string(function) + " (type " +
                              std::string(GoTypeName(v)) + ")");
}

Status Spend(CallContext& context, size_t steps) {
  return context.budget->Spend(static_cast<int64_t>(steps));
}
Status SpendElements(CallContext& context, size_t n) { return context.budget->SpendElements(n); }
Status SpendBytes(CallContext& context, size_t n) { return context.budget->SpendBytes(n); }

// ---- numbers --------------------------------------------------------------------------------

// Go's strconv.ParseInt(s, 10, 64): optional sign, then decimal digits only.
Result<int64_t> ParseGoInt(const std::string& s) {
  auto fail = [&](std::string_view why) {
    return InvalidArgumentError("strconv.ParseInt: parsing \"" + s + "\": " + std::string(why));
  };
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return fail("invalid syntax");
  const bool negative = s[0] == '-';
  uint64_t magnitude = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return fail("invalid syntax");
    if (magnitude > (uint64_t{1} << 63) / 10) return fail("value out of range");
    magnitude = magnitude * 10 + static_cast<uint64_t>(s[i] - '0');
    if (magnitude > (uint64_t{1} << 63)) return fail("value out of range");
  }
  if (!negative && magnitude > static_cast<uint64_t>(INT64_MAX)) return fail("value out of range");
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

// Go's strconv.ParseFloat(s, 64) for decimal text, "inf", "infinity" and "nan".
Result<double> ParseGoFloat(const std::string& s) {
  auto fail = [&](std::string_view why) {
    return InvalidArgumentError("strconv.ParseFloat: parsing \"" + s + "\": " + std::string(why));
  };
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0])) ||
      s.find('(') != std::string::npos) {
    return fail("invalid syntax");
  }
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return fail("invalid syntax");
  bool literal_inf = s.find_first_of("iI") != std::string::npos;
  if (std::isinf(value) && !literal_inf) return fail("value out of range");
  return value;
}

Result<int64_t> FloatToInt(double f, std::string_view function) {
  if (std::isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) {
    return InvalidArgumentError("invalid operation: " + std::string(function) + "(" +
                                FormatGoFloat(f) + "): not representable as an int");
  }
  return static_cast<int64_t>(f);
}

Result<Value> Len(Args args, CallContext&) {
  const Value& v = args[0];
  if (v.is_list()) return Value(static_cast<int64_t>(v.as_list().size()));
  if (v.is_map()) return Value(static_cast<int64_t>(v.as_map().size()));
  if (v.is_string()) return Value(static_cast<int64_t>(utf8::RuneCount(v.as_string())));
  return InvalidArgumentFor("len", v);
}

Result<Value> Abs(Args args, CallContext&) {
  const Value& v = args[0];
  if (v.is_int()) {
    if (v.as_int() == INT64_MIN)
      return InvalidArgumentError("integer overflow: abs(" + std::to_string(v.as_int()) + ")");
    return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
  }
  if (v.is_float()) return Value(std::fabs(v.as_float()));
  return InvalidArgumentFor("abs", v);
}

template <double (*Fn)(double)>
Result<Value> Rounding(std::string_view name, const Value& v) {
  if (v.is_number()) return Value(Fn(v.number()));
  return InvalidArgumentFor(name, v);
}

double CeilOf(double x) { return std::ceil(x); }
double FloorOf(double x) { return std::floor(x); }
double RoundOf(double x) { return std::round(x); }  // half away from zero, as Go's math.Round

Result<Value> Ceil(Args args, CallContext&) { return Rounding<CeilOf>("ceil", args[0]); }
Result<Value> Floor(Args args, CallContext&) { return Rounding<FloorOf>("floor", args[0]); }
Result<Value> Round(Args args, CallContext&) { return Rounding<RoundOf>("round", args[0]); }

Result<Value> Int(Args args, CallContext&) {
  const Value& v = args[0];
  if (v.is_int()) return v;
  if (v.is_float()) {
    DEVFLOW_ASSIGN_OR_RETURN(int64_t i, FloatToInt(v.as_float(), "int"));
    return Value(i);
  }
  if (v.is_duration()) return Value(static_cast<int64_t>(v.as_duration().count()));
  if (v.is_string()) {
    auto parsed = ParseGoInt(v.as_string());
    if (!parsed.ok()) return InvalidArgumentError("invalid operation: int(" + v.as_string() + ")");
    return Value(*parsed);
  }
  return InvalidArgumentError("invalid operation: int(" + std::string(GoTypeName(v)) + ")");
}

Result<Value> Float(Args args, CallContext&) {
  const Value& v = args[0];
  if (v.is_number()) return Value(v.number());
  if (v.is_string()) {
    auto parsed = ParseGoFloat(v.as_string());
    if (!parsed.ok())
      return InvalidArgumentError("invalid operation: float(" + v.as_string() + ")");
    return Value(*parsed);
  }
  return InvalidArgumentError("invalid operation: float(" + std::string(GoTypeName(v)) + ")");
}

Result<Value> String(Args args, CallContext& context) {
  std::string text = FormatGoValue(args[0]);
  DEVFLOW_RETURN_IF_ERROR(SpendBytes(context, text.size()));
  return Value(std::move(text));
}

Result<Value> Type(Args args, CallContext&) {
  switch (args[0].kind()) {
    case Value::Kind::kNil:
      return Value("nil");
    case Value::Kind::kBool:
      return Value("bool");
    case Value::Kind::kInt:
      return Value("int");
    case Value::Kind::kFloat:
      return Value("float");
    case Value::Kind::kString:
      return Value("string");
    case Value::Kind::kList:
      return Value("array");
    case Value::Kind::kMap:
      return Value("map");
    case Value::Kind::kTime:
      return Value("time.Time");
    case Value::Kind::kDuration:
      return Value("time.Duration");
  }
  return Value("unknown");
}

// ---- aggregates: max, min, mean, median -----------------------------------------------------

// Appends every number in `v`, descending into lists, to `out`.
Status Flatten(std::string_view function, const Value& v, int depth, CallContext& context,
               std::vector<Value>& out) {
  DEVFLOW_RETURN_IF_ERROR(Spend(context, 1));
  if (v.is_number()) {
    out.push_back(v);
    return Status();
  }
  if (v.is_list() && depth < kMaxValueDepth) {
    for (const Value& item : v.as_list()) {
      DEVFLOW_RETURN_IF_ERROR(Flatten(function, item, depth + 1, context, out));
    }
    return Status();
  }
  return InvalidArgumentFor(function, v);
}

Result<Value> Extreme(std::string_view function, BinaryOp better, Args args, CallContext& context) {
  if (args.size() == 1 && !args[0].is_number() && !args[0].is_list()) return args[0];
  std::vector<Value> numbers;
  for (const Value& arg : args) {
    DEVFLOW_RETURN_IF_ERROR(Flatten(function, arg, 0, context, numbers));
  }
  Value best;
  for (const Value& n : numbers) {
    if (best.is_nil()) {
      best = n;
      continue;
    }
    DEVFLOW_ASSIGN_OR_RETURN(bool take, Compare(better, n, best));
    if (take) best = n;
  }
  return best;
}

Result<Value> Max(Args args, CallContext& c) { return Extreme("max", BinaryOp::kGreater, args, c); }
Result<Value> Min(Args args, CallContext& c) { return Extreme("min", BinaryOp::kLess, args, c); }

Result<Value> Mean(Args args, CallContext& context) {
  std::vector<Value> numbers;
  for (const Value& arg : args) DEVFLOW_RETURN_IF_ERROR(Flatten("mean", arg, 0, context, numbers));
  if (numbers.empty()) return Value(0.0);
  double total = 0;
  for (const Value& n : numbers) total += n.number();
  return Value(total / static_cast<double>(numbers.size()));
}

Result<Value> Median(Args args, CallContext& context) {
  std::vector<Value> numbers;
  for (const Value& arg : args)
    DEVFLOW_RETURN_IF_ERROR(Flatten("median", arg, 0, context, numbers));
  if (numbers.empty()) return Value(0.0);
  std::vector<double> values;
  values.reserve(numbers.size());
  for (const Value& n : numbers) values.push_back(n.number());
  // Go's sort.Float64s puts NaN first; a total order keeps std::sort well defined.
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return !std::isnan(b) && a < b;
  });
  size_t n = values.size();
  if (n % 2 == 1) return Value(values[n / 2]);
  return Value((values[n / 2 - 1] + values[n / 2]) / 2);
}

// ---- lists and maps -------------------------------------------------------------------------

Result<Value> FirstOrLast(std::string_view function, const Value& v, bool first) {
  if (v.is_nil()) return Value();
  if (!v.is_list()) {
    return InvalidArgumentError("cannot get " + std::string(function) + " element from " +
                                std::string(GoTypeName(v)));
  }
  const List& list = v.as_list();
  if (list.empty()) return Value();
  return first ? list.front() : list.back();
}

Result<Value> First(Args args, CallContext&) { return FirstOrLast("first", args[0], true); }
Result<Value> Last(Args args, CallContext&) { return FirstOrLast("last", args[0], false); }

Result<Value> KeysOrValues(std::string_view function, const Value& v, bool keys,
                           CallContext& context) {
  if (!v.is_map()) {
    return InvalidArgumentError("cannot get " + std::string(function) + " from " +
                                std::string(GoTypeName(v)));
  }
  DEVFLOW_RETURN_IF_ERROR(SpendElements(context, v.as_map().size()));
  List out;
  for (const auto& [key, value] : v.as_map()) out.push_back(keys ? Value(key) : value);
  return Value(std::move(out));
}

Result<Value> Keys(Args args, CallContext& c) { return KeysOrValues("keys", args[0], true, c); }
Result<Value> Values(Args args, CallContext& c) {
  return KeysOrValues("values", args[0], false, c);
}

Result<Value> Reverse(Args args, CallContext& context) {
  if (!args[0].is_list()) return InvalidArgumentFor("reverse", args[0]);
  DEVFLOW_RETURN_IF_ERROR(SpendElements(context, args[0].as_list().size()));
  List out(args[0].as_list().rbegin(), args[0].as_list().rend());
  return Value(std::move(out));
}

// ---- strings --------------------------------------------------------------------------------

Result<const std::string*> StringArg(std::string_view function, const Value& v) {
  if (!v.is_string()) return InvalidArgumentFor(function, v);
  return &v.as_string();
}

Result<Value> ChangeCase(std::string_view function, const Value& v, bool upper,
                         CallContext& context) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg(function, v));
  DEVFLOW_RETURN_IF_ERROR(SpendBytes(context, s->size()));
  std::string out = *s;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return Value(std::move(out));
}

Result<Value> Upper(Args args, CallContext& c) { return ChangeCase("upper", args[0], true, c); }
Result<Value> Lower(Args args, CallContext& c) { return ChangeCase("lower", args[0], false, c); }

bool InCutset(char32_t rune, std::string_view cutset) {
  for (size_t i = 0; i < cutset.size();) {
    utf8::Decoded d = utf8::DecodeAt(cutset, i);
    if (d.rune == rune) return true;
    i += static_cast<size_t>(d.size);
  }
  return false;
}

// Go's strings.Trim (with a cutset) or strings.TrimSpace (ASCII white space).
Result<Value> Trim(Args args, CallContext& context) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg("trim", args[0]));
  std::string_view cutset = " \t\n\v\f\r";
  if (args.size() == 2) {
    DEVFLOW_ASSIGN_OR_RETURN(const std::string* set, StringArg("trim", args[1]));
    cutset = *set;
  }
  DEVFLOW_RETURN_IF_ERROR(SpendBytes(context, s->size() * (1 + cutset.size())));
  std::vector<size_t> starts;  // byte offset of each rune, then the end
  for (size_t i = 0; i < s->size(); i += static_cast<size_t>(utf8::DecodeAt(*s, i).size)) {
    starts.push_back(i);
  }
  starts.push_back(s->size());
  size_t first = 0;
  size_t last = starts.size() - 1;  // runes [first, last) remain
  while (first < last && InCutset(utf8::DecodeAt(*s, starts[first]).rune, cutset)) first++;
  while (last > first && InCutset(utf8::DecodeAt(*s, starts[last - 1]).rune, cutset)) last--;
  return Value(s->substr(starts[first], starts[last] - starts[first]));
}

Result<Value> TrimAffix(std::string_view function, Args args, bool prefix) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg(function, args[0]));
  std::string affix = " ";
  if (args.size() == 2) {
    DEVFLOW_ASSIGN_OR_RETURN(const std::string* a, StringArg(function, args[1]));
    affix = *a;
  }
  if (prefix && s->starts_with(affix)) return Value(s->substr(affix.size()));
  if (!prefix && s->ends_with(affix)) return Value(s->substr(0, s->size() - affix.size()));
  return args[0];
}

Result<Value> TrimPrefix(Args args, CallContext&) { return TrimAffix("trimPrefix", args, true); }
Result<Value> TrimSuffix(Args args, CallContext&) { return TrimAffix("trimSuffix", args, false); }

// Go's strings.SplitN; split(s, sep) is SplitN(s, sep, -1).
Result<Value> Split(Args args, CallContext& context) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg("split", args[0]));
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* sep, StringArg("split", args[1]));
  int64_t n = -1;
  if (args.size() == 3) {
    if (!args[2].is_number()) return InvalidArgumentFor("split", args[2]);
    DEVFLOW_ASSIGN_OR_RETURN(n, ToIndex(args[2], "count"));
  }
  DEVFLOW_RETURN_IF_ERROR(SpendBytes(context, s->size()));
  List parts;
  if (n == 0) return Value(std::move(parts));
  if (sep->empty()) {
    for (size_t i = 0; i < s->size();) {
      if (n > 0 && static_cast<int64_t>(parts.size()) == n - 1) {
        parts.emplace_back(s->substr(i));
        break;
      }
      utf8::Decoded d = utf8::DecodeAt(*s, i);
      parts.emplace_back(s->substr(i, static_cast<size_t>(d.size)));
      i += static_cast<size_t>(d.size);
    }
    DEVFLOW_RETURN_IF_ERROR(SpendElements(context, parts.size()));
    return Value(std::move(parts));
  }
  std::string_view rest = *s;
  while (n < 0 || static_cast<int64_t>(parts.size()) < n - 1) {
    size_t at = rest.find(*sep);
    if (at == std::string_view::npos) break;
    parts.emplace_back(rest.substr(0, at));
    rest.remove_prefix(at + sep->size());
  }
  parts.emplace_back(rest);
  DEVFLOW_RETURN_IF_ERROR(SpendElements(context, parts.size()));
  return Value(std::move(parts));
}

Result<Value> Join(Args args, CallContext& context) {
  if (!args[0].is_list()) return InvalidArgumentFor("join", args[0]);
  std::string glue;
  if (args.size() == 2) {
    DEVFLOW_ASSIGN_OR_RETURN(const std::string* g, StringArg("join", args[1]));
    glue = *g;
  }
  std::string out;
  const List& list = args[0].as_list();
  for (size_t i = 0; i < list.size(); i++) {
    if (!list[i].is_string()) {
      return InvalidArgumentError("invalid argument for join: element " + std::to_string(i) +
                                  " is " + std::string(GoTypeName(list[i])) + ", not string");
    }
    if (i > 0) out += glue;
    out += list[i].as_string();
    DEVFLOW_RETURN_IF_ERROR(Spend(context, 1));
    DEVFLOW_RETURN_IF_ERROR(SpendBytes(context, list[i].as_string().size() + glue.size()));
  }
  return Value(std::move(out));
}

size_t CountOccurrences(std::string_view s, std::string_view sub) {
  if (sub.empty()) return utf8::RuneCount(s) + 1;
  size_t count = 0;
  for (size_t at = s.find(sub); at != std::string_view::npos; at = s.find(sub, at + sub.size())) {
    count++;
  }
  return count;
}

// Go's strings.Replace(s, old, new, n); n < 0 (the default) replaces every occurrence, and an
// empty `old` matches before every rune and at the end.
Result<Value> Replace(Args args, CallContext& context) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg("replace", args[0]));
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* from, StringArg("replace", args[1]));
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* to, StringArg("replace", args[2]));
  int64_t n = -1;
  if (args.size() == 4) {
    if (!args[3].is_number()) return InvalidArgumentFor("replace", args[3]);
    DEVFLOW_ASSIGN_OR_RETURN(n, ToIndex(args[3], "count"));
  }
  DEVFLOW_RETURN_IF_ERROR(SpendBytes(context, s->size()));
  if (*from == *to || n == 0) return args[0];
  const size_t occurrences = CountOccurrences(*s, *from);
  if (occurrences == 0) return args[0];
  const size_t replacements = n < 0 ? occurrences : std::min(occurrences, static_cast<size_t>(n));
  DEVFLOW_RETURN_IF_ERROR(Spend(context, replacements));
  DEVFLOW_RETURN_IF_ERROR(SpendBytes(context, replacements * to->size()));
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i < replacements; i++) {
    size_t j = start;
    if (from->empty()) {
      if (i > 0) j += static_cast<size_t>(utf8::DecodeAt(*s, start).size);
    } else {
      j = s->find(*from, start);
    }
    out.append(*s, start, j - start);
    out += *to;
    start = j + from->size();
  }
  out.append(*s, std::min(start, s->size()), std::string::npos);
  return Value(std::move(out));
}

Result<Value> IndexOf(Args args, CallContext&) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg("indexOf", args[0]));
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* sub, StringArg("indexOf", args[1]));
  size_t at = s->find(*sub);
  return Value(at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(at));
}

Result<Value> LastIndexOf(Args args, CallContext&) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg("lastIndexOf", args[0]));
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* sub, StringArg("lastIndexOf", args[1]));
  size_t at = s->rfind(*sub);
  return Value(at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(at));
}

Result<Value> HasPrefix(Args args, CallContext&) {
  DEVFLOW_ASSIGN_OR_RETURN(bool yes, StringTest(BinaryOp::kStartsWith, args[0], args[1]));
  return Value(yes);
}

Result<Value> HasSuffix(Args args, CallContext&) {
  DEVFLOW_ASSIGN_OR_RETURN(bool yes, StringTest(BinaryOp::kEndsWith, args[0], args[1]));
  return Value(yes);
}

// ---- time -----------------------------------------------------------------------------------

Result<Value> Now(Args, CallContext& context) { return Value(context.now); }

Result<Value> DurationOf(Args args, CallContext&) {
  DEVFLOW_ASSIGN_OR_RETURN(const std::string* s, StringArg("duration", args[0]));
  DEVFLOW_ASSIGN_OR_RETURN(Duration d, ParseGoDuration(*s));
  return Value(d);
}

// ---- Argo Rollouts' additions ---------------------------------------------------------------

Result<Value> AsInt(Args args, CallContext&) {
  const Value& v = args[0];
  if (v.is_int()) return v;
  if (v.is_float()) {
    DEVFLOW_ASSIGN_OR_RETURN(int64_t i, FloatToInt(v.as_float(), "asInt"));
    return Value(i);
  }
  if (v.is_string()) {
    DEVFLOW_ASSIGN_OR_RETURN(int64_t i, ParseGoInt(v.as_string()));
    return Value(i);
  }
  return InvalidArgumentError("asInt() not supported on " + std::string(GoTypeName(v)) + " " +
                              FormatGoValue(v));
}

Result<Value> AsFloat(Args args, CallContext&) {
  const Value& v = args[0];
  if (v.is_number()) return Value(v.number());
  if (v.is_string()) {
    DEVFLOW_ASSIGN_OR_RETURN(double f, ParseGoFloat(v.as_string()));
    return Value(f);
  }
  return InvalidArgumentError("asFloat() not supported on " + std::string(GoTypeName(v)) + " " +
                              FormatGoValue(v));
}

Result<Value> IsNaN(Args args, CallContext&) {
  if (!args[0].is_number()) return InvalidArgumentFor("isNaN", args[0]);
  return Value(args[0].is_float() && std::isnan(args[0].as_float()));
}

Result<Value> IsInf(Args args, CallContext&) {
  if (!args[0].is_number()) return InvalidArgumentFor("isInf", args[0]);
  return Value(args[0].is_float() && std::isinf(args[0].as_float()));
}

Result<Value> IsNil(Args args, CallContext&) { return Value(args[0].is_nil()); }

Result<Value> Default(Args args, CallContext&) { return args[0].is_nil() ? args[1] : args[0]; }

// Sorted by name for the binary search in FindBuiltin.
constexpr Builtin kBuiltins[] = {
    {"abs", 1, 1, CallKind::kFunction, Abs},
    {"all", 2, 2, CallKind::kAll},
    {"any", 2, 2, CallKind::kAny},
    {"asFloat", 1, 1, CallKind::kFunction, AsFloat},
    {"asInt", 1, 1, CallKind::kFunction, AsInt},
    {"ceil", 1, 1, CallKind::kFunction, Ceil},
    {"count", 1, 2, CallKind::kCount},
    {"default", 2, 2, CallKind::kFunction, Default},
    {"duration", 1, 1, CallKind::kFunction, DurationOf},
    {"filter", 2, 2, CallKind::kFilter},
    {"find", 2, 2, CallKind::kFind},
    {"findIndex", 2, 2, CallKind::kFindIndex},
    {"findLast", 2, 2, CallKind::kFindLast},
    {"findLastIndex", 2, 2, CallKind::kFindLastIndex},
    {"first", 1, 1, CallKind::kFunction, First},
    {"float", 1, 1, CallKind::kFunction, Float},
    {"floor", 1, 1, CallKind::kFunction, Floor},
    {"hasPrefix", 2, 2, CallKind::kFunction, HasPrefix},
    {"hasSuffix", 2, 2, CallKind::kFunction, HasSuffix},
    {"indexOf", 2, 2, CallKind::kFunction, IndexOf},
    {"int", 1, 1, CallKind::kFunction, Int},
    {"isInf", 1, 1, CallKind::kFunction, IsInf},
    {"isNaN", 1, 1, CallKind::kFunction, IsNaN},
    {"isNil", 1, 1, CallKind::kFunction, IsNil},
    {"join", 1, 2, CallKind::kFunction, Join},
    {"keys", 1, 1, CallKind::kFunction, Keys},
    {"last", 1, 1, CallKind::kFunction, Last},
    {"lastIndexOf", 2, 2, CallKind::kFunction, LastIndexOf},
    {"len", 1, 1, CallKind::kFunction, Len},
    {"lower", 1, 1, CallKind::kFunction, Lower},
    {"map", 2, 2, CallKind::kMap},
    {"max", 1, -1, CallKind::kFunction, Max},
    {"mean", 1, -1, CallKind::kFunction, Mean},
    {"median", 1, -1, CallKind::kFunction, Median},
    {"min", 1, -1, CallKind::kFunction, Min},
    {"none", 2, 2, CallKind::kNone},
    {"now", 0, 0, CallKind::kFunction, Now},
    {"one", 2, 2, CallKind::kOne},
    {"replace", 3, 4, CallKind::kFunction, Replace},
    {"reverse", 1, 1, CallKind::kFunction, Reverse},
    {"round", 1, 1, CallKind::kFunction, Round},
    {"split", 2, 3, CallKind::kFunction, Split},
    {"string", 1, 1, CallKind::kFunction, String},
    {"sum", 1, 2, CallKind::kSum},
    {"trim", 1, 2, CallKind::kFunction, Trim},
    {"trimPrefix", 1, 2, CallKind::kFunction, TrimPrefix},
    {"trimSuffix", 1, 2, CallKind::kFunction, TrimSuffix},
    {"type", 1, 1, CallKind::kFunction, Type},
    {"upper", 1, 1, CallKind::kFunction, Upper},
    {"values", 1, 1, CallKind::kFunction, Values},
};

}  // namespace

const Builtin* FindBuiltin(std::string_view name) {
  auto it = std::lower_bound(std::begin(kBuiltins), std::end(kBuiltins), name,
                             [](const Builtin& b, std::string_view n) { return b.name < n; });
  if (it == std::end(kBuiltins) || it->name != name) return nullptr;
  return &*it;
}

}  // namespace devflow::expr
