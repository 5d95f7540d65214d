#include "doctor/verdicts.h"

#include <gtest/gtest.h>

namespace rds::doctor {
namespace {

using cql::Consistency;
using Level = Finding::Level;

TEST(DoctorVerdictsTest, RequiredReplicasFollowTheConsistency) {
  EXPECT_EQ(required_replicas(Consistency::kOne, 3), 1);
  EXPECT_EQ(required_replicas(Consistency::kLocalQuorum, 3), 2);
  EXPECT_EQ(required_replicas(Consistency::kQuorum, 5), 3);
  EXPECT_EQ(required_replicas(Consistency::kAll, 3), 3);
  EXPECT_EQ(required_replicas(Consistency::kLocalQuorum, 1), 1);
}

TEST(DoctorVerdictsTest, ReplicationAboveTheRingIsAProblemWithTheAlterStatement) {
  auto v = replication_verdict("ks", 3, 1, 1, Consistency::kLocalQuorum);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->level, Level::kProblem);
  EXPECT_NE(v->text.find("replication factor 3 is above the 1 node of the ring"), std::string::npos) << v->text;
  EXPECT_NE(v->fix.find("ALTER KEYSPACE ks"), std::string::npos) << v->fix;
  EXPECT_NE(v->fix.find("'replication_factor': 1"), std::string::npos) << v->fix;
}

TEST(DoctorVerdictsTest, ReplicationAboveTheLiveNodesWarnsWhileQuorumHolds) {
  auto v = replication_verdict("ks", 3, 2, 3, Consistency::kLocalQuorum);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->level, Level::kWarning);
  EXPECT_NE(v->text.find("above the 2 live nodes"), std::string::npos) << v->text;
  // ...and is a problem once the writes cannot get their replicas.
  auto lost = replication_verdict("ks", 3, 1, 3, Consistency::kLocalQuorum);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->level, Level::kProblem);
  EXPECT_NE(lost->text.find("need 2 of its 3 replicas, but only 1 of 3 nodes are up"), std::string::npos) << lost->text;
  auto all = replication_verdict("ks", 3, 2, 3, Consistency::kAll);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->level, Level::kProblem);
}

TEST(DoctorVerdictsTest, HealthyReplicationSaysNothing) {
  EXPECT_FALSE(replication_verdict("ks", 3, 3, 3, Consistency::kLocalQuorum));
  EXPECT_FALSE(replication_verdict("ks", 1, 1, 1, Consistency::kLocalQuorum));
  EXPECT_FALSE(replication_verdict("ks", 1, 2, 3, Consistency::kOne));
}

TEST(DoctorVerdictsTest, ClockSkewBeyondTheLimitIsAProblemEitherWay) {
  EXPECT_FALSE(clock_skew_verdict("n", std::chrono::milliseconds(0)));
  EXPECT_FALSE(clock_skew_verdict("n", kMaxClockSkew));
  auto ahead = clock_skew_verdict("127.0.0.2:9042", std::chrono::milliseconds(3000));
  ASSERT_TRUE(ahead);
  EXPECT_EQ(ahead->subject, "cassandra 127.0.0.2:9042");
  EXPECT_NE(ahead->text.find("3000 ms ahead of"), std::string::npos) << ahead->text;
  auto behind = clock_skew_verdict("n", std::chrono::milliseconds(-900));
  ASSERT_TRUE(behind);
  EXPECT_NE(behind->text.find("900 ms behind"), std::string::npos) << behind->text;
}

TEST(DoctorVerdictsTest, MissingColumnsAreNamedWithTheirAlterStatements) {
  std::vector<Column> wanted = {{"id", "uuid"}, {"first_name", "text"}, {"dob", "text"}, {"age", "int"}};
  auto v = missing_columns_verdict("ks.t", wanted, {"id", "first_name"});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->level, Level::kProblem);
  EXPECT_NE(v->text.find("columns dob, age"), std::string::npos) << v->text;
  EXPECT_NE(v->fix.find("ALTER TABLE ks.t ADD dob text; ALTER TABLE ks.t ADD age int;"), std::string::npos) << v->fix;
  EXPECT_FALSE(missing_columns_verdict("ks.t", wanted, {"age", "dob", "first_name", "id", "extra"}));
}

TEST(DoctorVerdictsTest, FewerPartitionsThanInstancesWarns) {
  EXPECT_FALSE(partitions_verdict("t", 3, 3));
  EXPECT_FALSE(partitions_verdict("t", 3, 1));
  auto v = partitions_verdict("users_created", 3, 5);
  ASSERT_TRUE(v);
  EXPECT_NE(v->text.find("3 partitions for 5 processor instances: 2 of them would stay idle"), std::string::npos)
      << v->text;
}

TEST(DoctorVerdictsTest, StackNodesGetTheirStartCommand) {
  EXPECT_EQ(stack_start_hint("127.0.0.2", "cassandra"), "rdstream stack start-node cassandra 2");
  EXPECT_EQ(stack_start_hint("127.0.0.1", "kafka"), "rdstream stack start-node kafka 1");
  EXPECT_EQ(stack_start_hint("10.0.0.2", "kafka"), "");
  EXPECT_EQ(stack_start_hint("127.0.0.12", "kafka"), "");
}

}  // namespace
}  // namespace rds::doctor
