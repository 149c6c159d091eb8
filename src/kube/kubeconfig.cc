#include "kube/kubeconfig.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "api/core_kinds.h"
#include "api/manifest_reader.h"
#include "common/field_path.h"
#include "common/source_map.h"

namespace devflow::kube {
namespace {

// The extension an exec plugin receives as spec.cluster.config (client-go's reserved name).
constexpr std::string_view kExecExtensionName = "client.authentication.k8s.io/exec";

// Decodes one document, collecting every error as "SOURCE:LINE:COL: FIELD: message".
class Decoder {
 public:
  Decoder(const std::string& source, const SourceMap& positions)
      : source_(source), positions_(positions) {}

  void Error(const FieldPath& path, const std::string& message) {
    Mark mark = positions_.Locate(path);
    std::string line =
        source_ + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": ";
    if (!path.empty()) line += path.str() + ": ";
    line += message;
    if (!errors_.empty()) errors_ += "\n";
    errors_ += line;
    if (first_path_.empty()) first_path_ = path.str();
  }

  bool TypeIs(const json::Value& v, json::Type want, const FieldPath& path) {
    if (v.type() == want) return true;
    Error(path, "must be " + Article(want) + std::string(json::TypeName(want)) + ", got " +
                    std::string(json::TypeName(v.type())));
    return false;
  }

  // Sets `out` from obj[key] when present and not null; a wrongly typed value is an error.
  void String(const json::Object& obj, std::string_view key, const FieldPath& at,
              std::string& out) {
    const json::Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return;
    if (TypeIs(*v, json::Type::kString, at.Child(key))) out = v->as_string();
  }
  void Bool(const json::Object& obj, std::string_view key, const FieldPath& at, bool& out) {
    const json::Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return;
    if (TypeIs(*v, json::Type::kBool, at.Child(key))) out = v->as_bool();
  }
  // A []byte field: base64 text, decoded into `out`.
  void Bytes(const json::Object& obj, std::string_view key, const FieldPath& at, std::string& out) {
    std::string text;
    String(obj, key, at, text);
    if (text.empty()) return;
    Result<std::string> bytes = api::DecodeBase64(text);
    if (!bytes.ok()) {
      Error(at.Child(key), bytes.error().message());
      return;
    }
    out = std::move(*bytes);
  }
  // Returns obj[key] when it is an object; nullptr when absent, null or wrongly typed.
  const json::Object* Object(const json::Object& obj, std::string_view key, const FieldPath& at) {
    const json::Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return nullptr;
    return TypeIs(*v, json::Type::kObject, at.Child(key)) ? &v->as_object() : nullptr;
  }
  const json::Array* Array(const json::Object& obj, std::string_view key, const FieldPath& at) {
    const json::Value* v = obj.Find(key);
    if (v == nullptr || v->is_null()) return nullptr;
    return TypeIs(*v, json::Type::kArray, at.Child(key)) ? &v->as_array() : nullptr;
  }

  Status Finish() const {
    if (errors_.empty()) return Status::Ok();
    return InvalidArgumentError(errors_, first_path_);
  }

 private:
  static std::string Article(json::Type t) {
    return (t == json::Type::kInt || t == json::Type::kArray || t == json::Type::kObject) ? "an "
                                                                                          : "a ";
  }

