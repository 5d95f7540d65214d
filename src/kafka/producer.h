#pragma once
// An idempotent Kafka producer on librdkafka, wrapped once: RAII ownership, config validated up
// front, every delivery report counted and handed to the caller's handler.
//
// Threads: produce() and poll()/flush() are called from the owner's thread; the delivery handler
// runs on the thread that calls poll() or flush() (librdkafka serves callbacks there).

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/result.h"
#include "kafka/kafka_config.h"

namespace rds::kafka {

inline constexpr const char* kDefaultCompression = "lz4";

struct ProducerConfig {
  std::string bootstrap_servers = kLocalBootstrapServers;
  std::string topic;  // required (the settings table's kafka.topic)
  std::string compression = kDefaultCompression;  // none | gzip | snappy | lz4 | zstd
  // 10 ms, not librdkafka's 5: a paced source (e.g. `--rate`) otherwise sends a request per few
  // records, and every stage downstream (Kafka, the consumer, the processor, Cassandra) then wakes
  // per few records too. Measured with `rdstream run --rate 17000` (340k records, 2 cores shared by
  // Kafka, Cassandra and rdstream), three runs each: linger 1 ms -> p50 5 ms, p99 123-241 ms,
  // rdstream CPU 8.6-9.2 s, Kafka CPU 4.7-4.9 s; 10 ms -> p50 13 ms, p99 99-193 ms, 7.1-8.7 s and
  // 3.1-4.3 s; 20 ms -> p50 21 ms, p99 79-154 ms. The tail is CPU saturation (noisy at that), and
  // batching is what frees CPU. A fast source fills batches by itself; the linger does not slow it.
  int linger_ms = 10;
  int batch_size_bytes = 1'000'000;
  int message_timeout_ms = 120'000;  // a record not delivered by then is reported failed
  std::string client_id = "rdstream-ingest";
  // Raw librdkafka properties applied last (e.g. from a config file's kafka.producer section).
  std::map<std::string, std::string> extra;

  Status validate() const;
};

// What the delivery handler learns about one record.
struct DeliveryReport {
  uint64_t token = 0;  // the caller's token passed to produce()
  Status status;       // ok once the broker acknowledged with acks=all
  int32_t partition = -1;
  int64_t offset = -1;
};

struct ProducerCounters {
  std::atomic<uint64_t> produced{0};   // accepted into the local queue
  std::atomic<uint64_t> delivered{0};  // acknowledged by the brokers
  std::atomic<uint64_t> failed{0};     // permanently failed (after librdkafka's own retries)
  std::atomic<uint64_t> bytes{0};      // value bytes delivered
};

class Producer {
 public:
  using DeliveryHandler = std::function<void(const DeliveryReport&)>;

  static Result<std::unique_ptr<Producer>> create(const ProducerConfig& config, DeliveryHandler handler);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record. When the local queue is full it serves delivery reports and waits (bounded
  // by `block_for`), so a fast source slows down instead of dropping records.
  Status produce(std::string_view key, std::string_view value, uint64_t token,
                 std::chrono::milliseconds block_for = std::chrono::seconds(30));
  // Serves delivery reports; returns how many were served.
  int poll(std::chrono::milliseconds timeout);
  // Waits until every queued record has a delivery report, or the timeout passes.
  Status flush(std::chrono::milliseconds timeout);
  size_t in_flight() const;
  const ProducerCounters& counters() const { return counters_; }
  // librdkafka reported a fatal error (e.g. the idempotent producer lost its sequence): stop.
  bool fatal() const { return fatal_.load(); }

 private:
  Producer() = default;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* topic_ = nullptr;
  DeliveryHandler handler_;
  ProducerCounters counters_;
  std::atomic<bool> fatal_{false};
};

// Creates the topic if it does not exist (an existing topic is left as it is).
Status ensure_topic(const std::string& bootstrap_servers, const std::string& topic, int partitions,
                    int replication_factor, std::chrono::milliseconds timeout);

}  // namespace rds::kafka
