#include "api/yaml_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "api/manifest_reader.h"

namespace devflow::json {
// Internal linkage: other test files of this binary may print Values their own way.
[[maybe_unused]] static void PrintTo(const Value& value, std::ostream* os) { *os << Write(value); }
}  // namespace devflow::json

namespace devflow::api {
namespace {

using json::Array;
using json::Object;
using json::Value;

// The one object ReadManifests finds in `yaml`.
Result<Value> ReadBack(const std::string& yaml) {
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<Manifest> manifests, ReadManifests(yaml, "out.yaml"));
  if (manifests.size() != 1) {
    return InvalidArgumentError("expected one object, got " + std::to_string(manifests.size()));
  }
  return manifests[0].object;
}

// Checks that every mapping in `v` lists its keys in KeyLess order.
void ExpectKeysSorted(const Value& v, const std::string& where) {
  if (v.is_array()) {
    for (const Value& item : v.as_array()) ExpectKeysSorted(item, where);
  }
  if (!v.is_object()) return;
  const json::Member* previous = nullptr;
  for (const json::Member& m : v.as_object()) {
    if (previous != nullptr) {
      EXPECT_FALSE(KeyLess(m.key, previous->key))
          << where << ": \"" << m.key << "\" printed after \"" << previous->key << "\"";
    }
    previous = &m;
    ExpectKeysSorted(m.value, where);
  }
}

struct Row {
  std::string name;
  Value value;
  std::string yaml;
  bool round_trips = true;  // false where reading back cannot give the value (NaN, bad UTF-8)
};

// Checks each row's output and, where promised, that ReadManifests gives the value back.
void CheckRows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    EXPECT_EQ(WriteYaml(row.value), row.yaml) << row.name;
    if (!row.round_trips || !row.value.is_object()) continue;
    Result<Value> back = ReadBack(row.yaml);
    ASSERT_TRUE(back.ok()) << row.name << ": " << back.error();
    EXPECT_EQ(*back, row.value) << row.name;
  }
}

// A row holding {"v": value}, printed as "v: <scalar>".
Row Field(std::string name, Value value, const std::string& scalar, bool round_trips = true) {
  return Row{std::move(name), Object{{"v", std::move(value)}}, "v: " + scalar + "\n", round_trips};
}

TEST(YamlWriterTest, PrintsNonStringScalarsAsKubectlDoes) {
  double inf = std::numeric_limits<double>::infinity();
  CheckRows({
      Field("null", Value(), "null"),
      Field("true", true, "true"),
      Field("false", false, "false"),
      Field("int", 42, "42"),
      Field("negative int", -7, "-7"),
      Field("min int64", std::numeric_limits<int64_t>::min(), "-9223372036854775808"),
      Field("integral double keeps .0", 1.0, "1.0"),
      Field("large integral double keeps .0", 123456.0, "123456.0"),
      Field("zero double", 0.0, "0.0"),
      Field("negative zero", -0.0, "-0.0"),
      Field("fraction", 0.5, "0.5"),
      Field("shortest digits", 0.1, "0.1"),
      Field("exponent from 6 up", 1e6, "1e+06"),
      Field("exponent with digits", 1234567.0, "1.234567e+06"),
      Field("large exponent", 1e21, "1e+21"),
      Field("small fixed", 0.0001, "0.0001"),
      Field("small exponent", 1.5e-7, "1.5e-07"),
      Field("three-digit exponent", 2.5e-300, "2.5e-300"),
      Field("infinity", inf, ".inf"),
      Field("negative infinity", -inf, "-.inf"),
      Field("nan", std::nan(""), ".nan", /*round_trips=*/false),
      Field("empty object", Object{}, "{}"),
      Field("empty array", Array{}, "[]"),
  });
}

