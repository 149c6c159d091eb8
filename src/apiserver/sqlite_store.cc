// Schema (user_version 1):
//
//   revisions(version PK, successor, type, resource, namespace, name, labels, json)
//   meta(name PK, value): "current_version", "compacted_version"
//
// A revisions row is one state of one key, valid for versions in [version, successor); a NULL
// successor means "still current". A delete supersedes the key's current row and inserts a
// tombstone whose successor is its own version, so a tombstone is never valid at any version
// but still holds the DELETED event (the object stamped with the deletion's version). Then:
//   - the current state is the rows with successor IS NULL (a partial unique index);
//   - the state at version V is the rows with version <= V < successor, which is what a
//     continued list reads: no copy of the list is kept, and a page written after V can
//     neither appear nor disappear;
//   - the event of version v is the row with version v (every write inserts exactly one row),
//     and its previous object is the row the write superseded (successor = v);
//   - compacting to C deletes the rows with successor <= C: they are valid at no version >= C
//     and their events are <= C. A row valid at some V >= C, or the previous object of an event
//     after C, has successor > C and stays.
// This is etcd's MVCC, and it stores each state once; keeping the history as a separate table
// of events with their previous objects would store each state twice.

#include "apiserver/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/json_reader.h"
#include "common/json_value.h"

namespace devflow::apiserver {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int64_t kInitialVersion = 1;

const char* const kSchema = R"sql(
CREATE TABLE revisions (
  version INTEGER PRIMARY KEY,
  successor INTEGER,
  type INTEGER NOT NULL,
  resource TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  labels TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE UNIQUE INDEX revisions_current ON revisions (resource, namespace, name)
  WHERE successor IS NULL;
CREATE INDEX revisions_by_key ON revisions (resource, namespace, name, version);
CREATE INDEX revisions_by_successor ON revisions (successor) WHERE successor IS NOT NULL;
CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (name, value) VALUES ('current_version', 1), ('compacted_version', 1);
PRAGMA user_version = 1;
)sql";

const char* const kSelectCurrent =
    "SELECT version, labels, json FROM revisions INDEXED BY revisions_current "
    "WHERE resource = ?1 AND namespace = ?2 AND name = ?3 AND successor IS NULL";
const char* const kInsert =
    "INSERT INTO revisions (version, successor, type, resource, namespace, name, labels, json) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
const char* const kSupersede = "UPDATE revisions SET successor = ?2 WHERE version = ?1";
const char* const kCompact = "DELETE FROM revisions WHERE successor <= ?1";
const char* const kSetMeta = "UPDATE meta SET value = ?2 WHERE name = ?1";
const char* const kGetMeta = "SELECT value FROM meta WHERE name = ?1";

// List queries select (version, namespace, name, labels, json). ?1 resource; ?2, ?3 the
// namespace and name after which to start; ?4 the snapshot version.
const char* const kListCurrentAll =
    "SELECT version, namespace, name, labels, json FROM revisions INDEXED BY revisions_current "
    "WHERE resource = ?1 AND (namespace, name) > (?2, ?3) AND successor IS NULL "
    "ORDER BY namespace, name";
const char* const kListCurrentNamespace =
    "SELECT version, namespace, name, labels, json FROM revisions INDEXED BY revisions_current "
    "WHERE resource = ?1 AND namespace = ?2 AND name > ?3 AND successor IS NULL "
    "ORDER BY name";
const char* const kListSnapshotAll =
    "SELECT version, namespace, name, labels, json FROM revisions INDEXED BY revisions_by_key "
    "WHERE resource = ?1 AND (namespace, name) > (?2, ?3) AND version <= ?4 "
    "AND (successor IS NULL OR successor > ?4) ORDER BY namespace, name";
const char* const kListSnapshotNamespace =
    "SELECT version, namespace, name, labels, json FROM revisions INDEXED BY revisions_by_key "
    "WHERE resource = ?1 AND namespace = ?2 AND name > ?3 AND version <= ?4 "
    "AND (successor IS NULL OR successor > ?4) ORDER BY name";

// Columns 0-6: the event's row; 7-9: the row it superseded (NULL for ADDED).
const char* const kEventsSince =
    "SELECT e.version, e.type, e.resource, e.namespace, e.name, e.labels, e.json, "
    "p.version, p.labels, p.json "
    "FROM revisions AS e LEFT JOIN revisions AS p "
    "ON p.successor = e.version AND p.version < e.version "
    "WHERE e.version > ?1 AND (?2 = '' OR e.resource = ?2) AND (?3 = '' OR e.namespace = ?3) "
    "ORDER BY e.version";

Status SqliteError(int rc, sqlite3* db, std::string_view what) {
  std::string message = "storage: ";
  message += what;
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_CANTOPEN:
      return UnavailableError(std::move(message));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return FailedPreconditionError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

// A cached prepared statement, reset when this goes out of scope so the next user finds it
// clean and SQLite releases its read position.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Statement& Bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& Bind(int index, std::string_view value) {
    // A null pointer would bind SQL NULL, and an empty view may have one.
    const char* data = value.data() != nullptr ? value.data() : "";
    sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8);
    return *this;
  }
  Statement& BindNull(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }

  // True when a row is ready, false when done.
  Result<bool> Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(rc, db_, sqlite3_sql(stmt_));
  }
  // Steps to the end, for statements that return no rows.
  Status Run() {
    DEVFLOW_ASSIGN_OR_RETURN(bool row, Step());
    while (row) {
      DEVFLOW_ASSIGN_OR_RETURN(row, Step());
    }
    return Status::Ok();
  }

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(size));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

