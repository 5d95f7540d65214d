// The process stage's metrics endpoint against the real engines: /readyz turns ready once the
// group has given partitions, /metrics agrees with the run's summary, and a Cassandra frozen for
// 15 s (SIGSTOP, as in a long GC pause) is told as a stall, then as a recovery, and loses nothing.
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <regex>

#include "integration/pipeline/harness.h"
#include "support/temp_dir.h"

namespace rds::e2e {
namespace {



constexpr int kPartitions = 3;

// The value of one series in a Prometheus text exposition ("name{labels}" as written), or -1.
double metric(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

class ObservabilityTest : public ::testing::Test {
 public:
  void SetUp() override {
    kafka_ = env("RDSTREAM_TEST_KAFKA");
    bin_ = env("RDSTREAM_BIN");
    port_ = env("RDSTREAM_TEST_CASSANDRA_PORT", "29042");
    if (kafka_.empty() || bin_.empty()) GTEST_SKIP() << "RDSTREAM_TEST_KAFKA and RDSTREAM_BIN are set by CTest";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = "obs_" + std::string(info->name()).substr(0, 12) + "_" + std::to_string(::getpid());
    for (auto& c : name_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    config_ = dir_.path() / "config.yaml";
    std::ofstream(config_) << "cassandra:\n  keyspace: " << name_ << "\n";
  }
  void TearDown() override {
    children_.clear();
    if (!bin_.empty()) cql_execute("127.0.0.1", static_cast<uint16_t>(std::stoi(port_)), "DROP KEYSPACE IF EXISTS " + name_);
  }

  Child& start(const std::string& label, std::vector<std::string> args) {
    args.insert(args.begin(), bin_);
    children_.push_back(std::make_unique<Child>(args, dir_.path(), label));
    return *children_.back();
  }

  void ingest(int count) {
    Child& c = start("ingest", {"ingest", "--source", "generator", "--seed", name_, "--count", std::to_string(count),
                                "--topic", name_, "--partitions", std::to_string(kPartitions), "--bootstrap-servers",
                                kafka_});
    ASSERT_EQ(c.wait(std::chrono::milliseconds(300'000)), std::optional<int>(0)) << c.err_tail();
  }

  // `rdstream process` with its metrics endpoint on a free port; returns the port it logged.
  Child& start_process(int* metrics_port) {
    Child& p = start("process", {"process", "--bootstrap-servers", kafka_, "--topic", name_, "--group", name_,
                                 "--config", config_.string(), "--cassandra-port", port_, "--commit-interval-ms",
                                 "200", "--metrics-address", "127.0.0.1:0"});
    std::smatch m;
    const std::regex logged("serving /metrics, /healthz and /readyz on 127.0.0.1:0 \\(port ([0-9]+)\\)");
    EXPECT_TRUE(wait_until([&] {
      const std::string err = p.err();
      return std::regex_search(err, m, logged) || !p.running();
    }, std::chrono::milliseconds(60'000))) << p.err_tail();
    *metrics_port = m.empty() ? 0 : std::stoi(m[1]);
    return p;
  }

  bool wait_committed(milliseconds timeout) {
    return wait_until([&] { return group_lag(group_offsets(kafka_, name_, name_, kPartitions)) == 0; }, timeout,
                      milliseconds(500));
  }

  size_t rows() {
    std::string error;
    const size_t n = cql_scan("127.0.0.1", static_cast<uint16_t>(std::stoi(port_)),
                              "SELECT id FROM " + name_ + ".created_users", &error)
                         .size();
    EXPECT_EQ(error, "");
    return n;
  }

  std::string kafka_, bin_, port_, name_;
  test::TempDir dir_;
  std::filesystem::path config_;
  std::vector<std::unique_ptr<Child>> children_;
};

TEST_F(ObservabilityTest, ReadyzTurnsReadyAndMetricsMatchTheSummary) {
  constexpr int kCount = 20'000;
  ASSERT_NO_FATAL_FAILURE(ingest(kCount));
  int port = 0;
  Child& p = start_process(&port);
  ASSERT_GT(port, 0) << p.err_tail();
  httplib::Client http("127.0.0.1", port);
  EXPECT_EQ(http.Get("/healthz")->status, 200);
  ASSERT_TRUE(wait_until([&] {
    auto r = http.Get("/readyz");
    return r && r->status == 200;
  }, std::chrono::milliseconds(120'000))) << p.err_tail();
  ASSERT_TRUE(wait_committed(std::chrono::milliseconds(300'000))) << p.err_tail();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // one more lag refresh (every second)
  auto scraped = http.Get("/metrics");
  ASSERT_TRUE(scraped);
  const std::string text = scraped->body;
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait(std::chrono::milliseconds(120'000)), std::optional<int>(0)) << p.err_tail();
  const std::string summary = p.out();
  std::cout << "[observability] " << summary;
  EXPECT_EQ(metric(text, "rdstream_received_records_total{stage=\"process\"}"), kCount) << text;
  EXPECT_EQ(metric(text, "rdstream_sent_records_total{stage=\"process\"}"), kCount);
  EXPECT_EQ(metric(text, "rdstream_in_flight_records{stage=\"process\"}"), 0);
  EXPECT_EQ(metric(text, "rdstream_dead_letters_total{reason=\"not_json\"}"), 0);
  EXPECT_GT(metric(text, "rdstream_sent_bytes_total{stage=\"process\"}"), 0);
  EXPECT_EQ(metric(text, "rdstream_cassandra_write_latency_seconds_count"), kCount);
  EXPECT_EQ(metric(text, "rdstream_end_to_end_latency_seconds_count"), kCount);
  EXPECT_EQ(metric(text, "rdstream_engine_connected{engine=\"cassandra\"}"), 1);
  for (int partition = 0; partition < kPartitions; ++partition) {
    const std::string labels = "{partition=\"" + std::to_string(partition) + "\",topic=\"" + name_ + "\"}";
    EXPECT_EQ(metric(text, "rdstream_consumer_lag_records" + labels), 0) << labels << "\n" << text;
    EXPECT_EQ(metric(text, "rdstream_consumer_lag_seconds" + labels), 0) << labels;
  }
  EXPECT_EQ(summary_number(summary, "consumed"), kCount);
  EXPECT_EQ(summary_number(summary, "stored"), kCount);
  EXPECT_EQ(rows(), static_cast<size_t>(kCount));
}

TEST_F(ObservabilityTest, AFrozenCassandraIsToldAsAStallAndLosesNothing) {
  constexpr int kCount = 200'000;
  const std::string stack_dir = env("RDSTREAM_TEST_STACK_DIR");
  if (stack_dir.empty()) GTEST_SKIP() << "RDSTREAM_TEST_STACK_DIR is set by CTest";
  std::ifstream pid_file(std::filesystem::path(stack_dir) / "cassandra" / "cassandra.pid");
  pid_t cassandra = 0;
  ASSERT_TRUE(pid_file >> cassandra) << "no pid in " << stack_dir << "/cassandra/cassandra.pid";
  ASSERT_NO_FATAL_FAILURE(ingest(kCount));
  int port = 0;
  Child& p = start_process(&port);
  ASSERT_GT(port, 0) << p.err_tail();
  httplib::Client http("127.0.0.1", port);
  ASSERT_TRUE(wait_until([&] {
    auto r = http.Get("/readyz");
    return r && r->status == 200;
  }, std::chrono::milliseconds(120'000))) << p.err_tail();
  // Mid-run: some rows are written, most are not, and the lag has been measured once (every second).
  const auto lag_of = [&](const std::string& text) {
    double lag = 0;
    for (int partition = 0; partition < kPartitions; ++partition) {
      lag += std::max(0.0, metric(text, "rdstream_consumer_lag_records{partition=\"" + std::to_string(partition) +
                                            "\",topic=\"" + name_ + "\"}"));
    }
    return lag;
  };
  ASSERT_TRUE(wait_until([&] {
    const std::string text = http.Get("/metrics")->body;
    return metric(text, "rdstream_sent_records_total{stage=\"process\"}") > 1000 && lag_of(text) > 0;
  }, std::chrono::milliseconds(120'000), std::chrono::milliseconds(50)));
  struct Thaw {  // whatever happens, Cassandra runs again for the suites after this one
    pid_t pid;
    ~Thaw() { ::kill(pid, SIGCONT); }
  } thaw{cassandra};
  ASSERT_EQ(::kill(cassandra, SIGSTOP), 0);
  std::this_thread::sleep_for(seconds(15));
  const std::string during = http.Get("/metrics")->body;
  ::kill(cassandra, SIGCONT);
  ASSERT_TRUE(wait_committed(std::chrono::milliseconds(400'000))) << p.err_tail();
  const std::string after = http.Get("/metrics")->body;
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait(std::chrono::milliseconds(120'000)), std::optional<int>(0)) << p.err_tail();
  EXPECT_TRUE(p.err_contains("cassandra: ")) << p.err_tail();
  EXPECT_TRUE(p.err_contains("waiting and none acknowledged for")) << p.err_tail(30);
  EXPECT_TRUE(p.err_contains("cassandra: acknowledging again after")) << p.err_tail(30);
  EXPECT_EQ(metric(during, "rdstream_engine_stalled{engine=\"cassandra\"}"), 1) << during;
  double oldest = 0;  // the age of the oldest record waiting, on the partition where it is largest
  for (int partition = 0; partition < kPartitions; ++partition) {
    oldest = std::max(oldest, metric(during, "rdstream_consumer_lag_seconds{partition=\"" + std::to_string(partition) +
                                                 "\",topic=\"" + name_ + "\"}"));
  }
  EXPECT_GE(oldest, 10) << during.substr(during.find("# HELP rdstream_consumer_lag"), 900);
  EXPECT_GE(metric(after, "rdstream_stalls_total{engine=\"cassandra\"}"), 1);
  EXPECT_EQ(metric(after, "rdstream_engine_stalled{engine=\"cassandra\"}"), 0);
  EXPECT_EQ(metric(after, "rdstream_sent_records_total{stage=\"process\"}"), kCount);
  EXPECT_EQ(summary_number(p.out(), "dead-lettered"), 0);
  EXPECT_EQ(rows(), static_cast<size_t>(kCount));
}

}  // namespace
}  // namespace rds::e2e
