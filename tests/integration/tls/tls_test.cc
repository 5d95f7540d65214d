// `rdstream stack up --tls` and rdstream's Kafka clients over TLS + SASL, against a real broker the
// suite starts itself (Kafka only, ports 38092/38093, state in RDSTREAM_TEST_TLS_STACK_DIR) through
// the rdstream binary, and stops at the end whatever happened (the environment's TearDown).
//
//   good CA + password (PLAIN, from kafka.sasl_password_file) -> ingest produces, a consumer over
//   TLS reads every record back; the same with the password from RDSTREAM_KAFKA_SASL_PASSWORD;
//   SCRAM-SHA-512: Kafka's own (Java) tool logs in; rdstream's librdkafka does too from 2.6.1,
//   and before it (Debian's 2.0.2) fails naming that cause and PLAIN as the fix;
//   a CA that did not sign the broker -> fails naming the certificate and ssl.ca.location;
//   a wrong password -> fails naming SASL authentication;
//   sasl.password in the config file -> refused, naming the environment variable and the file setting.
//
// Environment (tests/integration/tls/CMakeLists.txt): RDSTREAM_BIN, RDSTREAM_TEST_TLS_STACK_DIR.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "integration/ingest/child_process.h"
#include "stack/tls_material.h"
#include "support/result_matchers.h"
#include "support/temp_dir.h"
#include "support/topic_reader.h"

namespace rds::stack {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kBootstrap = "127.0.0.1:38092";
constexpr int kCount = 300;
constexpr int kPartitions = 2;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::vector<std::string> stack_flags() {
  return {"--only", "kafka", "--tls", "--state-dir", env("RDSTREAM_TEST_TLS_STACK_DIR"), "--kafka-port", "38092",
          "--kafka-controller-port", "38093"};
}

test::ChildResult run(const std::vector<std::string>& args, const std::filesystem::path& dir,
                      milliseconds timeout = milliseconds(300'000)) {
  std::vector<std::string> argv = {env("RDSTREAM_BIN")};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = test::run_child(argv, dir, timeout);
  std::cout << "  $ rdstream";
  for (const auto& a : args) std::cout << ' ' << a;
  std::cout << "\n  exit " << result.exit_code << " after " << result.took.count() << " ms\n"
            << result.out << result.err << std::flush;
  return result;
}

// The suite's own stack: up once before every test, down after all of them, even when a test
// failed or `up` itself did.
class TlsStack : public ::testing::Environment {
 public:
  void SetUp() override {
    if (env("RDSTREAM_BIN").empty() || env("RDSTREAM_TEST_TLS_STACK_DIR").empty()) return;
    std::vector<std::string> args = {"stack", "up"};
    auto flags = stack_flags();
    args.insert(args.end(), flags.begin(), flags.end());
    up_ = run(args, dir_.path(), milliseconds(600'000));
    started_ = true;
  }
  void TearDown() override {
    if (!started_) return;
    std::vector<std::string> args = {"stack", "down"};
    auto flags = stack_flags();
    args.insert(args.end(), flags.begin(), flags.end());
    run(args, dir_.path());
  }
  static const test::ChildResult& up() { return up_; }

 private:
  test::TempDir dir_;
  bool started_ = false;
  static inline test::ChildResult up_;
};

const auto* const kStackEnvironment = ::testing::AddGlobalTestEnvironment(new TlsStack);

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (env("RDSTREAM_BIN").empty() || env("RDSTREAM_TEST_TLS_STACK_DIR").empty()) {
      GTEST_SKIP() << "RDSTREAM_BIN and RDSTREAM_TEST_TLS_STACK_DIR are set by CTest (ctest -L cluster)";
    }
    ASSERT_EQ(TlsStack::up().exit_code, 0) << "stack up --tls failed:\n" << TlsStack::up().out << TlsStack::up().err;
    state_ = env("RDSTREAM_TEST_TLS_STACK_DIR");
    ca_ = (state_ / "tls" / "ca.pem").string();
    password_file_ = (state_ / "kafka" / "client-password").string();
  }

  // A config file with these kafka.properties (and nothing else).
  std::string config(const std::map<std::string, std::string>& properties, const std::string& name = "config.yaml") {
    const auto path = dir_.path() / name;
    std::ofstream out(path);
    out << "kafka:\n  properties:\n";
    for (const auto& [k, v] : properties) out << "    " << k << ": '" << v << "'\n";
    return path.string();
  }
  std::map<std::string, std::string> plain(const std::string& ca) const {
    return {{"security.protocol", "SASL_SSL"}, {"sasl.mechanism", "PLAIN"},
            {"sasl.username", "rdstream"},     {"ssl.ca.location", ca}};
  }

  std::string unique_topic(const std::string& what) const {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return "it_tls_" + what + "_" + std::to_string(::getpid()) + "_" +
           std::to_string(std::chrono::duration_cast<milliseconds>(now).count());
  }

  test::ChildResult ingest(const std::string& config_file, const std::string& topic,
                           std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"ingest",  "--config",   config_file,          "--source", "generator",
                                     "--count", std::to_string(kCount), "--topic", topic, "--partitions",
                                     std::to_string(kPartitions), "--bootstrap-servers", kBootstrap};
    args.insert(args.end(), more.begin(), more.end());
    return run(args, dir_.path());
  }

  std::string password() const {
    std::ifstream in(password_file_);
    std::string line;
    std::getline(in, line);
    return line;
  }

  test::TempDir dir_;
  std::filesystem::path state_;
  std::string ca_;
  std::string password_file_;
};

TEST_F(TlsTest, TheStackPrintsHowAClientConnects) {
  const std::string& out = TlsStack::up().out;
  EXPECT_NE(out.find(ca_), std::string::npos) << out;
  EXPECT_NE(out.find(password_file_), std::string::npos) << out;
  EXPECT_NE(out.find("security.protocol: SASL_SSL"), std::string::npos) << out;
  EXPECT_NE(out.find("sasl.username: rdstream"), std::string::npos) << out;
  EXPECT_OK(verify_certificate(state_ / "tls" / "127.0.0.1.pem", ca_));
  // `stack status` asks the broker over TLS + SASL, as `up` remembered it.
  auto status = run({"stack", "status", "--only", "kafka", "--state-dir", state_.string()}, dir_.path());
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("healthy"), std::string::npos);
}

