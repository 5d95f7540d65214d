#pragma once
// Metrics of the Cassandra sink (style.md: component specifics in one *Probe class). What the
// process stage exports goes into the one vocabulary (metrics/metrics.h): bytes acknowledged
// (sent_bytes), rows in flight (in_flight_writes), failed attempts by code (errors), re-sends
// (retries) and the write latency (a Prometheus histogram, and the fine one below for the
// summaries' quantiles). The sink's own diagnostics (requests, batches, splits) stay atomics here.
// Labels are bounded: CQL error code names ("write_timeout") or rds::ErrorCode names
// ("unavailable"), never messages.
//
// Thread: every method may be called from any thread (the sink calls them from the caller's thread
// and from the session's loop thread).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/error.h"
#include "cql/errors.h"
#include "metrics/metrics.h"

namespace rds::sink {

// A log-linear latency histogram in microseconds, laid out as HdrHistogram does it: latencies
// under 64 us have a bucket per microsecond; above that, each power of two is split into 32 equal
// buckets. A quantile is the upper bound of the bucket that reaches it, so it overstates by at most
// 1/32 (3.1 %): a p99 of 50 ms is known to within ~1.5 ms, where a plain log scale of 1.25 (what
// this was) could only say "between 40.4 and 50.5 ms". Latencies of 2^36 us (~19 h) or more count
// in the last bucket. Recording is a bit scan and one relaxed atomic add: it is on every row's path.
class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 5;                           // 32 buckets per power of two
  static constexpr uint64_t kLinearLimitUs = uint64_t{2} << kSubBucketBits;  // 64: one bucket per us below
  static constexpr unsigned kMaxBits = 36;                                // latencies up to 2^36 us
  static constexpr size_t kBuckets =
      kLinearLimitUs + (kMaxBits - kSubBucketBits - 1) * (size_t{1} << kSubBucketBits);

  void record(std::chrono::nanoseconds latency);
  uint64_t count() const;
  // q in [0, 1]; 0 when empty.
  std::chrono::microseconds quantile(double q) const;
  // The bucket a latency of `us` microseconds counts in, and the (exclusive) upper bound of bucket k.
  static size_t bucket_of(uint64_t us);
  static uint64_t bucket_upper_us(size_t k);

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

class CassandraSinkProbe {
 public:
  struct Snapshot {
    uint64_t rows_written = 0;
    uint64_t bytes_written = 0;  // bound value bytes of written rows
    uint64_t rows_failed = 0;
    uint64_t retries = 0;        // sink-level re-sends after retriable failures
    uint64_t requests = 0;       // EXECUTEs and BATCHes sent, re-sends included
    uint64_t batches = 0;        // of which BATCHes
    uint64_t batch_splits = 0;   // batches rejected as invalid and re-sent row by row
    uint64_t callback_errors = 0;  // row callbacks that threw (logged; the row's slot is freed anyway)
    int64_t in_flight = 0;
    std::map<std::string, uint64_t> errors_by_code;  // failed attempts, by CQL or rds error code
    uint64_t latency_count = 0;
    std::chrono::microseconds latency_p50{0};
    std::chrono::microseconds latency_p99{0};

    // Rows written per request sent: how well rows were grouped into batches.
    double rows_per_request() const {
      return requests == 0 ? 0.0 : static_cast<double>(rows_written) / static_cast<double>(requests);
    }
  };

  // Counts into `metrics` (stage "process"), which must outlive the probe.
  explicit CassandraSinkProbe(metrics::Metrics& metrics);
  // Counts into a registry of its own (tests, benchmarks).
  CassandraSinkProbe();

  void row_written(uint64_t bytes, std::chrono::nanoseconds latency);
  void row_failed();
  // One failed attempt (retried or not): counted by code.
  void attempt_failed(const Error& error, std::optional<cql::CqlErrorCode> cql_code);
  void row_retried() { retries_.Increment(); }
  void request_sent(bool batch) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    if (batch) batches_.fetch_add(1, std::memory_order_relaxed);
  }
  void batch_split() { batch_splits_.fetch_add(1, std::memory_order_relaxed); }
  void callback_threw() { callback_errors_.fetch_add(1, std::memory_order_relaxed); }
  void in_flight_add(int64_t delta) { in_flight_.Increment(static_cast<double>(delta)); }

  Snapshot snapshot() const;
  const LatencyHistogram& latency() const { return latency_; }

  // The label for an error: the CQL code name when the server sent one, else the rds code name.
  static std::string error_label(const Error& error, std::optional<cql::CqlErrorCode> cql_code);

 private:
  std::unique_ptr<metrics::Metrics> own_metrics_;  // when no registry was given
  metrics::Metrics& metrics_;
  prometheus::Counter& bytes_written_;
  prometheus::Counter& retries_;
  prometheus::Gauge& in_flight_;
  prometheus::Histogram& write_latency_;
  std::atomic<uint64_t> rows_written_{0};
  std::atomic<uint64_t> rows_failed_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> batch_splits_{0};
  std::atomic<uint64_t> callback_errors_{0};
  LatencyHistogram latency_;
  mutable std::mutex errors_mutex_;
  std::map<std::string, prometheus::Counter*> errors_by_code_;  // into metrics_.errors(process, code)
};

}  // namespace rds::sink
