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

std::string explain_client_error(int err, std::string_view reason) {
  const auto has = [&](std::string_view text) { return reason.find(text) != std::string_view::npos; };
  if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED) {
    if (has("SSL") && !has("SASL")) {
      return fmt::format("the TLS handshake with the broker failed ({}); check kafka.properties.ssl.* "
                         "(ssl.ca.location: the CA that signed the brokers' certificates)", reason);
    }
    // librdkafka before 2.6.1 fails every SCRAM login to Kafka 4 brokers (edenhill/kcat#462), the
    // right password too: say so, as the password is then not the cause.
    const bool old_scram = has("SCRAM") && rd_kafka_version() < 0x020601ff;
    return fmt::format("SASL authentication failed: the broker refused the user or password ({}); check "
                       "kafka.properties.sasl.username and sasl.mechanism, and the password in "
                       "RDSTREAM_KAFKA_SASL_PASSWORD or the file kafka.sasl_password_file names{}",
                       reason,
                       old_scram ? fmt::format(" (this librdkafka, {}, cannot log in with SCRAM to Kafka 4 brokers "
                                               "even with the right password: use sasl.mechanism PLAIN over "
                                               "SASL_SSL, or librdkafka 2.6.1 or newer)",
                                               rd_kafka_version_str())
                                 : "");
  }
  if (err == RD_KAFKA_RESP_ERR__SSL || has("SSL handshake failed")) {
    if (has("certificate verify failed") || has("could not be verified")) {
      return fmt::format("the broker's TLS certificate was not accepted ({}); set kafka.properties.ssl.ca.location "
                         "to the CA that signed the brokers' certificates (the stack's: <state dir>/tls/ca.pem), "
                         "and connect by an address the certificate names", reason);
    }
    if (has("wrong version number") || has("packet length too long") || has("unexpected eof")) {
      return fmt::format("the TLS handshake failed ({}): the listener does not speak TLS; set "
                         "kafka.properties.security.protocol to PLAINTEXT or SASL_PLAINTEXT, as it expects", reason);
    }
    return fmt::format("the TLS handshake with the broker failed ({}); check kafka.properties.ssl.*", reason);
  }
  if (has("incorrect security.protocol")) {
    return fmt::format("the broker closed the connection at once ({}): the listener expects another security "
                       "protocol; for a TLS listener set kafka.properties.security.protocol=SASL_SSL (or SSL)",
                       reason);
  }
  return {};
}

bool log_client_error(rd_kafka_t* rk, int err, const char* reason, std::string_view component,
                      std::string_view client) {
  if (auto explained = explain_client_error(err, reason != nullptr ? reason : ""); !explained.empty()) {
    log::error(component, "{}: {}", client, explained);
    return false;
  }
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
