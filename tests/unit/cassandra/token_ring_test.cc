#include "cassandra/token_ring.h"

#include <gtest/gtest.h>

namespace rds::cassandra {
namespace {

ReplicationStrategy simple(int rf) {
  return ReplicationStrategy::from_options({{"class", "org.apache.cassandra.locator.SimpleStrategy"},
                                            {"replication_factor", std::to_string(rf)}});
}

// Three hosts, tokens: host0 {-100, 200}, host1 {0}, host2 {100}. Ring: -100(h0) 0(h1) 100(h2) 200(h0).
TokenRing ring3() { return TokenRing({{-100, 200}, {0}, {100}}, {"dc1", "dc1", "dc2"}); }

TEST(TokenRing, PrimaryIsFirstTokenAtOrAfter) {
  auto ring = ring3();
  EXPECT_EQ(ring.replicas(-100, simple(1)), std::vector<HostIndex>{0});
  EXPECT_EQ(ring.replicas(-99, simple(1)), std::vector<HostIndex>{1});
  EXPECT_EQ(ring.replicas(0, simple(1)), std::vector<HostIndex>{1});
  EXPECT_EQ(ring.replicas(150, simple(1)), std::vector<HostIndex>{0});
  // Past the largest token: wraps to the smallest.
  EXPECT_EQ(ring.replicas(201, simple(1)), std::vector<HostIndex>{0});
  EXPECT_EQ(ring.replicas(INT64_MIN, simple(1)), std::vector<HostIndex>{0});
}

TEST(TokenRing, SimpleStrategyWalksClockwiseSkippingSeenHosts) {
  auto ring = ring3();
  EXPECT_EQ(ring.replicas(101, simple(2)), (std::vector<HostIndex>{0, 1}));  // 200(h0), wrap -100(h0) skip, 0(h1)
  EXPECT_EQ(ring.replicas(-50, simple(3)), (std::vector<HostIndex>{1, 2, 0}));
  // A factor above the host count yields every host once.
  EXPECT_EQ(ring.replicas(-50, simple(5)).size(), 3u);
}

TEST(TokenRing, NetworkTopologyCountsPerDataCentre) {
  auto nts = ReplicationStrategy::from_options(
      {{"class", "org.apache.cassandra.locator.NetworkTopologyStrategy"}, {"dc1", "1"}, {"dc2", "1"}});
  ASSERT_EQ(nts.kind, ReplicationStrategy::Kind::kNetworkTopology);
  // From 0: h1 (dc1), h2 (dc2); h0 (dc1) is over dc1's factor.
  EXPECT_EQ(ring3().replicas(0, nts), (std::vector<HostIndex>{1, 2}));
  auto only_dc2 = ReplicationStrategy::from_options(
      {{"class", "NetworkTopologyStrategy"}, {"dc2", "3"}});
  EXPECT_EQ(ring3().replicas(-500, only_dc2), std::vector<HostIndex>{2});
}

TEST(TokenRing, LocalStrategyMeansEveryHost) {
  auto local = ReplicationStrategy::from_options({{"class", "org.apache.cassandra.locator.LocalStrategy"}});
  EXPECT_EQ(ring3().replicas(5, local).size(), 3u);
}

TEST(TokenRing, EmptyRingHasNoReplicas) {
  EXPECT_TRUE(TokenRing().replicas(5, simple(1)).empty());
}

TEST(TokenRing, ParsesTransientFactor) {
  EXPECT_EQ(ReplicationStrategy::from_options({{"class", "SimpleStrategy"}, {"replication_factor", "3/1"}})
                .replication_factor, 3);
}

}  // namespace
}  // namespace rds::cassandra
