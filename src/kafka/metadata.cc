#include "kafka/metadata.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <memory>

#include "kafka/kafka_config.h"
#include "kafka/kafka_error.h"

namespace rds::kafka {

Result<ClusterMetadata> fetch_metadata(const std::string& bootstrap_servers, MetadataTopics topics,
                                       std::chrono::milliseconds timeout,
                                       const std::map<std::string, std::string>& properties) {
  // One request: the socket timeout is the caller's whole budget, within librdkafka's range
  // (10 ms .. 300 s; a value outside it would fail the client's creation instead).
  const auto socket_timeout = std::clamp<int64_t>(timeout.count(), 10, 300'000);
  auto client = make_rdkafka_client(RD_KAFKA_PRODUCER,
                                    {
                                        {"bootstrap.servers", bootstrap_servers},
                                        {"socket.timeout.ms", std::to_string(socket_timeout)},
                                        // Failures are returned; a readiness wait on a starting
                                        // broker would otherwise log a refused connection per try.
                                        {"log_level", "0"},
                                    },
                                    "kafka metadata client", properties);
  if (!client) return client.take_error();
  // With all_topics=0 and no topic handle, librdkafka asks for the topics this new client knows:
  // none. Some brokers (librdkafka's mock cluster among them) answer an empty list with every
  // topic anyway; those are not what was asked for and are dropped below.
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(client->get(), topics == MetadataTopics::kAll ? 1 : 0, nullptr,
                                                    &raw, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return explain_failure(*client, from_rdkafka(err, fmt::format("metadata request to {}", bootstrap_servers)));
  }
  std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> guard(raw,
                                                                                         &rd_kafka_metadata_destroy);
  ClusterMetadata out;
  out.brokers.reserve(static_cast<std::size_t>(raw->broker_cnt));
  for (int i = 0; i < raw->broker_cnt; ++i) {
    out.brokers.push_back(BrokerMetadata{raw->brokers[i].id, raw->brokers[i].host, raw->brokers[i].port});
  }
  const int topic_count = topics == MetadataTopics::kAll ? raw->topic_cnt : 0;
  out.topics.reserve(static_cast<std::size_t>(topic_count));
  for (int i = 0; i < topic_count; ++i) {
    const rd_kafka_metadata_topic_t& topic = raw->topics[i];
    TopicMetadata t;
    t.name = topic.topic;
    t.partitions = topic.partition_cnt;
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      t.status = from_rdkafka(topic.err, fmt::format("metadata of topic {}", t.name));
    }
    out.topics.push_back(std::move(t));
  }
  return out;
}

}  // namespace rds::kafka
