#pragma once
// The cluster metadata as read from the system tables (pure: rows in, values out): the nodes of
// system.local and system.peers_v2 (system.peers before Cassandra 4.0) with their data centre and
// tokens, and each keyspace's replication from system_schema.keyspaces.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cassandra/murmur3.h"
#include "cassandra/token_ring.h"
#include "cql/codec.h"

namespace rds::cassandra {

struct NodeMetadata {
  std::string address;  // the native (RPC) address clients connect to
  uint16_t port = 0;
  std::string data_center;
  std::vector<Token> tokens;
};

struct ClusterSnapshot {
  NodeMetadata local;  // the node that answered (its address is the control connection's)
  std::vector<NodeMetadata> peers;
  std::map<std::string, ReplicationStrategy> keyspaces;
};

inline constexpr const char* kLocalQuery = "SELECT data_center, tokens, schema_version FROM system.local WHERE key = 'local'";
inline constexpr const char* kPeersV2Query =
    "SELECT peer, native_address, native_port, data_center, tokens FROM system.peers_v2";
inline constexpr const char* kPeersQuery = "SELECT peer, rpc_address, data_center, tokens FROM system.peers";
inline constexpr const char* kKeyspacesQuery = "SELECT keyspace_name, replication FROM system_schema.keyspaces";

// The keyspaces query for one keyspace (its name quoted as a CQL string literal).
std::string keyspace_query(const std::string& keyspace);

NodeMetadata local_node(const cql::RowsResult& rows);
// `peers_v2`: rows of system.peers_v2 (native_port), else system.peers (`default_port`).
std::vector<NodeMetadata> peer_nodes(const cql::RowsResult& rows, bool peers_v2, uint16_t default_port);
std::map<std::string, ReplicationStrategy> keyspace_replication(const cql::RowsResult& rows);
// The distinct schema_version values of system.local or system.peers rows.
// The schema versions of system.local or system.peers rows; the rows whose `peer` is in `skip`
// (nodes known to be down, which cannot agree until they are back) are left out.
std::set<std::string> schema_versions(const cql::RowsResult& rows, const std::set<std::string>& skip = {});

}  // namespace rds::cassandra
