#include "http_server/http_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <charconv>
#include <chrono>

namespace rds::http_server {

HttpServer::HttpServer() : server_(std::make_unique<httplib::Server>()) {
  // httplib's default sets SO_REUSEPORT, which lets a second server silently share our port and
  // take half the requests. SO_REUSEADDR alone still allows a quick restart.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // One request per connection. stop() waits for every connection's thread, and an idle
  // kept-alive connection (the console scraping a stage's /metrics every second) holds its thread
  // for the keep-alive timeout: with httplib's 5 s, a stage took up to 5 s longer to exit
  // (scripts/bench-console: 300,000 records at 27k/s instead of 51k/s), and with 1 s still up to a
  // second. Our clients ask once a second or so, on loopback, where a new connection is free.
  server_->set_keep_alive_max_count(1);
}

HttpServer::~HttpServer() { stop(); }

bool HttpServer::running() const { return started_ && server_->is_running(); }

Status HttpServer::start(const std::string& host, int port, std::string_view what) {
  if (started_) return Error(ErrorCode::kAlreadyExists, fmt::format("{} already started", what));
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ < 0) port_ = 0;
  } else {
    port_ = server_->bind_to_port(host, port) ? port : 0;
  }
  if (port_ == 0) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("{}: cannot bind {}:{} (in use, or not a local address?)", what, host, port));
  }
  started_ = true;
  thread_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
  // stop() is a no-op until the loop runs, so wait for it before returning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server_->is_running()) {
    stop();
    return Error(ErrorCode::kUnavailable, fmt::format("{} did not start within 5 s", what));
  }
  return ok_status();
}

void HttpServer::stop() {
  if (!started_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  started_ = false;
}

Result<std::pair<std::string, int>> parse_address(std::string_view address, std::string_view setting) {
  const auto colon = address.rfind(':');
  int port = -1;
  if (colon != std::string_view::npos && colon > 0) {
    const auto digits = address.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size()) port = -1;
  }
  if (port < 0 || port > 65535) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: '{}' is not HOST:PORT (e.g. 127.0.0.1:9464; port 0 picks a free one)", setting,
                             address));
  }
  return std::make_pair(std::string(address.substr(0, colon)), port);
}

}  // namespace rds::http_server
