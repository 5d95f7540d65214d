#pragma once
// librdkafka's in-process mock cluster (rdkafka_mock.h) for unit tests: a real Kafka protocol
// peer (producing, consumer groups, offset commits, error and latency injection) with no broker
// process, so the clients under test are unmodified and only bootstrap.servers points at the mock.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <optional>
#include <string>

namespace rds::testing {

class MockKafka {
 public:
  explicit MockKafka(int brokers = 1) {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
    // The handle only hosts the mock cluster's threads; it never connects anywhere.
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (handle_ != nullptr) cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
    if (cluster_ != nullptr) bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  ~MockKafka() {
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
    if (handle_ != nullptr) rd_kafka_destroy(handle_);
  }
  MockKafka(const MockKafka&) = delete;
  MockKafka& operator=(const MockKafka&) = delete;

  bool ok() const { return cluster_ != nullptr; }
  const std::string& bootstraps() const { return bootstraps_; }
  rd_kafka_mock_cluster_t* cluster() { return cluster_; }

  void create_topic(const std::string& topic, int partitions) {
    rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1);
  }

  // Produces and waits for delivery. Returns false if the record was not delivered.
  bool produce(const std::string& topic, int32_t partition, const std::string& value,
               const std::string& key = "") {
    if (producer_ == nullptr) {
      char errstr[256];
      rd_kafka_conf_t* conf = rd_kafka_conf_new();
      rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), errstr, sizeof errstr);
      producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    }
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer_, topic.c_str(), nullptr);
    const int rc = rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()),
                                    value.size(), key.data(), key.size(), nullptr);
    rd_kafka_topic_destroy(rkt);
    const rd_kafka_resp_err_t err = rc == 0 ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    return rd_kafka_flush(producer_, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstraps_;
};

// The group's committed offset of a partition, asked by a plain handle that never subscribes (so
// it joins nothing). nullopt when none is committed.
inline std::optional<int64_t> committed_offset(const std::string& bootstraps, const std::string& group,
                                               const std::string& topic, int32_t partition) {
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, 5000);
  const int64_t offset = err == RD_KAFKA_RESP_ERR_NO_ERROR ? list->elems[0].offset : -1;
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  if (offset < 0) return std::nullopt;
  return offset;
}

}  // namespace rds::testing
