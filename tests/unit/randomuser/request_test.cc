#include "source/randomuser/request.h"

#include <gtest/gtest.h>

#include "source/randomuser/api.h"
#include "support/result_matchers.h"

namespace rds::randomuser {
namespace {

TEST(RequestTest, BuildsAMinimalUrl) {
  RequestParams params;
  EXPECT_EQ(*build_url("https://randomuser.me/api/", params), "https://randomuser.me/api/?results=1");
}

TEST(RequestTest, BuildsAFullUrl) {
  RequestParams params;
  params.results = 5000;
  params.seed = "my seed&x";
  params.page = 7;
  params.nationalities = {"GB", "us"};
  params.gender = "female";
  params.inc = {"name", "login"};
  params.exc = {"picture"};
  params.noinfo = true;
  EXPECT_EQ(*build_url("http://127.0.0.1:8088/api/1.4/", params),
            "http://127.0.0.1:8088/api/1.4/?results=5000&seed=my%20seed%26x&page=7&nat=GB%2Cus"
            "&gender=female&inc=name%2Clogin&exc=picture&noinfo=");
  EXPECT_EQ(*build_url("http://h/api/?key=1", RequestParams{}), "http://h/api/?key=1&results=1");
}

TEST(RequestTest, ValidationNamesTheField) {
  RequestParams params;
  params.results = 0;
  EXPECT_EQ(build_url("http://h/", params).error().message,
            "request.results: must be between 1 and 5000, got 0");
  params.results = 5001;
  EXPECT_FALSE(params.validate().ok());
  params = RequestParams{};
  params.page = 10001;
  EXPECT_EQ(params.validate("source").error().message,
            "source.page: must be between 1 and 10000, got 10001");
  params = RequestParams{};
  params.nationalities = {"GB", "XX"};
  EXPECT_NE(params.validate().error().message.find("request.nat[1]: unknown nationality 'XX'"),
            std::string::npos);
  params = RequestParams{};
  params.inc = {"name", "shoe_size"};
  EXPECT_EQ(params.validate().error().message, "request.inc[1]: unknown field 'shoe_size'");
  params = RequestParams{};
  params.gender = "other";
  EXPECT_EQ(params.validate().error().message, "request.gender: expected male or female, got 'other'");
}

TEST(RequestTest, UrlEncode) {
  EXPECT_EQ(url_encode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(url_encode("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
}

TEST(RequestTest, SplitsUrls) {
  auto parts = split_url("https://randomuser.me/api/?results=10");
  ASSERT_OK(parts);
  EXPECT_EQ(parts->scheme, "https");
  EXPECT_EQ(parts->host, "randomuser.me");
  EXPECT_EQ(parts->port, 443);
  EXPECT_EQ(parts->path_and_query, "/api/?results=10");
  EXPECT_EQ(parts->origin(), "https://randomuser.me:443");

  parts = split_url("http://127.0.0.1:8088");
  ASSERT_OK(parts);
  EXPECT_EQ(parts->port, 8088);
  EXPECT_EQ(parts->path_and_query, "/");
  parts = split_url("http://[::1]:9000/api?x=1");
  ASSERT_OK(parts);
  EXPECT_EQ(parts->host, "::1");
  EXPECT_EQ(parts->port, 9000);
  EXPECT_EQ(split_url("http://h?x=1")->path_and_query, "/?x=1");

  EXPECT_FALSE(split_url("randomuser.me/api").ok());
  EXPECT_FALSE(split_url("ftp://h/").ok());
  EXPECT_FALSE(split_url("http://h:0/").ok());
  EXPECT_FALSE(split_url("http://h:99999/").ok());
  EXPECT_FALSE(split_url("http://:80/").ok());
  EXPECT_FALSE(split_url("http://u:p@h/").ok());
}

TEST(ApiTest, NationalitiesAndFields) {
  EXPECT_EQ(kNationalities.size(), 21u);
  EXPECT_TRUE(nationality_index("gb").has_value());
  EXPECT_FALSE(nationality_index("GBR").has_value());
  EXPECT_FALSE(nationality_index("XX").has_value());
  EXPECT_EQ(parse_user_field("Login"), UserField::kLogin);
  EXPECT_FALSE(parse_user_field("logins").has_value());
  EXPECT_EQ(to_string(UserField::kRegistered), "registered");
  FieldSet set = FieldSet::all();
  set.remove(UserField::kId);
  EXPECT_FALSE(set.has(UserField::kId));
  EXPECT_TRUE(set.has(UserField::kNat));
}

}  // namespace
}  // namespace rds::randomuser
