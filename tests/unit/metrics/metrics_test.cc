// The metric names and labels are a compatibility promise (dashboards and alerts are built on
// them): this golden list changes only on purpose. And the endpoints answer as documented.
#include "metrics/metrics.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>
#include <sstream>
#include <string>

#include "metrics/endpoint.h"
#include "metrics/stall_watch.h"
#include "support/result_matchers.h"

namespace rds::metrics {
namespace {

// "name{label,label}" for every series in the exposition (histogram series by their base name).
std::set<std::string> series_shapes(const std::string& exposition) {
  std::set<std::string> shapes;
  std::stringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
          name.find("_seconds") != std::string::npos) {
        name.erase(name.size() - s.size());
      }
    }
    std::string keys;
    const auto open = line.find('{');
    if (open != std::string::npos) {
      const std::string body = line.substr(open + 1, line.find('}') - open - 1);
      std::stringstream pairs(body);
      for (std::string pair; std::getline(pairs, pair, ',');) {
        const std::string key = pair.substr(0, pair.find('='));
        if (key == "le") continue;
        keys += (keys.empty() ? "" : ",") + key;
      }
    }
    shapes.insert(name + "{" + keys + "}");
  }
  return shapes;
}

TEST(MetricsTest, NamesAndLabelsAreThePromisedOnes) {
  Metrics m;
  m.received_records(kIngest).Increment();
  m.received_bytes(kIngest).Increment();
  m.sent_records(kProcess).Increment();
  m.sent_bytes(kProcess).Increment();
  m.discarded_records(kProcess, "not_json").Increment();
  m.errors(kProcess, "cassandra_write").Increment();
  m.retries(kProcess, kCassandra).Increment();
  m.dead_letters("not_json").Increment();
  m.stalls(kCassandra).Increment();
  m.in_flight_writes(kProcess).Set(1);
  m.in_flight_records(kProcess).Set(1);
  m.consumer_lag_records("users_created", 0).Set(1);
  m.consumer_lag_seconds("users_created", 0).Set(1);
  m.engine_connected(kKafka).Set(1);
  m.engine_stalled(kCassandra).Set(0);
  m.end_to_end_latency().Observe(0.01);
  m.cassandra_write_latency().Observe(0.01);
  m.kafka_delivery_latency(kIngest).Observe(0.01);
  m.console_alert_active("lag_high").Set(0);
  const std::set<std::string> golden = {
      "rdstream_received_records_total{stage}",
      "rdstream_received_bytes_total{stage}",
      "rdstream_sent_records_total{stage}",
      "rdstream_sent_bytes_total{stage}",
      "rdstream_discarded_records_total{reason,stage}",
      "rdstream_errors_total{error_type,stage}",
      "rdstream_retries_total{engine,stage}",
      "rdstream_dead_letters_total{reason}",
      "rdstream_stalls_total{engine}",
      "rdstream_in_flight_writes{stage}",
      "rdstream_in_flight_records{stage}",
      "rdstream_consumer_lag_records{partition,topic}",
      "rdstream_consumer_lag_seconds{partition,topic}",
      "rdstream_engine_connected{engine}",
      "rdstream_engine_stalled{engine}",
      "rdstream_end_to_end_latency_seconds{}",
      "rdstream_cassandra_write_latency_seconds{}",
      "rdstream_kafka_delivery_latency_seconds{stage}",
      "rdstream_console_alert_active{alert}",
  };
  EXPECT_EQ(series_shapes(m.render()), golden) << m.render();
}

TEST(MetricsTest, TheEndpointsAnswerAsDocumented) {
  Metrics m;
  m.sent_records(kProcess).Increment(42);
  bool ready = false;
  auto endpoint = MetricsEndpoint::start("127.0.0.1:0", m, [&ready] {
    return ready ? Readiness{} : Readiness{{"partitions assigned", "Cassandra session"}};
  });
  ASSERT_OK(endpoint);
  httplib::Client client("127.0.0.1", (*endpoint)->port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("rdstream_sent_records_total{stage=\"process\"} 42"), std::string::npos)
      << metrics->body;
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  auto not_ready = client.Get("/readyz");
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(not_ready->body, "not ready: waiting for partitions assigned, Cassandra session\n");
  ready = true;
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  auto missing = client.Get("/metric");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("try GET /metrics, /healthz or /readyz"), std::string::npos);
  auto posted = client.Post("/metrics", "x", "text/plain");
  EXPECT_EQ(posted->status, 405);
  EXPECT_EQ(posted->get_header_value("Allow"), "GET");
}

TEST(MetricsTest, ABadAddressIsNamed) {
  Metrics m;
  auto endpoint = MetricsEndpoint::start("localhost", m, {});
  ASSERT_FALSE(endpoint.ok());
  EXPECT_EQ(endpoint.error().message,
            "metrics.address: 'localhost' is not HOST:PORT (e.g. 127.0.0.1:9464; port 0 picks a free one)");
}

TEST(StallWatchTest, AStallIsToldOnceAndItsEndToo) {
  Metrics m;
  StallWatch watch(m, "cassandra", "writes", std::chrono::seconds(5));
  const auto t0 = StallWatch::Clock::time_point{} + std::chrono::hours(1);
  using std::chrono::seconds;
  watch.observe(100, 10, t0);
  watch.observe(100, 20, t0 + seconds(1));  // acknowledging: fine
  watch.observe(100, 20, t0 + seconds(5));  // 4 s without progress: not yet
  EXPECT_FALSE(watch.stalled());
  watch.observe(120, 20, t0 + seconds(6));  // 5 s: a stall
  EXPECT_TRUE(watch.stalled());
  watch.observe(130, 20, t0 + seconds(20));  // still the same stall: counted once
  EXPECT_EQ(m.stalls("cassandra").Value(), 1);
  EXPECT_EQ(m.engine_stalled("cassandra").Value(), 1);
  watch.observe(10, 150, t0 + seconds(21));  // recovered
  EXPECT_FALSE(watch.stalled());
  EXPECT_EQ(m.engine_stalled("cassandra").Value(), 0);
  watch.observe(0, 150, t0 + seconds(40));  // idle, nothing waiting: not a stall
  watch.observe(0, 150, t0 + seconds(60));
  EXPECT_FALSE(watch.stalled());
  watch.observe(5, 150, t0 + seconds(61));
  watch.observe(5, 150, t0 + seconds(67));  // a second stall
  EXPECT_EQ(m.stalls("cassandra").Value(), 2);
}

}  // namespace
}  // namespace rds::metrics
