#include "apiserver/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "apiserver/sqlite_store_testing.h"
#include "kube/client_config.h"

namespace devflow::apiserver {
namespace {

int Mode(const std::string& path) {
  struct stat info;
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return static_cast<int>(info.st_mode & 0777);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(DataDirTest, TokenIsMadeOnceWithOwnerOnlyMode) {
  TempDir dir;
  Result<std::string> first = LoadOrCreateToken(dir.path());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 64u);
  EXPECT_EQ(Mode(dir.File("token")), 0600);
  Result<std::string> second = LoadOrCreateToken(dir.path());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*first, *second);
}

TEST(DataDirTest, TokenReadableByOthersIsRefused) {
  TempDir dir;
  ASSERT_TRUE(LoadOrCreateToken(dir.path()).ok());
  ASSERT_EQ(::chmod(dir.File("token").c_str(), 0644), 0);
  Result<std::string> token = LoadOrCreateToken(dir.path());
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(token.status().message().find("0644"), std::string::npos) << token.status();
}

TEST(DataDirTest, KubeconfigResolvesToServerAndToken) {
  TempDir dir;
  ASSERT_TRUE(WriteKubeconfig(dir.path(),
                              {.server = "http://127.0.0.1:7443", .token = "abc123", .ca_pem = ""})
                  .ok());
  EXPECT_EQ(Mode(dir.File("kubeconfig")), 0600);
  kube::LoadOptions options;
  options.kubeconfig_path = dir.File("kubeconfig");
  options.env = [](const std::string&) { return std::nullopt; };
  Result<kube::ClientConfig> config = kube::ResolveClientConfig(options);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.ToString(), "http://127.0.0.1:7443");
  EXPECT_EQ(config->namespace_, "default");
  Result<kube::RequestAuth> auth = config->CurrentAuth();
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->bearer_token, "abc123");
}

TEST(DataDirTest, TlsCaIsKeptAndServerCertificateReissued) {
  TempDir dir;
  Result<ServingTls> first = LoadOrCreateServingTls(dir.path(), "127.0.0.1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Mode(dir.File("pki/ca.key")), 0600);
  EXPECT_EQ(Mode(dir.File("pki/server.key")), 0600);
  Result<ServingTls> second = LoadOrCreateServingTls(dir.path(), "127.0.0.1");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->ca, second->ca);
  EXPECT_NE(first->server.certificate_pem, second->server.certificate_pem);
  EXPECT_EQ(ReadAll(dir.File("pki/ca.crt")), first->ca.certificate_pem);

  ASSERT_TRUE(WriteKubeconfig(dir.path(), {.server = "https://127.0.0.1:7443",
                                           .token = "t",
                                           .ca_pem = second->ca.certificate_pem})
                  .ok());
  kube::LoadOptions options;
  options.kubeconfig_path = dir.File("kubeconfig");
  options.env = [](const std::string&) { return std::nullopt; };
  Result<kube::ClientConfig> config = kube::ResolveClientConfig(options);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ca_pem, second->ca.certificate_pem);
}

TEST(DataDirTest, WriteFileAtomicallyReplacesWholeFile) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomically(dir.File("f"), "first version, longer", 0640).ok());
  ASSERT_TRUE(WriteFileAtomically(dir.File("f"), "second", 0640).ok());
  EXPECT_EQ(ReadAll(dir.File("f")), "second");
  EXPECT_EQ(Mode(dir.File("f")), 0640);
  EXPECT_FALSE(std::filesystem::exists(dir.File("f.tmp")));
}

}  // namespace
}  // namespace devflow::apiserver
