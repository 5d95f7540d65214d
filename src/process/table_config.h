#pragma once
// The Cassandra table the process stage writes: its keyspace, name, columns and CQL types, and
// the limits the validator applies to records. Typed and validated at start-up (parse -> validate
// -> build); every problem is reported with its path.
//
// Two YAML forms are read:
//   - the seed's `databases.cassandra_db.created_users` section exactly as the seed's config.yaml
//     has it (compat.md "The configuration file"):
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
//     `id UUID PRIMARY KEY` while its schema says StringType (compat.md "The table").
//     The keyspace is the seed's `spark_streams`, the table the section's name (`created_users`).
//   - rdstream's native `cassandra:` section:
//         cassandra:
//           keyspace: spark_streams
//           table: created_users
//           replication: {class: SimpleStrategy, replication_factor: 1}
//           primary_key: id
//           strict_columns: false        # true: a record column the table lacks is rejected
//           max_value_bytes: 65536
//           max_record_bytes: 1048576
//           text_from_scalars: false     # true: JSON numbers/booleans are accepted for text columns
//           columns:
//             - {name: id, type: uuid}
//             - {name: first_name, type: text}            # nullable: false by default
//             - {name: dob, type: text, nullable: true}
//     `columns` may be left out: the columns then come from the seed's section (or the built-in
//     default), and the native section only sets the other keys. The same `cassandra:` section
//     also holds the session's own settings (contact points, credentials...): those keys are left
//     to their owner (see kSessionKeys) and not reported as unknown.
//
// The seed's schema has no `dob` while records carry it: a record column that the table lacks is
// ignored unless strict_columns is set (compat.md "The table").

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <map>
#include <set>
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

// The seed's table (compat.md "The table"): id uuid and ten text columns, no dob.
TableConfig default_table();

// Keys of the native `cassandra:` section that belong to the session (cassandra::SessionConfig),
// not to the table: accepted and ignored here.
extern const std::set<std::string> kSessionKeys;

// "StringType" -> text, ... (see the header comment); error for an unknown name.
Result<cql::DataType> spark_type(std::string_view name);
// CQL scalar type names: text, varchar, ascii, int, bigint, smallint, tinyint, float, double,
// boolean, uuid, timeuuid, timestamp, date, blob.
Result<cql::DataType> cql_scalar_type(std::string_view name);

// The seed's form: `node` is the `databases.cassandra_db.<table>` map.
Result<TableConfig> parse_seed_table(const YAML::Node& node, std::string_view table_name = "created_users",
                                     std::string_view path = "databases.cassandra_db.created_users");
// The native form on top of `base` (whose columns are kept when the section has none).
Result<TableConfig> parse_native_table(const YAML::Node& node, TableConfig base,
                                       std::string_view path = "cassandra",
                                       const std::set<std::string>& foreign_keys = kSessionKeys);

// A whole document: the seed's section if present (else the built-in default), then the native
// `cassandra:` section on top if present. Other sections are left to their owners.
Result<TableConfig> load_table(const YAML::Node& document);
Result<TableConfig> load_table_text(std::string_view yaml_text);
Result<TableConfig> load_table_file(const std::string& file_path);

}  // namespace rds::process
