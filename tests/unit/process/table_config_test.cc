#include "process/table_config.h"

#include <gtest/gtest.h>

#include "support/settings_loader.h"
#include "support/result_matchers.h"

namespace rds::process {
namespace {

using test::load_table_file;
using test::load_table_text;

std::string data_file(const char* name) { return std::string(RDS_TEST_DATA_DIR) + "/" + name; }

void expect_error_mentions(const Result<TableConfig>& result, std::initializer_list<std::string_view> needles) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  for (auto needle : needles) {
    EXPECT_NE(result.error().message.find(needle), std::string::npos)
        << "'" << needle << "' not in: " << result.error().message;
  }
}

TEST(TableConfigTest, DefaultIsTheSeedTable) {
  const TableConfig table = default_table();
  ASSERT_OK(table.validate());
  EXPECT_EQ(table.qualified_name(), "spark_streams.created_users");
  ASSERT_EQ(table.columns.size(), 11u);
  EXPECT_EQ(table.columns[0].name, "id");
  EXPECT_EQ(table.columns[0].type.id, cql::TypeId::kUuid);
  EXPECT_EQ(table.find("dob"), nullptr);
  EXPECT_EQ(table.insert_statement(),
            "INSERT INTO spark_streams.created_users (id, first_name, last_name, gender, address, post_code, email, "
            "username, registered_date, phone, picture) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  EXPECT_EQ(table.create_table_statement(),
            "CREATE TABLE IF NOT EXISTS spark_streams.created_users (id uuid PRIMARY KEY, first_name text, "
            "last_name text, gender text, address text, post_code text, email text, username text, "
            "registered_date text, phone text, picture text)");
}

TEST(TableConfigTest, ReadsTheSeedConfigFileAsItIs) {
  auto table = load_table_file(data_file("seed_config.yaml"));
  ASSERT_OK(table);
  EXPECT_EQ(table->form, TableConfigForm::kSeed);
  EXPECT_EQ(table->create_table_path, "helpers/create_table_created_users.sql");
  EXPECT_EQ(table->qualified_name(), "spark_streams.created_users");
  // Same columns as the seed's DDL: id is a uuid although the schema says StringType.
  const TableConfig expected = default_table();
  ASSERT_EQ(table->columns.size(), expected.columns.size());
  for (std::size_t n = 0; n < expected.columns.size(); ++n) {
    EXPECT_EQ(table->columns[n], expected.columns[n]) << n;
  }
  EXPECT_FALSE(table->strict_columns);
}

TEST(TableConfigTest, SparkTypesMapToCql) {
  auto table = load_table_text(R"(
databases:
  cassandra_db:
    created_users:
      format: 'sql'
      schema:
        - {column_name: 'age', data_type: IntegerType, nullable: True}
        - {column_name: 'id', data_type: StringType, nullable: False}
        - {column_name: 'big', data_type: LongType, nullable: true}
        - {column_name: 'ratio', data_type: DoubleType, nullable: false}
        - {column_name: 'ok', data_type: BooleanType, nullable: false}
        - {column_name: 'seen', data_type: TimestampType, nullable: false}
        - {column_name: 'day', data_type: DateType, nullable: false}
)");
  ASSERT_OK(table);
  ASSERT_EQ(table->columns.size(), 7u);
  EXPECT_EQ(table->columns[0].name, "id");  // the key moves first
  EXPECT_EQ(table->columns[1].name, "age");
  EXPECT_EQ(table->columns[1].type.id, cql::TypeId::kInt);
  EXPECT_TRUE(table->columns[1].nullable);
  EXPECT_EQ(table->find("big")->type.id, cql::TypeId::kBigint);
  EXPECT_EQ(table->find("ratio")->type.id, cql::TypeId::kDouble);
  EXPECT_EQ(table->find("ok")->type.id, cql::TypeId::kBoolean);
  EXPECT_EQ(table->find("seen")->type.id, cql::TypeId::kTimestamp);
  EXPECT_EQ(table->find("day")->type.id, cql::TypeId::kDate);
}

TEST(TableConfigTest, SeedFormErrorsNameTheirPath) {
  expect_error_mentions(load_table_text(R"(
databases:
  cassandra_db:
    created_users:
      format: 'csv'
      colour: blue
)"),
                        {"databases.cassandra_db.created_users.format: 'csv' is not allowed: one of sql, cql",
                         "databases.cassandra_db.created_users.colour: unknown key"});
  expect_error_mentions(load_table_text(R"(
databases:
  cassandra_db:
    created_users:
      schema:
        - column_name: 'id'
          data_type: StringType
          nullable: perhaps
        - data_type: MapType
        - 'oops'
)"),
                        {"schema[0].nullable: expected true or false", "schema[1].column_name: missing",
                         "schema[1].data_type: 'MapType' is not a supported Spark type",
                         "schema[2]: expected a map, got a string"});
  // No schema: the seed's table.
  auto no_schema = load_table_text("databases: {cassandra_db: {created_users: {format: sql}}}");
  ASSERT_OK(no_schema);
  EXPECT_EQ(no_schema->columns, default_table().columns);
  expect_error_mentions(load_table_text(R"(
databases:
  cassandra_db:
    created_users:
      schema:
        - {column_name: 'name', data_type: StringType, nullable: false}
        - {column_name: 'name', data_type: StringType, nullable: false}
)"),
                        {"primary_key: no column named 'id'", "duplicate column 'name'"});
}

TEST(TableConfigTest, NativeFormWithColumns) {
  auto table = load_table_text(R"(
cassandra:
  contact_points: ['127.0.0.1']     # the session's: ignored here
  port: 9042
  keyspace: users
  table: people
  replication: {class: NetworkTopologyStrategy, dc1: 3, dc2: 2}
  strict_columns: true
  max_value_bytes: 1024
  max_record_bytes: 4096
  text_from_scalars: yes
  columns:
    - {name: id, type: uuid}
    - {name: name, type: text}
    - {name: dob, type: TIMESTAMP, nullable: true}
)");
  ASSERT_OK(table);
  EXPECT_EQ(table->form, TableConfigForm::kNative);
  EXPECT_EQ(table->qualified_name(), "users.people");
  EXPECT_EQ(table->replication.strategy, "NetworkTopologyStrategy");
  EXPECT_EQ(table->replication.dc_factors, (std::map<std::string, int>{{"dc1", 3}, {"dc2", 2}}));
  EXPECT_TRUE(table->strict_columns);
  EXPECT_TRUE(table->text_from_scalars);
  EXPECT_EQ(table->max_value_bytes, 1024u);
  EXPECT_EQ(table->max_record_bytes, 4096u);
  ASSERT_EQ(table->columns.size(), 3u);
  EXPECT_EQ(table->columns[2].type.id, cql::TypeId::kTimestamp);
  EXPECT_TRUE(table->columns[2].nullable);
}

TEST(TableConfigTest, NativeSectionWithoutColumnsKeepsTheSeedSchema) {
  auto table = load_table_text(R"(
databases:
  cassandra_db:
    created_users:
      schema:
        - {column_name: 'id', data_type: StringType, nullable: False}
        - {column_name: 'email', data_type: StringType, nullable: False}
cassandra:
  keyspace: other
  strict_columns: true
)");
  ASSERT_OK(table);
  EXPECT_EQ(table->qualified_name(), "other.created_users");
  ASSERT_EQ(table->columns.size(), 2u);
  EXPECT_EQ(table->columns[1].name, "email");
  EXPECT_TRUE(table->strict_columns);
}

TEST(TableConfigTest, NativeFormErrorsNameTheirPath) {
  expect_error_mentions(load_table_text(R"(
cassandra:
  keyspace: 'bad-name'
  max_value_bytes: 0
  tabel: typo
)"),
                        {"cassandra.max_value_bytes: 0 is out of range: must be between 1 and",
                         "cassandra.tabel: unknown key; did you mean table?"});
  expect_error_mentions(load_table_text(R"(
cassandra:
  columns:
    - {name: id, type: text}
    - {name: x, type: list<int>}
    - {type: int}
)"),
                        {"cassandra.columns[1].type: 'list<int>' is not a supported CQL type",
                         "cassandra.columns[2].name: missing"});
  expect_error_mentions(load_table_text("cassandra: {replication: {class: SimpleStrategy}}"),
                        {"cassandra.replication.replication_factor: missing"});
  // Cross-field checks run once the fields parse.
  expect_error_mentions(load_table_text(R"(
cassandra:
  keyspace: 'bad-name'
  columns:
    - {name: id, type: text}
)"),
                        {"cassandra.keyspace: 'bad-name' is not a CQL identifier",
                         "cassandra.primary_key: 'id' must be a uuid column"});
  expect_error_mentions(load_table_text("cassandra: {replication: {class: Nope}}"),
                        {"cassandra.replication.class: 'Nope' must be SimpleStrategy or NetworkTopologyStrategy"});
  expect_error_mentions(load_table_text("cassandra: [1, 2]"), {"cassandra: expected a map, got a list"});
}

TEST(TableConfigTest, NoSectionsMeansTheDefaultAndSyntaxErrorsHaveALine) {
  auto table = load_table_text("api: {randomuser: {url: 'https://x/'}}\n");
  ASSERT_OK(table);
  EXPECT_EQ(table->form, TableConfigForm::kBuiltIn);
  auto broken = load_table_text("cassandra:\n  keyspace: [unclosed\n");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("line"), std::string::npos);
  auto missing = load_table_file("/nonexistent/config.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(TableConfigTest, TypeNames) {
  EXPECT_EQ(spark_type("StringType")->id, cql::TypeId::kVarchar);
  EXPECT_FALSE(spark_type("stringtype").ok());
  EXPECT_EQ(cql_scalar_type("VarChar")->id, cql::TypeId::kVarchar);
  EXPECT_EQ(cql_scalar_type("timeuuid")->id, cql::TypeId::kTimeuuid);
  EXPECT_FALSE(cql_scalar_type("counter").ok());
}

}  // namespace
}  // namespace rds::process
