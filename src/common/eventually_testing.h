// Test-only: waiting for something asynchronous without asserting how long it takes.
#pragma once

#include <chrono>
#include <thread>

namespace devflow::testing {

// Polls `ready` every millisecond until it returns true or `deadline` passes; returns its last
// answer. The deadline (20 s, as the copies it replaced had) is generous on purpose: it bounds a hung test, it does not time anything.
template <class F>
bool Eventually(F ready, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return ready();
}

}  // namespace devflow::testing
