// The processor loop against librdkafka's mock cluster and a scripted RowWriter (the
// CassandraSink's per-row callback contract): commits follow acknowledgements, rejected records
// reach the DLQ before their offsets count, retriable failures pause and retry, permanent ones
// stop or dead-letter as configured. (The real sink is exercised by the integration tests.)
#include "process/processor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "avro/codec.h"
#include "avro/framing.h"
#include "support/kafka_mock.h"
#include "support/result_matchers.h"

namespace rds::process {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTopic = "users_created";

std::string record(int n) {
  return fmt::format(R"({{"id":"00000000-0000-4000-8000-{:012d}","first_name":"n{}","last_name":"l","gender":"g",)"
                     R"("address":"a","post_code":"p","email":"e","username":"u","dob":"d","registered_date":"r",)"
                     R"("phone":"ph","picture":"pi"}})",
                     n, n);
}

// record(n)'s fields as an Avro record schema (every field a string), and record(n) in it, framed
// with schema id `id`.
std::string writer_schema() {
  std::vector<avro::Field> fields;
  const auto json = nlohmann::ordered_json::parse(record(0));
  for (const auto& [name, value] : json.items()) fields.push_back(avro::Field{name, false, true, std::nullopt});
  return avro::record_schema_json("created_users", "rdstream", fields);
}
std::string avro_record(int n, int32_t id) {
  auto schema = avro::Schema::parse(writer_schema());
  auto encoder = avro::Encoder::create(*schema);
  std::vector<std::string> owned;
  const auto json = nlohmann::ordered_json::parse(record(n));
  for (const auto& [name, value] : json.items()) owned.push_back(value.get<std::string>());
  std::vector<std::optional<std::string_view>> values(owned.begin(), owned.end());
  return avro::frame(id, encoder->encode(values).value());
}

// Decides each row's outcome from its first_name ("n<k>") and the attempt number; answers on a
// thread of its own, as the sink answers on the session's loop thread.
class ScriptedWriter : public RowWriter {
 public:
  using Script = std::function<sink::RowOutcome(const std::string& name, int attempt)>;
  explicit ScriptedWriter(Script script) : script_(std::move(script)) {}
  ~ScriptedWriter() override {
    for (auto& t : threads_) t.join();
  }

  void write(std::vector<sink::Row> rows, sink::RowCallback done) override {
    std::vector<std::pair<std::size_t, sink::RowOutcome>> outcomes;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string name = *rows[i][1].get_if<std::string>();
        const int attempt = ++attempts_[name];
        outcomes.emplace_back(i, script_(name, attempt));
      }
    }
    threads_.emplace_back([done = std::move(done), outcomes = std::move(outcomes)] {
      for (const auto& [i, outcome] : outcomes) done(i, outcome);
    });
  }
  // Every outcome delivered, as the sink's drain waits for its writes.
  Status drain(std::chrono::milliseconds) override {
    for (auto& t : threads_) t.join();
    threads_.clear();
    return ok_status();
  }

  int attempts(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    return attempts_[name];
  }

 private:
  Script script_;
  std::mutex mutex_;
  std::map<std::string, int> attempts_;
  std::vector<std::thread> threads_;
};

sink::RowOutcome ok() { return sink::RowOutcome{ok_status(), std::nullopt, 1}; }
sink::RowOutcome retriable() {
  return sink::RowOutcome{Status(Error(ErrorCode::kUnavailable, "no host available", true)), std::nullopt, 1};
}
sink::RowOutcome permanent() {
  return sink::RowOutcome{Status(Error(ErrorCode::kServer, "InvalidRequest: bad", false)),
                          cql::CqlErrorCode::kInvalid, 1};
}

class ProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kafka_.create_topic(kTopic, 1);
    kafka_.create_topic(std::string(kTopic) + ".dlq", 1);
  }

  kafka::ConsumerConfig consumer_config(const std::string& group) {
    kafka::ConsumerConfig config;
    config.bootstrap_servers = kafka_.bootstraps();
    config.group_id = group;
    config.topics = {kTopic};
    config.session_timeout_ms = 6000;
    config.max_poll_interval_ms = 10000;
    config.commit_interval = 200ms;
    return config;
  }
  DeadLetterConfig dead_letter_config() {
    DeadLetterConfig config;
    config.bootstrap_servers = kafka_.bootstraps();
    return config;
  }
  ProcessorConfig processor_config(uint64_t stop_after) {
    ProcessorConfig config;
    config.stop_after_acknowledged = stop_after;
    config.retry.initial = 20ms;
    config.retry.max_delay = 50ms;
    config.shutdown_timeout = 2s;
    return config;
  }
  std::optional<int64_t> committed(const std::string& group) {
    return testing::committed_offset(kafka_.bootstraps(), group, kTopic, 0);
  }
  std::vector<kafka::Message> read_dead_letters(std::size_t count) {
    kafka::ConsumerConfig config = consumer_config("dlq-reader");
    config.topics = {std::string(kTopic) + ".dlq"};
    auto consumer = kafka::Consumer::create(config, {});
    EXPECT_OK(consumer);
    std::vector<kafka::Message> out;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto batch = (*consumer)->poll(10, 200ms);
      if (!batch.ok()) break;
      for (auto& m : *batch) out.push_back(std::move(m));
    }
    return out;
  }

  testing::MockKafka kafka_;
  RecordValidator validator_{default_table()};
  ProcessorProbe probe_;
};

TEST_F(ProcessorTest, WritesValidRecordsDeadLettersPoisonAndCommitsEverything) {
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(kafka_.produce(kTopic, 0, record(n)));
  ASSERT_TRUE(kafka_.produce(kTopic, 0, "not json", "poison-key"));                 // offset 3
  ASSERT_TRUE(kafka_.produce(kTopic, 0, R"({"id":"nope"})"));                       // offset 4
  ASSERT_TRUE(kafka_.produce(kTopic, 0, record(5)));
  ScriptedWriter writer([](const std::string&, int) { return ok(); });
  auto processor = Processor::create(consumer_config("g-e2e"), dead_letter_config(), processor_config(6), validator_,
                                     writer, probe_);
  ASSERT_OK(processor);
  auto report = (*processor)->run();
  ASSERT_OK(report);
  EXPECT_EQ(report->consumed, 6u);
  EXPECT_EQ(report->stored, 4u);
  EXPECT_EQ(report->dead_lettered, 2u);
  EXPECT_EQ(report->left_in_flight, 0u);
  processor->reset();
  EXPECT_EQ(committed("g-e2e"), 6);
  const auto snapshot = probe_.snapshot();
  EXPECT_EQ(snapshot.dead_lettered_by_code[ProcessorProbe::code_index("not_json")], 1u);
  EXPECT_EQ(snapshot.dead_lettered_by_code[ProcessorProbe::code_index("bad_uuid")], 1u);
  auto letters = read_dead_letters(2);
  ASSERT_EQ(letters.size(), 2u);
  EXPECT_EQ(letters[0].key, "poison-key");
  EXPECT_EQ(letters[0].value, "not json");
  std::map<std::string, std::optional<std::string>> headers(letters[0].headers.begin(), letters[0].headers.end());
  EXPECT_EQ(headers["rdstream.error.code"], "not_json");
  EXPECT_EQ(headers["rdstream.source.offset"], "3");
}

