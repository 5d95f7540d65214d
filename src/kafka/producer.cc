#include "kafka/producer.h"

#include <fmt/format.h>

#include <thread>
#include <vector>

#include "kafka/kafka_config.h"
#include "kafka/kafka_error.h"

namespace rds::kafka {
namespace {

// A token travels through librdkafka as the message's opaque pointer value.
void* token_to_opaque(uint64_t token) { return reinterpret_cast<void*>(static_cast<uintptr_t>(token)); }
uint64_t opaque_to_token(void* opaque) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(opaque)); }

}  // namespace

Status ProducerConfig::validate() const {
  std::vector<std::string> problems;
  if (bootstrap_servers.empty()) problems.push_back("kafka.bootstrap_servers: must not be empty");
  if (topic.empty()) problems.push_back("kafka.topic: must not be empty");
  if (compression != "none" && compression != "gzip" && compression != "snappy" && compression != "lz4" &&
      compression != "zstd") {
    problems.push_back(fmt::format("kafka.compression: '{}' must be one of none, gzip, snappy, lz4, zstd", compression));
  }
  if (linger_ms < 0 || linger_ms > 900000) problems.push_back("kafka.linger_ms: must be between 0 and 900000");
  if (message_timeout_ms < 1000) problems.push_back("kafka.message_timeout_ms: must be at least 1000");
  if (problems.empty()) return ok_status();
  std::string message = "invalid Kafka producer configuration:";
  for (const auto& p : problems) message += "\n  " + p;
  return Error(ErrorCode::kInvalidArgument, message);
}

Result<std::unique_ptr<Producer>> Producer::open(const ConfProperties& props,
                                                 const std::map<std::string, std::string>& extra,
                                                 std::string_view name, std::string_view log_component,
                                                 DeliveryHandler handler) {
  std::unique_ptr<Producer> producer(new Producer());
  producer->handler_ = std::move(handler);
  producer->log_component_ = std::string(log_component);
  // Idempotence gives acks=all, bounded in-flight and ordered, duplicate-free retries per partition:
  // every producer here has it, whatever its config (only `extra`, the user's, comes later).
  ConfProperties all = {{"enable.idempotence", "true"}, {"acks", "all"}};
  all.insert(all.end(), props.begin(), props.end());
  for (const auto& [k, v] : extra) all.emplace_back(k, v);
  auto made = make_rdkafka_conf(all, name);
  if (!made) return made.take_error();
  rd_kafka_conf_t* conf = *made;
  rd_kafka_conf_set_opaque(conf, producer.get());
  rd_kafka_conf_set_dr_msg_cb(conf, &Producer::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &Producer::on_error);
  char errstr[512];
  producer->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (producer->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new owns the conf only on success
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", name, errstr));
  }
  return producer;
}

Result<std::unique_ptr<Producer>> Producer::create(const ProducerConfig& config, DeliveryHandler handler) {
  RDS_TRY(config.validate());
  auto producer = open(
      {
          {"bootstrap.servers", config.bootstrap_servers},
          {"client.id", config.client_id},
          {"compression.codec", config.compression},
          {"linger.ms", std::to_string(config.linger_ms)},
          {"batch.size", std::to_string(config.batch_size_bytes)},
          {"message.timeout.ms", std::to_string(config.message_timeout_ms)},
          {"queue.buffering.max.messages", "200000"},
          // rdstream creates its topics itself (ensure_topic, with the partitions it is told); one
          // the broker made on first use would have the broker's defaults (num.partitions=1).
          {"allow.auto.create.topics", "false"},
      },
      config.extra, "kafka producer", "kafka", std::move(handler));
  if (!producer) return producer.take_error();
  // One topic handle for the life of the producer: rd_kafka_produce() on it skips the lookup by
  // name that every record of produce(const Record&) costs.
  (*producer)->topic_ = rd_kafka_topic_new((*producer)->rk_, config.topic.c_str(), nullptr);
  if ((*producer)->topic_ == nullptr) {
    return from_rdkafka(rd_kafka_last_error(), fmt::format("kafka topic {}", config.topic));
  }
  return producer;
}

