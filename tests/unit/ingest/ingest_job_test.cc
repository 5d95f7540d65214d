// run_ingest against librdkafka's mock cluster: every produced record delivered exactly once and
// in order per partition, retriable produce errors absorbed by the idempotent producer, permanent
// ones making the run incomplete, and the stop flag ending a run cleanly.
#include "ingest/ingest_job.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <limits>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "ingest/api_source.h"
#include "metrics/metrics.h"
#include "support/kafka_mock.h"
#include "support/topic_reader.h"
#include "support/result_matchers.h"

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
    ASSERT_OK(cluster_);
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
      const std::string key = m.key.value_or("<none>");
      auto it = index.find(key);
      ASSERT_NE(it, index.end()) << "unexpected key " << key;
      EXPECT_TRUE(seen.insert(key).second) << "duplicate key " << key;
      auto last = last_index.find(m.partition);
      if (last != last_index.end()) {
        EXPECT_GT(it->second, last->second) << "out of order in partition " << m.partition;
      }
      last_index[m.partition] = it->second;
      auto value = nlohmann::json::parse(m.value.value_or(""), nullptr, false);
      ASSERT_TRUE(value.is_object()) << m.value.value_or("<tombstone>");
      EXPECT_EQ(value.value("id", ""), key);
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
    EXPECT_OK(r.status);
    EXPECT_GE(r.offset, 0);
    tokens.insert(r.token);
  });
  ASSERT_OK(summary);
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
  ASSERT_OK(summary);
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
  ASSERT_OK(summary);
  EXPECT_EQ(summary->produced, 2000u);
  EXPECT_EQ(summary->delivered, 2000u);
  EXPECT_EQ(summary->failed, 0u);
  EXPECT_TRUE(summary->complete()) << summary->to_text();
  auto messages = testing::consume_all(cluster_.bootstraps(), kTopic, kPartitions, 2000, seconds(10), seconds(1));
  std::set<std::string> keys;
  for (const auto& m : messages) keys.insert(m.key.value_or(""));
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
  ASSERT_OK(summary);
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
  ASSERT_OK(summary);
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
  ASSERT_OK(summary);
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
  ASSERT_OK(summary);
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
  ASSERT_OK(summary);
  EXPECT_EQ(summary->produced, 500u);
  EXPECT_EQ(summary->delivered, 500u);
  EXPECT_FALSE(summary->complete());
  EXPECT_NE(summary->source_error.find("giving up on page 2"), std::string::npos) << summary->source_error;
}

// An API-like source (it sends requests): one good page with two elements it had to skip, then the
// API goes away. The API's connection state and the skipped elements show in the vocabulary.
class FlakyApiSource final : public RecordSource {
 public:
  Result<std::vector<mapping::Record>> next(int max_records, const std::atomic<bool>& stop) override {
    counters_.requests++;
    if (calls_++ > 0) return Error(ErrorCode::kUnavailable, "connection refused", true);
    auto page = inner_.next(max_records, stop);
    counters_.fetched += page->size();
    counters_.skipped += 2;
    return page;
  }
  const SourceCounters& counters() const override { return counters_; }
  std::string describe() const override { return "flaky api"; }

 private:
  GeneratorSource inner_{"mock-flaky"};
  SourceCounters counters_;
  int calls_ = 0;
};

TEST_F(IngestJobTest, TheApisStateAndSkippedElementsAreCounted) {
  metrics::Metrics m;
  IngestOptions o = options(5000);
  o.metrics = &m;
  std::atomic<bool> stop{false};
  {
    // The generator has no API: no api connection series at all.
    GeneratorSource generator("mock-no-api");
    IngestOptions g = options(100);
    g.metrics = &m;
    ASSERT_OK(run_ingest(generator, g, stop));
    EXPECT_EQ(m.render().find("rdstream_engine_connected{engine=\"api\"}"), std::string::npos);
  }
  FlakyApiSource source;
  auto summary = run_ingest(source, o, stop);
  ASSERT_OK(summary);
  EXPECT_EQ(summary->produced, 500u);
  EXPECT_EQ(m.engine_connected(metrics::kApi).Value(), 0);  // the last request failed
  EXPECT_EQ(m.discarded_records(metrics::kIngest, "invalid_element").Value(), 2);
  EXPECT_EQ(m.received_records(metrics::kIngest).Value(), 600);
}