TEST_F(ProcessorTest, RetriableFailurePausesRetriesAndThenCommits) {
  for (int n = 0; n < 5; ++n) ASSERT_TRUE(kafka_.produce(kTopic, 0, record(n)));
  ScriptedWriter writer([](const std::string& name, int attempt) {
    return name == "n2" && attempt <= 2 ? retriable() : ok();
  });
  auto processor = Processor::create(consumer_config("g-retry"), dead_letter_config(), processor_config(5), validator_,
                                     writer, probe_);
  ASSERT_OK(processor);
  auto report = (*processor)->run();
  ASSERT_OK(report);
  EXPECT_EQ(report->stored, 5u);
  EXPECT_EQ(report->retries, 2u);
  EXPECT_EQ(writer.attempts("n2"), 3);
  EXPECT_EQ(writer.attempts("n3"), 1);
  processor->reset();
  EXPECT_EQ(committed("g-retry"), 5);
  const auto snapshot = probe_.snapshot();
  EXPECT_EQ(snapshot.partitions_paused_total, 1u);
  EXPECT_EQ(snapshot.paused_partitions, 0);
  EXPECT_EQ(snapshot.sink_failures, 2u);
}

// Avro records among JSON ones: while the registry cannot be reached their partition waits (paused,
// retried with backoff; nothing dead-lettered, nothing committed past them); then they are written,
// and an id the registry does not know is dead-lettered with its reason.
TEST_F(ProcessorTest, AvroRecordsWaitForTheRegistryThenAreWrittenOrDeadLettered) {
  ASSERT_TRUE(kafka_.produce(kTopic, 0, record(0)));
  ASSERT_TRUE(kafka_.produce(kTopic, 0, avro_record(1, 5)));
  ASSERT_TRUE(kafka_.produce(kTopic, 0, avro_record(2, 9), "unknown-id"));
  ASSERT_TRUE(kafka_.produce(kTopic, 0, record(3)));
  int fetches = 0;
  auto reader = reader_schema(default_table());
  ASSERT_OK(reader);
  RecordDecoder decoder(*reader, [&fetches](int32_t id) -> Result<std::string> {
    if (++fetches <= 2) return Error(ErrorCode::kUnavailable, "connection refused");
    if (id == 5) return writer_schema();
    return Error(ErrorCode::kNotFound, "no schema with id 9");
  }, RecordDecoder::kDefaultCacheSize, 0ms);
  ScriptedWriter writer([](const std::string&, int) { return ok(); });
  auto processor = Processor::create(consumer_config("g-avro"), dead_letter_config(), processor_config(4), validator_,
                                     writer, probe_, &decoder);
  ASSERT_OK(processor);
  auto report = (*processor)->run();
  ASSERT_OK(report);
  EXPECT_EQ(report->stored, 3u);
  EXPECT_EQ(report->dead_lettered, 1u);
  EXPECT_GE(report->retries, 1u);
  EXPECT_EQ(writer.attempts("n1"), 1);  // written once, after the registry answered
  processor->reset();
  EXPECT_EQ(committed("g-avro"), 4);
  EXPECT_EQ(probe_.snapshot().partitions_paused_total, 1u);
  EXPECT_EQ(probe_.snapshot().dead_lettered_by_code[ProcessorProbe::code_index("unknown_schema_id")], 1u);
  auto letters = read_dead_letters(1);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, "unknown-id");
  EXPECT_EQ(letters[0].value, avro_record(2, 9));
}

// The only record of a paused partition is rejected on its retry: the partition resumes while the
// retry loop is on it (its entry erased mid-iteration, once undefined behaviour).
TEST_F(ProcessorTest, ADeferredRecordRejectedOnRetryResumesItsPartition) {
  ASSERT_TRUE(kafka_.produce(kTopic, 0, avro_record(2, 9), "unknown-id"));
  ASSERT_TRUE(kafka_.produce(kTopic, 0, record(1)));
  int fetches = 0;
  auto reader = reader_schema(default_table());
  ASSERT_OK(reader);
  RecordDecoder decoder(*reader, [&fetches](int32_t) -> Result<std::string> {
    if (++fetches <= 2) return Error(ErrorCode::kUnavailable, "connection refused");
    return Error(ErrorCode::kNotFound, "no schema with id 9");
  }, RecordDecoder::kDefaultCacheSize, 0ms);
  ScriptedWriter writer([](const std::string&, int) { return ok(); });
  auto processor = Processor::create(consumer_config("g-avro-rejected"), dead_letter_config(), processor_config(2),
                                     validator_, writer, probe_, &decoder);
  ASSERT_OK(processor);
  auto report = (*processor)->run();
  ASSERT_OK(report);
  EXPECT_EQ(report->dead_lettered, 1u);
  EXPECT_EQ(report->stored, 1u);
  processor->reset();
  EXPECT_EQ(committed("g-avro-rejected"), 2);
  EXPECT_EQ(probe_.snapshot().paused_partitions, 0);
}

