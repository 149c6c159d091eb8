// Server and client over TLS with certificates from tls.h.
#include <gtest/gtest.h>

#include <thread>

#include "http/client.h"
#include "http/http_testing.h"
#include "http/server.h"
#include "http/tls.h"

namespace devflow::http {
namespace {

using testing::BaseUrl;
using testing::Channel;
using testing::kHangGuard;
using testing::MakeClient;
using testing::StartServer;

// Answers with the client certificate's identity: "<CN>|<O>,<O>".
class WhoAmIHandler : public Handler {
 public:
  void Handle(const Request& request, ResponseWriter& writer) override {
    std::string groups;
    for (const std::string& group : request.client_organizations) {
      groups += (groups.empty() ? "" : ",") + group;
    }
    writer.Send(Response{.body = request.client_common_name + "|" + groups});
  }
};

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = GenerateSelfSignedCa("devflow-test-ca");
    ASSERT_TRUE(ca.ok()) << ca.error();
    ca_ = *ca;
    auto server_cert = IssueServerCertificate(ca_, {"localhost"}, {"127.0.0.1"});
    ASSERT_TRUE(server_cert.ok()) << server_cert.error();
    server_cert_ = *server_cert;
  }

  ServerOptions TlsServer(std::string client_ca = "", bool require = false) const {
    return ServerOptions{.tls =
                             ServerTlsOptions{.certificate_chain_pem = server_cert_.certificate_pem,
                                              .private_key_pem = server_cert_.private_key_pem,
                                              .client_ca_pem = std::move(client_ca),
                                              .require_client_certificate = require}};
  }

  ClientOptions TrustingClient(const Server& server) const {
    return ClientOptions{.base_url = BaseUrl(server, /*tls=*/true), .ca_pem = ca_.certificate_pem};
  }

  CertificateBundle ca_;
  CertificateBundle server_cert_;
};

TEST_F(HttpsTest, ClientTrustingTheCaConnectsAndReusesTheConnection) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer());
  auto client = MakeClient(TrustingClient(*server));

  for (int i = 0; i < 10; ++i) {
    auto response = client->Send(Request{});
    ASSERT_TRUE(response.ok()) << "request " << i << ": " << response.error();
    EXPECT_EQ(response->body, "|");
  }

  EXPECT_EQ(server->stats().accepted_connections, 1u);
}

TEST_F(HttpsTest, DnsNameInTheCertificateVerifies) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer());
  auto client =
      MakeClient(ClientOptions{.base_url = "https://localhost:" + std::to_string(server->port()),
                               .ca_pem = ca_.certificate_pem});

  auto response = client->Send(Request{});

  ASSERT_TRUE(response.ok()) << response.error();
}

TEST_F(HttpsTest, ClientWithoutTheCaFailsVerification) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer());
  auto client = MakeClient(ClientOptions{.base_url = BaseUrl(*server, /*tls=*/true)});

  auto response = client->Send(Request{});

  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_NE(response.status().message().find("certificate verify failed"), std::string::npos)
      << response.status();
}

TEST_F(HttpsTest, NameNotInTheCertificateFailsVerification) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer());
  ClientOptions options = TrustingClient(*server);
  options.tls_server_name = "elsewhere.test";
  auto client = MakeClient(options);

  auto response = client->Send(Request{});

  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_NE(response.status().message().find("hostname mismatch"), std::string::npos)
      << response.status();
}

TEST_F(HttpsTest, TlsServerNameOverridesTheHost) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer());
  ClientOptions options = TrustingClient(*server);
  options.tls_server_name = "localhost";  // in the certificate; 127.0.0.1 would be too

  auto response = MakeClient(options)->Send(Request{});

  ASSERT_TRUE(response.ok()) << response.error();
}

TEST_F(HttpsTest, InsecureSkipVerifyConnectsToAnUntrustedServer) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer());
  auto client = MakeClient(ClientOptions{.base_url = BaseUrl(*server, /*tls=*/true),
                                         .insecure_skip_verify = true,
                                         .tls_server_name = "elsewhere.test"});

  auto response = client->Send(Request{});

  ASSERT_TRUE(response.ok()) << response.error();
}