TEST_F(TlsTest, GoodCaAndPasswordProduceAndAConsumerReadsThemBack) {
  const std::string topic = unique_topic("file");
  auto result = ingest(config(plain(ca_)), topic, {"--kafka-password-file", password_file_});
  ASSERT_EQ(result.exit_code, 0);
  auto properties = plain(ca_);
  properties["sasl.password"] = password();
  auto messages = testing::consume_all(kBootstrap, topic, kPartitions, kCount, seconds(60), seconds(1), properties);
  std::set<std::string> keys;
  for (const auto& m : messages) keys.insert(m.key.value_or(""));
  EXPECT_EQ(messages.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(keys.size(), static_cast<size_t>(kCount));
}

TEST_F(TlsTest, ThePasswordFromTheEnvironmentWorks) {
  const std::string topic = unique_topic("env");
  ::setenv("RDSTREAM_KAFKA_SASL_PASSWORD", password().c_str(), 1);
  auto result = ingest(config(plain(ca_)), topic);
  ::unsetenv("RDSTREAM_KAFKA_SASL_PASSWORD");
  ASSERT_EQ(result.exit_code, 0);
  auto properties = plain(ca_);
  properties["sasl.password"] = password();
  auto messages = testing::consume_all(kBootstrap, topic, kPartitions, kCount, seconds(60), seconds(1), properties);
  EXPECT_EQ(messages.size(), static_cast<size_t>(kCount));
}

TEST_F(TlsTest, ScramSha512LogsInWhereTheClientCan) {
  // Kafka's own tool, as `stack up` tells (its --command-config logs in with SCRAM-SHA-512).
  const std::string& out = TlsStack::up().out;
  const auto at = out.find("java -cp");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string hint = out.substr(at, out.find('\n', at) - at);
  ASSERT_NE(hint.find("--command-config"), std::string::npos) << hint;
  auto java = test::run_child({"/bin/sh", "-c", hint}, dir_.path(), milliseconds(120'000));
  EXPECT_EQ(java.exit_code, 0) << java.out << java.err;
  // rdstream's librdkafka.
  auto properties = plain(ca_);
  properties["sasl.mechanism"] = "SCRAM-SHA-512";
  auto result = ingest(config(properties), unique_topic("scram"), {"--kafka-password-file", password_file_});
  if (rd_kafka_version() >= 0x020601ff) {
    EXPECT_EQ(result.exit_code, 0);
  } else {
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("cannot log in with SCRAM to Kafka 4"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("PLAIN"), std::string::npos) << result.err;
  }
}

TEST_F(TlsTest, ACaThatDidNotSignTheBrokerFailsNamingTheCertificate) {
  auto other = ensure_ca(dir_.path() / "other-ca");
  ASSERT_OK(other);
  auto result = ingest(config(plain(other->cert.string())), unique_topic("wrong_ca"),
                       {"--kafka-password-file", password_file_});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("certificate"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ssl.ca.location"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("is Kafka up"), std::string::npos) << result.err;
}

TEST_F(TlsTest, AWrongPasswordFailsNamingAuthentication) {
  const auto wrong = dir_.path() / "wrong-password";
  std::ofstream(wrong) << "not-the-password\n";
  auto result = ingest(config(plain(ca_)), unique_topic("wrong_pw"), {"--kafka-password-file", wrong.string()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("SASL authentication failed"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("kafka.sasl_password_file"), std::string::npos) << result.err;
}

TEST_F(TlsTest, APasswordInTheConfigFileIsRefusedNamingWhereItGoes) {
  auto properties = plain(ca_);
  properties["sasl.password"] = password();
  auto result = ingest(config(properties), unique_topic("in_file"));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("RDSTREAM_KAFKA_SASL_PASSWORD"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("kafka.sasl_password_file"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find(password()), std::string::npos) << "the secret itself was printed";
}

}  // namespace
}  // namespace rds::stack