  const std::string& source_;
  const SourceMap& positions_;
  std::string errors_;
  std::string first_path_;
};

std::string Directory(const std::string& file) {
  size_t slash = file.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : file.substr(0, slash);
}

// A path written in a kubeconfig is relative to that file's directory, not to the working
// directory of whoever reads it (kubectl's ResolveLocalPaths).
std::string ResolvePath(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return dir == "/" ? "/" + path : dir + "/" + path;
}

// Decodes a named list (clusters, users, contexts): each element {name, <body_key>: {...}}.
// `decode_body` fills the entry from the body object.
template <class Entry, class DecodeBody>
void DecodeNamedList(Decoder& d, const json::Object& root, std::string_view list_key,
                     std::string_view body_key, std::string_view what,
                     std::map<std::string, Entry>& out, const DecodeBody& decode_body) {
  FieldPath list_path(list_key);
  const json::Array* list = d.Array(root, list_key, FieldPath());
  if (list == nullptr) return;
  for (size_t i = 0; i < list->size(); ++i) {
    FieldPath at = list_path.Index(i);
    const json::Value& item = (*list)[i];
    if (!d.TypeIs(item, json::Type::kObject, at)) continue;
    std::string name;
    d.String(item.as_object(), "name", at, name);
    Entry entry;
    if (const json::Object* body = d.Object(item.as_object(), body_key, at)) {
      decode_body(*body, at.Child(body_key), entry);
    }
    if (name.empty()) {
      d.Error(at.Child("name"), std::string(what) + " name is required");
      continue;
    }
    // Go's conversion from the v1 list to the internal map refuses repeated names.
    if (!out.emplace(name, std::move(entry)).second) {
      d.Error(at.Child("name"), "duplicate " + std::string(what) + " name \"" + name + "\"");
    }
  }
}

void DecodeCluster(Decoder& d, const json::Object& in, const FieldPath& at, const std::string& dir,
                   KubeconfigCluster& out) {
  d.String(in, "server", at, out.server);
  d.String(in, "certificate-authority", at, out.certificate_authority);
  out.certificate_authority = ResolvePath(dir, out.certificate_authority);
  d.Bytes(in, "certificate-authority-data", at, out.certificate_authority_data);
  d.Bool(in, "insecure-skip-tls-verify", at, out.insecure_skip_tls_verify);
  d.String(in, "tls-server-name", at, out.tls_server_name);
  d.String(in, "proxy-url", at, out.proxy_url);
  if (const json::Array* extensions = d.Array(in, "extensions", at)) {
    for (const json::Value& ext : *extensions) {
      const json::Value* name = ext.Find("name");
      if (name != nullptr && name->is_string() && name->as_string() == kExecExtensionName) {
        if (const json::Value* value = ext.Find("extension")) out.exec_extension = *value;
      }
    }
  }
}

void DecodeExec(Decoder& d, const json::Object& in, const FieldPath& at, const std::string& dir,
                ExecConfig& out) {
  d.String(in, "apiVersion", at, out.api_version);
  d.String(in, "command", at, out.command);
  // A bare name is looked up in PATH; only a command with a directory part is a file path.
  if (out.command.find('/') != std::string::npos) out.command = ResolvePath(dir, out.command);
  if (const json::Array* args = d.Array(in, "args", at)) {
    for (size_t i = 0; i < args->size(); ++i) {
      if (d.TypeIs((*args)[i], json::Type::kString, at.Child("args").Index(i))) {
        out.args.push_back((*args)[i].as_string());
      }
    }
  }
  if (const json::Array* env = d.Array(in, "env", at)) {
    for (size_t i = 0; i < env->size(); ++i) {
      FieldPath item_at = at.Child("env").Index(i);
      if (!d.TypeIs((*env)[i], json::Type::kObject, item_at)) continue;
      ExecEnvVar var;
      d.String((*env)[i].as_object(), "name", item_at, var.name);
      d.String((*env)[i].as_object(), "value", item_at, var.value);
      out.env.push_back(std::move(var));
    }
  }
  d.String(in, "installHint", at, out.install_hint);
  d.Bool(in, "provideClusterInfo", at, out.provide_cluster_info);
  d.String(in, "interactiveMode", at, out.interactive_mode);
}

void DecodeUser(Decoder& d, const json::Object& in, const FieldPath& at, const std::string& dir,
                KubeconfigUser& out) {
  d.String(in, "token", at, out.token);
  d.String(in, "tokenFile", at, out.token_file);
  out.token_file = ResolvePath(dir, out.token_file);
  d.String(in, "client-certificate", at, out.client_certificate);
  out.client_certificate = ResolvePath(dir, out.client_certificate);
  d.Bytes(in, "client-certificate-data", at, out.client_certificate_data);
  d.String(in, "client-key", at, out.client_key);
  out.client_key = ResolvePath(dir, out.client_key);
  d.Bytes(in, "client-key-data", at, out.client_key_data);
  d.String(in, "username", at, out.username);
  d.String(in, "password", at, out.password);
  if (const json::Object* exec = d.Object(in, "exec", at)) {
    out.exec.emplace();
    DecodeExec(d, *exec, at.Child("exec"), dir, *out.exec);
  }
  if (const json::Object* provider = d.Object(in, "auth-provider", at)) {
    d.String(*provider, "name", at.Child("auth-provider"), out.auth_provider);
    if (out.auth_provider.empty()) out.auth_provider = "(unnamed)";
  }
  for (std::string_view key : {"as", "as-uid", "as-groups", "as-user-extra"}) {
    const json::Value* v = in.Find(key);
    if (v == nullptr || v->is_null()) continue;
    bool empty = (v->is_string() && v->as_string().empty()) ||
                 (v->is_array() && v->as_array().empty()) ||
                 (v->is_object() && v->as_object().empty());
    if (!empty) out.impersonates = true;
  }
}

void DecodeContext(Decoder& d, const json::Object& in, const FieldPath& at,
                   KubeconfigContext& out) {
  d.String(in, "cluster", at, out.cluster);
  d.String(in, "user", at, out.user);
  d.String(in, "namespace", at, out.namespace_);
}

Status ReadWholeFile(const std::string& path, std::string& out) {
  auto failed = [&](int err) {
    std::string message = "kubeconfig " + path + ": " + std::strerror(err);
    return err == ENOENT ? NotFoundError(message) : FailedPreconditionError(message);
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(errno);
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return failed(err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  out = std::move(text);
  return Status::Ok();
}

std::string JoinSources(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t colon = list.find(':', start);
    if (colon == std::string::npos) colon = list.size();
    std::string item = list.substr(start, colon - start);
    if (!item.empty()) out.push_back(std::move(item));
    start = colon + 1;
  }
  return out;
}

}  // namespace

Result<Kubeconfig> ParseKubeconfig(std::string_view text, const std::string& source) {
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<api::Manifest> docs, api::ReadManifests(text, source));
  Kubeconfig config;
  config.sources.push_back(source);
  if (docs.empty()) return config;
  if (docs.size() > 1) {
    return InvalidArgumentError(source + ": a kubeconfig holds one document, found " +
                                std::to_string(docs.size()));
  }
  const api::Manifest& doc = docs[0];
  const json::Object& root = doc.object.as_object();
  Decoder d(source, doc.positions);
  std::string dir = Directory(source);

