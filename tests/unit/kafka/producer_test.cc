// kafka::Producer against librdkafka's mock cluster: a producer without a topic of its own sends
// each record to the topic it names, with its headers, key and value as given (absent ones absent),
// and reports every record by its token, topic included; a full local queue fails at once when
// asked not to wait; failures name the client or the topic.
#include "kafka/producer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "kafka/consumer.h"
#include "support/kafka_mock.h"
#include "support/result_matchers.h"

namespace rds::kafka {
namespace {

using namespace std::chrono_literals;

AnyTopicProducerConfig any_topic_config(const std::string& bootstraps) {
  AnyTopicProducerConfig config;
  config.bootstrap_servers = bootstraps;
  config.client_id = "producer-test";
  return config;
}

// Reads `want` records of `topics` through a consumer group (headers in their order).
std::vector<Message> read_back(const std::string& bootstraps, std::vector<std::string> topics, std::size_t want) {
  ConsumerConfig config;
  config.bootstrap_servers = bootstraps;
  config.group_id = "producer-test-reader";
  config.topics = std::move(topics);
  config.session_timeout_ms = 6000;
  config.max_poll_interval_ms = 10000;
  auto consumer = Consumer::create(config, {});
  EXPECT_OK(consumer);
  std::vector<Message> got;
  if (!consumer.ok()) return got;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*consumer)->poll(10, 200ms);
    EXPECT_OK(batch);
    if (!batch.ok()) break;
    for (auto& m : *batch) got.push_back(std::move(m));
  }
  return got;
}

TEST(AnyTopicProducerTest, SendsEachRecordToItsTopicWithHeadersAndReportsItsToken) {
  testing::MockKafka kafka;
  kafka.create_topic("first", 1);
  kafka.create_topic("second", 1);
  std::map<uint64_t, DeliveryReport> reports;
  auto producer = Producer::create(any_topic_config(kafka.bootstraps()),
                                   [&](const DeliveryReport& r) { reports[r.token] = r; });
  ASSERT_OK(producer);

  const std::string value("binary\0value", 12);
  const std::vector<Header> headers = {{"h", "1"}, {"h", "2"}, {"empty", ""}};
  Record with_all;
  with_all.topic = "first";
  with_all.key = "k";
  with_all.value = value;
  with_all.headers = headers;
  ASSERT_OK((*producer)->produce(with_all, 7));
  Record bare;  // no key, no value (a tombstone), no headers
  bare.topic = "second";
  ASSERT_OK((*producer)->produce(bare, 8));
  ASSERT_OK((*producer)->flush(10s));

  ASSERT_EQ(reports.size(), 2u);
  EXPECT_OK(reports[7].status);
  EXPECT_EQ(reports[7].topic, "first");
  EXPECT_EQ(reports[7].partition, 0);
  EXPECT_EQ(reports[7].offset, 0);
  EXPECT_OK(reports[8].status);
  EXPECT_EQ(reports[8].topic, "second");
  EXPECT_EQ((*producer)->counters().produced.load(), 2u);
  EXPECT_EQ((*producer)->counters().delivered.load(), 2u);
  EXPECT_EQ((*producer)->in_flight(), 0u);

  const auto got = read_back(kafka.bootstraps(), {"first", "second"}, 2);
  ASSERT_EQ(got.size(), 2u);
  std::map<std::string, Message> by_topic;
  for (const auto& m : got) by_topic[m.topic] = m;
  const Message& first = by_topic["first"];
  EXPECT_EQ(first.key, "k");
  EXPECT_EQ(first.value, value);  // untouched, embedded NUL included
  const std::vector<std::pair<std::string, std::optional<std::string>>> want_headers = {
      {"h", "1"}, {"h", "2"}, {"empty", ""}};
  EXPECT_EQ(first.headers, want_headers);
  const Message& second = by_topic["second"];
  EXPECT_EQ(second.key, std::nullopt);
  EXPECT_EQ(second.value, std::nullopt);
  EXPECT_TRUE(second.headers.empty());
}

