#pragma once
// What a Kafka cluster says about itself: one Metadata request from a short-lived client, for
// health checks and tools (`rdstream stack`'s readiness wait). No librdkafka types in this header.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace rds::kafka {

struct BrokerMetadata {
  int32_t id = -1;
  std::string host;
  int port = 0;
};

struct TopicMetadata {
  std::string name;
  int partitions = 0;
  Status status;  // the broker's error for this topic (e.g. leader not available yet), if any
};

struct ClusterMetadata {
  std::vector<BrokerMetadata> brokers;  // the live brokers
  std::vector<TopicMetadata> topics;    // empty unless asked for
};

enum class MetadataTopics {
  kNone,  // brokers only (what a health check needs); topics in the answer, if any, are dropped
  kAll,   // every topic of the cluster, with its partition count
};

// Asks `bootstrap_servers` and waits up to `timeout` for the answer (names no topic, so it
// creates none, whatever the broker's auto-creation setting). An unreachable cluster is an error
// naming the address ("metadata request to 127.0.0.1:9092: ...", retriable for a broker that is
// down or slow); librdkafka's own connection logs are silenced, as the outcome is returned.
// `properties`: the user's librdkafka properties (kafka.properties: TLS, SASL), applied last; a
// TLS or SASL failure is then the error, with its fix (kAuth, not retriable).
Result<ClusterMetadata> fetch_metadata(const std::string& bootstrap_servers, MetadataTopics topics,
                                       std::chrono::milliseconds timeout,
                                       const std::map<std::string, std::string>& properties = {});

}  // namespace rds::kafka
