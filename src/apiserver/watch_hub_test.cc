// WatchHub over real HTTP: a SqliteStore in a temp dir, an http::Server whose handler calls
// Serve, and an http::Client reading the event lines.
#include "apiserver/watch_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "api/selector.h"
#include "apiserver/sqlite_store.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/eventually_testing.h"
#include "common/json_reader.h"
#include "common/json_value.h"
#include "http/client.h"
#include "http/http_testing.h"
#include "http/server.h"

namespace devflow::apiserver {
namespace {

using devflow::testing::Eventually;
using json::StringAt;

using http::testing::kHangGuard;

ResourceInfo PodsInfo() {
  return {.version = "v1", .kind = "Pod", .list_kind = "PodList", .plural = "pods"};
}
ResourceInfo ReplicaSetsInfo() {
  return {.group = "apps",
          .version = "v1",
          .kind = "ReplicaSet",
          .list_kind = "ReplicaSetList",
          .plural = "replicasets"};
}

// A pod document: labels, and status.phase when not empty.
std::string PodDoc(const ObjectKey& key, const Labels& labels, const std::string& phase,
                   int64_t value = 0) {
  json::Value doc = json::Parse(Doc(key, value, labels)).value();
  doc.as_object().Set("kind", "Pod");
  if (!phase.empty()) doc.as_object().Set("status", json::Object{{"phase", phase}});
  return json::Write(doc);
}

// What a test checks of one event line.
struct Seen {
  std::string type;
  std::string name;
  int64_t version = 0;  // the object's metadata.resourceVersion
  std::string app;      // metadata.labels.app
  std::string phase;    // status.phase
  friend bool operator==(const Seen&, const Seen&) = default;
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << s.type << " " << s.name << "@" << s.version << " app=" << s.app
            << " phase=" << s.phase;
}

Seen Summarise(const json::Value& event) {
  const json::Value& object = *event.Find("object");
  std::string version = StringAt(object, {"metadata", "resourceVersion"});
  return {.type = StringAt(event, {"type"}),
          .name = StringAt(object, {"metadata", "name"}),
          .version = version.empty() ? 0 : std::stoll(version),
          .app = StringAt(object, {"metadata", "labels", "app"}),
          .phase = StringAt(object, {"status", "phase"})};
}

// The query parameters the test handler turns into a WatchRequest.
struct Query {
  std::string resource = "pods";  // or "replicasets"
  std::string namespace_;
  std::string resource_version;  // "" starts with the current objects
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = false;
  int timeout_seconds = 0;

  std::string Target() const {
    std::string target = "/watch?resource=" + resource;
    if (!namespace_.empty()) target += "&namespace=" + namespace_;
    target += "&resourceVersion=" + http::QueryEscape(resource_version);
    if (!label_selector.empty()) target += "&labelSelector=" + http::QueryEscape(label_selector);
    if (!field_selector.empty()) target += "&fieldSelector=" + http::QueryEscape(field_selector);
    if (allow_bookmarks) target += "&allowWatchBookmarks=true";
    if (timeout_seconds > 0) target += "&timeoutSeconds=" + std::to_string(timeout_seconds);
    return target;
  }
};

// Stands in for the REST layer: parses the query into a WatchRequest.
WatchRequest ParseQuery(const http::Request& request) {
  WatchRequest watch;
  watch.resource = request.Query("resource") == "replicasets" ? ReplicaSetsInfo() : PodsInfo();
  watch.namespace_ = request.Query("namespace").value_or("");
  watch.resource_version = request.Query("resourceVersion").value_or("");
  watch.label_selector =
      api::ParseLabelSelector(request.Query("labelSelector").value_or("")).value();
  watch.field_selector =
      api::ParseFieldSelector(request.Query("fieldSelector").value_or("")).value();
  watch.allow_bookmarks = request.Query("allowWatchBookmarks") == "true";
  watch.timeout = std::chrono::seconds(std::stoi(request.Query("timeoutSeconds").value_or("0")));
  return watch;
}

// One watch as a client reads it.
class Watch {
 public:
  Watch(http::Client& client, const Query& query) {
    auto stream = client.Open(http::Request{.target = query.Target()});
    if (!stream.ok()) {
      ADD_FAILURE() << "opening " << query.Target() << ": " << stream.error();
      return;
    }
    stream_ = std::move(stream).value();
  }

