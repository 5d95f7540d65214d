#include "doctor/verdicts.h"

#include <fmt/format.h>

#include <cstdlib>

namespace rds::doctor {

int required_replicas(cql::Consistency consistency, int rf) {
  switch (consistency) {
    case cql::Consistency::kAny:
    case cql::Consistency::kOne:
    case cql::Consistency::kLocalOne: return 1;
    case cql::Consistency::kTwo: return 2;
    case cql::Consistency::kThree: return 3;
    case cql::Consistency::kAll: return rf;
    default: return rf / 2 + 1;  // QUORUM, LOCAL_QUORUM, EACH_QUORUM, SERIAL, LOCAL_SERIAL
  }
}

std::optional<Finding> replication_verdict(const std::string& keyspace, int rf, int live_nodes, int total_nodes,
                                           cql::Consistency consistency) {
  const std::string subject = "cassandra keyspace " + keyspace;
  if (rf > total_nodes) {
    return Finding{Finding::Level::kProblem, subject,
                   fmt::format("replication factor {} is above the {} node{} of the ring: every write at {} needs {} "
                               "replicas that do not exist",
                               rf, total_nodes, total_nodes == 1 ? "" : "s", cql::to_string(consistency),
                               required_replicas(consistency, rf)),
                   fmt::format("ALTER KEYSPACE {} WITH replication = {{'class': 'SimpleStrategy', "
                               "'replication_factor': {}}}, or add nodes",
                               keyspace, total_nodes)};
  }
  const int needed = required_replicas(consistency, rf);
  if (needed > live_nodes) {
    return Finding{Finding::Level::kProblem, subject,
                   fmt::format("writes at {} need {} of its {} replicas, but only {} of {} nodes are up: they fail",
                               cql::to_string(consistency), needed, rf, live_nodes, total_nodes),
                   "start the nodes that are down (above), or write at a lower cassandra.consistency"};
  }
  if (rf > live_nodes) {
    return Finding{Finding::Level::kWarning, subject,
                   fmt::format("replication factor {} is above the {} live node{}: writes at {} still succeed ({} "
                               "replicas needed), but one more node down and some fail",
                               rf, live_nodes, live_nodes == 1 ? "" : "s", cql::to_string(consistency), needed),
                   "start the nodes that are down (above)"};
  }
  return std::nullopt;
}

std::optional<Finding> clock_skew_verdict(const std::string& node, std::chrono::milliseconds skew) {
  if (std::llabs(skew.count()) <= kMaxClockSkew.count()) return std::nullopt;
  return Finding{Finding::Level::kProblem, "cassandra " + node,
                 fmt::format("its clock is {} ms {} this host's (more than {} ms): writes are ordered by timestamps, "
                             "so a later write may lose to an earlier one",
                             std::llabs(skew.count()), skew.count() > 0 ? "ahead of" : "behind", kMaxClockSkew.count()),
                 "synchronise the clocks (chrony or systemd-timesyncd on every node and this host)"};
}

std::optional<Finding> missing_columns_verdict(const std::string& qualified_table, const std::vector<Column>& wanted,
                                               const std::vector<std::string>& existing) {
  std::vector<Column> missing;
  for (const auto& c : wanted) {
    bool found = false;
    for (const auto& e : existing) found = found || e == c.name;
    if (!found) missing.push_back(c);
  }
  if (missing.empty()) return std::nullopt;
  std::string names;
  std::string statements;
  for (const auto& c : missing) {
    names += (names.empty() ? "" : ", ") + c.name;
    statements += fmt::format("{}ALTER TABLE {} ADD {} {};", statements.empty() ? "" : " ", qualified_table, c.name,
                              c.cql_type);
  }
  return Finding{Finding::Level::kProblem, "cassandra table " + qualified_table,
                 fmt::format("lacks the column{} {} that rdstream writes: every insert would fail",
                             missing.size() == 1 ? "" : "s", names),
                 fmt::format("{} (or drop them from cassandra.columns)", statements)};
}

std::optional<Finding> partitions_verdict(const std::string& topic, int partitions, int instances) {
  if (partitions >= instances) return std::nullopt;
  return Finding{Finding::Level::kWarning, "kafka topic " + topic,
                 fmt::format("has {} partition{} for {} processor instances: {} of them would stay idle", partitions,
                             partitions == 1 ? "" : "s", instances, instances - partitions),
                 fmt::format("add partitions (kafka-topics --alter --topic {} --partitions {}), or run at most {} "
                             "instances",
                             topic, instances, partitions)};
}

std::string stack_start_hint(const std::string& host, const std::string& service) {
  if (host.size() == 9 && host.starts_with("127.0.0.") && host[8] >= '1' && host[8] <= '9') {
    return fmt::format("rdstream stack start-node {} {}", service, host[8]);
  }
  return {};
}

}  // namespace rds::doctor
