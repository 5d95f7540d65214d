#include "process/table_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "config/property.h"
#include "config/yaml_read.h"

namespace rds::process {
namespace {

using config::for_each_field;
using config::for_each_map_in_list;
using config::kind_of;
using config::Problems;
using config::read_bool;
using config::read_int;
using config::read_string;

// CQL unquoted identifiers: letters, digits and underscores, not starting with a digit (we keep
// to these so that the statements need no quoting).
bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 48 || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_supported_scalar(cql::TypeId id) {
  switch (id) {
    case cql::TypeId::kAscii:
    case cql::TypeId::kVarchar:
    case cql::TypeId::kInt:
    case cql::TypeId::kBigint:
    case cql::TypeId::kSmallint:
    case cql::TypeId::kTinyint:
    case cql::TypeId::kFloat:
    case cql::TypeId::kDouble:
    case cql::TypeId::kBoolean:
    case cql::TypeId::kUuid:
    case cql::TypeId::kTimeuuid:
    case cql::TypeId::kTimestamp:
    case cql::TypeId::kDate:
    case cql::TypeId::kBlob:
      return true;
    default:
      return false;
  }
}

}  // namespace


Result<cql::DataType> spark_type(std::string_view name) {
  static const std::map<std::string_view, cql::TypeId> kTypes = {
      {"StringType", cql::TypeId::kVarchar},   {"IntegerType", cql::TypeId::kInt},
      {"LongType", cql::TypeId::kBigint},      {"ShortType", cql::TypeId::kSmallint},
      {"ByteType", cql::TypeId::kTinyint},     {"DoubleType", cql::TypeId::kDouble},
      {"FloatType", cql::TypeId::kFloat},      {"BooleanType", cql::TypeId::kBoolean},
      {"TimestampType", cql::TypeId::kTimestamp}, {"DateType", cql::TypeId::kDate},
      {"BinaryType", cql::TypeId::kBlob},
  };
  auto it = kTypes.find(name);
  if (it == kTypes.end()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("'{}' is not a supported Spark type (StringType, IntegerType, LongType, ShortType, "
                             "ByteType, DoubleType, FloatType, BooleanType, TimestampType, DateType, BinaryType)",
                             name));
  }
  return cql::DataType(it->second);
}

Result<cql::DataType> cql_scalar_type(std::string_view name) {
  static const std::map<std::string_view, cql::TypeId> kTypes = {
      {"text", cql::TypeId::kVarchar},    {"varchar", cql::TypeId::kVarchar}, {"ascii", cql::TypeId::kAscii},
      {"int", cql::TypeId::kInt},         {"bigint", cql::TypeId::kBigint},   {"smallint", cql::TypeId::kSmallint},
      {"tinyint", cql::TypeId::kTinyint}, {"float", cql::TypeId::kFloat},     {"double", cql::TypeId::kDouble},
      {"boolean", cql::TypeId::kBoolean}, {"uuid", cql::TypeId::kUuid},       {"timeuuid", cql::TypeId::kTimeuuid},
      {"timestamp", cql::TypeId::kTimestamp}, {"date", cql::TypeId::kDate},   {"blob", cql::TypeId::kBlob},
  };
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = kTypes.find(lower);
  if (it == kTypes.end()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("'{}' is not a supported CQL type (text, varchar, ascii, int, bigint, smallint, "
                             "tinyint, float, double, boolean, uuid, timeuuid, timestamp, date, blob)",
                             name));
  }
  return cql::DataType(it->second);
}

TableConfig default_table() {
  TableConfig config;
  config.columns.push_back({"id", cql::DataType(cql::TypeId::kUuid), false});
  for (const char* name : {"first_name", "last_name", "gender", "address", "post_code", "email", "username",
                           "registered_date", "phone", "picture"}) {
    config.columns.push_back({name, cql::DataType(cql::TypeId::kVarchar), false});
  }
  config.form = TableConfigForm::kBuiltIn;
  return config;
}