TEST_F(HttpsTest, ClientCertificateIdentityReachesTheHandler) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer(ca_.certificate_pem));
  auto alice = IssueClientCertificate(ca_, "alice", {"devs", "system:masters"});
  ASSERT_TRUE(alice.ok()) << alice.error();
  ClientOptions with_cert = TrustingClient(*server);
  with_cert.client_certificate_pem = alice->certificate_pem;
  with_cert.client_key_pem = alice->private_key_pem;

  auto as_alice = MakeClient(with_cert)->Send(Request{});
  auto anonymous = MakeClient(TrustingClient(*server))->Send(Request{});

  ASSERT_TRUE(as_alice.ok()) << as_alice.error();
  EXPECT_EQ(as_alice->body, "alice|devs,system:masters");
  ASSERT_TRUE(anonymous.ok()) << anonymous.error();
  EXPECT_EQ(anonymous->body, "|");
}

TEST_F(HttpsTest, ClientCertificateFromAnotherCaIsRejected) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer(ca_.certificate_pem));
  auto other_ca = GenerateSelfSignedCa("other-ca");
  ASSERT_TRUE(other_ca.ok());
  auto mallory = IssueClientCertificate(*other_ca, "mallory", {"system:masters"});
  ASSERT_TRUE(mallory.ok());
  ClientOptions options = TrustingClient(*server);
  options.client_certificate_pem = mallory->certificate_pem;
  options.client_key_pem = mallory->private_key_pem;

  auto response = MakeClient(options)->Send(Request{});

  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
}

TEST_F(HttpsTest, RequiredClientCertificateMissingIsRejected) {
  WhoAmIHandler handler;
  auto server = StartServer(handler, TlsServer(ca_.certificate_pem, /*require=*/true));

  auto response = MakeClient(TrustingClient(*server))->Send(Request{});

  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
}

TEST_F(HttpsTest, StreamsOverTls) {
  Channel<ResponseWriter> writers;
  FunctionHandler handler([&](const Request&, ResponseWriter& writer) {
    writer.StartStream(200, {});
    writers.Push(writer);
  });
  auto server = StartServer(handler, TlsServer());
  auto client = MakeClient(TrustingClient(*server));
  auto stream = client->Open(Request{.target = "/watch"});
  ASSERT_TRUE(stream.ok()) << stream.error();
  auto writer = writers.Pop();
  ASSERT_TRUE(writer);

  std::thread producer([writer = *writer]() mutable {
    for (int i = 0; i < 100; ++i) writer.WriteChunk("event " + std::to_string(i) + "\n");
  });
  std::vector<std::string> lines;
  for (int i = 0; i < 100; ++i) {
    auto line = (*stream)->ReadLine(kHangGuard);
    ASSERT_TRUE(line.ok() && *line) << i;
    lines.push_back(**line);
  }
  producer.join();
  server->Stop();  // ends the open stream
  auto end = (*stream)->ReadLine(kHangGuard);

  EXPECT_EQ(lines.front(), "event 0");
  EXPECT_EQ(lines.back(), "event 99");
  ASSERT_TRUE(end.ok()) << end.error();
  EXPECT_EQ(*end, std::nullopt);
}

TEST_F(HttpsTest, BadServerKeyIsInvalidArgument) {
  WhoAmIHandler handler;
  auto other = GenerateSelfSignedCa("other");
  ASSERT_TRUE(other.ok());
  ServerOptions options = TlsServer();
  options.tls->private_key_pem = other->private_key_pem;
  Server server(options, handler);

  Status status = server.Start();

  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status;
}

TEST_F(HttpsTest, ClientTlsMaterialIsCheckedAtCreate) {
  struct Row {
    const char* name;
    ClientOptions options;
  };
  Row rows[] = {
      {"garbage CA", ClientOptions{.base_url = "https://127.0.0.1:1", .ca_pem = "garbage"}},
      {"certificate without key",
       ClientOptions{.base_url = "https://127.0.0.1:1",
                     .client_certificate_pem = server_cert_.certificate_pem}},
      {"key of another certificate",
       ClientOptions{.base_url = "https://127.0.0.1:1",
                     .client_certificate_pem = server_cert_.certificate_pem,
                     .client_key_pem = ca_.private_key_pem}},
  };
  for (Row& row : rows) {
    auto client = Client::Create(row.options);
    ASSERT_FALSE(client.ok()) << row.name;
    EXPECT_EQ(client.error().code(), StatusCode::kInvalidArgument) << row.name;
  }
}

}  // namespace
}  // namespace devflow::http
