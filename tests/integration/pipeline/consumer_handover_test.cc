// The consumer's cooperative hand-over against the test stack's real Kafka: a member asked to
// give up a partition commits what it acknowledged there before it goes, so the new owner starts
// right after (the mock cluster cannot show this reliably; see check_cooperative_handover).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "kafka/producer.h"
#include "harness.h"
#include "support/consumer_checks.h"
#include "support/result_matchers.h"

namespace rds::e2e {
namespace {

TEST(ConsumerHandover, CooperativeRebalanceCommitsTheMovedPartitionFirst) {
  const std::string bootstrap = env("RDSTREAM_TEST_KAFKA");
  ASSERT_FALSE(bootstrap.empty()) << "RDSTREAM_TEST_KAFKA is not set (run through ctest, which starts the stack)";
  const std::string suffix = std::to_string(getpid()) + "_" + std::to_string(Clock::now().time_since_epoch().count());
  const std::string topic = "handover_" + suffix;
  ASSERT_OK(kafka::ensure_topic(bootstrap, topic, 2, 1, seconds(30)));
  std::vector<RawRecord> records;
  for (int32_t partition = 0; partition < 2; ++partition) {
    for (int n = 0; n < 4; ++n) records.push_back({partition, std::nullopt, "p" + std::to_string(partition) + "-" + std::to_string(n)});
  }
  for (const auto& produced : produce_raw(bootstrap, topic, records)) ASSERT_TRUE(produced.ok);
  testing::check_cooperative_handover(bootstrap, topic, "handover-" + suffix, /*expect_commit=*/true);
}

}  // namespace
}  // namespace rds::e2e
