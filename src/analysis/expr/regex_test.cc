#include "analysis/expr/regex.h"

#include <gtest/gtest.h>

#include <string>

namespace devflow::expr {
namespace {

struct MatchRow {
  const char* name;
  const char* pattern;
  std::string text;
  bool want;
};

const MatchRow kMatchRows[] = {
    {"literal anywhere", "ell", "hello", true},
    {"literal absent", "elo", "hello", false},
    {"empty pattern", "", "anything", true},
    {"anchored start", "^he", "hello", true},
    {"anchored start fails", "^el", "hello", false},
    {"anchored end", "lo$", "hello", true},
    {"dollar is end of text", "a$", "a\n", false},
    {"multiline dollar", "(?m)a$", "a\nb", true},
    {"multiline caret", "(?m)^b", "a\nb", true},
    {"caret without m", "^b", "a\nb", false},
    {"begin and end text", "\\Aab\\z", "ab", true},
    {"dot skips newline", "a.b", "a\nb", false},
    {"dot with s flag", "(?s)a.b", "a\nb", true},
    {"star", "ab*c", "ac", true},
    {"plus", "ab+c", "ac", false},
    {"question", "colou?r", "color", true},
    {"counted", "^a{2,3}$", "aaa", true},
    {"counted too many", "^a{2,3}$", "aaaa", false},
    {"counted exact", "^(ab){2}$", "abab", true},
    {"counted open", "^a{2,}$", "aaaaa", true},
    {"lazy quantifier", "a+?b", "aaab", true},
    {"brace literal", "a{,2}", "a{,2}", true},
    {"alternation", "^(cat|dog)$", "dog", true},
    {"alternation none", "^(cat|dog)$", "cow", false},
    {"empty alternative", "^(a|)$", "", true},
    {"class", "^[a-c]+$", "abcab", true},
    {"class negated", "^[^0-9]+$", "abc", true},
    {"negated class matches newline", "a[^b]c", "a\nc", true},
    {"class with bracket first", "[]a]", "]", true},
    {"class with dash last", "^[a-]+$", "a-a", true},
    {"perl digit", "^v\\d+\\.\\d+$", "v1.25", true},
    {"perl word", "^\\w+$", "ab_9", true},
    {"perl space", "a\\sb", "a\tb", true},
    {"negated perl", "^\\D+$", "abc", true},
    {"posix class", "^[[:alpha:]]+$", "abc", true},
    {"negated posix", "^[[:^digit:]]+$", "abc", true},
    {"class escape inside", "^[\\d.]+$", "1.2.3", true},
    {"word boundary", "\\bcat\\b", "a cat here", true},
    {"word boundary fails", "\\bcat\\b", "concatenate", false},
    {"not word boundary", "\\Bcat", "concat", true},
    {"case insensitive", "(?i)HELLO", "hello", true},
    {"scoped flag", "(?i:a)b", "Ab", true},
    {"scoped flag ends", "(?i:a)b", "AB", false},
    {"flag for rest of group", "(a(?i)b)c", "aBc", true},
    {"case insensitive class", "(?i)^[a-c]+$", "ABC", true},
    {"non-capturing group", "^(?:ab)+$", "abab", true},
    {"named group", "^(?P<major>\\d+)\\.(?<minor>\\d+)$", "1.27", true},
    {"escaped punctuation", "^a\\.b\\*$", "a.b*", true},
    {"hex escape", "\\x41\\x{42}", "AB", true},
    {"octal escape", "\\101", "A", true},
    {"quoted literal", "\\Qa.b\\E", "a.b", true},
    {"quoted literal is literal", "\\Qa.b\\E", "axb", false},
    {"utf-8 text", "^h.llo$", "h\xC3\xA9llo", true},
    {"utf-8 class", "[\xC3\xA9]", "caf\xC3\xA9", true},
    {"invalid utf-8 text", "^.$", "\xFF", true},
    {"nested empty loop", "^(a*)*$", "aaa", true},
    {"nested empty loop fails", "^(a*)*$", "aab", false},
    {"pathological stays linear", "(a*)*b", std::string(100000, 'a'), false},
    {"pathological alternation", "^(a|a)*$", std::string(50000, 'a') + "b", false},
};

TEST(RegexTest, MatchesLikeGo) {
  for (const MatchRow& row : kMatchRows) {
    auto regex = Regex::Compile(row.pattern);
    ASSERT_TRUE(regex.ok()) << row.name << ": " << regex.error();
    Budget budget(100'000'000);
    auto found = (*regex)->Search(row.text, budget);
    ASSERT_TRUE(found.ok()) << row.name << ": " << found.error();
    EXPECT_EQ(*found, row.want) << row.name;
  }
}

TEST(RegexTest, RejectsBadPatternsWithGoMessages) {
  struct Row {
    const char* name;
    std::string pattern;
    std::string error;
  } rows[] = {
      {"missing paren", "(ab", "error parsing regexp: missing closing ): `(ab`"},
      {"extra paren", "ab)", "error parsing regexp: unexpected ): `ab)`"},
      {"missing bracket", "[ab", "error parsing regexp: missing closing ]: `[ab`"},
      {"bad range", "[z-a]", "error parsing regexp: invalid character class range: `z-a`"},
      {"nothing to repeat", "*a",
       "error parsing regexp: missing argument to repetition operator: `*`"},
      {"repeat after bar", "a|+",
       "error parsing regexp: missing argument to repetition operator: `+`"},
      {"double repeat", "a**", "error parsing regexp: invalid nested repetition operator: `**`"},
      {"repeat count", "a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"},
      {"inverted count", "a{3,2}", "error parsing regexp: invalid repeat count: `{3,2}`"},
      {"bad escape", "\\q", "error parsing regexp: invalid escape sequence: `\\q`"},
      {"backreference", "(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"},
      {"trailing backslash", "a\\",
       "error parsing regexp: trailing backslash at end of expression: ``"},
      {"lookahead", "a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
      {"unicode class", "\\pL",
       "error parsing regexp: invalid character class range (Unicode classes are not supported): "
       "`\\pL`"},
      {"too large", "((a{1000}){1000}){1000}", "error parsing regexp: expression too large"},
      {"too deep", std::string(101, '(') + "a",
       "error parsing regexp: expression nests too deeply: `" + std::string(101, '(') + "a`"},
  };
  for (const auto& row : rows) {
    auto regex = Regex::Compile(row.pattern);
    ASSERT_FALSE(regex.ok()) << row.name;
    EXPECT_EQ(regex.error().message(), row.error) << row.name;
  }
}

TEST(RegexTest, SearchStopsWhenTheBudgetRunsOut) {
  auto regex = Regex::Compile("(a|b|c|d)*e");
  ASSERT_TRUE(regex.ok());
  Budget budget(1000);
  auto found = (*regex)->Search(std::string(10000, 'a'), budget);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().message(), "evaluation too expensive: exceeded the budget of 1000 steps");
}

}  // namespace
}  // namespace devflow::expr
