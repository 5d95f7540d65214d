#include "kafka/kafka_error.h"

#include <fmt/format.h>

#include "core/log.h"

namespace rds::kafka {
namespace {

ErrorCode classify(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode::kUnavailable;
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return ErrorCode::kTimeout;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return ErrorCode::kAuth;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
      return ErrorCode::kInvalidArgument;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return ErrorCode::kAlreadyExists;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return ErrorCode::kNotFound;
    default:
      return ErrorCode::kServer;
  }
}

// Errors librdkafka itself retries or that clear up on their own (broker restart, leader change).
bool retriable(rd_kafka_resp_err_t err) {
  switch (classify(err)) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return true;
    default:
      return err == RD_KAFKA_RESP_ERR__QUEUE_FULL;
  }
}

}  // namespace

Error from_rdkafka(rd_kafka_resp_err_t err, std::string_view context) {
  return Error(classify(err), fmt::format("{}: {} ({})", context, rd_kafka_err2str(err), rd_kafka_err2name(err)),
               retriable(err));
}

Error from_rdkafka(const rd_kafka_error_t* error, std::string_view context) {
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  Error e(classify(code), fmt::format("{}: {}", context, rd_kafka_error_string(error)),
          rd_kafka_error_is_retriable(error) != 0 || retriable(code));
  return e;
}

bool log_client_error(rd_kafka_t* rk, int err, const char* reason, std::string_view component,
                      std::string_view client) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal_reason[512];
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, fatal_reason, sizeof fatal_reason);
    log::error(component, "fatal {} error {}: {}", client, rd_kafka_err2name(fatal), fatal_reason);
    return true;
  }
  log::warn(component, "{}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
  return false;
}

}  // namespace rds::kafka
