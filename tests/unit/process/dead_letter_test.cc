// The dead-letter publisher against librdkafka's mock cluster: what arrives on <topic>.dlq, and
// that a failed DLQ write is reported as failed (so its source offset is not acknowledged).
#include "process/dead_letter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "kafka/consumer.h"
#include "support/kafka_mock.h"
#include "support/result_matchers.h"

namespace rds::process {
namespace {

using namespace std::chrono_literals;

DeadLetter letter(int64_t offset) {
  DeadLetter l;
  l.source_topic = "users_created";
  l.source_partition = 2;
  l.source_offset = offset;
  l.key = "key-" + std::to_string(offset);
  l.value = std::string("{\"id\":\"nope\"}\0binary", 20);
  l.code = "bad_uuid";
  l.message = "'id' is 'nope', not a UUID";
  return l;
}

TEST(DeadLetterTest, HeadersArePureAndOrdered) {
  auto headers = dead_letter_headers(letter(17));
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"rdstream.error.code", "bad_uuid"}));
  EXPECT_EQ(headers[1].first, "rdstream.error.message");
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{"rdstream.source.topic", "users_created"}));
  EXPECT_EQ(headers[3], (std::pair<std::string, std::string>{"rdstream.source.partition", "2"}));
  EXPECT_EQ(headers[4], (std::pair<std::string, std::string>{"rdstream.source.offset", "17"}));
  DeadLetter long_message = letter(1);
  long_message.message = std::string(30, 'a') + "\xc3\xa9" + std::string(100, 'b');  // é straddles the cut
  const std::string cut = dead_letter_headers(long_message, 31)[1].second;
  EXPECT_EQ(cut, std::string(30, 'a') + "...");
}

TEST(DeadLetterTest, ConfigValidationAndTopicNames) {
  DeadLetterConfig config;
  EXPECT_OK(config.validate());
  EXPECT_EQ(config.topic_for("users_created"), "users_created.dlq");
  config.topic = "all-dead";
  EXPECT_EQ(config.topic_for("users_created"), "all-dead");
  config.topic.clear();
  config.topic_suffix.clear();
  auto status = config.validate();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("process.dead_letter.topic_suffix"), std::string::npos);
}

TEST(DeadLetterTest, DeliversKeyValueAndHeadersThenReportsEachToken) {
  testing::MockKafka kafka;
  kafka.create_topic("users_created.dlq", 1);
  DeadLetterConfig config;
  config.bootstrap_servers = kafka.bootstraps();
  std::map<uint64_t, DeadLetterDelivery> deliveries;
  auto publisher = DeadLetterPublisher::create(config, [&](const DeadLetterDelivery& d) { deliveries[d.token] = d; });
  ASSERT_OK(publisher);
  ASSERT_OK((*publisher)->publish(letter(5), 105));
  DeadLetter no_key = letter(6);
  no_key.key.reset();
  ASSERT_OK((*publisher)->publish(no_key, 106));
  ASSERT_OK((*publisher)->flush(10s));
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_OK(deliveries[105].status);
  EXPECT_EQ(deliveries[105].topic, "users_created.dlq");
  EXPECT_EQ(deliveries[105].offset, 0);
  EXPECT_OK(deliveries[106].status);
  EXPECT_EQ((*publisher)->in_flight(), 0u);

  kafka::ConsumerConfig consumer_config;
  consumer_config.bootstrap_servers = kafka.bootstraps();
  consumer_config.group_id = "dlq-reader";
  consumer_config.topics = {"users_created.dlq"};
  consumer_config.session_timeout_ms = 6000;
  consumer_config.max_poll_interval_ms = 10000;
  auto consumer = kafka::Consumer::create(consumer_config, {});
  ASSERT_OK(consumer);
  std::vector<kafka::Message> got;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*consumer)->poll(10, 200ms);
    ASSERT_OK(batch);
    for (auto& m : *batch) got.push_back(std::move(m));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].key, "key-5");
  EXPECT_EQ(got[0].value, letter(5).value);  // untouched, embedded NUL included
  std::map<std::string, std::optional<std::string>> headers(got[0].headers.begin(), got[0].headers.end());
  EXPECT_EQ(headers["rdstream.error.code"], "bad_uuid");
  EXPECT_EQ(headers["rdstream.error.message"], "'id' is 'nope', not a UUID");
  EXPECT_EQ(headers["rdstream.source.topic"], "users_created");
  EXPECT_EQ(headers["rdstream.source.partition"], "2");
  EXPECT_EQ(headers["rdstream.source.offset"], "5");
  EXPECT_EQ(got[1].key, std::nullopt);
}

TEST(DeadLetterTest, AFailedWriteIsReportedAsFailed) {
  testing::MockKafka kafka;
  kafka.create_topic("users_created.dlq", 1);
  DeadLetterConfig config;
  config.bootstrap_servers = kafka.bootstraps();
  config.message_timeout_ms = 1000;
  std::vector<DeadLetterDelivery> deliveries;
  auto publisher = DeadLetterPublisher::create(config, [&](const DeadLetterDelivery& d) { deliveries.push_back(d); });
  ASSERT_OK(publisher);
  // The broker answers every produce request with a permanent error.
  rd_kafka_mock_push_request_errors(kafka.cluster(), 0 /* Produce */, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  ASSERT_OK((*publisher)->publish(letter(9), 9));
  (void)(*publisher)->flush(10s);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].token, 9u);
  EXPECT_EQ(deliveries[0].topic, "users_created.dlq");
  ASSERT_FALSE(deliveries[0].status.ok());
  EXPECT_FALSE(deliveries[0].status.error().retriable);
  EXPECT_NE(deliveries[0].status.error().message.find("users_created.dlq"), std::string::npos)
      << deliveries[0].status.error().message;
}

TEST(DeadLetterTest, AFullLocalQueueIsARetriableErrorNotAWait) {
  testing::MockKafka kafka;
  kafka.create_topic("users_created.dlq", 1);
  DeadLetterConfig config;
  config.bootstrap_servers = kafka.bootstraps();
  config.extra["queue.buffering.max.messages"] = "1";  // full until the first report is served
  auto publisher = DeadLetterPublisher::create(config, [](const DeadLetterDelivery&) {});
  ASSERT_OK(publisher);
  ASSERT_OK((*publisher)->publish(letter(5), 5));
  const auto started = std::chrono::steady_clock::now();
  Status full = (*publisher)->publish(letter(6), 6);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  ASSERT_FALSE(full.ok());
  EXPECT_TRUE(full.error().retriable);
  EXPECT_EQ(full.error().message.rfind("dead-lettering users_created[2]@6: producing a record to users_created.dlq: ", 0),
            0u)
      << full.error().message;
  EXPECT_OK((*publisher)->flush(10s));
  EXPECT_OK((*publisher)->publish(letter(6), 6));
}

}  // namespace
}  // namespace rds::process
