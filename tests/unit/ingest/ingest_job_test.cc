// run_ingest against librdkafka's mock cluster: every produced record delivered exactly once and
// in order per partition, retriable produce errors absorbed by the idempotent producer, permanent
// ones making the run incomplete, and the stop flag ending a run cleanly.
#include "ingest/ingest_job.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "ingest/api_source.h"
#include "support/kafka_mock.h"
#include "support/topic_reader.h"

namespace rds::ingest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ConsumedMessage;
using testing::MockKafka;

constexpr int kPartitions = 3;

class IngestJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::kOff);
    ASSERT_TRUE(cluster_.ok());
    // The mock has no CreateTopics; the topic exists before the job asks for it.
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_.cluster(), kTopic, kPartitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  IngestOptions options(uint64_t count) const {
    IngestOptions o;
    o.producer.bootstrap_servers = cluster_.bootstraps();
    o.producer.topic = kTopic;
    o.producer.message_timeout_ms = 20'000;
    o.topic_partitions = kPartitions;
    o.batch_records = 500;
    o.duration.reset();
    o.count = count;
    o.flush_timeout = milliseconds(30'000);
    return o;
  }

  // The ids GeneratorSource(seed) hands out, in order, for `count` records in batches of `batch`.
  static std::vector<std::string> expected_ids(const std::string& seed, uint64_t count, int batch) {
    GeneratorSource source(seed);
    std::atomic<bool> stop{false};
    std::vector<std::string> ids;
    while (ids.size() < count) {
      auto records = source.next(static_cast<int>(std::min<uint64_t>(batch, count - ids.size())), stop);
      for (const auto& r : *records) ids.emplace_back(r.id());
    }
    return ids;
  }

  // Exactly the expected records, each once, each partition in production order.
  static void expect_exactly_once_in_order(const std::vector<ConsumedMessage>& messages,
                                           const std::vector<std::string>& ids) {
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    ASSERT_EQ(messages.size(), ids.size());
    std::set<std::string> seen;
    std::map<int32_t, size_t> last_index;
    for (const auto& m : messages) {
      auto it = index.find(m.key);
      ASSERT_NE(it, index.end()) << "unexpected key " << m.key;
      EXPECT_TRUE(seen.insert(m.key).second) << "duplicate key " << m.key;
      auto last = last_index.find(m.partition);
      if (last != last_index.end()) {
        EXPECT_GT(it->second, last->second) << "out of order in partition " << m.partition;
      }
      last_index[m.partition] = it->second;
      auto value = nlohmann::json::parse(m.value, nullptr, false);
      ASSERT_TRUE(value.is_object()) << m.value;
      EXPECT_EQ(value.value("id", ""), m.key);
    }
    EXPECT_EQ(seen.size(), ids.size());
  }

  static constexpr const char* kTopic = "users_created";
  MockKafka cluster_{3};
};

TEST_F(IngestJobTest, DeliversEveryProducedRecord) {
  GeneratorSource source("mock-ok");
  std::atomic<bool> stop{false};
  std::set<uint64_t> tokens;
  auto summary = run_ingest(source, options(3000), stop, [&](const kafka::DeliveryReport& r) {
    EXPECT_TRUE(r.status.ok());
    EXPECT_GE(r.offset, 0);
    tokens.insert(r.token);
  });
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->produced, 3000u);
  EXPECT_EQ(summary->delivered, 3000u);
  EXPECT_EQ(summary->failed, 0u);
  EXPECT_EQ(summary->undelivered, 0u);
  EXPECT_EQ(summary->fetched, 3000u);
  EXPECT_TRUE(summary->complete());
  EXPECT_EQ(tokens.size(), 3000u);
  EXPECT_EQ(*tokens.rbegin(), 2999u);
  const std::string text = summary->to_text();
  EXPECT_NE(text.find("produced 3000  delivered 3000"), std::string::npos) << text;

  auto messages = testing::consume_all(cluster_.bootstraps(), kTopic, kPartitions, 3000, seconds(20));
  expect_exactly_once_in_order(messages, expected_ids("mock-ok", 3000, 500));
}

TEST_F(IngestJobTest, RetriableProduceErrorsAreRetriedAndDeliveredExactlyOnce) {
  // The next Produce requests fail with errors a broker sends during a leader change, an ISR
  // shrink or an overload, and one drops the connection.
  rd_kafka_mock_push_request_errors(cluster_.cluster(), /*Produce*/ 0, 6, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                    RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  GeneratorSource source("mock-retry");
  std::atomic<bool> stop{false};
  auto summary = run_ingest(source, options(4000), stop);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->produced, 4000u);
  EXPECT_EQ(summary->delivered, 4000u);
  EXPECT_EQ(summary->failed, 0u);
  EXPECT_TRUE(summary->complete());
  auto messages = testing::consume_all(cluster_.bootstraps(), kTopic, kPartitions, 4000, seconds(20));
  expect_exactly_once_in_order(messages, expected_ids("mock-retry", 4000, 500));
}