Result<std::unique_ptr<Producer>> Producer::create(const AnyTopicProducerConfig& config, DeliveryHandler handler) {
  return open(
      {
          {"bootstrap.servers", config.bootstrap_servers},
          {"client.id", config.client_id},
          {"linger.ms", std::to_string(config.linger_ms)},
          {"message.timeout.ms", std::to_string(config.message_timeout_ms)},
      },
      config.extra, config.name, config.log_component, std::move(handler));
}

Producer::~Producer() {
  if (topic_ != nullptr) rd_kafka_topic_destroy(topic_);
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

Status Producer::produce(std::string_view key, std::string_view value, uint64_t token,
                         std::chrono::milliseconds block_for) {
  if (topic_ == nullptr) {
    return Error(ErrorCode::kInternal, "producing a record: this producer has no topic of its own (a bug: give "
                                       "each record its topic with produce(Record))");
  }
  const auto deadline = std::chrono::steady_clock::now() + block_for;
  while (true) {
    int rc = rd_kafka_produce(topic_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()),
                              value.size(), key.data(), key.size(), token_to_opaque(token));
    if (rc == 0) {
      counters_.produced.fetch_add(1, std::memory_order_relaxed);
      return ok_status();
    }
    rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || std::chrono::steady_clock::now() >= deadline) {
      return from_rdkafka(err, "producing a record");
    }
    // Back-pressure: let deliveries drain the queue, then try again.
    rd_kafka_poll(rk_, 50);
  }
}

Status Producer::produce(const Record& record, uint64_t token, std::chrono::milliseconds block_for) {
  const std::string topic(record.topic);  // librdkafka wants it NUL-terminated
  // librdkafka takes the headers over only when the record is queued; until then they are ours.
  using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, decltype(&rd_kafka_headers_destroy)>;
  HeadersPtr headers(nullptr, &rd_kafka_headers_destroy);
  if (!record.headers.empty()) {
    headers.reset(rd_kafka_headers_new(record.headers.size()));
    for (const auto& [name, value] : record.headers) {
      rd_kafka_header_add(headers.get(), name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
  }
  // rd_kafka_produceva, not rd_kafka_producev: the latter's variadic macros use C casts.
  std::vector<rd_kafka_vu_t> vus;
  auto add = [&vus](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    vus.push_back(rd_kafka_vu_t{});
    vus.back().vtype = type;
    return vus.back();
  };
  add(RD_KAFKA_VTYPE_TOPIC).u.cstr = topic.c_str();
  // Absent key or value: no vu at all, so librdkafka sends null (not an empty string).
  if (record.key) {
    rd_kafka_vu_t& vu = add(RD_KAFKA_VTYPE_KEY);
    vu.u.mem.ptr = const_cast<char*>(record.key->data());
    vu.u.mem.size = record.key->size();
  }
  if (record.value) {
    rd_kafka_vu_t& vu = add(RD_KAFKA_VTYPE_VALUE);
    vu.u.mem.ptr = const_cast<char*>(record.value->data());
    vu.u.mem.size = record.value->size();
  }
  if (headers) add(RD_KAFKA_VTYPE_HEADERS).u.headers = headers.get();
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
  add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = token_to_opaque(token);

  const auto deadline = std::chrono::steady_clock::now() + block_for;
  while (true) {
    std::unique_ptr<rd_kafka_error_t, decltype(&rd_kafka_error_destroy)> error(
        rd_kafka_produceva(rk_, vus.data(), vus.size()), &rd_kafka_error_destroy);
    if (error == nullptr) {
      (void)headers.release();  // queued: librdkafka owns them now
      counters_.produced.fetch_add(1, std::memory_order_relaxed);
      return ok_status();
    }
    if (rd_kafka_error_code(error.get()) != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
        std::chrono::steady_clock::now() >= deadline) {
      return from_rdkafka(error.get(), fmt::format("producing a record to {}", topic));
    }
    rd_kafka_poll(rk_, 50);  // back-pressure, as in produce(key, value)
  }
}

int Producer::poll(std::chrono::milliseconds timeout) { return rd_kafka_poll(rk_, static_cast<int>(timeout.count())); }

Status Producer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return from_rdkafka(err, fmt::format("flushing {} undelivered records", rd_kafka_outq_len(rk_)));
  }
  return ok_status();
}

