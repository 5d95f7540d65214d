#pragma once
// A command's metrics: the vocabulary (metrics/metrics.h) its stages count into and, when the
// setting metrics.address is given, the /metrics, /healthz and /readyz endpoint serving it.
// Readiness is told later, once the stage that knows it exists.

#include <memory>
#include <mutex>

#include "config/settings/settings.h"
#include "core/result.h"
#include "metrics/endpoint.h"
#include "metrics/metrics.h"

namespace rds::app {

class Observability {
 public:
  // Starts the endpoint if metrics.address is set (errors name the setting); until
  // set_readiness(), /readyz says "starting".
  static Result<std::unique_ptr<Observability>> start(const config::Settings& settings);

  metrics::Metrics& metrics() { return metrics_; }
  void set_readiness(metrics::ReadinessCheck check);
  // The stage has ended (call before it is destroyed): /readyz says so from now on.
  void stopped();
  int port() const { return endpoint_ ? endpoint_->port() : 0; }

 private:
  Observability() = default;
  metrics::Readiness readiness() const;

  metrics::Metrics metrics_;
  mutable std::mutex mutex_;
  metrics::ReadinessCheck readiness_;
  bool stopped_ = false;
  std::unique_ptr<metrics::MetricsEndpoint> endpoint_;  // last: stopped first, while the rest lives
};

}  // namespace rds::app