TEST(YamlWriterTest, DoubleQuotesStringsYaml11WouldTypeOtherwise) {
  std::vector<Row> rows;
  for (const char* s : {"yes",
                        "Yes",
                        "on",
                        "ON",
                        "no",
                        "off",
                        "y",
                        "Y",
                        "n",
                        "N",
                        "true",
                        "False",
                        "null",
                        "Null",
                        "~",
                        "",
                        "010",
                        "0x1f",
                        "0o17",
                        "0b101",
                        "1e3",
                        ".5",
                        "1.",
                        "1_000",
                        "25",
                        "-25",
                        "+1",
                        "08",
                        "1.5",
                        "-.5e-3",
                        ".inf",
                        "-.Inf",
                        ".NaN",
                        "<<",
                        "_1",
                        "1:20",
                        "-1:20:30.5",
                        "2024-01-01",
                        "2024-1-2",
                        "2024-01-01T10:00:00Z",
                        "2024-01-01 10:00:00",
                        "18446744073709551616"}) {
    rows.push_back(Field(std::string("typed \"") + s + "\"", s, std::string("\"") + s + "\""));
  }
  CheckRows(rows);
}

TEST(YamlWriterTest, WritesOtherStringsPlainWhenTheyReadBackUnchanged) {
  std::vector<Row> rows;
  for (const char* s : {"hello world",
                        "web-7f9c",
                        "1.2.3",
                        "25%",
                        "30s",
                        "--port=8080",
                        "-a",
                        ":a",
                        "?a",
                        "a:b",
                        "a#b",
                        "a,b",
                        "a[0]",
                        "a{b}",
                        "a\"b\\",
                        "a'b",
                        "http://x:80/y?z=1#f",
                        "0x",
                        "0xg",
                        "1e",
                        "e3",
                        "+",
                        "1:60",
                        "2024-13-01",
                        "2024-02-30",
                        "2024-01-01-rc1",
                        "_",
                        "é",
                        "日本語",
                        "a\u00a0b",
                        "\u00a0a",
                        "a\ufffdb"}) {
    rows.push_back(Field(std::string("plain \"") + s + "\"", s, s));
  }
  CheckRows(rows);
}

TEST(YamlWriterTest, SingleQuotesStringsThatCannotBePlain) {
  std::vector<Row> rows;
  for (const char* s :
       {"- a", "-",   "?",  "? a", ":",  ": a", "a:",  "a: b", "a #b", "#a",
        ",a",  "[a]", "]a", "{a}", "}a", "&a",  "*",   "!a",   "|",    ">",
        "%a",  "@a",  "`a", " a",  "a ", " ",   "---", "...",  "---a", "a\u2028b"}) {
    std::string quoted = s;
    if (quoted == "a\u2028b") quoted = "a\u2028  b";  // the break, then the line's indentation
    rows.push_back(Field(std::string("single-quoted \"") + s + "\"", s, "'" + quoted + "'"));
  }
  rows.push_back(Field("quote doubled", "'a", "'''a'"));
  rows.push_back(Field("quote inside quoted", "it's: x", "'it''s: x'"));
  rows.push_back(Field("leading double quote", "\"a", "'\"a'"));
  CheckRows(rows);
}

TEST(YamlWriterTest, EscapesInDoubleQuotesWhatNoOtherStyleCarries) {
  CheckRows({
      Field("tab", "a\tb", R"("a\tb")"),
      Field("control character", "\x01", R"("\x01")"),
      Field("delete", "\x7f", R"("\x7F")"),
      Field("nul", std::string("\0", 1), R"("\0")"),
      Field("escape", "\x1b", R"("\e")"),
      Field("carriage return", "a\rb", R"("a\rb")"),
      Field("next line", "a\u0085b", R"("a\Nb")"),
      Field("byte order mark", "\ufeff", R"("\uFEFF")"),
      Field("noncharacter", "\uffff", R"("\uFFFF")"),
      Field("outside the BMP", "ok \U0001F600", R"("ok \U0001F600")"),
      Field("C1 control", "\u0090", R"("\x90")"),
      Field("with quote and backslash", "\t\"\\", R"("\t\"\\")"),
      Field("typed word stays quoted", "true", R"("true")"),
      Field("invalid UTF-8 becomes U+FFFD",
            "a\xff\xc3"
            "b",
            R"("a\uFFFD\uFFFDb")",
            /*round_trips=*/false),
  });
}

