#include "apiserver/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/core_kinds.h"
#include "common/json_value.h"

namespace devflow::apiserver {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kUnavailable, "cannot read " + path + ": " + ErrnoText());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

bool Exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

Status RefuseIfShared(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return Status(StatusCode::kUnavailable, "cannot stat " + path + ": " + ErrnoText());
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Status(StatusCode::kFailedPrecondition,
                  path + " has mode " + mode +
                      ": it holds a credential and must be readable by its owner only "
                      "(chmod 600 " +
                      path + ")");
  }
  return Status::Ok();
}

Result<std::string> RandomHex(size_t bytes) {
  std::ifstream random("/dev/urandom", std::ios::binary);
  std::string raw(bytes, '\0');
  if (!random.read(raw.data(), static_cast<std::streamsize>(bytes))) {
    return Status(StatusCode::kInternal, "cannot read /dev/urandom");
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

// A YAML double-quoted scalar: JSON's string syntax is valid YAML.
std::string Quoted(std::string_view text) {
  std::string out;
  json::AppendQuoted(text, out);
  return out;
}

Result<http::CertificateBundle> LoadOrCreateCa(const std::string& pki) {
  const std::string cert_path = pki + "/ca.crt";
  const std::string key_path = pki + "/ca.key";
  if (Exists(cert_path) && Exists(key_path)) {
    DEVFLOW_RETURN_IF_ERROR(RefuseIfShared(key_path));
    DEVFLOW_ASSIGN_OR_RETURN(std::string cert, ReadWholeFile(cert_path));
    DEVFLOW_ASSIGN_OR_RETURN(std::string key, ReadWholeFile(key_path));
    return http::CertificateBundle{std::move(cert), std::move(key)};
  }
  DEVFLOW_ASSIGN_OR_RETURN(http::CertificateBundle ca, http::GenerateSelfSignedCa("devflow-ca"));
  // The key first: a certificate without its key would be reused next start and fail.
  DEVFLOW_RETURN_IF_ERROR(WriteFileAtomically(key_path, ca.private_key_pem, 0600));
  DEVFLOW_RETURN_IF_ERROR(WriteFileAtomically(cert_path, ca.certificate_pem, 0644));
  return ca;
}

bool IsIpLiteral(const std::string& host) {
  if (host.find(':') != std::string::npos) return true;  // IPv6
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

std::string DefaultDataDir() {
  if (std::string dir = Env("DEVFLOW_DATA_DIR"); !dir.empty()) return dir;
  if (std::string xdg = Env("XDG_DATA_HOME"); !xdg.empty()) return xdg + "/devflow";
  if (std::string home = Env("HOME"); !home.empty()) return home + "/.local/share/devflow";
  return {};
}

Status EnsureDataDir(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status(StatusCode::kUnavailable,
                  "cannot create data directory " + dir + ": " + error.message());
  }
  ::chmod(dir.c_str(), 0700);
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view content, int mode) {
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return Status(StatusCode::kUnavailable, "cannot write " + temporary + ": " + ErrnoText());
  // open() honours the umask; the mode is a security property here, so set it exactly.
  ::fchmod(fd, static_cast<mode_t>(mode));
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status failed(StatusCode::kUnavailable, "cannot write " + temporary + ": " + ErrnoText());
      ::close(fd);
      return failed;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status(StatusCode::kUnavailable, "cannot write " + temporary + ": " + ErrnoText());
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return Status(StatusCode::kUnavailable, "cannot rename " + temporary + ": " + ErrnoText());
  }
  const std::string parent = std::filesystem::path(path).parent_path().string();
  if (int dir_fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY);
      dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

Result<std::string> LoadOrCreateToken(const std::string& dir) {
  const std::string path = dir + "/token";
  if (Exists(path)) {
    DEVFLOW_RETURN_IF_ERROR(RefuseIfShared(path));
    DEVFLOW_ASSIGN_OR_RETURN(std::string token, ReadWholeFile(path));
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.empty()) {
      return Status(StatusCode::kFailedPrecondition,
                    path + " is empty: delete it to have a new token generated");
    }
    return token;
  }
  DEVFLOW_ASSIGN_OR_RETURN(std::string token, RandomHex(32));
  DEVFLOW_RETURN_IF_ERROR(WriteFileAtomically(path, token + "\n", 0600));
  return token;
}

Result<ServingTls> LoadOrCreateServingTls(const std::string& dir, const std::string& host) {
  const std::string pki = dir + "/pki";
  DEVFLOW_RETURN_IF_ERROR(EnsureDataDir(pki));
  DEVFLOW_ASSIGN_OR_RETURN(http::CertificateBundle ca, LoadOrCreateCa(pki));
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ips = {"127.0.0.1", "::1"};
  if (!host.empty() && host != "localhost" && host != "127.0.0.1" && host != "::1" &&
      host != "0.0.0.0" && host != "::") {
    (IsIpLiteral(host) ? ips : dns_names).push_back(host);
  }
  DEVFLOW_ASSIGN_OR_RETURN(http::CertificateBundle server,
                           http::IssueServerCertificate(ca, dns_names, ips));
  DEVFLOW_RETURN_IF_ERROR(WriteFileAtomically(pki + "/server.key", server.private_key_pem, 0600));
  DEVFLOW_RETURN_IF_ERROR(WriteFileAtomically(pki + "/server.crt", server.certificate_pem, 0644));
  return ServingTls{std::move(ca), std::move(server)};
}

std::string RenderKubeconfig(const KubeconfigSpec& spec) {
  std::string out =
      "# Written by `devflow serve`; rewritten on every start.\n"
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: devflow\n"
      "  cluster:\n"
      "    server: " +
      Quoted(spec.server) + "\n";
  if (!spec.ca_pem.empty()) {
    out += "    certificate-authority-data: " + api::EncodeBase64(spec.ca_pem) + "\n";
  }
  out +=
      "users:\n"
      "- name: devflow\n"
      "  user:\n"
      "    token: " +
      Quoted(spec.token) +
      "\n"
      "contexts:\n"
      "- name: devflow\n"
      "  context:\n"
      "    cluster: devflow\n"
      "    user: devflow\n"
      "    namespace: default\n"
      "current-context: devflow\n";
  return out;
}

Status WriteKubeconfig(const std::string& dir, const KubeconfigSpec& spec) {
  return WriteFileAtomically(dir + "/kubeconfig", RenderKubeconfig(spec), 0600);
}

}  // namespace devflow::apiserver
