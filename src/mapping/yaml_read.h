#pragma once
// Internal to rds_mapping: YAML reading helpers shared by the seed's form (seed_form.cc) and the
// native form (native_form.cc). Every helper reports problems with their path instead of failing.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "mapping/mapping_config.h"

namespace rds::mapping::detail {

// Collects every problem with its path, so one run shows them all.
class Problems {
 public:
  std::size_t count() const { return list_.size(); }
  void add(const std::string& path, std::string_view what);
  bool empty() const { return list_.empty(); }
  Error error() const;  // kInvalidArgument, problems joined with "; "

 private:
  std::vector<std::string> list_;
};

bool is_one_of(std::string_view key, std::initializer_list<std::string_view> keys);
std::string kind_of(const YAML::Node& node);  // "a map", "a list", "a string", "nothing"
JsonPath split_dotted(const std::string& text);

// A path is a list of keys or a single key. The seed's form takes a string as one key (its
// `gender: 'gender'`); the native form splits it at dots ("name.first").
bool read_path(const YAML::Node& node, const std::string& path, bool split_dots, Problems& problems,
               JsonPath* out);
bool read_string(const YAML::Node& node, const std::string& path, Problems& problems, std::string* out);
bool read_bool(const YAML::Node& node, const std::string& path, Problems& problems, bool* out);
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
