#include "mapping/mapping_config.h"

#include <gtest/gtest.h>

#include "mapping/mapper.h"
#include "support/settings_loader.h"
#include "unit/mapping/sample_user.h"
#include "support/result_matchers.h"

namespace rds::mapping {
namespace {

using test::load_mapping_file;
using test::load_mapping_text;

const std::string kSeedConfig = std::string(RDS_TEST_DATA_DIR) + "/seed_config.yaml";

std::string load_error(std::string_view yaml) {
  auto config = load_mapping_text(yaml);
  if (config.ok()) return "(loaded)";
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  return config.error().message;
}

std::vector<std::string> column_names(const MappingConfig& config) {
  std::vector<std::string> names;
  for (const auto& column : config.columns) names.push_back(column.column);
  return names;
}

TEST(MappingConfigTest, LoadsTheSeedConfigFileWithItsQuirks) {
  auto config = load_mapping_file(kSeedConfig);
  ASSERT_OK(config);
  EXPECT_EQ(config->form, ConfigForm::kSeed);
  EXPECT_EQ((*test::load_settings_file(kSeedConfig))->ingest.url(), "https://randomuser.me/api/");
  EXPECT_EQ(config->element, "results");  // the seed says 'result'
  EXPECT_EQ(column_names(*config),
            (std::vector<std::string>{"first_name", "last_name", "gender", "address", "post_code",
                                      "email", "username", "dob", "registered_date", "phone",
                                      "picture"}));
  const ColumnMapping& address = config->columns[3];
  EXPECT_EQ(address.format, "{street_number} {street_name}, {city}, {state}, {country}");
  ASSERT_EQ(address.values.size(), 5u);
  EXPECT_EQ(address.values[2].name, "city");
  EXPECT_EQ(address.values[2].path, (JsonPath{"location", "city"}));
  EXPECT_EQ(config->columns[2].path, JsonPath{"gender"});
}

TEST(MappingConfigTest, SeedConfigMapsLikeTheBuiltInDefault) {
  auto config = load_mapping_file(kSeedConfig);
  ASSERT_OK(config);
  auto mapper = Mapper::create(*config);
  ASSERT_OK(mapper);
  // No `id` in the seed's mapping: it comes from login.uuid, first.
  EXPECT_EQ(mapper->columns(), Mapper::default_mapper().columns());
  auto record = mapper->map(testing::sample_user());
  ASSERT_OK(record);
  EXPECT_EQ(*record, *Mapper::default_mapper().map(testing::sample_user()));
}

TEST(MappingConfigTest, SeedAddressMayAlsoBeNested) {
  // The seed file has the address's format and values at the list item's level
  // (docs/compat.md "The configuration file"); the properly nested form, below, reads the same.
  auto config = load_mapping_text(R"(
api:
  randomuser:
    url: 'https://randomuser.me/api/'
    format: 'json'
    element: 'results'
    mapping:
      - address:
          format: '{n} {s}'
          values:
            n: ['location', 'street', 'number']
            s: ['location', 'street', 'name']
)");
  ASSERT_OK(config);
  auto mapper = Mapper::create(*config);
  EXPECT_EQ(*mapper->map(testing::sample_user())->find("address"), "4127 Harbour Road");
}

TEST(MappingConfigTest, DefaultMappingWhenNoSectionIsPresent) {
  auto config = load_mapping_text("databases: {}\n");
  ASSERT_OK(config);
  EXPECT_EQ(config->form, ConfigForm::kBuiltIn);
  EXPECT_EQ(column_names(*config), column_names(default_mapping()));
  EXPECT_EQ(load_mapping_text("")->form, ConfigForm::kBuiltIn);
}

TEST(MappingConfigTest, NativeSectionWinsButKeepsTheSeedUrl) {
  auto config = load_mapping_text(R"(
api:
  randomuser:
    url: 'http://127.0.0.1:8088/api/'
    mapping:
      - gender: 'gender'
mapping:
  columns:
    - {column: email, path: email}
)");
  ASSERT_OK(config);
  EXPECT_EQ(config->form, ConfigForm::kNative);
  const char* yaml = R"(
api:
  randomuser:
    url: 'http://127.0.0.1:8088/api/'
mapping:
  columns:
    - {column: email, path: email}
)";
  EXPECT_EQ((*test::load_settings_text(yaml))->ingest.url(), "http://127.0.0.1:8088/api/");
  EXPECT_EQ(column_names(*config), std::vector<std::string>{"email"});
}

TEST(MappingConfigTest, BadSeedPathNamesTheEntry) {
  EXPECT_EQ(load_error(R"(
api:
  randomuser:
    mapping:
      - first_name: ['name', 'first']
      - gender: 'gender'
      - post_code: ['location', 'postcode']
      - address:
        format: '{city}'
        values:
          city: {bad: map}
)"),
            "api.randomuser.mapping[3].address.values.city: expected a list of keys or a string");
}

TEST(MappingConfigTest, SeedErrorsAreAllReportedWithPaths) {
  EXPECT_EQ(load_error(R"(
api:
  randomuser:
    url: 'ftp://x'
    format: 'xml'
    element: 'users'
    extra: 1
)"),
            "api.randomuser.url: 'ftp://x' is not an http:// or https:// URL; "
            "api.randomuser.format: 'xml' is not allowed: one of json; "
            "api.randomuser.element: 'users' is not allowed: one of results, result; "
            "api.randomuser.extra: unknown key (expected url, format, element or mapping)");
  EXPECT_EQ(load_error(R"(
api:
  randomuser:
    mapping:
      - first_name: ['name', ['first']]
      - gender:
      - a: 'x'
        b: 'y'
      - 'just a string'
      - email: 'email'
      - email: 'email'
)"),
            "api.randomuser.mapping[0].first_name[1]: expected a key (a string), got a list; "
            "api.randomuser.mapping[1].gender: expected a list of keys, a string, or format and values; "
            "api.randomuser.mapping[2]: expected one column per entry, got keys a, b; "
            "api.randomuser.mapping[3]: expected a map like `column: path`, got a string; "
            "api.randomuser.mapping[1]: duplicate column 'email'");
}

TEST(MappingConfigTest, SeedTemplateProblems) {
  EXPECT_EQ(load_error(R"(
api:
  randomuser:
    mapping:
      - address:
        format: '{city} {zip}'
        values:
          city: ['location', 'city']
)"),
            "api.randomuser.mapping[0].address.values: no entry for '{zip}' used in format");
  EXPECT_EQ(load_error(R"(
api:
  randomuser:
    mapping:
      - address:
          format: '{city'
          values: {city: ['location', 'city']}
)"),
            "api.randomuser.mapping[0].address.format: unclosed '{' at offset 0");
  EXPECT_EQ(load_error(R"(
api:
  randomuser:
    mapping:
      - address:
          values: {city: ['location', 'city']}
)"),
            "api.randomuser.mapping[0].address: values need a format");
  EXPECT_EQ(load_error(R"(
api:
  randomuser:
    mapping:
      - address: {format: '{c}', values: {c: [a]}, path: [b]}
)"),
            "api.randomuser.mapping[0].address: set either format and values, or path, not both");
  EXPECT_EQ(load_error("api: {randomuser: {mapping: [{address: {colour: red}}]}}"),
            "api.randomuser.mapping[0].address.colour: unknown key (expected format, values, path, "
            "optional or default); api.randomuser.mapping[0].address: expected format and values, "
            "or a path");
}

TEST(MappingConfigTest, SeedSectionShapeErrors) {
  // No mapping in the seed's section: the seed's full mapping.
  auto url_only = load_mapping_text("api: {randomuser: {url: 'https://x/'}}");
  ASSERT_OK(url_only);
  EXPECT_EQ(url_only->form, ConfigForm::kBuiltIn);
  EXPECT_EQ(load_error("api: {randomuser: {mapping: []}}"),
            "api.randomuser.mapping: expected a non-empty list of columns");
  EXPECT_EQ(load_error("api: {randomuser: [1]}"), "api.randomuser: expected a map, got a list");
  EXPECT_EQ(load_error("api: 3"), "api: expected a map, got a string");
  EXPECT_EQ(load_error("- 1\n"), "(document): expected a map, got a list");
  EXPECT_EQ(load_error("api: {randomuser: {mapping: [{x: ['a', '']}]}}"),
            "api.randomuser.mapping[0].x: keys must not be empty");
}

TEST(MappingConfigTest, NativeFormErrors) {
  EXPECT_EQ(load_error(R"(
mapping:
  element: 'results'
  colour: blue
  columns:
    - {column: a, path: x, template: '{y}'}
    - {path: x}
    - {column: c, template: '{a..b}'}
    - {column: d, path: x, optional: maybe}
    - 7
)"),
            "mapping.colour: unknown key (expected element, id or columns); "
            "mapping.columns[0]: expected exactly one of path or template; "
            "mapping.columns[1].column: missing; "
            "mapping.columns[2].template: '{a..b}' is not a path; "
            "mapping.columns[3].optional: expected true or false; "
            "mapping.columns[4]: expected a map, got a string; "
            "mapping.columns[1]: column name must not be empty");
  EXPECT_EQ(load_error("mapping: {id: login.uuid}"), "mapping.columns: missing");
  EXPECT_EQ(load_error("mapping: {columns: [{column: a, path: x, y: 1}]}"),
            "mapping.columns[0].y: unknown key (expected column, path, template, values, optional "
            "or default)");
}

TEST(MappingConfigTest, SyntaxAndFileErrors) {
  auto bad = load_mapping_text("api: [unclosed\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("YAML syntax error at line"), std::string::npos);
  auto missing = load_mapping_file("/nonexistent/config.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(MappingConfigTest, PathToString) {
  EXPECT_EQ(to_string(JsonPath{"location", "street", "number"}), "location.street.number");
  EXPECT_EQ(to_string(JsonPath{}), "");
}

}  // namespace
}  // namespace rds::mapping
