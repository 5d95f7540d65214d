// Reading an instance's /metrics: the exposition format as prometheus-cpp writes it (the test
// renders a real registry), and quantiles from histogram buckets as PromQL computes them.
#include "console/prom_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics/metrics.h"
#include "support/result_matchers.h"

namespace rds::console {
namespace {

TEST(PromTextTest, ReadsWhatPrometheusCppWrites) {
  metrics::Metrics m;
  m.received_records(metrics::kProcess).Increment(42);
  m.sent_records(metrics::kProcess).Increment(40);
  m.dead_letters("bad_uuid").Increment(1);
  m.dead_letters("not_json").Increment(2);
  m.end_to_end_latency().Observe(0.004);
  auto samples = parse_prometheus_text(m.render());
  ASSERT_OK(samples);
  EXPECT_EQ(sum_of(*samples, "rdstream_received_records_total", {{"stage", "process"}}), 42);
  EXPECT_EQ(sum_of(*samples, "rdstream_sent_records_total"), 40);
  EXPECT_EQ(sum_of(*samples, "rdstream_dead_letters_total"), 3);
  EXPECT_EQ(sum_of(*samples, "rdstream_dead_letters_total", {{"reason", "not_json"}}), 2);
  // Unknown is not zero.
  EXPECT_EQ(sum_of(*samples, "rdstream_received_records_total", {{"stage", "ingest"}}), std::nullopt);
  const Buckets b = buckets_of(*samples, "rdstream_end_to_end_latency_seconds");
  ASSERT_FALSE(b.empty());
  EXPECT_TRUE(std::isinf(b.back().first));
  EXPECT_EQ(b.back().second, 1);
}

TEST(PromTextTest, LabelsWithEscapesAndTimestamps) {
  auto samples = parse_prometheus_text(
      "# HELP x a help line\n"
      "# TYPE x counter\n"
      "x{a=\"q\\\"uote\",b=\"new\\nline\"} 3 1712345678000\n"
      "y 1.5e3\n"
      "z{} +Inf\n");
  ASSERT_OK(samples);
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ(*(*samples)[0].label("a"), "q\"uote");
  EXPECT_EQ(*(*samples)[0].label("b"), "new\nline");
  EXPECT_EQ((*samples)[0].value, 3);
  EXPECT_EQ((*samples)[1].value, 1500);
  EXPECT_TRUE(std::isinf((*samples)[2].value));
}

TEST(PromTextTest, BadLinesAreErrorsNamingTheLine) {
  for (const char* text : {"x{a=\"1\" 2\n", "x{a=1} 2\n", "x abc\n", "{a=\"1\"} 2\n", "ok 1\nx{a=\"unterminated} 1\n"}) {
    auto samples = parse_prometheus_text(text);
    ASSERT_FALSE(samples.ok()) << text;
    EXPECT_EQ(samples.error().code, ErrorCode::kProtocol);
    EXPECT_NE(samples.error().message.find("line "), std::string::npos) << samples.error().message;
  }
}

TEST(PromTextTest, QuantilesInterpolateInsideTheBucket) {
  // 100 observations: 50 up to 0.1, 40 in (0.1, 0.5], 10 in (0.5, 1].
  const Buckets b = {{0.1, 50}, {0.5, 90}, {1.0, 100}, {std::numeric_limits<double>::infinity(), 100}};
  EXPECT_DOUBLE_EQ(*quantile(b, 0.5), 0.1);
  EXPECT_DOUBLE_EQ(*quantile(b, 0.25), 0.05);
  EXPECT_DOUBLE_EQ(*quantile(b, 0.7), 0.1 + 0.4 * 20 / 40);
  EXPECT_DOUBLE_EQ(*quantile(b, 0.99), 0.5 + 0.5 * 9 / 10);
  // Beyond the last finite bound: that bound.
  const Buckets slow = {{0.1, 0}, {std::numeric_limits<double>::infinity(), 5}};
  EXPECT_DOUBLE_EQ(*quantile(slow, 0.5), 0.1);
  // No observations: unknown.
  EXPECT_EQ(quantile({{0.1, 0}, {std::numeric_limits<double>::infinity(), 0}}, 0.5), std::nullopt);
  EXPECT_EQ(quantile({}, 0.5), std::nullopt);
}

TEST(PromTextTest, BucketDeltaIsWhatWasObservedInBetween) {
  const Buckets before = {{0.1, 10}, {1.0, 10}};
  const Buckets after = {{0.1, 10}, {1.0, 20}};
  const Buckets delta = bucket_delta(after, before);
  EXPECT_EQ(delta, (Buckets{{0.1, 0}, {1.0, 10}}));
  EXPECT_DOUBLE_EQ(*quantile(delta, 0.5), 0.1 + 0.9 * 5 / 10);
  // A restarted instance (counters went down) never gives negative counts.
  EXPECT_EQ(bucket_delta(before, after), (Buckets{{0.1, 0}, {1.0, 0}}));
}

}  // namespace
}  // namespace rds::console