std::string NotFoundMessage(const ObjectKey& key) {
  return QualifiedResource(key.resource) + " \"" + key.name + "\" not found";
}

std::string CannotFulfil(const ObjectKey& key) {
  return "Operation cannot be fulfilled on " + QualifiedResource(key.resource) + " \"" + key.name +
         "\": ";
}

Status CheckKey(const ObjectKey& key) {
  if (key.resource.empty()) return InvalidArgumentError("storage: the key has no resource");
  if (key.name.empty()) {
    return InvalidArgumentError(
        "storage: the key of a " + QualifiedResource(key.resource) + " has no name",
        "metadata.name");
  }
  return Status::Ok();
}

std::string LabelsToJson(const Labels& labels) {
  json::Object object;
  for (const auto& [key, value] : labels) object.Set(key, value);
  return json::Write(json::Value(std::move(object)));
}

// The labels column is written by LabelsToJson, so anything else is corruption.
Result<Labels> LabelsFromJson(std::string_view text) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value value, json::Parse(text));
  Labels labels;
  if (!value.is_object()) return InternalError("storage: corrupt labels column");
  for (const auto& [key, label] : value.as_object()) {
    if (!label.is_string()) return InternalError("storage: corrupt labels column");
    labels.emplace(key, label.as_string());
  }
  return labels;
}

// The object to write: parsed, checked against its key, labels extracted.
struct ParsedObject {
  json::Value object;
  Labels labels;
};

Result<ParsedObject> ParseObject(const ObjectKey& key, std::string_view text) {
  DEVFLOW_RETURN_IF_ERROR(CheckKey(key));
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok()) return parsed.error().WithContext("storage: the object is not valid JSON");
  ParsedObject out{std::move(parsed).value(), {}};
  if (!out.object.is_object()) {
    return InvalidArgumentError("storage: the object must be a JSON object");
  }
  json::Value* metadata = out.object.Find("metadata");
  if (metadata == nullptr || !metadata->is_object()) {
    return InvalidArgumentError("storage: the object has no metadata object", "metadata");
  }
  const json::Value* name = metadata->Find("name");
  if (name == nullptr || !name->is_string() || name->as_string() != key.name) {
    return InvalidArgumentError("storage: must equal the key's name \"" + key.name + "\"",
                                "metadata.name");
  }
  const json::Value* ns = metadata->Find("namespace");
  const bool ns_matches = ns == nullptr || ns->is_null()
                              ? key.namespace_.empty()
                              : ns->is_string() && ns->as_string() == key.namespace_;
  if (!ns_matches) {
    return InvalidArgumentError(
        "storage: must equal the key's namespace \"" + key.namespace_ + "\"", "metadata.namespace");
  }
  if (const json::Value* labels = metadata->Find("labels");
      labels != nullptr && !labels->is_null()) {
    if (!labels->is_object()) {
      return InvalidArgumentError("storage: must be an object", "metadata.labels");
    }
    for (const auto& [label, value] : labels->as_object()) {
      if (!value.is_string()) {
        return InvalidArgumentError("storage: must be a string", "metadata.labels." + label);
      }
      out.labels.emplace(label, value.as_string());
    }
  }
  return out;
}

