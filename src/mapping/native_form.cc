// rdstream's own `mapping:` section (src/mapping/README.md "The native form").
#include <fmt/format.h>

#include "config/property.h"
#include "mapping/mapping_config.h"
#include "mapping/yaml_read.h"

namespace rds::mapping {

using namespace detail;  // NOLINT: the helpers are this file's vocabulary

Result<MappingConfig> parse_native_mapping(const YAML::Node& node, std::string_view path) {
  const std::string base(path);
  Problems problems;
  MappingConfig config;
  config.form = ConfigForm::kNative;
  if (!node.IsMap()) {
    problems.add(base, fmt::format("expected a map, got {}", kind_of(node)));
    return problems.error();
  }
  bool has_columns = false;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const std::string key_path = fmt::format("{}.{}", base, key);
    if (key == "element") {
      check_element(entry.second, key_path, problems);
    } else if (key == "id") {
      read_path(entry.second, key_path, /*split_dots=*/true, problems, &config.id_path);
    } else if (key == "columns") {
      has_columns = true;
      for_each_map_in_list(entry.second, key_path, "columns", problems, [&](const YAML::Node& item,
                                                                           const std::string& item_path) {
        ColumnMapping column;
        bool has_path = false;
        bool has_template = false;
        for_each_field(item, item_path, [&](const std::string& name, const YAML::Node& value,
                                            const std::string& field_path) {
          if (name == "column") {
            read_string(value, field_path, problems, &column.column);
          } else if (name == "path") {
            has_path = read_path(value, field_path, true, problems, &column.path);
          } else if (name == "template") {
            has_template = read_string(value, field_path, problems, &column.format);
          } else if (name == "values") {
            read_values(value, field_path, true, problems, &column.values);
          } else if (name == "optional") {
            read_bool(value, field_path, problems, &column.optional);
          } else if (name == "default") {
            read_string(value, field_path, problems, &column.default_value);
          } else {
            problems.add(field_path, config::unknown_key(name, {"column", "path", "template", "values", "optional", "default"}));
          }
        });
        if (!item["column"]) problems.add(item_path + ".column", "missing");
        if (has_path == has_template) {
          problems.add(item_path, "expected exactly one of path or template");
        } else if (has_template) {
          check_template(column, item_path, /*placeholders_are_paths=*/true, problems);
        }
        config.columns.push_back(std::move(column));
      });
      check_unique_columns(config.columns, key_path, problems);
    } else {
      problems.add(key_path, config::unknown_key(key, {"element", "id", "columns"}));
    }
  }
  if (!has_columns) problems.add(base + ".columns", "missing");
  if (!problems.empty()) return problems.error();
  return config;
}


}  // namespace rds::mapping
