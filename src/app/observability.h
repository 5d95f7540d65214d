#pragma once
// A command's metrics: the vocabulary (metrics/metrics.h) its stages count into and, when the
// setting metrics.address is given, the /metrics, /healthz and /readyz endpoint serving it.
// Readiness is told later, once the stage that knows it exists.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "config/settings/settings.h"
#include "core/result.h"
#include "metrics/endpoint.h"
#include "metrics/metrics.h"
#include "metrics/stall_watch.h"

namespace rds::app {

class Observability {
 public:
  // Starts the endpoint if metrics.address is set (errors name the setting); until
  // set_readiness(), /readyz says "starting".
  static Result<std::unique_ptr<Observability>> start(const config::Settings& settings);

  metrics::Metrics& metrics() { return metrics_; }
  void set_readiness(metrics::ReadinessCheck check);
  // The stage has ended (call before it is destroyed): /readyz says so from now on, and the
  // stall watches end.
  void stopped();

  // Work waiting on an engine, and a running total of what the engine acknowledged: sampled
  // every 250 ms by a thread of its own, to tell stalls (metrics/stall_watch.h).
  using StallSample = std::function<std::pair<uint64_t, uint64_t>()>;
  void watch_for_stalls(std::string engine, std::string what, StallSample sample);
  // Also run `refresh` on every tick (gauges that age while the stage's own thread is blocked).
  void every_tick(std::function<void()> refresh);
  ~Observability();
  int port() const { return endpoint_ ? endpoint_->port() : 0; }
  // Where /metrics is served, HOST:PORT with the port bound (empty: no endpoint).
  std::string address() const;

 private:
  Observability() = default;
  metrics::Readiness readiness() const;

  void tick();

  metrics::Metrics metrics_;
  std::chrono::milliseconds stall_threshold_{0};
  std::string address_;
  mutable std::mutex mutex_;
  metrics::ReadinessCheck readiness_;
  bool stopped_ = false;
  std::vector<std::pair<metrics::StallWatch, StallSample>> watches_;
  std::vector<std::function<void()>> refreshes_;
  std::condition_variable wake_;
  std::thread ticker_;
  std::unique_ptr<metrics::MetricsEndpoint> endpoint_;  // last: stopped first, while the rest lives
};

}  // namespace rds::app
