#include "sink/cassandra/cassandra_sink_probe.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace rds::sink {
namespace {

using std::chrono::microseconds;

TEST(LatencyHistogram, QuantilesFromBuckets) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), microseconds(0));
  for (int i = 0; i < 99; ++i) h.record(std::chrono::milliseconds(1));
  h.record(std::chrono::seconds(1));
  EXPECT_EQ(h.count(), 100u);
  // 1000 us lies in the bucket [992, 1008) (512..1023 split in 32): the bound overstates by < 1/32.
  EXPECT_EQ(h.quantile(0.5), microseconds(1008));
  EXPECT_EQ(h.quantile(0.99), h.quantile(0.5));
  EXPECT_GT(h.quantile(1.0), microseconds(1000000));
  EXPECT_LE(h.quantile(1.0), microseconds(1000000 + 1000000 / 32));
  h.record(std::chrono::hours(24));  // beyond 2^36 us: clamps into the last bucket
  EXPECT_EQ(h.count(), 101u);
  EXPECT_EQ(h.quantile(1.0), microseconds(uint64_t{1} << LatencyHistogram::kMaxBits));
  h.record(std::chrono::nanoseconds(-5));  // a clock step backwards counts as 0, not as huge
  EXPECT_EQ(h.quantile(0.0), microseconds(1));
}

TEST(LatencyHistogram, QuantileOfAFiftyMillisecondTailIsPrecise) {
  // The benchmark's p99 target is 50 ms: the histogram must tell 49 ms from 51 ms.
  LatencyHistogram below;
  LatencyHistogram above;
  for (int i = 0; i < 1000; ++i) {
    below.record(std::chrono::microseconds(49'000));
    above.record(std::chrono::microseconds(51'000));
  }
  EXPECT_LE(below.quantile(0.99), microseconds(50'000));
  EXPECT_GT(above.quantile(0.99), microseconds(50'000));
}

TEST(LatencyHistogram, BucketsTileTheRangeWithBoundedError) {
  // Every bucket starts where the one before it ends, and a value's bucket bound is above it by at
  // most 1/32 of it (1 us in the linear range).
  uint64_t lower = 0;
  for (size_t k = 0; k < LatencyHistogram::kBuckets; ++k) {
    const uint64_t upper = LatencyHistogram::bucket_upper_us(k);
    ASSERT_GT(upper, lower) << "bucket " << k;
    EXPECT_EQ(LatencyHistogram::bucket_of(lower), k) << "lowest value of bucket " << k;
    EXPECT_EQ(LatencyHistogram::bucket_of(upper - 1), k) << "highest value of bucket " << k;
    EXPECT_LE(upper - lower, std::max<uint64_t>(1, lower / 32)) << "bucket " << k;
    lower = upper;
  }
  EXPECT_EQ(lower, uint64_t{1} << LatencyHistogram::kMaxBits);
}

TEST(CassandraSinkProbe, CountsByBoundedLabel) {
  CassandraSinkProbe probe;
  probe.row_written(10, std::chrono::milliseconds(2));
  probe.attempt_failed(Error(ErrorCode::kTimeout, "x", true), cql::CqlErrorCode::kWriteTimeout);
  probe.attempt_failed(Error(ErrorCode::kUnavailable, "no host", true), std::nullopt);
  probe.attempt_failed(Error(ErrorCode::kUnavailable, "another message", true), std::nullopt);
  probe.row_failed();
  probe.in_flight_add(3);
  auto s = probe.snapshot();
  EXPECT_EQ(s.rows_written, 1u);
  EXPECT_EQ(s.bytes_written, 10u);
  EXPECT_EQ(s.rows_failed, 1u);
  EXPECT_EQ(s.in_flight, 3);
  EXPECT_EQ(s.errors_by_code.at("write_timeout"), 1u);
  EXPECT_EQ(s.errors_by_code.at("unavailable"), 2u);
  EXPECT_EQ(s.errors_by_code.size(), 2u);
}

}  // namespace
}  // namespace rds::sink
