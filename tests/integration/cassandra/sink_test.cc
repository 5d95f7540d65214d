// CassandraSink against the real Cassandra: 100,000 asynchronous inserts (in batches) with none
// lost, a rejected batch re-sent row by row, and Cassandra stopped and started mid-stream with
// every row still written.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <thread>

#include "cassandra/schema.h"
#include "cassandra/session.h"
#include "integration/cassandra/test_env.h"
#include "sink/cassandra/cassandra_sink.h"
#include "support/result_matchers.h"

namespace rds::sink {
namespace {

using cassandra::Session;
using cql::Value;
using test::stack_session_config;

std::unique_ptr<Session> connect_and_create(const std::string& table) {
  auto config = stack_session_config();
  config.reconnect.max_delay = std::chrono::milliseconds(1000);  // come back fast after the restart
  auto s = Session::connect(config);
  EXPECT_OK(s);
  if (!s.ok()) return nullptr;
  cassandra::KeyspaceSpec spec;
  spec.name = "rds_client_sink";
  EXPECT_OK(cassandra::create_keyspace(**s, spec));
  auto status = cassandra::execute_script(
      **s, fmt::format("DROP TABLE IF EXISTS rds_client_sink.{0};"
                       "CREATE TABLE rds_client_sink.{0} (id int PRIMARY KEY, name text, age int, created timestamp)",
                       table));
  EXPECT_OK(status);
  return std::move(*s);
}

Row make_row(int32_t id) {
  return {Value(id), Value(fmt::format("user-{}", id)), Value(int32_t{id % 100}), Value(cql::Timestamp{1700000000000 + id})};
}

int64_t count_rows(Session& session, const std::string& table) {
  auto s = cassandra::Statement::of(fmt::format("SELECT COUNT(*) FROM rds_client_sink.{}", table), cql::Consistency::kOne);
  s.timeout = std::chrono::seconds(120);
  auto r = session.execute_sync(std::move(s));
  EXPECT_OK(r.response);
  if (!r.response.ok()) return -1;
  return *std::get<cql::RowsResult>(r.response->message).value(0, 0)->get_if<int64_t>();
}

void expect_row(Session& session, const std::string& table, int32_t id) {
  auto select = session.prepare(fmt::format("SELECT name, age, created FROM rds_client_sink.{} WHERE id = ?", table));
  ASSERT_OK(select);
  auto r = session.execute_sync(*(*select)->bind({Value(id)}));
  ASSERT_OK(r.response);
  const auto& rows = std::get<cql::RowsResult>(r.response->message);
  ASSERT_EQ(rows.rows.size(), 1u) << id;
  EXPECT_EQ(*rows.value(0, 0), Value(fmt::format("user-{}", id)));
  EXPECT_EQ(*rows.value(0, 1), Value(int32_t{id % 100}));
  EXPECT_EQ(*rows.value(0, 2), Value(cql::Timestamp{1700000000000 + id}));
}

TEST(CassandraSink, HundredThousandAsyncInsertsNoneLost) {
  auto session = connect_and_create("users");
  ASSERT_TRUE(session);
  CassandraSinkConfig config;
  config.insert_cql = "INSERT INTO rds_client_sink.users (id, name, age, created) VALUES (?, ?, ?, ?)";
  config.max_in_flight = 1024;
  CassandraSink sink(*session, config);
  ASSERT_OK(sink.start());

  constexpr int kRows = 100000;
  constexpr int kBatch = 1000;
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  const auto started = std::chrono::steady_clock::now();
  for (int b = 0; b < kRows / kBatch; ++b) {
    std::vector<Row> rows;
    rows.reserve(kBatch);
    for (int i = 0; i < kBatch; ++i) rows.push_back(make_row(b * kBatch + i));
    sink.write(std::move(rows), [&](size_t, const RowOutcome& outcome) {
      (outcome.status.ok() ? ok : failed).fetch_add(1);
    });
  }
  ASSERT_OK(sink.drain(std::chrono::seconds(300)));
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  const auto snap = sink.probe().snapshot();
  std::printf("100000 rows written in %lld ms (%.0f rows/s); latency p50 %lld us, p99 %lld us; %llu retries\n",
              static_cast<long long>(elapsed.count()), kRows * 1000.0 / static_cast<double>(std::max<int64_t>(1, elapsed.count())),
              static_cast<long long>(snap.latency_p50.count()), static_cast<long long>(snap.latency_p99.count()),
              static_cast<unsigned long long>(snap.retries));
  ::testing::Test::RecordProperty("elapsed_ms", static_cast<int>(elapsed.count()));
  EXPECT_EQ(ok.load(), kRows);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(snap.rows_written, static_cast<uint64_t>(kRows));
  EXPECT_EQ(snap.rows_failed, 0u);
  EXPECT_GT(snap.batches, 0u);  // rows of a write share the single node: they go in batches
  EXPECT_EQ(snap.in_flight, 0);
  EXPECT_GT(snap.bytes_written, 0u);
  EXPECT_EQ(snap.latency_count, static_cast<uint64_t>(kRows));
  EXPECT_EQ(count_rows(*session, "users"), kRows);
  for (int32_t id : {0, 1, 4242, 50000, 99999}) expect_row(*session, "users", id);
}

TEST(CassandraSink, ReportsPerRowFailuresWithTheirCode) {
  auto session = connect_and_create("strict");
  ASSERT_TRUE(session);
  CassandraSinkConfig config;
  config.insert_cql = "INSERT INTO rds_client_sink.strict (id, name, age, created) VALUES (?, ?, ?, ?)";
  CassandraSink sink(*session, config);
  ASSERT_OK(sink.start());
  std::vector<Row> rows = {make_row(1), Row{Value(int32_t{2})}, make_row(3)};
  auto outcome = sink.write(std::move(rows)).get();
  EXPECT_EQ(outcome.written, 2u);
  ASSERT_EQ(outcome.failures.size(), 1u);
  EXPECT_EQ(outcome.failures[0].first, 1u);
  EXPECT_EQ(outcome.failures[0].second.status.error().code, ErrorCode::kInvalidArgument);
  // A server-side rejection carries the CQL code: a NULL partition key is "invalid".
  auto bad = sink.write(std::vector<Row>{Row{Value(), Value("x"), Value(int32_t{1}), Value(cql::Timestamp{0})}}).get();
  ASSERT_EQ(bad.failures.size(), 1u);
  EXPECT_EQ(bad.failures[0].second.cql_code, cql::CqlErrorCode::kInvalid);
  EXPECT_FALSE(bad.failures[0].second.status.error().retriable);
  EXPECT_EQ(sink.probe().snapshot().errors_by_code.at("invalid"), 1u);

  // The same bad row among good ones: Cassandra rejects their whole batch, the sink re-sends the
  // rows one by one, and only the bad row fails.
  std::vector<Row> mixed;
  for (int32_t id = 10; id < 16; ++id) mixed.push_back(make_row(id));
  mixed.insert(mixed.begin() + 3, Row{Value(), Value("x"), Value(int32_t{1}), Value(cql::Timestamp{0})});
  auto split = sink.write(std::move(mixed)).get();
  EXPECT_EQ(split.written, 6u);
  ASSERT_EQ(split.failures.size(), 1u);
  EXPECT_EQ(split.failures[0].first, 3u);
  EXPECT_EQ(split.failures[0].second.cql_code, cql::CqlErrorCode::kInvalid);
  EXPECT_EQ(sink.probe().snapshot().batch_splits, 1u);
  for (int32_t id = 10; id < 16; ++id) expect_row(*session, "strict", id);

  CassandraSinkConfig wrong;
  wrong.max_in_flight = 0;
  wrong.insert_cql = config.insert_cql;
  CassandraSink invalid(*session, wrong);
  auto status = invalid.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "sink.cassandra.max_in_flight: must be between 1 and 32768");
}

int run_stack(const char* verb) {
  const std::string bin = test::env_or("RDSTREAM_BIN", "rdstream");
  // The shared fixture's flags (state dir and ports), as tests/integration/CMakeLists.txt sets them.
  const std::string flags = test::env_or("RDSTREAM_TEST_STACK_FLAGS", "");
  const std::string cmd = fmt::format("'{}' stack {} --only cassandra {}", bin, verb, flags);
  return std::system(cmd.c_str());
}

TEST(CassandraSink, SurvivesCassandraRestartMidStream) {
  // Never act on a stack other than the fixture's (empty flags would mean ./var, a developer's own).
  if (test::env_or("RDSTREAM_TEST_STACK_FLAGS", "").empty()) GTEST_SKIP() << "needs the CTest stack fixture";
  auto session = connect_and_create("restart");
  ASSERT_TRUE(session);
  CassandraSinkConfig config;
  config.insert_cql = "INSERT INTO rds_client_sink.restart (id, name, age, created) VALUES (?, ?, ?, ?)";
  config.max_in_flight = 256;
  config.retry_budget = std::chrono::seconds(240);
  config.retry_backoff.max_delay = std::chrono::milliseconds(1000);
  CassandraSink sink(*session, config);
  ASSERT_OK(sink.start());

  // A steady stream (100 rows every 10 ms) until well after Cassandra is back.
  std::atomic<int> sent{0};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::atomic<bool> stop_writing{false};
  std::thread writer([&] {
    for (int b = 0; !stop_writing; ++b) {
      std::vector<Row> rows;
      for (int i = 0; i < 100; ++i) rows.push_back(make_row(b * 100 + i));
      sink.write(std::move(rows), [&](size_t, const RowOutcome& o) { (o.status.ok() ? ok : failed).fetch_add(1); });
      sent += 100;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  while (ok.load() < 3000) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto down_at = std::chrono::steady_clock::now();
  EXPECT_EQ(run_stack("down"), 0);
  const int sent_at_down = sent.load();
  const int ok_at_down = ok.load();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(run_stack("up"), 0);
  const auto up_at = std::chrono::steady_clock::now();
  const int sent_at_up = sent.load();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop_writing = true;
  writer.join();
  ASSERT_OK(sink.drain(std::chrono::seconds(240)));
  const auto resumed = std::chrono::steady_clock::now();
  const int total = sent.load();
  std::printf("cassandra down for %lld ms; %d rows acknowledged before, %d sent while it was down, %d in all; "
              "all drained %lld ms after it was up\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(up_at - down_at).count()),
              ok_at_down, sent_at_up - sent_at_down, total,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(resumed - up_at).count()));
  // Rows really were in flight through the outage (the writer then blocks: max_in_flight is the
  // backpressure), and every one of them was written after the restart.
  EXPECT_GT(sent_at_down, ok_at_down);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(ok.load(), total);
  const auto snap = sink.probe().snapshot();
  EXPECT_GT(snap.retries, 0u);
  for (const auto& [code, n] : snap.errors_by_code) std::printf("  errors %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  EXPECT_EQ(count_rows(*session, "restart"), total);
  expect_row(*session, "restart", total - 1);
}

}  // namespace
}  // namespace rds::sink
