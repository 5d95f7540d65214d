// The whole pipeline end to end on the real stack (CTest fixture `stack`): randomuser (mock) API ->
// `rdstream` -> Kafka -> `rdstream process`/`run` -> Cassandra, with the binary run as child
// processes like a user runs it, and crashes, an outage, poison records, a rebalance and a graceful
// stop thrown at it. Every test has its own topic, consumer group and keyspace, and checks the
// outcome with the engines' own view: rows in Cassandra (paged scans) and the group's committed
// offsets against the high watermarks (what kafka-consumer-groups calls lag).
//
// Random moments (kills, the outage) come from a seed printed at the start; RDSTREAM_E2E_SEED
// replays one.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "core/log.h"
#include "ingest/api_source.h"
#include "integration/pipeline/harness.h"
#include "kafka/producer.h"
#include "mapping/record.h"
#include "mockapi/mock_api.h"
#include "mockapi/server.h"
#include "process/dead_letter.h"
#include "source/randomuser/generator.h"
#include "support/temp_dir.h"
#include "support/result_matchers.h"

namespace rds::e2e {
namespace {

constexpr int kPartitions = 3;
const std::vector<std::string>& kTableColumns = kSeedTableColumns;

std::mt19937_64& rng() {
  static std::mt19937_64 engine = [] {
    const std::string given = env("RDSTREAM_E2E_SEED");
    const uint64_t seed = given.empty() ? std::random_device{}() : std::stoull(given);
    std::cout << "[pipeline] random seed " << seed << " (RDSTREAM_E2E_SEED=" << seed << " replays it)\n";
    return std::mt19937_64(seed);
  }();
  return engine;
}

milliseconds random_ms(int lo, int hi) { return milliseconds(std::uniform_int_distribution<int>(lo, hi)(rng())); }

// The records GeneratorSource (and so `rdstream ingest --source generator` and the mock API)
// makes for `seed`: pages of `per_page` from page 1, `count` in all.
std::vector<mapping::Record> expected_records(const std::string& seed, int count, int per_page = 1000) {
  ingest::GeneratorSource source(seed);
  std::atomic<bool> stop{false};
  std::vector<mapping::Record> out;
  out.reserve(static_cast<size_t>(count));
  while (static_cast<int>(out.size()) < count) {
    auto batch = source.next(std::min(per_page, count - static_cast<int>(out.size())), stop);
    for (auto& r : *batch) out.push_back(std::move(r));
  }
  return out;
}

std::set<std::string> ids_of(const std::vector<mapping::Record>& records) {
  std::set<std::string> ids;
  for (const auto& r : records) ids.emplace(r.id());
  return ids;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string describe(const std::map<int32_t, PartitionLag>& offsets) {
  std::string out;
  for (const auto& [p, o] : offsets) {
    out += "p" + std::to_string(p) + " committed " + std::to_string(o.committed) + "/" + std::to_string(o.high) + "; ";
  }
  return out.empty() ? "(offsets unavailable)" : out;
}

class PipelineTest : public StackSuite {
 public:
  PipelineTest() : StackSuite("e2e") {}
  void SetUp() override {
    log::set_level(log::Level::kWarn);
    StackSuite::SetUp();
    started_ = Clock::now();
  }

  void TearDown() override {
    StackSuite::TearDown();
    if (!bin_.empty()) {
      std::cout << "[pipeline] " << name_ << " took "
                << std::chrono::duration<double>(Clock::now() - started_).count() << " s\n";
    }
  }

  // Offsets are committed every 200 ms (default 5 s) so that the group's committed lag, which
  // the tests read to pick mid-run moments, follows the processor closely.
  std::vector<std::string> process_args(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"process",      "--bootstrap-servers", kafka_,
                                     "--topic",      topic_,                "--group",
                                     group_,         "--config",            config_.string(),
                                     "--cassandra-host", host_,            "--cassandra-port",
                                     std::to_string(port_), "--commit-interval-ms", "200"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  Child& start_process(const std::string& label, const std::vector<std::string>& extra = {}) {
    return start(label, process_args(extra));
  }

  // Ingests `count` generator records (pages of 1000 from page 1 for `seed`); `topic_total` is what
  // the topic then holds in all (default: `count`, a fresh topic).
  void ingest_generator(const std::string& seed, int count, int64_t topic_total = -1) {
    Child& ingest = start("ingest", {"ingest", "--source", "generator", "--seed", seed, "--count", std::to_string(count),
                                     "--results", "1000", "--topic", topic_, "--partitions", std::to_string(kPartitions),
                                     "--bootstrap-servers", kafka_});
    auto code = ingest.wait(milliseconds(300'000));
    ASSERT_EQ(code, std::optional<int>(0)) << ingest.err_tail();
    std::cout << "[pipeline] " << ingest.out();
    auto offsets = group_offsets(kafka_, group_, topic_, kPartitions);
    int64_t high = 0;
    for (const auto& [p, o] : offsets) high += o.high;
    ASSERT_EQ(high, topic_total < 0 ? count : topic_total)
        << "the topic should hold exactly what was ingested: " << describe(offsets);
  }

  // Waits for the child to log its first real partition assignment (the group has let it in).
  void wait_assigned(Child& child, milliseconds timeout = milliseconds(120'000)) {
    const std::string line = ": assigned " + topic_ + "[";
    ASSERT_TRUE(wait_until([&] { return child.err_contains(line) || !child.running(); }, timeout))
        << "no partition assigned in " << timeout.count() << " ms:\n" << child.err_tail();
    ASSERT_TRUE(child.running()) << "exited early (" << child.exit_code().value_or(999) << "):\n" << child.err_tail();
  }

  std::map<int32_t, PartitionLag> offsets() const { return group_offsets(kafka_, group_, topic_, kPartitions); }
  int64_t lag() const { return group_lag(offsets()); }

  // Waits a random time in [lo_ms, hi_ms], returning early once the group's committed lag fell to
  // `floor`: the moment is random, yet the run is still in the middle on however fast a machine.
  void wait_mid_run(int lo_ms, int hi_ms, int64_t floor) {
    const auto until = Clock::now() + random_ms(lo_ms, hi_ms);
    while (Clock::now() < until && lag() > floor) std::this_thread::sleep_for(milliseconds(20));
  }

  // Waits until the group committed everything on the topic.
  bool wait_lag_zero(milliseconds timeout) {
    return wait_until([&] { return lag() == 0; }, timeout, milliseconds(1000));
  }

  std::vector<cql::Row> scan(const std::string& columns) {
    std::string error;
    auto rows = cql_scan(host_, port_, "SELECT " + columns + " FROM " + keyspace_ + ".created_users", &error);
    EXPECT_EQ(error, "") << "scanning " << keyspace_ << ".created_users";
    return rows;
  }
  std::set<std::string> stored_ids() {
    std::set<std::string> ids;
    for (const auto& row : scan("id")) ids.insert(uuid_text(row[0]));
    return ids;
  }
  void expect_stored_exactly(const std::set<std::string>& expected) {
    const auto stored = stored_ids();
    EXPECT_EQ(stored.size(), expected.size());
    std::vector<std::string> missing, extra;
    std::set_difference(expected.begin(), expected.end(), stored.begin(), stored.end(), std::back_inserter(missing));
    std::set_difference(stored.begin(), stored.end(), expected.begin(), expected.end(), std::back_inserter(extra));
    EXPECT_TRUE(missing.empty()) << missing.size() << " id(s) never stored, e.g. " << missing.front();
    EXPECT_TRUE(extra.empty()) << extra.size() << " unexpected id(s) stored, e.g. " << extra.front();
  }

  void expect_lag_zero() {
    auto o = offsets();
    ASSERT_FALSE(o.empty()) << "committed offsets unavailable";
    for (const auto& [p, l] : o) EXPECT_EQ(l.committed, l.high) << "partition " << p << ": " << describe(o);
  }

  Clock::time_point started_;
};

// 1. The main job: 50,000 users from the (mock) API through `rdstream run` into Cassandra; every
// row equal, field by field, to what the API served; nothing left uncommitted.
TEST_F(PipelineTest, RunStoresFiftyThousandUsersExactlyAsServed) {
  constexpr int kCount = 50'000;
  const std::string seed = "e2e-run";
  mockapi::MockApi api;
  mockapi::MockApiServer server(api);
  ASSERT_OK(server.start("127.0.0.1", 0));
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/";

  Child& run = start("run", {"run", "--url", url, "--seed", seed, "--count", std::to_string(kCount), "--results",
                             "1000", "--topic", topic_, "--partitions", std::to_string(kPartitions),
                             "--bootstrap-servers", kafka_, "--config", config_.string(), "--group", group_,
                             "--cassandra-host", host_, "--cassandra-port", std::to_string(port_)});
  auto code = run.wait(milliseconds(400'000));
  server.stop();
  ASSERT_EQ(code, std::optional<int>(0)) << run.out() << run.err_tail();
  const std::string out = run.out();
  std::cout << "[pipeline] " << out;
  EXPECT_NE(out.find("run summary: fetched 50000  produced 50000  delivered 50000  stored in Cassandra 50000  "
                     "dead-lettered 0"),
            std::string::npos)
      << out;
  EXPECT_EQ(api.stats().requests, 50u);  // 1000 per request, pages 1..50, no retries

  // Field by field against what the API served (the same generator, the default mapping).
  const auto expected = expected_records(seed, kCount);
  std::map<std::string, const mapping::Record*> by_id;
  for (const auto& r : expected) by_id[lower(std::string(r.id()))] = &r;
  ASSERT_EQ(by_id.size(), static_cast<size_t>(kCount));
  std::string columns;
  for (const auto& c : kTableColumns) columns += (columns.empty() ? "" : ", ") + c;
  const auto rows = scan(columns);
  EXPECT_EQ(rows.size(), static_cast<size_t>(kCount));
  size_t unknown = 0, different = 0;
  std::set<std::string> seen;
  for (const auto& row : rows) {
    const std::string id = uuid_text(row[0]);
    seen.insert(id);
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      if (unknown++ < 3) ADD_FAILURE() << "row " << id << " was never served";
      continue;
    }
    for (size_t c = 1; c < kTableColumns.size(); ++c) {
      const std::string* want = it->second->find(kTableColumns[c]);
      const auto got = cell_text(row[c]);
      if (want == nullptr || !got || *got != *want) {
        if (different++ < 5) {
          ADD_FAILURE() << id << "." << kTableColumns[c] << ": stored '" << got.value_or("<null>") << "', served '"
                        << (want ? *want : "<absent>") << "'";
        }
      }
    }
  }
  EXPECT_EQ(unknown, 0u);
  EXPECT_EQ(different, 0u);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kCount));
  // Consumer-group lag 0: everything on the topic is committed.
  auto o = offsets();
  int64_t high = 0;
  for (const auto& [p, l] : o) high += l.high;
  EXPECT_EQ(high, kCount) << describe(o);
  expect_lag_zero();
}

// 2. kill -9 at 5 random moments while `rdstream process` works through 200,000 records, each time
// restarting it in the same group; then let it finish: exactly the ids produced are stored.
TEST_F(PipelineTest, KilledFiveTimesLosesNothing) {
  constexpr int kCount = 200'000;
  constexpr int kKills = 5;
  ASSERT_NO_FATAL_FAILURE(ingest_generator("e2e-crash", kCount));
  // Static membership: the restarted member takes the killed one's place (and partitions) at once;
  // without it the group would wait for the dead member's session to time out.
  const std::vector<std::string> member = {"--instance-id", "crash-member"};
  for (int k = 0; k < kKills; ++k) {
    const int64_t before = lag();
    Child& p = start_process("process", member);
    ASSERT_NO_FATAL_FAILURE(wait_assigned(p));
    // Each run may take at most ~30% of what is left, so the fifth kill is still mid-run: at least
    // ~0.7^5 = 17 % of the topic (~34k records, ~0.6 s at 55k/s) is left for it. With 40 % per run
    // (8k-16k left at the fifth kill) a fast machine came within a commit interval of finishing.
    wait_mid_run(300, 3000, before * 7 / 10);
    ASSERT_TRUE(p.running()) << p.err_tail();
    p.signal(SIGKILL);
    p.wait(milliseconds(10'000));
    EXPECT_EQ(p.exit_code(), std::optional<int>(-SIGKILL));
    const auto o = offsets();
    std::cout << "[pipeline] kill -9 #" << (k + 1) << " of pid " << p.pid() << " after " << p.took().count()
              << " ms: " << describe(o) << "\n";
    ASSERT_GT(group_lag(o), 0) << "the processor finished before kill #" << (k + 1) << ": not a mid-run crash";
  }
  // The last run: exactly what is uncommitted is left to acknowledge.
  const int64_t remaining = lag();
  ASSERT_GT(remaining, 0);
  Child& last = start_process("process-final", {"--count", std::to_string(remaining), "--instance-id", "crash-member"});
  auto code = last.wait(milliseconds(400'000));
  ASSERT_EQ(code, std::optional<int>(0)) << last.err_tail();
  std::cout << "[pipeline] " << last.out();
  EXPECT_EQ(summary_number(last.out(), "dead-lettered"), 0);
  expect_lag_zero();
  expect_stored_exactly(ids_of(expected_records("e2e-crash", kCount)));
}

// 3. Cassandra stopped for 20 s while `rdstream process` consumes a pre-filled topic: it pauses,
// retries, recovers by itself, and nothing is lost.
TEST_F(PipelineTest, CassandraOutageOfTwentySecondsIsRiddenOut) {
  // Enough that the processor is still busy after the seconds Cassandra takes to stop.
  constexpr int kCount = 300'000;
  const std::vector<std::string> stack_flags = split_words(env("RDSTREAM_TEST_STACK_FLAGS"));
  if (stack_flags.empty()) GTEST_SKIP() << "RDSTREAM_TEST_STACK_FLAGS is set by CTest";
  ASSERT_NO_FATAL_FAILURE(ingest_generator("e2e-outage", kCount));

  // Whatever happens to the test, Cassandra is brought back for the suites after it.
  struct Restore {
    PipelineTest* t;
    std::vector<std::string> flags;
    bool down = false;
    bool up() {
      std::vector<std::string> args = {"stack", "up", "--only", "cassandra"};
      args.insert(args.end(), flags.begin(), flags.end());
      Child& c = t->start("stack-up", args);
      auto code = c.wait(milliseconds(600'000));
      down = code != std::optional<int>(0);
      if (down) ADD_FAILURE() << "stack up --only cassandra: " << c.out() << c.err_tail();
      return !down;
    }
    ~Restore() {
      if (down) up();
    }
  } restore{this, stack_flags};

  Child& p = start_process("process", {"--count", std::to_string(kCount)});
  ASSERT_NO_FATAL_FAILURE(wait_assigned(p));
  wait_mid_run(500, 2000, kCount * 8 / 10);
  ASSERT_TRUE(p.running()) << p.err_tail();
  std::vector<std::string> args = {"stack", "down", "--only", "cassandra"};
  args.insert(args.end(), stack_flags.begin(), stack_flags.end());
  restore.down = true;
  Child& down = start("stack-down", args);
  ASSERT_EQ(down.wait(milliseconds(120'000)), std::optional<int>(0)) << down.out() << down.err_tail();
  const auto at_down = offsets();
  std::cout << "[pipeline] Cassandra stopped (took " << down.took().count() << " ms): " << describe(at_down) << "\n";
  std::this_thread::sleep_for(seconds(20));
  EXPECT_TRUE(p.running()) << "the processor gave up while Cassandra was down:\n" << p.err_tail();
  const auto up_started = Clock::now();
  ASSERT_TRUE(restore.up());
  std::cout << "[pipeline] Cassandra back after "
            << std::chrono::duration_cast<milliseconds>(Clock::now() - up_started).count() << " ms\n";

  auto code = p.wait(milliseconds(400'000));
  ASSERT_EQ(code, std::optional<int>(0)) << p.err_tail(30);
  std::cout << "[pipeline] " << p.out();
  // The outage reached the processor (its connections were refused); whether rows then failed and
  // were retried, or waited in the sink for a connection, is the sink's business: none is lost.
  EXPECT_TRUE(p.err_contains("Connection refused")) << "the outage did not reach the processor:\n" << p.err_tail();
  EXPECT_EQ(summary_number(p.out(), "dead-lettered"), 0);
  ASSERT_GT(group_lag(at_down), 0) << "everything was committed before Cassandra went down: not a mid-run outage";
  expect_lag_zero();
  expect_stored_exactly(ids_of(expected_records("e2e-outage", kCount)));
}

// 4. Poison records among good ones: each lands in <topic>.dlq with its reason and origin in the
// headers, every good record is stored, and the processor neither stops nor loops.
TEST_F(PipelineTest, PoisonRecordsGoToTheDeadLetterTopicWithTheirReason) {
  constexpr int kGood = 3000;
  const auto good = expected_records("e2e-poison", kGood);
  // A fresh id for poison records that have one, so that none of them may turn up in the table.
  const auto spare = expected_records("e2e-poison-spare", 20);
  auto json_of = [](const mapping::Record& r) { return nlohmann::json::parse(mapping::to_json(r)); };
  struct Poison {
    std::string what;
    std::string code;  // the expected rdstream.error.code
    std::optional<std::string> value;
  };
  std::vector<Poison> poisons;
  poisons.push_back({"garbage bytes", "not_json", std::string("\xff\xfe\x00\x01garbage\x80\xc3", 13)});
  poisons.push_back({"truncated JSON", "not_json", std::string(R"({"id": "6f1c2a9e-)")});
  poisons.push_back({"a tombstone (no value)", "not_json", std::nullopt});
  {
    auto j = json_of(spare[0]);
    j["first_name"] = 42;
    poisons.push_back({"a number for a text column", "wrong_type", j.dump()});
  }
  {
    auto j = json_of(spare[1]);
    j["address"] = nlohmann::json::object({{"street", "x"}});
    poisons.push_back({"an object for a text column", "wrong_type", j.dump()});
  }
  {
    auto j = json_of(spare[2]);
    j["id"] = 12345;
    poisons.push_back({"a number for the id", "bad_uuid", j.dump()});
  }
  {
    auto j = json_of(spare[3]);
    j.erase("id");
    poisons.push_back({"no id", "missing_id", j.dump()});
  }
  {
    auto j = json_of(spare[4]);
    j["id"] = nullptr;
    poisons.push_back({"a null id", "missing_id", j.dump()});
  }
  {
    auto j = json_of(spare[5]);
    j["id"] = "not-a-uuid";
    poisons.push_back({"a bad uuid", "bad_uuid", j.dump()});
  }
  {
    auto j = json_of(spare[6]);
    j["id"] = "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6";  // one digit short
    poisons.push_back({"a uuid one digit short", "bad_uuid", j.dump()});
  }
  {
    auto j = json_of(spare[7]);
    j["address"] = std::string(70 * 1024, 'x');
    poisons.push_back({"a 70 KiB value", "value_too_large", j.dump()});
  }
  {
    auto j = json_of(spare[8]);
    j.erase("email");
    poisons.push_back({"a missing column", "missing_column", j.dump()});
  }
  poisons.push_back({"an array", "not_object", std::string("[1,2,3]")});
  poisons.push_back({"a string", "not_object", std::string(R"("just a string")")});
  poisons.push_back({"a number", "not_object", std::string("42")});

  // Poison at random places among the good records, all partitions.
  std::vector<RawRecord> records;
  std::vector<int> poison_at;  // index into records, per poison
  for (int i = 0; i < kGood; ++i) {
    records.push_back({i % kPartitions, std::string(good[static_cast<size_t>(i)].id()),
                       mapping::to_json(good[static_cast<size_t>(i)])});
  }
  for (size_t i = 0; i < poisons.size(); ++i) {
    const size_t at = std::uniform_int_distribution<size_t>(0, records.size())(rng());
    records.insert(records.begin() + static_cast<long>(at),
                   RawRecord{static_cast<int32_t>(i % kPartitions), "poison-" + std::to_string(i), poisons[i].value});
  }
  ASSERT_OK(kafka::ensure_topic(kafka_, topic_, kPartitions, 1, seconds(30)));
  const auto produced = produce_raw(kafka_, topic_, records);
  std::map<std::string, Produced> where;  // poison key -> where it landed
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_TRUE(produced[i].ok) << "record " << i << " was not delivered";
    if (records[i].key && records[i].key->rfind("poison-", 0) == 0) where[*records[i].key] = produced[i];
  }
  ASSERT_EQ(where.size(), poisons.size());

  const size_t total = records.size();
  Child& p = start_process("process", {"--count", std::to_string(total)});
  auto code = p.wait(milliseconds(180'000));
  ASSERT_EQ(code, std::optional<int>(0)) << p.err_tail(30);
  std::cout << "[pipeline] " << p.out();
  EXPECT_EQ(summary_number(p.out(), "consumed"), static_cast<int64_t>(total)) << "a record was read twice: a loop?";
  EXPECT_EQ(summary_number(p.out(), "stored"), kGood);
  EXPECT_EQ(summary_number(p.out(), "dead-lettered"), static_cast<int64_t>(poisons.size()));
  expect_lag_zero();

  // The dead-letter topic: each poison record once, untouched, with its reason and origin.
  const auto letters = read_topic(kafka_, topic_ + ".dlq", kPartitions, poisons.size(), seconds(60), seconds(3));
  EXPECT_EQ(letters.size(), poisons.size());
  std::map<std::string, const TopicMessage*> by_key;
  for (const auto& m : letters) {
    ASSERT_TRUE(m.key.has_value());
    EXPECT_EQ(by_key.count(*m.key), 0u) << *m.key << " dead-lettered twice";
    by_key[*m.key] = &m;
  }
  for (size_t i = 0; i < poisons.size(); ++i) {
    const std::string key = "poison-" + std::to_string(i);
    SCOPED_TRACE(key + ": " + poisons[i].what);
    auto it = by_key.find(key);
    ASSERT_NE(it, by_key.end()) << "not in the dead-letter topic";
    const TopicMessage& m = *it->second;
    EXPECT_EQ(m.value, poisons[i].value);
    const auto header = [&](const char* name) {
      auto h = m.headers.find(name);
      return h == m.headers.end() ? std::string("<absent>") : h->second;
    };
    EXPECT_EQ(header(process::kHeaderErrorCode), poisons[i].code) << header(process::kHeaderErrorMessage);
    EXPECT_NE(header(process::kHeaderErrorMessage), "<absent>");
    EXPECT_EQ(header(process::kHeaderSourceTopic), topic_);
    EXPECT_EQ(header(process::kHeaderSourcePartition), std::to_string(where[key].partition));
    EXPECT_EQ(header(process::kHeaderSourceOffset), std::to_string(where[key].offset));
  }
  expect_stored_exactly(ids_of(good));
}

// The partitions of `topic` a member holds by its log ("group G: assigned T[0], T[2]", then
// "revoking" or "lost" lines), in order.
std::set<int32_t> held_partitions(const Child& member, const std::string& topic) {
  std::set<int32_t> held;
  std::istringstream lines(member.err());
  for (std::string line; std::getline(lines, line);) {
    const bool assigned = line.find(": assigned ") != std::string::npos;
    const bool released = line.find(": revoking ") != std::string::npos || line.find(": lost ") != std::string::npos;
    if (!assigned && !released) continue;
    for (size_t at = line.find(topic + "["); at != std::string::npos; at = line.find(topic + "[", at + 1)) {
      const int32_t partition = std::stoi(line.substr(at + topic.size() + 1));
      if (assigned) held.insert(partition);
      else held.erase(partition);
    }
  }
  return held;
}

// 5. Two `rdstream process` in one group on 3 partitions; one is killed with -9 mid-run: the other
// takes its partitions over (after the group's session timeout, 10 s here) and nothing is lost.
TEST_F(PipelineTest, SurvivorTakesOverFromAKilledGroupMember) {
  // The bulk of the records arrives only once both members hold partitions. Pre-filled, a member
  // at ~55k records/s finished the partitions it kept before the other one had even joined (a
  // join takes seconds), and the kill then found nothing left to take over (seen in CI twice).
  constexpr int kFirst = 3'000;
  constexpr int kCount = 150'000;
  ASSERT_NO_FATAL_FAILURE(ingest_generator("e2e-group-first", kFirst));  // the topic, and a start
  const std::vector<std::string> session = {"--session-timeout-ms", "10000"};
  Child& a = start_process("process-a", session);
  ASSERT_NO_FATAL_FAILURE(wait_assigned(a));
  Child& b = start_process("process-b", session);
  ASSERT_NO_FATAL_FAILURE(wait_assigned(b));
  ASSERT_NO_FATAL_FAILURE(ingest_generator("e2e-group", kCount, kFirst + kCount));
  wait_mid_run(200, 800, kCount * 4 / 5);
  // The victim is a member that still has work (the partitions need not be shared evenly).
  const auto before = offsets();
  auto has_work = [&](const Child& member) {
    for (int32_t partition : held_partitions(member, topic_)) {
      auto it = before.find(partition);
      if (it != before.end() && it->second.committed < it->second.high) return true;
    }
    return false;
  };
  ASSERT_TRUE(has_work(a) || has_work(b)) << "the topic was done before the kill: " << describe(before);
  Child& victim = has_work(a) ? a : b;
  Child& survivor = &victim == &a ? b : a;
  ASSERT_TRUE(victim.running()) << victim.err_tail();
  const size_t survivor_assignments = survivor.err_count(": assigned " + topic_ + "[");
  victim.signal(SIGKILL);
  victim.wait(milliseconds(10'000));
  const auto at_kill = offsets();
  std::cout << "[pipeline] killed member " << (&victim == &a ? "a" : "b") << " (pid " << victim.pid()
            << "): " << describe(at_kill) << "\n";
  ASSERT_GT(group_lag(at_kill), 0) << "the topic was done before the kill";
  ASSERT_TRUE(wait_lag_zero(milliseconds(240'000))) << "the survivor did not finish: " << describe(offsets()) << "\n"
                                                    << survivor.err_tail();
  EXPECT_GT(survivor.err_count(": assigned " + topic_ + "["), survivor_assignments)
      << "the survivor never took over the victim's partitions";
  survivor.signal(SIGTERM);
  ASSERT_EQ(survivor.wait(milliseconds(60'000)), std::optional<int>(0)) << survivor.err_tail();
  std::cout << "[pipeline] " << survivor.out();
  expect_lag_zero();
  auto expected = ids_of(expected_records("e2e-group", kCount));
  expected.merge(ids_of(expected_records("e2e-group-first", kFirst)));
  ASSERT_EQ(expected.size(), static_cast<size_t>(kFirst + kCount)) << "the two seeds made a common id";
  expect_stored_exactly(expected);
}

// 6. SIGTERM mid-stream: exit 0, and every record below a committed offset is in Cassandra; a
// restart stores exactly the rest.
TEST_F(PipelineTest, GracefulShutdownCommitsOnlyWhatIsStored) {
  constexpr int kCount = 100'000;
  ASSERT_NO_FATAL_FAILURE(ingest_generator("e2e-term", kCount));
  Child& p = start_process("process");
  ASSERT_NO_FATAL_FAILURE(wait_assigned(p));
  wait_mid_run(1500, 4000, kCount / 2);
  ASSERT_TRUE(p.running()) << p.err_tail();
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait(milliseconds(60'000)), std::optional<int>(0)) << p.err_tail();
  std::cout << "[pipeline] stopped after " << p.took().count() << " ms: " << p.out();

  const auto committed = offsets();
  const int64_t remaining = group_lag(committed);
  std::cout << "[pipeline] after SIGTERM: " << describe(committed) << "\n";
  ASSERT_GT(remaining, 0) << "it finished before the signal: not mid-stream";
  ASSERT_LT(remaining, kCount) << "nothing was committed at the graceful stop";
  // Every record below its partition's committed offset is in the table.
  const auto stored = stored_ids();
  const auto messages = read_topic(kafka_, topic_, kPartitions, kCount, seconds(120));
  ASSERT_EQ(messages.size(), static_cast<size_t>(kCount));
  size_t below = 0, lost = 0;
  for (const auto& m : messages) {
    auto c = committed.find(m.partition);
    ASSERT_NE(c, committed.end());
    if (m.offset >= c->second.committed) continue;
    ++below;
    if (!stored.count(lower(m.key.value_or(""))) && lost++ < 3) {
      ADD_FAILURE() << "offset " << m.offset << " of partition " << m.partition << " is committed but its row "
                    << m.key.value_or("?") << " is not in Cassandra";
    }
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(static_cast<int64_t>(below), kCount - remaining);

  Child& rest = start_process("process-rest", {"--count", std::to_string(remaining)});
  ASSERT_EQ(rest.wait(milliseconds(300'000)), std::optional<int>(0)) << rest.err_tail();
  std::cout << "[pipeline] " << rest.out();
  expect_lag_zero();
  expect_stored_exactly(ids_of(expected_records("e2e-term", kCount)));
}

}  // namespace
}  // namespace rds::e2e
