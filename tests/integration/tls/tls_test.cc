// `rdstream stack up --tls` and rdstream's clients over TLS, against a real broker and a real
// Cassandra node the suite starts itself (Kafka on 27092/27093 with SASL_SSL, Cassandra on 27042
// with client encryption required; state in RDSTREAM_TEST_TLS_STACK_DIR) through the rdstream
// binary, and stops at the end whatever happened (the environment's TearDown).
//
// Kafka:
//   good CA + password (PLAIN, from kafka.sasl_password_file) -> ingest produces, a consumer over
//   TLS reads every record back; the same with the password from RDSTREAM_KAFKA_SASL_PASSWORD;
//   SCRAM-SHA-512: Kafka's own (Java) tool logs in; rdstream's librdkafka does too from 2.6.1,
//   and before it (Debian's 2.0.2) fails naming that cause and PLAIN as the fix;
//   a CA that did not sign the broker -> fails naming the certificate and ssl.ca.location;
//   a wrong password -> fails naming SASL authentication;
//   sasl.password in the config file -> refused, naming the environment variable and the file setting.
// Cassandra (rdstream's own CQL client, `rdstream cql` and `rdstream process`):
//   the stack's CA -> connects; the whole pipeline over TLS on both sides stores every record;
//   a CA that did not sign the node -> fails naming cassandra.tls.ca_file;
//   an address the certificate does not cover (through a TCP relay on 127.0.0.9) -> fails naming
//   the address and the certificate's SANs; a wrong password -> fails naming the login;
//   a plaintext client -> fails naming cassandra.tls.enabled.
//
// Environment (tests/integration/tls/CMakeLists.txt): RDSTREAM_BIN, RDSTREAM_TEST_TLS_STACK_DIR.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

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

constexpr const char* kBootstrap = "127.0.0.1:27092";
constexpr const char* kCqlPort = "27042";
constexpr int kCount = 300;
constexpr int kPartitions = 2;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::vector<std::string> stack_flags() {
  return {"--only", "kafka,cassandra", "--tls", "--state-dir", env("RDSTREAM_TEST_TLS_STACK_DIR"),
          "--kafka-port", "27092", "--kafka-controller-port", "27093", "--cassandra-port", kCqlPort,
          "--cassandra-storage-port", "27700", "--cassandra-jmx-port", "27199"};
}

// A TCP relay from 127.0.0.9:<any port> to the node, so that a client reaches the real node by an
// address its certificate does not name.
class Relay {
 public:
  Relay(const std::string& target_host, uint16_t target_port) : target_port_(target_port), target_host_(target_host) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.9", &addr.sin_addr);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 4) != 0) return;
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~Relay() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }

 private:
  // One connection at a time is all a `rdstream cql` needs.
  void serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(target_port_);
      ::inet_pton(AF_INET, target_host_.c_str(), &to.sin_addr);
      if (::connect(server, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) pump(client, server);
      ::close(server);
      ::close(client);
    }
  }
  void pump(int a, int b) {
    char buf[16384];
    while (!stop_) {
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 100) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::read(p[i].fd, buf, sizeof buf);
        if (n <= 0 || ::write(i == 0 ? b : a, buf, static_cast<size_t>(n)) != n) return;
      }
    }
  }
  int listener_ = -1;
  uint16_t port_ = 0;
  uint16_t target_port_;
  std::string target_host_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

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
    std::vector<std::string> args = {"stack", "up", "--cassandra-heap-mb", "512"};
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
    // A `down` that fails leaves the engines running after the suite: a failure of its own.
    const auto down = run(args, dir_.path());
    if (down.exit_code != 0) ADD_FAILURE() << "stack down failed; the engines may still run:\n" << down.out << down.err;
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
  EXPECT_NE(out.find("cassandra:\n      tls:\n        enabled: true\n        ca_file: " + ca_), std::string::npos) << out;
  // `stack status` asks the broker over TLS + SASL and the node over TLS, as `up` remembered it.
  auto status = run({"stack", "status", "--only", "kafka,cassandra", "--state-dir", state_.string()}, dir_.path());
  EXPECT_EQ(status.exit_code, 0);
  size_t healthy = 0;
  for (auto at = status.out.find("healthy"); at != std::string::npos; at = status.out.find("healthy", at + 1)) ++healthy;
  EXPECT_EQ(healthy, 2u) << status.out;
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

