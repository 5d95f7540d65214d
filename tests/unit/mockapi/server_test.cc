// The one test that opens a socket: the real server on an ephemeral loopback port.
#include "mockapi/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "source/randomuser/response_parser.h"
#include "support/result_matchers.h"

namespace rds::mockapi {
namespace {

TEST(MockApiServerTest, ServesOverHttpOnLoopback) {
  MockApi api;
  MockApiServer server(api);
  ASSERT_OK(server.start("127.0.0.1", 0));
  ASSERT_GT(server.port(), 0);
  EXPECT_TRUE(server.running());

  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(std::chrono::seconds(10));
  auto res = client.Get("/api/?results=25&seed=net&nat=NO");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  auto parsed = randomuser::parse_response(res->body);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->users.size(), 25u);
  EXPECT_EQ(parsed->users[0]["nat"], "NO");
  EXPECT_TRUE(parsed->users[0]["location"]["postcode"].is_string());

  // Faults over the wire, per client for the quota.
  auto set = client.Post("/_faults", R"({"rate_429": 1, "retry_after_s": 3})", "application/json");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 200);
  auto refused = client.Get("/api/");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->get_header_value("Retry-After"), "3");

  server.stop();
  EXPECT_FALSE(server.running());
  server.stop();  // idempotent
}

TEST(MockApiServerTest, ReportsAPortInUse) {
  MockApi api;
  MockApiServer first(api);
  ASSERT_OK(first.start("127.0.0.1", 0));
  MockApiServer second(api);
  auto status = second.start("127.0.0.1", first.port());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace rds::mockapi
