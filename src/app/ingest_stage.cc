#include "app/ingest_stage.h"

#include "app/component_configs.h"
#include "app/record_format.h"
#include "app/observability.h"
#include "core/log.h"

namespace rds::app {

metrics::ReadinessCheck ingest_readiness(metrics::Metrics& metrics) {
  return [&connected = metrics.engine_connected(metrics::kKafka)] {
    return connected.Value() >= 1 ? metrics::Readiness{} : metrics::Readiness{{"the producer's connection to Kafka"}};
  };
}

void watch_kafka_deliveries(Observability& o) {
  metrics::Metrics& m = o.metrics();
  o.watch_for_stalls(std::string(metrics::kKafka), "records",
                     [&waiting = m.in_flight_records(metrics::kIngest), &delivered = m.sent_records(metrics::kIngest),
                      &failed = m.errors(metrics::kIngest, "kafka_delivery")] {
                       return std::make_pair(static_cast<uint64_t>(std::max(waiting.Value(), 0.0)),
                                             static_cast<uint64_t>(delivered.Value() + failed.Value()));
                     });
}

Result<IngestConnections> connect_ingest(const config::Settings& settings, const std::atomic<bool>& stop,
                                         ingest::IngestOptions& options) {
  IngestConnections c;
  auto encoder = record_encoder(settings, stop);
  if (!encoder.ok()) return encoder.take_error();
  c.encoder = std::move(*encoder);
  auto staging = open_staging(settings, stop);
  if (!staging.ok()) return staging.take_error();
  c.staging = std::move(*staging);
  options.encoder = c.encoder.get();
  options.staging = c.staging.store.get();
  options.staging_writer = c.staging.writer.get();
  options.staging_marker = c.staging.marker.get();
  return c;
}

Outcome run_ingest_stage(const config::Settings& settings, const std::atomic<bool>& stop) {
  auto plan = ingest_plan(settings);
  if (!plan.ok()) return Outcome::failed(plan.error());
  auto observability = Observability::start(settings);
  if (!observability.ok()) return Outcome::failed(observability.error());
  plan->options.metrics = &(*observability)->metrics();
  // Avro: the schema is registered before anything is produced (or consumed, for run).
  auto connected = connect_ingest(settings, stop, plan->options);
  if (!connected.ok()) return Outcome::failed(connected.error());
  (*observability)->set_readiness(ingest_readiness((*observability)->metrics()));
  watch_kafka_deliveries(**observability);
  log::info("ingest", "seed {} (pass --seed {} to replay this run)", plan->seed, plan->seed);
  auto summary = ingest::run_ingest(*plan->source, plan->options, stop);
  (*observability)->stopped();
  if (!summary.ok()) return Outcome::failed(summary.error());
  Outcome outcome;
  outcome.summary = "ingest summary: " + summary->to_text() + "\n";
  if (!summary->complete()) {
    if (!summary->source_error.empty()) outcome.problem = "stopped early: " + summary->source_error + "\n";
    if (summary->staging && summary->source_error.empty()) {
      // Staged rows not all delivered: safe in PostgreSQL, and the next run produces them first.
      outcome.problem += "staged rows are not all delivered yet (Kafka unreachable?); they stay in PostgreSQL and "
                         "the next `rdstream ingest --staging postgres` produces them first\n";
      outcome.kind = Outcome::Kind::kUnavailable;
    } else if (!summary->staging && (summary->failed > 0 || summary->undelivered > 0)) {
      outcome.kind = Outcome::Kind::kDataLoss;
    } else {
      outcome.kind = summary->source_error_code == ErrorCode::kInvalidArgument ? Outcome::Kind::kBadSettings
                                                                              : Outcome::Kind::kUnavailable;
    }
  }
  if (summary->staging && summary->staging->set_aside > 0) {
    // Kept in PostgreSQL, but not produced: a person must look (the run's exit code says so).
    outcome.problem += fmt::format("{} staged rows could not be produced and were set aside (state 2, with "
                                   "set_aside_reason); they are in PostgreSQL, not in Kafka\n",
                                   summary->staging->set_aside);
    outcome.kind = Outcome::Kind::kDataLoss;
  }
  return outcome;
}

}  // namespace rds::app
