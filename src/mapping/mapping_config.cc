#include "mapping/mapping_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <set>

#include "mapping/template.h"

namespace rds::mapping {
namespace {

// Collects every problem with its path, so one run of `rdstream check` shows them all.
class Problems {
 public:
  std::size_t count() const { return list_.size(); }
  void add(const std::string& path, std::string_view what) {
    list_.push_back(fmt::format("{}: {}", path, what));
  }
  bool empty() const { return list_.empty(); }
  Error error() const {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}", fmt::join(list_, "; ")));
  }

 private:
  std::vector<std::string> list_;
};

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

// A path is a list of keys or a single key. The seed's form takes a string as one key (its
// `gender: 'gender'`); the native form splits it at dots ("name.first").
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

bool read_string(const YAML::Node& node, const std::string& path, Problems& problems,
                 std::string* out) {
  if (!node.IsScalar()) {
    problems.add(path, fmt::format("expected a string, got {}", kind_of(node)));
    return false;
  }
  *out = node.Scalar();
  return true;
}

bool read_bool(const YAML::Node& node, const std::string& path, Problems& problems, bool* out) {
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, *out)) {
    problems.add(path, "expected true or false");
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

// Checks a template column's placeholders against its values. In the native form a placeholder
// that is not a named value is a dotted path ("{location.city}"); in the seed's it is an error.
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
      problems.add(key_path, "unknown key (expected format, values, path, optional or default)");
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

void check_element(const YAML::Node& node, const std::string& path, Problems& problems) {
  std::string element;
  if (!read_string(node, path, problems, &element)) return;
  // The seed says 'result' but the API's array is "results" (compat.md): accept both, use the latter.
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

}  // namespace

std::string to_string(const JsonPath& path) { return fmt::format("{}", fmt::join(path, ".")); }

MappingConfig default_mapping() {
  auto plain = [](std::string column, JsonPath path) {
    ColumnMapping c;
    c.column = std::move(column);
    c.path = std::move(path);
    return c;
  };
  ColumnMapping address;
  address.column = "address";
  address.format = "{street_number} {street_name}, {city}, {state}, {country}";
  address.values = {{"street_number", {"location", "street", "number"}},
                    {"street_name", {"location", "street", "name"}},
                    {"city", {"location", "city"}},
                    {"state", {"location", "state"}},
                    {"country", {"location", "country"}}};
  MappingConfig config;
  config.form = ConfigForm::kBuiltIn;
  config.columns = {plain("id", {"login", "uuid"}),
                    plain("first_name", {"name", "first"}),
                    plain("last_name", {"name", "last"}),
                    plain("gender", {"gender"}),
                    std::move(address),
                    plain("post_code", {"location", "postcode"}),
                    plain("email", {"email"}),
                    plain("username", {"login", "username"}),
                    plain("dob", {"dob", "date"}),
                    plain("registered_date", {"registered", "date"}),
                    plain("phone", {"phone"}),
                    plain("picture", {"picture", "medium"})};
  return config;
}

Result<MappingConfig> parse_seed_mapping(const YAML::Node& node, std::string_view path) {
  const std::string base(path);
  Problems problems;
  MappingConfig config;
  config.form = ConfigForm::kSeed;
  if (!node.IsMap()) {
    problems.add(base, fmt::format("expected a map, got {}", kind_of(node)));
    return problems.error();
  }
  bool has_mapping = false;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const std::string key_path = fmt::format("{}.{}", base, key);
    if (key == "url") {
      if (read_string(entry.second, key_path, problems, &config.url) &&
          config.url.rfind("http://", 0) != 0 && config.url.rfind("https://", 0) != 0) {
        problems.add(key_path, "expected an http:// or https:// URL");
      }
    } else if (key == "format") {
      std::string format;
      if (read_string(entry.second, key_path, problems, &format) && format != "json") {
        problems.add(key_path, fmt::format("only 'json' is supported, got '{}'", format));
      }
    } else if (key == "element") {
      check_element(entry.second, key_path, problems);
    } else if (key == "mapping") {
      has_mapping = true;
      if (!entry.second.IsSequence() || entry.second.size() == 0) {
        problems.add(key_path, "expected a non-empty list of columns");
        continue;
      }
      for (std::size_t index = 0; index < entry.second.size(); ++index) {
        ColumnMapping column;
        if (read_seed_column(entry.second[index], fmt::format("{}[{}]", key_path, index), problems,
                             &column)) {
          config.columns.push_back(std::move(column));
        }
      }
      check_unique_columns(config.columns, key_path, problems);
    } else {
      problems.add(key_path, "unknown key (expected url, format, element or mapping)");
    }
  }
  if (!has_mapping) problems.add(base + ".mapping", "missing");
  if (!problems.empty()) return problems.error();
  return config;
}

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
      if (!entry.second.IsSequence() || entry.second.size() == 0) {
        problems.add(key_path, "expected a non-empty list of columns");
        continue;
      }
      for (std::size_t index = 0; index < entry.second.size(); ++index) {
        const YAML::Node& item = entry.second[index];
        const std::string item_path = fmt::format("{}[{}]", key_path, index);
        if (!item.IsMap()) {
          problems.add(item_path, fmt::format("expected a map, got {}", kind_of(item)));
          continue;
        }
        ColumnMapping column;
        bool has_path = false;
        bool has_template = false;
        for (const auto& field : item) {
          const std::string name = field.first.Scalar();
          const std::string field_path = fmt::format("{}.{}", item_path, name);
          if (name == "column") {
            read_string(field.second, field_path, problems, &column.column);
          } else if (name == "path") {
            has_path = read_path(field.second, field_path, true, problems, &column.path);
          } else if (name == "template") {
            has_template = read_string(field.second, field_path, problems, &column.format);
          } else if (name == "values") {
            read_values(field.second, field_path, true, problems, &column.values);
          } else if (name == "optional") {
            read_bool(field.second, field_path, problems, &column.optional);
          } else if (name == "default") {
            read_string(field.second, field_path, problems, &column.default_value);
          } else {
            problems.add(field_path,
                         "unknown key (expected column, path, template, values, optional or default)");
          }
        }
        if (!item["column"]) problems.add(item_path + ".column", "missing");
        if (has_path == has_template) {
          problems.add(item_path, "expected exactly one of path or template");
        } else if (has_template) {
          check_template(column, item_path, /*placeholders_are_paths=*/true, problems);
        }
        config.columns.push_back(std::move(column));
      }
      check_unique_columns(config.columns, key_path, problems);
    } else {
      problems.add(key_path, "unknown key (expected element, id or columns)");
    }
  }
  if (!has_columns) problems.add(base + ".columns", "missing");
  if (!problems.empty()) return problems.error();
  return config;
}

