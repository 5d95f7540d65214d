#pragma once
// The Cassandra table the process stage writes: its keyspace, name, columns and CQL types, and
// the limits the validator applies to records. Typed and validated at start-up (parse -> validate
// -> build); every problem is reported with its path.
//
// Two YAML forms are read (their plain keys are settings, config/settings/settings.h; the lists
// and maps are parsed here):
//   - the seed's `databases.cassandra_db.created_users` section exactly as the seed's config.yaml
//     has it (docs/compat.md "The configuration file"):
//         create_table_path: 'helpers/create_table_created_users.sql'
//         format: 'sql'
//         schema:
//           - column_name: 'id'
//             data_type: StringType        # Spark SQL type names
//             nullable: False
//     Spark types map to CQL: StringType->text, IntegerType->int, LongType->bigint,
//     ShortType->smallint, ByteType->tinyint, DoubleType->double, FloatType->float,
//     BooleanType->boolean, TimestampType->timestamp, DateType->date, BinaryType->blob.
//     The key column `id` is a uuid whatever its data_type says: the seed's DDL declares
//     `id UUID PRIMARY KEY` while its schema says StringType (docs/compat.md "The table").
//   - rdstream's `cassandra:` keys: keyspace, table, replication ({class: SimpleStrategy,
//     replication_factor: 1}), primary_key, strict_columns, max_value_bytes, max_record_bytes,
//     text_from_scalars, create_table_path and columns ([{name: id, type: uuid}, {name: dob,
//     type: text, nullable: true}, ...]; nullable false by default). Columns given there win over
//     the seed's schema; without either, the seed's table (default_table()).
//
// The seed's schema has no `dob` while records carry it: a record column that the table lacks is
// ignored unless strict_columns is set (docs/compat.md "The table").

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "cql/data_type.h"

namespace rds::process {

struct ColumnSpec {
  std::string name;
  cql::DataType type{cql::TypeId::kVarchar};
  bool nullable = false;
  bool operator==(const ColumnSpec&) const = default;
};

// Mirrors cassandra::KeyspaceSpec's replication fields (SimpleStrategy or NetworkTopologyStrategy).
struct Replication {
  std::string strategy = "SimpleStrategy";
  int replication_factor = 1;
  std::map<std::string, int> dc_factors;
  bool operator==(const Replication&) const = default;
};

enum class TableConfigForm { kBuiltIn, kSeed, kNative };

struct TableConfig {
  static constexpr std::string_view kDefaultKeyspace = "spark_streams";
  static constexpr std::string_view kDefaultTable = "created_users";
  static constexpr std::string_view kIdColumn = "id";
  static constexpr std::size_t kDefaultMaxValueBytes = 64 * 1024;
  static constexpr std::size_t kDefaultMaxRecordBytes = 1024 * 1024;

  std::string keyspace = std::string(kDefaultKeyspace);
  std::string table = std::string(kDefaultTable);
  Replication replication;
  std::string primary_key = std::string(kIdColumn);  // a uuid column; the record's `id`
  std::vector<ColumnSpec> columns;                     // in INSERT order, primary key first
  bool strict_columns = false;
  std::size_t max_value_bytes = kDefaultMaxValueBytes;    // per column value (string bytes)
  std::size_t max_record_bytes = kDefaultMaxRecordBytes;  // the whole Kafka record value
  bool text_from_scalars = false;
  std::string create_table_path;  // the seed's DDL file, when given
  TableConfigForm form = TableConfigForm::kBuiltIn;

  // Cross-field checks (primary key present and a uuid, unique names, identifiers, limits).
  Status validate(std::string_view path = "cassandra") const;

  const ColumnSpec* find(std::string_view column) const;
  std::string qualified_name() const;  // "spark_streams.created_users"
  // INSERT INTO spark_streams.created_users (id, first_name, ...) VALUES (?, ?, ...)
  std::string insert_statement() const;
  // CREATE TABLE IF NOT EXISTS spark_streams.created_users (id uuid PRIMARY KEY, ...)
  std::string create_table_statement() const;
};

// The seed's table (docs/compat.md "The table"): id uuid and ten text columns, no dob.
TableConfig default_table();

// "StringType" -> text, ... (see the header comment); error for an unknown name.
Result<cql::DataType> spark_type(std::string_view name);
// CQL scalar type names: text, varchar, ascii, int, bigint, smallint, tinyint, float, double,
// boolean, uuid, timeuuid, timestamp, date, blob.
Result<cql::DataType> cql_scalar_type(std::string_view name);

// The sections the settings table keeps as YAML (app::table_config() puts a TableConfig together
// from them and the plain settings, then validate()s it):
// the seed's `databases.cassandra_db.created_users.schema` list, key column first;
Result<std::vector<ColumnSpec>> parse_seed_schema(const YAML::Node& node,
                                                  std::string_view path = "databases.cassandra_db.created_users.schema");
// rdstream's `cassandra.columns` list;
Result<std::vector<ColumnSpec>> parse_columns(const YAML::Node& node, std::string_view path = "cassandra.columns");
// rdstream's `cassandra.replication` map.
Result<Replication> parse_replication(const YAML::Node& node, std::string_view path = "cassandra.replication");

}  // namespace rds::process
