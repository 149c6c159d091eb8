#include "apiserver/pod_log.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

namespace devflow::apiserver {
namespace {

// A non-negative integer parameter (kube-apiserver rejects negative tailLines and a limitBytes
// below 1).
std::variant<std::optional<int64_t>, ApiStatus> IntegerParameter(const http::Request& request,
                                                                 std::string_view name,
                                                                 int64_t minimum) {
  std::optional<std::string> text = request.Query(name);
  if (!text) return std::optional<int64_t>();
  int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return BadRequestStatus(std::string(name) + ": invalid value \"" + *text +
                            "\": must be an integer");
  }
  if (value < minimum) {
    return BadRequestStatus(std::string(name) + ": Invalid value: " + *text + ": must be " +
                            (minimum == 0 ? "greater than or equal to 0" : "greater than 0"));
  }
  return std::optional<int64_t>(value);
}

std::vector<std::string> ContainerNames(const json::Value& pod) {
  std::vector<std::string> names;
  const json::Value* containers = pod.Find("spec") ? pod.Find("spec")->Find("containers") : nullptr;
  if (containers == nullptr || !containers->is_array()) return names;
  for (const json::Value& container : containers->as_array()) {
    if (const json::Value* name = container.Find("name"); name && name->is_string()) {
      names.push_back(name->as_string());
    }
  }
  return names;
}

}  // namespace

std::variant<PodLogQuery, ApiStatus> ParsePodLogQuery(const http::Request& request,
                                                      const json::Value& pod) {
  PodLogQuery query;
  const std::string pod_name = pod.Find("metadata") && pod.Find("metadata")->Find("name")
                                   ? pod.Find("metadata")->Find("name")->as_string()
                                   : std::string();
  const std::vector<std::string> names = ContainerNames(pod);
  query.container = request.Query("container").value_or("");
  if (query.container.empty()) {
    if (names.size() != 1) {
      std::string choices;
      for (const std::string& name : names) choices += (choices.empty() ? "" : " ") + name;
      return BadRequestStatus("a container name must be specified for pod " + pod_name +
                              ", choose one of: [" + choices + "]");
    }
    query.container = names.front();
  } else if (std::find(names.begin(), names.end(), query.container) == names.end()) {
    return BadRequestStatus("container " + query.container + " is not valid for pod " + pod_name);
  }
  const std::string follow = request.Query("follow").value_or("false");
  query.follow = follow == "true" || follow == "1";

  auto tail = IntegerParameter(request, "tailLines", 0);
  if (auto* status = std::get_if<ApiStatus>(&tail)) return *status;
  query.tail_lines = std::get<std::optional<int64_t>>(tail);
  auto limit = IntegerParameter(request, "limitBytes", 1);
  if (auto* status = std::get_if<ApiStatus>(&limit)) return *status;
  query.limit_bytes = std::get<std::optional<int64_t>>(limit);
  return query;
}

std::string_view SelectLogText(std::string_view log, std::optional<int64_t> tail_lines,
                               std::optional<int64_t> limit_bytes) {
  if (tail_lines) {
    // Walk back over line starts; a last line without its '\n' is a line too.
    size_t start = log.size();
    if (*tail_lines > 0 && !log.empty()) {
      size_t end = log[log.size() - 1] == '\n' ? log.size() - 1 : log.size();
      for (int64_t i = 0; i < *tail_lines; ++i) {
        const size_t newline = end == 0 ? std::string_view::npos : log.rfind('\n', end - 1);
        if (newline == std::string_view::npos) {
          start = 0;
          break;
        }
        start = newline + 1;
        end = newline;
      }
    }
    log.remove_prefix(start);
  }
  if (limit_bytes && static_cast<uint64_t>(*limit_bytes) < log.size()) {
    log = log.substr(0, static_cast<size_t>(*limit_bytes));
  }
  return log;
}

struct PodLogFollowers::State {
  std::chrono::milliseconds poll;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mu
  struct Follower {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Follower> followers;  // guarded by mu

  // Joins the followers whose stream has ended. REQUIRES: mu held.
  void ReapLocked() {
    std::erase_if(followers, [](Follower& follower) {
      if (!follower.done->load()) return false;
      follower.thread.join();
      return true;
    });
  }
};

PodLogFollowers::PodLogFollowers(std::chrono::milliseconds poll)
    : state_(std::make_shared<State>()) {
  state_->poll = poll;
}

PodLogFollowers::~PodLogFollowers() {
  std::vector<State::Follower> followers;
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
    followers.swap(state_->followers);
  }
  state_->cv.notify_all();
  for (State::Follower& follower : followers) follower.thread.join();
}

void PodLogFollowers::Follow(std::filesystem::path path, uint64_t offset, std::string initial,
                             http::ResponseWriter writer, PodExists pod_exists) {
  if (!writer.StartStream(200, {{"Content-Type", "text/plain"}})) return;
  if (!initial.empty() && !writer.WriteChunk(std::move(initial))) return;
  auto closed = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<State> state = state_;
  writer.OnClosed([closed, state] {
    closed->store(true);
    state->cv.notify_all();
  });
  std::lock_guard lock(state->mu);
  if (state->stopping) {
    writer.Finish();
    return;
  }
  state->ReapLocked();
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([state, closed, done, path = std::move(path), offset, writer,
                      pod_exists = std::move(pod_exists)]() mutable {
    std::vector<char> buffer(64 * 1024);
    while (true) {
      {
        std::unique_lock lock(state->mu);
        state->cv.wait_for(lock, state->poll, [&] { return state->stopping || closed->load(); });
        if (state->stopping || closed->load()) break;
      }
      std::error_code error;
      const uint64_t size = std::filesystem::file_size(path, error);
      if (!error && size < offset) offset = 0;  // rotated by copy-truncate
      if (!error && size > offset) {
        std::ifstream file(path, std::ios::binary);
        file.seekg(static_cast<std::streamoff>(offset));
        while (file) {
          file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          const std::streamsize got = file.gcount();
          if (got <= 0) break;
          offset += static_cast<uint64_t>(got);
          if (!writer.WriteChunk(std::string(buffer.data(), static_cast<size_t>(got)))) {
            closed->store(true);
            break;
          }
        }
      }
      if (closed->load()) break;
      if (!pod_exists()) break;
    }
    writer.Finish();
    done->store(true);
  });
  state->followers.push_back({std::move(thread), std::move(done)});
}

}  // namespace devflow::apiserver