TEST_F(ProcessorTest, NothingIsCommittedPastARecordThatKeepsFailing) {
  for (int n = 0; n < 5; ++n) ASSERT_TRUE(kafka_.produce(kTopic, 0, record(n)));
  ScriptedWriter writer([](const std::string& name, int) { return name == "n2" ? retriable() : ok(); });
  ProcessorConfig config = processor_config(0);
  config.retry.max_attempts = 3;
  auto processor = Processor::create(consumer_config("g-stuck"), dead_letter_config(), config, validator_, writer, probe_);
  ASSERT_OK(processor);
  auto report = (*processor)->run();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("giving up"), std::string::npos) << report.error().message;
  processor->reset();
  // 0 and 1 were written and committed; 3 and 4 were written too, but 2 blocks them.
  EXPECT_EQ(committed("g-stuck"), 2);
}

TEST_F(ProcessorTest, PermanentFailureStopsByDefault) {
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(kafka_.produce(kTopic, 0, record(n)));
  ScriptedWriter writer([](const std::string& name, int) { return name == "n1" ? permanent() : ok(); });
  auto processor = Processor::create(consumer_config("g-perm"), dead_letter_config(), processor_config(0), validator_,
                                     writer, probe_);
  ASSERT_OK(processor);
  auto report = (*processor)->run();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("permanent failure"), std::string::npos);
  EXPECT_EQ(probe_.snapshot().records_dead_lettered, 0u);
  processor->reset();
  EXPECT_EQ(committed("g-perm"), 1);
}

TEST_F(ProcessorTest, PermanentFailureCanBeDeadLettered) {
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(kafka_.produce(kTopic, 0, record(n)));
  ScriptedWriter writer([](const std::string& name, int) { return name == "n1" ? permanent() : ok(); });
  ProcessorConfig config = processor_config(3);
  config.permanent_failure = PermanentFailureAction::kDeadLetter;
  auto processor = Processor::create(consumer_config("g-perm-dlq"), dead_letter_config(), config, validator_, writer,
                                     probe_);
  ASSERT_OK(processor);
  auto report = (*processor)->run();
  ASSERT_OK(report);
  EXPECT_EQ(report->stored, 2u);
  EXPECT_EQ(report->dead_lettered, 1u);
  processor->reset();
  EXPECT_EQ(committed("g-perm-dlq"), 3);
  auto letters = read_dead_letters(1);
  ASSERT_EQ(letters.size(), 1u);
  std::map<std::string, std::optional<std::string>> headers(letters[0].headers.begin(), letters[0].headers.end());
  EXPECT_EQ(headers["rdstream.error.code"], "sink_rejected");
  EXPECT_EQ(headers["rdstream.source.offset"], "1");
}

TEST(ProcessorConfigTest, Validates) {
  ProcessorConfig config;
  EXPECT_OK(config.validate());
  config.max_batch = 0;
  config.retry.multiplier = 0.5;
  auto status = config.validate();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("process.max_batch"), std::string::npos);
  EXPECT_NE(status.error().message.find("process.retry.multiplier"), std::string::npos);
}

}  // namespace
}  // namespace rds::process
