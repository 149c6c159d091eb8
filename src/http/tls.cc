#include "http/tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>

namespace devflow::http {
namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;

// X.509's upper bound for a common name or organization (ub-common-name).
constexpr size_t kMaxNameBytes = 64;
constexpr long kBackdateSeconds = 5 * 60;

// An Internal status naming `what` and OpenSSL's first queued error; clears the queue.
Status OpenSslError(std::string_view what) {
  std::string message(what);
  if (unsigned long code = ERR_get_error(); code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    message += ": ";
    message += text;
  }
  ERR_clear_error();
  return InternalError(message);
}

// Refuses to prompt for a passphrase (OpenSSL's default reads the terminal).
int NoPassphrase(char*, int, int, void*) { return 0; }

struct Subject {
  std::string common_name;
  std::vector<std::string> organizations;
};

Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return InvalidArgumentError(std::string(what) + " must be 1.." + std::to_string(kMaxNameBytes) +
                                " bytes, got \"" + std::string(name) + "\"");
  }
  return Status::Ok();
}

Result<KeyPtr> GenerateKey(KeyAlgorithm algorithm) {
  KeyPtr key(algorithm == KeyAlgorithm::kRsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating a key");
  return key;
}

Result<std::string> CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("writing a certificate");
  }
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio.get(), &memory);
  return std::string(memory->data, memory->length);
}

Result<std::string> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8, which Go's tls.X509KeyPair reads for every key type.
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("writing a private key");
  }
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio.get(), &memory);
  return std::string(memory->data, memory->length);
}

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslError(std::string("adding extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return Status::Ok();
}

// A certificate for `subject` and `key`, not yet signed and without extensions. `issuer` null:
// self-issued.
Result<X509Ptr> NewCertificate(const Subject& subject, EVP_PKEY* key, X509* issuer,
                               std::chrono::hours validity) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return OpenSslError("creating a certificate");
  // 127 random bits: positive, unique in practice, within RFC 5280's 20 octets.
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ODD) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("choosing a serial number");
  }
  long seconds = static_cast<long>(std::chrono::seconds(validity).count());
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), seconds) == nullptr) {
    return OpenSslError("setting the validity period");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add_entry = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  for (const std::string& organization : subject.organizations) {
    if (!add_entry("O", organization)) return OpenSslError("setting the organization");
  }
  if (!subject.common_name.empty() && !add_entry("CN", subject.common_name)) {
    return OpenSslError("setting the common name");
  }
  X509_NAME* issuer_name = issuer ? X509_get_subject_name(issuer) : name;
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("setting the issuer and public key");
  }
  return cert;
}

Result<CertificateBundle> SignAndWrite(X509* cert, EVP_PKEY* signer, EVP_PKEY* key) {
  if (X509_sign(cert, signer, EVP_sha256()) <= 0) return OpenSslError("signing a certificate");
  CertificateBundle bundle;
  DEVFLOW_ASSIGN_OR_RETURN(bundle.certificate_pem, CertificatePem(cert));
  DEVFLOW_ASSIGN_OR_RETURN(bundle.private_key_pem, PrivateKeyPem(key));
  return bundle;
}

struct LoadedCa {
  X509Ptr cert;
  KeyPtr key;
};

Result<LoadedCa> LoadCa(const CertificateBundle& ca) {
  LoadedCa loaded;
  BioPtr cert_bio(
      BIO_new_mem_buf(ca.certificate_pem.data(), static_cast<int>(ca.certificate_pem.size())));
  loaded.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassphrase, nullptr));
  BioPtr key_bio(
      BIO_new_mem_buf(ca.private_key_pem.data(), static_cast<int>(ca.private_key_pem.size())));
  loaded.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (!loaded.cert) return InvalidArgumentError("the CA certificate is not a PEM certificate");
  if (!loaded.key) return InvalidArgumentError("the CA key is not an unencrypted PEM private key");
  if (X509_check_private_key(loaded.cert.get(), loaded.key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgumentError("the CA key does not match the CA certificate");
  }
  if (X509_check_ca(loaded.cert.get()) == 0) {
    return InvalidArgumentError("the CA certificate is not a CA (basicConstraints CA:FALSE)");
  }
  return loaded;
}

const char* LeafKeyUsage(KeyAlgorithm algorithm) {
  // RSA key exchange (TLS 1.2) encrypts with the key; ECDSA keys only sign.
  return algorithm == KeyAlgorithm::kRsa2048 ? "critical,digitalSignature,keyEncipherment"
                                             : "critical,digitalSignature";
}

