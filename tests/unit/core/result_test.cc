#include "core/result.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>
#include "support/result_matchers.h"

namespace rds {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error(ErrorCode::kInvalidArgument, "must be positive");
  return v;
}

Status chain(int v) {
  RDS_TRY(parse_positive(v));
  return ok_status();
}

TEST(ResultTest, AssertOkShowsTheErrorsCodeAndMessage) {
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(parse_positive(-1)),
                          "parse_positive(-1) is not ok: " + std::string(to_string(ErrorCode::kInvalidArgument)) +
                              ": must be positive");
  EXPECT_OK(parse_positive(1));
  EXPECT_OK(chain(2));
}

TEST(ResultTest, HoldsValueOrError) {
  auto good = parse_positive(3);
  ASSERT_OK(good);
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(ResultTest, TryPropagatesErrors) {
  EXPECT_OK(chain(1));
  Status s = chain(0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "must be positive");
}

TEST(ErrorTest, ContextIsPrepended) {
  Error e(ErrorCode::kTimeout, "no answer in 5 s", true);
  Error c = e.with_context("starting kafka");
  EXPECT_EQ(c.message, "starting kafka: no answer in 5 s");
  EXPECT_TRUE(c.retriable);
  EXPECT_EQ(to_string(c.code), "timeout");
}

}  // namespace
}  // namespace rds

#include "core/log.h"

namespace rds {
namespace {

TEST(LogTest, ShouldLogIsRateLimitedPerKey) {
  EXPECT_TRUE(log::should_log("test-key-a", std::chrono::hours(1)));
  EXPECT_FALSE(log::should_log("test-key-a", std::chrono::hours(1)));
  EXPECT_TRUE(log::should_log("test-key-b", std::chrono::hours(1)));
  EXPECT_TRUE(log::should_log("test-key-c", std::chrono::milliseconds(0)));
  EXPECT_TRUE(log::should_log("test-key-c", std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace rds
