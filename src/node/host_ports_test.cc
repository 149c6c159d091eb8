#include "node/host_ports.h"

#include <gtest/gtest.h>

namespace devflow::node {
namespace {

TEST(HostPortsTest, RoundTrips) {
  HostPorts ports{{9090, 41235}, {8080, 41234}};
  EXPECT_EQ(FormatHostPorts(ports), "8080=41234,9090=41235");
  auto parsed = ParseHostPorts("8080=41234,9090=41235");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, ports);
  EXPECT_EQ(FormatHostPorts({}), "");
  EXPECT_TRUE(ParseHostPorts("").value().empty());
}

TEST(HostPortsTest, RejectsMalformedEntries) {
  struct Row {
    const char* name;
    const char* text;
    const char* message_part;
  };
  const Row rows[] = {
      {"no equals", "8080", "\"8080\" is not CONTAINERPORT=HOSTPORT"},
      {"port zero", "0=41234", "\"0=41234\""},
      {"port too big", "8080=70000", "\"8080=70000\""},
      {"not a number", "http=41234", "\"http=41234\""},
      {"trailing comma", "8080=1,", "\"\""},
      {"repeated", "8080=1,8080=2", "containerPort 8080 appears twice"},
  };
  for (const Row& row : rows) {
    auto parsed = ParseHostPorts(row.text);
    ASSERT_FALSE(parsed.ok()) << row.name;
    EXPECT_NE(parsed.status().message().find(row.message_part), std::string::npos)
        << row.name << ": " << parsed.status().message();
  }
}

}  // namespace
}  // namespace devflow::node
