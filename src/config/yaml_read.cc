#include "config/yaml_read.h"

#include <algorithm>

namespace rds::config {

void Problems::add(const std::string& path, std::string_view what) {
  list_.push_back(fmt::format("{}: {}", path, what));
}

Error Problems::error() const {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}", fmt::join(list_, "; ")));
}

Result<YAML::Node> load_yaml_text(std::string_view yaml_text) {
  try {
    return YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("YAML syntax error at line {}, column {}: {}",
                                                          e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

bool is_one_of(std::string_view key, std::initializer_list<std::string_view> keys) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a string";
    default: return "nothing";
  }
}

bool read_string(const YAML::Node& node, const std::string& path, Problems& problems, std::string* out) {
  if (!node.IsScalar()) {
    problems.add(path, fmt::format("expected a string, got {}", kind_of(node)));
    return false;
  }
  *out = node.Scalar();
  return true;
}

bool read_bool(const YAML::Node& node, const std::string& path, Problems& problems, bool* out) {
  // yaml-cpp reads the seed's `False` as false (true/True/TRUE, yes, on... likewise).
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, *out)) {
    problems.add(path, "expected true or false");
    return false;
  }
  return true;
}

void for_each_map_in_list(const YAML::Node& node, const std::string& path, std::string_view what,
                          Problems& problems,
                          const std::function<void(const YAML::Node& item, const std::string& item_path)>& on_item) {
  if (!node.IsSequence() || node.size() == 0) {
    problems.add(path, fmt::format("expected a non-empty list of {}", what));
    return;
  }
  for (std::size_t index = 0; index < node.size(); ++index) {
    const YAML::Node& item = node[index];
    const std::string item_path = fmt::format("{}[{}]", path, index);
    if (!item.IsMap()) {
      problems.add(item_path, fmt::format("expected a map, got {}", kind_of(item)));
      continue;
    }
    on_item(item, item_path);
  }
}

void for_each_field(const YAML::Node& node, const std::string& path,
                    const std::function<void(const std::string& key, const YAML::Node& value,
                                             const std::string& field_path)>& on_field) {
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    on_field(key, entry.second, fmt::format("{}.{}", path, key));
  }
}

}  // namespace rds::config
