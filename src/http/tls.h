// Certificates for `devflow serve --tls`: a self-signed CA, and server and client certificates
// it issues. Everything is PEM text; nothing touches the filesystem.
//
// The CA is valid for 10 years, issued certificates for 1 year (reissue them on start: the CA
// key is at hand and clients trust the CA, not the leaf). Serial numbers are random 127-bit
// values. Certificates are X.509 v3 signed with SHA-256, with the extensions Go's crypto/x509
// (kubectl, client-go) requires: subject alternative names for server certificates (the common
// name is not used for name checks), key usages and extended key usages.
//
// No OpenSSL type appears here: it stays in tls.cc. All functions are thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace devflow::http {

// A certificate and its private key.
struct CertificateBundle {
  std::string certificate_pem;  // "-----BEGIN CERTIFICATE-----..."
  std::string private_key_pem;  // PKCS#8: "-----BEGIN PRIVATE KEY-----..."
  friend bool operator==(const CertificateBundle&, const CertificateBundle&) = default;
};

enum class KeyAlgorithm {
  kEcdsaP256,  // smaller and faster; the default
  kRsa2048,    // for clients that cannot do ECDSA
};

inline constexpr std::chrono::hours kCaValidity = std::chrono::hours(24 * 3652);
inline constexpr std::chrono::hours kIssuedValidity = std::chrono::hours(24 * 365);

// Returns a new CA: subject and issuer "CN=<common_name>", basicConstraints CA:TRUE, key usage
// keyCertSign and cRLSign, valid from now (back-dated 5 minutes for clock skew) for kCaValidity.
// InvalidArgument for an empty common name; Internal when OpenSSL fails.
Result<CertificateBundle> GenerateSelfSignedCa(const std::string& common_name,
                                               KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256);

// Returns a server certificate signed by `ca` with subject alternative names `dns_names`
// ("localhost", "*.example.test") and `ip_addresses` ("127.0.0.1", "::1"), extended key usage
// serverAuth, valid for kIssuedValidity. Its common name is the first DNS name, else the first IP.
// InvalidArgument when `ca` does not load or its key does not match, when no name is given, or
// for an IP address that does not parse or a DNS name with characters outside [A-Za-z0-9.*-];
// Internal when OpenSSL fails.
Result<CertificateBundle> IssueServerCertificate(const CertificateBundle& ca,
                                                 std::vector<std::string> dns_names,
                                                 std::vector<std::string> ip_addresses,
                                                 KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256);

// Returns a client certificate signed by `ca` with subject "CN=<common_name>" and one O per entry
// of `organizations` (Kubernetes reads them as the user name and groups), extended key usage
// clientAuth, valid for kIssuedValidity. InvalidArgument when `ca` does not load or its key does
// not match, or for an empty common name; Internal when OpenSSL fails.
Result<CertificateBundle> IssueClientCertificate(const CertificateBundle& ca,
                                                 const std::string& common_name,
                                                 std::vector<std::string> organizations,
                                                 KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256);

}  // namespace devflow::http
