// librdkafka error codes mapped into rds::Error: the code class and the retriable flag callers
// branch on (never the text).
#include "kafka/kafka_error.h"

#include <gtest/gtest.h>

namespace rds::kafka {
namespace {

struct Mapping {
  rd_kafka_resp_err_t err;
  ErrorCode code;
  bool retriable;
};

class KafkaErrorTest : public ::testing::TestWithParam<Mapping> {};

TEST_P(KafkaErrorTest, MapsTheCodeAndTheRetriableFlag) {
  const Mapping& m = GetParam();
  Error e = from_rdkafka(m.err, "producing a record");
  EXPECT_EQ(e.code, m.code) << rd_kafka_err2name(m.err) << ": " << to_string(e.code);
  EXPECT_EQ(e.retriable, m.retriable) << rd_kafka_err2name(m.err);
  // The message says what was being done and carries librdkafka's name for the error.
  EXPECT_EQ(e.message.rfind("producing a record: ", 0), 0u) << e.message;
  EXPECT_NE(e.message.find(rd_kafka_err2name(m.err)), std::string::npos) << e.message;
}

INSTANTIATE_TEST_SUITE_P(
    Codes, KafkaErrorTest,
    ::testing::Values(
        // Transport and cluster-state problems clear up on their own: retriable.
        Mapping{RD_KAFKA_RESP_ERR__TRANSPORT, ErrorCode::kUnavailable, true},
        Mapping{RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, ErrorCode::kUnavailable, true},
        Mapping{RD_KAFKA_RESP_ERR__RESOLVE, ErrorCode::kUnavailable, true},
        Mapping{RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, ErrorCode::kUnavailable, true},
        Mapping{RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, ErrorCode::kUnavailable, true},
        Mapping{RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, ErrorCode::kUnavailable, true},
        Mapping{RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode::kUnavailable, true},
        Mapping{RD_KAFKA_RESP_ERR__TIMED_OUT, ErrorCode::kTimeout, true},
        Mapping{RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, ErrorCode::kTimeout, true},
        Mapping{RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, ErrorCode::kTimeout, true},
        Mapping{RD_KAFKA_RESP_ERR__QUEUE_FULL, ErrorCode::kServer, true},
        // Configuration and permission problems do not: not retriable.
        Mapping{RD_KAFKA_RESP_ERR__AUTHENTICATION, ErrorCode::kAuth, false},
        Mapping{RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, ErrorCode::kAuth, false},
        Mapping{RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, ErrorCode::kAuth, false},
        Mapping{RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, ErrorCode::kAuth, false},
        Mapping{RD_KAFKA_RESP_ERR__INVALID_ARG, ErrorCode::kInvalidArgument, false},
        Mapping{RD_KAFKA_RESP_ERR_INVALID_CONFIG, ErrorCode::kInvalidArgument, false},
        Mapping{RD_KAFKA_RESP_ERR_INVALID_PARTITIONS, ErrorCode::kInvalidArgument, false},
        Mapping{RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, ErrorCode::kInvalidArgument, false},
        Mapping{RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, ErrorCode::kInvalidArgument, false},
        Mapping{RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, ErrorCode::kInvalidArgument, false},
        Mapping{RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, ErrorCode::kAlreadyExists, false},
        Mapping{RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, ErrorCode::kNotFound, false},
        Mapping{RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, ErrorCode::kNotFound, false},
        Mapping{RD_KAFKA_RESP_ERR_INVALID_RECORD, ErrorCode::kServer, false}),
    [](const ::testing::TestParamInfo<Mapping>& param_info) {
      std::string name = rd_kafka_err2name(param_info.param.err);
      for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(KafkaErrorObjectTest, KeepsLibrdkafkasRetriableFlagAndTheCodeClass) {
  rd_kafka_error_t* plain = rd_kafka_error_new(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, "denied %s", "here");
  Error e = from_rdkafka(plain, "creating topic users_created");
  EXPECT_EQ(e.code, ErrorCode::kAuth);
  EXPECT_FALSE(e.retriable);
  EXPECT_EQ(e.message, "creating topic users_created: denied here");
  rd_kafka_error_destroy(plain);

  // A code that is retriable by class stays retriable even when the error object does not say so.
  rd_kafka_error_t* transport = rd_kafka_error_new(RD_KAFKA_RESP_ERR__TRANSPORT, "broker down");
  EXPECT_TRUE(from_rdkafka(transport, "x").retriable);
  EXPECT_EQ(from_rdkafka(transport, "x").code, ErrorCode::kUnavailable);
  rd_kafka_error_destroy(transport);
}

}  // namespace
}  // namespace rds::kafka
