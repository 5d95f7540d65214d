// Stack failures that are detected before any engine starts: no JVM, no network beyond loopback.
// (A service that dies during start-up is covered by tests/integration/stack_test.cc.)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "stack/ports.h"
#include "stack/stack.h"
#include "support/temp_dir.h"
#include "support/result_matchers.h"

namespace rds::stack {
namespace {

// A listener on an ephemeral loopback port that this test owns (the "foreign" process).
class ForeignListener {
 public:
  ForeignListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~ForeignListener() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port that was free a moment ago: the kernel's choice, so tests running in parallel (ctest -j)
// never probe the same fixed port at the same time.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

StackConfig kafka_only(const std::filesystem::path& state_dir) {
  StackConfig config;
  config.state_dir = state_dir;
  config.services = {ServiceKind::kKafka};
  config.kafka_port = free_port();
  do {
    config.kafka_controller_port = free_port();
  } while (config.kafka_controller_port == config.kafka_port);
  return config;
}

TEST(StackFailuresTest, PortTakenNamesServicePortAndFlagAndTouchesNothing) {
  test::TempDir dir;
  ForeignListener foreign;
  StackConfig config = kafka_only(dir.path());
  config.kafka_port = foreign.port();
  Stack stack(config);
  auto report = stack.up();
  ASSERT_OK(report);
  ASSERT_EQ(report->services.size(), 1u);
  const auto& kafka = report->services[0];
  EXPECT_EQ(kafka.state, ServiceState::kFailed);
  EXPECT_NE(kafka.detail.find("kafka: port " + std::to_string(foreign.port())), std::string::npos) << kafka.detail;
  EXPECT_NE(kafka.detail.find("--kafka-port"), std::string::npos);
  EXPECT_FALSE(report->all_healthy());
  // Nothing started, and the foreign listener is untouched.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "kafka" / "kafka.pid"));
  EXPECT_TRUE(port_accepting("127.0.0.1", foreign.port(), 1000));
  // `down` must not touch the foreign process either.
  auto down = stack.down();
  ASSERT_OK(down);
  EXPECT_TRUE(port_accepting("127.0.0.1", foreign.port(), 1000));
  std::ostringstream printed;
  report->print(printed, false);
  EXPECT_NE(printed.str().find("error: kafka: port"), std::string::npos);
}

TEST(StackFailuresTest, ForeignDataDirectoryIsRefusedWithTheFix) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "kafka" / "data");
  std::ofstream(dir.path() / "kafka" / "data" / "someone-elses-file") << "precious";
  Stack stack(kafka_only(dir.path()));
  auto report = stack.up();
  ASSERT_OK(report);
  const auto& kafka = report->services[0];
  EXPECT_EQ(kafka.state, ServiceState::kFailed);
  EXPECT_NE(kafka.detail.find("was not created by rdstream"), std::string::npos) << kafka.detail;
  EXPECT_NE(kafka.detail.find("delete"), std::string::npos);
  // The foreign data is left as it was.
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "kafka" / "data" / "someone-elses-file"));
}

TEST(StackFailuresTest, DataDirectoryOfAnotherVersionIsRefused) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "kafka" / "data");
  std::ofstream(dir.path() / "kafka" / "data" / ".rdstream-owned") << "rdstream kafka 3.0.0\n";
  std::ofstream(dir.path() / "kafka" / "data" / "meta.properties") << "version=1\n";
  auto report = Stack(kafka_only(dir.path())).up();
  ASSERT_OK(report);
  EXPECT_NE(report->services[0].detail.find("belongs to another setup"), std::string::npos)
      << report->services[0].detail;
}

TEST(StackFailuresTest, MissingEngineJarsPointToBootstrap) {
  test::TempDir dir;
  StackConfig config = kafka_only(dir.path());
  config.engine_cache = dir.path() / "empty-cache";
  auto report = Stack(config).up();
  ASSERT_OK(report);
  EXPECT_NE(report->services[0].detail.find("run scripts/bootstrap"), std::string::npos)
      << report->services[0].detail;
}

TEST(StackFailuresTest, StatusOfAStoppedStackSaysStoppedAndNotesForeignListeners) {
  test::TempDir dir;
  ForeignListener foreign;
  StackConfig config = kafka_only(dir.path());
  config.kafka_port = foreign.port();
  auto report = Stack(config).status();
  ASSERT_EQ(report.services.size(), 1u);
  EXPECT_EQ(report.services[0].state, ServiceState::kStopped);
  EXPECT_NE(report.services[0].detail.find("in use by another process"), std::string::npos);
}

}  // namespace
}  // namespace rds::stack

namespace rds::stack {
namespace {

// stack.json remembers `--with airflow` until a `down` that covers all of Airflow: `down --only
// kafka` keeps it (status and the next down still include Airflow), `down --only airflow` drops it.
TEST(StackStateTest, DownForgetsAnOptionalServiceOnlyWhenItStoppedAllOfIt) {
  test::TempDir dir;
  StackConfig up;
  up.state_dir = dir.path();
  up.with = {"airflow"};
  ASSERT_OK(save_state_file(up));
  auto remembered = [&] {
    StackConfig read;
    read.state_dir = dir.path();
    EXPECT_OK(load_state_file(read));
    return read.with;
  };
  StackConfig kafka = up;
  kafka.services = {ServiceKind::kKafka};
  ASSERT_OK(Stack(kafka).down());
  EXPECT_EQ(remembered(), std::vector<std::string>{"airflow"});
  StackConfig airflow = up;
  airflow.services = *parse_service("airflow");
  ASSERT_OK(Stack(airflow).down());
  EXPECT_TRUE(remembered().empty());
}

}  // namespace
}  // namespace rds::stack
