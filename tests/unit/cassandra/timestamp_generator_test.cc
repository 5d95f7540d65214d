#include "cassandra/timestamp_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace rds::cassandra {
namespace {

TEST(TimestampGenerator, FollowsTheClockWhileItMovesForward) {
  TimestampGenerator g;
  EXPECT_EQ(g.next(1'000), 1'000);
  EXPECT_EQ(g.next(5'000), 5'000);
}

TEST(TimestampGenerator, StaysStrictlyIncreasingWhenTheClockStandsStillOrStepsBack) {
  TimestampGenerator g;
  EXPECT_EQ(g.next(10'000), 10'000);
  EXPECT_EQ(g.next(10'000), 10'001);  // same microsecond: one more, or the second write would tie
  EXPECT_EQ(g.next(9'000), 10'002);   // the clock stepped back (NTP): never reorder our own writes
  EXPECT_EQ(g.next(20'000), 20'000);  // and follows it again once it is ahead
}

TEST(TimestampGenerator, GivesEveryThreadItsOwnTimestamp) {
  TimestampGenerator g;
  constexpr int kThreads = 4;
  constexpr int kEach = 20'000;
  std::vector<std::vector<int64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(g.next(42));  // a clock that never moves
    });
  }
  for (auto& t : threads) t.join();
  std::vector<int64_t> all;
  for (const auto& v : got) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    all.insert(all.end(), v.begin(), v.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "two requests got one timestamp";
  EXPECT_EQ(all.front(), 42);
  EXPECT_EQ(all.back(), 42 + kThreads * kEach - 1);
}

TEST(TimestampGenerator, ReadsThisHostsClockInMicroseconds) {
  TimestampGenerator g;
  const auto before = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t ts = g.next();
  const auto after = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GE(ts, before);
  EXPECT_LE(ts, after);
}

}  // namespace
}  // namespace rds::cassandra
