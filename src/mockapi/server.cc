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

bool MockApiServer::running() const { return server_ && server_->running(); }

Status MockApiServer::start(const std::string& host, int port) {
  if (server_) return Error(ErrorCode::kAlreadyExists, "mock API server already started");
  auto server = std::make_unique<http_server::HttpServer>();
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(api_, req, res); };
  server->routes().Get(".*", handler);
  server->routes().Post(".*", handler);
  server->routes().Delete(".*", handler);
  server->routes().set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    log::error(kLogComponent, "unexpected exception serving {}", req.path);
    res.status = 500;
    res.set_content(R"({"error":"internal error"})", "application/json");
  });
  RDS_TRY(server->start(host, port, "mock API server"));
  server_ = std::move(server);
  return ok_status();
}

void MockApiServer::stop() {
  if (!server_) return;
  server_->stop();
  server_.reset();
}

}  // namespace rds::mockapi