TEST(YamlWriterTest, WritesMultiLineStringsAsLiteralBlocksWhenTheyRoundTrip) {
  CheckRows({
      Field("strip", "a\nb", "|-\n  a\n  b"),
      Field("clip", "a\nb\n", "|\n  a\n  b"),
      Field("keep", "a\n\n", "|+\n  a\n"),
      Field("only a newline", "\n", "|2+\n"),
      Field("leading space", " a\nb", "|2-\n   a\n  b"),
      Field("leading newline", "\na", "|2-\n\n  a"),
      Field("empty line inside", "a\n\nb", "|-\n  a\n\n  b"),
      Field("indented line", "a\n b\n", "|\n  a\n   b"),
      Field("typed word", "true\n", "|\n  true"),
      Field("indicators", "- a: b\n#c\n", "|\n  - a: b\n  #c"),
      Field("space before newline", "a \nb", R"("a \nb")"),
      Field("trailing space", "a\nb ", R"("a\nb ")"),
      Field("blank line of spaces", "a\n  \nb", R"("a\n  \nb")"),
      Field("tab", "a\tb\nc", R"("a\tb\nc")"),
      Field("carriage return", "a\r\nb", R"("a\r\nb")"),
      Row{"nested mapping", Object{{"a", Object{{"b", "x\ny"}}}}, "a:\n  b: |-\n    x\n    y\n"},
      Row{"sequence item", Object{{"a", Array{"x\ny"}}}, "a:\n- |-\n  x\n  y\n"},
      Row{"followed by a key", Object{{"a", "x\n"}, {"b", 1}}, "a: |\n  x\nb: 1\n"},
      Row{"root", Value("x\ny"), "|-\n  x\n  y\n"},
  });
}

// "word01 word02 ... wordNN" for from..to.
std::string Words(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    if (!out.empty()) out += ' ';
    out += (i < 10 ? "word0" : "word") + std::to_string(i);
  }
  return out;
}

TEST(YamlWriterTest, FoldsLongScalarsAtASpaceAfterColumn80) {
  CheckRows({
      Field("plain", Words(1, 20), Words(1, 12) + "\n  " + Words(13, 20)),
      Field("single-quoted", "#" + Words(1, 20),
            "'#" + Words(1, 11) + "\n  " + Words(12, 20) + "'"),
      Field("double-quoted", "\t" + Words(1, 20),
            "\"\\t" + Words(1, 11) + "\n  " + Words(12, 20) + "\""),
      Field("double-quoted escapes a leading space", "\t" + Words(1, 11) + "  " + Words(12, 20),
            "\"\\t" + Words(1, 11) + "\n  \\ " + Words(12, 20) + "\""),
      Field("no fold before a second space", Words(1, 12) + "  " + Words(13, 14),
            Words(1, 12) + "  word13\n  word14"),
      Row{"nested value continues at its indentation", Object{{"a", Object{{"b", Words(1, 20)}}}},
          "a:\n  b: " + Words(1, 11) + "\n    " + Words(12, 20) + "\n"},
      Row{"keys do not fold", Object{{Words(1, 15), 1}}, Words(1, 15) + ": 1\n"},
      Field("literal blocks do not fold", Words(1, 20) + "\n", "|\n  " + Words(1, 20)),
  });
}

TEST(YamlWriterTest, LaysOutCollectionsAsKubectlDoes) {
  Object container{{"name", "web"}, {"image", "nginx"}, {"ports", Array{Object{{"port", 80}}}}};
  CheckRows({
      Row{"empty root object", Object{}, "{}\n"},
      Row{"empty root array", Array{}, "[]\n"},
      Row{"root scalar", Value("hello"), "hello\n"},
      Row{"nested mappings", Object{{"a", Object{{"b", Object{{"c", 1}}}}}},
          "a:\n  b:\n    c: 1\n"},
      Row{"sequence under a key is not indented", Object{{"a", Array{"p", "q"}}}, "a:\n- p\n- q\n"},
      Row{"mappings in a sequence start on the dash's line",
          Object{{"containers", Array{container}}},
          "containers:\n- image: nginx\n  name: web\n  ports:\n  - port: 80\n"},
      Row{"empty collections as values", Object{{"a", Object{}}, {"b", Array{}}}, "a: {}\nb: []\n"},
      Row{"root sequence", Array{"a", Array{"b", "c"}, Object{{"d", 1}, {"e", Array{}}}, Array{}},
          "- a\n- - b\n  - c\n- d: 1\n  e: []\n- []\n"},
      Row{"sequence of sequences under a key",
          Object{{"a", Array{Array{1, 2}, Array{Value(Array{3})}}}}, "a:\n- - 1\n  - 2\n- - - 3\n"},
  });
}

