#include "mapping/mapping_config.h"

#include <fmt/format.h>

#include "config/yaml_read.h"
#include "mapping/yaml_read.h"

namespace rds::mapping {

using detail::kind_of;

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
  auto document = config::load_yaml_text(yaml_text);
  if (!document.ok()) return document.take_error();
  return load_mapping(*document);
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