  std::string api_version, kind;
  d.String(root, "apiVersion", FieldPath(), api_version);
  d.String(root, "kind", FieldPath(), kind);
  if (!api_version.empty() && api_version != "v1") {
    d.Error(FieldPath("apiVersion"), "must be v1, got \"" + api_version + "\"");
  }
  if (!kind.empty() && kind != "Config") {
    d.Error(FieldPath("kind"), "must be Config, got \"" + kind + "\"");
  }

  DecodeNamedList(d, root, "clusters", "cluster", "cluster", config.clusters,
                  [&](const json::Object& in, const FieldPath& at, KubeconfigCluster& out) {
                    DecodeCluster(d, in, at, dir, out);
                  });
  DecodeNamedList(d, root, "users", "user", "user", config.users,
                  [&](const json::Object& in, const FieldPath& at, KubeconfigUser& out) {
                    DecodeUser(d, in, at, dir, out);
                  });
  DecodeNamedList(d, root, "contexts", "context", "context", config.contexts,
                  [&](const json::Object& in, const FieldPath& at, KubeconfigContext& out) {
                    DecodeContext(d, in, at, out);
                  });
  d.String(root, "current-context", FieldPath(), config.current_context);
  if (const json::Object* prefs = d.Object(root, "preferences", FieldPath())) {
    config.preferences = *prefs;
  }
  DEVFLOW_RETURN_IF_ERROR(d.Finish());

  for (auto& [name, c] : config.clusters) c.origin = source;
  for (auto& [name, u] : config.users) u.origin = source;
  for (auto& [name, c] : config.contexts) c.origin = source;
  return config;
}

Result<Kubeconfig> LoadKubeconfigFile(const std::string& path) {
  std::string text;
  DEVFLOW_RETURN_IF_ERROR(ReadWholeFile(path, text));
  return ParseKubeconfig(text, path);
}

void MergeKubeconfig(Kubeconfig& into, const Kubeconfig& from) {
  into.clusters.insert(from.clusters.begin(), from.clusters.end());
  into.users.insert(from.users.begin(), from.users.end());
  into.contexts.insert(from.contexts.begin(), from.contexts.end());
  if (into.current_context.empty()) into.current_context = from.current_context;
  for (const json::Member& m : from.preferences) {
    if (!into.preferences.Contains(m.key)) into.preferences.Set(m.key, m.value);
  }
  into.sources.insert(into.sources.end(), from.sources.begin(), from.sources.end());
}

Result<Kubeconfig> LoadKubeconfig(const KubeconfigLocations& locations) {
  if (!locations.explicit_path.empty()) return LoadKubeconfigFile(locations.explicit_path);

  if (locations.kubeconfig_env.has_value() && !locations.kubeconfig_env->empty()) {
    const std::string& env = *locations.kubeconfig_env;
    std::vector<std::string> files = SplitList(env);
    if (files.empty()) {
      return InvalidArgumentError("KUBECONFIG=\"" + env + "\" lists no files");
    }
    Kubeconfig merged;
    bool found = false;
    for (const std::string& file : files) {
      Result<Kubeconfig> one = LoadKubeconfigFile(file);
      if (!one.ok()) {
        // kubectl skips files of the list that do not exist (yet), but not unreadable ones.
        if (one.error().code() == StatusCode::kNotFound) continue;
        return one.error();
      }
      MergeKubeconfig(merged, *one);
      found = true;
    }
    if (!found) {
      return NotFoundError("none of the files in KUBECONFIG exists: " + JoinSources(files));
    }
    return merged;
  }

  for (const std::string& path : locations.default_paths) {
    Result<Kubeconfig> one = LoadKubeconfigFile(path);
    if (one.ok() || one.error().code() != StatusCode::kNotFound) return one;
  }
  return NotFoundError("no kubeconfig found: pass --kubeconfig or set KUBECONFIG (tried " +
                       (locations.default_paths.empty() ? std::string("no default paths")
                                                        : JoinSources(locations.default_paths)) +
                       ")");
}

}  // namespace devflow::kube
