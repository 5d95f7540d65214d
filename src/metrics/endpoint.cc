#include "metrics/endpoint.h"

#include <fmt/format.h>
#include <httplib.h>

namespace rds::metrics {
namespace {

constexpr const char* kKnown = "GET /metrics, /healthz or /readyz";

}  // namespace

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(std::string_view address, const Metrics& metrics,
                                                               ReadinessCheck readiness) {
  auto host_port = http_server::parse_address(address, "metrics.address");
  if (!host_port.ok()) return host_port.take_error();
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  auto& routes = endpoint->server_.routes();
  routes.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  routes.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  routes.Get("/readyz", [readiness = std::move(readiness)](const httplib::Request&, httplib::Response& res) {
    const Readiness state = readiness ? readiness() : Readiness{};
    if (state.ready()) {
      res.set_content("ready\n", "text/plain");
      return;
    }
    res.status = 503;
    res.set_content(fmt::format("not ready: waiting for {}\n", fmt::join(state.waiting_for, ", ")), "text/plain");
  });
  routes.Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 404;
    res.set_content(fmt::format("no such endpoint: {}; try {}\n", req.path, kKnown), "text/plain");
  });
  const auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET");
    res.set_content(fmt::format("{} is not allowed here; try {}\n", req.method, kKnown), "text/plain");
  };
  routes.Post(".*", not_allowed);
  routes.Put(".*", not_allowed);
  routes.Patch(".*", not_allowed);
  routes.Delete(".*", not_allowed);
  RDS_TRY(endpoint->server_.start(host_port->first, host_port->second, "metrics endpoint"));
  return endpoint;
}

std::string announce_metrics(std::string_view client_id, std::string_view address) {
  return std::string(client_id) + "@" + std::string(address);
}

std::optional<std::string> announced_metrics(std::string_view client_id, std::string_view member_host) {
  const auto at = client_id.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view address = client_id.substr(at + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == address.size()) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  if (host == "0.0.0.0" || host == "::" || host == "[::]" || host.empty()) {
    if (!member_host.empty() && member_host.front() == '/') member_host.remove_prefix(1);
    host = member_host;
  }
  return std::string(host) + std::string(address.substr(colon));
}

}  // namespace rds::metrics
