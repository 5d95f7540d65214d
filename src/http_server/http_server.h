#pragma once
// One way to serve HTTP in rdstream: cpp-httplib (Debian's library), bound to an address given
// by the caller (127.0.0.1 unless the user asks otherwise), on a thread of its own, stopped and
// joined in the destructor. The mock API, the metrics endpoints and the console build on it.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/result.h"

namespace httplib {
class Server;
}

namespace rds::http_server {

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The routes, before start().
  httplib::Server& routes() { return *server_; }

  // Binds and starts serving on a background thread; returns once connections are accepted.
  // Port 0 picks a free port (see port()). kUnavailable when the address cannot be bound;
  // `what` names the server in errors ("metrics endpoint").
  Status start(const std::string& host, int port, std::string_view what);
  // Idempotent; returns after the serving thread has ended.
  void stop();
  int port() const { return port_; }
  bool running() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool started_ = false;
};

// "127.0.0.1:9464" -> host and port; kInvalidArgument naming `setting` otherwise.
Result<std::pair<std::string, int>> parse_address(std::string_view address, std::string_view setting);

}  // namespace rds::http_server
