#include "sink/cassandra/cassandra_sink_probe.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace rds::sink {

size_t LatencyHistogram::bucket_of(uint64_t us) {
  if (us < kLinearLimitUs) return static_cast<size_t>(us);
  const unsigned msb = static_cast<unsigned>(std::bit_width(us)) - 1;  // >= kSubBucketBits + 1
  if (msb >= kMaxBits) return kBuckets - 1;
  const unsigned shift = msb - kSubBucketBits;
  const uint64_t sub = (us >> shift) - (uint64_t{1} << kSubBucketBits);  // 0 .. 31 within this power of two
  return static_cast<size_t>(kLinearLimitUs + (msb - kSubBucketBits - 1) * (uint64_t{1} << kSubBucketBits) + sub);
}

uint64_t LatencyHistogram::bucket_upper_us(size_t k) {
  if (k < kLinearLimitUs) return k + 1;
  const size_t above = k - kLinearLimitUs;
  const unsigned shift = static_cast<unsigned>(above >> kSubBucketBits) + 1;
  const uint64_t sub = (uint64_t{1} << kSubBucketBits) + (above & ((size_t{1} << kSubBucketBits) - 1));
  return (sub + 1) << shift;
}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
  const uint64_t us = latency.count() <= 0 ? 0 : static_cast<uint64_t>(latency.count()) / 1000;
  counts_[bucket_of(us)].fetch_add(1, std::memory_order_relaxed);
}

uint64_t LatencyHistogram::count() const {
  uint64_t total = 0;
  for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);
  return total;
}

std::chrono::microseconds LatencyHistogram::quantile(double q) const {
  std::array<uint64_t, kBuckets> snapshot{};
  uint64_t total = 0;
  for (size_t k = 0; k < kBuckets; ++k) {
    snapshot[k] = counts_[k].load(std::memory_order_relaxed);
    total += snapshot[k];
  }
  if (total == 0) return std::chrono::microseconds(0);
  const auto rank = static_cast<uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total)));
  uint64_t seen = 0;
  size_t k = 0;
  for (; k + 1 < kBuckets; ++k) {
    seen += snapshot[k];
    if (seen >= std::max<uint64_t>(rank, 1)) break;
  }
  return std::chrono::microseconds(static_cast<int64_t>(bucket_upper_us(k)));
}

CassandraSinkProbe::CassandraSinkProbe(metrics::Metrics& metrics)
    : metrics_(metrics),
      bytes_written_(metrics.sent_bytes(metrics::kProcess)),
      retries_(metrics.retries(metrics::kProcess, metrics::kCassandra)),
      in_flight_(metrics.in_flight_writes(metrics::kProcess)),
      write_latency_(metrics.cassandra_write_latency()) {}

// A registry of its own, owned through own_metrics_ (declared first, so destroyed last).
CassandraSinkProbe::CassandraSinkProbe() : CassandraSinkProbe(*new metrics::Metrics()) { own_metrics_.reset(&metrics_); }

void CassandraSinkProbe::row_written(uint64_t bytes, std::chrono::nanoseconds latency) {
  rows_written_.fetch_add(1, std::memory_order_relaxed);
  bytes_written_.Increment(static_cast<double>(bytes));
  latency_.record(latency);
  write_latency_.Observe(std::chrono::duration<double>(latency).count());
}

void CassandraSinkProbe::row_failed() { rows_failed_.fetch_add(1, std::memory_order_relaxed); }

std::string CassandraSinkProbe::error_label(const Error& error, std::optional<cql::CqlErrorCode> cql_code) {
  if (cql_code) return cql::to_string(*cql_code);
  return std::string(to_string(error.code));
}

void CassandraSinkProbe::attempt_failed(const Error& error, std::optional<cql::CqlErrorCode> cql_code) {
  const std::string label = error_label(error, cql_code);
  std::lock_guard lock(errors_mutex_);
  prometheus::Counter*& counter = errors_by_code_[label];
  if (counter == nullptr) counter = &metrics_.errors(metrics::kProcess, label);
  counter->Increment();
}

CassandraSinkProbe::Snapshot CassandraSinkProbe::snapshot() const {
  Snapshot s;
  s.rows_written = rows_written_.load(std::memory_order_relaxed);
  s.bytes_written = static_cast<uint64_t>(bytes_written_.Value());
  s.rows_failed = rows_failed_.load(std::memory_order_relaxed);
  s.retries = static_cast<uint64_t>(retries_.Value());
  s.requests = requests_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  s.batch_splits = batch_splits_.load(std::memory_order_relaxed);
  s.callback_errors = callback_errors_.load(std::memory_order_relaxed);
  s.in_flight = static_cast<int64_t>(in_flight_.Value());
  {
    std::lock_guard lock(errors_mutex_);
    for (const auto& [code, counter] : errors_by_code_) s.errors_by_code[code] = static_cast<uint64_t>(counter->Value());
  }
  s.latency_count = latency_.count();
  s.latency_p50 = latency_.quantile(0.50);
  s.latency_p99 = latency_.quantile(0.99);
  return s;
}

}  // namespace rds::sink