Status TableConfig::validate(std::string_view path) const {
  Problems problems;
  const std::string base(path);
  if (!is_identifier(keyspace)) problems.add(base + ".keyspace", fmt::format("'{}' is not a CQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 48)", keyspace));
  if (!is_identifier(table)) problems.add(base + ".table", fmt::format("'{}' is not a CQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 48)", table));
  if (columns.empty()) problems.add(base + ".columns", "must list at least the primary key");
  std::set<std::string> seen;
  for (std::size_t index = 0; index < columns.size(); ++index) {
    const auto& column = columns[index];
    const std::string column_path = fmt::format("{}.columns[{}]", base, index);
    if (!is_identifier(column.name)) {
      problems.add(column_path + ".name", fmt::format("'{}' is not a CQL identifier", column.name));
    }
    if (!seen.insert(column.name).second) problems.add(column_path + ".name", fmt::format("duplicate column '{}'", column.name));
    if (!is_supported_scalar(column.type.id)) {
      problems.add(column_path + ".type", fmt::format("{} is not supported (scalar types only)", column.type.to_cql()));
    }
  }
  const ColumnSpec* key = find(primary_key);
  if (key == nullptr) {
    problems.add(base + ".primary_key", fmt::format("no column named '{}'", primary_key));
  } else {
    if (key->type.id != cql::TypeId::kUuid && key->type.id != cql::TypeId::kTimeuuid) {
      problems.add(base + ".primary_key", fmt::format("'{}' must be a uuid column (records carry a UUID id)", primary_key));
    }
    if (key->nullable) problems.add(base + ".primary_key", fmt::format("'{}' cannot be nullable", primary_key));
  }
  if (max_value_bytes < 1 || max_value_bytes > 16 * 1024 * 1024) {
    problems.add(base + ".max_value_bytes", "must be between 1 and 16777216");
  }
  if (max_record_bytes < 2 || max_record_bytes > 64 * 1024 * 1024) {
    problems.add(base + ".max_record_bytes", "must be between 2 and 67108864");
  }
  if (problems.empty()) return ok_status();
  return problems.error();
}

