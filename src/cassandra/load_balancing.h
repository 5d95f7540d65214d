#pragma once
// The load-balancing policy, as a pure function (no I/O, no loop, no clock): which hosts a request
// tries, in order. It is the DataStax drivers' TokenAware(DCAwareRoundRobin) policy:
//   1. the up replicas of the statement's partition in the local data centre, rotated by the
//      caller's counter so that load spreads over them;
//   2. the other up hosts of the local data centre, round robin from the same counter;
//   3. at most used_hosts_per_remote_dc up hosts of each remote data centre (0 by default, as in
//      the drivers: a remote DC's latency and consistency are not what a LOCAL_* write expects).
// With no local DC known every host counts as local. Down hosts never appear: a plan may be empty.
//
//   std::vector<PlanHost> hosts = {{"dc1", true}, {"dc1", false}, {"dc2", true}};
//   auto plan = query_plan(hosts, replicas_of_key, {.local_dc = "dc1"}, counter++);

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cassandra/token_ring.h"  // HostIndex

namespace rds::cassandra {

// What the policy knows of a host; its index in the caller's list is its HostIndex.
struct PlanHost {
  std::string data_center;
  bool up = false;
};

struct LoadBalancingConfig {
  std::string local_dc;                 // empty: every host is local
  size_t used_hosts_per_remote_dc = 0;  // remote hosts tried last, per DC; 0: never
};

// `replicas`: the statement's replicas, primary first (empty when its routing key is unknown or
// routing is not token-aware). `rotation`: a counter the caller advances per request.
std::vector<HostIndex> query_plan(const std::vector<PlanHost>& hosts, const std::vector<HostIndex>& replicas,
                                  const LoadBalancingConfig& config, uint64_t rotation);

}  // namespace rds::cassandra
