#pragma once
// Looking at a Kafka cluster without taking part in it, for the console and tools: a topic's
// partitions and offsets, a consumer group's members and committed offsets, and reading records at
// given offsets (dead letters, the oldest record a group has not consumed). It never joins a group
// and never commits. No librdkafka types in this header.
//
// Threads: any; calls are serialised (one librdkafka client underneath).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/topic_partition.h"
#include "kafka/kafka_config.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"  // Header

namespace rds::kafka {

struct InspectorConfig {
  std::string bootstrap_servers = kLocalBootstrapServers;
  std::string client_id = "rdstream-inspector";
  std::chrono::milliseconds timeout{5'000};  // per request
  std::map<std::string, std::string> extra;  // raw librdkafka properties (kafka.properties)
};

struct PartitionOffsets {
  int32_t partition = 0;
  int32_t leader = -1;
  int64_t start_offset = -1;  // the log start (low watermark)
  int64_t end_offset = -1;    // the next offset to be written (high watermark)
};

struct TopicOffsets {
  std::string name;
  std::vector<PartitionOffsets> partitions;  // by partition
};

struct GroupMember {
  std::string client_id;
  std::string consumer_id;  // the member id the coordinator gave it
  std::string host;         // as the broker saw it, e.g. "/127.0.0.1"
  std::vector<TopicPartition> assignment;
};

struct GroupState {
  std::string id;
  std::string state;  // librdkafka's name: "Stable", "Empty", "Dead", "PreparingRebalance", ...
  std::vector<GroupMember> members;
  std::map<TopicPartition, int64_t> committed;  // partitions with a committed offset
};

struct FetchedRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;  // -1: none
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

// Offsets [begin, end) of one partition.
struct OffsetRange {
  int32_t partition = 0;
  int64_t begin = 0;
  int64_t end = 0;
};

class Inspector {
 public:
  static Result<std::unique_ptr<Inspector>> create(const InspectorConfig& config);
  ~Inspector();
  Inspector(const Inspector&) = delete;
  Inspector& operator=(const Inspector&) = delete;

  // The live brokers.
  Result<std::vector<BrokerMetadata>> brokers();
  // A topic's partitions with their leaders and watermarks; kNotFound when the topic does not exist.
  Result<TopicOffsets> topic(const std::string& name);
  // The group as its coordinator describes it, and its committed offsets. A group that never
  // existed comes back in state "Dead" with no members, as Kafka answers.
  Result<GroupState> group(const std::string& id);
  // The records of `topic` in each range, in offset order per partition. Stops at each range's
  // end, at the partition's end, or after `timeout` (kTimeout, naming what is missing).
  Result<std::vector<FetchedRecord>> read(const std::string& topic, const std::vector<OffsetRange>& ranges,
                                          std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit Inspector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rds::kafka
