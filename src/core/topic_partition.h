#pragma once
// One partition of one Kafka topic: the one type for it, shared by the Kafka wrapper (src/kafka)
// and the offset bookkeeping (src/pipeline), which must not depend on librdkafka. A plain value,
// ordered so that it can key a std::map.

#include <cstdint>
#include <string>

namespace rds {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// "users_created[3]": how logs and errors name a partition.
inline std::string to_string(const TopicPartition& tp) {
  return tp.topic + "[" + std::to_string(tp.partition) + "]";
}

}  // namespace rds
