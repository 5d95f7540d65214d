#pragma once
// Reading configuration YAML with every problem named by its path ("cassandra.columns[2].type:
// expected a string, got a map"), shared by the mapping and table configurations. The readers
// never throw and never stop at the first problem: they add it to `Problems` and return false, so
// one run reports them all.

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/result.h"

namespace rds::config {

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

// Parses YAML text; a syntax error is kInvalidArgument "YAML syntax error at line L, column C: why"
// (1-based, as editors count).
Result<YAML::Node> load_yaml_text(std::string_view yaml_text);

bool is_one_of(std::string_view key, std::initializer_list<std::string_view> keys);
std::string kind_of(const YAML::Node& node);  // "a map", "a list", "a string", "nothing"

// Reads `node` as a non-empty list of maps ("path: expected a non-empty list of <what>" when it is
// not one) and calls on_item(item, "path[i]") for each map; an item that is no map is a problem.
void for_each_map_in_list(const YAML::Node& node, const std::string& path, std::string_view what,
                          Problems& problems,
                          const std::function<void(const YAML::Node& item, const std::string& item_path)>& on_item);
// Calls on_field(key, value, "path.key") for each entry of the map `node`.
void for_each_field(const YAML::Node& node, const std::string& path,
                    const std::function<void(const std::string& key, const YAML::Node& value,
                                             const std::string& field_path)>& on_field);

bool read_string(const YAML::Node& node, const std::string& path, Problems& problems, std::string* out);
bool read_bool(const YAML::Node& node, const std::string& path, Problems& problems, bool* out);

// An integer in [min, max], stored as `Int`.
template <typename Int>
bool read_int(const YAML::Node& node, const std::string& path, long long min, long long max, Problems& problems,
              Int* out) {
  long long value = 0;
  if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value)) {
    problems.add(path, "expected an integer");
    return false;
  }
  if (value < min || value > max) {
    problems.add(path, fmt::format("must be between {} and {}", min, max));
    return false;
  }
  *out = static_cast<Int>(value);
  return true;
}

}  // namespace rds::config
