#pragma once
// The console's HTTP side (README.md, "The HTTP API" and "Security"): the embedded front-end, the
// JSON API over the collector and the dead letters, the console's own /metrics and /healthz.
//
// Security by default: it binds loopback; any other address needs a token (from the environment
// or a file, never a flag), sent as a Bearer token or as basic auth's password. POSTs need the
// per-process CSRF token and a same-origin Origin header when the browser sends one. Nothing it
// serves holds a secret.

#include <memory>
#include <string>

#include "console/collector.h"
#include "console/dead_letters.h"
#include "core/result.h"
#include "http_server/http_server.h"
#include "metrics/metrics.h"

namespace rds::console {

struct ServerConfig {
  std::string address = "127.0.0.1:9021";  // console.address
  std::string token;                       // empty: none (loopback only)
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(std::string_view host);

class ConsoleServer {
 public:
  // kInvalidArgument naming the setting for a non-loopback address without a token;
  // kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<ConsoleServer>> start(const ServerConfig& config, Collector& collector,
                                                      DeadLetters& dead_letters, const metrics::Metrics& metrics);
  int port() const { return server_.port(); }
  const std::string& csrf_token() const { return csrf_token_; }

 private:
  ConsoleServer() = default;
  void routes(Collector& collector, DeadLetters& dead_letters, const metrics::Metrics& metrics);

  std::string token_;
  std::string csrf_token_;
  http_server::HttpServer server_;
};

}  // namespace rds::console
