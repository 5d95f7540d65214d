// `rdstream ingest` end to end on the real stack (CTest fixture `stack`): the mock API in this
// process on an ephemeral port, the binary as a child process like a user runs it, and the topic
// read back from the real Kafka broker with a plain consumer.
//
// Environment (tests/integration/CMakeLists.txt, RDS_TEST_STACK_ENV): RDSTREAM_TEST_KAFKA,
// RDSTREAM_BIN.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/log.h"
#include "ingest/api_source.h"
#include "integration/ingest/child_process.h"
#include "mapping/record.h"
#include "mockapi/server.h"
#include "support/temp_dir.h"
#include "support/topic_reader.h"
#include "support/closed_port.h"
#include "support/result_matchers.h"

namespace rds::ingest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kCount = 10'000;
constexpr int kPartitions = 3;
// docs/compat.md "The record on the topic" (the seed's mapping, with dob).
const std::vector<std::string> kColumns = {"id",    "first_name", "last_name", "gender", "address",         "post_code",
                                           "email", "username",   "dob",       "phone",  "registered_date", "picture"};

std::string env_or_skip(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// A topic of its own for every run, so reruns and other suites never see each other's records.
std::string unique_topic(const std::string& what) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "it_ingest_" + what + "_" + std::to_string(::getpid()) + "_" +
         std::to_string(std::chrono::duration_cast<milliseconds>(now).count());
}

// The ids the API serves for `seed`, `count` users, `per_request` per page (GeneratorSource makes
// the same users the mock API serves).
std::vector<std::string> expected_ids(const std::string& seed, int count, int per_request) {
  GeneratorSource source(seed);
  std::atomic<bool> stop{false};
  std::vector<std::string> ids;
  while (static_cast<int>(ids.size()) < count) {
    auto batch = source.next(std::min(per_request, count - static_cast<int>(ids.size())), stop);
    for (const auto& r : *batch) ids.emplace_back(r.id());
  }
  return ids;
}

class IngestStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::kWarn);
    kafka_ = env_or_skip("RDSTREAM_TEST_KAFKA");
    bin_ = env_or_skip("RDSTREAM_BIN");
    if (kafka_.empty() || bin_.empty()) {
      GTEST_SKIP() << "RDSTREAM_TEST_KAFKA and RDSTREAM_BIN are set by CTest (ctest -L integration)";
    }
    ASSERT_OK(server_.start("127.0.0.1", 0));
    ASSERT_FALSE(dir_.path().empty());
  }
  void TearDown() override { server_.stop(); }

  std::string api_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/"; }

  test::ChildResult ingest(std::vector<std::string> args, milliseconds timeout = milliseconds(300'000),
                           milliseconds interrupt_after = milliseconds(0)) {
    std::vector<std::string> argv = {bin_, "ingest"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = test::run_child(argv, dir_.path(), timeout, interrupt_after);
    // The summary or the error, for the test log.
    std::cout << "  exit " << result.exit_code << " after " << result.took.count() << " ms: "
              << (result.out.empty() ? result.err.substr(result.err.rfind("rdstream ingest:") == std::string::npos
                                                              ? 0
                                                              : result.err.rfind("rdstream ingest:"))
                                     : result.out);
    return result;
  }

  // Reads the topic back and checks it holds exactly `ids`, once each, every value a flat JSON
  // object of strings with every column of docs/compat.md "The record on the topic" and id equal
  // to the key.
  void expect_topic_holds_exactly(const std::string& topic, const std::vector<std::string>& ids) {
    auto messages = testing::consume_all(kafka_, topic, kPartitions, ids.size(), seconds(120), seconds(2));
    ASSERT_EQ(messages.size(), ids.size());
    std::set<std::string> keys;
    size_t bad_values = 0;
    for (const auto& m : messages) {
      keys.insert(m.key.value_or(""));
      auto value = nlohmann::json::parse(m.value.value_or(""), nullptr, false);
      bool good = value.is_object() && value.size() == kColumns.size();
      if (good) {
        for (const auto& column : kColumns) {
          if (!value.contains(column) || !value[column].is_string()) good = false;
        }
        for (const auto& [k, v] : value.items()) {
          if (!v.is_string()) good = false;  // flat: no nested objects, arrays, numbers or nulls
        }
      }
      if (good) {
        const std::string id = value["id"];
        good = mapping::is_uuid(id) && id == m.key.value_or("");
      }
      if (!good && bad_values++ < 3) ADD_FAILURE() << "bad record (key " << m.key.value_or("<none>") << "): " << m.value.value_or("<none>");
    }
    EXPECT_EQ(bad_values, 0u);
    EXPECT_EQ(keys.size(), ids.size());
    EXPECT_EQ(keys, std::set<std::string>(ids.begin(), ids.end()));
  }

  std::string kafka_;
  std::string bin_;
  mockapi::MockApi api_;
  mockapi::MockApiServer server_{api_};
  rds::test::TempDir dir_;
};

TEST_F(IngestStackTest, TenThousandUsersLandOnTheTopicOnceEach) {
  const std::string topic = unique_topic("clean");
  auto run = ingest({"--url", api_url(), "--count", std::to_string(kCount), "--seed", "it-clean", "--results",
                     "1000", "--topic", topic, "--partitions", std::to_string(kPartitions), "--bootstrap-servers",
                     kafka_});
  ASSERT_FALSE(run.timed_out) << run.err;
  ASSERT_EQ(run.exit_code, 0) << "stdout:\n" << run.out << "\nstderr:\n" << run.err;
  EXPECT_NE(run.out.find("ingest summary: fetched 10000  produced 10000  delivered 10000  failed 0  undelivered 0  "
                         "skipped 0  requests 10  retries 0"),
            std::string::npos)
      << run.out;
  expect_topic_holds_exactly(topic, expected_ids("it-clean", kCount, 1000));
  EXPECT_EQ(api_.stats().requests, 10u);
}

// The single broker killed (SIGKILL) and started again while ingest runs: the producer keeps the
// records it could not deliver and sends them once the broker is back, each exactly once (the
// idempotent producer's sequence numbers cover the batches that were in flight at the kill).
TEST_F(IngestStackTest, TheBrokerRestartedDuringIngestLosesAndDuplicatesNothing) {
  const std::string flags = env_or_skip("RDSTREAM_TEST_STACK_FLAGS");
  if (flags.empty()) GTEST_SKIP() << "RDSTREAM_TEST_STACK_FLAGS is set by CTest";
  auto stack = [&](const std::string& what) {
    const std::string command = bin_ + " stack " + what + " " + flags + " > /dev/null 2>&1";
    return std::system(command.c_str());
  };
  const std::string topic = unique_topic("restart");
  constexpr int kRestartCount = 16'000;
  // ~16 s at 1,000 users/s; the broker is down from ~5 s to ~15 s.
  auto run = std::async(std::launch::async, [&] {
    return ingest({"--url", api_url(), "--count", std::to_string(kRestartCount), "--seed", "it-restart", "--results",
                   "500", "--rate", "1000", "--topic", topic, "--partitions", std::to_string(kPartitions),
                   "--bootstrap-servers", kafka_});
  });
  std::this_thread::sleep_for(seconds(5));
  const int killed = stack("stop-node kafka 1 --kill");
  std::this_thread::sleep_for(seconds(2));
  const int started = stack("start-node kafka 1");
  auto result = run.get();
  ASSERT_EQ(killed, 0);
  ASSERT_EQ(started, 0);
  ASSERT_FALSE(result.timed_out) << result.err;
  ASSERT_EQ(result.exit_code, 0) << "stdout:\n" << result.out << "\nstderr:\n" << result.err;
  expect_topic_holds_exactly(topic, expected_ids("it-restart", kRestartCount, 500));
}

TEST_F(IngestStackTest, FaultsAreRetriedAndStillEveryUserLandsOnceEach) {
  // Faults switched on at runtime over the mock's HTTP control endpoint, as an operator would.
  httplib::Client control("127.0.0.1", server_.port());
  auto set = control.Post("/_faults",
                          R"({"seed": 7, "rate_429": 0.1, "rate_5xx": 0.1, "rate_empty": 0.1,)"
                          R"( "rate_truncated": 0.1, "rate_malformed": 0.1, "retry_after_s": 1})",
                          "application/json");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;

  const std::string topic = unique_topic("faults");
  auto run = ingest({"--url", api_url(), "--count", std::to_string(kCount), "--seed", "it-faults", "--results",
                     "250", "--topic", topic, "--partitions", std::to_string(kPartitions), "--bootstrap-servers",
                     kafka_, "--max-attempts", "30"});
  ASSERT_FALSE(run.timed_out) << run.err;
  ASSERT_EQ(run.exit_code, 0) << "stdout:\n" << run.out << "\nstderr:\n" << run.err;

  const auto stats = api_.stats();
  uint64_t injected = 0;
  for (const auto& [fault, n] : stats.faults) injected += n;
  ASSERT_GT(injected, 0u);
  EXPECT_EQ(stats.requests, 40u + injected);
  EXPECT_NE(run.out.find("delivered 10000  failed 0  undelivered 0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("requests " + std::to_string(stats.requests) + "  retries " + std::to_string(injected)),
            std::string::npos)
      << run.out;
  // Each kind of fault the mock injected shows up under its reason in the summary.
  const std::map<std::string, std::string> reason_of = {{"status_429", "http_429"},
                                                        {"status_5xx", "http_5xx"},
                                                        {"empty", "empty_results"},
                                                        {"truncated", "truncated_body"},
                                                        {"malformed", "malformed_body"}};
  for (const auto& [fault, n] : stats.faults) {
    ASSERT_TRUE(reason_of.count(fault)) << fault;
    EXPECT_NE(run.out.find(reason_of.at(fault) + " " + std::to_string(n)), std::string::npos)
        << fault << " x" << n << " not in: " << run.out;
  }
  expect_topic_holds_exactly(topic, expected_ids("it-faults", kCount, 250));
}

TEST_F(IngestStackTest, UnreachableKafkaFailsWithAClearMessage) {
  const std::string closed = "127.0.0.1:" + std::to_string(testing::closed_port());
  auto run = ingest({"--source", "generator", "--count", "100", "--topic", unique_topic("nokafka"),
                     "--bootstrap-servers", closed},
                    milliseconds(120'000));
  ASSERT_FALSE(run.timed_out) << run.err;
  EXPECT_EQ(run.exit_code, 3) << "stdout:\n" << run.out << "\nstderr:\n" << run.err;  // kExitUnavailable
  EXPECT_NE(run.err.find("is Kafka up on " + closed), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rdstream stack up"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("ingest summary"), std::string::npos) << run.out;
}

TEST_F(IngestStackTest, UnreachableApiFailsAfterTheRetryBudgetWithAClearMessage) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::closed_port()) + "/api/";
  const std::string topic = unique_topic("noapi");
  auto run = ingest({"--url", url, "--count", "100", "--seed", "it-noapi", "--topic", topic, "--max-attempts", "3",
                     "--bootstrap-servers", kafka_},
                    milliseconds(120'000));
  ASSERT_FALSE(run.timed_out) << run.err;
  EXPECT_NE(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.exit_code, 3) << "stdout:\n" << run.out << "\nstderr:\n" << run.err;  // kExitUnavailable
  EXPECT_NE(run.err.find("giving up on page 1 after 3 attempts"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("is the API up?"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("produced 0  delivered 0"), std::string::npos) << run.out;
}

TEST_F(IngestStackTest, CtrlCDuringALongRetryAfterEndsTheRunPromptlyWithASummary) {
  mockapi::FaultConfig faults;
  faults.rate_429 = 1;
  faults.retry_after = seconds(120);
  api_.set_faults(faults);
  auto run = ingest({"--url", api_url(), "--count", "1000", "--seed", "it-ctrl-c", "--topic", unique_topic("ctrlc"),
                     "--bootstrap-servers", kafka_},
                    milliseconds(60'000), milliseconds(3'000));
  ASSERT_FALSE(run.timed_out) << "still waiting for the Retry-After after Ctrl-C:\n" << run.err;
  EXPECT_LT(run.took, milliseconds(10'000)) << run.err;
  EXPECT_NE(run.out.find("ingest summary: fetched 0  produced 0  delivered 0  failed 0"), std::string::npos)
      << "stdout:\n" << run.out << "\nstderr:\n" << run.err;
  EXPECT_NE(run.out.find("http_429 1"), std::string::npos) << run.out;
}

TEST_F(IngestStackTest, AWrongApiPathFailsAtOnceNamingTheUrlSetting) {
  auto run = ingest({"--url", "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/0.9/", "--count", "100",
                     "--seed", "it-404", "--topic", unique_topic("404"), "--bootstrap-servers", kafka_},
                    milliseconds(120'000));
  ASSERT_FALSE(run.timed_out) << run.err;
  EXPECT_EQ(run.exit_code, 2) << run.out;  // a configuration problem: the usage exit code
  EXPECT_NE(run.err.find("HTTP 404"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("api.randomuser.url, --url"), std::string::npos) << run.err;
  EXPECT_EQ(api_.stats().requests, 0u);  // a 404 path is not a users request: nothing was retried
  EXPECT_LT(run.took, milliseconds(60'000));
}

}  // namespace
}  // namespace rds::ingest
