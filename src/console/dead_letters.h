#pragma once
// The dead-letter view: the newest dead letters with their rdstream.error.* and rdstream.source.*
// headers (process/dead_letter.h), filtered by reason; and replay, which re-publishes chosen dead
// letters to the topic they came from once the cause is fixed. A replayed record keeps its key,
// value and its own headers, and gains `rdstream.replayed_from` (<dlq topic>/<partition>/<offset>)
// so that it can be traced; the processor judges it afresh (back to the DLQ if still bad).
//
// Threads: any (the HTTP server's); replays are serialised.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "kafka/inspector.h"
#include "kafka/producer.h"

namespace rds::console {

inline constexpr const char* kHeaderReplayedFrom = "rdstream.replayed_from";

struct DeadLetter {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  std::optional<std::string> key;
  std::string value;  // cut at kMaxValueBytes
  bool value_truncated = false;
  std::string reason;  // rdstream.error.code, or "unknown" when the header is missing
  std::vector<kafka::Header> headers;
};

struct DeadLetterPage {
  std::vector<DeadLetter> records;      // newest first
  std::map<std::string, int64_t> reasons;  // over the records scanned, before the filter
  int64_t scanned = 0;
};

struct ReplayResult {
  struct Replayed {
    int32_t partition;
    int64_t offset;
    std::string topic;
  };
  struct Failed {
    int32_t partition;
    int64_t offset;
    std::string error;
  };
  std::vector<Replayed> replayed;
  std::vector<Failed> errors;
};

struct Position {
  int32_t partition = 0;
  int64_t offset = 0;
};

class DeadLetters {
 public:
  static constexpr std::size_t kMaxValueBytes = 4096;
  static constexpr std::size_t kMaxScanPerPartition = 1000;

  DeadLetters(kafka::Inspector& inspector, kafka::AnyTopicProducerConfig producer, std::string topic);
  const std::string& topic() const { return topic_; }

  // The newest `limit` dead letters (of `reason`, if given), looking at the newest
  // kMaxScanPerPartition of each partition.
  Result<DeadLetterPage> newest(std::optional<std::string> reason, std::size_t limit);
  // Each position is replayed or has its error; the call fails only when nothing could be tried
  // (Kafka unreachable, the producer refused).
  Result<ReplayResult> replay(const std::vector<Position>& positions, std::chrono::milliseconds timeout);

 private:
  kafka::Inspector& inspector_;
  kafka::AnyTopicProducerConfig producer_config_;
  std::string topic_;
  std::mutex replay_mutex_;
};

// The header's value, or nullptr.
const std::string* find_header(const std::vector<kafka::Header>& headers, std::string_view name);

}  // namespace rds::console
