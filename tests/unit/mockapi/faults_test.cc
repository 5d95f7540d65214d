#include "mockapi/faults.h"

#include <gtest/gtest.h>

#include <map>
#include "support/result_matchers.h"

namespace rds::mockapi {
namespace {

TEST(FaultsTest, NoFaultsByDefault) {
  FaultConfig config;
  for (std::uint64_t n = 0; n < 1000; ++n) {
    const auto decision = decide_fault(config, n);
    EXPECT_EQ(decision.fault, Fault::kNone);
    EXPECT_EQ(decision.delay.count(), 0);
  }
}

TEST(FaultsTest, DecisionsAreDeterministicPerSeedAndRequest) {
  FaultConfig config;
  config.rate_5xx = 0.5;
  config.slow_rate = 0.5;
  config.slow = std::chrono::milliseconds(20);
  std::vector<Fault> first;
  for (std::uint64_t n = 0; n < 200; ++n) first.push_back(decide_fault(config, n).fault);
  for (std::uint64_t n = 0; n < 200; ++n) EXPECT_EQ(decide_fault(config, n).fault, first[n]);
  config.seed = 2;
  std::size_t differ = 0;
  for (std::uint64_t n = 0; n < 200; ++n) differ += decide_fault(config, n).fault != first[n];
  EXPECT_GT(differ, 20u);
}

TEST(FaultsTest, RatesAreRoughlyHonoured) {
  FaultConfig config;
  config.rate_429 = 0.1;
  config.rate_5xx = 0.2;
  config.rate_empty = 0.1;
  config.rate_truncated = 0.1;
  config.rate_malformed = 0.1;
  config.slow_rate = 0.25;
  config.slow = std::chrono::milliseconds(7);
  std::map<Fault, int> counts;
  std::map<int, int> statuses;
  int slow = 0;
  constexpr int kRequests = 20000;
  for (std::uint64_t n = 0; n < kRequests; ++n) {
    const auto decision = decide_fault(config, n);
    ++counts[decision.fault];
    if (decision.fault == Fault::kStatus5xx) ++statuses[decision.status];
    if (decision.fault == Fault::kStatus429) {
      EXPECT_EQ(decision.status, 429);
    }
    if (decision.delay.count() > 0) {
      ++slow;
      EXPECT_EQ(decision.delay.count(), 7);
    }
    EXPECT_GE(decision.position, 0.0);
    EXPECT_LT(decision.position, 1.0);
  }
  auto near = [](int count, double rate) { return std::abs(count - rate * kRequests) < 0.02 * kRequests; };
  EXPECT_TRUE(near(counts[Fault::kStatus429], 0.1));
  EXPECT_TRUE(near(counts[Fault::kStatus5xx], 0.2));
  EXPECT_TRUE(near(counts[Fault::kEmpty], 0.1));
  EXPECT_TRUE(near(counts[Fault::kTruncated], 0.1));
  EXPECT_TRUE(near(counts[Fault::kMalformed], 0.1));
  EXPECT_TRUE(near(counts[Fault::kNone], 0.4));
  EXPECT_TRUE(near(slow, 0.25));
  EXPECT_EQ(statuses.size(), 3u);  // 500, 502 and 503 all occur
  EXPECT_GT(statuses[500], 0);
  EXPECT_GT(statuses[502], 0);
  EXPECT_GT(statuses[503], 0);
}

TEST(FaultsTest, RateOneAlwaysFails) {
  FaultConfig config;
  config.rate_truncated = 1;
  for (std::uint64_t n = 0; n < 100; ++n) EXPECT_EQ(decide_fault(config, n).fault, Fault::kTruncated);
}

TEST(FaultsTest, PatchMergesAndValidates) {
  FaultConfig base;
  base.rate_429 = 0.5;
  auto patched = apply_fault_patch(base, {{"rate_5xx", 0.25}, {"slow_ms", 30}, {"seed", 9}});
  ASSERT_OK(patched);
  EXPECT_EQ(patched->rate_429, 0.5);
  EXPECT_EQ(patched->rate_5xx, 0.25);
  EXPECT_EQ(patched->slow.count(), 30);
  EXPECT_EQ(patched->seed, 9u);
  EXPECT_EQ(to_json(*patched)["rate_5xx"], 0.25);

  EXPECT_EQ(apply_fault_patch(base, {{"rate_5xx", 0.75}}).error().message,
            "faults: the failure rates add up to 1.25, more than 1");
  EXPECT_EQ(apply_fault_patch(base, {{"rate_empty", 2}}).error().message,
            "faults.rate_empty: must be between 0 and 1, got 2");
  EXPECT_EQ(apply_fault_patch(base, {{"rate_empty", "x"}}).error().message,
            "faults.rate_empty: expected a number");
  EXPECT_EQ(apply_fault_patch(base, {{"slow_ms", -1}}).error().message,
            "faults.slow_ms: expected an integer >= 0");
  EXPECT_NE(apply_fault_patch(base, {{"rate_teapot", 1}}).error().message.find("faults.rate_teapot: unknown key"),
            std::string::npos);
  EXPECT_FALSE(apply_fault_patch(base, nlohmann::json::array()).ok());
}

TEST(FaultsTest, FaultNames) {
  EXPECT_EQ(to_string(Fault::kStatus429), "status_429");
  EXPECT_EQ(to_string(Fault::kMalformed), "malformed");
}

}  // namespace
}  // namespace rds::mockapi
