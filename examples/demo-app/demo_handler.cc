#include "demo_handler.h"

#include <cmath>
#include <string>
#include <utility>

#include "common/version.h"
#include "demo_page.h"

namespace devflow::demo {
namespace {

constexpr uint64_t kMillion = 1'000'000;

http::Response Text(int status, std::string body) {
  return http::Response{
      status,
      {{"Content-Type", "text/plain; charset=utf-8"}, {"Cache-Control", "no-store"}},
      std::move(body)};
}

// The colour is restricted to characters that need no JSON escaping (demo_flags.h).
http::Response ColorAnswer(const std::string& color, bool fail) {
  http::Response response;
  response.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  if (fail) {
    response.status = 500;
    response.body = R"({"error":"failure injected by --error-rate","color":")" + color + "\"}\n";
  } else {
    response.body = R"({"color":")" + color + "\"}\n";
  }
  return response;
}

}  // namespace

bool IsInjectedError(uint64_t index, double error_rate) {
  // Integer arithmetic: with doubles, 0.29 * 100 is 28.999..., one failure late.
  const uint64_t per_million = static_cast<uint64_t>(std::llround(error_rate * kMillion));
  return (index + 1) * per_million / kMillion > index * per_million / kMillion;
}

DemoHandler::DemoHandler(DemoOptions options) : options_(std::move(options)) {}

void DemoHandler::Handle(const http::Request& request, http::ResponseWriter& writer) {
  const std::string path = request.Path();
  const bool known = path == "/" || path == "/color" || path == "/healthz" || path == "/metrics";
  if (!known) {
    writer.Send(Text(404, "not found: " + path + " (try /, /color, /healthz, /metrics)\n"));
    return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response = Text(405, "method not allowed: use GET\n");
    response.headers.emplace_back("Allow", "GET, HEAD");
    writer.Send(std::move(response));
    return;
  }
  if (path == "/color") {
    HandleColor(writer);
  } else if (path == "/healthz") {
    writer.Send(options_.fail_readiness
                    ? Text(503, "not ready: failure injected by --fail-readiness\n")
                    : Text(200, "ok\n"));
  } else if (path == "/metrics") {
    writer.Send(Metrics());
  } else {
    writer.Send(http::Response{
        200,
        {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-store"}},
        DemoPageHtml(options_.color)});
  }
}

void DemoHandler::HandleColor(http::ResponseWriter& writer) {
  const bool fail = IsInjectedError(color_requests_.fetch_add(1), options_.error_rate);
  ++in_flight_;
  auto after_send = [this, fail] {
    ++(fail ? answered_failed_ : answered_ok_);
    --in_flight_;
  };
  if (options_.latency.count() == 0) {
    writer.Send(ColorAnswer(options_.color, fail));
    after_send();
    return;
  }
  sender_.SendAt(DelayedSender::Clock::now() + options_.latency, writer,
                 ColorAnswer(options_.color, fail), std::move(after_send));
}

http::Response DemoHandler::Metrics() const {
  std::string body;
  body += "# HELP devflow_demo_color_requests_total /color answers sent, by status code.\n";
  body += "# TYPE devflow_demo_color_requests_total counter\n";
  body += "devflow_demo_color_requests_total{code=\"200\"} " + std::to_string(answered_ok_.load()) +
          "\n";
  body += "devflow_demo_color_requests_total{code=\"500\"} " +
          std::to_string(answered_failed_.load()) + "\n";
  body += "# HELP devflow_demo_color_in_flight /color requests received and not yet answered.\n";
  body += "# TYPE devflow_demo_color_in_flight gauge\n";
  body += "devflow_demo_color_in_flight " + std::to_string(in_flight_.load()) + "\n";
  body += "# HELP devflow_demo_info The colour this process answers, and its version.\n";
  body += "# TYPE devflow_demo_info gauge\n";
  body += "devflow_demo_info{color=\"" + options_.color + "\",version=\"" + kVersion + "\"} 1\n";
  http::Response response = Text(200, std::move(body));
  http::SetHeader(response.headers, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  return response;
}

}  // namespace devflow::demo