// Records what the job asked of a source: a generator (sized on demand) or an API-like one that
// hands out whole pages.
class RecordingSource final : public RecordSource {
 public:
  RecordingSource(std::string seed, bool sized_on_demand, int page_size = 0)
      : inner_(std::move(seed)), sized_on_demand_(sized_on_demand), page_size_(page_size) {}
  Result<std::vector<mapping::Record>> next(int max_records, const std::atomic<bool>& stop) override {
    asked.push_back(max_records);
    return inner_.next(page_size_ > 0 ? std::min(max_records, page_size_) : max_records, stop);
  }
  const SourceCounters& counters() const override { return inner_.counters(); }
  std::string describe() const override { return "recording"; }
  bool sized_on_demand() const override { return sized_on_demand_; }

  std::vector<int> asked;

 private:
  GeneratorSource inner_;
  bool sized_on_demand_;
  int page_size_;
};

TEST_F(IngestJobTest, ARateLimitedGeneratorIsAskedForSmallStepsAndPaced) {
  auto o = options(600);
  o.rate = 2000;  // steps of 10 records, at most 20 at once
  RecordingSource source("mock-rate-gen", /*sized_on_demand=*/true);
  std::atomic<bool> stop{false};
  const auto started = std::chrono::steady_clock::now();
  auto summary = run_ingest(source, o, stop);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_OK(summary);
  EXPECT_EQ(summary->delivered, 600u);
  EXPECT_TRUE(summary->complete());
  // 600 records at 2000/s, of which at most the bucket (20) at once: at least 290 ms. (Only a
  // lower bound: a loaded machine may be slower, never faster.)
  EXPECT_GE(elapsed, milliseconds(290));
  ASSERT_FALSE(source.asked.empty());
  for (int asked : source.asked) EXPECT_LE(asked, 20) << "a generator batch above the bucket is a burst";
  EXPECT_GE(source.asked.size(), 30u);
}

TEST_F(IngestJobTest, ARateLimitedApiPageIsProducedInPacedSlices) {
  auto o = options(1000);
  o.rate = 2000;
  RecordingSource source("mock-rate-api", /*sized_on_demand=*/false, /*page_size=*/500);
  std::vector<std::chrono::steady_clock::time_point> released;
  o.on_fetched = [&](const mapping::Record&, std::chrono::steady_clock::time_point at) { released.push_back(at); };
  std::atomic<bool> stop{false};
  auto summary = run_ingest(source, o, stop);
  ASSERT_OK(summary);
  EXPECT_EQ(summary->delivered, 1000u);
  // Whole pages are fetched (an API request has its own cost) ...
  EXPECT_EQ(source.asked, (std::vector<int>{500, 500}));
  // ... and produced in slices, never more than the bucket (20) at the same moment: the page's
  // records are released over (500 - 40) / 2000 s at least (the first slice's 20 were granted
  // before the fetch, and the bucket may have refilled its 20 while the page was fetched).
  ASSERT_EQ(released.size(), 1000u);
  EXPECT_GE(released[499] - released[0], milliseconds(230));
  size_t same = 1, most = 1;
  for (size_t i = 1; i < released.size(); ++i) {
    same = released[i] == released[i - 1] ? same + 1 : 1;
    most = std::max(most, same);
  }
  EXPECT_LE(most, 20u);
}

TEST_F(IngestJobTest, AStopRequestEndsARateLimitedWait) {
  auto o = options(0);
  o.count.reset();
  o.rate = 0.5;  // one record per 2 s after the first two
  GeneratorSource source("mock-rate-stop");
  std::atomic<bool> stop{false};
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(milliseconds(300));
    stop.store(true);
  });
  const auto started = std::chrono::steady_clock::now();
  auto summary = run_ingest(source, o, stop);
  const auto stopped_after = std::chrono::steady_clock::now() - started;
  ctrl_c.join();
  ASSERT_OK(summary);
  EXPECT_EQ(summary->produced, 2u);
  EXPECT_EQ(summary->delivered, 2u);
  EXPECT_LT(stopped_after, seconds(2)) << "the stop request waited for the next token";
}

TEST_F(IngestJobTest, ANegativeOrNonFiniteRateIsRejectedUpFront) {
  for (double rate : {-1.0, -0.001, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    auto o = options(10);
    o.rate = rate;
    GeneratorSource source("mock-bad-rate");
    std::atomic<bool> stop{false};
    auto summary = run_ingest(source, o, stop);
    ASSERT_FALSE(summary.ok()) << rate;
    EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(summary.error().message.find("--rate"), std::string::npos) << summary.error().message;
    EXPECT_EQ(source.counters().fetched, 0u);
  }
}

}  // namespace
}  // namespace rds::ingest
