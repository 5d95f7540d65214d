#include "cql/script.h"

#include <gtest/gtest.h>

namespace rds::cql {
namespace {

TEST(ScriptTest, SplitsOnSemicolonsOutsideQuotesAndComments) {
  auto parts = split_script(
      "CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy'};\n"
      "-- a comment; not a statement\n"
      "INSERT INTO k.t (a, b) VALUES ('it''s; fine', \"x;y\"); /* block; comment */\n"
      "// another; comment\n"
      "SELECT * FROM k.t  ;  ;\n");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy'}");
  EXPECT_EQ(parts[1], "INSERT INTO k.t (a, b) VALUES ('it''s; fine', \"x;y\")");
  EXPECT_EQ(parts[2], "SELECT * FROM k.t");
}

TEST(ScriptTest, HandlesTheSeedsTableFileAndUnterminatedInput) {
  auto parts = split_script(
      "CREATE TABLE IF NOT EXISTS spark_streams.created_users (\n    id UUID PRIMARY KEY,\n    first_name TEXT);");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_NE(parts[0].find("first_name TEXT)"), std::string::npos);
  EXPECT_TRUE(split_script("").empty());
  EXPECT_TRUE(split_script("  -- only a comment").empty());
  // An unterminated string or comment ends the statement at the end of the input, never hangs.
  EXPECT_EQ(split_script("SELECT 'abc").size(), 1u);
  EXPECT_EQ(split_script("SELECT 1 /* never closed").size(), 1u);
}

}  // namespace
}  // namespace rds::cql
