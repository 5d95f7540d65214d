#pragma once
// An idempotent Kafka producer on librdkafka, wrapped once: RAII ownership, config validated up
// front, every delivery report counted and handed to the caller's handler with the caller's
// per-record token. Every producer of the project is one of these: the ingest stage's (one topic,
// ProducerConfig) and the dead-letter publisher's (any topic, headers, AnyTopicProducerConfig).
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
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

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

// A producer with no topic of its own: each record names its topic (produce(const Record&)). For
// the clients beside the ingest stage (the dead-letter publisher). Idempotent with acks=all like
// the ingest producer; compression, batch size and local queue size are librdkafka's defaults.
// The owner validates its own settings (with its own setting names); librdkafka refuses values out
// of its ranges, naming the property.
struct AnyTopicProducerConfig {
  std::string name = "kafka producer";  // what errors call this client: "<name> property linger.ms: ..."
  std::string log_component = "kafka";  // the log component of its client errors
  std::string bootstrap_servers = kLocalBootstrapServers;
  std::string client_id = "rdstream";
  int linger_ms = 5;
  int message_timeout_ms = 120'000;  // a record not delivered by then is reported failed
  std::map<std::string, std::string> extra;  // raw librdkafka properties, applied last
};

using Header = std::pair<std::string, std::string>;  // name, value

// One record for Producer::produce(const Record&): the views need to live only until produce()
// returns (librdkafka copies key, value and headers).
struct Record {
  std::string_view topic;
  std::optional<std::string_view> key;    // nullopt: no key (not an empty one)
  std::optional<std::string_view> value;  // nullopt: a tombstone
  std::span<const Header> headers;        // in this order; a name may repeat
};

// What the delivery handler learns about one record.
struct DeliveryReport {
  uint64_t token = 0;  // the caller's token passed to produce()
  Status status;       // ok once the broker acknowledged with acks=all
  std::string topic;   // the record's topic
  int32_t partition = -1;
  int64_t offset = -1;
  size_t bytes = 0;                   // the value's
  std::chrono::microseconds latency{-1};  // produce() to this report (librdkafka's); -1: unknown
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

  // The ingest stage's producer: produce(key, value) sends to config.topic.
  static Result<std::unique_ptr<Producer>> create(const ProducerConfig& config, DeliveryHandler handler);
  // A producer without a topic: only produce(const Record&).
  static Result<std::unique_ptr<Producer>> create(const AnyTopicProducerConfig& config, DeliveryHandler handler);
  ~Producer();  // does not flush: call flush() first for what must be delivered
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record to the producer's topic (kInternal on a producer created without one).
  // When the local queue is full it serves delivery reports and waits (bounded by `block_for`),
  // so a fast source slows down instead of dropping records; past that, the queue-full error
  // (retriable).
  Status produce(std::string_view key, std::string_view value, uint64_t token,
                 std::chrono::milliseconds block_for = std::chrono::seconds(30));
  // Queues one record to its own topic, with headers; a full queue is handled as above (0: fail at
  // once, retriable, and let the owner retry later).
  Status produce(const Record& record, uint64_t token,
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
  // The one place a librdkafka producer is made: `props` (whatever the config asks for) with
  // idempotence and acks=all set first, `extra` applied last.
  static Result<std::unique_ptr<Producer>> open(const ConfProperties& props,
                                                const std::map<std::string, std::string>& extra, std::string_view name,
                                                std::string_view log_component, DeliveryHandler handler);
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* topic_ = nullptr;  // the ProducerConfig's topic; null for an any-topic producer
  std::string log_component_;
  DeliveryHandler handler_;
  ProducerCounters counters_;
  std::atomic<bool> fatal_{false};
};

// Creates the topic if it does not exist (an existing topic is left as it is). `properties`: the
// user's librdkafka properties (kafka.properties: TLS, SASL), applied last.
Status ensure_topic(const std::string& bootstrap_servers, const std::string& topic, int partitions,
                    int replication_factor, std::chrono::milliseconds timeout, const Properties& properties = {});

// The context for a Kafka that did not answer in time: either nothing listens on the bootstrap
// servers, or a broker answered there but advertises an address this host cannot reach (the
// classic container set-up failure, where "is Kafka up?" alone misleads).
std::string unanswered_hint(const std::string& bootstrap_servers);

}  // namespace rds::kafka
