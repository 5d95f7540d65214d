#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>

namespace rds::metrics {
namespace {

template <typename Builder>
auto& build(Builder builder, prometheus::Registry& registry, const char* name, const char* help) {
  return builder.Name(name).Help(help).Register(registry);
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      received_records_(build(prometheus::BuildCounter(), *registry_, "rdstream_received_records_total",
                             "Records a stage took in (ingest: from the API; process: from Kafka)")),
      received_bytes_(build(prometheus::BuildCounter(), *registry_, "rdstream_received_bytes_total",
                           "Bytes of the records a stage took in")),
      sent_records_(build(prometheus::BuildCounter(), *registry_, "rdstream_sent_records_total",
                         "Records a stage handed on and had acknowledged (ingest: by Kafka; process: by Cassandra)")),
      sent_bytes_(build(prometheus::BuildCounter(), *registry_, "rdstream_sent_bytes_total",
                       "Bytes of the records a stage had acknowledged")),
      discarded_records_(build(prometheus::BuildCounter(), *registry_, "rdstream_discarded_records_total",
                              "Records taken out of the flow, by reason (process: dead-lettered)")),
      errors_(build(prometheus::BuildCounter(), *registry_, "rdstream_errors_total",
                   "Failures by stage and error type")),
      retries_(build(prometheus::BuildCounter(), *registry_, "rdstream_retries_total",
                    "Requests sent again after a failure, by stage and engine")),
      dead_letters_(build(prometheus::BuildCounter(), *registry_, "rdstream_dead_letters_total",
                         "Dead letters delivered to the dead-letter topic, by reason")),
      stalls_(build(prometheus::BuildCounter(), *registry_, "rdstream_stalls_total",
                   "Times an engine acknowledged nothing for a while although work waited")),
      in_flight_writes_(build(prometheus::BuildGauge(), *registry_, "rdstream_in_flight_writes",
                             "Requests sent and not yet acknowledged")),
      in_flight_records_(build(prometheus::BuildGauge(), *registry_, "rdstream_in_flight_records",
                              "Records taken in and not yet acknowledged")),
      consumer_lag_records_(build(prometheus::BuildGauge(), *registry_, "rdstream_consumer_lag_records",
                                 "Records between the group's position and the end of the partition")),
      consumer_lag_seconds_(build(prometheus::BuildGauge(), *registry_, "rdstream_consumer_lag_seconds",
                                 "Age of the oldest record of the partition not yet acknowledged")),
      engine_connected_(build(prometheus::BuildGauge(), *registry_, "rdstream_engine_connected",
                             "1 while rdstream is connected to the engine")),
      engine_stalled_(build(prometheus::BuildGauge(), *registry_, "rdstream_engine_stalled",
                           "1 while the engine acknowledges nothing although work waits")),
      end_to_end_latency_(build(prometheus::BuildHistogram(), *registry_, "rdstream_end_to_end_latency_seconds",
                               "From the record's fetch (its Kafka timestamp) to Cassandra's acknowledgement")),
      cassandra_write_latency_(build(prometheus::BuildHistogram(), *registry_,
                                    "rdstream_cassandra_write_latency_seconds",
                                    "One Cassandra write, from its send to its acknowledgement")),
      kafka_delivery_latency_(build(prometheus::BuildHistogram(), *registry_, "rdstream_kafka_delivery_latency_seconds",
                                   "One record, from produce() to Kafka's delivery report")),
      console_alert_active_(build(prometheus::BuildGauge(), *registry_, "rdstream_console_alert_active",
                                 "1 while the console's alert is raised (lag_high, dlq_growing, <engine>_down)")) {}

namespace {

prometheus::Labels labels(std::initializer_list<std::pair<const char*, std::string_view>> pairs) {
  prometheus::Labels out;
  for (const auto& [key, value] : pairs) out.emplace(key, std::string(value));
  return out;
}

}  // namespace

prometheus::Counter& Metrics::received_records(std::string_view stage) { return received_records_.Add(labels({{"stage", stage}})); }
prometheus::Counter& Metrics::received_bytes(std::string_view stage) { return received_bytes_.Add(labels({{"stage", stage}})); }
prometheus::Counter& Metrics::sent_records(std::string_view stage) { return sent_records_.Add(labels({{"stage", stage}})); }
prometheus::Counter& Metrics::sent_bytes(std::string_view stage) { return sent_bytes_.Add(labels({{"stage", stage}})); }
prometheus::Counter& Metrics::discarded_records(std::string_view stage, std::string_view reason) {
  return discarded_records_.Add(labels({{"stage", stage}, {"reason", reason}}));
}
prometheus::Counter& Metrics::errors(std::string_view stage, std::string_view error_type) {
  return errors_.Add(labels({{"stage", stage}, {"error_type", error_type}}));
}
prometheus::Counter& Metrics::retries(std::string_view stage, std::string_view engine) {
  return retries_.Add(labels({{"stage", stage}, {"engine", engine}}));
}
prometheus::Counter& Metrics::dead_letters(std::string_view reason) { return dead_letters_.Add(labels({{"reason", reason}})); }
prometheus::Counter& Metrics::stalls(std::string_view engine) { return stalls_.Add(labels({{"engine", engine}})); }
prometheus::Gauge& Metrics::in_flight_writes(std::string_view stage) { return in_flight_writes_.Add(labels({{"stage", stage}})); }
prometheus::Gauge& Metrics::in_flight_records(std::string_view stage) { return in_flight_records_.Add(labels({{"stage", stage}})); }
prometheus::Gauge& Metrics::consumer_lag_records(std::string_view topic, int32_t partition) {
  return consumer_lag_records_.Add(labels({{"topic", topic}, {"partition", std::to_string(partition)}}));
}
prometheus::Gauge& Metrics::consumer_lag_seconds(std::string_view topic, int32_t partition) {
  return consumer_lag_seconds_.Add(labels({{"topic", topic}, {"partition", std::to_string(partition)}}));
}
void Metrics::forget_partition(std::string_view topic, int32_t partition) {
  const auto l = labels({{"topic", topic}, {"partition", std::to_string(partition)}});
  consumer_lag_records_.Remove(&consumer_lag_records_.Add(l));
  consumer_lag_seconds_.Remove(&consumer_lag_seconds_.Add(l));
}

prometheus::Gauge& Metrics::engine_connected(std::string_view engine) { return engine_connected_.Add(labels({{"engine", engine}})); }
prometheus::Gauge& Metrics::engine_stalled(std::string_view engine) { return engine_stalled_.Add(labels({{"engine", engine}})); }
prometheus::Gauge& Metrics::console_alert_active(std::string_view alert) {
  return console_alert_active_.Add(labels({{"alert", alert}}));
}
prometheus::Histogram& Metrics::end_to_end_latency() { return end_to_end_latency_.Add({}, latency_buckets()); }
prometheus::Histogram& Metrics::cassandra_write_latency() { return cassandra_write_latency_.Add({}, latency_buckets()); }
prometheus::Histogram& Metrics::kafka_delivery_latency(std::string_view stage) {
  return kafka_delivery_latency_.Add(labels({{"stage", stage}}), latency_buckets());
}

std::string Metrics::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

const prometheus::Histogram::BucketBoundaries& Metrics::latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return kBuckets;
}

}  // namespace rds::metrics
