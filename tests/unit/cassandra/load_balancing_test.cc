// The pure load-balancing policy: replicas first, local DC preferred, remote DCs last or never,
// down hosts skipped, round robin over the rest.

#include "cassandra/load_balancing.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

namespace rds::cassandra {
namespace {

using Plan = std::vector<HostIndex>;

std::vector<PlanHost> hosts_in(const std::vector<std::string>& dcs) {
  std::vector<PlanHost> hosts;
  for (const auto& dc : dcs) hosts.push_back(PlanHost{dc, true});
  return hosts;
}

TEST(LoadBalancing, ReplicasComeFirst) {
  const auto hosts = hosts_in({"dc1", "dc1", "dc1", "dc1"});
  for (uint64_t rotation = 0; rotation < 8; ++rotation) {
    const Plan plan = query_plan(hosts, {2, 3}, {.local_dc = "dc1"}, rotation);
    ASSERT_EQ(plan.size(), 4u);
    EXPECT_EQ(std::set<HostIndex>(plan.begin(), plan.begin() + 2), (std::set<HostIndex>{2, 3})) << rotation;
    EXPECT_EQ(std::set<HostIndex>(plan.begin() + 2, plan.end()), (std::set<HostIndex>{0, 1})) << rotation;
  }
}

TEST(LoadBalancing, RotatesAmongReplicas) {
  const auto hosts = hosts_in({"dc1", "dc1", "dc1"});
  std::map<HostIndex, int> first;
  for (uint64_t rotation = 0; rotation < 30; ++rotation) ++first[query_plan(hosts, {0, 1, 2}, {}, rotation).front()];
  EXPECT_EQ(first, (std::map<HostIndex, int>{{0, 10}, {1, 10}, {2, 10}}));
}

TEST(LoadBalancing, PrefersTheLocalDcAndExcludesRemoteDcsByDefault) {
  const auto hosts = hosts_in({"dc2", "dc1", "dc2", "dc1"});
  // Replica 0 is remote: it is not tried at all, replica 3 is local and first.
  for (uint64_t rotation = 0; rotation < 4; ++rotation) {
    const Plan plan = query_plan(hosts, {0, 3}, {.local_dc = "dc1"}, rotation);
    EXPECT_EQ(plan, (Plan{3, 1})) << rotation;
  }
}

TEST(LoadBalancing, RemoteHostsComeLastWhenAllowed) {
  const auto hosts = hosts_in({"dc2", "dc1", "dc2", "dc1", "dc3"});
  const Plan plan = query_plan(hosts, {}, {.local_dc = "dc1", .used_hosts_per_remote_dc = 1}, 0);
  ASSERT_EQ(plan.size(), 4u);  // two local, one of dc2, one of dc3
  EXPECT_EQ(std::set<HostIndex>(plan.begin(), plan.begin() + 2), (std::set<HostIndex>{1, 3}));
  std::set<std::string> remote_dcs;
  for (size_t i = 2; i < plan.size(); ++i) remote_dcs.insert(hosts[plan[i]].data_center);
  EXPECT_EQ(remote_dcs, (std::set<std::string>{"dc2", "dc3"}));
}

TEST(LoadBalancing, UnknownLocalDcMakesEveryHostLocal) {
  const auto hosts = hosts_in({"dc2", "dc1", "dc3"});
  const Plan plan = query_plan(hosts, {2}, {}, 0);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan.front(), 2u);
}

TEST(LoadBalancing, SkipsDownHosts) {
  auto hosts = hosts_in({"dc1", "dc1", "dc1", "dc1"});
  hosts[1].up = false;
  hosts[2].up = false;
  for (uint64_t rotation = 0; rotation < 4; ++rotation) {
    const Plan plan = query_plan(hosts, {1, 2, 3}, {.local_dc = "dc1"}, rotation);
    EXPECT_EQ(plan, (Plan{3, 0})) << rotation;  // the one up replica, then the other up host
  }
}

TEST(LoadBalancing, RoundRobinSpreadsOverNonReplicas) {
  const auto hosts = hosts_in({"dc1", "dc1", "dc1", "dc1"});
  std::map<HostIndex, int> first;
  std::map<HostIndex, int> second_after_replica;
  for (uint64_t rotation = 0; rotation < 40; ++rotation) {
    ++first[query_plan(hosts, {}, {.local_dc = "dc1"}, rotation).front()];
    ++second_after_replica[query_plan(hosts, {0}, {.local_dc = "dc1"}, rotation).at(1)];
  }
  EXPECT_EQ(first, (std::map<HostIndex, int>{{0, 10}, {1, 10}, {2, 10}, {3, 10}}));
  // Host 0, the replica, is always first; the others share the second place.
  EXPECT_EQ(second_after_replica.count(0), 0u);
  for (HostIndex h : {1, 2, 3}) EXPECT_GE(second_after_replica[h], 10) << h;
}

TEST(LoadBalancing, EmptyReplicaListIsPlainRoundRobin) {
  const auto hosts = hosts_in({"dc1", "dc1", "dc1"});
  EXPECT_EQ(query_plan(hosts, {}, {.local_dc = "dc1"}, 1), (Plan{1, 2, 0}));
  EXPECT_EQ(query_plan(hosts, {}, {.local_dc = "dc1"}, 5), (Plan{2, 0, 1}));
}

TEST(LoadBalancing, AllHostsDownGivesAnEmptyPlan) {
  auto hosts = hosts_in({"dc1", "dc1", "dc2"});
  for (auto& h : hosts) h.up = false;
  EXPECT_TRUE(query_plan(hosts, {0, 1}, {.local_dc = "dc1", .used_hosts_per_remote_dc = 2}, 0).empty());
  EXPECT_TRUE(query_plan({}, {}, {}, 0).empty());
}

TEST(LoadBalancing, IgnoresReplicaIndexesOutOfRangeAndDuplicates) {
  const auto hosts = hosts_in({"dc1", "dc1"});
  EXPECT_EQ(query_plan(hosts, {1, 1, 7}, {}, 0), (Plan{1, 0}));
}

}  // namespace
}  // namespace rds::cassandra
