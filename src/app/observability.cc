#include "app/observability.h"

#include "core/log.h"

namespace rds::app {

Result<std::unique_ptr<Observability>> Observability::start(const config::Settings& settings) {
  std::unique_ptr<Observability> o(new Observability());
  o->stall_threshold_ = std::chrono::milliseconds(settings.general.stall_threshold_ms());
  const std::string& address = settings.general.metrics_address();
  if (address.empty()) return o;
  auto endpoint = metrics::MetricsEndpoint::start(address, o->metrics_, [self = o.get()] { return self->readiness(); });
  if (!endpoint.ok()) return endpoint.take_error();
  o->endpoint_ = std::move(*endpoint);
  o->address_ = address.substr(0, address.rfind(':')) + ":" + std::to_string(o->endpoint_->port());
  log::info("metrics", "serving /metrics, /healthz and /readyz on {} (port {})", address, o->endpoint_->port());
  return o;
}

std::string Observability::address() const { return address_; }

void Observability::set_readiness(metrics::ReadinessCheck check) {
  std::lock_guard<std::mutex> lock(mutex_);
  readiness_ = std::move(check);
}

void Observability::stopped() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    readiness_ = nullptr;
    stopped_ = true;
    watches_.clear();
    refreshes_.clear();
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

Observability::~Observability() { stopped(); }

void Observability::watch_for_stalls(std::string engine, std::string what, StallSample sample) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopped_) return;
  watches_.emplace_back(metrics::StallWatch(metrics_, std::move(engine), std::move(what), stall_threshold_),
                        std::move(sample));
  if (!ticker_.joinable()) ticker_ = std::thread([this] { tick(); });
}

void Observability::every_tick(std::function<void()> refresh) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopped_) return;
  refreshes_.push_back(std::move(refresh));
  if (!ticker_.joinable()) ticker_ = std::thread([this] { tick(); });
}

void Observability::tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopped_) {
    for (auto& [watch, sample] : watches_) {
      const auto [waiting, acknowledged] = sample();
      watch.observe(waiting, acknowledged, metrics::StallWatch::Clock::now());
    }
    for (const auto& refresh : refreshes_) refresh();
    wake_.wait_for(lock, std::chrono::milliseconds(250));
  }
}

metrics::Readiness Observability::readiness() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopped_) return metrics::Readiness{{"nothing: the stage has stopped"}};
  if (!readiness_) return metrics::Readiness{{"the stage to start"}};
  return readiness_();
}

}  // namespace rds::app
