#include "node/haproxy_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace devflow::node {
namespace {

namespace fs = std::filesystem;

const HaproxySettings kSettings{"/run/devflow/haproxy/runtime.sock", "127.0.0.1", 41000};

ProxyListener Listener(std::string name, std::vector<RouteRule> rules, int port = 8080) {
  return {std::move(name), "127.0.0.1", port, std::move(rules)};
}

RouteRule Rule(std::vector<WeightedBackend> backends, std::vector<RouteMatch> matches = {},
               std::vector<std::string> hostnames = {}) {
  return {std::move(hostnames), std::move(matches), std::move(backends), "HTTPRoute default/web"};
}

TEST(HaproxyNamesTest, ProxyNamesAreReadableAndDistinct) {
  struct Row {
    const char* name;
    std::string input;
    std::string expected;
  };
  const Row rows[] = {
      {"backend", "production/web:80", "production.web:80"},
      {"service listener", "service/production/web:80", "service.production.web:80"},
      {"gateway listener", "gateway/default/gw/http", "gateway.default.gw.http"},
      {"dot is hashed", "gateway/default/gw/my.listener", "gateway_default_gw_my_listener:x"},
      {"space is hashed", "a b", "a_b:x"},
  };
  for (const Row& row : rows) {
    EXPECT_TRUE(HaproxyProxyName(row.input).starts_with(row.expected))
        << row.name << ": " << HaproxyProxyName(row.input);
  }
  EXPECT_NE(HaproxyProxyName("a b"), HaproxyProxyName("a;b")) << "sanitised names stay distinct";
}

TEST(HaproxyNamesTest, ServerNamesArePodNames) {
  EXPECT_EQ(HaproxyServerName("web-7f9c-abcde"), "web-7f9c-abcde");
  EXPECT_EQ(HaproxyServerName("web.v1"), "web.v1");
  EXPECT_TRUE(HaproxyServerName("web/1").starts_with("web_1:x"));
}

TEST(RuleMapEntriesTest, ScalesWeightsToRanges) {
  const std::set<std::string> known = {"ns/stable:80", "ns/canary:80"};
  struct Row {
    const char* name;
    std::vector<WeightedBackend> backends;
    std::vector<MapEntry> expected;
  };
  const Row rows[] = {
      {"10/90",
       {{"ns/canary:80", 10}, {"ns/stable:80", 90}},
       {{"0:99999", "ns.canary:80"}, {"100000:999999", "ns.stable:80"}}},
      {"one backend", {{"ns/stable:80", 1}}, {{"0:999999", "ns.stable:80"}}},
      {"zero weight gets no range",
       {{"ns/canary:80", 0}, {"ns/stable:80", 100}},
       {{"0:999999", "ns.stable:80"}}},
      {"negative weight is zero",
       {{"ns/canary:80", -5}, {"ns/stable:80", 3}},
       {{"0:999999", "ns.stable:80"}}},
      {"thirds",
       {{"ns/canary:80", 1}, {"ns/stable:80", 1}, {"ns/canary:80", 1}},
       {{"0:333332", "ns.canary:80"},
        {"333333:666665", "ns.stable:80"},
        {"666666:999999", "ns.canary:80"}}},
      {"all zero: no entries, the map default answers 503", {{"ns/stable:80", 0}}, {}},
      {"no backends", {}, {}},
      {"unknown backend keeps its share as 503",
       {{"ns/missing:80", 50}, {"ns/stable:80", 50}},
       {{"0:499999", "devflow_no_backend"}, {"500000:999999", "ns.stable:80"}}},
      {"a share below the scale gets nothing",
       {{"ns/canary:80", 1}, {"ns/stable:80", 999999}, {"ns/canary:80", 1}},
       {{"0:999998", "ns.stable:80"}, {"999999:999999", "ns.canary:80"}}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(RuleMapEntries(Rule(row.backends), known), row.expected) << row.name;
  }
}

TEST(BackendServersTest, DropsRepeatedNames) {
  ProxyBackend backend{"ns/web:80",
                       {{"a", "127.0.0.1", 1000, "h1", true},
                        {"b", "127.0.0.1", 1001, "h1", false},
                        {"a", "127.0.0.1", 1002, "h1", true}}};
  std::vector<HaproxyServer> expected = {{"a", "127.0.0.1", 1000, true},
                                         {"b", "127.0.0.1", 1001, false}};
  EXPECT_EQ(BackendServers(backend), expected);
}

TEST(GenerateHaproxyConfigTest, WritesTheFixedLayout) {
  ProxyState state;
  state.listeners = {Listener("service/ns/web:80", {Rule({{"ns/web:80", 1}})})};
  state.backends = {
      {"ns/web:80",
       {{"web-1", "127.0.0.1", 40001, "h1", true}, {"web-2", "127.0.0.1", 40002, "h1", false}}}};
  auto config = GenerateHaproxyConfig(state, kSettings);
  ASSERT_TRUE(config.ok()) << config.status();
  const std::string& text = config->text;
  struct Row {
    const char* name;
    const char* line;
  };
  const Row rows[] = {
      {"runtime socket",
       "stats socket '/run/devflow/haproxy/runtime.sock' mode 600 level admin expose-fd "
       "listeners\n"},
      {"retries", "  retry-on conn-failure empty-response response-timeout\n"},
      {"redispatch", "  option redispatch 1\n"},
      {"idle close", "  option idle-close-on-response\n"},
      {"exporter",
       "  bind 127.0.0.1:41000\n  http-request use-service prometheus-exporter if "
       "{ path /metrics }\n"},
      {"frontend", "frontend service.ns.web:80\n  bind 127.0.0.1:8080\n"},
      {"rule", "  use_backend '%[rand(1000000),map_int(maps/l0_r0.map,devflow_no_backend)]'\n"},
      {"no route", "  default_backend devflow_no_route\n"},
      {"backend", "backend ns.web:80\n"},
      {"serving server", "  server web-1 127.0.0.1:40001 weight 1\n"},
      {"drained server", "  server web-2 127.0.0.1:40002 weight 0\n"},
      {"503", "backend devflow_no_backend\n  http-request return status 503"},
      {"404", "backend devflow_no_route\n  http-request return status 404"},
  };
  for (const Row& row : rows) {
    EXPECT_NE(text.find(row.line), std::string::npos) << row.name << " in:\n" << text;
  }
  std::map<std::string, std::string> maps = {{"maps/l0_r0.map", "0:999999 ns.web:80\n"}};
  EXPECT_EQ(config->map_files, maps);
}

TEST(GenerateHaproxyConfigTest, WritesRuleConditions) {
  auto prefix = [](std::string value) {
    return RouteMatch{PathCondition{PathCondition::Type::kPrefix, std::move(value)}, {}, {}};
  };
  struct Row {
    const char* name;
    RouteRule rule;
    std::vector<std::string> lines;
  };
  const std::vector<WeightedBackend> web = {{"ns/web:80", 1}};
  const std::string use =
      "  use_backend '%[rand(1000000),map_int(maps/l0_r0.map,devflow_no_backend)]'";
  const Row rows[] = {
      {"no match: always", Rule(web), {use + "\n"}},
      {"prefix /: always", Rule(web, {prefix("/")}), {use + "\n"}},
      {"prefix matches path elements",
       Rule(web, {prefix("/api/")}),
       {"  acl r0_m0_path path -m str -- '/api'\n", "  acl r0_m0_path path -m beg -- '/api/'\n",
        use + " if r0_m0_path\n"}},
      {"exact path",
       Rule(web, {{PathCondition{PathCondition::Type::kExact, "/a b"}, {}, {}}}),
       {use + " if { path -m str -- '/a b' }\n"}},
      {"regex path anchored",
       Rule(web, {{PathCondition{PathCondition::Type::kRegex, "/v[0-9]+"}, {}, {}}}),
       {use + " if { path -m reg -- '^(?:/v[0-9]+)$' }\n"}},
      {"headers and method all hold",
       Rule(web, {{std::nullopt, {{"X-Canary", "it's $on", false}, {"x-v", "2|3", true}}, "GET"}}),
       {use + " if { 'req.fhdr(X-Canary)' -m str -- 'it'\\''s $on' } { 'req.fhdr(x-v)' -m reg "
              "-- '^(?:2|3)$' } { method -m str -- 'GET' }\n"}},
      {"empty header value",
       Rule(web, {{std::nullopt, {{"x-empty", "", false}}, std::nullopt}}),
       {use + " if { 'req.fhdr(x-empty)' -m len 0 }\n"}},
      {"any match: or",
       Rule(web, {{std::nullopt, {}, "GET"}, {std::nullopt, {}, "HEAD"}}),
       {use + " if { method -m str -- 'GET' } or { method -m str -- 'HEAD' }\n"}},
      {"hostnames and every match",
       Rule(web, {{std::nullopt, {}, "GET"}, {std::nullopt, {}, "HEAD"}},
            {"App.Example.com", "*.example.org"}),
       {"  acl r0_host req.hdr(host),field(1,:),lower -m str -- 'app.example.com'\n",
        "  acl r0_host req.hdr(host),field(1,:),lower -m end -- '.example.org'\n",
        use + " if r0_host { method -m str -- 'GET' } or r0_host { method -m str -- 'HEAD' }\n"}},
      {"hostname * accepts any host", Rule(web, {}, {"*"}), {use + "\n"}},
      {"an empty match accepts every request",
       Rule(web, {{std::nullopt, {}, "GET"}, RouteMatch{}}),
       {use + "\n"}},
  };
  for (const Row& row : rows) {
    ProxyState state;
    state.listeners = {Listener("l", {row.rule})};
    state.backends = {{"ns/web:80", {}}};
    auto config = GenerateHaproxyConfig(state, kSettings);
    ASSERT_TRUE(config.ok()) << row.name << ": " << config.status();
    for (const std::string& line : row.lines) {
      EXPECT_NE(config->text.find(line), std::string::npos) << row.name << ": missing\n"
                                                            << line << "in:\n"
                                                            << config->text;
    }
  }
}

TEST(GenerateHaproxyConfigTest, RejectsWhatHaproxyCannotCarry) {
  struct Row {
    const char* name;
    ProxyListener listener;
    const char* message_part;
  };
  auto with_match = [](RouteMatch match) {
    return Listener("service/ns/web:80", {Rule({{"ns/web:80", 1}}, {std::move(match)})});
  };
  const Row rows[] = {
      {"newline in header value", with_match({std::nullopt, {{"x", "a\nb", false}}, {}}),
       "header x value holds a control character"},
      {"quote in header name", with_match({std::nullopt, {{"x'y", "a", false}}, {}}),
       "header name \"x'y\""},
      {"comma in header name", with_match({std::nullopt, {{"x,y", "a", false}}, {}}),
       "header name \"x,y\""},
      {"control character in path",
       with_match({PathCondition{PathCondition::Type::kExact, "/a\tb"}, {}, {}}),
       "control character"},
      {"bind address", {"l", "localhost", 80, {}}, "address \"localhost\" is not an IP"},
      {"port", {"l", "127.0.0.1", 70000, {}}, "port 70000 is outside 1..65535"},
  };
  for (const Row& row : rows) {
    ProxyState state;
    state.listeners = {row.listener};
    auto config = GenerateHaproxyConfig(state, kSettings);
    ASSERT_FALSE(config.ok()) << row.name;
    EXPECT_EQ(config.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_NE(config.error().message().find(row.message_part), std::string::npos)
        << row.name << ": " << config.error().message();
  }
}

// HAProxy itself accepts what the generator writes, including the awkward values.
TEST(GenerateHaproxyConfigTest, HaproxyAcceptsTheConfiguration) {
  char dir_template[] = "/tmp/haproxy-config-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const fs::path dir = dir_template;
  ProxyState state;
  RouteMatch awkward{PathCondition{PathCondition::Type::kPrefix, "/it's/$HOME #x\\y"},
                     {{"X-Canary", "-starts-with-dash", false},
                      {"x-q", "it's \"quoted\" $var #hash \\", false},
                      {"x-r", "(a|b)+", true},
                      {"x-e", "", false}},
                     "PATCH"};
  state.listeners = {
      Listener("gateway/ns/gw/web.http", {Rule({{"ns/canary:80", 10}, {"ns/stable:80", 90}},
                                               {awkward}, {"a.example.com", "*.example.org"}),
                                          Rule({{"ns/stable:80", 0}})}),
      {"service/ns/web:80", "::1", 8081, {Rule({{"ns/missing:80", 1}})}},
      Listener("service/ns/empty:80", {}, 8082)};
  state.backends = {
      {"ns/canary:80", {{"canary-1", "127.0.0.1", 40001, "c", true}}},
      {"ns/stable:80",
       {{"stable-1", "127.0.0.1", 40002, "s", true}, {"stable-2", "::1", 40003, "s", false}}}};
  auto config = GenerateHaproxyConfig(state, {(dir / "runtime.sock").string(), "127.0.0.1", 41000});
  ASSERT_TRUE(config.ok()) << config.status();
  fs::create_directories(dir / "maps");
  std::ofstream(dir / "haproxy.cfg") << config->text;
  for (const auto& [name, text] : config->map_files) std::ofstream(dir / name) << text;
  const std::string command = "/usr/sbin/haproxy -c -C " + dir.string() + " -f haproxy.cfg > " +
                              (dir / "check.out").string() + " 2>&1";
  int status = std::system(command.c_str());
  std::ifstream out(dir / "check.out");
  std::stringstream output;
  output << out.rdbuf();
  EXPECT_EQ(status, 0) << output.str() << "\n" << config->text;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace devflow::node
