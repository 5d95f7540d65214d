#pragma once
// The composition root of the process stage: builds, from the settings (config/settings), everything
// `rdstream process` and `rdstream run` need — the Cassandra session, keyspace and table, the
// sink, the validator and the processor — in the right order, owning them for their lifetime.
// No pipeline logic lives here; it only wires components together.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cassandra/session.h"
#include "config/settings/settings.h"
#include "core/result.h"
#include "kafka/consumer.h"
#include "metrics/metrics.h"
#include "process/dead_letter.h"
#include "process/processor.h"
#include "process/record_decoder.h"
#include "process/processor_probe.h"
#include "process/record_validator.h"
#include "process/table_config.h"
#include "sink/cassandra/cassandra_sink.h"

namespace rds::app {

// Observes every row Cassandra acknowledged (its bound values; values[0] is the id), on the
// session's loop thread. `rdstream run` uses it for end-to-end latency.
using RowAcknowledged = std::function<void(const sink::Row& row)>;
// Observes the rows the processor hands to the sink (before the sink waits for a free in-flight
// slot; values[0] is the id), a batch at a time, on the processor's thread. `rdstream run` uses it
// for its latency breakdown.
using RowHandedToSink = std::function<void(const std::vector<sink::Row>& rows)>;

class ProcessStage {
 public:
  // Connects, creates keyspace and table if missing (waiting for schema agreement), prepares the
  // INSERT and joins the consumer group. Errors name the component and the fix.
  // Settings errors (kInvalidArgument) come before anything connects.
  // The stage counts into `metrics` (which must outlive it). A non-empty `metrics_address` (where
  // /metrics is served) is announced in the consumer's client.id, for the console to find.
  static Result<std::unique_ptr<ProcessStage>> create(const config::Settings& settings, metrics::Metrics& metrics,
                                                      std::string_view metrics_address,
                                                      RowAcknowledged on_row_acknowledged = {},
                                                      RowHandedToSink on_row_handed = {});
  ~ProcessStage();

  // Runs until stopped (rds::stop_requested(), request_stop()) or stop_after_acknowledged.
  Result<process::ProcessorReport> run() { return processor_->run(); }
  void request_stop() { processor_->request_stop(); }
  // Any thread, while run() runs on another: has the consumer group given this member partitions?
  bool has_been_assigned() const;
  const process::ProcessorProbe& probe() const { return *probe_; }
  const sink::CassandraSink& sink() const { return *sink_; }
  const cassandra::Session& session() const { return *session_; }
  const process::TableConfig& table() const { return validator_->table(); }

 private:
  class ObservingWriter;
  ProcessStage() = default;

  std::unique_ptr<process::ProcessorProbe> probe_;
  std::unique_ptr<cassandra::Session> session_;
  std::unique_ptr<sink::CassandraSink> sink_;
  std::unique_ptr<process::RecordValidator> validator_;
  std::unique_ptr<process::RecordDecoder> decoder_;  // JSON and Confluent-framed Avro
  std::unique_ptr<process::RowWriter> writer_;
  std::unique_ptr<process::Processor> processor_;
};

}  // namespace rds::app
