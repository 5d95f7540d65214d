// librdkafka's TLS and SASL failures, as its error callback reports them (reasons copied from
// librdkafka 2.0.2 against Kafka 4.1), turned into the cause and the fix.
#include "kafka/kafka_error.h"

#include <gtest/gtest.h>

namespace rds::kafka {
namespace {

TEST(KafkaErrorTest, AnUnverifiedCertificateNamesTheCaSetting) {
  const std::string text = explain_client_error(
      RD_KAFKA_RESP_ERR__SSL,
      "sasl_ssl://127.0.0.1:38092/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify "
      "failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured");
  EXPECT_NE(text.find("certificate was not accepted"), std::string::npos) << text;
  EXPECT_NE(text.find("kafka.properties.ssl.ca.location"), std::string::npos) << text;
}

TEST(KafkaErrorTest, ARefusedPasswordNamesWhereThePasswordComesFrom) {
  const std::string text = explain_client_error(
      RD_KAFKA_RESP_ERR__AUTHENTICATION,
      "sasl_ssl://127.0.0.1:38092/bootstrap: SASL authentication error: Authentication failed: Invalid username or "
      "password (after 302ms in state AUTH_REQ)");
  EXPECT_NE(text.find("SASL authentication failed"), std::string::npos) << text;
  EXPECT_NE(text.find("RDSTREAM_KAFKA_SASL_PASSWORD"), std::string::npos) << text;
  EXPECT_NE(text.find("kafka.sasl_password_file"), std::string::npos) << text;
}

TEST(KafkaErrorTest, APlaintextClientOnATlsListenerNamesTheSecurityProtocol) {
  const std::string text = explain_client_error(
      RD_KAFKA_RESP_ERR__TRANSPORT,
      "127.0.0.1:38092/bootstrap: Disconnected while requesting ApiVersion: might be caused by incorrect "
      "security.protocol configuration (connecting to a SSL listener?) or broker version is < 0.10");
  EXPECT_NE(text.find("security.protocol=SASL_SSL"), std::string::npos) << text;
}

TEST(KafkaErrorTest, OtherErrorsAreLeftAlone) {
  EXPECT_EQ(explain_client_error(RD_KAFKA_RESP_ERR__TRANSPORT, "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 "
                                                                "failed: Connection refused"),
            "");
  EXPECT_EQ(explain_client_error(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down"), "");
}

}  // namespace
}  // namespace rds::kafka