Result<MappingConfig> load_mapping(const YAML::Node& document) {
  if (!document || document.IsNull()) return default_mapping();
  if (!document.IsMap()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("(document): expected a map, got {}", kind_of(document)));
  }
  const YAML::Node api = document["api"];
  if (api && !api.IsMap()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("api: expected a map, got {}", kind_of(api)));
  }
  // Note: YAML::Node assignment rebinds content, not handles; keep these as fresh consts.
  const YAML::Node seed = api ? api["randomuser"] : YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node native = document["mapping"];
  if (!native) {
    if (seed) return parse_seed_mapping(seed);
    return default_mapping();
  }
  auto config = parse_native_mapping(native);
  if (seed) {
    // Still validate the seed's section; its url is the one the source should fetch.
    auto seed_config = parse_seed_mapping(seed);
    if (!seed_config.ok() && !config.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   config.error().message + "; " + seed_config.error().message);
    }
    if (!seed_config.ok()) return seed_config.take_error();
    if (config.ok()) config->url = seed_config->url;
  }
  return config;
}

Result<MappingConfig> load_mapping_text(std::string_view yaml_text) {
  YAML::Node document;
  try {
    document = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("YAML syntax error at line {}, column {}: {}", e.mark.line + 1,
                             e.mark.column + 1, e.msg));
  }
  return load_mapping(document);
}

Result<MappingConfig> load_mapping_file(const std::string& file_path) {
  YAML::Node document;
  try {
    document = YAML::LoadFile(file_path);
  } catch (const YAML::BadFile&) {
    return Error(ErrorCode::kNotFound, fmt::format("{}: cannot open the file", file_path));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}:{}:{}: YAML syntax error: {}", file_path, e.mark.line + 1,
                             e.mark.column + 1, e.msg));
  }
  auto config = load_mapping(document);
  if (!config.ok()) return config.error().with_context(file_path);
  return config;
}

}  // namespace rds::mapping
