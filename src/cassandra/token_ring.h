#pragma once
// Replica placement from the token ring, as pure functions (no I/O): which hosts own a token under
// a keyspace's replication strategy. Fed from system.local / system.peers (tokens, data_center)
// and system_schema.keyspaces (replication).
//
//   SimpleStrategy: walk the ring clockwise from the first token >= the key's token (wrapping),
//     collecting distinct hosts until replication_factor of them.
//   NetworkTopologyStrategy: the same walk, collecting per data centre up to that DC's factor
//     (racks are not considered: a simplification that only changes which replica is preferred,
//     never correctness, since any node can coordinate any write).
//   LocalStrategy / EverywhereStrategy / unknown: every host is a replica (no preference).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cassandra/murmur3.h"

namespace rds::cassandra {

struct ReplicationStrategy {
  enum class Kind { kSimple, kNetworkTopology, kEverywhere };
  Kind kind = Kind::kSimple;
  int replication_factor = 1;              // kSimple
  std::map<std::string, int> dc_factors;   // kNetworkTopology

  // From system_schema.keyspaces.replication, e.g. {class: ...SimpleStrategy, replication_factor: 3}.
  static ReplicationStrategy from_options(const std::map<std::string, std::string>& options);
};

// Index of a host in the caller's host list.
using HostIndex = size_t;

class TokenRing {
 public:
  TokenRing() = default;
  // host_tokens[i]: tokens owned by host i; host_dcs[i]: its data centre (may be empty).
  TokenRing(const std::vector<std::vector<Token>>& host_tokens, std::vector<std::string> host_dcs);

  bool empty() const { return ring_.empty(); }
  size_t host_count() const { return dcs_.size(); }

  // Replicas of `token`, primary first. Empty if the ring is empty.
  std::vector<HostIndex> replicas(Token token, const ReplicationStrategy& strategy) const;

 private:
  std::vector<std::pair<Token, HostIndex>> ring_;  // sorted by token
  std::vector<std::string> dcs_;
};

}  // namespace rds::cassandra
