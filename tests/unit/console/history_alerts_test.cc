// The console's pure parts: the history window, the alert rules, the token slices of an exact
// count, and the console's address rules.
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "console/alerts.h"
#include "console/cassandra_view.h"
#include "console/history.h"
#include "console/server.h"
#include "metrics/endpoint.h"

namespace rds::console {
namespace {

TEST(HistoryTest, KeepsTheWindowWithGapsForMissingPoints) {
  History h(3);
  h.append(1000, {{"a", 1.0}});
  h.append(2000, {{"a", 2.0}, {"b", 20.0}});  // b is new: a gap before it
  h.append(3000, {{"b", std::nullopt}});      // a missing, b unknown: gaps
  const nlohmann::json j = h.to_json(1000);
  EXPECT_EQ(j["t"], nlohmann::json({1000, 2000, 3000}));
  EXPECT_EQ(j["series"]["a"], nlohmann::json({1.0, 2.0, nullptr}));
  EXPECT_EQ(j["series"]["b"], nlohmann::json({nullptr, 20.0, nullptr}));
  h.append(4000, {{"a", 4.0}});
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h.to_json(1000)["t"], nlohmann::json({2000, 3000, 4000}));
  // b's last value leaves the window: the series goes.
  h.append(5000, {{"a", 5.0}});
  EXPECT_EQ(h.series("b"), nullptr);
  ASSERT_NE(h.series("a"), nullptr);
  EXPECT_EQ(h.series("a")->back(), 5.0);
}

AlertInputs inputs(int64_t now_ms, std::optional<int64_t> lag, std::optional<int64_t> dlq, bool kafka_up = true) {
  AlertInputs in;
  in.now_ms = now_ms;
  in.group = "g";
  in.group_lag = lag;
  in.dlq_topic = "t.dlq";
  in.dlq_records = dlq;
  in.engines = {{"kafka", kafka_up, kafka_up ? "1 broker" : "connection refused"}, {"cassandra", true, "1 node"}};
  return in;
}

std::vector<std::string> names(const Alerts& a) {
  std::vector<std::string> out;
  for (const auto& alert : a.active()) out.push_back(alert.name);
  return out;
}

TEST(AlertsTest, LagMustStayAboveTheThresholdForTheWholeDuration) {
  Alerts alerts(AlertRules{100, std::chrono::seconds(10), std::chrono::seconds(60)});
  alerts.evaluate(inputs(0, 500, 0));
  EXPECT_TRUE(alerts.active().empty());
  alerts.evaluate(inputs(5'000, 500, 0));
  EXPECT_TRUE(alerts.active().empty());
  alerts.evaluate(inputs(10'000, 500, 0));
  ASSERT_EQ(names(alerts), std::vector<std::string>{"lag_high"});
  EXPECT_EQ(alerts.active()[0].since_ms, 0);
  EXPECT_NE(alerts.active()[0].message.find("500 records"), std::string::npos) << alerts.active()[0].message;
  // Unknown lag changes nothing; a lag at the threshold clears it and restarts the clock.
  alerts.evaluate(inputs(11'000, std::nullopt, 0));
  EXPECT_EQ(names(alerts), std::vector<std::string>{"lag_high"});
  alerts.evaluate(inputs(12'000, 100, 0));
  EXPECT_TRUE(alerts.active().empty());
  alerts.evaluate(inputs(13'000, 101, 0));
  alerts.evaluate(inputs(22'000, 101, 0));
  EXPECT_TRUE(alerts.active().empty());
}

TEST(AlertsTest, DeadLettersGrowingWithinTheWindow) {
  Alerts alerts(AlertRules{100, std::chrono::seconds(10), std::chrono::seconds(60)});
  alerts.evaluate(inputs(0, 0, 7));  // old dead letters: the baseline, no alert
  EXPECT_TRUE(alerts.active().empty());
  alerts.evaluate(inputs(1'000, 0, 9));
  ASSERT_EQ(names(alerts), std::vector<std::string>{"dlq_growing"});
  EXPECT_EQ(alerts.active()[0].since_ms, 1'000);
  alerts.evaluate(inputs(60'000, 0, 9));
  EXPECT_EQ(names(alerts), std::vector<std::string>{"dlq_growing"});
  alerts.evaluate(inputs(61'001, 0, 9));
  EXPECT_TRUE(alerts.active().empty());
}

TEST(AlertsTest, AnEngineDownIsCriticalUntilItIsBack) {
  Alerts alerts(AlertRules{});
  alerts.evaluate(inputs(0, std::nullopt, std::nullopt, false));
  ASSERT_EQ(names(alerts), std::vector<std::string>{"kafka_down"});
  EXPECT_EQ(alerts.active()[0].severity, "critical");
  EXPECT_NE(alerts.active()[0].message.find("connection refused"), std::string::npos);
  alerts.evaluate(inputs(1'000, std::nullopt, std::nullopt, true));
  EXPECT_TRUE(alerts.active().empty());
  EXPECT_EQ(Alerts::names({"kafka"}), (std::vector<std::string>{"dlq_growing", "lag_high", "kafka_down"}));
}

TEST(TokenSlicesTest, CoverTheRingOnceWithoutGaps) {
  for (int n : {1, 2, 3, 256, 1000}) {
    const auto slices = token_slices(n);
    ASSERT_EQ(slices.size(), static_cast<size_t>(n));
    EXPECT_EQ(slices.front().first, std::numeric_limits<int64_t>::min());
    EXPECT_EQ(slices.back().second, std::numeric_limits<int64_t>::max());
    for (size_t i = 1; i < slices.size(); ++i) {
      EXPECT_EQ(slices[i].first, slices[i - 1].second);  // (begin, end]: adjacent, no overlap
      EXPECT_LT(slices[i].first, slices[i].second);
    }
  }
}

TEST(ConsoleAddressTest, OnlyLoopbackIsOpenWithoutAToken) {
  EXPECT_TRUE(is_loopback("127.0.0.1"));
  EXPECT_TRUE(is_loopback("127.1.2.3"));
  EXPECT_TRUE(is_loopback("localhost"));
  EXPECT_TRUE(is_loopback("::1"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
  EXPECT_FALSE(is_loopback("10.0.0.5"));
  EXPECT_FALSE(is_loopback("1270.0.0.1x"));
}

TEST(AnnouncedMetricsTest, ClientIdCarriesTheAddress) {
  EXPECT_EQ(metrics::announce_metrics("rdstream-consumer", "127.0.0.1:9464"), "rdstream-consumer@127.0.0.1:9464");
  EXPECT_EQ(metrics::announced_metrics("rdstream-consumer@127.0.0.1:9464", "/127.0.0.1"), "127.0.0.1:9464");
  // Bound on all interfaces: reached through the host the broker saw.
  EXPECT_EQ(metrics::announced_metrics("rdstream-consumer@0.0.0.0:9464", "/10.1.2.3"), "10.1.2.3:9464");
  EXPECT_EQ(metrics::announced_metrics("rdstream-consumer", "/127.0.0.1"), std::nullopt);
  EXPECT_EQ(metrics::announced_metrics("someone@else", "/127.0.0.1"), std::nullopt);
}

}  // namespace
}  // namespace rds::console
