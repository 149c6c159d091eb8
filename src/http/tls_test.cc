// Certificates, checked with OpenSSL's own verifier and accessors.
#include "http/tls.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace devflow::http {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr ParseCertificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

int KeyType(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  int type = key ? EVP_PKEY_get_base_id(key) : -1;
  EVP_PKEY_free(key);
  return type;
}

// OpenSSL's verdict on `leaf` against trust anchor `ca` for `purpose`.
int Verify(X509* ca, X509* leaf, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  X509_STORE_CTX_init(context, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(context, purpose);
  int result = X509_verify_cert(context) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(context);
  X509_STORE_CTX_free(context);
  X509_STORE_free(store);
  return result;
}

std::string SubjectField(X509* cert, int nid) {
  char text[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, text, sizeof(text));
  return text;
}

int ValidityDays(X509* cert) {
  int days = 0;
  int seconds = 0;
  ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
  return days;
}

TEST(TlsTest, SelfSignedCaIsAValidTenYearCa) {
  auto ca = GenerateSelfSignedCa("devflow-ca");
  ASSERT_TRUE(ca.ok()) << ca.error();

  X509Ptr cert = ParseCertificate(ca->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_EQ(SubjectField(cert.get(), NID_commonName), "devflow-ca");
  EXPECT_EQ(Verify(cert.get(), cert.get(), X509_PURPOSE_ANY), X509_V_OK);
  EXPECT_GE(ValidityDays(cert.get()), 3650);
  EXPECT_EQ(KeyType(ca->private_key_pem), EVP_PKEY_EC);
  EXPECT_TRUE(ca->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
}

TEST(TlsTest, ServerCertificateChainsToTheCaWithItsNames) {
  auto ca = GenerateSelfSignedCa("devflow-ca");
  ASSERT_TRUE(ca.ok()) << ca.error();

  auto server = IssueServerCertificate(*ca, {"localhost", "devflow.test"}, {"127.0.0.1", "::1"});

  ASSERT_TRUE(server.ok()) << server.error();
  X509Ptr ca_cert = ParseCertificate(ca->certificate_pem);
  X509Ptr cert = ParseCertificate(server->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(Verify(ca_cert.get(), cert.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_NE(Verify(ca_cert.get(), cert.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "devflow.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "other.test", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 0);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(SubjectField(cert.get(), NID_commonName), "localhost");
  EXPECT_GE(ValidityDays(cert.get()), 365);
}

TEST(TlsTest, ClientCertificateCarriesUserAndGroups) {
  auto ca = GenerateSelfSignedCa("devflow-ca");
  ASSERT_TRUE(ca.ok()) << ca.error();

  auto client = IssueClientCertificate(*ca, "alice", {"system:masters"});

  ASSERT_TRUE(client.ok()) << client.error();
  X509Ptr ca_cert = ParseCertificate(ca->certificate_pem);
  X509Ptr cert = ParseCertificate(client->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(Verify(ca_cert.get(), cert.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_NE(Verify(ca_cert.get(), cert.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(SubjectField(cert.get(), NID_commonName), "alice");
  EXPECT_EQ(SubjectField(cert.get(), NID_organizationName), "system:masters");
}

TEST(TlsTest, RsaKeysOnRequest) {
  auto ca = GenerateSelfSignedCa("rsa-ca", KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(ca.ok()) << ca.error();
  auto server = IssueServerCertificate(*ca, {"localhost"}, {}, KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(server.ok()) << server.error();

  EXPECT_EQ(KeyType(ca->private_key_pem), EVP_PKEY_RSA);
  EXPECT_EQ(KeyType(server->private_key_pem), EVP_PKEY_RSA);
  X509Ptr ca_cert = ParseCertificate(ca->certificate_pem);
  X509Ptr cert = ParseCertificate(server->certificate_pem);
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(cert.get())), 2048);
  EXPECT_EQ(Verify(ca_cert.get(), cert.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
}

TEST(TlsTest, EachCertificateHasItsOwnSerialAndKey) {
  auto ca = GenerateSelfSignedCa("devflow-ca");
  ASSERT_TRUE(ca.ok()) << ca.error();
  auto a = IssueServerCertificate(*ca, {"localhost"}, {});
  auto b = IssueServerCertificate(*ca, {"localhost"}, {});
  ASSERT_TRUE(a.ok() && b.ok());

  X509Ptr cert_a = ParseCertificate(a->certificate_pem);
  X509Ptr cert_b = ParseCertificate(b->certificate_pem);
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber(cert_a.get()), X509_get0_serialNumber(cert_b.get())),
      0);
  EXPECT_NE(a->private_key_pem, b->private_key_pem);
}

TEST(TlsTest, RejectsBadInput) {
  auto ca = GenerateSelfSignedCa("devflow-ca");
  auto other_ca = GenerateSelfSignedCa("other-ca");
  ASSERT_TRUE(ca.ok() && other_ca.ok());
  auto leaf = IssueServerCertificate(*ca, {"localhost"}, {});
  ASSERT_TRUE(leaf.ok());
  CertificateBundle mismatched{ca->certificate_pem, other_ca->private_key_pem};

  struct Row {
    const char* name;
    Result<CertificateBundle> result;
  };
  Row rows[] = {
      {"empty CA name", GenerateSelfSignedCa("")},
      {"CA name over 64 bytes", GenerateSelfSignedCa(std::string(65, 'a'))},
      {"no names", IssueServerCertificate(*ca, {}, {})},
      {"bad IP", IssueServerCertificate(*ca, {}, {"300.1.1.1"})},
      {"bad DNS name", IssueServerCertificate(*ca, {"a,b=c"}, {})},
      {"garbage CA", IssueServerCertificate(CertificateBundle{"x", "y"}, {"localhost"}, {})},
      {"key of another CA", IssueServerCertificate(mismatched, {"localhost"}, {})},
      {"leaf used as a CA", IssueServerCertificate(*leaf, {"localhost"}, {})},
      {"empty client name", IssueClientCertificate(*ca, "", {})},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(row.result.status().code(), StatusCode::kInvalidArgument)
        << row.name << ": " << row.result.status();
  }
}

}  // namespace
}  // namespace devflow::http