// Sets metadata.resourceVersion and returns the compact text.
// REQUIRES: object has a metadata object (ParseObject checked it).
std::string Stamp(json::Value& object, int64_t version) {
  object.Find("metadata")->as_object().Set("resourceVersion", std::to_string(version));
  return json::Write(object);
}

// The continue token: base64url (no padding) of a small JSON object holding the list's version,
// its resource and namespace (a token only continues the list it came from), and the key of the
// last item returned.
struct ContinueToken {
  int64_t version = 0;
  std::string resource;
  std::string list_namespace;
  std::string after_namespace;
  std::string after_name;
};

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const char* found = std::char_traits<char>::find(kBase64Url, 64, c);
    if (found == nullptr) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(found - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string EncodeContinue(const ContinueToken& token) {
  json::Object object{{"rv", token.version},
                      {"resource", token.resource},
                      {"namespace", token.list_namespace},
                      {"after", json::Array{token.after_namespace, token.after_name}}};
  return Base64UrlEncode(json::Write(json::Value(std::move(object))));
}

Result<ContinueToken> DecodeContinue(std::string_view text) {
  const Status malformed = InvalidArgumentError("continue key is not valid", "continue");
  std::optional<std::string> bytes = Base64UrlDecode(text);
  if (!bytes) return malformed;
  Result<json::Value> value = json::Parse(*bytes);
  if (!value.ok() || !value->is_object()) return malformed;
  const json::Value* rv = value->Find("rv");
  const json::Value* resource = value->Find("resource");
  const json::Value* ns = value->Find("namespace");
  const json::Value* after = value->Find("after");
  if (rv == nullptr || !rv->is_int() || resource == nullptr || !resource->is_string() ||
      ns == nullptr || !ns->is_string() || after == nullptr || !after->is_array() ||
      after->as_array().size() != 2 || !after->as_array()[0].is_string() ||
      !after->as_array()[1].is_string()) {
    return malformed;
  }
  return ContinueToken{rv->as_int(), resource->as_string(), ns->as_string(),
                       after->as_array()[0].as_string(), after->as_array()[1].as_string()};
}

Status TooOld(int64_t version, int64_t compacted) {
  return GoneError("too old resource version: " + std::to_string(version) + " (" +
                   std::to_string(compacted) + ")");
}

// The current row of a key.
struct CurrentRow {
  int64_t version = 0;
  std::string labels;
  std::string json;
};

}  // namespace

// The connection, its prepared statements (cached by their SQL text's address: every
// statement is one of the constants above) and the transaction verbs.
class SqliteStore::Db {
 public:
  explicit Db(sqlite3* handle) : handle_(handle) {}
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(handle_);
  }

  Result<std::unique_ptr<Statement>> Prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      const int rc =
          sqlite3_prepare_v3(handle_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(rc, handle_, "preparing a statement");
      it = cache_.emplace(sql, stmt).first;
    }
    return std::make_unique<Statement>(handle_, it->second);
  }

  Status Exec(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(handle_, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : SqliteError(rc, handle_, what);
  }

  Status Begin() { return Exec("BEGIN IMMEDIATE", "beginning a transaction"); }
  Status Commit() { return Exec("COMMIT", "committing"); }
  // Undoes the open transaction, if SQLite has not already rolled it back itself (it does on
  // some I/O errors).
  void Rollback() {
    if (sqlite3_get_autocommit(handle_) == 0) {
      (void)Exec("ROLLBACK", "rolling back");
    }
  }

  Result<int64_t> GetMeta(std::string_view name) {
    DEVFLOW_ASSIGN_OR_RETURN(auto stmt, Prepare(kGetMeta));
    stmt->Bind(1, name);
    DEVFLOW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row)
      return FailedPreconditionError("storage: meta value " + std::string(name) + " missing");
    return stmt->Int(0);
  }
  Status SetMeta(std::string_view name, int64_t value) {
    DEVFLOW_ASSIGN_OR_RETURN(auto stmt, Prepare(kSetMeta));
    return stmt->Bind(1, name).Bind(2, value).Run();
  }

  // The key's current row, or nullopt when it holds no object.
  Result<std::optional<CurrentRow>> ReadCurrent(const ObjectKey& key) {
    DEVFLOW_ASSIGN_OR_RETURN(auto stmt, Prepare(kSelectCurrent));
    stmt->Bind(1, key.resource).Bind(2, key.namespace_).Bind(3, key.name);
    DEVFLOW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return std::optional<CurrentRow>();
    return std::optional<CurrentRow>(CurrentRow{stmt->Int(0), stmt->Text(1), stmt->Text(2)});
  }

 private:
  sqlite3* const handle_;
  std::map<const char*, sqlite3_stmt*> cache_;
};

