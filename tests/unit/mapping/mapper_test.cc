#include "mapping/mapper.h"

#include <gtest/gtest.h>

#include "mapping/coerce.h"
#include "support/settings_loader.h"
#include "unit/mapping/sample_user.h"
#include "support/result_matchers.h"

namespace rds::mapping {
namespace {

using test::load_mapping_text;

using testing::sample_user;

Mapper mapper_from(std::string_view yaml) {
  auto config = load_mapping_text(yaml);
  EXPECT_OK(config);
  auto mapper = Mapper::create(*config);
  EXPECT_OK(mapper);
  return std::move(mapper).value();
}

std::string coerce(const nlohmann::json& value) {
  std::string out;
  EXPECT_EQ(append_scalar(out, value), CoerceResult::kOk);
  return out;
}

TEST(MapperTest, DefaultMappingProducesTheSeedRecord) {
  auto record = Mapper::default_mapper().map(sample_user());
  ASSERT_OK(record);
  EXPECT_EQ(to_json(*record),
            R"({"id":"6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f","first_name":"Ava","last_name":"Lind",)"
            R"("gender":"female","address":"4127 Harbour Road, Eastvale, Oregon, United States",)"
            R"("post_code":"48213","email":"ava.lind@example.com","username":"bluefox417",)"
            R"("dob":"1987-03-14T09:12:44.512Z","registered_date":"2011-07-02T18:03:10.101Z",)"
            R"("phone":"(512) 555-0176","picture":"https://randomuser.me/api/portraits/med/women/12.jpg"})");
  EXPECT_EQ(Mapper::default_mapper().columns().front(), "id");
  EXPECT_EQ(Mapper::default_mapper().columns().size(), 12u);
}

TEST(MapperTest, PostCodeIsAlwaysAString) {
  auto mapper = Mapper::default_mapper();
  auto user = sample_user();
  for (const auto& [postcode, expected] :
       std::vector<std::pair<nlohmann::json, std::string>>{{48213, "48213"},
                                                          {"EC1A 1BB", "EC1A 1BB"},
                                                          {"0150", "0150"},
                                                          {48213.0, "48213"},
                                                          {-7, "-7"}}) {
    user["location"]["postcode"] = postcode;
    auto record = mapper.map(user);
    ASSERT_OK(record);
    EXPECT_EQ(*record->find("post_code"), expected) << postcode.dump();
  }
}

TEST(MapperTest, CoercesScalars) {
  EXPECT_EQ(coerce(true), "true");
  EXPECT_EQ(coerce(false), "false");
  EXPECT_EQ(coerce(12), "12");
  EXPECT_EQ(coerce(18446744073709551615ULL), "18446744073709551615");
  EXPECT_EQ(coerce(2.0), "2");
  EXPECT_EQ(coerce(-0.5), "-0.5");
  EXPECT_EQ(coerce(0.1), "0.1");
  EXPECT_EQ(coerce(1e300), "1e+300");
  EXPECT_EQ(coerce("text"), "text");
  std::string out;
  EXPECT_EQ(append_scalar(out, nullptr), CoerceResult::kNull);
  EXPECT_EQ(append_scalar(out, nlohmann::json::object()), CoerceResult::kNotScalar);
  EXPECT_EQ(append_scalar(out, nlohmann::json::array()), CoerceResult::kNotScalar);
  EXPECT_TRUE(out.empty());
}

TEST(MapperTest, MissingFieldIsAnErrorNamingIt) {
  auto user = sample_user();
  user["location"].erase("postcode");
  auto record = Mapper::default_mapper().map(user);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(record.error().retriable);
  EXPECT_EQ(record.error().message, "column post_code: missing field location.postcode");
}

TEST(MapperTest, MissingTemplatePartNamesTheField) {
  auto user = sample_user();
  user["location"].erase("city");
  auto record = Mapper::default_mapper().map(user);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().message, "column address: missing field location.city");
}

TEST(MapperTest, NullCountsAsMissing) {
  auto user = sample_user();
  user["email"] = nullptr;
  auto record = Mapper::default_mapper().map(user);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().message, "column email: missing field email (null)");
}

TEST(MapperTest, ObjectWhereAScalarIsExpected) {
  auto user = sample_user();
  user["location"]["street"]["number"] = {{"value", 4127}};
  auto record = Mapper::default_mapper().map(user);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().message,
            "column address: field location.street.number is an object, expected a string, "
            "number or boolean");
  user["location"]["street"] = nlohmann::json::array({1, 2});
  EXPECT_EQ(Mapper::default_mapper().map(user).error().message,
            "column address: missing field location.street.number");
}