size_t Producer::in_flight() const { return static_cast<size_t>(rd_kafka_outq_len(rk_)); }

void Producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  DeliveryReport report;
  report.token = opaque_to_token(msg->_private);
  if (msg->rkt != nullptr) report.topic = rd_kafka_topic_name(msg->rkt);
  report.partition = msg->partition;
  report.offset = msg->offset;
  report.bytes = msg->len;
  report.latency = std::chrono::microseconds(rd_kafka_message_latency(msg));
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->counters_.delivered.fetch_add(1, std::memory_order_relaxed);
    self->counters_.bytes.fetch_add(msg->len, std::memory_order_relaxed);
  } else {
    self->counters_.failed.fetch_add(1, std::memory_order_relaxed);
    report.status = from_rdkafka(msg->err, fmt::format("delivering a record to {}", report.topic));
  }
  if (self->handler_) self->handler_(report);
}

void Producer::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (log_client_error(rk, err, reason, self->log_component_, "producer")) self->fatal_.store(true);
}

std::string unanswered_hint(const std::string& bootstrap_servers) {
  return fmt::format("is Kafka up on {}, and does every broker advertise an address this host reaches? "
                     "(rdstream stack up; rdstream doctor checks both)",
                     bootstrap_servers);
}

Status ensure_topic(const std::string& bootstrap_servers, const std::string& topic, int partitions,
                    int replication_factor, std::chrono::milliseconds timeout, const Properties& properties) {
  // The metadata lookup below must not create the topic by itself (with the broker's defaults).
  auto client = make_rdkafka_client(
      RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap_servers}, {"allow.auto.create.topics", "false"}},
      "kafka admin client", properties);
  if (!client) return client.take_error();
  rd_kafka_t* rk = client->get();
  char errstr[512];
  // Look before creating: an existing topic needs no CreateTopics, which a client without CREATE
  // permission (ACLs) is refused and which some brokers never answer (librdkafka's mock cluster
  // has no admin API), so producing into an existing topic would fail or hang for `timeout`.
  {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    if (rkt == nullptr) return from_rdkafka(rd_kafka_last_error(), fmt::format("topic {}", topic));
    std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> rkt_guard(rkt, &rd_kafka_topic_destroy);
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &metadata, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return explain_failure(*client,
                             from_rdkafka(err, fmt::format("fetching metadata for topic {} from {}", topic, bootstrap_servers)));
    }
    const bool exists = metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                        metadata->topics[0].partition_cnt > 0;
    rd_kafka_metadata_destroy(metadata);
    if (exists) return ok_status();
  }
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, errstr, sizeof errstr);
  if (new_topic == nullptr) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("topic {}: {}", topic, errstr));
  }
  std::unique_ptr<rd_kafka_NewTopic_t, decltype(&rd_kafka_NewTopic_destroy)> topic_guard(new_topic,
                                                                                          &rd_kafka_NewTopic_destroy);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue_guard(queue, &rd_kafka_queue_destroy);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), errstr, sizeof errstr);
  rd_kafka_CreateTopics(rk, &new_topic, 1, options, queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
  if (event == nullptr) {
    return explain_failure(*client, Error(ErrorCode::kTimeout,
                                          fmt::format("creating topic {} on {}: no answer", topic, bootstrap_servers), true));
  }
  std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)> event_guard(event, &rd_kafka_event_destroy);
  if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return from_rdkafka(rd_kafka_event_error(event), fmt::format("creating topic {}", topic));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      return from_rdkafka(err, fmt::format("creating topic {}", topic));
    }
  }
  return ok_status();
}

}  // namespace rds::kafka