// One write, parsed outside the lock.
struct SqliteStore::Write {
  EventType type = EventType::kAdded;
  ObjectKey key;
  ParsedObject parsed;  // Unused for deletes.
  Preconditions preconditions;
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("storage: no database path");
  if (options.history_window < 1) {
    return InvalidArgumentError("storage: history_window must be at least 1, got " +
                                std::to_string(options.history_window));
  }
  sqlite3* handle = nullptr;
  const int rc =
      sqlite3_open_v2(options.path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto db = std::make_unique<Db>(handle);  // Closes the handle on every path.
  if (rc != SQLITE_OK) {
    return SqliteError(rc, handle, "opening " + options.path);
  }
  const std::string where = "opening " + options.path;
  // Exclusive locking must be set before WAL mode is first used: SQLite then keeps the WAL
  // index in private memory (no -shm file) and, once the schema transaction below has written,
  // holds the file's exclusive lock until close.
  DEVFLOW_RETURN_IF_ERROR(db->Exec("PRAGMA locking_mode = EXCLUSIVE", where));
  Status status = db->Exec("PRAGMA journal_mode = WAL", where);
  if (status.ok()) status = db->Exec("PRAGMA synchronous = FULL", where);
  if (status.ok()) status = db->Exec("BEGIN EXCLUSIVE", where);
  if (!status.ok()) {
    const int code = sqlite3_errcode(handle) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return FailedPreconditionError("storage: " + options.path +
                                     " is in use by another devflow store");
    }
    if (code == SQLITE_NOTADB) {
      return FailedPreconditionError("storage: " + options.path + " is not a devflow store");
    }
    return status;
  }
  {
    // SQLite answers the mode it is in; anything but WAL would break the durability contract.
    DEVFLOW_ASSIGN_OR_RETURN(auto mode, db->Prepare("PRAGMA journal_mode"));
    DEVFLOW_ASSIGN_OR_RETURN(bool row, mode->Step());
    if (!row || mode->Text(0) != "wal") {
      return FailedPreconditionError("storage: " + options.path + " cannot use WAL mode");
    }
  }
  int64_t schema = 0;
  {
    DEVFLOW_ASSIGN_OR_RETURN(auto stmt, db->Prepare("PRAGMA user_version"));
    DEVFLOW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) schema = stmt->Int(0);
  }
  if (schema == 0) {
    int64_t tables = 0;
    {
      DEVFLOW_ASSIGN_OR_RETURN(auto stmt, db->Prepare("SELECT count(*) FROM sqlite_schema"));
      DEVFLOW_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (row) tables = stmt->Int(0);
    }
    if (tables != 0) {
      return FailedPreconditionError("storage: " + options.path +
                                     " is an SQLite database but not a devflow store");
    }
    DEVFLOW_RETURN_IF_ERROR(db->Exec(kSchema, "creating the schema"));
  } else if (schema != kSchemaVersion) {
    return FailedPreconditionError("storage: " + options.path + " has schema version " +
                                   std::to_string(schema) + "; this devflow reads version " +
                                   std::to_string(kSchemaVersion));
  }
  StoreVersions versions;
  DEVFLOW_ASSIGN_OR_RETURN(versions.current, db->GetMeta("current_version"));
  DEVFLOW_ASSIGN_OR_RETURN(versions.compacted, db->GetMeta("compacted_version"));
  DEVFLOW_RETURN_IF_ERROR(db->Commit());
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(db), options.history_window, versions));
}

