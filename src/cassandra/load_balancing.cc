#include "cassandra/load_balancing.h"

#include <algorithm>
#include <map>

namespace rds::cassandra {
namespace {

bool is_local(const PlanHost& host, const LoadBalancingConfig& config) {
  return config.local_dc.empty() || host.data_center == config.local_dc;
}

bool contains(const std::vector<HostIndex>& list, HostIndex h) { return std::find(list.begin(), list.end(), h) != list.end(); }

}  // namespace

std::vector<HostIndex> query_plan(const std::vector<PlanHost>& hosts, const std::vector<HostIndex>& replicas,
                                  const LoadBalancingConfig& config, uint64_t rotation) {
  std::vector<HostIndex> plan;
  const size_t n = hosts.size();
  if (n == 0) return plan;
  for (HostIndex h : replicas) {
    if (h < n && hosts[h].up && is_local(hosts[h], config) && !contains(plan, h)) plan.push_back(h);
  }
  // Spread over the replicas: each of them coordinates its share of the partition's requests.
  if (!plan.empty()) {
    std::rotate(plan.begin(), plan.begin() + static_cast<std::ptrdiff_t>(rotation % plan.size()), plan.end());
  }
  const size_t start = static_cast<size_t>(rotation % n);
  for (size_t i = 0; i < n; ++i) {
    const HostIndex h = (start + i) % n;
    if (hosts[h].up && is_local(hosts[h], config) && !contains(plan, h)) plan.push_back(h);
  }
  if (config.used_hosts_per_remote_dc == 0 || config.local_dc.empty()) return plan;
  std::map<std::string, size_t> used;  // per remote DC
  for (size_t i = 0; i < n; ++i) {
    const HostIndex h = (start + i) % n;
    if (!hosts[h].up || is_local(hosts[h], config)) continue;
    if (used[hosts[h].data_center]++ < config.used_hosts_per_remote_dc) plan.push_back(h);
  }
  return plan;
}

}  // namespace rds::cassandra