Result<CertificateBundle> Issue(const CertificateBundle& ca, const Subject& subject,
                                const char* extended_key_usage, GENERAL_NAMES* alt_names,
                                KeyAlgorithm algorithm) {
  DEVFLOW_ASSIGN_OR_RETURN(LoadedCa loaded, LoadCa(ca));
  DEVFLOW_ASSIGN_OR_RETURN(KeyPtr key, GenerateKey(algorithm));
  DEVFLOW_ASSIGN_OR_RETURN(X509Ptr cert,
                           NewCertificate(subject, key.get(), loaded.cert.get(), kIssuedValidity));
  X509* issuer = loaded.cert.get();
  DEVFLOW_RETURN_IF_ERROR(
      AddExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE"));
  DEVFLOW_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_key_usage, LeafKeyUsage(algorithm)));
  DEVFLOW_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_ext_key_usage, extended_key_usage));
  DEVFLOW_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
  DEVFLOW_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid"));
  if (alt_names != nullptr &&
      X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, alt_names, 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("adding subject alternative names");
  }
  return SignAndWrite(cert.get(), loaded.key.get(), key.get());
}

bool IsDnsName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '*';
  });
}

}  // namespace

Result<CertificateBundle> GenerateSelfSignedCa(const std::string& common_name,
                                               KeyAlgorithm algorithm) {
  DEVFLOW_RETURN_IF_ERROR(CheckName("the CA common name", common_name));
  DEVFLOW_ASSIGN_OR_RETURN(KeyPtr key, GenerateKey(algorithm));
  DEVFLOW_ASSIGN_OR_RETURN(
      X509Ptr cert, NewCertificate(Subject{common_name, {}}, key.get(), nullptr, kCaValidity));
  X509* self = cert.get();
  DEVFLOW_RETURN_IF_ERROR(AddExtension(self, self, NID_basic_constraints, "critical,CA:TRUE"));
  DEVFLOW_RETURN_IF_ERROR(
      AddExtension(self, self, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"));
  DEVFLOW_RETURN_IF_ERROR(AddExtension(self, self, NID_subject_key_identifier, "hash"));
  return SignAndWrite(self, key.get(), key.get());
}

Result<CertificateBundle> IssueServerCertificate(const CertificateBundle& ca,
                                                 std::vector<std::string> dns_names,
                                                 std::vector<std::string> ip_addresses,
                                                 KeyAlgorithm algorithm) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return InvalidArgumentError("a server certificate needs at least one DNS name or IP address");
  }
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return OpenSslError("allocating subject alternative names");
  for (const std::string& dns : dns_names) {
    if (!IsDnsName(dns)) {
      return InvalidArgumentError("\"" + dns +
                                  "\" is not a DNS name (letters, digits, '.', '-', '*')");
    }
    GENERAL_NAME* name = GENERAL_NAME_new();
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (name == nullptr || text == nullptr ||
        ASN1_STRING_set(text, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(name);
      ASN1_IA5STRING_free(text);
      return OpenSslError("adding a DNS name");
    }
    GENERAL_NAME_set0_value(name, GEN_DNS, text);
    sk_GENERAL_NAME_push(names.get(), name);
  }
  for (const std::string& ip : ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    if (octets == nullptr) {
      ERR_clear_error();
      return InvalidArgumentError("\"" + ip + "\" is not an IP address");
    }
    GENERAL_NAME* name = GENERAL_NAME_new();
    if (name == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      return OpenSslError("adding an IP address");
    }
    GENERAL_NAME_set0_value(name, GEN_IPADD, octets);
    sk_GENERAL_NAME_push(names.get(), name);
  }
  std::string common_name = !dns_names.empty() ? dns_names.front() : ip_addresses.front();
  if (common_name.size() > kMaxNameBytes) common_name = "devflow";
  return Issue(ca, Subject{common_name, {}}, "serverAuth", names.get(), algorithm);
}

Result<CertificateBundle> IssueClientCertificate(const CertificateBundle& ca,
                                                 const std::string& common_name,
                                                 std::vector<std::string> organizations,
                                                 KeyAlgorithm algorithm) {
  DEVFLOW_RETURN_IF_ERROR(CheckName("the client common name", common_name));
  for (const std::string& organization : organizations) {
    DEVFLOW_RETURN_IF_ERROR(CheckName("an organization", organization));
  }
  return Issue(ca, Subject{common_name, std::move(organizations)}, "clientAuth", nullptr,
               algorithm);
}

}  // namespace devflow::http
