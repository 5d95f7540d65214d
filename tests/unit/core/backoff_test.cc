#include "core/backoff.h"

#include <gtest/gtest.h>

#include <vector>
#include "support/result_matchers.h"

namespace rds {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A scripted random source: returns the given values in turn, then repeats the last one.
UniformSource scripted(std::vector<double> values) {
  return [values, next = std::size_t{0}]() mutable {
    const double v = values[std::min(next, values.size() - 1)];
    ++next;
    return v;
  };
}

BackoffConfig config(Jitter jitter) {
  BackoffConfig c;
  c.initial = milliseconds(100);
  c.max_delay = milliseconds(1000);
  c.multiplier = 2.0;
  c.jitter = jitter;
  return c;
}

TEST(BackoffTest, NoJitterGrowsExponentiallyUpToTheCap) {
  Backoff b(config(Jitter::kNone), scripted({0.5}));
  std::vector<long> delays;
  for (int n = 0; n < 6; ++n) {
    auto d = b.on_failure(milliseconds(0));
    ASSERT_TRUE(d.retry);
    delays.push_back(static_cast<long>(d.delay.count()));
  }
  EXPECT_EQ(delays, (std::vector<long>{100, 200, 400, 800, 1000, 1000}));
}

TEST(BackoffTest, FullJitterScalesTheExponentialBase) {
  Backoff b(config(Jitter::kFull), scripted({0.5, 0.25, 0.0, 0.999999}));
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(50));   // 0.5 * 100
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(50));   // 0.25 * 200
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(0));    // 0 * 400
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(800));  // ~1 * 800
}

TEST(BackoffTest, DecorrelatedJitterStaysBetweenInitialAndThreeTimesPrevious) {
  Backoff b(config(Jitter::kDecorrelated), scripted({1.0, 1.0, 0.0, 1.0, 1.0}));
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(300));   // up to 3 * 100
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(900));   // up to 3 * 300
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(100));   // lower bound: initial
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(300));   // from previous = 100
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(900));
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(1000));  // capped
}

TEST(BackoffTest, RetryAfterIsAFloorEvenAboveTheCap) {
  Backoff b(config(Jitter::kNone), scripted({0.5}));
  auto d = b.on_failure(milliseconds(0), seconds(5));
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.delay, milliseconds(5000));
  // A Retry-After shorter than the computed delay changes nothing.
  d = b.on_failure(milliseconds(0), seconds(0));
  EXPECT_EQ(d.delay, milliseconds(200));
}

TEST(BackoffTest, StopsAfterMaxAttempts) {
  auto c = config(Jitter::kNone);
  c.max_attempts = 3;
  Backoff b(c, scripted({0.5}));
  EXPECT_TRUE(b.on_failure(milliseconds(0)).retry);
  EXPECT_TRUE(b.on_failure(milliseconds(0)).retry);
  auto d = b.on_failure(milliseconds(0));
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.stop, StopReason::kAttemptsExhausted);
  EXPECT_EQ(b.failures(), 3);
}

TEST(BackoffTest, StopsWhenTheNextDelayWouldExceedTheTimeBudget) {
  auto c = config(Jitter::kNone);
  c.max_elapsed = milliseconds(1000);
  Backoff b(c, scripted({0.5}));
  EXPECT_TRUE(b.on_failure(milliseconds(850)).retry);   // 850 + 100 <= 1000
  auto d = b.on_failure(milliseconds(850));             // 850 + 200 > 1000
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.stop, StopReason::kTimeBudgetExhausted);
}

TEST(BackoffTest, RetryAfterCountsAgainstTheTimeBudget) {
  auto c = config(Jitter::kNone);
  c.max_elapsed = milliseconds(10'000);
  Backoff b(c, scripted({0.5}));
  auto d = b.on_failure(milliseconds(0), seconds(30));
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.stop, StopReason::kTimeBudgetExhausted);
}

TEST(BackoffTest, ResetStartsOverFromInitial) {
  Backoff b(config(Jitter::kNone), scripted({0.5}));
  b.on_failure(milliseconds(0));
  b.on_failure(milliseconds(0));
  b.reset();
  EXPECT_EQ(b.failures(), 0);
  EXPECT_EQ(b.on_failure(milliseconds(0)).delay, milliseconds(100));
}

TEST(BackoffTest, ManyFailuresDoNotOverflow) {
  Backoff b(config(Jitter::kFull), seeded_uniform_source(7));
  for (int n = 0; n < 5000; ++n) {
    auto d = b.on_failure(milliseconds(0));
    ASSERT_TRUE(d.retry);
    ASSERT_GE(d.delay.count(), 0);
    ASSERT_LE(d.delay.count(), 1000);
  }
}

TEST(BackoffTest, SeededSourceIsDeterministicAndInRange) {
  auto a = seeded_uniform_source(42);
  auto b = seeded_uniform_source(42);
  for (int n = 0; n < 1000; ++n) {
    const double x = a();
    EXPECT_EQ(x, b());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(BackoffTest, ValidateNamesTheField) {
  BackoffConfig c;
  EXPECT_OK(c.validate());
  c.multiplier = 0.5;
  auto s = c.validate("source.http.backoff");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "source.http.backoff.multiplier: must be >= 1");
  c = BackoffConfig{};
  c.max_delay = milliseconds(1);
  EXPECT_NE(c.validate().error().message.find("backoff.max_delay_ms"), std::string::npos);
  c = BackoffConfig{};
  c.initial = milliseconds(0);
  EXPECT_NE(c.validate().error().message.find("backoff.initial_ms"), std::string::npos);
  c = BackoffConfig{};
  c.max_attempts = -1;
  EXPECT_FALSE(c.validate().ok());
}

TEST(BackoffTest, ParsesJitterNames) {
  EXPECT_EQ(parse_jitter("full"), Jitter::kFull);
  EXPECT_EQ(parse_jitter("decorrelated"), Jitter::kDecorrelated);
  EXPECT_EQ(parse_jitter("none"), Jitter::kNone);
  EXPECT_FALSE(parse_jitter("Full").has_value());
}

TEST(BackoffTest, ParsesRetryAfterSeconds) {
  EXPECT_EQ(parse_retry_after("120"), seconds(120));
  EXPECT_EQ(parse_retry_after(" 3 "), seconds(3));
  EXPECT_EQ(parse_retry_after("0"), seconds(0));
  EXPECT_FALSE(parse_retry_after("").has_value());
  EXPECT_FALSE(parse_retry_after("-1").has_value());
  EXPECT_FALSE(parse_retry_after("12s").has_value());
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
}

}  // namespace
}  // namespace rds
