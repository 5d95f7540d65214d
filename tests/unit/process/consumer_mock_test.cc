// The consumer's offset semantics against librdkafka's mock cluster: what is committed is exactly
// the contiguous acknowledged prefix, and a restarted member of the same group resumes there.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "kafka/consumer.h"
#include "pipeline/offset_tracker.h"
#include "support/consumer_checks.h"
#include "support/kafka_mock.h"
#include "support/result_matchers.h"

namespace rds::kafka {
namespace {

using namespace std::chrono_literals;
using rds::pipeline::OffsetTracker;
using rds::pipeline::Ticket;

constexpr const char* kTopic = "users_created";

ConsumerConfig config_for(const std::string& bootstraps, const std::string& group) {
  return testing::consumer_config(bootstraps, group, kTopic);
}

std::optional<int64_t> committed_offset(const std::string& bootstraps, const std::string& group, int32_t partition) {
  return testing::committed_offset(bootstraps, group, kTopic, partition);
}

using testing::make_consumer;
using testing::poll_for;
using testing::poll_records;
using testing::store_advanced;

class ConsumerMockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kafka_.create_topic(kTopic, 1);
    for (int n = 0; n < 10; ++n) ASSERT_TRUE(kafka_.produce(kTopic, 0, "record-" + std::to_string(n)));
  }
  testing::MockKafka kafka_;
};

TEST(ConsumerConfigTest, ValidatesAndNamesFields) {
  ConsumerConfig config;
  EXPECT_FALSE(config.validate().ok());  // a group and topics are the caller's to give
  config.group_id = "g";
  config.topics = {"t"};
  EXPECT_OK(config.validate());
  config.group_id = "";
  config.topics = {};
  config.extra["enable.auto.commit"] = "true";
  config.group_instance_id = "worker 1";
  auto status = config.validate();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("kafka.consumer.group_id"), std::string::npos);
  EXPECT_NE(status.error().message.find("kafka.consumer.topics"), std::string::npos);
  EXPECT_NE(status.error().message.find("enable.auto.commit"), std::string::npos);
  EXPECT_NE(status.error().message.find("kafka.consumer.group_instance_id"), std::string::npos);
}

TEST(ConsumerConfigTest, PrefetchBoundsAreValidated) {
  ConsumerConfig config;
  config.group_id = "g";
  config.topics = {"t"};
  config.prefetch_kbytes = 100;
  config.prefetch_refill_interval = std::chrono::milliseconds(5000);
  auto status = config.validate();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("kafka.consumer.prefetch_kbytes: must be between 256"), std::string::npos);
  EXPECT_NE(status.error().message.find("kafka.consumer.prefetch_refill_interval_ms"), std::string::npos);
  config.prefetch_kbytes = 256;
  config.prefetch_refill_interval = std::chrono::milliseconds(10);
  EXPECT_OK(config.validate());
}

TEST(ConsumerConfigTest, BadRawPropertyIsReported) {
  ConsumerConfig config;
  config.group_id = "g";
  config.topics = {"t"};
  config.extra["no.such.property"] = "1";
  auto consumer = Consumer::create(config, {});
  ASSERT_FALSE(consumer.ok());
  EXPECT_NE(consumer.error().message.find("no.such.property"), std::string::npos);
}

TEST_F(ConsumerMockTest, RestartResumesAtTheContiguousAcknowledgedPrefix) {
  const std::string group = "g-prefix";
  {
    auto consumer = make_consumer(config_for(kafka_.bootstraps(), group));
    auto records = poll_records(*consumer, 10);
    ASSERT_EQ(records.size(), 10u);
    OffsetTracker tracker;
    std::map<int64_t, Ticket> tickets;
    for (const auto& m : records) {
      EXPECT_EQ(m.value, "record-" + std::to_string(m.offset));
      tickets[m.offset] = *tracker.track({m.topic, m.partition}, m.offset);
    }
    // The sink confirmed 0, 1, 2, 4, 5 and 7; 3 is still outstanding.
    for (int64_t o : {0, 1, 2, 4, 5, 7}) ASSERT_OK(tracker.ack(tickets[o]));
    store_advanced(tracker, *consumer);
    ASSERT_OK(consumer->commit_sync());
    ASSERT_OK(consumer->close());
  }
  EXPECT_EQ(committed_offset(kafka_.bootstraps(), group, 0), 3);
  // A new member resumes at 3: nothing after the unacknowledged record was committed, and the
  // acknowledged-but-uncommitted 4, 5, 7 come again (at least once) rather than being skipped.
  auto restarted = make_consumer(config_for(kafka_.bootstraps(), group));
  auto again = poll_records(*restarted, 7);
  ASSERT_EQ(again.size(), 7u);
  for (std::size_t n = 0; n < again.size(); ++n) EXPECT_EQ(again[n].offset, static_cast<int64_t>(3 + n));
  EXPECT_OK(restarted->close());
}

