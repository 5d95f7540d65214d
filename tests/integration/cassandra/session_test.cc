// The asynchronous client against the real Cassandra of the shared test stack.

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "cassandra/schema.h"
#include "cassandra/session.h"
#include "integration/cassandra/test_env.h"
#include "support/temp_dir.h"
#include "support/result_matchers.h"

namespace rds::cassandra {
namespace {

using test::stack_session_config;

TEST(CassandraSession, LogsInAndQueries) {
  auto session = Session::connect(stack_session_config());
  ASSERT_OK(session);
  auto result = (*session)->query("SELECT release_version FROM system.local", cql::Consistency::kOne);
  ASSERT_OK(result);
  const auto* rows = std::get_if<cql::RowsResult>(&result->message);
  ASSERT_NE(rows, nullptr);
  ASSERT_EQ(rows->rows.size(), 1u);
  auto version = rows->value(0, 0);
  ASSERT_OK(version);
  EXPECT_EQ(version->get_if<std::string>()->substr(0, 2), "5.");
  // connect() returns with the first ready connection; the second of the pool follows.
  auto hosts = (*session)->hosts();
  for (int i = 0; i < 50 && hosts.at(0).ready_connections < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    hosts = (*session)->hosts();
  }
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_TRUE(hosts[0].up);
  EXPECT_GT(hosts[0].token_count, 0u);
  EXPECT_EQ(hosts[0].ready_connections, 2);
}

TEST(CassandraSession, WrongPasswordIsAClearAuthError) {
  auto config = stack_session_config();
  config.credentials.password = "not-the-password";
  auto session = Session::connect(config);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kAuth);
  EXPECT_FALSE(session.error().retriable);
  EXPECT_NE(session.error().message.find("logging in as 'cassandra'"), std::string::npos) << session.error().message;
  EXPECT_EQ(session.error().message.find("not-the-password"), std::string::npos);
}

TEST(CassandraSession, Lz4Compression) {
  auto config = stack_session_config();
  config.compression = cql::Compression::kLz4;
  auto session = Session::connect(config);
  ASSERT_OK(session);
  auto result = (*session)->query("SELECT keyspace_name FROM system_schema.keyspaces", cql::Consistency::kOne);
  ASSERT_OK(result);
  EXPECT_GE(std::get<cql::RowsResult>(result->message).rows.size(), 5u);
}

TEST(CassandraSession, ServerErrorsCarryTheirCode) {
  auto session = Session::connect(stack_session_config());
  ASSERT_OK(session);
  auto r = (*session)->execute_sync(Statement::of("SELEC nonsense"));
  ASSERT_FALSE(r.response.ok());
  EXPECT_EQ(r.cql_code, cql::CqlErrorCode::kSyntaxError);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_FALSE(r.response.error().retriable);
}

TEST(CassandraSession, SchemaHelpers) {
  auto session = Session::connect(stack_session_config());
  ASSERT_OK(session);
  KeyspaceSpec spec;
  spec.name = "rds_client_schema";
  ASSERT_OK(create_keyspace(**session, spec));
  ASSERT_OK(create_keyspace(**session, spec));  // idempotent
  auto status = execute_script(**session,
                               "-- a script like the seed's helpers/*.sql\n"
                               "CREATE TABLE IF NOT EXISTS rds_client_schema.t (id int PRIMARY KEY, v text);\n"
                               "INSERT INTO rds_client_schema.t (id, v) VALUES (1, 'a;b');\n");
  ASSERT_OK(status);
  auto bad = execute_script(**session, "SELECT * FROM rds_client_schema.t; SELECT * FROM nowhere.t;");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("statement 2"), std::string::npos) << bad.error().message;
  EXPECT_OK((*session)->wait_for_schema_agreement(std::chrono::seconds(10)));
  KeyspaceSpec invalid;
  invalid.name = "bad-name";
  EXPECT_EQ(create_keyspace(**session, invalid).error().code, ErrorCode::kInvalidArgument);
}

TEST(CassandraSession, ExecutesAScriptFile) {
  auto session = Session::connect(stack_session_config());
  ASSERT_OK(session);
  test::TempDir dir;
  const auto path = dir.path() / "create_table_created_users.sql";
  {
    // The shape of the seed's helpers/create_table_created_users.sql: keyspace, then table.
    std::ofstream out(path);
    out << "CREATE KEYSPACE IF NOT EXISTS rds_client_file\n"
           "WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'};\n\n"
           "CREATE TABLE IF NOT EXISTS rds_client_file.created_users (\n"
           "    id UUID PRIMARY KEY,\n    first_name TEXT,\n    registered_date TEXT);\n";
  }
  auto status = execute_file(**session, path);
  ASSERT_OK(status);
  ASSERT_OK(execute_file(**session, path));  // idempotent
  auto r = (*session)->query("SELECT id FROM rds_client_file.created_users LIMIT 1", cql::Consistency::kOne);
  EXPECT_OK(r);
  auto missing = execute_file(**session, dir.path() / "nope.cql");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace rds::cassandra
