#include "mockapi/mock_api.h"

#include <gtest/gtest.h>

#include "core/backoff.h"
#include "source/randomuser/generator.h"
#include "source/randomuser/response_parser.h"
#include "support/result_matchers.h"

namespace rds::mockapi {
namespace {

HttpRequest get(std::string path, QueryParams params = {}, std::string client = "tester") {
  HttpRequest request;
  request.path = std::move(path);
  request.params = std::move(params);
  request.client = std::move(client);
  return request;
}

nlohmann::json body_json(const HttpResponse& response) { return nlohmann::json::parse(response.body); }

TEST(MockApiTest, ServesUsersOnBothPaths) {
  MockApi api;
  for (const char* path : {"/api/", "/api", "/api/1.4/", "/api/1.4"}) {
    auto response = api.handle(get(path, {{"results", "3"}, {"seed", "abc"}}));
    ASSERT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.content_type, "application/json");
    auto body = body_json(response);
    EXPECT_EQ(body["results"].size(), 3u);
    EXPECT_EQ(body["info"], nlohmann::json({{"seed", "abc"}, {"results", 3}, {"page", 1}, {"version", "1.4"}}));
  }
}

TEST(MockApiTest, SameSeedAndPageGiveTheSameUsers) {
  MockApi api;
  auto a = body_json(api.handle(get("/api/", {{"results", "5"}, {"seed", "s"}, {"page", "2"}})));
  auto b = body_json(api.handle(get("/api/", {{"results", "2"}, {"seed", "s"}, {"page", "2"}})));
  auto c = body_json(api.handle(get("/api/", {{"results", "2"}, {"seed", "s"}, {"page", "3"}})));
  EXPECT_EQ(a["results"][0], b["results"][0]);
  EXPECT_EQ(a["results"][1], b["results"][1]);
  EXPECT_NE(a["results"][0], c["results"][0]);
  EXPECT_EQ(a["results"][4], randomuser::to_json(randomuser::UserGenerator("s").generate(2, 4)));
}

TEST(MockApiTest, WithoutASeedTheServerPicksOneAndReportsIt) {
  MockApi api;
  auto first = body_json(api.handle(get("/api/")));
  auto second = body_json(api.handle(get("/api/")));
  const std::string seed = first["info"]["seed"];
  EXPECT_EQ(seed.size(), 16u);
  EXPECT_NE(seed, second["info"]["seed"]);
  // Replaying the reported seed gives the same user.
  auto replay = body_json(api.handle(get("/api/", {{"seed", seed}})));
  EXPECT_EQ(replay["results"][0], first["results"][0]);
}

TEST(MockApiTest, ParameterSemantics) {
  MockApi api;
  EXPECT_EQ(body_json(api.handle(get("/api/", {{"results", "9000"}})))["results"].size(), 1u);
  EXPECT_EQ(body_json(api.handle(get("/api/", {{"results", "many"}})))["results"].size(), 1u);
  EXPECT_EQ(body_json(api.handle(get("/api/", {{"results", "5000"}})))["results"].size(), 5000u);

  auto gb = body_json(api.handle(get("/api/", {{"results", "20"}, {"nat", "gb"}})));
  for (const auto& user : gb["results"]) {
    EXPECT_EQ(user["nat"], "GB");
    EXPECT_TRUE(user["location"]["postcode"].is_string());
  }
  auto ignored = body_json(api.handle(get("/api/", {{"results", "50"}, {"nat", "GB,XX"}})));
  std::set<std::string> nats;
  for (const auto& user : ignored["results"]) nats.insert(user["nat"].get<std::string>());
  EXPECT_GT(nats.size(), 3u);

  auto female = body_json(api.handle(get("/api/", {{"results", "30"}, {"gender", "female"}})));
  for (const auto& user : female["results"]) EXPECT_EQ(user["gender"], "female");
  auto seeded = body_json(api.handle(get("/api/", {{"results", "30"}, {"gender", "female"}, {"seed", "g"}})));
  std::set<std::string> genders;
  for (const auto& user : seeded["results"]) genders.insert(user["gender"].get<std::string>());
  EXPECT_EQ(genders.size(), 2u);  // ignored with a seed

  auto inc = body_json(api.handle(get("/api/", {{"inc", "login,nat"}, {"exc", "nat"}})));
  EXPECT_EQ(inc["results"][0].size(), 1u);
  EXPECT_TRUE(inc["results"][0].contains("login"));

  auto noinfo = body_json(api.handle(get("/api/", {{"noinfo", ""}})));
  EXPECT_FALSE(noinfo.contains("info"));
}

TEST(MockApiTest, ErrorsAreJsonBodies) {
  MockApi api;
  auto response = api.handle(get("/api/", {{"format", "xml"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(body_json(response).contains("error"));
  EXPECT_EQ(api.handle(get("/api/1.3/")).status, 404);
  EXPECT_TRUE(body_json(api.handle(get("/nothing"))).contains("error"));
  HttpRequest post = get("/api/");
  post.method = "POST";
  EXPECT_EQ(api.handle(post).status, 405);
  EXPECT_EQ(api.handle(get("/healthz")).body, "ok");
}

TEST(MockApiTest, QuotaAnswers429WithRetryAfter) {
  MockApiConfig config;
  config.quota = QuotaConfig{10, std::chrono::seconds(60)};
  MockApi api(config);
  const auto t0 = MockApi::Clock::time_point{};
  EXPECT_EQ(api.handle(get("/api/", {{"results", "10"}}), t0).status, 200);
  auto refused = api.handle(get("/api/", {{"results", "1"}}), t0 + std::chrono::seconds(15));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.header("Retry-After"), "45");
  EXPECT_TRUE(body_json(refused).contains("error"));
  EXPECT_EQ(api.handle(get("/api/", {{"results", "1"}}, "other"), t0 + std::chrono::seconds(15)).status, 200);
  EXPECT_EQ(api.handle(get("/api/", {{"results", "1"}}), t0 + std::chrono::seconds(60)).status, 200);
  EXPECT_EQ(api.stats().quota_rejections, 1u);
  EXPECT_EQ(api.stats().users_served, 12u);
  // What a client makes of it: a server error, and a Retry-After to honour as a floor.
  auto parsed = randomuser::parse_response(refused.body);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kServer);
  EXPECT_EQ(parse_retry_after(refused.header("Retry-After")), std::chrono::seconds(45));
}

HttpResponse with_only_fault(const char* key, std::uint64_t request = 0) {
  MockApiConfig config;
  config.faults = *apply_fault_patch(FaultConfig{}, {{key, 1.0}});
  MockApi api(config);
  HttpResponse response;
  for (std::uint64_t n = 0; n <= request; ++n) response = api.handle(get("/api/", {{"results", "5"}, {"seed", "f"}}));
  return response;
}

TEST(MockApiTest, InjectedFaultsLookLikeTheRealFailures) {
  auto r429 = with_only_fault("rate_429");
  EXPECT_EQ(r429.status, 429);
  EXPECT_EQ(r429.header("Retry-After"), "1");
  EXPECT_EQ(randomuser::parse_response(r429.body).error().code, ErrorCode::kServer);

  std::set<int> statuses;
  for (std::uint64_t n = 0; n < 30; ++n) {
    auto response = with_only_fault("rate_5xx", n);
    statuses.insert(response.status);
    if (response.status != 500) {
      EXPECT_EQ(response.content_type, "text/html");
    }
    EXPECT_FALSE(randomuser::parse_response(response.body).ok());
  }
  EXPECT_EQ(statuses, (std::set<int>{500, 502, 503}));

  auto empty = with_only_fault("rate_empty");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(body_json(empty)["results"].size(), 0u);
  EXPECT_EQ(randomuser::parse_response(empty.body).error().code, ErrorCode::kUnavailable);

  for (std::uint64_t n = 0; n < 20; ++n) {
    auto truncated = with_only_fault("rate_truncated", n);
    EXPECT_EQ(truncated.status, 200);
    auto parsed = randomuser::parse_response(truncated.body);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated) << parsed.error().message;

    auto malformed = with_only_fault("rate_malformed", n);
    EXPECT_EQ(malformed.status, 200);
    auto bad = randomuser::parse_response(malformed.body);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kProtocol) << bad.error().message;
  }
}

TEST(MockApiTest, SlowResponsesCarryADelay) {
  MockApiConfig config;
  config.faults.slow_rate = 1;
  config.faults.slow = std::chrono::milliseconds(250);
  MockApi api(config);
  auto response = api.handle(get("/api/"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.delay.count(), 250);
}

TEST(MockApiTest, FaultsAreDeterministicAcrossInstances) {
  MockApiConfig config;
  config.faults = *apply_fault_patch(FaultConfig{}, {{"rate_5xx", 0.3}, {"rate_empty", 0.3}, {"seed", 5}});
  MockApi a(config);
  MockApi b(config);
  for (int n = 0; n < 50; ++n) {
    auto ra = a.handle(get("/api/", {{"seed", "x"}}));
    auto rb = b.handle(get("/api/", {{"seed", "x"}}));
    EXPECT_EQ(ra.status, rb.status);
    EXPECT_EQ(ra.body, rb.body);
  }
}

TEST(MockApiTest, FaultsCanBeChangedAtRuntime) {
  MockApi api;
  HttpRequest post = get("/_faults");
  post.method = "POST";
  post.body = R"({"rate_429": 1, "retry_after_s": 7})";
  auto set = api.handle(post);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(body_json(set)["rate_429"], 1.0);
  auto refused = api.handle(get("/api/"));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.header("Retry-After"), "7");
  EXPECT_EQ(body_json(api.handle(get("/_faults")))["retry_after_s"], 7);

  post.body = R"({"rate_429": 3})";
  auto rejected = api.handle(post);
  EXPECT_EQ(rejected.status, 400);
  EXPECT_EQ(body_json(rejected)["error"], "faults.rate_429: must be between 0 and 1, got 3");
  post.body = "{not json";
  EXPECT_EQ(api.handle(post).status, 400);

  HttpRequest clear = get("/_faults");
  clear.method = "DELETE";
  EXPECT_EQ(api.handle(clear).status, 200);
  EXPECT_EQ(api.handle(get("/api/")).status, 200);
  auto stats = body_json(api.handle(get("/_stats")));
  EXPECT_EQ(stats["requests"], 2);
  EXPECT_EQ(stats["faults"]["status_429"], 1);
}

TEST(MockApiTest, UsersBodyMatchesTheParser) {
  ApiQuery query;
  query.results = 50;
  auto parsed = randomuser::parse_response(users_body(query, "p"));
  ASSERT_OK(parsed);
  auto batch = randomuser::map_users(std::move(parsed).value(), mapping::Mapper::default_mapper());
  EXPECT_EQ(batch.records.size(), 50u);
  EXPECT_TRUE(batch.skipped.empty());
  EXPECT_EQ(batch.records[7], randomuser::to_record(randomuser::UserGenerator("p").generate(1, 7)));
}

}  // namespace
}  // namespace rds::mockapi
