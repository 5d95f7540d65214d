// The staging SQL as text: migrations numbered 1.. without gaps, every statement schema-qualified,
// the multi-row INSERT's parameters numbered as the store binds them, identifiers checked.
#include "staging/sql.h"

#include <gtest/gtest.h>

#include <regex>

namespace rds::staging {
namespace {

TEST(StagingSqlTest, MigrationsAreNumberedInOrderAndQualified) {
  const auto list = migrations("s1");
  ASSERT_GE(list.size(), 2u);
  for (std::size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i].version, static_cast<int>(i + 1));
    EXPECT_FALSE(list[i].description.empty());
    EXPECT_NE(list[i].sql.find("s1."), std::string::npos) << list[i].sql;
  }
  EXPECT_NE(list[0].sql.find("CREATE TABLE s1.staged_users"), std::string::npos);
  EXPECT_NE(list[0].sql.find("WHERE state = 0"), std::string::npos) << "the relay's partial index";
  // The seed's columns, as a view.
  for (const char* column : {"first_name", "last_name", "gender", "address", "post_code", "email", "username", "dob",
                             "registered_date", "phone", "picture"}) {
    EXPECT_NE(list[1].sql.find(std::string("AS ") + column), std::string::npos) << column;
  }
  EXPECT_NE(bootstrap_sql("s1").find("CREATE SCHEMA IF NOT EXISTS s1"), std::string::npos);
  // Rows that cannot be produced: a third state, with the reason.
  ASSERT_GE(list.size(), 3u);
  EXPECT_NE(list[2].sql.find("CHECK (state IN (0, 1, 2))"), std::string::npos) << list[2].sql;
  EXPECT_NE(list[2].sql.find("ADD COLUMN set_aside_reason text"), std::string::npos) << list[2].sql;
  EXPECT_EQ(set_aside_sql("s1"),
            "UPDATE s1.staged_users SET state = 2, set_aside_reason = $2 WHERE seq = $1 AND state = 0");
}

TEST(StagingSqlTest, TheInsertBindsFiveParametersARow) {
  const std::string sql = insert_rows_sql("s", 3);
  EXPECT_EQ(sql.rfind("INSERT INTO s.staged_users (run_id, fetched_at, user_id, record, raw) VALUES ", 0), 0u) << sql;
  EXPECT_NE(sql.find("($1, $2::timestamptz, $3::uuid, $4::json, $5::jsonb)"), std::string::npos) << sql;
  EXPECT_NE(sql.find("($11, $12::timestamptz, $13::uuid, $14::json, $15::jsonb) RETURNING seq"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("$16"), std::string::npos);
  std::regex param("\\$[0-9]+");
  EXPECT_EQ(std::distance(std::sregex_iterator(sql.begin(), sql.end(), param), std::sregex_iterator()),
            static_cast<long>(3 * kInsertParamsPerRow));
}

TEST(StagingSqlTest, StatementsTouchOnlyWhatTheyShould) {
  EXPECT_NE(select_pending_sql("s").find("WHERE state = 0 AND seq > $1 ORDER BY seq LIMIT $2"), std::string::npos);
  // Marking delivered never touches a row twice, nor a row that is not pending.
  EXPECT_NE(mark_delivered_sql("s").find("WHERE seq = ANY($1::bigint[]) AND state = 0"), std::string::npos);
  // Retention deletes delivered rows only, in a bounded batch.
  const std::string del = delete_delivered_sql("s");
  EXPECT_NE(del.find("state = 1"), std::string::npos);
  EXPECT_NE(del.find("LIMIT $2"), std::string::npos);
  EXPECT_EQ(del.find("state = 0"), std::string::npos);
  EXPECT_NE(select_run_sql("s").find("run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"), std::string::npos);
  EXPECT_NE(select_since_sql("s").find("fetched_at >= $1::timestamptz"), std::string::npos);
}

TEST(StagingSqlTest, IdentifiersAndArrays) {
  EXPECT_TRUE(is_identifier("rdstream_staging"));
  EXPECT_TRUE(is_identifier("_s2"));
  for (const char* bad : {"", "2s", "Staging", "a-b", "a b", "a;drop", "a.b", "x\"y"}) EXPECT_FALSE(is_identifier(bad)) << bad;
  EXPECT_FALSE(is_identifier(std::string(64, 'a')));
  EXPECT_EQ(int_array_literal({}), "{}");
  EXPECT_EQ(int_array_literal({1, 22, -3}), "{1,22,-3}");
}

}  // namespace
}  // namespace rds::staging