TEST(YamlWriterTest, QuotesKeysByTheSameRulesAndUsesExplicitKeysWhenNeeded) {
  std::string long_key(129, 'k');
  CheckRows({
      Row{"typed key", Object{{"yes", 1}}, "\"yes\": 1\n"},
      Row{"empty key", Object{{"", 1}}, "\"\": 1\n"},
      Row{"merge key", Object{{"<<", 1}}, "\"<<\": 1\n"},
      Row{"number key", Object{{"80", "http"}}, "\"80\": http\n"},
      Row{"plain key with spaces", Object{{"a b", 1}}, "a b: 1\n"},
      Row{"indicator key", Object{{"- a", 1}}, "'- a': 1\n"},
      Row{"brace key", Object{{"{a", 1}}, "'{a': 1\n"},
      Row{"escaped key", Object{{"a\tb", 1}}, "\"a\\tb\": 1\n"},
      Row{"label key", Object{{"app.kubernetes.io/name", "web"}}, "app.kubernetes.io/name: web\n"},
      Row{"128-byte key is simple", Object{{std::string(128, 'k'), 1}},
          std::string(128, 'k') + ": 1\n"},
      Row{"longer key is explicit", Object{{long_key, 1}}, "? " + long_key + "\n: 1\n"},
      Row{"multi-line key is explicit", Object{{"a\nb", 1}}, "? |-\n  a\n  b\n: 1\n"},
      Row{"explicit key with a mapping", Object{{long_key, Object{{"p", 1}, {"q", 2}}}},
          "? " + long_key + "\n: p: 1\n  q: 2\n"},
      Row{"explicit key with a sequence", Object{{long_key, Array{1, 2}}},
          "? " + long_key + "\n: - 1\n  - 2\n"},
      Row{"explicit key in a sequence item", Object{{"s", Array{Object{{"a\nb", 1}, {"c", 2}}}}},
          "s:\n- ? |-\n    a\n    b\n  : 1\n  c: 2\n"},
      Row{"explicit key after a kept block", Object{{"a\n\n", 1}}, "? |+\n  a\n\n: 1\n"},
  });
}

TEST(YamlWriterTest, SortsKeysAsGoYamlDoes) {
  struct KeyRow {
    const char* name;
    std::string smaller;
    std::string larger;
  } rows[] = {
      {"letters by code point", "a", "b"},
      {"upper case first", "B", "a"},
      {"prefix first", "a", "ab"},
      {"numbers by value", "port9", "port10"},
      {"non-letter before letter", "a_b", "aB"},
      {"dash before letter", "a-b", "aB"},
      {"digit before letter", "a10", "a1b"},
      {"leading zero after the shorter number", "x1", "x01"},
      {"zero inside a number", "x15", "x105"},
      {"punctuation by code point", "a-b", "a.b"},
      {"non-ASCII as a letter", "a_", "aé"},
  };
  for (const KeyRow& row : rows) {
    EXPECT_TRUE(KeyLess(row.smaller, row.larger)) << row.name;
    EXPECT_FALSE(KeyLess(row.larger, row.smaller)) << row.name;
  }
  CheckRows({
      Row{"object order ignored",
          Object{{"spec", 1},
                 {"metadata", 2},
                 {"kind", 3},
                 {"apiVersion", 4},
                 {"port10", 5},
                 {"port9", 6}},
          "apiVersion: 4\nkind: 3\nmetadata: 2\nport9: 6\nport10: 5\nspec: 1\n"},
  });
}

// Round trip over every manifest in the repository.
TEST(YamlWriterRoundTripTest, RepositoryManifestsReadBackUnchanged) {
  namespace fs = std::filesystem;
  int files = 0;
  for (const char* dir : {"examples", "tests/testdata"}) {
    for (const fs::directory_entry& entry :
         fs::recursive_directory_iterator(fs::path(DEVFLOW_SOURCE_DIR) / dir)) {
      std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml" && ext != ".json")) {
        continue;
      }
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      Result<std::vector<Manifest>> manifests = ReadManifests(text.str(), entry.path().string());
      if (!manifests.ok()) continue;  // a deliberately malformed test input
      ++files;
      for (const Manifest& m : *manifests) {
        std::string yaml = WriteYaml(m.object);
        Result<Value> back = ReadBack(yaml);
        std::string where = entry.path().string() + " #" + std::to_string(m.document);
        ASSERT_TRUE(back.ok()) << where << ": " << back.error() << "\n" << yaml;
        EXPECT_EQ(*back, m.object) << where << "\n" << yaml;
        ExpectKeysSorted(*back, where);
      }
    }
  }
  EXPECT_GE(files, 15) << "the walk found too few manifests";
}