  bool ok() const { return stream_ != nullptr; }
  int status() const { return stream_->status(); }
  std::string_view Header(std::string_view name) const { return stream_->Header(name); }

  // The next event line, parsed; nullopt when the stream ended (or failed: the test fails).
  std::optional<json::Value> Next() {
    if (!stream_) return std::nullopt;
    auto line = stream_->ReadLine(kHangGuard);
    if (!line.ok()) {
      ADD_FAILURE() << "reading the watch: " << line.error();
      return std::nullopt;
    }
    if (!line->has_value()) return std::nullopt;
    auto event = json::Parse(**line);
    if (!event.ok() || !event->Find("object")) {
      ADD_FAILURE() << "not an event line: " << **line;
      return std::nullopt;
    }
    return std::move(event).value();
  }

  // The next event that is not a BOOKMARK, summarised; nullopt at the end.
  std::optional<Seen> NextChange() {
    for (auto event = Next(); event; event = Next()) {
      Seen seen = Summarise(*event);
      if (seen.type != "BOOKMARK") return seen;
    }
    return std::nullopt;
  }

  // Reads `count` changes (fewer if the stream ends).
  std::vector<Seen> Changes(size_t count) {
    std::vector<Seen> out;
    while (out.size() < count) {
      auto seen = NextChange();
      if (!seen) break;
      out.push_back(*seen);
    }
    return out;
  }

  // Every remaining line until the stream ends.
  std::vector<json::Value> Rest() {
    std::vector<json::Value> out;
    for (auto event = Next(); event; event = Next()) out.push_back(std::move(*event));
    return out;
  }

  void Close() { stream_.reset(); }

 private:
  std::unique_ptr<http::Stream> stream_;
};

// A store, a hub and a server in front of it.
class WatchHubTest : public ::testing::Test {
 protected:
  void Start(WatchHubOptions options = {}, int64_t history_window = 10000) {
    store_ = OpenOrDie(dir_.File("store.db"), history_window);
    hub_ = std::make_unique<WatchHub>(*store_, options);
    handler_ = std::make_unique<http::FunctionHandler>(
        [this](const http::Request& request, http::ResponseWriter& writer) {
          hub_->Serve(ParseQuery(request), writer);
        });
    server_ = http::testing::StartServer(*handler_);
    client_ = http::testing::MakeClient(*server_);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    hub_.reset();
  }