TEST(AnyTopicProducerTest, AFullQueueFailsAtOnceWhenAskedNotToWaitAndWaitsOtherwise) {
  testing::MockKafka kafka;
  kafka.create_topic("t", 1);
  AnyTopicProducerConfig config = any_topic_config(kafka.bootstraps());
  // One record fills the queue until its delivery report is served (by poll, flush or a wait).
  config.extra["queue.buffering.max.messages"] = "1";
  int delivered = 0;
  auto producer = Producer::create(config, [&](const DeliveryReport& r) { delivered += r.status.ok() ? 1 : 0; });
  ASSERT_OK(producer);
  Record record;
  record.topic = "t";
  record.value = "v";
  ASSERT_OK((*producer)->produce(record, 1, 0ms));

  const auto started = std::chrono::steady_clock::now();
  Status full = (*producer)->produce(record, 2, 0ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  ASSERT_FALSE(full.ok());
  EXPECT_TRUE(full.error().retriable);
  EXPECT_NE(full.error().message.find("producing a record to t"), std::string::npos) << full.error().message;

  // Allowed to wait, it serves the first delivery report and gets the room.
  EXPECT_OK((*producer)->produce(record, 3, 10s));
  ASSERT_OK((*producer)->flush(10s));
  EXPECT_EQ(delivered, 2);
  EXPECT_EQ((*producer)->counters().produced.load(), 2u);
}

TEST(AnyTopicProducerTest, AFailedDeliveryIsReportedWithItsTopic) {
  testing::MockKafka kafka;
  kafka.create_topic("t", 1);
  AnyTopicProducerConfig config = any_topic_config(kafka.bootstraps());
  config.message_timeout_ms = 1000;
  std::vector<DeliveryReport> reports;
  auto producer = Producer::create(config, [&](const DeliveryReport& r) { reports.push_back(r); });
  ASSERT_OK(producer);
  // The broker answers every produce request with a permanent error.
  rd_kafka_mock_push_request_errors(kafka.cluster(), 0 /* Produce */, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  Record record;
  record.topic = "t";
  record.value = "v";
  ASSERT_OK((*producer)->produce(record, 4));
  (void)(*producer)->flush(10s);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].token, 4u);
  EXPECT_EQ(reports[0].topic, "t");
  ASSERT_FALSE(reports[0].status.ok());
  EXPECT_EQ(reports[0].status.error().message.rfind("delivering a record to t: ", 0), 0u)
      << reports[0].status.error().message;
  EXPECT_EQ((*producer)->counters().failed.load(), 1u);
}

TEST(AnyTopicProducerTest, ABadPropertyNamesTheClientAndTheProperty) {
  AnyTopicProducerConfig config;
  config.name = "dead-letter producer";
  config.extra["linger.ms"] = "-5";
  auto producer = Producer::create(config, {});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(producer.error().message.rfind("dead-letter producer property linger.ms: ", 0), 0u)
      << producer.error().message;
}

TEST(AnyTopicProducerTest, ProducingWithoutATopicIsRefused) {
  testing::MockKafka kafka;
  auto producer = Producer::create(any_topic_config(kafka.bootstraps()), {});
  ASSERT_OK(producer);
  Status status = (*producer)->produce("key", "value", 1);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal);
  EXPECT_EQ((*producer)->counters().produced.load(), 0u);
}

// The ingest producer (one topic) reports its topic too, and takes records for other topics.
TEST(TopicProducerTest, ReportsItsTopicAndTakesRecordsForOthers) {
  testing::MockKafka kafka;
  kafka.create_topic("main", 1);
  kafka.create_topic("side", 1);
  ProducerConfig config;
  config.bootstrap_servers = kafka.bootstraps();
  config.topic = "main";
  std::map<uint64_t, DeliveryReport> reports;
  auto producer = Producer::create(config, [&](const DeliveryReport& r) { reports[r.token] = r; });
  ASSERT_OK(producer);
  ASSERT_OK((*producer)->produce("k", "v", 1));
  Record side;
  side.topic = "side";
  side.value = "v";
  ASSERT_OK((*producer)->produce(side, 2));
  ASSERT_OK((*producer)->flush(10s));
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_OK(reports[1].status);
  EXPECT_EQ(reports[1].topic, "main");
  EXPECT_OK(reports[2].status);
  EXPECT_EQ(reports[2].topic, "side");
}

}  // namespace
}  // namespace rds::kafka