SqliteStore::SqliteStore(std::unique_ptr<Db> db, int64_t history_window, StoreVersions versions)
    : db_(std::move(db)), history_window_(history_window), versions_(versions) {}

SqliteStore::~SqliteStore() = default;

namespace {

Result<StoredObject> ToStored(const ObjectKey& key, int64_t version, std::string_view labels,
                              std::string json) {
  DEVFLOW_ASSIGN_OR_RETURN(Labels parsed, LabelsFromJson(labels));
  return StoredObject{key, version, std::move(json), std::move(parsed)};
}

// Conflict when the stored object fails a precondition.
Status CheckPreconditions(const ObjectKey& key, const CurrentRow& current,
                          const Preconditions& preconditions) {
  if (preconditions.resource_version && *preconditions.resource_version != current.version) {
    return ConflictError(CannotFulfil(key) +
                         "the object has been modified; please apply your changes to the latest "
                         "version and try again");
  }
  if (preconditions.uid) {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value stored, json::Parse(current.json));
    const json::Value* uid =
        stored.Find("metadata") ? stored.Find("metadata")->Find("uid") : nullptr;
    const std::string stored_uid = uid != nullptr && uid->is_string() ? uid->as_string() : "";
    if (stored_uid != *preconditions.uid) {
      return ConflictError(CannotFulfil(key) + "Precondition failed: UID in precondition: " +
                           *preconditions.uid + ", UID in object meta: " + stored_uid);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Event> SqliteStore::ApplyLocked(Write& write, int64_t version) {
  const ObjectKey& key = write.key;
  DEVFLOW_ASSIGN_OR_RETURN(std::optional<CurrentRow> current, db_->ReadCurrent(key));
  if (write.type == EventType::kAdded && current) {
    return AlreadyExistsError(QualifiedResource(key.resource) + " \"" + key.name +
                              "\" already exists");
  }
  if (write.type != EventType::kAdded && !current) return NotFoundError(NotFoundMessage(key));

  Event event;
  event.type = write.type;
  if (current) {
    DEVFLOW_RETURN_IF_ERROR(CheckPreconditions(key, *current, write.preconditions));
    DEVFLOW_ASSIGN_OR_RETURN(event.previous,
                             ToStored(key, current->version, current->labels, current->json));
  }

  std::string json;
  std::string labels;
  if (write.type == EventType::kDeleted) {
    // The DELETED event carries the last state stamped with the deletion's version.
    DEVFLOW_ASSIGN_OR_RETURN(json::Value last, json::Parse(current->json));
    if (!last.is_object() || last.Find("metadata") == nullptr ||
        !last.Find("metadata")->is_object()) {
      return InternalError("storage: corrupt object " + ToString(key));
    }
    json = Stamp(last, version);
    labels = current->labels;
    event.object = StoredObject{key, version, json, event.previous->labels};
  } else {
    json::Value& object = write.parsed.object;
    if (current && Stamp(object, current->version) == current->json) {
      // Unchanged: kube-apiserver skips such writes too, so no version is spent and watchers
      // see no event. The caller tells this case by the version not moving.
      event.object = *event.previous;
      event.previous.reset();
      event.object.resource_version = current->version;
      return event;
    }
    json = Stamp(object, version);
    labels = LabelsToJson(write.parsed.labels);
    event.object = StoredObject{key, version, json, write.parsed.labels};
  }

  if (current) {
    DEVFLOW_ASSIGN_OR_RETURN(auto supersede, db_->Prepare(kSupersede));
    DEVFLOW_RETURN_IF_ERROR(supersede->Bind(1, current->version).Bind(2, version).Run());
  }
  DEVFLOW_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsert));
  insert->Bind(1, version);
  if (write.type == EventType::kDeleted) {
    insert->Bind(2, version);  // A tombstone is valid at no version.
  } else {
    insert->BindNull(2);
  }
  insert->Bind(3, static_cast<int64_t>(write.type))
      .Bind(4, key.resource)
      .Bind(5, key.namespace_)
      .Bind(6, key.name)
      .Bind(7, labels)
      .Bind(8, json);
  DEVFLOW_RETURN_IF_ERROR(insert->Run());
  return event;
}

Result<Event> SqliteStore::Commit(Write write) {
  std::lock_guard<std::mutex> lock(mu_);
  StoreVersions next = versions_;
  next.current = versions_.current + 1;
  next.compacted = std::max(versions_.compacted, next.current - history_window_);

  DEVFLOW_RETURN_IF_ERROR(db_->Begin());
  Result<Event> event = ApplyLocked(write, next.current);
  Status status = event.status();
  const bool wrote = event.ok() && event->object.resource_version == next.current;
  if (status.ok() && wrote) {
    status = db_->SetMeta("current_version", next.current);
    if (status.ok() && next.compacted != versions_.compacted) {
      status = db_->SetMeta("compacted_version", next.compacted);
      if (status.ok()) {
        Result<std::unique_ptr<Statement>> compact = db_->Prepare(kCompact);
        status = compact.ok() ? (*compact)->Bind(1, next.compacted).Run() : compact.status();
      }
    }
    if (status.ok()) status = db_->Commit();
  }
  if (!status.ok() || !wrote) {
    db_->Rollback();
    return status.ok() ? event : Result<Event>(status);
  }
  versions_ = next;
  for (const auto& [id, listener] : listeners_) listener(*event);
  return event;
}

Result<StoredObject> SqliteStore::Create(const ObjectKey& key, std::string_view json) {
  DEVFLOW_ASSIGN_OR_RETURN(ParsedObject parsed, ParseObject(key, json));
  DEVFLOW_ASSIGN_OR_RETURN(Event event,
                           Commit(Write{EventType::kAdded, key, std::move(parsed), {}}));
  return std::move(event.object);
}

Result<StoredObject> SqliteStore::Update(const ObjectKey& key, std::string_view json,
                                         const Preconditions& preconditions) {
  DEVFLOW_ASSIGN_OR_RETURN(ParsedObject parsed, ParseObject(key, json));
  DEVFLOW_ASSIGN_OR_RETURN(
      Event event, Commit(Write{EventType::kModified, key, std::move(parsed), preconditions}));
  return std::move(event.object);
}

Result<StoredObject> SqliteStore::Delete(const ObjectKey& key, const Preconditions& preconditions) {
  DEVFLOW_RETURN_IF_ERROR(CheckKey(key));
  DEVFLOW_ASSIGN_OR_RETURN(Event event, Commit(Write{EventType::kDeleted, key, {}, preconditions}));
  return std::move(event.object);
}

Result<StoredObject> SqliteStore::Get(const ObjectKey& key) {
  DEVFLOW_RETURN_IF_ERROR(CheckKey(key));
  std::lock_guard<std::mutex> lock(mu_);
  DEVFLOW_ASSIGN_OR_RETURN(std::optional<CurrentRow> current, db_->ReadCurrent(key));
  if (!current) return NotFoundError(NotFoundMessage(key));
  return ToStored(key, current->version, current->labels, std::move(current->json));
}

Result<ListResult> SqliteStore::List(const ListOptions& options) {
  if (options.resource.empty()) return InvalidArgumentError("storage: the list has no resource");
  if (options.limit < 0) {
    return InvalidArgumentError("limit must not be negative, got " + std::to_string(options.limit),
                                "limit");
  }
  std::lock_guard<std::mutex> lock(mu_);
  return ListLocked(options);
}

Result<ListResult> SqliteStore::ListLocked(const ListOptions& options) {
  std::optional<ContinueToken> token;
  if (!options.continue_token.empty()) {
    if (options.resource_version) {
      return InvalidArgumentError("specifying resource version is not allowed when using continue",
                                  "resourceVersion");
    }
    DEVFLOW_ASSIGN_OR_RETURN(token, DecodeContinue(options.continue_token));
    if (token->resource != options.resource || token->list_namespace != options.namespace_) {
      return InvalidArgumentError("continue key is not valid: it belongs to another list",
                                  "continue");
    }
  }
  ListResult result;
  result.resource_version = versions_.current;
  if (token) {
    result.resource_version = token->version;
    if (token->version < versions_.compacted) {
      return GoneError(
          "The provided continue parameter is too old to display a consistent list result. "
          "You can start a new list without the continue parameter.");
    }
    if (token->version > versions_.current) {
      return InvalidArgumentError("continue key is not valid: its version is in the future",
                                  "continue");
    }
  } else if (options.resource_version) {
    result.resource_version = *options.resource_version;
    if (result.resource_version < versions_.compacted) {
      return TooOld(result.resource_version, versions_.compacted);
    }
    if (result.resource_version > versions_.current) {
      return UnavailableError(
          "too large resource version: " + std::to_string(result.resource_version) +
          ", current: " + std::to_string(versions_.current));
    }
  }

  const bool snapshot = result.resource_version != versions_.current;
  const bool one_namespace = !options.namespace_.empty();
  const char* sql = snapshot ? (one_namespace ? kListSnapshotNamespace : kListSnapshotAll)
                             : (one_namespace ? kListCurrentNamespace : kListCurrentAll);
  DEVFLOW_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(sql));
  stmt->Bind(1, options.resource);
  if (one_namespace) {
    stmt->Bind(2, options.namespace_);
  } else {
    stmt->Bind(2, token ? std::string_view(token->after_namespace) : std::string_view());
  }
  stmt->Bind(3, token ? std::string_view(token->after_name) : std::string_view());
  if (snapshot) stmt->Bind(4, result.resource_version);

