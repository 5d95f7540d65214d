#include "source/randomuser/generator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "mapping/mapper.h"
#include "source/randomuser/nat_profiles.h"
#include "support/result_matchers.h"

namespace rds::randomuser {
namespace {

std::size_t nat(std::string_view code) { return *nationality_index(code); }

TEST(GeneratorTest, SameSeedPageAndIndexGiveTheSameUser) {
  UserGenerator a("abc");
  UserGenerator b("abc");
  for (int index = 0; index < 50; ++index) {
    EXPECT_EQ(to_json(a.generate(3, index)), to_json(b.generate(3, index)));
  }
}

TEST(GeneratorTest, DifferentSeedPageOrIndexGiveDifferentUsers) {
  UserGenerator gen("abc");
  const std::string uuid = gen.generate(1, 0).uuid;
  EXPECT_NE(gen.generate(1, 1).uuid, uuid);
  EXPECT_NE(gen.generate(2, 0).uuid, uuid);
  EXPECT_NE(UserGenerator("abd").generate(1, 0).uuid, uuid);
}

TEST(GeneratorTest, PinnedUserDoesNotDrift) {
  // Generated users are part of what benchmarks and replays compare across versions: changing the
  // order of the generator's draws changes every user. If this fails on purpose, re-pin it.
  const auto user = UserGenerator("rdstream").generate(1, 0);
  EXPECT_EQ(user.uuid, "5ef7c71c-dfe3-4942-a47e-c499616b1b32");
  EXPECT_EQ(user.first + " " + user.last, "Bram Jessop");
  EXPECT_EQ(user.nat, "NZ");
  EXPECT_EQ(user.postcode_number, 7056);
  EXPECT_EQ(user.dob_date, "1995-04-12T01:45:38.048Z");
  EXPECT_EQ(user.dob_age, 29);
  EXPECT_EQ(user.username, "silverswan123");
  EXPECT_FALSE(user.id_value.has_value());
  EXPECT_EQ(user.picture_medium, "https://randomuser.me/api/portraits/med/men/83.jpg");
}

TEST(GeneratorTest, UuidsAreV4ShapedAndUnique) {
  UserGenerator gen("uuids");
  std::set<std::string> seen;
  for (int index = 0; index < 5000; ++index) {
    const auto user = gen.generate(1, index);
    ASSERT_TRUE(mapping::is_uuid(user.uuid)) << user.uuid;
    EXPECT_EQ(user.uuid[14], '4') << user.uuid;
    EXPECT_NE(std::string("89ab").find(user.uuid[19]), std::string::npos) << user.uuid;
    seen.insert(user.uuid);
  }
  EXPECT_EQ(seen.size(), 5000u);
}

TEST(GeneratorTest, EveryFieldOfTheApiIsPresentWithItsType) {
  UserGenerator gen("shape");
  for (int index = 0; index < 200; ++index) {
    const nlohmann::json u = to_json(gen.generate(1, index));
    ASSERT_TRUE(u["gender"] == "male" || u["gender"] == "female");
    for (const char* key : {"title", "first", "last"}) EXPECT_TRUE(u["name"][key].is_string()) << key;
    const auto& loc = u["location"];
    EXPECT_TRUE(loc["street"]["number"].is_number_integer());
    EXPECT_TRUE(loc["street"]["name"].is_string());
    for (const char* key : {"city", "state", "country"}) EXPECT_TRUE(loc[key].is_string()) << key;
    EXPECT_TRUE(loc["postcode"].is_string() || loc["postcode"].is_number_integer());
    EXPECT_TRUE(loc["coordinates"]["latitude"].is_string());
    EXPECT_TRUE(loc["coordinates"]["longitude"].is_string());
    EXPECT_TRUE(loc["timezone"]["offset"].is_string());
    EXPECT_TRUE(loc["timezone"]["description"].is_string());
    EXPECT_TRUE(u["email"].is_string());
    for (const char* key : {"uuid", "username", "password", "salt", "md5", "sha1", "sha256"}) {
      EXPECT_TRUE(u["login"][key].is_string()) << key;
    }
    EXPECT_EQ(u["login"]["md5"].get<std::string>().size(), 32u);
    EXPECT_EQ(u["login"]["sha1"].get<std::string>().size(), 40u);
    EXPECT_EQ(u["login"]["sha256"].get<std::string>().size(), 64u);
    for (const char* key : {"dob", "registered"}) {
      const std::string date = u[key]["date"];
      ASSERT_EQ(date.size(), 24u) << date;  // 1987-03-14T09:12:44.512Z
      EXPECT_EQ(date[10], 'T');
      EXPECT_EQ(date[19], '.');
      EXPECT_EQ(date.back(), 'Z');
      EXPECT_TRUE(u[key]["age"].is_number_integer());
    }
    EXPECT_TRUE(u["phone"].is_string());
    EXPECT_TRUE(u["cell"].is_string());
    EXPECT_TRUE(u["id"]["name"].is_string());
    EXPECT_TRUE(u["id"]["value"].is_string() || u["id"]["value"].is_null());
    for (const char* key : {"large", "medium", "thumbnail"}) {
      EXPECT_EQ(u["picture"][key].get<std::string>().rfind("https://randomuser.me/api/portraits/", 0), 0u);
    }
    EXPECT_TRUE(nationality_index(u["nat"].get<std::string>()).has_value());
    EXPECT_EQ(u.size(), kUserFieldCount);
  }
}

TEST(GeneratorTest, PostcodeTypeFollowsNationality) {
  for (const auto code : kNationalities) {
    GeneratorOptions options;
    options.nationalities = {nat(code)};
    UserGenerator gen("postcodes", options);
    for (int index = 0; index < 20; ++index) {
      const nlohmann::json u = to_json(gen.generate(1, index));
      ASSERT_EQ(u["nat"], code);
      const bool string_nat = code == "GB" || code == "CA" || code == "NO";
      EXPECT_EQ(u["location"]["postcode"].is_string(), string_nat) << code;
      EXPECT_EQ(u["location"]["postcode"].is_number_integer(), !string_nat) << code;
    }
  }
}

TEST(GeneratorTest, NationalityAndGenderOptionsAreHonoured) {
  GeneratorOptions options;
  options.nationalities = {nat("FR"), nat("NZ")};
  options.gender = Gender::kFemale;
  UserGenerator gen("opts", options);
  std::set<std::string> nats;
  for (int index = 0; index < 100; ++index) {
    const auto user = gen.generate(1, index);
    nats.insert(user.nat);
    EXPECT_EQ(user.gender, Gender::kFemale);
    EXPECT_NE(user.picture_medium.find("/women/"), std::string::npos);
  }
  EXPECT_EQ(nats, (std::set<std::string>{"FR", "NZ"}));
}

TEST(GeneratorTest, ProfilesAreIndexedLikeTheNationalityList) {
  for (std::size_t index = 0; index < kNationalities.size(); ++index) {
    EXPECT_EQ(nat_profile(index).code, kNationalities[index]);
  }
}

TEST(GeneratorTest, DatesAndAgesAgree) {
  UserGenerator gen("dates");
  for (int index = 0; index < 500; ++index) {
    const auto user = gen.generate(1, index);
    const int year = std::stoi(user.dob_date.substr(0, 4));
    EXPECT_GE(year, 1945);
    EXPECT_LE(year, 2004);
    // Reference is 2025-01-01: the age is 2024 - year, or 2025 - year on a 1 January birthday.
    EXPECT_TRUE(user.dob_age == 2024 - year || user.dob_age == 2025 - year) << user.dob_date;
    const int month = std::stoi(user.dob_date.substr(5, 2));
    const int day = std::stoi(user.dob_date.substr(8, 2));
    EXPECT_GE(month, 1);
    EXPECT_LE(month, 12);
    EXPECT_GE(day, 1);
    EXPECT_LE(day, 31);
  }
}

TEST(GeneratorTest, JsonTextParsesToTheJsonObject) {
  UserGenerator gen("views");
  std::string text;
  for (int index = 0; index < 300; ++index) {
    const auto user = gen.generate(2, index);
    text.clear();
    append_json(text, user);
    EXPECT_EQ(nlohmann::json::parse(text), to_json(user));
  }
}

TEST(GeneratorTest, FieldSetSelectsTopLevelFields) {
  const auto user = UserGenerator("fields").generate(1, 0);
  FieldSet fields = FieldSet::none();
  fields.add(UserField::kLogin);
  fields.add(UserField::kNat);
  const auto json = to_json(user, fields);
  EXPECT_EQ(json.size(), 2u);
  EXPECT_TRUE(json.contains("login"));
  std::string text;
  append_json(text, user, fields);
  EXPECT_EQ(nlohmann::json::parse(text), json);
  text.clear();
  append_json(text, user, FieldSet::none());
  EXPECT_EQ(text, "{}");
}

TEST(GeneratorTest, DirectRecordEqualsTheDefaultMappingOfTheJson) {
  const auto mapper = mapping::Mapper::default_mapper();
  UserGenerator gen("records");
  GeneratedUser user;
  mapping::Record direct;
  for (int index = 0; index < 500; ++index) {
    gen.generate(1, index, user);  // reused: stale values must not leak between users
    to_record(user, direct);
    auto mapped = mapper.map(to_json(user));
    ASSERT_OK(mapped);
    ASSERT_EQ(direct, *mapped) << mapping::to_json(direct);
  }
}

TEST(GeneratorTest, ReusedUserEqualsAFreshOne) {
  UserGenerator gen("reuse");
  GeneratedUser reused;
  for (int index = 0; index < 200; ++index) {
    gen.generate(1, index, reused);
    EXPECT_EQ(to_json(reused), to_json(gen.generate(1, index)));
  }
}

TEST(GeneratorTest, FastEnoughForBenchmarks) {
  // Not a benchmark (bench/ has those); a guard against an accidental 10x slowdown. The target is
  // >200k users/s for the direct record path on one core; the bound here is loose for CI noise
  // and sanitizer builds.
  UserGenerator gen("speed");
  GeneratedUser user;
  mapping::Record record;
  constexpr int kUsers = 20000;
  const auto start = std::chrono::steady_clock::now();
  for (int index = 0; index < kUsers; ++index) {
    gen.generate(1, index, user);
    to_record(user, record);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took.count(), 2.0) << kUsers / took.count() << " users/s";
}

}  // namespace
}  // namespace rds::randomuser
