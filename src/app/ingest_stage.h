#pragma once
// The composition root of `rdstream ingest`: from the settings, the record source (API or
// generator) and the producer, run until the duration, the count or a signal, then the summary.

#include <atomic>

#include "app/outcome.h"
#include "config/settings/settings.h"
#include "metrics/endpoint.h"

namespace rds::app {

// Ready once Kafka answered the producer (`run` combines it with the processor's).
metrics::ReadinessCheck ingest_readiness(metrics::Metrics& metrics);

class Observability;
// Tells when Kafka delivers nothing while records wait (metrics/stall_watch.h).
void watch_kafka_deliveries(Observability& o);

Outcome run_ingest_stage(const config::Settings& settings, const std::atomic<bool>& stop);

}  // namespace rds::app
