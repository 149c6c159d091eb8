#include "serve_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "command_runner.h"

namespace devflow::testing {

ServeProcess::ServeProcess(bool runtime) : runtime_(runtime) {
  char dir[] = "/tmp/devflow-serve-XXXXXX";
  if (mkdtemp(dir) == nullptr) std::abort();
  data_dir_ = dir;
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    // A server that does not stop in time is killed: tests must not hang on it.
    for (int i = 0; i < 500; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) Kill(SIGKILL);
  }
  if (runtime_) {
    const std::string down = std::string(DEVFLOW_BINARY) + " down --data-dir " + data_dir_ + " >>" +
                             data_dir_ + "/down.log 2>&1";
    (void)std::system(down.c_str());
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

bool ServeProcess::Start(const std::string& extra_flags) {
  ++starts_;
  // The previous start's kubeconfig names its port: wait for a new one.
  std::filesystem::remove(kubeconfig());
  const std::string log_path = data_dir_ + "/serve.log";
  pid_ = ::fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    std::string command = std::string("exec ") + DEVFLOW_BINARY + " serve --data-dir " + data_dir_ +
                          " --listen 127.0.0.1:0 " + (runtime_ ? "" : "--no-runtime ") +
                          extra_flags + " >>" + log_path + " 2>&1";
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    // The kubeconfig is written atomically once the server listens.
    if (std::filesystem::exists(kubeconfig())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int ServeProcess::Kill(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string ServeProcess::url() const {
  const std::string text = ReadFileForTest(kubeconfig());
  const std::string key = "server: \"";
  size_t at = text.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  return text.substr(at, text.find('"', at) - at);
}

std::string ServeProcess::log() const { return ReadFileForTest(data_dir_ + "/serve.log"); }

}  // namespace devflow::testing
