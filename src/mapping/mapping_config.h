#pragma once
// Typed mapping configuration: which JSON field (or template of fields) fills which column.
//
// Two YAML forms are read (src/mapping/README.md shows both):
//   - the seed's `api.randomuser` section, exactly as the seed's config.yaml has it, quirks included
//     (compat.md "The configuration file");
//   - rdstream's own `mapping:` section, which is stricter and more explicit.
// Parse -> validate -> build: every problem is collected and reported with its path, e.g.
//   "api.randomuser.mapping[3].address.values.city: expected a list of keys or a string".

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rds::mapping {

// A path into the user JSON: a list of object keys ("location", "street", "number"). A key made
// of digits also indexes into an array.
using JsonPath = std::vector<std::string>;
// "location.street.number".
std::string to_string(const JsonPath& path);

// One named value of a template: `{city}` in the format is filled from `path`.
struct TemplateValue {
  std::string name;
  JsonPath path;
};

struct ColumnMapping {
  std::string column;
  JsonPath path;                       // a plain column; empty when `format` is set
  std::string format;                  // a template column: "{street_number} {street_name}"
  std::vector<TemplateValue> values;   // the template's named values
  // A missing (or null) field is an error naming the field, unless the column is optional; then
  // the column gets `default_value`.
  bool optional = false;
  std::string default_value;
};

enum class ConfigForm { kBuiltIn, kSeed, kNative };

struct MappingConfig {
  static constexpr std::string_view kDefaultUrl = "https://randomuser.me/api/";
  static constexpr std::string_view kResultsElement = "results";
  static constexpr std::string_view kIdColumn = "id";

  std::string url = std::string(kDefaultUrl);   // the seed's api.randomuser.url
  std::string element = std::string(kResultsElement);  // always "results" once loaded
  // Where the record's `id` comes from when no column named `id` is configured. The seed
  // generated a fresh uuid4 instead; compat.md asks for the API's login.uuid (idempotent replays).
  JsonPath id_path = {"login", "uuid"};
  std::vector<ColumnMapping> columns;
  ConfigForm form = ConfigForm::kBuiltIn;
};

// The seed's full mapping: first_name, last_name, gender, address (template), post_code, email,
// username, dob, registered_date, phone, picture; id from login.uuid.
MappingConfig default_mapping();

// The seed's form: `node` is the `api.randomuser` map; `path` names it in errors.
Result<MappingConfig> parse_seed_mapping(const YAML::Node& node,
                                         std::string_view path = "api.randomuser");
// rdstream's form: `node` is the `mapping` map.
Result<MappingConfig> parse_native_mapping(const YAML::Node& node, std::string_view path = "mapping");

// A whole configuration document: the native `mapping` section if present, else the seed's
// `api.randomuser` section, else the built-in default. Other sections are left to their owners.
// The seed's `url` is kept even when the native section supplies the columns.
Result<MappingConfig> load_mapping(const YAML::Node& document);
// Same, from YAML text or from a file. A YAML syntax error is reported with its line.
Result<MappingConfig> load_mapping_text(std::string_view yaml_text);
Result<MappingConfig> load_mapping_file(const std::string& file_path);

}  // namespace rds::mapping
