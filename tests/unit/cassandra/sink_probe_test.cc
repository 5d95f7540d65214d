#include "sink/cassandra/cassandra_sink_probe.h"

#include <gtest/gtest.h>

namespace rds::sink {
namespace {

using std::chrono::microseconds;

TEST(LatencyHistogram, QuantilesFromBuckets) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), microseconds(0));
  for (int i = 0; i < 99; ++i) h.record(std::chrono::milliseconds(1));
  h.record(std::chrono::seconds(1));
  EXPECT_EQ(h.count(), 100u);
  // 1 ms falls in the bucket whose bound is the first 50 us * 1.25^k >= 1000 us.
  EXPECT_GE(h.quantile(0.5), microseconds(1000));
  EXPECT_LT(h.quantile(0.5), microseconds(1250));
  EXPECT_EQ(h.quantile(0.99), h.quantile(0.5));
  EXPECT_GE(h.quantile(1.0), microseconds(1000000));
  h.record(std::chrono::hours(1));  // clamps into the last bucket
  EXPECT_EQ(h.count(), 101u);
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
