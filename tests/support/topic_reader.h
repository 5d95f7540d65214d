#pragma once
// Reads a topic back with a plain librdkafka consumer (assigned partitions, from the beginning, no
// group offsets): what a stage wrote, as a downstream reader sees it. Used with the mock cluster
// (unit tests) and with the real broker (integration tests).

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rds::testing {

struct ConsumedMessage {
  int32_t partition = -1;
  int64_t offset = -1;
  std::optional<std::string> key;    // nullopt: no key (not an empty one)
  std::optional<std::string> value;  // nullopt: a tombstone
  std::map<std::string, std::string> headers;  // the last value of each header name
};

// Reads partitions [0, partitions) of `topic` from the beginning until `want` messages arrived or
// `timeout` passed, then keeps reading for `linger` to catch any extra (duplicate) messages.
// `extra`: librdkafka properties applied last (TLS, SASL).
inline std::vector<ConsumedMessage> consume_all(const std::string& bootstrap, const std::string& topic,
                                                int partitions, size_t want, std::chrono::milliseconds timeout,
                                                std::chrono::milliseconds linger = std::chrono::milliseconds(300),
                                                const std::map<std::string, std::string>& extra = {}) {
  std::vector<ConsumedMessage> out;
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "group.id", "rdstream-test-reader", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.partition.eof", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  for (const auto& [key, value] : extra) rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk == nullptr) return out;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + timeout;
  bool lingering = false;
  while (Clock::now() < deadline) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, 100);
    if (msg == nullptr) continue;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedMessage m;
      m.partition = msg->partition;
      m.offset = msg->offset;
      if (msg->key != nullptr) m.key.emplace(static_cast<const char*>(msg->key), msg->key_len);
      if (msg->payload != nullptr) m.value.emplace(static_cast<const char*>(msg->payload), msg->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          m.headers[name] = value != nullptr ? std::string(static_cast<const char*>(value), size) : std::string();
        }
      }
      out.push_back(std::move(m));
    }
    rd_kafka_message_destroy(msg);
    if (!lingering && out.size() >= want) {
      lingering = true;
      deadline = Clock::now() + linger;
    }
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

}  // namespace rds::testing
