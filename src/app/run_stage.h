#pragma once
// The composition roots of `rdstream process` (Kafka -> Cassandra until stopped or a count) and
// `rdstream run`, the main job: ingest and process together in one process, as the seed's Airflow
// DAG plus its Spark job did, for a duration or a count or until a signal; then it waits until
// Cassandra acknowledged what was produced and sums up, with end-to-end latency.

#include <atomic>

#include "app/outcome.h"
#include "config/settings/settings.h"

namespace rds::app {

Outcome run_process_stage(const config::Settings& settings);
Outcome run_pipeline(const config::Settings& settings, const std::atomic<bool>& stop);

}  // namespace rds::app
