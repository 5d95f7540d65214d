// The seed's `api.randomuser.mapping` list, read as the seed's config.yaml has it, quirks included
// (docs/compat.md "The configuration file").
#include <fmt/format.h>

#include "config/property.h"
#include "mapping/mapping_config.h"
#include "mapping/yaml_read.h"

namespace rds::mapping {
namespace {

using namespace detail;  // NOLINT: the helpers are this file's vocabulary

// The body of a seed column given as a map: `format` + `values` (a template), or rdstream's
// additions `path`, `optional`, `default`. `skip_key` is the column's own key when the body's
// keys sit at the list item's level (the seed file's indentation quirk).
void read_seed_column_body(const YAML::Node& body, const std::string& skip_key,
                           const std::string& path, Problems& problems, ColumnMapping* column) {
  bool has_format = false;
  bool has_values = false;
  bool has_path = false;
  const std::size_t problems_before = problems.count();
  for (const auto& entry : body) {
    const std::string key = entry.first.Scalar();
    if (key == skip_key) continue;
    const std::string key_path = fmt::format("{}.{}", path, key);
    if (key == "format") {
      has_format = read_string(entry.second, key_path, problems, &column->format);
    } else if (key == "values") {
      has_values = true;
      read_values(entry.second, key_path, /*split_dots=*/false, problems, &column->values);
    } else if (key == "path") {
      has_path = read_path(entry.second, key_path, false, problems, &column->path);
    } else if (key == "optional") {
      read_bool(entry.second, key_path, problems, &column->optional);
    } else if (key == "default") {
      read_string(entry.second, key_path, problems, &column->default_value);
    } else {
      problems.add(key_path, config::unknown_key(key, {"format", "values", "path", "optional", "default"}));
    }
  }
  if (has_path && (has_format || has_values)) {
    problems.add(path, "set either format and values, or path, not both");
  } else if (!has_path && !has_format) {
    problems.add(path, has_values ? "values need a format" : "expected format and values, or a path");
  } else if (has_format && problems.count() == problems_before) {
    // Only with clean values: a bad value would also show up as "no entry for ...".
    check_template(*column, path, /*placeholders_are_paths=*/false, problems);
  }
}

// One item of the seed's `mapping` list.
bool read_seed_column(const YAML::Node& item, const std::string& item_path, Problems& problems,
                      ColumnMapping* column) {
  if (!item.IsMap() || item.size() == 0) {
    problems.add(item_path, fmt::format("expected a map like `column: path`, got {}", kind_of(item)));
    return false;
  }
  if (item.size() == 1) {
    const auto entry = *item.begin();
    column->column = entry.first.Scalar();
    const std::string path = fmt::format("{}.{}", item_path, column->column);
    const YAML::Node& value = entry.second;
    if (value.IsMap()) {
      read_seed_column_body(value, "", path, problems, column);
      return true;
    }
    if (value.IsNull()) {
      problems.add(path, "expected a list of keys, a string, or format and values");
      return false;
    }
    return read_path(value, path, /*split_dots=*/false, problems, &column->path);
  }
  // Several keys: the seed's quirk, `- address:` followed by `format:` and `values:` at the same
  // indentation, which YAML reads as {address: null, format: ..., values: ...}.
  std::vector<std::string> names;
  for (const auto& entry : item) {
    const std::string key = entry.first.Scalar();
    if (!is_one_of(key, {"format", "values", "path", "optional", "default"})) names.push_back(key);
  }
  if (names.size() != 1 || !item[names.front()].IsNull()) {
    std::vector<std::string> keys;
    for (const auto& entry : item) keys.push_back(entry.first.Scalar());
    problems.add(item_path, fmt::format("expected one column per entry, got keys {}",
                                        fmt::join(keys, ", ")));
    return false;
  }
  column->column = names.front();
  read_seed_column_body(item, column->column, fmt::format("{}.{}", item_path, column->column),
                        problems, column);
  return true;
}


}  // namespace

Result<MappingConfig> parse_seed_mapping(const YAML::Node& node, std::string_view path) {
  const std::string base(path);
  Problems problems;
  MappingConfig config;
  config.form = ConfigForm::kSeed;
  if (!node.IsSequence() || node.size() == 0) {
    problems.add(base, node.IsSequence() ? std::string("expected a non-empty list of columns")
                                         : fmt::format("expected a non-empty list of columns, got {}", kind_of(node)));
    return problems.error();
  }
  for (std::size_t index = 0; index < node.size(); ++index) {
    ColumnMapping column;
    if (read_seed_column(node[index], fmt::format("{}[{}]", base, index), problems, &column)) {
      config.columns.push_back(std::move(column));
    }
  }
  check_unique_columns(config.columns, base, problems);
  if (!problems.empty()) return problems.error();
  return config;
}

}  // namespace rds::mapping
