#pragma once
// Internal to rds_mapping: YAML reading helpers shared by the seed's form (seed_form.cc) and the
// native form (native_form.cc). Every helper reports problems with their path instead of failing;
// the generic readers (Problems, kind_of, read_string, read_bool) come from rds_config.

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/yaml_read.h"
#include "mapping/mapping_config.h"

namespace rds::mapping::detail {

using config::for_each_field;
using config::for_each_map_in_list;
using config::is_one_of;
using config::kind_of;
using config::Problems;
using config::read_bool;
using config::read_string;

JsonPath split_dotted(const std::string& text);

// A path is a list of keys or a single key. The seed's form takes a string as one key (its
// `gender: 'gender'`); the native form splits it at dots ("name.first").
bool read_path(const YAML::Node& node, const std::string& path, bool split_dots, Problems& problems,
               JsonPath* out);
void read_values(const YAML::Node& node, const std::string& path, bool split_dots, Problems& problems,
                 std::vector<TemplateValue>* out);
// Checks a template column's placeholders against its values. In the native form a placeholder
// that is not a named value is a dotted path ("{location.city}"); in the seed's it is an error.
void check_template(ColumnMapping& column, const std::string& path, bool placeholders_are_paths,
                    Problems& problems);
// `element`: 'results', or the seed's 'result'.
void check_element(const YAML::Node& node, const std::string& path, Problems& problems);
void check_unique_columns(const std::vector<ColumnMapping>& columns, const std::string& list_path,
                          Problems& problems);

}  // namespace rds::mapping::detail