  bool more = false;
  while (true) {
    DEVFLOW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    DEVFLOW_ASSIGN_OR_RETURN(StoredObject object,
                             ToStored(ObjectKey{options.resource, stmt->Text(1), stmt->Text(2)},
                                      stmt->Int(0), stmt->Text(3), stmt->Text(4)));
    if (options.filter && !options.filter(object)) continue;
    if (options.limit > 0 && static_cast<int64_t>(result.items.size()) == options.limit) {
      // A page ends only where a further matching item exists, so the last page is never
      // empty; scanning on to find it costs no more than the next page would.
      more = true;
      break;
    }
    result.items.push_back(std::move(object));
  }
  if (more) {
    const ObjectKey& last = result.items.back().key;
    result.continue_token = EncodeContinue(ContinueToken{
        result.resource_version, options.resource, options.namespace_, last.namespace_, last.name});
  }
  return result;
}

Result<std::vector<Event>> SqliteStore::EventsSince(std::string_view resource,
                                                    std::string_view namespace_, int64_t version) {
  if (version < 0) {
    return InvalidArgumentError(
        "resource version must not be negative, got " + std::to_string(version), "resourceVersion");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (version < versions_.compacted) return TooOld(version, versions_.compacted);
  DEVFLOW_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kEventsSince));
  stmt->Bind(1, version).Bind(2, resource).Bind(3, namespace_);
  std::vector<Event> events;
  while (true) {
    DEVFLOW_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    const ObjectKey key{stmt->Text(2), stmt->Text(3), stmt->Text(4)};
    Event event;
    event.type = static_cast<EventType>(stmt->Int(1));
    DEVFLOW_ASSIGN_OR_RETURN(event.object,
                             ToStored(key, stmt->Int(0), stmt->Text(5), stmt->Text(6)));
    if (!stmt->IsNull(7)) {
      DEVFLOW_ASSIGN_OR_RETURN(event.previous,
                               ToStored(key, stmt->Int(7), stmt->Text(8), stmt->Text(9)));
    }
    events.push_back(std::move(event));
  }
  return events;
}

StoreVersions SqliteStore::Versions() {
  std::lock_guard<std::mutex> lock(mu_);
  return versions_;
}

SubscriptionId SqliteStore::Subscribe(EventListener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  const SubscriptionId id = next_subscription_++;
  listeners_.emplace_back(id, std::move(listener));
  return id;
}

void SqliteStore::Unsubscribe(SubscriptionId id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

}  // namespace devflow::apiserver