// `rdstream cql` against the stack's node, with these extra arguments.
test::ChildResult cql(const std::filesystem::path& dir, std::vector<std::string> more,
                      const std::string& statement = "SELECT release_version FROM system.local") {
  std::vector<std::string> args = {"cql", "--cassandra-port", kCqlPort, "--timeout", "10"};
  args.insert(args.end(), more.begin(), more.end());
  args.push_back(statement);
  return run(args, dir, milliseconds(120'000));
}

TEST_F(TlsTest, CqlWithTheStacksCaConnects) {
  auto result = cql(dir_.path(), {"--cassandra-tls", "--cassandra-ca-file", ca_});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("5.0."), std::string::npos) << result.out;
}

TEST_F(TlsTest, ThePipelineOverTlsOnBothSidesStoresEveryRecord) {
  const std::string topic = unique_topic("pipeline");
  ASSERT_EQ(ingest(config(plain(ca_)), topic, {"--kafka-password-file", password_file_}).exit_code, 0);
  const auto file = dir_.path() / "pipeline.yaml";
  {
    std::ofstream out(file);
    out << "kafka:\n  properties:\n";
    for (const auto& [k, v] : plain(ca_)) out << "    " << k << ": '" << v << "'\n";
    out << "cassandra:\n  keyspace: it_tls\n  table: " << topic << "\n  tls:\n    enabled: true\n    ca_file: '" << ca_
        << "'\n";
  }
  auto process = run({"process", "--config", file.string(), "--topic", topic, "--group", topic, "--bootstrap-servers",
                      kBootstrap, "--kafka-password-file", password_file_, "--cassandra-port", kCqlPort, "--count",
                      std::to_string(kCount)},
                     dir_.path());
  ASSERT_EQ(process.exit_code, 0) << process.err;
  auto count = cql(dir_.path(), {"--cassandra-tls", "--cassandra-ca-file", ca_},
                   "SELECT COUNT(*) FROM it_tls.\"" + topic + "\"");
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_NE(count.out.find(std::to_string(kCount)), std::string::npos) << count.out;
}

TEST_F(TlsTest, CqlWithACaThatDidNotSignTheNodeFailsNamingTheSetting) {
  auto other = ensure_ca(dir_.path() / "other-ca");
  ASSERT_OK(other);
  auto result = cql(dir_.path(), {"--cassandra-tls", "--cassandra-ca-file", other->cert.string()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("certificate is not signed by"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("cassandra.tls.ca_file"), std::string::npos) << result.err;
}

TEST_F(TlsTest, CqlByAnAddressTheCertificateDoesNotNameFailsNamingIt) {
  Relay relay("127.0.0.1", static_cast<uint16_t>(std::stoi(kCqlPort)));
  ASSERT_NE(relay.port(), 0) << "cannot listen on 127.0.0.9";
  auto result = run({"cql", "--cassandra-host", "127.0.0.9", "--cassandra-port", std::to_string(relay.port()),
                     "--timeout", "10", "--cassandra-tls", "--cassandra-ca-file", ca_,
                     "SELECT release_version FROM system.local"},
                    dir_.path(), milliseconds(120'000));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("does not match 127.0.0.9"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("IP:127.0.0.1"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("cassandra.tls.verify_hostname"), std::string::npos) << result.err;
}

TEST_F(TlsTest, CqlWithAWrongPasswordFailsNamingTheLogin) {
  ::setenv("RDSTREAM_CASSANDRA_PASSWORD", "not-the-password", 1);
  auto result = cql(dir_.path(), {"--cassandra-tls", "--cassandra-ca-file", ca_});
  ::unsetenv("RDSTREAM_CASSANDRA_PASSWORD");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("logging in as 'cassandra'"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("not-the-password"), std::string::npos) << "the secret itself was printed";
}

TEST_F(TlsTest, APlaintextClientFailsNamingTheTlsSetting) {
  auto result = cql(dir_.path(), {});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("cassandra.tls.enabled"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace rds::stack
