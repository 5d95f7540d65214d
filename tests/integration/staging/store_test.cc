// The staging store on the shared test stack's PostgreSQL (its superuser's password from the
// stack's state directory). Each test migrates a schema of its own and drops it at the end.
#include "staging/store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "support/result_matchers.h"

namespace rds::staging {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string user_id(int n) { return fmt::format("00000000-0000-4000-8000-{:012d}", n); }
std::string record_json(int n) { return fmt::format(R"({{"id":"{}","first_name":"n{}","email":"e{}"}})", user_id(n), n, n); }

class StagingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string port = env("RDSTREAM_TEST_POSTGRES_PORT");
    const std::string dir = env("RDSTREAM_TEST_STACK_DIR");
    if (port.empty() || dir.empty()) GTEST_SKIP() << "RDSTREAM_TEST_POSTGRES_PORT is set by CTest (ctest -L integration)";
    config_.port = static_cast<uint16_t>(std::stoi(port));
    config_.database = "postgres";
    std::ifstream(std::filesystem::path(dir) / "postgres" / "password") >> config_.password;
    ASSERT_FALSE(config_.password.empty()) << "no password in " << dir << "/postgres/password";
    config_.schema = fmt::format("staging_test_{}_{}", ::getpid(),
                                 ::testing::UnitTest::GetInstance()->current_test_info()->line());
  }
  void TearDown() override {
    if (config_.password.empty()) return;
    const std::string conninfo = fmt::format("host=127.0.0.1 port={} dbname=postgres user=rdstream password={}",
                                             config_.port, config_.password);
    PGconn* c = PQconnectdb(conninfo.c_str());
    PQclear(PQexec(c, fmt::format("SET client_min_messages = warning; DROP SCHEMA IF EXISTS {} CASCADE", config_.schema).c_str()));
    PQfinish(c);
  }
  std::unique_ptr<Store> open() {
    auto store = Store::open(config_);
    EXPECT_OK(store);
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::vector<StagedRow> page(const std::string& run, int from, int count) {
    std::vector<StagedRow> rows;
    for (int n = from; n < from + count; ++n) {
      rows.push_back({run, std::chrono::system_clock::now(), user_id(n), record_json(n),
                      n % 2 == 0 ? std::optional<std::string>(fmt::format(R"({{"login":{{"uuid":"{}"}}}})", user_id(n)))
                                 : std::nullopt});
    }
    return rows;
  }
  StoreConfig config_;
};

TEST_F(StagingStoreTest, MigratesOnceAndAgainIsANoOp) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), static_cast<int>(migrations(config_.schema).size()));
  store.reset();
  auto again = open();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->schema_version(), static_cast<int>(migrations(config_.schema).size()));
}

TEST_F(StagingStoreTest, PagesAreStagedReadInOrderAndMarkedDelivered) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  // 2,500 rows: one COPY in one transaction.
  auto seqs = store->stage(page("run-a", 0, 2500));
  ASSERT_OK(seqs);
  ASSERT_EQ(seqs->size(), 2500u);
  EXPECT_TRUE(std::is_sorted(seqs->begin(), seqs->end()));
  EXPECT_EQ(std::set<int64_t>(seqs->begin(), seqs->end()).size(), 2500u);
  EXPECT_EQ(store->counts().value().at(DeliveryState::kPending), 2500);

  auto first = store->pending(0, 1000);
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 1000u);
  EXPECT_EQ((*first)[0].seq, (*seqs)[0]);
  EXPECT_EQ((*first)[0].user_id, user_id(0));
  EXPECT_EQ((*first)[0].record_json, record_json(0)) << "the record's text, as staged";
  auto next = store->pending(first->back().seq, 1000);
  ASSERT_OK(next);
  EXPECT_EQ(next->front().user_id, user_id(1000));

  std::vector<int64_t> delivered(seqs->begin(), seqs->begin() + 1500);
  EXPECT_EQ(store->mark_delivered(delivered).value(), 1500u);
  EXPECT_EQ(store->mark_delivered(delivered).value(), 0u) << "marking twice changes nothing";
  const auto counts = store->counts().value();
  EXPECT_EQ(counts.at(DeliveryState::kPending), 1000);
  EXPECT_EQ(counts.at(DeliveryState::kDelivered), 1500);
  auto left = store->pending(0, 5000);
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1000u);
  EXPECT_EQ(left->front().user_id, user_id(1500));
}