  int64_t Create(const ObjectKey& key, const std::string& json) {
    auto stored = store_->Create(key, json);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->resource_version : 0;
  }
  int64_t Update(const ObjectKey& key, const std::string& json) {
    auto stored = store_->Update(key, json, {});
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->resource_version : 0;
  }
  int64_t Delete(const ObjectKey& key) {
    auto stored = store_->Delete(key, {});
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->resource_version : 0;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<http::FunctionHandler> handler_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
};

const ObjectKey kPodA{"pods", "default", "a"};
const ObjectKey kPodB{"pods", "default", "b"};
const ObjectKey kPodC{"pods", "default", "c"};

// resourceVersion "" and "0" both start with the current objects.
class WatchHubInitialStateTest : public WatchHubTest,
                                 public ::testing::WithParamInterface<const char*> {};

TEST_P(WatchHubInitialStateTest, StartsWithTheCurrentObjectsThenStreamsChanges) {
  Start();
  Create(kPodA, PodDoc(kPodA, {}, "Pending"));  // 2
  Create(kPodB, PodDoc(kPodB, {}, "Pending"));  // 3

  Watch watch(*client_, Query{.resource_version = GetParam()});
  ASSERT_TRUE(watch.ok());
  EXPECT_EQ(watch.status(), 200);
  EXPECT_EQ(watch.Header("Content-Type"), "application/json");
  EXPECT_EQ(watch.Changes(2), (std::vector<Seen>{{"ADDED", "a", 2, "", "Pending"},
                                                 {"ADDED", "b", 3, "", "Pending"}}));
  int64_t v1 = Update(kPodA, PodDoc(kPodA, {}, "Running"));
  int64_t v2 = Delete(kPodB);
  int64_t v3 = Create(kPodC, PodDoc(kPodC, {}, ""));
  EXPECT_EQ(watch.Changes(3), (std::vector<Seen>{{"MODIFIED", "a", v1, "", "Running"},
                                                 {"DELETED", "b", v2, "", "Pending"},
                                                 {"ADDED", "c", v3, "", ""}}));
}

INSTANTIATE_TEST_SUITE_P(WatchHub, WatchHubInitialStateTest, ::testing::Values("", "0"),
                         [](const auto& info) {
                           return std::string(*info.param == '\0' ? "Empty" : "Zero");
                         });

TEST_F(WatchHubTest, ResumesFromAVersion) {
  Start();
  int64_t v1 = Create(kPodA, PodDoc(kPodA, {}, "Pending"));
  int64_t v2 = Create(kPodB, PodDoc(kPodB, {}, "Pending"));
  int64_t v3 = Update(kPodA, PodDoc(kPodA, {}, "Running"));

  Watch watch(*client_, Query{.resource_version = std::to_string(v1)});
  ASSERT_TRUE(watch.ok());
  EXPECT_EQ(watch.Changes(2), (std::vector<Seen>{{"ADDED", "b", v2, "", "Pending"},
                                                 {"MODIFIED", "a", v3, "", "Running"}}));
  int64_t v4 = Delete(kPodA);
  EXPECT_EQ(watch.Changes(1), (std::vector<Seen>{{"DELETED", "a", v4, "", "Running"}}));
}

TEST_F(WatchHubTest, ReplayAndLiveEventsNeitherLoseNorRepeatAnEventWhileWritesRace) {
  Start();
  const ObjectKey key{"pods", "default", "busy"};
  int64_t first = Create(key, PodDoc(key, {}, "", 0));
  constexpr int kWrites = 300;
  std::atomic<int64_t> last{first};
  std::thread writer([&] {
    for (int i = 1; i <= kWrites; ++i) {
      auto stored = store_->Update(key, PodDoc(key, {}, "", i), {});
      if (!stored.ok()) return;
      last = stored->resource_version;
    }
  });

  // Watches opened while the writer runs: their replays and the live stream overlap.
  struct Opened {
    std::string name;
    std::unique_ptr<Watch> watch;
    int64_t after;  // for a resume: the version resumed from
  };
  std::vector<Opened> opened;
  for (int i = 0; i < 4; ++i) {
    int64_t from = std::max(first, last.load() - 5);
    opened.push_back(
        {"resume from " + std::to_string(from),
         std::make_unique<Watch>(*client_, Query{.resource_version = std::to_string(from)}), from});
    opened.push_back({"list " + std::to_string(i), std::make_unique<Watch>(*client_, Query{}), 0});
  }
  writer.join();
  const int64_t final_version = first + kWrites;
  ASSERT_EQ(last.load(), final_version);

  for (Opened& o : opened) {
    SCOPED_TRACE(o.name);
    ASSERT_TRUE(o.watch->ok());
    std::vector<int64_t> versions;
    int64_t expected = o.after + 1;
    if (o.after == 0) {
      auto added = o.watch->NextChange();
      ASSERT_TRUE(added.has_value());
      ASSERT_EQ(added->type, "ADDED");
      expected = added->version + 1;
    }
    for (int64_t v = expected; v <= final_version; ++v) {
      auto seen = o.watch->NextChange();
      ASSERT_TRUE(seen.has_value()) << "stream ended before version " << v;
      ASSERT_EQ(seen->type, "MODIFIED");
      ASSERT_EQ(seen->version, v) << "an event was lost or repeated";
    }
  }
}

TEST_F(WatchHubTest, WritesDuringAReplayAreSentExactlyOnce) {
  std::mutex mu;
  std::function<void()> before_read;  // Guarded by mu; runs once, on the replay thread.
  std::function<void()> after_read;   // Guarded by mu; runs once, on the replay thread.
  int hooks_run = 0;                  // Guarded by mu.
  auto run_once = [&](std::function<void()>& hook) {
    std::function<void()> run;
    {
      std::lock_guard lock(mu);
      run.swap(hook);
    }
    if (!run) return;
    run();
    std::lock_guard lock(mu);
    ++hooks_run;
  };
  Start({.before_replay_read_for_test = [&] { run_once(before_read); },
         .after_replay_read_for_test = [&] { run_once(after_read); }});
  Create(kPodA, PodDoc(kPodA, {}, "", 0));
  int value = 0;
  auto write_three = [&] {
    for (int i = 0; i < 3; ++i) Update(kPodA, PodDoc(kPodA, {}, "", ++value));
  };

  struct Row {
    std::string name;
    bool list;         // resourceVersion "" (else: the current version)
    bool before_read;  // the writes land before the replay's read (else: after it)
  };
  const Row rows[] = {
      {"list, writes before its read (sent by the list and buffered)", true, true},
      {"list, writes after its read (only buffered)", true, false},
      {"resume, writes before its read", false, true},
      {"resume, writes after its read", false, false},
  };
  for (int i = 0; i < static_cast<int>(std::size(rows)); ++i) {
    const Row& row = rows[i];
    const int64_t from = store_->Versions().current;
    {
      std::lock_guard lock(mu);
      (row.before_read ? before_read : after_read) = write_three;
    }
    Watch watch(*client_, row.list ? Query{} : Query{.resource_version = std::to_string(from)});
    ASSERT_TRUE(watch.ok()) << row.name;
    ASSERT_TRUE(Eventually([&] {
      std::lock_guard lock(mu);
      return hooks_run == i + 1;
    })) << row.name;
    const int64_t marker = Update(kPodA, PodDoc(kPodA, {}, "", ++value));

    int64_t next = from + 1;
    if (row.list) {
      auto added = watch.NextChange();
      ASSERT_TRUE(added.has_value()) << row.name;
      EXPECT_EQ(added->type, "ADDED") << row.name;
      next = added->version + 1;
    }
    for (; next <= marker; ++next) {
      auto seen = watch.NextChange();
      ASSERT_TRUE(seen.has_value()) << row.name;
      ASSERT_EQ(seen->version, next) << row.name << ": an event was lost or repeated";
      EXPECT_EQ(seen->type, "MODIFIED") << row.name;
    }
  }
}

TEST_F(WatchHubTest, AVersionOlderThanTheHistoryEndsWithOneExpiredError) {
  Start({}, /*history_window=*/2);
  Create(kPodA, PodDoc(kPodA, {}, "", 0));
  for (int i = 1; i <= 5; ++i) Update(kPodA, PodDoc(kPodA, {}, "", i));
  auto gone = store_->EventsSince("pods", "", 1);
  ASSERT_FALSE(gone.ok());

  Watch watch(*client_, Query{.resource_version = "1"});
  ASSERT_TRUE(watch.ok());
  EXPECT_EQ(watch.status(), 200);
  std::vector<json::Value> lines = watch.Rest();
  ASSERT_EQ(lines.size(), 1u);
  json::Value want = json::Parse(R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1",
      "metadata":{},"status":"Failure","reason":"Expired","code":410}})")
                         .value();
  want.Find("object")->as_object().Set("message", gone.error().message());
  EXPECT_EQ(lines[0], want) << json::Write(lines[0]);
  EXPECT_EQ(gone.error().message().rfind("too old resource version: 1 (", 0), 0u);
  EXPECT_TRUE(Eventually([&] { return hub_->active_watches() == 0; }));
}

TEST_F(WatchHubTest, AVersionThatIsNotANumberIsABadRequest) {
  Start();
  struct Row {
    std::string name;
    std::string version;
    std::string message;
  };
  const Row rows[] = {
      {"letters", "abc",
       R"(resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax)"},
      {"negative", "-1",
       R"(resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax)"},
      {"fraction", "1.5",
       R"(resourceVersion: Invalid value: "1.5": strconv.ParseUint: parsing "1.5": invalid syntax)"},
      {"too large", "99999999999999999999",
       R"(resourceVersion: Invalid value: "99999999999999999999": strconv.ParseUint: parsing )"
       R"("99999999999999999999": value out of range)"},
  };
  for (const Row& row : rows) {
    auto response =
        client_->Send(http::Request{.target = Query{.resource_version = row.version}.Target()});
    ASSERT_TRUE(response.ok()) << row.name << ": " << response.error();
    EXPECT_EQ(response->status, 400) << row.name;
    auto body = json::Parse(response->body);
    ASSERT_TRUE(body.ok()) << row.name << ": " << response->body;
    EXPECT_EQ(StringAt(*body, {"kind"}), "Status") << row.name;
    EXPECT_EQ(StringAt(*body, {"reason"}), "BadRequest") << row.name;
    EXPECT_EQ(StringAt(*body, {"message"}), row.message) << row.name;
  }
  EXPECT_EQ(hub_->active_watches(), 0u);
}

struct SelectorRow {
  std::string name;
  std::string label_selector;
  std::string field_selector;
  std::vector<Seen> want;
};

// Versions: 2 create a (web, Pending); 3 create b (db, Running); 4 a Running; 5 b -> web;
// 6 a -> db; 7 b Succeeded; 8 delete a; 9 delete b.
const SelectorRow kSelectorRows[] = {
    {"no selector",
     "",
     "",
     {{"ADDED", "a", 2, "web", "Pending"},
      {"ADDED", "b", 3, "db", "Running"},
      {"MODIFIED", "a", 4, "web", "Running"},
      {"MODIFIED", "b", 5, "web", "Running"},
      {"MODIFIED", "a", 6, "db", "Running"},
      {"MODIFIED", "b", 7, "web", "Succeeded"},
      {"DELETED", "a", 8, "db", "Running"},
      {"DELETED", "b", 9, "web", "Succeeded"}}},
    // Leaving the selection is a DELETED carrying the previous content at the new version.
    {"label",
     "app=web",
     "",
     {{"ADDED", "a", 2, "web", "Pending"},
      {"MODIFIED", "a", 4, "web", "Running"},
      {"ADDED", "b", 5, "web", "Running"},
      {"DELETED", "a", 6, "web", "Running"},
      {"MODIFIED", "b", 7, "web", "Succeeded"},
      {"DELETED", "b", 9, "web", "Succeeded"}}},
    {"field",
     "",
     "status.phase=Running",
     {{"ADDED", "b", 3, "db", "Running"},
      {"ADDED", "a", 4, "web", "Running"},
      {"MODIFIED", "b", 5, "web", "Running"},
      {"MODIFIED", "a", 6, "db", "Running"},
      {"DELETED", "b", 7, "web", "Running"},
      {"DELETED", "a", 8, "db", "Running"}}},
    {"label and field",
     "app=web",
     "status.phase=Running",
     {{"ADDED", "a", 4, "web", "Running"},
      {"ADDED", "b", 5, "web", "Running"},
      {"DELETED", "a", 6, "web", "Running"},
      {"DELETED", "b", 7, "web", "Running"}}},
};

class WatchHubSelectorTest : public WatchHubTest {
 protected:
  void WriteScript() {
    Create(kPodA, PodDoc(kPodA, {{"app", "web"}}, "Pending"));    // 2
    Create(kPodB, PodDoc(kPodB, {{"app", "db"}}, "Running"));     // 3
    Update(kPodA, PodDoc(kPodA, {{"app", "web"}}, "Running"));    // 4
    Update(kPodB, PodDoc(kPodB, {{"app", "web"}}, "Running"));    // 5
    Update(kPodA, PodDoc(kPodA, {{"app", "db"}}, "Running"));     // 6
    Update(kPodB, PodDoc(kPodB, {{"app", "web"}}, "Succeeded"));  // 7
    Delete(kPodA);                                                // 8
    Delete(kPodB);                                                // 9
  }
};

TEST_F(WatchHubSelectorTest, ReplayedEventsStartAndStopMatching) {
  Start();
  WriteScript();
  for (const SelectorRow& row : kSelectorRows) {
    Watch watch(*client_, Query{.resource_version = "1",
                                .label_selector = row.label_selector,
                                .field_selector = row.field_selector});
    ASSERT_TRUE(watch.ok()) << row.name;
    EXPECT_EQ(watch.Changes(row.want.size()), row.want) << row.name;
  }
}

TEST_F(WatchHubSelectorTest, LiveEventsStartAndStopMatching) {
  Start({.bookmark_interval = std::chrono::milliseconds(10)});
  std::vector<std::unique_ptr<Watch>> watches;
  for (const SelectorRow& row : kSelectorRows) {
    watches.push_back(std::make_unique<Watch>(*client_, Query{.resource_version = "1",
                                                              .label_selector = row.label_selector,
                                                              .field_selector = row.field_selector,
                                                              .allow_bookmarks = true}));
    ASSERT_TRUE(watches.back()->ok()) << row.name;
    // A bookmark comes only once the replay is over: what follows is live.
    auto bookmark = watches.back()->Next();
    ASSERT_TRUE(bookmark.has_value()) << row.name;
    EXPECT_EQ(Summarise(*bookmark).type, "BOOKMARK") << row.name;
  }
  WriteScript();
  for (size_t i = 0; i < std::size(kSelectorRows); ++i) {
    const SelectorRow& row = kSelectorRows[i];
    EXPECT_EQ(watches[i]->Changes(row.want.size()), row.want) << row.name;
  }
}

TEST_F(WatchHubTest, TheInitialListAppliesTheSelectors) {
  Start();
  Create(kPodA, PodDoc(kPodA, {{"app", "web"}}, "Running"));  // 2
  Create(kPodB, PodDoc(kPodB, {{"app", "web"}}, "Pending"));  // 3
  Create(kPodC, PodDoc(kPodC, {{"app", "db"}}, "Running"));   // 4
  struct Row {
    std::string name;
    std::string label_selector;
    std::string field_selector;
    std::vector<std::string> names;
  };
  const Row rows[] = {
      {"label", "app=web", "", {"a", "b"}},
      {"field", "", "status.phase=Running", {"a", "c"}},
      {"both", "app=web", "status.phase=Running", {"a"}},
  };
  int64_t value = 0;
  for (const Row& row : rows) {
    Watch watch(*client_,
                Query{.label_selector = row.label_selector, .field_selector = row.field_selector});
    ASSERT_TRUE(watch.ok()) << row.name;
    std::vector<std::string> names;
    for (const Seen& seen : watch.Changes(row.names.size())) names.push_back(seen.name);
    EXPECT_EQ(names, row.names) << row.name;
    // Nothing else was listed: the next event is the one written now.
    int64_t v = Update(kPodA, PodDoc(kPodA, {{"app", "web"}}, "Running", ++value));
    auto next = watch.NextChange();
    ASSERT_TRUE(next.has_value()) << row.name;
    EXPECT_EQ(next->version, v) << row.name;
  }
}

TEST_F(WatchHubTest, TheInitialListReadsEveryPageOfOneSnapshot) {
  std::atomic<bool> write_after_first_page{true};
  const ObjectKey late{"pods", "default", "zz-late"};  // sorts into the last page
  Start({.list_page_size = 2, .after_replay_read_for_test = [&] {
           if (write_after_first_page.exchange(false)) Create(late, PodDoc(late, {}, ""));
         }});
  std::vector<Seen> want;
  for (const char* name : {"p1", "p2", "p3", "p4", "p5"}) {
    const ObjectKey key{"pods", "default", name};
    want.push_back({"ADDED", name, Create(key, PodDoc(key, {}, "")), "", ""});
  }
  const int64_t listed_at = store_->Versions().current;

  Watch watch(*client_, Query{});
  ASSERT_TRUE(watch.ok());
  // The pod written after the first page is not in the later pages: it comes once, live.
  want.push_back({"ADDED", "zz-late", listed_at + 1, "", ""});
  EXPECT_EQ(watch.Changes(want.size()), want);
  int64_t v = Delete(late);
  EXPECT_EQ(watch.Changes(1), (std::vector<Seen>{{"DELETED", "zz-late", v, "", ""}}));
}

TEST_F(WatchHubTest, FiltersByResourceAndNamespace) {
  Start();
  const ObjectKey prod_pod{"pods", "prod", "p"};
  const ObjectKey other_pod{"pods", "default", "d"};
  const ObjectKey prod_set{"apps/replicasets", "prod", "p"};
  Watch prod(*client_, Query{.namespace_ = "prod"});
  Watch everywhere(*client_, Query{});
  Watch sets(*client_, Query{.resource = "replicasets"});
  int64_t v1 = Create(other_pod, PodDoc(other_pod, {}, ""));
  int64_t v2 = Create(prod_set, Doc(prod_set));
  int64_t v3 = Create(prod_pod, PodDoc(prod_pod, {}, ""));

  EXPECT_EQ(prod.Changes(1), (std::vector<Seen>{{"ADDED", "p", v3, "", ""}}));
  EXPECT_EQ(everywhere.Changes(2),
            (std::vector<Seen>{{"ADDED", "d", v1, "", ""}, {"ADDED", "p", v3, "", ""}}));
  EXPECT_EQ(sets.Changes(1), (std::vector<Seen>{{"ADDED", "p", v2, "", ""}}));
}

TEST_F(WatchHubTest, BookmarksCarryTheVersionEvenWhenNothingMatched) {
  Start({.bookmark_interval = std::chrono::milliseconds(10)});
  Watch watch(*client_, Query{.allow_bookmarks = true});
  ASSERT_TRUE(watch.ok());
  // Writes to another resource: the pod watch gets no event, but its bookmarks move on.
  const ObjectKey set{"apps/replicasets", "default", "web"};
  Create(set, Doc(set, 0));
  int64_t last = Update(set, Doc(set, 1));

  bool reached = false;
  while (!reached) {
    auto event = watch.Next();
    ASSERT_TRUE(event.has_value()) << "stream ended before a bookmark at " << last;
    Seen seen = Summarise(*event);
    ASSERT_EQ(seen.type, "BOOKMARK");
    EXPECT_EQ(*event, json::Parse(R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1",
        "metadata":{"resourceVersion":")" +
                                  std::to_string(seen.version) + R"("}}})")
                          .value());
    ASSERT_LE(seen.version, last);
    reached = seen.version == last;
  }
}

