#include "delayed_sender.h"

#include <utility>
#include <vector>

namespace devflow::demo {

DelayedSender::DelayedSender() : thread_([this] { Run(); }) {}

DelayedSender::~DelayedSender() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void DelayedSender::SendAt(Clock::time_point when, http::ResponseWriter writer,
                           http::Response response, std::function<void()> after_send) {
  {
    std::lock_guard lock(mu_);
    pending_.emplace(when, Pending{std::move(writer), std::move(response), std::move(after_send)});
  }
  cv_.notify_all();
}

void DelayedSender::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    std::vector<Pending> due;
    const Clock::time_point now = Clock::now();
    while (!pending_.empty() && (stopping_ || pending_.begin()->first <= now)) {
      due.push_back(std::move(pending_.begin()->second));
      pending_.erase(pending_.begin());
    }
    if (due.empty()) {
      if (stopping_) return;
      if (pending_.empty()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, pending_.begin()->first);
      }
      continue;
    }
    // Writing may take the connection's lock; never hold ours meanwhile.
    lock.unlock();
    for (Pending& p : due) {
      p.writer.Send(std::move(p.response));
      if (p.after_send) p.after_send();
    }
    lock.lock();
  }
}

}  // namespace devflow::demo
