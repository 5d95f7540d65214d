// `rdstream ingest --staging postgres` on the shared test stack: every fetched user is staged in
// PostgreSQL, produced, and marked delivered; Kafka stopped for 30 s mid-run loses nothing; a run
// killed with SIGKILL between staging and delivery leaves its rows pending, and the next run
// produces them first; replaying a run re-publishes exactly its users.

#include "integration/pipeline/harness.h"
#include "kafka/producer.h"
#include "support/closed_port.h"
#include "support/postgres_query.h"
#include "support/result_matchers.h"

namespace rds::e2e {
namespace {

constexpr int kPartitions = 3;

class IngestStagingTest : public StackSuite {
 public:
  IngestStagingTest() : StackSuite("staging") {}

  void SetUp() override {
    StackSuite::SetUp();
    if (IsSkipped()) return;
    pg_port_ = env("RDSTREAM_TEST_POSTGRES_PORT");
    stack_dir_ = env("RDSTREAM_TEST_STACK_DIR");
    ASSERT_FALSE(pg_port_.empty() || stack_dir_.empty()) << "RDSTREAM_TEST_POSTGRES_PORT is set by CTest";
    schema_ = name_;
    std::ofstream(config_, std::ios::app) << "staging:\n  postgres_database: postgres\n  schema: " << schema_ << "\n";
    std::ifstream(std::filesystem::path(stack_dir_) / "postgres" / "password") >> password_;
  }
  void TearDown() override {
    if (!schema_.empty()) query("SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    StackSuite::TearDown();
  }

  std::vector<std::string> ingest_args(int count, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"ingest",        "--staging",   "postgres",     "--staging-port", pg_port_,
                                     "--state-dir",   stack_dir_,    "--config",     config_.string(), "--source",
                                     "generator",     "--count",     std::to_string(count), "--topic", topic_,
                                     "--partitions",  std::to_string(kPartitions), "--bootstrap-servers", kafka_};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // One value of a query on the stack's PostgreSQL ("" on an error, which fails the test).
  std::string query(const std::string& sql) {
    return rds::testing::pg_value(
        "host=127.0.0.1 port=" + pg_port_ + " dbname=postgres user=rdstream password=" + password_, sql);
  }
  // The outbox table exists (the ingest under test made it).
  bool staged_table_exists() { return !query("SELECT to_regclass('" + schema_ + ".staged_users')").empty(); }
  int64_t count(const std::string& where) {
    const std::string n = query("SELECT count(*) FROM " + schema_ + ".staged_users" + (where.empty() ? "" : " WHERE " + where));
    return n.empty() ? -1 : std::stoll(n);
  }
  std::set<std::string> topic_keys(std::size_t want) {
    std::set<std::string> keys;
    for (const auto& m : read_topic(kafka_, topic_, kPartitions, want, seconds(60))) keys.insert(m.key.value_or(""));
    return keys;
  }

  // Stops the shared stack's Kafka (`stack down --only kafka`) and starts it again; whatever happens
  // to the test, Kafka is brought back for the suites after it.
  struct KafkaOutage {
    IngestStagingTest* t;
    std::vector<std::string> flags;
    bool down = false;
    bool run(const char* verb) {
      std::vector<std::string> args = {"stack", verb, "--only", "kafka"};
      args.insert(args.end(), flags.begin(), flags.end());
      Child& c = t->start(std::string("stack-") + verb, args);
      const bool ok = c.wait(milliseconds(300'000)) == std::optional<int>(0);
      if (!ok) ADD_FAILURE() << "stack " << verb << " --only kafka: " << c.out() << c.err_tail();
      return ok;
    }
    bool stop() {
      down = true;
      return run("down");
    }
    bool up() {
      down = !run("up");
      return !down;
    }
    ~KafkaOutage() {
      if (down) up();
    }
  };

  std::string pg_port_, stack_dir_, schema_, password_;
};

TEST_F(IngestStagingTest, EveryFetchedUserIsStagedProducedAndMarkedDelivered) {
  Child& ingest = start("ingest", ingest_args(20'000));
  ASSERT_EQ(ingest.wait(milliseconds(180'000)), std::optional<int>(0)) << ingest.out() << ingest.err_tail();
  const std::string out = ingest.out();
  std::cout << "[staging] " << out;
  EXPECT_NE(out.find("staged 20000  recovered 0  marked delivered 20000"), std::string::npos) << out;
  EXPECT_EQ(count(""), 20'000);
  EXPECT_EQ(count("state = 1 AND delivered_at IS NOT NULL"), 20'000);
  EXPECT_EQ(query("SELECT count(DISTINCT run_id) FROM " + schema_ + ".staged_users"), "1");
  // The topic holds exactly the staged users, once each.
  const auto keys = topic_keys(20'000);
  EXPECT_EQ(keys.size(), 20'000u);
  EXPECT_EQ(query("SELECT count(*) FROM " + schema_ + ".created_users WHERE first_name IS NOT NULL"), "20000");
}

TEST_F(IngestStagingTest, AKilledRunsStagedRowsAreProducedFirstByTheNext) {
  // Kafka unreachable (a closed port) for the first run: everything it fetches is staged and
  // nothing can be delivered; it is killed -9 mid-run.
  const std::string nowhere = "127.0.0.1:" + std::to_string(rds::testing::closed_port());
  std::vector<std::string> first = ingest_args(0, {"--rate", "2000"});
  for (std::size_t i = 0; i + 1 < first.size(); ++i) {
    if (first[i] == "--bootstrap-servers") first[i + 1] = nowhere;
  }
  ASSERT_OK(kafka::ensure_topic(kafka_, topic_, kPartitions, 1, seconds(30)));
  Child& killed = start("ingest-killed", first);
  ASSERT_TRUE(wait_until([&] { return (staged_table_exists() && count("") >= 3000) || !killed.running(); }, seconds(120)))
      << killed.err_tail();
  ASSERT_TRUE(killed.running()) << killed.err_tail();
  killed.signal(SIGKILL);
  killed.wait(milliseconds(10'000));
  const int64_t staged = count("");
  ASSERT_GE(staged, 3000);
  EXPECT_EQ(count("state = 0"), staged) << "nothing could be delivered";

  // The next run, with Kafka: the killed run's rows first, then its own.
  Child& next = start("ingest-next", ingest_args(1000));
  ASSERT_EQ(next.wait(milliseconds(180'000)), std::optional<int>(0)) << next.out() << next.err_tail();
  std::cout << "[staging] " << next.out();
  EXPECT_NE(next.out().find("recovered " + std::to_string(staged)), std::string::npos) << next.out();
  EXPECT_EQ(count("state = 0"), 0);
  EXPECT_EQ(count(""), staged + 1000);
  // Every staged user is on the topic.
  const auto keys = topic_keys(static_cast<std::size_t>(staged + 1000));
  EXPECT_EQ(static_cast<int64_t>(keys.size()), staged + 1000);
  EXPECT_EQ(query("SELECT count(*) FROM " + schema_ + ".staged_users"), std::to_string(staged + 1000));
}

// A pending row whose record no longer encodes (here: not a record at all, as a hand edit or an
// older schema might leave) is set aside with its reason instead of stopping this run and every
// later one at the same row; the rows around it are delivered, and the run's exit code says so.
TEST_F(IngestStagingTest, APendingRowThatNoLongerEncodesIsSetAsideAndTheRestGoOn) {
  Child& first = start("ingest-first", ingest_args(500));
  ASSERT_EQ(first.wait(milliseconds(120'000)), std::optional<int>(0)) << first.out() << first.err_tail();
  // Two pending rows from an "earlier run": one good (a copy of a delivered row), one not a record.
  query("INSERT INTO " + schema_ + ".staged_users (run_id, fetched_at, user_id, record) SELECT 'old', now(), "
        "user_id, record FROM " + schema_ + ".staged_users ORDER BY seq LIMIT 1");
  query("INSERT INTO " + schema_ + ".staged_users (run_id, fetched_at, user_id, record) VALUES ('old', now(), "
        "gen_random_uuid(), '[\"not a record\"]')");
  Child& next = start("ingest-next", ingest_args(500));
  EXPECT_EQ(next.wait(milliseconds(120'000)), std::optional<int>(4)) << next.out() << next.err_tail();
  std::cout << "[staging] " << next.out() << next.err_tail();
  EXPECT_NE(next.out().find("recovered 1  marked delivered 501  set aside 1"), std::string::npos) << next.out();
  EXPECT_NE(next.err_tail().find("set aside"), std::string::npos) << next.err_tail();
  EXPECT_EQ(count("state = 2 AND run_id = 'old' AND set_aside_reason IS NOT NULL"), 1);
  EXPECT_EQ(count("state = 0"), 0);
  EXPECT_EQ(count("state = 1"), 1001);
  // The run after it is not stopped by the set-aside row.
  Child& third = start("ingest-third", ingest_args(100));
  EXPECT_EQ(third.wait(milliseconds(120'000)), std::optional<int>(0)) << third.out() << third.err_tail();
}

// Kafka stopped for 30 s in the middle of a staged ingest: fetching goes on into PostgreSQL, and
// once Kafka is back every staged user is delivered and marked; the topic holds each one.
TEST_F(IngestStagingTest, KafkaStoppedForThirtySecondsLosesNothing) {
  constexpr int kCount = 100'000;
  const std::vector<std::string> stack_flags = split_words(env("RDSTREAM_TEST_STACK_FLAGS"));
  if (stack_flags.empty()) GTEST_SKIP() << "RDSTREAM_TEST_STACK_FLAGS is set by CTest";
  KafkaOutage restore{this, stack_flags};

  Child& ingest = start("ingest", ingest_args(kCount, {"--rate", "2000"}));
  ASSERT_TRUE(wait_until([&] { return (staged_table_exists() && count("") >= 10'000) || !ingest.running(); },
                         seconds(120)))
      << ingest.err_tail();
  ASSERT_TRUE(ingest.running()) << ingest.err_tail();
  ASSERT_TRUE(restore.stop());
  const int64_t at_down = count("");
  std::this_thread::sleep_for(seconds(30));
  const int64_t after_outage = count("");
  EXPECT_GT(after_outage, at_down + 30'000) << "fetching into PostgreSQL went on while Kafka was down";
  EXPECT_TRUE(ingest.running()) << ingest.err_tail();
  ASSERT_TRUE(restore.up());

  ASSERT_EQ(ingest.wait(milliseconds(300'000)), std::optional<int>(0)) << ingest.out() << ingest.err_tail();
  std::cout << "[staging] " << ingest.out();
  EXPECT_EQ(count(""), kCount);
  EXPECT_EQ(count("state = 0"), 0) << "every staged row marked delivered";
  const auto keys = topic_keys(kCount);
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kCount)) << "every staged user on the topic";
}

// Kafka down when ingest starts, its topic not made yet: fetching goes into PostgreSQL, and once
// Kafka answers the topic is made as configured (3 partitions, not the broker's default 1: the
// producer must not let the broker create it) and every staged user is delivered.
TEST_F(IngestStagingTest, KafkaDownAtTheStartTheTopicIsMadeWhenItAnswers) {
  constexpr int kCount = 5000;
  const std::vector<std::string> stack_flags = split_words(env("RDSTREAM_TEST_STACK_FLAGS"));
  if (stack_flags.empty()) GTEST_SKIP() << "RDSTREAM_TEST_STACK_FLAGS is set by CTest";
  KafkaOutage outage{this, stack_flags};
  ASSERT_TRUE(outage.stop());
  // 4 partitions: neither the stack broker's num.partitions (3) nor Kafka's default (1).
  constexpr int kOwnPartitions = 4;
  Child& ingest = start("ingest", ingest_args(kCount, {"--partitions", std::to_string(kOwnPartitions)}));
  ASSERT_TRUE(wait_until([&] { return (staged_table_exists() && count("") >= kCount) || !ingest.running(); },
                         seconds(120)))
      << ingest.err_tail();
  EXPECT_EQ(count("state = 0"), kCount) << "nothing delivered while Kafka is down";
  ASSERT_TRUE(ingest.running()) << ingest.out() << ingest.err_tail();
  ASSERT_TRUE(outage.up());
  ASSERT_EQ(ingest.wait(milliseconds(200'000)), std::optional<int>(0)) << ingest.out() << ingest.err_tail();
  EXPECT_TRUE(ingest.err_contains("topic " + topic_ + " is ready")) << ingest.err_tail();
  EXPECT_EQ(count("state = 1"), kCount);
  const auto messages = read_topic(kafka_, topic_, kOwnPartitions, kCount, seconds(60));
  std::set<std::string> keys;
  std::set<int32_t> partitions;
  for (const auto& m : messages) {
    keys.insert(m.key.value_or(""));
    partitions.insert(m.partition);
  }
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(partitions.size(), static_cast<std::size_t>(kOwnPartitions)) << "the topic rdstream made, not the broker";
}

TEST_F(IngestStagingTest, ReplayOfARunRepublishesExactlyThatRunsRecords) {
  Child& first = start("ingest-a", ingest_args(1500, {"--seed", "replay-a"}));
  ASSERT_EQ(first.wait(milliseconds(120'000)), std::optional<int>(0)) << first.err_tail();
  Child& second = start("ingest-b", ingest_args(700, {"--seed", "replay-b"}));
  ASSERT_EQ(second.wait(milliseconds(120'000)), std::optional<int>(0)) << second.err_tail();
  const std::string run_a = query("SELECT run_id FROM " + schema_ + ".staged_users ORDER BY seq LIMIT 1");
  ASSERT_NE(run_a.find("replay-a"), std::string::npos) << run_a;
  EXPECT_TRUE(first.err_contains("(run " + run_a + ")")) << "the run's id is in its log";

  const std::string replay_topic = topic_ + "_replay";
  Child& replay = start("replay", {"replay", "--from-staging", "--run", run_a, "--topic", replay_topic,
                                   "--staging-port", pg_port_, "--state-dir", stack_dir_, "--config", config_.string(),
                                   "--bootstrap-servers", kafka_});
  ASSERT_EQ(replay.wait(milliseconds(120'000)), std::optional<int>(0)) << replay.out() << replay.err_tail();
  EXPECT_NE(replay.out().find("replay summary: read 1500  produced 1500  delivered 1500  failed 0"), std::string::npos)
      << replay.out();
  std::set<std::string> replayed;
  for (const auto& m : read_topic(kafka_, replay_topic, kPartitions, 1500, seconds(60))) replayed.insert(m.key.value_or(""));
  std::set<std::string> run_ids;
  for (const auto& m : read_topic(kafka_, topic_, kPartitions, 2200, seconds(60))) run_ids.insert(m.key.value_or(""));
  EXPECT_EQ(replayed.size(), 1500u);
  const std::string a_ids = query("SELECT string_agg(user_id::text, ',' ORDER BY seq) FROM " + schema_ +
                                  ".staged_users WHERE run_id = '" + run_a + "'");
  std::set<std::string> expected;
  std::stringstream in(a_ids);
  for (std::string id; std::getline(in, id, ',');) expected.insert(id);
  EXPECT_EQ(replayed, expected) << "exactly run A's users, with their keys";

  // Neither --run nor --since: refused with the fix.
  Child& neither = start("replay-neither", {"replay", "--from-staging", "--staging-port", pg_port_, "--state-dir",
                                            stack_dir_, "--config", config_.string(), "--bootstrap-servers", kafka_});
  EXPECT_EQ(neither.wait(milliseconds(30'000)), std::optional<int>(2));
  EXPECT_TRUE(neither.err_contains("exactly one of --run")) << neither.err();
}

}  // namespace
}  // namespace rds::e2e
