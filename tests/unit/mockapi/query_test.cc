#include "mockapi/query.h"

#include <gtest/gtest.h>

namespace rds::mockapi {
namespace {

using randomuser::UserField;

ApiQuery parse(std::initializer_list<std::pair<const std::string, std::string>> params) {
  return parse_query(QueryParams(params));
}

TEST(QueryTest, Defaults) {
  const ApiQuery query = parse({});
  EXPECT_EQ(query.results, 1);
  EXPECT_EQ(query.page, 1);
  EXPECT_TRUE(query.seed.empty());
  EXPECT_TRUE(query.nationalities.empty());
  EXPECT_FALSE(query.gender.has_value());
  EXPECT_EQ(query.fields, randomuser::FieldSet::all());
  EXPECT_FALSE(query.noinfo);
  EXPECT_EQ(query.format, "json");
}

TEST(QueryTest, ResultsOutOfRangeOrNotANumberIsOneNotClamped) {
  EXPECT_EQ(parse({{"results", "5000"}}).results, 5000);
  EXPECT_EQ(parse({{"results", "17"}}).results, 17);
  EXPECT_EQ(parse({{"results", "5001"}}).results, 1);
  EXPECT_EQ(parse({{"results", "0"}}).results, 1);
  EXPECT_EQ(parse({{"results", "-3"}}).results, 1);
  EXPECT_EQ(parse({{"results", "abc"}}).results, 1);
  EXPECT_EQ(parse({{"results", "10abc"}}).results, 1);
  EXPECT_EQ(parse({{"results", "2.5"}}).results, 1);
  EXPECT_EQ(parse({{"results", ""}}).results, 1);
  EXPECT_EQ(parse({{"results", "99999999999999999999"}}).results, 1);
}

TEST(QueryTest, PageOutOfRangeIsOne) {
  EXPECT_EQ(parse({{"page", "10000"}}).page, 10000);
  EXPECT_EQ(parse({{"page", "10001"}}).page, 1);
  EXPECT_EQ(parse({{"page", "x"}}).page, 1);
}

TEST(QueryTest, NationalitiesWithOneInvalidCodeAreIgnored) {
  EXPECT_EQ(parse({{"nat", "gb,US"}}).nationalities,
            (std::vector<std::size_t>{*randomuser::nationality_index("GB"), *randomuser::nationality_index("US")}));
  EXPECT_TRUE(parse({{"nat", "GB,XX"}}).nationalities.empty());
  EXPECT_TRUE(parse({{"nat", "zz"}}).nationalities.empty());
  EXPECT_EQ(parse({{"nat", "GB,"}}).nationalities.size(), 1u);
}

TEST(QueryTest, GenderIsIgnoredWhenASeedIsSet) {
  EXPECT_EQ(parse({{"gender", "female"}}).gender, randomuser::Gender::kFemale);
  EXPECT_EQ(parse({{"gender", "MALE"}}).gender, randomuser::Gender::kMale);
  EXPECT_FALSE(parse({{"gender", "other"}}).gender.has_value());
  const ApiQuery seeded = parse({{"gender", "female"}, {"seed", "abc"}});
  EXPECT_FALSE(seeded.gender.has_value());
  EXPECT_EQ(seeded.seed, "abc");
}

TEST(QueryTest, IncThenExc) {
  ApiQuery query = parse({{"inc", "name,login,NAT,bogus"}});
  EXPECT_TRUE(query.fields.has(UserField::kName));
  EXPECT_TRUE(query.fields.has(UserField::kLogin));
  EXPECT_TRUE(query.fields.has(UserField::kNat));
  EXPECT_FALSE(query.fields.has(UserField::kEmail));
  query = parse({{"exc", "picture,cell"}});
  EXPECT_FALSE(query.fields.has(UserField::kPicture));
  EXPECT_FALSE(query.fields.has(UserField::kCell));
  EXPECT_TRUE(query.fields.has(UserField::kEmail));
  query = parse({{"inc", "name,login"}, {"exc", "login"}});
  EXPECT_TRUE(query.fields.has(UserField::kName));
  EXPECT_FALSE(query.fields.has(UserField::kLogin));
  EXPECT_EQ(parse({{"inc", "bogus"}}).fields, randomuser::FieldSet::all());
}

TEST(QueryTest, NoinfoAndFormat) {
  EXPECT_TRUE(parse({{"noinfo", ""}}).noinfo);
  EXPECT_TRUE(parse({{"noinfo", "0"}}).noinfo);  // presence is what counts
  EXPECT_EQ(parse({{"format", "JSON"}}).format, "json");
  EXPECT_EQ(parse({{"format", "csv"}}).format, "csv");
}

TEST(QueryTest, FirstOfRepeatedKeysWins) {
  QueryParams params{{"results", "3"}, {"results", "9"}};
  EXPECT_EQ(parse_query(params).results, 3);
}

}  // namespace
}  // namespace rds::mockapi