TEST_F(IngestJobTest, ALateProduceResponseIsResentAndEveryRecordDelivered) {
  // The broker appends the batches but answers after the client's request timeout: the producer
  // resends them (same producer id and sequence numbers) and every record is reported delivered.
  //
  // What this cannot show is that the resend is not written twice: librdkafka's mock checks
  // sequence numbers only for transactional producers (rd_kafka_mock_validate_records returns
  // early without a TransactionalId), so here the resent batches do land twice, where a real
  // broker would acknowledge them as duplicates. Hence "at least once" below.
  for (int32_t broker = 1; broker <= 3; ++broker) {
    rd_kafka_mock_broker_push_request_error_rtts(cluster_.cluster(), broker, /*Produce*/ 0, 1, RD_KAFKA_RESP_ERR_NO_ERROR,
                                                 2500);
  }
  auto o = options(2000);
  o.producer.extra["socket.timeout.ms"] = "1000";  // the client-side request timeout
  GeneratorSource source("mock-late");
  std::atomic<bool> stop{false};
  auto summary = run_ingest(source, o, stop);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->produced, 2000u);
  EXPECT_EQ(summary->delivered, 2000u);
  EXPECT_EQ(summary->failed, 0u);
  EXPECT_TRUE(summary->complete()) << summary->to_text();
  auto messages = testing::consume_all(cluster_.bootstraps(), kTopic, kPartitions, 2000, seconds(10), seconds(1));
  std::set<std::string> keys;
  for (const auto& m : messages) keys.insert(m.key);
  const auto ids = expected_ids("mock-late", 2000, 500);
  EXPECT_EQ(keys, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_GT(messages.size(), 2000u) << "no batch was resent: the injected delay did not trigger a retry";
}

TEST_F(IngestJobTest, APermanentProduceErrorMakesTheRunIncomplete) {
  std::vector<rd_kafka_resp_err_t> errors(200, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(cluster_.cluster(), /*Produce*/ 0, errors.size(), errors.data());
  auto o = options(1000);
  o.producer.message_timeout_ms = 10'000;
  GeneratorSource source("mock-denied");
  std::atomic<bool> stop{false};
  const auto started = std::chrono::steady_clock::now();
  auto summary = run_ingest(source, o, stop);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(5000));  // well before the timeout
  EXPECT_FALSE(summary->complete()) << summary->to_text();
  // Not retried until the message timeout: the broker's refusal fails the records at once.
  EXPECT_EQ(summary->delivered, 0u) << summary->to_text();
  EXPECT_EQ(summary->failed, summary->produced) << summary->to_text();
}

TEST_F(IngestJobTest, ALeaderlessTopicTimesOutAndTheRunIsIncomplete) {
  for (int32_t p = 0; p < kPartitions; ++p) rd_kafka_mock_partition_set_leader(cluster_.cluster(), kTopic, p, -1);
  auto o = options(300);
  o.producer.message_timeout_ms = 1500;
  GeneratorSource source("mock-leaderless");
  std::atomic<bool> stop{false};
  auto summary = run_ingest(source, o, stop);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_FALSE(summary->complete());
  EXPECT_EQ(summary->delivered, 0u);
  EXPECT_EQ(summary->failed, 300u) << summary->to_text();
}

TEST_F(IngestJobTest, TheStopFlagEndsAnUnboundedRunWithEverythingDelivered) {
  auto o = options(0);
  o.count.reset();  // neither count nor duration: only the stop flag ends it
  GeneratorSource source("mock-stop");
  std::atomic<bool> stop{false};
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(milliseconds(500));
    stop.store(true);
  });
  auto summary = run_ingest(source, o, stop);
  ctrl_c.join();
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_GT(summary->produced, 0u);
  EXPECT_EQ(summary->delivered, summary->produced);
  EXPECT_TRUE(summary->complete());
}

TEST_F(IngestJobTest, TheDurationEndsARun) {
  auto o = options(0);
  o.count.reset();
  o.duration = milliseconds(300);
  GeneratorSource source("mock-duration");
  std::atomic<bool> stop{false};
  const auto started = std::chrono::steady_clock::now();
  auto summary = run_ingest(source, o, stop);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(10));
  EXPECT_EQ(summary->delivered, summary->produced);
  EXPECT_TRUE(summary->complete());
}

TEST_F(IngestJobTest, AnInvalidProducerConfigurationIsRejectedUpFront) {
  auto o = options(10);
  o.producer.compression = "brotli";
  GeneratorSource source("mock-bad");
  std::atomic<bool> stop{false};
  auto summary = run_ingest(source, o, stop);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(summary.error().message.find("kafka.compression"), std::string::npos) << summary.error().message;
  EXPECT_EQ(source.counters().fetched, 0u);
}

// A source that fails after its first batch, like an API that went away for good.
class FailingSource final : public RecordSource {
 public:
  Result<std::vector<mapping::Record>> next(int max_records, const std::atomic<bool>& stop) override {
    if (calls_++ == 0) return inner_.next(max_records, stop);
    return Error(ErrorCode::kUnavailable, "giving up on page 2 after 3 attempts: connection refused", true);
  }
  const SourceCounters& counters() const override { return inner_.counters(); }
  std::string describe() const override { return "failing"; }

 private:
  GeneratorSource inner_{"mock-failing"};
  int calls_ = 0;
};

TEST_F(IngestJobTest, ASourceErrorEndsTheRunIncompleteButDeliversWhatWasProduced) {
  FailingSource source;
  std::atomic<bool> stop{false};
  auto summary = run_ingest(source, options(5000), stop);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->produced, 500u);
  EXPECT_EQ(summary->delivered, 500u);
  EXPECT_FALSE(summary->complete());
  EXPECT_NE(summary->source_error.find("giving up on page 2"), std::string::npos) << summary->source_error;
}

}  // namespace
}  // namespace rds::ingest
