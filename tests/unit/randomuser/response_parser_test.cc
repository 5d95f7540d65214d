#include "source/randomuser/response_parser.h"

#include <gtest/gtest.h>

#include "source/randomuser/generator.h"
#include "support/result_matchers.h"

namespace rds::randomuser {
namespace {

// A real-shaped body of `count` generated users.
std::string body_of(int count, std::string_view info = R"({"seed":"abc","results":3,"page":1,"version":"1.4"})") {
  UserGenerator gen("abc");
  std::string body = R"({"results":[)";
  for (int index = 0; index < count; ++index) {
    if (index > 0) body.push_back(',');
    append_json(body, gen.generate(1, index));
  }
  body += "]";
  if (!info.empty()) {
    body += R"(,"info":)";
    body += info;
  }
  body += "}";
  return body;
}

TEST(ResponseParserTest, ParsesAGoodBody) {
  auto parsed = parse_response(body_of(3));
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->users.size(), 3u);
  EXPECT_TRUE(parsed->skipped.empty());
  EXPECT_TRUE(parsed->warnings.empty());
  ASSERT_TRUE(parsed->info.has_value());
  EXPECT_EQ(parsed->info->seed, "abc");
  EXPECT_EQ(parsed->info->results, 3);
  EXPECT_EQ(parsed->info->page, 1);
  EXPECT_EQ(parsed->info->version, "1.4");
  EXPECT_EQ(parsed->users[1], to_json(UserGenerator("abc").generate(1, 1)));
}

TEST(ResponseParserTest, NoInfoIsFine) {
  auto parsed = parse_response(body_of(1, ""));
  ASSERT_OK(parsed);
  EXPECT_FALSE(parsed->info.has_value());
}

TEST(ResponseParserTest, MistypedInfoFieldsAreWarningsNotErrors) {
  auto parsed = parse_response(body_of(1, R"({"seed":42,"results":"3","page":1.5,"version":null})"));
  ASSERT_OK(parsed);
  ASSERT_TRUE(parsed->info.has_value());
  EXPECT_EQ(parsed->info->seed, "42");
  EXPECT_FALSE(parsed->info->results.has_value());
  EXPECT_FALSE(parsed->info->page.has_value());
  EXPECT_EQ(parsed->warnings, (std::vector<std::string>{
                                  "info.results: expected an integer, got a string",
                                  "info.page: expected an integer, got a number",
                                  "info.version: expected a string, got null"}));
  auto not_object = parse_response(body_of(1, "[]"));
  ASSERT_OK(not_object);
  EXPECT_FALSE(not_object->info.has_value());
  EXPECT_EQ(not_object->warnings, std::vector<std::string>{"info: expected an object, got an array"});
}

TEST(ResponseParserTest, TruncatedBodyIsRetriable) {
  const std::string body = body_of(3);
  for (std::size_t cut : {body.size() - 1, body.size() / 2, std::size_t{1}, std::size_t{12}}) {
    auto parsed = parse_response(std::string_view(body).substr(0, cut));
    ASSERT_FALSE(parsed.ok()) << cut;
    EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated) << cut << ": " << parsed.error().message;
    EXPECT_TRUE(parsed.error().retriable);
  }
  auto empty = parse_response("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kTruncated);
}

TEST(ResponseParserTest, MalformedJsonIsAProtocolError) {
  for (std::string_view body : {R"({"results":[}]})", "<html>502 Bad Gateway</html>", R"({"results":[]}x)",
                                R"({"results":[{"a":1,}]})"}) {
    auto parsed = parse_response(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kProtocol) << body << ": " << parsed.error().message;
    EXPECT_TRUE(parsed.error().retriable);
  }
}

TEST(ResponseParserTest, WrongShapesAreProtocolErrors) {
  EXPECT_EQ(parse_response("[1,2]").error().message, "response body: expected a JSON object, got an array");
  EXPECT_EQ(parse_response(R"({"info":{}})").error().message, "response body: no \"results\" array");
  EXPECT_EQ(parse_response(R"({"results":{"a":1}})").error().message,
            "response body: \"results\" is an object, expected an array");
  EXPECT_EQ(parse_response(R"({"results":null})").error().code, ErrorCode::kProtocol);
}

TEST(ResponseParserTest, ErrorBodyIsAServerError) {
  auto parsed = parse_response(R"({"error":"Quota exceeded, slow down"})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kServer);
  EXPECT_TRUE(parsed.error().retriable);
  EXPECT_EQ(parsed.error().message, "server error: Quota exceeded, slow down");
  EXPECT_EQ(parse_response(R"({"error":{"code":7}})").error().message, R"(server error: {"code":7})");
}

TEST(ResponseParserTest, EmptyResultsIsAFailure) {
  auto parsed = parse_response(R"({"results":[],"info":{"seed":"x","results":0,"page":1,"version":"1.4"}})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(parsed.error().retriable);
}

TEST(ResponseParserTest, BadElementsAreSkippedAndCounted) {
  UserGenerator gen("abc");
  std::string body = R"({"results":[)";
  append_json(body, gen.generate(1, 0));
  body += R"(,"oops",null,)";
  append_json(body, gen.generate(1, 1));
  body += R"(,{"gender":"female"},[1]]})";
  auto parsed = parse_response(body);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->users.size(), 3u);
  ASSERT_EQ(parsed->skipped.size(), 3u);
  EXPECT_EQ(parsed->skipped[0].index, 1u);
  EXPECT_EQ(parsed->skipped[0].reason, SkipReason::kNotAnObject);
  EXPECT_EQ(parsed->skipped[0].detail, "results[1]: expected an object, got a string");
  EXPECT_EQ(parsed->skipped[1].detail, "results[2]: expected an object, got null");
  EXPECT_EQ(parsed->skipped[2].index, 5u);

  auto batch = map_users(std::move(parsed).value(), mapping::Mapper::default_mapper());
  EXPECT_EQ(batch.records.size(), 2u);
  ASSERT_EQ(batch.skipped.size(), 4u);
  EXPECT_EQ(batch.skipped[3].reason, SkipReason::kMappingFailed);
  EXPECT_EQ(batch.skipped[3].index, 4u);
  EXPECT_EQ(batch.skipped[3].detail, "results[4]: column id: missing field login.uuid");
  EXPECT_EQ(batch.records[1].id(), gen.generate(1, 1).uuid);
}

// Staging keeps each user's JSON beside its record: parallel to the records, skipped users left out.
TEST(ResponseParserTest, KeepsEachMappedUsersJsonWhenAsked) {
  UserGenerator gen("raw");
  std::string body = R"({"results":[)";
  append_json(body, gen.generate(1, 0));
  body += R"(,{"gender":"female"},)";
  append_json(body, gen.generate(1, 1));
  body += "]}";
  auto without = map_users(*parse_response(body), mapping::Mapper::default_mapper());
  EXPECT_TRUE(without.raw.empty());
  auto batch = map_users(*parse_response(body), mapping::Mapper::default_mapper(), /*keep_raw=*/true);
  ASSERT_EQ(batch.records.size(), 2u);
  ASSERT_EQ(batch.raw.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto user = nlohmann::json::parse(batch.raw[i]);
    EXPECT_EQ(user["login"]["uuid"], std::string(batch.records[i].id()));
    EXPECT_EQ(user["email"], *batch.records[i].find("email"));
  }
}

TEST(ResponseParserTest, SkipReasonNames) {
  EXPECT_EQ(to_string(SkipReason::kNotAnObject), "not_an_object");
  EXPECT_EQ(to_string(SkipReason::kMappingFailed), "mapping_failed");
}

}  // namespace
}  // namespace rds::randomuser
