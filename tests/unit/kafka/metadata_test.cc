// kafka::fetch_metadata against librdkafka's mock cluster: the live brokers, the topics when asked
// for, and an unreachable address reported in time, retriable, naming the address.
#include "kafka/metadata.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "support/closed_port.h"
#include "support/kafka_mock.h"
#include "support/result_matchers.h"

namespace rds::kafka {
namespace {

using namespace std::chrono_literals;

TEST(MetadataTest, ListsTheBrokersAndOnlyWhenAskedTheTopics) {
  testing::MockKafka kafka(3);
  ASSERT_OK(kafka);
  kafka.create_topic("four", 4);
  kafka.create_topic("one", 1);

  auto brokers_only = fetch_metadata(kafka.bootstraps(), MetadataTopics::kNone, 5s);
  ASSERT_OK(brokers_only);
  EXPECT_EQ(brokers_only->brokers.size(), 3u);
  EXPECT_TRUE(brokers_only->topics.empty());
  for (const auto& broker : brokers_only->brokers) {
    EXPECT_GE(broker.id, 0);
    EXPECT_FALSE(broker.host.empty());
    EXPECT_GT(broker.port, 0);
  }

  auto all = fetch_metadata(kafka.bootstraps(), MetadataTopics::kAll, 5s);
  ASSERT_OK(all);
  EXPECT_EQ(all->brokers.size(), 3u);
  auto find = [&](const std::string& name) {
    return std::find_if(all->topics.begin(), all->topics.end(), [&](const TopicMetadata& t) { return t.name == name; });
  };
  ASSERT_NE(find("four"), all->topics.end());
  EXPECT_EQ(find("four")->partitions, 4);
  EXPECT_OK(find("four")->status);
  ASSERT_NE(find("one"), all->topics.end());
  EXPECT_EQ(find("one")->partitions, 1);
}

TEST(MetadataTest, AnUnreachableClusterIsARetriableErrorInTime) {
  const std::string address = "127.0.0.1:" + std::to_string(testing::closed_port());
  const auto started = std::chrono::steady_clock::now();
  auto metadata = fetch_metadata(address, MetadataTopics::kNone, 500ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  ASSERT_FALSE(metadata.ok());
  EXPECT_TRUE(metadata.error().retriable) << metadata.error().message;
  EXPECT_EQ(metadata.error().message.rfind("metadata request to " + address + ": ", 0), 0u)
      << metadata.error().message;
}

}  // namespace
}  // namespace rds::kafka
