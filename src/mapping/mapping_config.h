#pragma once
// Typed mapping configuration: which JSON field (or template of fields) fills which column.
//
// Two YAML forms are read (src/mapping/README.md shows both):
//   - the seed's `api.randomuser.mapping` list, exactly as the seed's config.yaml has it, quirks
//     included (docs/compat.md "The configuration file"); the section's url, format and element
//     are plain settings (config/settings/settings.h);
//   - rdstream's own `mapping:` section, which is stricter and more explicit.
// The settings table keeps both as YAML; app::mapping_config() picks one and parses it here.
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
  static constexpr std::string_view kResultsElement = "results";
  static constexpr std::string_view kIdColumn = "id";

  std::string element = std::string(kResultsElement);  // always "results" once loaded
  // Where the record's `id` comes from when no column named `id` is configured. The seed
  // generated a fresh uuid4 instead; rdstream takes the API's login.uuid, so replays are idempotent
  // (docs/compat.md "The record on the topic").
  JsonPath id_path = {"login", "uuid"};
  std::vector<ColumnMapping> columns;
  ConfigForm form = ConfigForm::kBuiltIn;
};

// The seed's full mapping: first_name, last_name, gender, address (template), post_code, email,
// username, dob, registered_date, phone, picture; id from login.uuid.
MappingConfig default_mapping();

// The seed's form: `node` is the `api.randomuser.mapping` list; `path` names it in errors.
Result<MappingConfig> parse_seed_mapping(const YAML::Node& node, std::string_view path = "api.randomuser.mapping");
// rdstream's form: `node` is the `mapping` map.
Result<MappingConfig> parse_native_mapping(const YAML::Node& node, std::string_view path = "mapping");

}  // namespace rds::mapping
