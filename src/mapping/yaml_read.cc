#include "mapping/yaml_read.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "mapping/template.h"

namespace rds::mapping::detail {

JsonPath split_dotted(const std::string& text) {
  JsonPath path;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    path.push_back(text.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return path;
}

bool read_path(const YAML::Node& node, const std::string& path, bool split_dots, Problems& problems,
               JsonPath* out) {
  out->clear();
  if (node.IsScalar()) {
    const auto text = node.Scalar();
    *out = split_dots ? split_dotted(text) : JsonPath{text};
  } else if (node.IsSequence()) {
    if (node.size() == 0) {
      problems.add(path, "expected a list of keys or a string, got an empty list");
      return false;
    }
    for (std::size_t index = 0; index < node.size(); ++index) {
      if (!node[index].IsScalar()) {
        problems.add(fmt::format("{}[{}]", path, index),
                     fmt::format("expected a key (a string), got {}", kind_of(node[index])));
        return false;
      }
      out->push_back(node[index].Scalar());
    }
  } else {
    problems.add(path, "expected a list of keys or a string");
    return false;
  }
  if (std::any_of(out->begin(), out->end(), [](const std::string& key) { return key.empty(); })) {
    problems.add(path, "keys must not be empty");
    return false;
  }
  return true;
}

void read_values(const YAML::Node& node, const std::string& path, bool split_dots,
                 Problems& problems, std::vector<TemplateValue>* out) {
  if (!node.IsMap()) {
    problems.add(path, fmt::format("expected a map of name: path, got {}", kind_of(node)));
    return;
  }
  for (const auto& entry : node) {
    TemplateValue value;
    value.name = entry.first.Scalar();
    if (read_path(entry.second, fmt::format("{}.{}", path, value.name), split_dots, problems,
                  &value.path)) {
      out->push_back(std::move(value));
    }
  }
}

void check_template(ColumnMapping& column, const std::string& path, bool placeholders_are_paths,
                    Problems& problems) {
  auto pieces = parse_template(column.format);
  if (!pieces.ok()) {
    problems.add(path + ".format", pieces.error().message);
    return;
  }
  for (const auto& piece : *pieces) {
    if (piece.placeholder.empty()) continue;
    const bool known = std::any_of(column.values.begin(), column.values.end(),
                                   [&](const TemplateValue& v) { return v.name == piece.placeholder; });
    if (known) continue;
    if (placeholders_are_paths) {
      JsonPath dotted = split_dotted(piece.placeholder);
      if (std::any_of(dotted.begin(), dotted.end(), [](const std::string& k) { return k.empty(); })) {
        problems.add(path + ".template", fmt::format("'{{{}}}' is not a path", piece.placeholder));
        continue;
      }
      column.values.push_back({piece.placeholder, std::move(dotted)});
    } else {
      problems.add(path + ".values",
                   fmt::format("no entry for '{{{}}}' used in format", piece.placeholder));
    }
  }
}


void check_element(const YAML::Node& node, const std::string& path, Problems& problems) {
  std::string element;
  if (!read_string(node, path, problems, &element)) return;
  // The seed says 'result' but the API's array is "results" (docs/compat.md "The configuration
  // file"): accept both, use the latter.
  if (element != "results" && element != "result") {
    problems.add(path, fmt::format("expected 'results' (the seed's 'result' is accepted), got '{}'",
                                   element));
  }
}

void check_unique_columns(const std::vector<ColumnMapping>& columns, const std::string& list_path,
                          Problems& problems) {
  std::set<std::string> seen;
  for (std::size_t index = 0; index < columns.size(); ++index) {
    const auto& name = columns[index].column;
    if (name.empty()) {
      problems.add(fmt::format("{}[{}]", list_path, index), "column name must not be empty");
    } else if (!seen.insert(name).second) {
      problems.add(fmt::format("{}[{}]", list_path, index), fmt::format("duplicate column '{}'", name));
    }
  }
}


}  // namespace rds::mapping::detail