TEST(MapperTest, NonScalarValueIsAnError) {
  auto user = sample_user();
  auto record = mapper_from("mapping: {columns: [{column: name, path: name}]}").map(user);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().message,
            "column name: field name is an object, expected a string, number or boolean");
}

TEST(MapperTest, IdMustBeAUuid) {
  auto user = sample_user();
  user["login"]["uuid"] = "not-a-uuid";
  auto record = Mapper::default_mapper().map(user);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().message, "column id: field login.uuid is not a UUID: 'not-a-uuid'");
  user["login"].erase("uuid");
  EXPECT_EQ(Mapper::default_mapper().map(user).error().message,
            "column id: missing field login.uuid");
}

TEST(MapperTest, UserMustBeAnObject) {
  EXPECT_EQ(Mapper::default_mapper().map(nlohmann::json::array()).error().message,
            "user: expected a JSON object");
  EXPECT_FALSE(Mapper::default_mapper().map("x").ok());
}

TEST(MapperTest, OptionalColumnsTakeTheirDefault) {
  auto mapper = mapper_from(R"(
mapping:
  columns:
    - {column: cell, path: cell, optional: true, default: 'n/a'}
    - {column: id_value, path: id.value, optional: true}
    - {column: where, template: '{location.city} / {location.nowhere}', optional: true, default: '?'}
)");
  auto user = sample_user();
  user.erase("cell");
  auto record = mapper.map(user);
  ASSERT_OK(record);
  EXPECT_EQ(mapper.columns(), (std::vector<std::string>{"id", "cell", "id_value", "where"}));
  EXPECT_EQ(*record->find("cell"), "n/a");
  EXPECT_EQ(*record->find("id_value"), "");  // null in the API for some nationalities
  EXPECT_EQ(*record->find("where"), "?");
}

TEST(MapperTest, NativeTemplatesTakeDottedPathsAndNamedValues) {
  auto mapper = mapper_from(R"(
mapping:
  id: login.uuid
  columns:
    - column: full_name
      template: '{name.title} {first} {name.last} {{{nat}}}'
      values: {first: [name, first]}
    - column: number
      path: [location, street, number]
    - column: lat
      path: location.coordinates.latitude
)");
  auto record = mapper.map(sample_user());
  ASSERT_OK(record);
  EXPECT_EQ(*record->find("full_name"), "Ms Ava Lind {US}");
  EXPECT_EQ(*record->find("number"), "4127");
  EXPECT_EQ(*record->find("lat"), "-12.5");
}

TEST(MapperTest, ExplicitIdColumnMovesFirst) {
  auto mapper = mapper_from(R"(
mapping:
  columns:
    - {column: email, path: email}
    - {column: id, path: login.uuid}
)");
  EXPECT_EQ(mapper.columns(), (std::vector<std::string>{"id", "email"}));
  auto record = mapper.map(sample_user());
  ASSERT_OK(record);
  EXPECT_EQ(record->id(), "6f1c2a9e-3b4d-4c5e-8f70-1a2b3c4d5e6f");
}

TEST(MapperTest, DigitKeysIndexArrays) {
  auto mapper = mapper_from("mapping: {columns: [{column: second, path: tags.1}]}");
  auto user = sample_user();
  user["tags"] = {"a", "b"};
  EXPECT_EQ(*mapper.map(user)->find("second"), "b");
  user["tags"] = {"a"};
  EXPECT_EQ(mapper.map(user).error().message, "column second: missing field tags.1");
}

TEST(MapperTest, CreateRejectsUnknownPlaceholdersFromHandMadeConfigs) {
  MappingConfig config;
  ColumnMapping column;
  column.column = "x";
  column.format = "{nope}";
  config.columns.push_back(column);
  auto mapper = Mapper::create(config);
  ASSERT_FALSE(mapper.ok());
  EXPECT_EQ(mapper.error().message, "column x format: no value for '{nope}'");
}

}  // namespace
}  // namespace rds::mapping