// Strings chosen to hit every quoting rule, and random ones.
class ValueGenerator {
 public:
  explicit ValueGenerator(uint32_t seed) : rng_(seed) {}

  Object TopLevel() {
    Object o = RandomObject(0);
    // ReadManifests expands a List into its items; keep the generated object a plain one.
    const Value* kind = o.Find("kind");
    if (kind != nullptr && kind->is_string() && kind->as_string().ends_with("List")) {
      o.Erase("items");
    }
    return o;
  }

  // Random bytes, often not UTF-8.
  std::string Bytes() {
    std::string s;
    for (int n = Below(12); n > 0; --n) s += static_cast<char>(Below(256));
    return s;
  }

  std::string String() {
    switch (Below(10)) {
      case 0:
      case 1:
      case 2: {
        static const char* const kTricky[] = {
            "",      "yes",   "on",     "No",     "off",    "y",          "n",          "true",
            "null",  "~",     "010",    "0x1f",   "1e3",    ".5",         "1_000",      "25",
            "-",     "- a",   "-a",     "?",      ": a",    "a:",         "a #b",       "#",
            "'",     "\"",    "|",      ">",      "%",      "@",          "`",          "&a",
            "*a",    "!a",    "[",      "{",      "]",      ",",          " a",         "a ",
            "---",   "...",   "a\nb",   "a\n",    "\n",     "\n\n",       " \n",        "\na",
            "a \nb", "a\n b", "\t",     "\r",     "<<",     "1:20",       "2024-01-01", "0o7",
            "+.inf", ".NaN",  "\u2028", "\u0085", "\ufeff", "\U0001F600", "\u00a0",     "a\u2029b"};
        return kTricky[Below(std::size(kTricky))];
      }
      case 3:
      case 4:
      case 5:
      case 6: {
        std::string s;
        for (int n = Below(12); n > 0; --n) AppendUtf8(RandomCodePoint(), s);
        return s;
      }
      case 7: {
        static const char kNumberish[] = "0123456789._-+eExob:T ";
        std::string s;
        for (int n = 1 + Below(10); n > 0; --n) s += kNumberish[Below(sizeof kNumberish - 1)];
        return s;
      }
      default: {
        // Long text with spaces, double spaces and line breaks, to exercise folding.
        static const char* const kPieces[] = {"word", " ", " ", "  ", "\n", ":", "#", "'", "x y"};
        std::string s;
        for (int n = 10 + Below(80); n > 0; --n) s += kPieces[Below(std::size(kPieces))];
        return s;
      }
    }
  }

 private:
  int Below(size_t n) { return static_cast<int>(rng_() % n); }

  char32_t RandomCodePoint() {
    switch (Below(10)) {
      case 0:
      case 1:
      case 2:
        return 0x20 + Below(0x5F);
      case 3: {
        static const char kSpecial[] = " \n\t-:#'\"?|>{}[],&*!%@`.~";
        return static_cast<unsigned char>(kSpecial[Below(sizeof kSpecial - 1)]);
      }
      case 4:
        return Below(2) == 0 ? Below(0x20) : 0x7F + Below(0x21);
      case 5: {
        static const char32_t kUnusual[] = {0x85,   0xA0,   0x2028, 0x2029, 0xFEFF,
                                            0xFFFD, 0xFFFE, 0xFFFF, 0xE000, 0xD7FF};
        return kUnusual[Below(std::size(kUnusual))];
      }
      case 6:
        return 0xA0 + Below(0x800 - 0xA0);
      case 7: {
        char32_t c = 0x800 + Below(0x10000 - 0x800);
        return c >= 0xD800 && c <= 0xDFFF ? 0xE9 : c;
      }
      default:
        return 0x10000 + Below(0x110000 - 0x10000);
    }
  }

