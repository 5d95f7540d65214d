// The stack's Kafka health check against librdkafka's mock cluster: a broker that answers is
// healthy; one that is down is "not ready yet" (retriable), so the readiness wait asks again.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "stack/health.h"
#include "support/closed_port.h"
#include "support/kafka_mock.h"
#include "support/result_matchers.h"

namespace rds::stack {
namespace {

using namespace std::chrono_literals;

TEST(KafkaHealthTest, ABrokerThatAnswersIsHealthy) {
  testing::MockKafka kafka;
  ASSERT_OK(kafka);
  Status health = kafka_health(kafka.bootstraps(), 5s);
  EXPECT_OK(health);
}

TEST(KafkaHealthTest, ABrokerThatIsDownIsNotReadyYet) {
  const std::string address = "127.0.0.1:" + std::to_string(testing::closed_port());
  Status health = kafka_health(address, 500ms);
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(health.error().retriable);
  EXPECT_NE(health.error().message.find(address), std::string::npos) << health.error().message;
}

}  // namespace
}  // namespace rds::stack
