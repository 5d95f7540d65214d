#pragma once
// The thin socket layer of the mock API: cpp-httplib in front of MockApi::handle(). Binds
// 127.0.0.1 by default; the mock is for tests and benchmarks, not for exposure.

#include <memory>
#include <string>
#include <thread>

#include "core/result.h"
#include "http_server/http_server.h"
#include "mockapi/mock_api.h"

namespace rds::mockapi {

class MockApiServer {
 public:
  static constexpr const char* kDefaultHost = "127.0.0.1";
  static constexpr int kDefaultPort = 8088;

  explicit MockApiServer(MockApi& api);  // `api` must outlive the server
  ~MockApiServer();                      // stops
  MockApiServer(const MockApiServer&) = delete;
  MockApiServer& operator=(const MockApiServer&) = delete;

  // Binds and starts serving on a background thread; returns once connections are accepted.
  // Port 0 picks a free port (see port()). kUnavailable when the address cannot be bound.
  Status start(const std::string& host = kDefaultHost, int port = kDefaultPort);
  // Idempotent; returns after the serving thread has ended.
  void stop();
  int port() const { return server_ ? server_->port() : 0; }
  bool running() const;

 private:
  MockApi& api_;
  std::unique_ptr<http_server::HttpServer> server_;
};

}  // namespace rds::mockapi