  static void AppendUtf8(char32_t c, std::string& out) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }

  double Double() {
    switch (Below(4)) {
      case 0: {
        static const double kSpecial[] = {0.0,
                                          -0.0,
                                          0.5,
                                          0.1,
                                          1e21,
                                          1e-7,
                                          123456.0,
                                          1e6,
                                          -1e300,
                                          2.5e-5,
                                          std::numeric_limits<double>::max(),
                                          std::numeric_limits<double>::denorm_min(),
                                          std::numeric_limits<double>::infinity(),
                                          -std::numeric_limits<double>::infinity()};
        return kSpecial[Below(std::size(kSpecial))];
      }
      case 1:
        return static_cast<double>(static_cast<int>(rng_() % 2000001) - 1000000);
      case 2:
        return std::ldexp(static_cast<double>(rng_()), Below(200) - 100);
      default: {
        uint64_t bits = (static_cast<uint64_t>(rng_()) << 32) | rng_();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return std::isnan(d) ? 1.25 : d;
      }
    }
  }

  Value Scalar() {
    switch (Below(6)) {
      case 0:
        return Value();
      case 1:
        return Value(Below(2) == 0);
      case 2:
        return Value(static_cast<int64_t>((static_cast<uint64_t>(rng_()) << 32) | rng_()) >>
                     Below(64));
      case 3:
        return Value(Double());
      default:
        return Value(String());
    }
  }

  Object RandomObject(int depth) {
    Object o;
    for (int n = Below(6); n > 0; --n) o.Set(String(), RandomValue(depth + 1));
    return o;
  }

  Value RandomValue(int depth) {
    int kind = depth >= 4 ? 0 : Below(5);
    if (kind == 3) return RandomObject(depth);
    if (kind == 4) {
      Array a;
      for (int n = Below(5); n > 0; --n) a.push_back(RandomValue(depth + 1));
      return a;
    }
    return Scalar();
  }

  std::mt19937 rng_;
};

TEST(YamlWriterRoundTripTest, GeneratedValuesReadBackUnchanged) {
  ValueGenerator generator(20240611);
  int failures = 0;
  for (int i = 0; i < 3000 && failures < 5; ++i) {
    Value v = generator.TopLevel();
    std::string yaml = WriteYaml(v);
    Result<Value> back = ReadBack(yaml);
    std::string where = "case " + std::to_string(i) + ", value " + json::Write(v);
    if (!back.ok()) {
      ++failures;
      ADD_FAILURE() << where << ": " << back.error() << "\n" << yaml;
      continue;
    }
    if (*back != v) {
      ++failures;
      ADD_FAILURE() << where << "\nread back " << json::Write(*back) << "\n" << yaml;
    }
    ExpectKeysSorted(*back, where);
  }
}

// Each byte that does not start a well-formed UTF-8 sequence replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    auto at = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
    unsigned b = at(i);
    size_t len = b < 0x80                 ? 1
                 : b >= 0xC2 && b <= 0xDF ? 2
                 : b >= 0xE0 && b <= 0xEF ? 3
                 : b >= 0xF0 && b <= 0xF4 ? 4
                                          : 0;
    unsigned lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
    unsigned hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
    bool ok = len > 0;
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned c = at(i + k);
      ok = k == 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xBF;
    }
    if (ok) {
      out += s.substr(i, len);
      i += len;
    } else {
      out += "\ufffd";
      ++i;
    }
  }
  return out;
}

TEST(YamlWriterRoundTripTest, BytesThatAreNotUtf8ReadBackAsReplacementCharacters) {
  ValueGenerator generator(7);
  for (int i = 0; i < 1000; ++i) {
    std::string s = generator.Bytes();
    std::string yaml = WriteYaml(Object{{s, s}});
    Result<Value> back = ReadBack(yaml);
    ASSERT_TRUE(back.ok()) << "case " << i << ": " << back.error() << "\n" << yaml;
    std::string expected = ReplaceInvalidUtf8(s);
    EXPECT_EQ(*back, Value(Object{{expected, expected}})) << "case " << i << "\n" << yaml;
  }
}

}  // namespace
}  // namespace devflow::api