TEST_F(WatchHubTest, NoBookmarksUnlessAllowed) {
  Start({.bookmark_interval = std::chrono::milliseconds(1)});
  Create(kPodA, PodDoc(kPodA, {}, ""));
  Watch watch(*client_, Query{.timeout_seconds = 1});
  ASSERT_TRUE(watch.ok());
  std::vector<json::Value> lines = watch.Rest();  // until the timeout ends the stream
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Summarise(lines[0]).type, "ADDED");
}

TEST_F(WatchHubTest, TheTimeoutEndsTheStreamAfterAFinalBookmark) {
  Start({.bookmark_interval = std::chrono::hours(1)});
  int64_t v = Create(kPodA, PodDoc(kPodA, {}, ""));
  Watch watch(*client_, Query{.allow_bookmarks = true, .timeout_seconds = 1});
  ASSERT_TRUE(watch.ok());
  std::vector<json::Value> lines = watch.Rest();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Summarise(lines[0]), (Seen{"ADDED", "a", v, "", ""}));
  EXPECT_EQ(Summarise(lines[1]).type, "BOOKMARK");
  EXPECT_EQ(Summarise(lines[1]).version, v);
  EXPECT_TRUE(Eventually([&] { return hub_->active_watches() == 0; }));
}

TEST_F(WatchHubTest, TheDefaultTimeoutAppliesWithoutTimeoutSeconds) {
  Start({.default_timeout = std::chrono::seconds(1), .jitter_default_timeout = false});
  Watch watch(*client_, Query{});
  ASSERT_TRUE(watch.ok());
  EXPECT_TRUE(watch.Rest().empty());
}

