#pragma once
// The metrics endpoints of `ingest`, `process` and `run` (--metrics-address HOST:PORT):
//   GET /metrics  the Prometheus text format (metrics.h)
//   GET /healthz  200 while the process is alive
//   GET /readyz   200 when the stage is ready (partitions assigned, Cassandra session up, producer
//                 connected), else 503 with what it waits for
// Anything else is answered 404 (another path) or 405 (another method), naming what exists.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http_server/http_server.h"
#include "metrics/metrics.h"

namespace rds::metrics {

// What a stage still waits for; ready when empty.
struct Readiness {
  std::vector<std::string> waiting_for;  // "partitions assigned", "Cassandra session", ...
  bool ready() const { return waiting_for.empty(); }
};
using ReadinessCheck = std::function<Readiness()>;

class MetricsEndpoint {
 public:
  // Binds `address` ("127.0.0.1:9464"; port 0 picks one) and serves until destroyed. `metrics`
  // must outlive the endpoint; `readiness` is called on the server's threads.
  static Result<std::unique_ptr<MetricsEndpoint>> start(std::string_view address, const Metrics& metrics,
                                                        ReadinessCheck readiness);
  int port() const { return server_.port(); }

 private:
  MetricsEndpoint() = default;
  http_server::HttpServer server_;
};

// How an instance tells the console where its endpoint is: a consumer group member's client.id
// carries it, "rdstream-process@127.0.0.1:9464", and the console reads it back from the group's
// description. An address on all interfaces (0.0.0.0, ::) is reached through the member's host.
std::string announce_metrics(std::string_view client_id, std::string_view address);
// The announced HOST:PORT, or nullopt if `client_id` announces none. `member_host` is the host the
// broker saw ("/127.0.0.1").
std::optional<std::string> announced_metrics(std::string_view client_id, std::string_view member_host);

}  // namespace rds::metrics
