#include "mapping/mapping_config.h"

#include <fmt/format.h>

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

}  // namespace rds::mapping
