#include <gtest/gtest.h>

#include "cassandra/schema.h"
#include "support/result_matchers.h"

namespace rds::cassandra {
namespace {

TEST(KeyspaceSpec, SimpleStrategyStatement) {
  KeyspaceSpec spec;
  spec.name = "spark_streams";
  EXPECT_OK(spec.validate());
  EXPECT_EQ(spec.create_statement(),
            "CREATE KEYSPACE IF NOT EXISTS spark_streams WITH replication = "
            "{'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = true");
}

TEST(KeyspaceSpec, NetworkTopologyStatement) {
  KeyspaceSpec spec;
  spec.name = "ks";
  spec.strategy = "NetworkTopologyStrategy";
  spec.dc_factors = {{"dc1", 3}, {"dc2", 2}};
  spec.durable_writes = false;
  EXPECT_OK(spec.validate());
  EXPECT_EQ(spec.create_statement(),
            "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = "
            "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2} AND durable_writes = false");
}

TEST(KeyspaceSpec, RejectsBadInput) {
  KeyspaceSpec spec;
  spec.name = "bad-name; DROP KEYSPACE x";
  EXPECT_EQ(spec.validate().error().message, "keyspace.name: 'bad-name; DROP KEYSPACE x' must be 1-48 letters, digits or _");
  spec.name = "ok";
  spec.replication_factor = 0;
  EXPECT_EQ(spec.validate("cassandra.keyspace").error().message, "cassandra.keyspace.replication_factor: must be >= 1");
  spec.strategy = "LocalStrategy";
  EXPECT_FALSE(spec.validate().ok());
  spec.strategy = "NetworkTopologyStrategy";
  EXPECT_FALSE(spec.validate().ok());  // no data centres
  spec.dc_factors = {{"dc'1", 1}};
  EXPECT_FALSE(spec.validate().ok());
}

}  // namespace
}  // namespace rds::cassandra
