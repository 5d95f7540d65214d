#include "cassandra/statement_splitter.h"

#include <gtest/gtest.h>
#include "support/result_matchers.h"

namespace rds::cassandra {
namespace {

using Statements = std::vector<std::string>;

TEST(StatementSplitter, SplitsOnSemicolonsAndTrims) {
  auto s = split_statements("CREATE KEYSPACE a WITH x = 1;\n\n  CREATE TABLE a.t (id int PRIMARY KEY) ;\n;");
  ASSERT_OK(s);
  EXPECT_EQ(*s, (Statements{"CREATE KEYSPACE a WITH x = 1", "CREATE TABLE a.t (id int PRIMARY KEY)"}));
}

TEST(StatementSplitter, LastStatementWithoutSemicolon) {
  EXPECT_EQ(*split_statements("SELECT 1; SELECT 2"), (Statements{"SELECT 1", "SELECT 2"}));
}

TEST(StatementSplitter, IgnoresSemicolonsInQuotes) {
  auto s = split_statements("INSERT INTO t (a) VALUES ('x;y''s;'); SELECT \"we;ird\"\"col\" FROM t;");
  ASSERT_OK(s);
  EXPECT_EQ(*s, (Statements{"INSERT INTO t (a) VALUES ('x;y''s;')", "SELECT \"we;ird\"\"col\" FROM t"}));
}

TEST(StatementSplitter, DollarQuotedStrings) {
  EXPECT_EQ(*split_statements("INSERT INTO t (a) VALUES ($$a;b$$);"),
            (Statements{"INSERT INTO t (a) VALUES ($$a;b$$)"}));
}

TEST(StatementSplitter, DropsComments) {
  auto s = split_statements(
      "-- create things; really\n"
      "CREATE TABLE t (a int PRIMARY KEY); // trailing; comment\n"
      "/* block; comment\n spanning lines */ DROP TABLE t;\n"
      "-- only a comment at the end;\n");
  ASSERT_OK(s);
  EXPECT_EQ(*s, (Statements{"CREATE TABLE t (a int PRIMARY KEY)", "DROP TABLE t"}));
}

TEST(StatementSplitter, SeedStyleFile) {
  // The shape of the seed's helpers/create_table_created_users.sql.
  auto s = split_statements(
      "CREATE KEYSPACE IF NOT EXISTS spark_streams\n"
      "WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'};\n\n"
      "CREATE TABLE IF NOT EXISTS spark_streams.created_users (\n"
      "    id UUID PRIMARY KEY,\n    first_name TEXT);\n");
  ASSERT_OK(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[1].substr(0, 40), "CREATE TABLE IF NOT EXISTS spark_streams");
}

TEST(StatementSplitter, ReportsUnterminatedConstructsWithLine) {
  auto s = split_statements("SELECT 1;\nSELECT 'oops;\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message.find("unterminated string literal (opened on line 2)"), std::string::npos)
      << s.error().message;
  EXPECT_FALSE(split_statements("/* never closed").ok());
  EXPECT_FALSE(split_statements("SELECT \"x").ok());
  EXPECT_FALSE(split_statements("$$ x").ok());
}

TEST(StatementSplitter, EmptyInput) {
  EXPECT_TRUE(split_statements("")->empty());
  EXPECT_TRUE(split_statements("  ;; -- x\n")->empty());
}

}  // namespace
}  // namespace rds::cassandra