// A page goes in by COPY, whose text format reads backslashes, tabs and newlines: JSON full of
// them (escaped quotes, backslashes and controls, "\\N", non-ASCII) comes back byte for byte.
TEST_F(StagingStoreTest, RecordsAndUsersWithEscapesComeBackUnchanged) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto rows = page("run-esc", 0, 2);
  rows[0].record_json = R"({"id":")" + user_id(0) + R"(","first_name":"O\"Brien \\ \n\t\u00e9","last_name":"tab\tin"})";
  rows[0].raw = R"({"name":{"first":"O\"Brien \\ \n"},"note":"Zoë 東京 \\N"})";
  ASSERT_OK(store->stage(rows));
  auto back = store->pending(0, 10);
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].record_json, rows[0].record_json);
  EXPECT_EQ((*back)[1].record_json, rows[1].record_json);
  PGconn* c = PQconnectdb(fmt::format("host=127.0.0.1 port={} dbname={} user=rdstream password={}", config_.port,
                                      config_.database, config_.password)
                              .c_str());
  PGresult* r = PQexec(c, fmt::format("SELECT raw->'name'->>'first', raw->>'note', raw IS NULL FROM {}.staged_users "
                                      "ORDER BY seq", config_.schema).c_str());
  ASSERT_EQ(PQntuples(r), 2);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "O\"Brien \\ \n");
  EXPECT_STREQ(PQgetvalue(r, 0, 1), "Zoë 東京 \\N");
  EXPECT_STREQ(PQgetvalue(r, 1, 2), "t") << "no user JSON: NULL";
  PQclear(r);
  PQfinish(c);
}

TEST_F(StagingStoreTest, APageIsAllOrNothing) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto rows = page("run-b", 0, 1500);
  rows[1200].user_id = "not-a-uuid";
  auto refused = store->stage(rows);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("uuid"), std::string::npos) << refused.error().message;
  EXPECT_EQ(store->counts().value().at(DeliveryState::kPending), 0);
  ASSERT_OK(store->stage(page("run-b", 0, 10)));  // the connection is usable after the rollback
  EXPECT_EQ(store->counts().value().at(DeliveryState::kPending), 10);
}

TEST_F(StagingStoreTest, ReplayReadsARunOrATimeAndRetentionDeletesDeliveredRowsInBatches) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto a = store->stage(page("run-a", 0, 300));
  const std::string between = iso8601_utc(std::chrono::system_clock::now());
  auto b = store->stage(page("run-b", 300, 200));
  ASSERT_OK(a);
  ASSERT_OK(b);
  auto run_a = store->run_rows("run-a", 0, 10'000);
  ASSERT_OK(run_a);
  ASSERT_EQ(run_a->size(), 300u);
  EXPECT_EQ(run_a->back().user_id, user_id(299));
  auto since = store->rows_since(between, 0, 10'000);
  ASSERT_OK(since);
  ASSERT_EQ(since->size(), 200u);
  EXPECT_EQ(since->front().user_id, user_id(300));

  ASSERT_OK(store->mark_delivered(*a));
  // Delivered rows older than an hour: none yet.
  EXPECT_EQ(store->delete_delivered(std::chrono::hours(1), 1000).value(), 0u);
  // Older than 0 s, 120 at a time: delivered rows only, in bounded batches.
  EXPECT_EQ(store->delete_delivered(std::chrono::seconds(0), 120).value(), 120u);
  EXPECT_EQ(store->delete_delivered(std::chrono::seconds(0), 120).value(), 120u);
  EXPECT_EQ(store->delete_delivered(std::chrono::seconds(0), 120).value(), 60u);
  EXPECT_EQ(store->delete_delivered(std::chrono::seconds(0), 120).value(), 0u);
  const auto counts = store->counts().value();
  EXPECT_EQ(counts.at(DeliveryState::kDelivered), 0);
  EXPECT_EQ(counts.at(DeliveryState::kPending), 200);
}

TEST_F(StagingStoreTest, AnUnreachableDatabaseIsRetriableAndNamesTheFix) {
  config_.port = 1;  // nothing listens there
  auto store = Store::open(config_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(store.error().retriable);
  EXPECT_NE(store.error().message.find("rdstream stack up"), std::string::npos) << store.error().message;
  config_.password.clear();  // nothing to drop
}

}  // namespace
}  // namespace rds::staging