TEST_F(ConsumerMockTest, NothingIsCommittedWhileTheFirstRecordIsUnacknowledged) {
  const std::string group = "g-none";
  {
    auto consumer = make_consumer(config_for(kafka_.bootstraps(), group));
    auto records = poll_records(*consumer, 10);
    ASSERT_EQ(records.size(), 10u);
    OffsetTracker tracker;
    std::vector<Ticket> tickets;
    for (const auto& m : records) tickets.push_back(*tracker.track({m.topic, m.partition}, m.offset));
    for (std::size_t n = 1; n < tickets.size(); ++n) ASSERT_OK(tracker.ack(tickets[n]));
    store_advanced(tracker, *consumer);
    ASSERT_OK(consumer->commit_sync());
    ASSERT_OK(consumer->close());
  }
  EXPECT_EQ(committed_offset(kafka_.bootstraps(), group, 0), std::nullopt);
  auto restarted = make_consumer(config_for(kafka_.bootstraps(), group));
  auto again = poll_records(*restarted, 10);
  ASSERT_EQ(again.size(), 10u);
  EXPECT_EQ(again.front().offset, 0);
}

TEST_F(ConsumerMockTest, CloseRunsTheRevokeHandlerAndCommitsWhatItStored) {
  const std::string group = "g-close";
  OffsetTracker tracker;
  Consumer* self = nullptr;
  std::vector<TopicPartition> assigned;
  std::vector<TopicPartition> revoked;
  RebalanceHandlers handlers;
  handlers.on_assigned = [&](const std::vector<TopicPartition>& tps) {
    assigned.insert(assigned.end(), tps.begin(), tps.end());
  };
  handlers.on_revoking = [&](const std::vector<TopicPartition>& tps, bool lost) {
    EXPECT_FALSE(lost);
    revoked.insert(revoked.end(), tps.begin(), tps.end());
    store_advanced(tracker, *self);  // the owner's last word for the leaving partitions
  };
  {
    auto consumer = make_consumer(config_for(kafka_.bootstraps(), group), handlers);
    self = consumer.get();
    auto records = poll_records(*consumer, 10);
    ASSERT_EQ(records.size(), 10u);
    for (const auto& m : records) {
      auto ticket = tracker.track({m.topic, m.partition}, m.offset);
      if (m.offset < 6) {
        ASSERT_OK(tracker.ack(*ticket));
      }
    }
    // No explicit commit: close() revokes, the handler stores 6, the consumer commits.
    ASSERT_OK(consumer->close());
  }
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0], (TopicPartition{kTopic, 0}));
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(committed_offset(kafka_.bootstraps(), group, 0), 6);
}

TEST_F(ConsumerMockTest, AsyncCommitOnIntervalIsCounted) {
  auto config = config_for(kafka_.bootstraps(), "g-async");
  config.commit_interval = 100ms;
  auto consumer = make_consumer(config);
  auto records = poll_records(*consumer, 10);
  ASSERT_EQ(records.size(), 10u);
  ASSERT_OK(consumer->store_offset(kTopic, 0, 10));
  std::this_thread::sleep_for(120ms);
  EXPECT_TRUE(consumer->commit_due());
  ASSERT_OK(consumer->commit_async());
  EXPECT_FALSE(consumer->commit_due());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (consumer->counters().commits.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    (void)consumer->poll(10, 100ms);  // serves the commit result
  }
  EXPECT_EQ(consumer->counters().commits.load(), 1u);
  EXPECT_EQ(consumer->counters().messages.load(), 10u);
  auto committed = consumer->committed(kTopic, 0, 5s);
  ASSERT_OK(committed);
  EXPECT_EQ(*committed, 10);
  EXPECT_EQ(consumer->lag(kTopic, 0), 0);
}

TEST_F(ConsumerMockTest, StoringForAnUnassignedPartitionFails) {
  auto consumer = make_consumer(config_for(kafka_.bootstraps(), "g-unassigned"));
  ASSERT_EQ(poll_records(*consumer, 1).size(), 1u);
  auto stored = consumer->store_offset(kTopic, 7, 1);
  EXPECT_FALSE(stored.ok());
}

TEST_F(ConsumerMockTest, PauseStopsDeliveryAndResumeContinuesWithoutGaps) {
  auto consumer = make_consumer(config_for(kafka_.bootstraps(), "g-pause"));
  auto first = poll_records(*consumer, 10);
  ASSERT_EQ(first.size(), 10u);
  ASSERT_OK(consumer->pause({{kTopic, 0}}));
  for (int n = 10; n < 15; ++n) ASSERT_TRUE(kafka_.produce(kTopic, 0, "record-" + std::to_string(n)));
  EXPECT_TRUE(poll_for(*consumer, 1500ms).empty());
  ASSERT_OK(consumer->resume({{kTopic, 0}}));
  auto rest = poll_records(*consumer, 5);
  ASSERT_EQ(rest.size(), 5u);
  for (std::size_t n = 0; n < rest.size(); ++n) EXPECT_EQ(rest[n].offset, static_cast<int64_t>(10 + n));
}

// The commit on revoke is checked against real Kafka (tests/integration/pipeline): the mock
// cluster sometimes refuses it (see check_cooperative_handover).
TEST(ConsumerRebalanceTest, CooperativeRebalanceRevokesOnlyWhatMoves) {
  testing::MockKafka kafka;
  kafka.create_topic(kTopic, 2);
  for (int n = 0; n < 4; ++n) {
    ASSERT_TRUE(kafka.produce(kTopic, 0, "p0-" + std::to_string(n)));
    ASSERT_TRUE(kafka.produce(kTopic, 1, "p1-" + std::to_string(n)));
  }
  testing::check_cooperative_handover(kafka.bootstraps(), kTopic, "g-coop", /*expect_commit=*/false);
}

}  // namespace
}  // namespace rds::kafka