TEST_F(WatchHubTest, ADisconnectedClientFreesItsWatch) {
  Start();
  Watch first(*client_, Query{});
  Watch second(*client_, Query{});
  ASSERT_TRUE(Eventually([&] { return hub_->active_watches() == 2; }));
  first.Close();
  ASSERT_TRUE(Eventually([&] { return hub_->active_watches() == 1; }))
      << hub_->active_watches() << " watches";
  // The other watch still works.
  int64_t v = Create(kPodA, PodDoc(kPodA, {}, ""));
  EXPECT_EQ(second.Changes(1), (std::vector<Seen>{{"ADDED", "a", v, "", ""}}));
}

TEST_F(WatchHubTest, StopEndsEveryStreamAndRefusesNewWatches) {
  Start();
  Watch first(*client_, Query{});
  Watch second(*client_, Query{.resource_version = "1"});
  ASSERT_TRUE(Eventually([&] { return hub_->active_watches() == 2; }));
  hub_->Stop();
  EXPECT_TRUE(first.Rest().empty());
  EXPECT_TRUE(second.Rest().empty());
  EXPECT_EQ(hub_->active_watches(), 0u);

  auto response = client_->Send(http::Request{.target = Query{}.Target()});
  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status, 503);
  hub_->Stop();  // idempotent
}

}  // namespace
}  // namespace devflow::apiserver
