#pragma once
// Dead-letter publishing: a record the process stage cannot write (rejected by the validator, or
// refused by Cassandra for good) is produced, key and value untouched, to `<topic>.dlq` with
// headers saying why and where it came from:
//   rdstream.error.code        a bounded code ("bad_uuid", "wrong_type", ...)
//   rdstream.error.message     what was wrong, for a human
//   rdstream.source.topic      the topic it was read from
//   rdstream.source.partition  decimal
//   rdstream.source.offset     decimal
// The delivery report goes to the owner's handler; the owner acknowledges the source offset only
// after the DLQ write was delivered (style.md "Acknowledge upstream only after downstream
// success"): a record is never both lost and committed.
//
// Threads: publish(), poll() and flush() from the owner's thread; the handler runs inside poll()
// or flush().
//
// The producer is kafka::Producer (acks=all, idempotent) with no topic of its own: each letter
// goes to the topic DeadLetterConfig::topic_for() names for its source.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "kafka/kafka_config.h"
#include "kafka/producer.h"

namespace rds::process {

inline constexpr const char* kHeaderErrorCode = "rdstream.error.code";
inline constexpr const char* kHeaderErrorMessage = "rdstream.error.message";
inline constexpr const char* kHeaderSourceTopic = "rdstream.source.topic";
inline constexpr const char* kHeaderSourcePartition = "rdstream.source.partition";
inline constexpr const char* kHeaderSourceOffset = "rdstream.source.offset";

struct DeadLetterConfig {
  static constexpr std::string_view kDefaultSuffix = ".dlq";

  std::string bootstrap_servers = kafka::kLocalBootstrapServers;
  std::string topic_suffix = std::string(kDefaultSuffix);
  std::string topic;  // one DLQ topic for every source topic; empty = <source topic><topic_suffix>
  std::string client_id = "rdstream-dlq";
  int message_timeout_ms = 120'000;
  std::size_t max_message_chars = 1024;  // rdstream.error.message is cut beyond this
  std::map<std::string, std::string> extra;  // raw librdkafka producer properties, applied last

  Status validate(std::string_view path = "process.dead_letter") const;
  std::string topic_for(std::string_view source_topic) const;
};

struct DeadLetter {
  std::string source_topic;
  int32_t source_partition = -1;
  int64_t source_offset = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::string code;     // from a bounded set (RejectCode names, "sink_rejected")
  std::string message;
};

// The headers above, in that order (pure; the message cut at max_message_chars).
std::vector<std::pair<std::string, std::string>> dead_letter_headers(const DeadLetter& letter,
                                                                     std::size_t max_message_chars = 1024);

struct DeadLetterDelivery {
  uint64_t token = 0;  // the owner's token passed to publish()
  Status status;       // ok once the DLQ topic's brokers acknowledged (acks=all)
  std::string topic;   // the DLQ topic
  int32_t partition = -1;
  int64_t offset = -1;
};

class DeadLetterPublisher {
 public:
  using DeliveryHandler = std::function<void(const DeadLetterDelivery&)>;

  static Result<std::unique_ptr<DeadLetterPublisher>> create(const DeadLetterConfig& config, DeliveryHandler handler);
  ~DeadLetterPublisher();  // waits briefly (5 s) for outstanding deliveries
  DeadLetterPublisher(const DeadLetterPublisher&) = delete;
  DeadLetterPublisher& operator=(const DeadLetterPublisher&) = delete;

  // Queues the letter; its delivery report arrives through the handler. A full local queue is an
  // error (retriable): the owner retries later, it never blocks here.
  Status publish(const DeadLetter& letter, uint64_t token);
  int poll(std::chrono::milliseconds timeout);
  Status flush(std::chrono::milliseconds timeout);
  std::size_t in_flight() const;
  bool fatal() const { return producer_->fatal(); }
  const DeadLetterConfig& config() const { return config_; }

 private:
  DeadLetterPublisher() = default;
  void on_delivery(const kafka::DeliveryReport& report);

  DeadLetterConfig config_;
  DeliveryHandler handler_;
  std::unique_ptr<kafka::Producer> producer_;  // last: destroyed first, while handler_ still exists
};

}  // namespace rds::process
