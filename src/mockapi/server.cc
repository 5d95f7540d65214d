#include "mockapi/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <sys/socket.h>

#include <chrono>

#include "core/log.h"

namespace rds::mockapi {
namespace {

constexpr std::string_view kLogComponent = "mock-api";

void serve(MockApi& api, const httplib::Request& req, httplib::Response& res) {
  HttpRequest request;
  request.method = req.method;
  request.path = req.path;
  request.params = req.params;
  request.client = req.has_header("X-Client-Id") ? req.get_header_value("X-Client-Id") : req.remote_addr;
  request.body = req.body;
  HttpResponse response = api.handle(request);
  // Runs on one of httplib's pool threads: sleeping here delays only this connection.
  if (response.delay.count() > 0) std::this_thread::sleep_for(response.delay);
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  res.set_content(std::move(response.body), response.content_type.c_str());
}

}  // namespace

MockApiServer::MockApiServer(MockApi& api) : api_(api) {}

MockApiServer::~MockApiServer() { stop(); }

bool MockApiServer::running() const { return server_ && server_->is_running(); }

Status MockApiServer::start(const std::string& host, int port) {
  if (server_) return Error(ErrorCode::kAlreadyExists, "mock API server already started");
  auto server = std::make_unique<httplib::Server>();
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(api_, req, res); };
  server->Get(".*", handler);
  server->Post(".*", handler);
  server->Delete(".*", handler);
  server->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    log::error(kLogComponent, "unexpected exception serving {}", req.path);
    res.status = 500;
    res.set_content(R"({"error":"internal error"})", "application/json");
  });
  // httplib's default sets SO_REUSEPORT, which lets a second mock silently share our port and
  // take half the requests. SO_REUSEADDR alone still allows a quick restart.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (port == 0) {
    port_ = server->bind_to_any_port(host);
    if (port_ < 0) port_ = 0;
  } else {
    port_ = server->bind_to_port(host, port) ? port : 0;
  }
  if (port_ == 0) {
    return Error(ErrorCode::kUnavailable, fmt::format("cannot bind {}:{} (in use, or not a local address?)", host, port));
  }
  server_ = std::move(server);
  thread_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
  // stop() is a no-op until the loop runs, so wait for it before returning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server_->is_running()) {
    stop();
    return Error(ErrorCode::kUnavailable, "mock API server did not start within 5 s");
  }
  return ok_status();
}

void MockApiServer::stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace rds::mockapi