const ColumnSpec* TableConfig::find(std::string_view column) const {
  for (const auto& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

std::string TableConfig::qualified_name() const { return fmt::format("{}.{}", keyspace, table); }

std::string TableConfig::insert_statement() const {
  std::vector<std::string> names;
  std::vector<std::string> markers;
  for (const auto& c : columns) {
    names.push_back(c.name);
    markers.push_back("?");
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({})", qualified_name(), fmt::join(names, ", "),
                     fmt::join(markers, ", "));
}

std::string TableConfig::create_table_statement() const {
  std::vector<std::string> defs;
  for (const auto& c : columns) {
    defs.push_back(fmt::format("{} {}{}", c.name, c.type.to_cql(), c.name == primary_key ? " PRIMARY KEY" : ""));
  }
  return fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", qualified_name(), fmt::join(defs, ", "));
}

Result<Replication> parse_replication(const YAML::Node& node, std::string_view path_view) {
  const std::string path(path_view);
  Problems problems;
  if (!node.IsMap()) {
    problems.add(path, fmt::format("expected a map, got {}", kind_of(node)));
    return problems.error();
  }
  Replication replication;
  replication.dc_factors.clear();
  bool has_class = false;
  bool has_factor = false;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const std::string key_path = fmt::format("{}.{}", path, key);
    if (key == "class") {
      has_class = read_string(entry.second, key_path, problems, &replication.strategy);
      // Cassandra accepts the fully qualified names too.
      const std::string prefix = "org.apache.cassandra.locator.";
      if (replication.strategy.rfind(prefix, 0) == 0) replication.strategy = replication.strategy.substr(prefix.size());
    } else if (key == "replication_factor") {
      has_factor = read_int(entry.second, key_path, 1, 100, problems, &replication.replication_factor);
    } else {
      int factor = 0;
      if (read_int(entry.second, key_path, 0, 100, problems, &factor)) replication.dc_factors[key] = factor;
    }
  }
  if (!has_class) {
    problems.add(path + ".class", "missing (SimpleStrategy or NetworkTopologyStrategy)");
  } else if (replication.strategy == "SimpleStrategy") {
    if (!replication.dc_factors.empty()) problems.add(path, "SimpleStrategy takes only replication_factor");
    if (!has_factor) problems.add(path + ".replication_factor", "missing");
  } else if (replication.strategy == "NetworkTopologyStrategy") {
    if (has_factor) problems.add(path + ".replication_factor", "NetworkTopologyStrategy takes <data centre>: <factor>");
    if (replication.dc_factors.empty()) problems.add(path, "NetworkTopologyStrategy needs at least one data centre");
  } else {
    problems.add(path + ".class",
                 fmt::format("'{}' must be SimpleStrategy or NetworkTopologyStrategy", replication.strategy));
  }
  if (!problems.empty()) return problems.error();
  return replication;
}


namespace {

// The two column lists differ only in their key names and type names.
struct ColumnKeys {
  const char* name;
  const char* type;
  Result<cql::DataType> (*type_of)(std::string_view);
};

Result<std::vector<ColumnSpec>> parse_column_list(const YAML::Node& node, std::string_view path, ColumnKeys keys) {
  const std::string base(path);
  const std::string name_key = keys.name;
  const std::string type_key = keys.type;
  Problems problems;
  std::vector<ColumnSpec> columns;
  const auto read_column = [&](const YAML::Node& item, const std::string& item_path) {
    ColumnSpec column;
    bool has_name = false;
    bool has_type = false;
    for_each_field(item, item_path, [&](const std::string& name, const YAML::Node& value,
                                        const std::string& field_path) {
      if (name == name_key) {
        has_name = read_string(value, field_path, problems, &column.name);
      } else if (name == type_key) {
        std::string type_name;
        if (read_string(value, field_path, problems, &type_name)) {
          has_type = true;
          auto type = keys.type_of(type_name);
          if (!type.ok()) {
            problems.add(field_path, type.error().message);
          } else {
            column.type = *type;
          }
        }
      } else if (name == "nullable") {
        read_bool(value, field_path, problems, &column.nullable);
      } else {
        problems.add(field_path, config::unknown_key(name, {name_key, type_key, "nullable"}));
      }
    });
    if (!has_name) problems.add(fmt::format("{}.{}", item_path, name_key), "missing");
    if (!has_type) problems.add(fmt::format("{}.{}", item_path, type_key), "missing");
    columns.push_back(std::move(column));
  };
  for_each_map_in_list(node, base, fmt::format("{{{}, {}, nullable}}", name_key, type_key), problems, read_column);
  if (!problems.empty()) return problems.error();
  return columns;
}

}  // namespace

Result<std::vector<ColumnSpec>> parse_seed_schema(const YAML::Node& node, std::string_view path) {
  auto columns = parse_column_list(node, path, {"column_name", "data_type", &spark_type});
  if (!columns.ok()) return columns;
  for (auto& column : *columns) {
    // The DDL's `id UUID PRIMARY KEY` (docs/compat.md "The table"): the schema's StringType is the record's.
    if (column.name == TableConfig::kIdColumn) column.type = cql::DataType(cql::TypeId::kUuid);
  }
  // The key first, as the DDL has it; the others in the schema's order.
  std::stable_partition(columns->begin(), columns->end(),
                        [](const ColumnSpec& c) { return c.name == TableConfig::kIdColumn; });
  return columns;
}

Result<std::vector<ColumnSpec>> parse_columns(const YAML::Node& node, std::string_view path) {
  return parse_column_list(node, path, {"name", "type", &cql_scalar_type});
}

}  // namespace rds::process
