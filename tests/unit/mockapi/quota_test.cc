#include "mockapi/quota.h"

#include <gtest/gtest.h>

namespace rds::mockapi {
namespace {

using std::chrono::seconds;
using Clock = QuotaTracker::Clock;

TEST(QuotaTest, DisabledByDefault) {
  QuotaTracker quota(QuotaConfig{});
  EXPECT_TRUE(quota.charge("a", 1'000'000, Clock::time_point{}).allowed);
}

TEST(QuotaTest, RefusesBeyondTheLimitUntilTheWindowEnds) {
  QuotaTracker quota(QuotaConfig{100, seconds(300)});
  const Clock::time_point t0{};
  auto d = quota.charge("a", 60, t0);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 40);
  EXPECT_TRUE(quota.charge("a", 40, t0 + seconds(10)).allowed);
  d = quota.charge("a", 1, t0 + seconds(100));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, seconds(200));
  // Another client has its own window.
  EXPECT_TRUE(quota.charge("b", 100, t0 + seconds(100)).allowed);
  // A refused request is not charged; the window resets after 300 s.
  EXPECT_TRUE(quota.charge("a", 100, t0 + seconds(300)).allowed);
}

TEST(QuotaTest, RetryAfterRoundsUpToAtLeastOneSecond) {
  QuotaTracker quota(QuotaConfig{10, seconds(60)});
  const Clock::time_point t0{};
  EXPECT_TRUE(quota.charge("a", 10, t0).allowed);
  auto d = quota.charge("a", 1, t0 + std::chrono::milliseconds(59'500));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, seconds(1));
  d = quota.charge("a", 1, t0 + std::chrono::milliseconds(100));
  EXPECT_EQ(d.retry_after, seconds(60));
}

TEST(QuotaTest, ARequestLargerThanTheQuotaIsRefused) {
  QuotaTracker quota(QuotaConfig{QuotaConfig::kRandomuserUsers, QuotaConfig::kRandomuserWindow});
  EXPECT_FALSE(quota.charge("a", 20001, Clock::time_point{}).allowed);
  EXPECT_TRUE(quota.charge("a", 20000, Clock::time_point{}).allowed);
}

TEST(QuotaTest, ManyClientsAreForgottenOnceExpired) {
  QuotaTracker quota(QuotaConfig{1, seconds(1)});
  const Clock::time_point t0{};
  for (int n = 0; n < 5000; ++n) EXPECT_TRUE(quota.charge("c" + std::to_string(n), 1, t0).allowed);
  EXPECT_TRUE(quota.charge("late", 1, t0 + seconds(2)).allowed);
  EXPECT_FALSE(quota.charge("late", 1, t0 + seconds(2)).allowed);
}

}  // namespace
}  // namespace rds::mockapi
