#pragma once
// rdstream's one metrics vocabulary, on prometheus-cpp (Debian's prometheus-cpp-dev): every metric
// any stage exports is declared here, once, in the spirit of Vector's component specification —
// records and bytes received, sent and discarded; errors by stage and a bounded type; what is in
// flight; latency histograms; consumer lag; dead letters, retries, stalls and the connection state
// of each engine. Names and labels are a compatibility promise: tests/unit/metrics lists them.
//
// Labels are bounded sets, never messages or ids: stage (ingest, process), engine (api, kafka,
// cassandra), a reason or error type from a fixed list, and a topic's partitions.
//
// Thread-safe: prometheus-cpp's metrics are; a component keeps the references it needs (Add() is
// a map lookup under a lock, not for the data path).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

namespace rds::metrics {

// What a stage labels itself with.
inline constexpr std::string_view kIngest = "ingest";
inline constexpr std::string_view kProcess = "process";
// The engines and services rdstream talks to.
inline constexpr std::string_view kApi = "api";
inline constexpr std::string_view kKafka = "kafka";
inline constexpr std::string_view kCassandra = "cassandra";

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The text exposition format (what /metrics serves).
  std::string render() const;
  prometheus::Registry& registry() { return *registry_; }

  // One series each, by its labels (the label names are fixed here: they are part of the promise).
  // A reference stays valid for the Metrics' lifetime: keep it, as these lookups take a lock.
  prometheus::Counter& received_records(std::string_view stage);
  prometheus::Counter& received_bytes(std::string_view stage);
  prometheus::Counter& sent_records(std::string_view stage);
  prometheus::Counter& sent_bytes(std::string_view stage);
  prometheus::Counter& discarded_records(std::string_view stage, std::string_view reason);
  prometheus::Counter& errors(std::string_view stage, std::string_view error_type);
  prometheus::Counter& retries(std::string_view stage, std::string_view engine);
  prometheus::Counter& dead_letters(std::string_view reason);
  prometheus::Counter& stalls(std::string_view engine);
  prometheus::Gauge& in_flight_writes(std::string_view stage);
  prometheus::Gauge& in_flight_records(std::string_view stage);
  prometheus::Gauge& consumer_lag_records(std::string_view topic, int32_t partition);
  prometheus::Gauge& consumer_lag_seconds(std::string_view topic, int32_t partition);
  // Drops a partition's lag series (its partition went to another member).
  void forget_partition(std::string_view topic, int32_t partition);
  prometheus::Gauge& engine_connected(std::string_view engine);
  prometheus::Gauge& engine_stalled(std::string_view engine);
  // The console's alerts (src/console/alerts.h): 1 while raised.
  prometheus::Gauge& console_alert_active(std::string_view alert);
  // Seconds: fetch (the record's Kafka timestamp) to Cassandra's acknowledgement; one Cassandra
  // write; one Kafka delivery.
  prometheus::Histogram& end_to_end_latency();
  prometheus::Histogram& cassandra_write_latency();
  prometheus::Histogram& kafka_delivery_latency(std::string_view stage);

 private:
  std::shared_ptr<prometheus::Registry> registry_;  // first: the families below register in it
  prometheus::Family<prometheus::Counter>& received_records_;
  prometheus::Family<prometheus::Counter>& received_bytes_;
  prometheus::Family<prometheus::Counter>& sent_records_;
  prometheus::Family<prometheus::Counter>& sent_bytes_;
  prometheus::Family<prometheus::Counter>& discarded_records_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Family<prometheus::Counter>& stalls_;
  prometheus::Family<prometheus::Gauge>& in_flight_writes_;
  prometheus::Family<prometheus::Gauge>& in_flight_records_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_records_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_seconds_;
  prometheus::Family<prometheus::Gauge>& engine_connected_;
  prometheus::Family<prometheus::Gauge>& engine_stalled_;
  prometheus::Family<prometheus::Histogram>& end_to_end_latency_;
  prometheus::Family<prometheus::Histogram>& cassandra_write_latency_;
  prometheus::Family<prometheus::Histogram>& kafka_delivery_latency_;
  prometheus::Family<prometheus::Gauge>& console_alert_active_;

 public:
  // The latency histograms' buckets, in seconds: 1 ms to 60 s.
  static const prometheus::Histogram::BucketBoundaries& latency_buckets();
};

}  // namespace rds::metrics
