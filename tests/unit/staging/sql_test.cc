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

// A page goes in by COPY: its seqs drawn first from the table's own sequence, then one line a row.
TEST(StagingSqlTest, APageIsCopiedWithSeqsDrawnFromTheTablesSequence) {
  EXPECT_EQ(next_seqs_sql("s"),
            "SELECT nextval(pg_get_serial_sequence('s.staged_users', 'seq')) FROM generate_series(1, $1)");
  EXPECT_EQ(copy_rows_sql("s"), "COPY s.staged_users (seq, run_id, fetched_at, user_id, record, raw) FROM STDIN");
}

// COPY's text format: the four characters it reads as escapes or separators are escaped; NULL is \N.
// JSON text itself holds backslashes (escaped quotes, \n inside strings), which must reach the
// column unchanged.
TEST(StagingSqlTest, CopyFieldsEscapeWhatCopyReads) {
  std::string out;
  append_copy_field(out, std::string_view(R"({"a":"x\"y\\z","b":"1\n2"})"));
  EXPECT_EQ(out, R"({"a":"x\\"y\\\\z","b":"1\\n2"})");
  out.clear();
  append_copy_field(out, std::string_view("tab\there\nnew\rret"));
  EXPECT_EQ(out, "tab\\there\\nnew\\rret");
  out.clear();
  append_copy_field(out, std::nullopt);
  EXPECT_EQ(out, "\\N");
  out.clear();
  append_copy_field(out, std::string_view(""));
  EXPECT_EQ(out, "");
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
