#pragma once
// `rdstream ingest`: records from a RecordSource into a Kafka topic through the idempotent
// producer, for a duration, a count, or until stopped, then flush and a summary. Every delivery
// report is counted; the run fails if any produced record was not delivered.
//
// Thread: run() on the caller's thread; delivery reports are served on it too (poll/flush).

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "ingest/record_encoder.h"
#include "ingest/record_source.h"
#include "ingest/staging_relay.h"
#include "kafka/producer.h"
#include "metrics/metrics.h"

namespace rds::ingest {

struct IngestOptions {
  Status validate() const;  // kInvalidArgument naming the option

  kafka::ProducerConfig producer;
  int topic_partitions = 3;
  int topic_replication_factor = 1;
  int batch_records = 1000;                       // records asked of the source at a time
  std::optional<std::chrono::milliseconds> duration = std::chrono::seconds(60);
  std::optional<uint64_t> count;                  // stop after this many records produced
  std::chrono::milliseconds flush_timeout{120'000};
  bool progress_line = false;                     // a live \r line (on a terminal)
  // Records per second at most (--rate; 0 = unlimited), paced in small steps by a RatePacer: the
  // generator is asked for just the records of a step, an API page is produced in slices.
  double rate = 0;
  // Called for each record just before it is produced, on the job's thread, with the time its
  // batch was fetched or, when --rate held it back after the fetch (an API page produced in
  // slices), the time the rate limit released it: a deliberate wait is not pipeline latency.
  // `rdstream run` uses it to measure end-to-end latency.
  std::function<void(const mapping::Record&, std::chrono::steady_clock::time_point fetched_at)> on_fetched;
  // What a record becomes on the topic; null: JSON (JsonRecordEncoder). Not owned.
  RecordEncoder* encoder = nullptr;
  // The staging outbox (--staging postgres; ingest/staging_relay.h): every fetched page is staged
  // before it is produced, and rows earlier runs left pending are produced first. Null: off. Not
  // owned. `run_id` names this run's rows (for replay).
  staging::Store* staging = nullptr;
  staging::Store* staging_writer = nullptr;  // a second connection, for writing pages
  staging::Store* staging_marker = nullptr;  // a third, for marking rows delivered
  std::string run_id;
  // Where the job counts (stage "ingest"; metrics/metrics.h); null: a private registry.
  metrics::Metrics* metrics = nullptr;
};

struct IngestSummary {
  uint64_t fetched = 0;
  uint64_t produced = 0;
  uint64_t delivered = 0;
  uint64_t failed = 0;      // delivery reports with an error
  uint64_t undelivered = 0; // produced but no report before the flush timeout
  uint64_t skipped = 0;
  uint64_t requests = 0;
  uint64_t retries = 0;
  std::map<std::string, uint64_t> retries_by_reason;
  std::chrono::milliseconds elapsed{0};
  std::optional<StagingCounters> staging;  // with staging on
  std::string source_error;  // why the source stopped early, if it did
  ErrorCode source_error_code = ErrorCode::kInternal;  // its kind (kInvalidArgument: a config problem)

  bool complete() const {
    if (!source_error.empty()) return false;
    // With staging, a failed delivery is produced again: what counts is every staged row marked.
    if (staging) return staging_drained;
    return failed == 0 && undelivered == 0;
  }
  bool staging_drained = false;  // every staged (or recovered) row produced and marked delivered
  std::string to_text() const;
};

// Called for each delivery report the brokers sent (token = the record's sequence number in this
// run), on the thread that runs the job.
using DeliveredHook = std::function<void(const kafka::DeliveryReport&)>;

Result<IngestSummary> run_ingest(RecordSource& source, const IngestOptions& options, const std::atomic<bool>& stop,
                                 DeliveredHook on_delivered = {});

}  // namespace rds::ingest
