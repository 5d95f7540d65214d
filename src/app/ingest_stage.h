#pragma once
// The composition root of `rdstream ingest`: from the settings, the record source (API or
// generator) and the producer, run until the duration, the count or a signal, then the summary.

#include <atomic>

#include "app/outcome.h"
#include "app/staging_outbox.h"
#include "ingest/ingest_job.h"
#include "config/settings/settings.h"
#include "metrics/endpoint.h"

namespace rds::app {

// Ready once Kafka answered the producer (`run` combines it with the processor's).
metrics::ReadinessCheck ingest_readiness(metrics::Metrics& metrics);

class Observability;
// Tells when Kafka delivers nothing while records wait (metrics/stall_watch.h).
void watch_kafka_deliveries(Observability& o);

// What ingest's options point at beyond the plan: the record encoder (for Avro, the schema
// registered first) and the staging connections. Keep it alive while the options are used.
struct IngestConnections {
  std::unique_ptr<ingest::RecordEncoder> encoder;
  StagingConnections staging;
};
Result<IngestConnections> connect_ingest(const config::Settings& settings, const std::atomic<bool>& stop,
                                         ingest::IngestOptions& options);

Outcome run_ingest_stage(const config::Settings& settings, const std::atomic<bool>& stop);

}  // namespace rds::app
