#pragma once
// The judgements behind `rdstream doctor`, as pure functions of what the checks measured: unit
// tested without engines, and the one place their wording and thresholds live.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cql/codec.h"
#include "doctor/report.h"

namespace rds::doctor {

// How many replicas must answer a write at `consistency` with `rf` replicas (per DC for LOCAL_*).
int required_replicas(cql::Consistency consistency, int rf);

// The keyspace's replication against the nodes: a problem when the writes at `consistency` cannot
// succeed with the live nodes (or the ring is smaller than the factor), a warning when the factor
// is above the live nodes but writes still succeed.
std::optional<Finding> replication_verdict(const std::string& keyspace, int rf, int live_nodes, int total_nodes,
                                           cql::Consistency consistency);

// A node's clock against this host's (server minus local): Cassandra orders writes by the
// coordinator's timestamps, so a skewed node makes later writes lose to earlier ones.
inline constexpr std::chrono::milliseconds kMaxClockSkew{500};
std::optional<Finding> clock_skew_verdict(const std::string& node, std::chrono::milliseconds skew);

// Columns rdstream will write (name, CQL type) that the existing table lacks: one problem with the
// ALTER TABLE statements that add them.
struct Column {
  std::string name;
  std::string cql_type;
};
std::optional<Finding> missing_columns_verdict(const std::string& qualified_table, const std::vector<Column>& wanted,
                                               const std::vector<std::string>& existing);

// The topic's partitions against the processors meant to share it: each partition goes to one
// member of the group, so members beyond the partition count stay idle.
std::optional<Finding> partitions_verdict(const std::string& topic, int partitions, int instances);

// For a node of `rdstream stack` (node n on 127.0.0.n): how to start it again, e.g.
// "rdstream stack start-node cassandra 2"; empty for any other address.
std::string stack_start_hint(const std::string& host, const std::string& service);

}  // namespace rds::doctor
