// An instance's readings from two scrapes of its real metrics registry: rates between scrapes and
// latency percentiles over the window.
#include "console/instances.h"

#include <gtest/gtest.h>

#include "metrics/metrics.h"
#include "support/result_matchers.h"

namespace rds::console {
namespace {

std::vector<Sample> scrape(const metrics::Metrics& m) {
  auto samples = parse_prometheus_text(m.render());
  EXPECT_OK(samples);
  return samples.ok() ? *samples : std::vector<Sample>{};
}

TEST(InstancesTest, RatesBetweenScrapesAndPercentilesOverTheWindow) {
  metrics::Metrics m;
  m.received_records(metrics::kIngest).Increment(100);
  m.received_records(metrics::kProcess).Increment(100);
  m.sent_records(metrics::kProcess).Increment(90);
  for (int i = 0; i < 100; ++i) m.end_to_end_latency().Observe(0.5);  // old, slow
  Instances::Previous previous;
  const auto window = std::chrono::milliseconds(10'000);
  InstanceReading first = Instances::read(scrape(m), 1'000, previous, window);
  EXPECT_TRUE(first.up);
  EXPECT_EQ(first.stages, (std::vector<std::string>{"ingest", "process"}));
  EXPECT_EQ(first.written_per_s, std::nullopt);  // one scrape: no rate yet
  ASSERT_TRUE(first.latency_p50_ms);

  m.received_records(metrics::kIngest).Increment(400);
  m.received_records(metrics::kProcess).Increment(200);
  m.sent_records(metrics::kProcess).Increment(200);
  m.dead_letters("bad_uuid").Increment(2);
  for (int i = 0; i < 100; ++i) m.end_to_end_latency().Observe(0.003);  // new, fast
  InstanceReading second = Instances::read(scrape(m), 3'000, previous, window);
  EXPECT_DOUBLE_EQ(*second.fetched_per_s, 200.0);
  EXPECT_DOUBLE_EQ(*second.received_per_s, 100.0);
  EXPECT_DOUBLE_EQ(*second.written_per_s, 100.0);
  // The dead-letter counter appeared between the scrapes: no rate until it has two readings.
  EXPECT_EQ(second.dead_letters_per_s, std::nullopt);
  // Only the fast observations are in the window's delta.
  ASSERT_TRUE(second.latency_p50_ms);
  EXPECT_LT(*second.latency_p50_ms, 10.0);
  EXPECT_LT(*second.latency_p99_ms, 10.0);
}

TEST(InstancesTest, AnInstanceThatCannotBeReachedIsDownWithWhy) {
  Instances instances;
  auto readings = instances.scrape({{"127.0.0.1:1", "config"}}, 1'000);
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_FALSE(readings[0].up);
  EXPECT_EQ(readings[0].source, "config");
  EXPECT_FALSE(readings[0].error.empty());
}

}  // namespace
}  // namespace rds::console
