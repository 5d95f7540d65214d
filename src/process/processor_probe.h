#pragma once
// The process stage's metrics, in one small class (style.md "metrics live in one small *_probe
// class per component"). One call both counts and, where a human should hear of it, logs (rate
// limited per bounded reason), so the log and the counters cannot drift apart.
//
// What the stage exports lives in the one vocabulary (metrics/metrics.h, stage "process"):
// records and bytes received from Kafka, records acknowledged by Cassandra (sent), dead letters
// and discarded records by code (RejectCode names plus "sink_rejected", a bounded set), errors
// (write_failed, dead_letter_publish, commit), retries and records in flight. The processor's
// own bookkeeping (rejections before the DLQ write, commits, pauses, drops on revoke, the lag
// total) stays in atomics here. snapshot() reads both.
//
// Thread-safe: any thread may count, any thread may read.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/topic_partition.h"
#include "metrics/metrics.h"
#include "process/record_validator.h"

namespace rds::process {

// Codes a dead letter can carry: every RejectCode, plus a row Cassandra refused for good.
inline constexpr std::size_t kDeadLetterCodeCount = kRejectCodeCount + 1;
inline constexpr std::string_view kSinkRejectedCode = "sink_rejected";

struct ProcessorSnapshot {
  uint64_t records_consumed = 0;
  uint64_t bytes_consumed = 0;
  uint64_t records_stored = 0;         // rows Cassandra acknowledged
  uint64_t records_rejected = 0;       // by the validator or the sink, before the DLQ write
  uint64_t records_dead_lettered = 0;  // DLQ writes delivered
  std::array<uint64_t, kDeadLetterCodeCount> dead_lettered_by_code{};  // kAllRejectCodes order, then sink_rejected
  uint64_t dead_letter_failures = 0;   // DLQ writes that failed (retried)
  uint64_t sink_failures = 0;          // failed writes (retriable or not)
  uint64_t retries = 0;                // writes retried after a backoff
  uint64_t offsets_committed = 0;      // offset advances stored for the next commit (per partition)
  uint64_t commit_failures = 0;
  uint64_t partitions_paused_total = 0;
  uint64_t records_dropped_on_revoke = 0;  // in flight when their partition left (re-read by the next owner)
  int64_t in_flight = 0;               // gauge: records polled and not yet acknowledged
  int64_t paused_partitions = 0;       // gauge
  int64_t lag = 0;                     // gauge: sum over assigned partitions of high watermark - position
};

class ProcessorProbe {
 public:
  // Counts into `metrics`, which must outlive the probe.
  explicit ProcessorProbe(metrics::Metrics& metrics);
  // Counts into a registry of its own (tests).
  ProcessorProbe();

  void consumed(uint64_t records, uint64_t bytes);
  void stored(uint64_t rows);
  // A row Cassandra acknowledged, whose record Kafka stamped at `timestamp_ms` (its produce time,
  // which ingest sets right after the fetch): the end-to-end latency. -1: no timestamp, not counted.
  void end_to_end(int64_t timestamp_ms);
  // A record that will be dead-lettered: counted and logged (at most every 10 s per code).
  void rejected(std::string_view code, std::string_view topic, int32_t partition, int64_t offset,
                std::string_view message);
  void dead_lettered(std::string_view code);
  void dead_letter_failed(std::string_view message);
  void sink_failed(bool retriable, std::string_view message);
  void retried();
  void committed();
  void commit_failed(std::string_view message);
  void partition_paused();
  void dropped_on_revoke(uint64_t records);
  void set_in_flight(int64_t records);
  void set_paused_partitions(int64_t partitions);
  void set_lag(int64_t records);
  // One partition's lag: records behind the end, and the Kafka timestamp (ms since the epoch) of
  // its oldest record polled and not yet acknowledged (-1 when none waits here). The lag in
  // seconds is that record's age, now.
  void set_partition_lag(const TopicPartition& tp, int64_t records, int64_t oldest_waiting_ms);
  void forget_partition(const TopicPartition& tp);
  // Any thread: recomputes each partition's lag in seconds from the last timestamps set. The
  // processor's thread can block for as long as Cassandra stalls, so a ticker calls this too:
  // a record waiting through a stall keeps ageing on /metrics.
  void refresh_lag_ages() const;

  ProcessorSnapshot snapshot() const;
  // The registry it counts into (the text format is metrics().render()).
  const metrics::Metrics& metrics() const { return metrics_; }

  // Index of a code in dead_lettered_by_code; kDeadLetterCodeCount for an unknown code.
  static std::size_t code_index(std::string_view code);
  static std::string_view code_name(std::size_t index);

 private:
  std::unique_ptr<metrics::Metrics> own_metrics_;  // when no registry was given; destroyed last
  metrics::Metrics& metrics_;
  prometheus::Counter& records_consumed_;
  prometheus::Counter& bytes_consumed_;
  prometheus::Counter& records_stored_;
  prometheus::Histogram& end_to_end_;
  std::array<prometheus::Counter*, kDeadLetterCodeCount> dead_lettered_{};  // dead_letters{reason}
  std::array<prometheus::Counter*, kDeadLetterCodeCount> discarded_{};      // discarded_records{process, reason}
  prometheus::Counter& dead_letter_failures_;
  prometheus::Counter& sink_failures_;
  prometheus::Counter& retries_;
  prometheus::Counter& commit_failures_;
  prometheus::Gauge& in_flight_;
  mutable std::mutex lag_mutex_;
  std::map<TopicPartition, int64_t> oldest_waiting_ms_;  // -1: nothing waiting
  std::atomic<uint64_t> records_rejected_{0};
  std::atomic<uint64_t> offsets_committed_{0};
  std::atomic<uint64_t> partitions_paused_total_{0};
  std::atomic<uint64_t> records_dropped_on_revoke_{0};
  std::atomic<int64_t> paused_partitions_{0};
  std::atomic<int64_t> lag_{0};
};

}  // namespace rds::process
