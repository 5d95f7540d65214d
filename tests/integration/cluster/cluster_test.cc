// Faults at cluster level, on the real engines (CTest fixture `cluster`: 3 Cassandra nodes on
// 127.0.0.1-3 and 3 KRaft brokers, tests/integration/cluster/CMakeLists.txt). Each test runs the
// rdstream binary as a user would, kills a node with SIGKILL in the middle (`stack stop-node
// --kill`), checks that `rdstream doctor` names it, and that nothing was lost or duplicated; then
// starts the node again and checks that it rejoined.
//
// Environment: RDSTREAM_BIN, RDSTREAM_TEST_CLUSTER_KAFKA (every broker), RDSTREAM_TEST_CLUSTER_CQL_PORT,
// RDSTREAM_TEST_CLUSTER_FLAGS (the fixture's `stack` flags).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <iostream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cassandra/schema.h"
#include "cassandra/session.h"
#include "integration/ingest/child_process.h"
#include "support/temp_dir.h"
#include "support/topic_reader.h"

namespace rds {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kRecords = 24'000;
constexpr int kRate = 1'500;  // records/s: the run lasts ~16 s, the node dies ~6 s in

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string unique(const std::string& what) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "it_cluster_" + what + "_" + std::to_string(::getpid()) + "_" +
         std::to_string(std::chrono::duration_cast<seconds>(now).count());
}

// The number after `label` in `text` ("stored in Cassandra 24000"), or -1.
long number_after(const std::string& text, const std::string& label) {
  const auto at = text.rfind(label);
  if (at == std::string::npos) return -1;
  return std::atol(text.c_str() + at + label.size());
}

// A network partition of one node on loopback: policy-routing rules (ip rule ... prohibit, before
// the local table) that refuse every packet between 127.0.0.<node> and the rest of 127/8, in both
// directions. Needs root (CAP_NET_ADMIN); no kernel module (tc's actions are not loadable here).
// The rules are removed by the destructor, whatever the test's outcome.
class LoopbackPartition {
 public:
  explicit LoopbackPartition(int node) : address_("127.0.0." + std::to_string(node)) {
    ok_ = run("ip rule add pref 100 lookup local") && run("ip rule del pref 0") &&
          run("ip rule add pref 10 from " + address_ + " to 127.0.0.0/8 prohibit") &&
          run("ip rule add pref 11 from 127.0.0.0/8 to " + address_ + " prohibit");
  }
  ~LoopbackPartition() { heal(); }
  void heal() {
    (void)run("ip rule del pref 11");
    (void)run("ip rule del pref 10");
    if (!has_local_rule_at_0()) (void)run("ip rule add pref 0 lookup local");
    (void)run("ip rule del pref 100");
  }
  bool ok() const { return ok_; }

 private:
  static bool run(const std::string& command) { return std::system((command + " 2>/dev/null").c_str()) == 0; }
  static bool has_local_rule_at_0() { return std::system("ip rule list pref 0 | grep -q local") == 0; }
  std::string address_;
  bool ok_ = false;
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = env("RDSTREAM_BIN");
    kafka_ = env("RDSTREAM_TEST_CLUSTER_KAFKA");
    cql_port_ = env("RDSTREAM_TEST_CLUSTER_CQL_PORT");
    flags_ = split_words(env("RDSTREAM_TEST_CLUSTER_FLAGS"));
    if (bin_.empty() || kafka_.empty() || cql_port_.empty() || flags_.empty()) {
      GTEST_SKIP() << "set by CTest (ctest -L cluster)";
    }
  }

  // `rdstream <args>` in a directory of its own (children may run at the same time).
  test::ChildResult rdstream(std::vector<std::string> args, milliseconds timeout = milliseconds(300'000)) {
    std::filesystem::path dir;
    {
      std::lock_guard lock(dirs_mutex_);  // runs and stack commands overlap, from two threads
      dirs_.emplace_back(std::make_unique<test::TempDir>());
      dir = dirs_.back()->path();
    }
    std::vector<std::string> argv = {bin_};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = test::run_child(argv, dir, timeout);
    std::cout << "  rdstream " << args.front() << (args.size() > 1 ? " " + args[1] : "") << ": exit "
              << result.exit_code << " after " << result.took.count() << " ms\n";
    return result;
  }
  test::ChildResult stack(std::vector<std::string> args) {
    args.insert(args.begin(), "stack");
    args.insert(args.end(), flags_.begin(), flags_.end());
    return rdstream(args);
  }
  // COUNT(*) at `consistency` through `rdstream cql` (the table's key is the record's id, so this
  // is the number of distinct ids stored).
  long count_rows(const std::string& table, const std::string& consistency, bool must_answer = true) {
    auto r = rdstream({"cql", "--host", "127.0.0.1", "--port", cql_port_, "--consistency", consistency, "--timeout",
                       "120", "SELECT COUNT(*) FROM " + table});
    if (must_answer) EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    static const std::regex kNumber(R"(\n\s*(\d+)\s*\n)");
    return std::regex_search(r.out, m, kNumber) ? std::atol(m[1].str().c_str()) : -1;
  }
  // COUNT(*) at ALL, asked again for up to 90 s until it gives `expected`: a node just back is cold
  // (JIT, hints to take) and its first reads may time out on the server ("received 2 of 3", seen at
  // load 10), and a healed node catches up through hints and read repair.
  long count_at_all(const std::string& table, long expected) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(90);
    long at_all = -1;
    while (at_all != expected && std::chrono::steady_clock::now() < deadline) {
      at_all = count_rows(table, "ALL", /*must_answer=*/false);
      if (at_all != expected) std::this_thread::sleep_for(seconds(3));
    }
    return at_all;
  }
  // `rdstream run` of kRecords generated records at kRate into `topic`, in the background.
  std::future<test::ChildResult> start_run(const std::string& config, const std::string& topic) {
    return std::async(std::launch::async, [this, config, topic] {
      return rdstream({"run", "--config", config, "--source", "generator", "--seed", topic, "--count",
                       std::to_string(kRecords), "--rate", std::to_string(kRate), "--duration", "0", "--topic", topic,
                       "--group", topic, "--bootstrap-servers", kafka_, "--cassandra-port", cql_port_});
    });
  }
  std::string write_config(const std::string& keyspace) {
    std::lock_guard lock(dirs_mutex_);
    dirs_.emplace_back(std::make_unique<test::TempDir>());
    const auto path = dirs_.back()->path() / "config.yaml";
    std::ofstream(path) << "cassandra:\n  keyspace: " << keyspace << "\n";
    return path.string();
  }

  std::string bin_, kafka_, cql_port_;
  std::vector<std::string> flags_;
  std::mutex dirs_mutex_;
  std::vector<std::unique_ptr<test::TempDir>> dirs_;
};

// One of three Cassandra nodes killed in the middle of a run, with RF 3 (rdstream's default on a
// ring of 3) and LOCAL_QUORUM: the run goes on and the table holds every id. Then the node is
// restarted and rejoins.
TEST_F(ClusterTest, ACassandraNodeKilledMidRunLosesNothingAndRejoins) {
  const std::string keyspace = unique("ks");
  const std::string topic = unique("cass");
  const std::string config = write_config(keyspace);
  auto run = start_run(config, topic);
  std::this_thread::sleep_for(seconds(6));
  auto killed = stack({"stop-node", "cassandra", "2", "--kill"});
  ASSERT_EQ(killed.exit_code, 0) << killed.out << killed.err;

  // While it is down, doctor names it, with the command that starts it again.
  auto doctor = rdstream({"doctor", "--config", config, "--bootstrap-servers", kafka_, "--cassandra-port", cql_port_,
                          "--topic", topic});
  EXPECT_EQ(doctor.exit_code, 1) << doctor.out;
  EXPECT_NE(doctor.out.find("PROBLEM  cassandra 127.0.0.2:" + cql_port_), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find("rdstream stack start-node cassandra 2"), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find("2 of 3 nodes up"), std::string::npos) << doctor.out;

  auto result = run.get();
  std::cout << result.out << result.err.substr(result.err.size() > 3000 ? result.err.size() - 3000 : 0);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(number_after(result.out, "stored in Cassandra "), kRecords) << result.out;
  EXPECT_EQ(number_after(result.out, "dead-lettered "), 0) << result.out;
  EXPECT_EQ(count_rows(keyspace + ".created_users", "QUORUM"), kRecords);

  auto started = stack({"start-node", "cassandra", "2"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto after = rdstream({"doctor", "--config", config, "--bootstrap-servers", kafka_, "--cassandra-port", cql_port_,
                         "--topic", topic});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_NE(after.out.find("3 of 3 nodes up"), std::string::npos) << after.out;
  // Every replica answers again: a read at ALL needs node 2.
  EXPECT_EQ(count_at_all(keyspace + ".created_users", kRecords), kRecords);
}

// One of three brokers killed in the middle of an ingest: the idempotent producer neither loses
// nor duplicates a record (the topic has RF 3 and min.insync.replicas 2).
TEST_F(ClusterTest, AKafkaBrokerKilledMidIngestLosesAndDuplicatesNothing) {
  const std::string topic = unique("kafka");
  auto ingest = std::async(std::launch::async, [&] {
    return rdstream({"ingest", "--source", "generator", "--seed", topic, "--count", std::to_string(kRecords), "--rate",
                     std::to_string(kRate), "--duration", "0", "--topic", topic, "--bootstrap-servers", kafka_});
  });
  std::this_thread::sleep_for(seconds(6));
  auto killed = stack({"stop-node", "kafka", "2", "--kill"});
  ASSERT_EQ(killed.exit_code, 0) << killed.out << killed.err;

  auto doctor = rdstream({"doctor", "--bootstrap-servers", kafka_, "--cassandra-port", cql_port_, "--topic", topic});
  EXPECT_EQ(doctor.exit_code, 1) << doctor.out;
  EXPECT_NE(doctor.out.find("PROBLEM  kafka 127.0.0.2:28092"), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find("rdstream stack start-node kafka 2"), std::string::npos) << doctor.out;

  auto result = ingest.get();
  std::cout << result.out << result.err.substr(result.err.size() > 3000 ? result.err.size() - 3000 : 0);
  EXPECT_EQ(result.exit_code, 0);
  auto messages = testing::consume_all(kafka_, topic, 3, kRecords, seconds(120), seconds(3));
  std::set<std::string> keys;
  for (const auto& m : messages) keys.insert(m.key.value_or(""));
  EXPECT_EQ(messages.size(), static_cast<size_t>(kRecords)) << "lost or duplicated records";
  EXPECT_EQ(keys.size(), static_cast<size_t>(kRecords)) << "distinct keys";

  auto started = stack({"start-node", "kafka", "2"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
}

// One Cassandra node cut off from the others and from the client by a network partition (its
// process keeps running): the run goes on through the other two, nothing is lost, and once the
// partition heals the node serves again.
TEST_F(ClusterTest, APartitionedCassandraNodeIsRoutedAroundAndLosesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "making a partition with ip rules needs root";
  const std::string keyspace = unique("part");
  const std::string topic = unique("part");
  const std::string config = write_config(keyspace);
  auto run = start_run(config, topic);
  std::this_thread::sleep_for(seconds(6));
  {
    LoopbackPartition partition(3);
    ASSERT_TRUE(partition.ok()) << "could not add the ip rules";
    std::this_thread::sleep_for(seconds(12));
    auto doctor = rdstream({"doctor", "--config", config, "--bootstrap-servers", kafka_, "--cassandra-port", cql_port_,
                            "--topic", topic});
    EXPECT_EQ(doctor.exit_code, 1) << doctor.out;
    EXPECT_NE(doctor.out.find("PROBLEM  cassandra 127.0.0.3:" + cql_port_), std::string::npos) << doctor.out;
  }
  auto result = run.get();
  std::cout << result.out << result.err.substr(result.err.size() > 3000 ? result.err.size() - 3000 : 0);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(number_after(result.out, "stored in Cassandra "), kRecords) << result.out;
  EXPECT_EQ(count_rows(keyspace + ".created_users", "QUORUM"), kRecords);
  // Healed: node 3 answers again (a read at ALL needs it); hints and the read repair bring it up to date.
  EXPECT_EQ(count_at_all(keyspace + ".created_users", kRecords), kRecords);
}

// Token-aware routing on a real ring: with RF 1 each partition has one replica, and at least 95 %
// of the writes go straight to it (the per-host counters say where each attempt went). Every host
// gets a share: the partitions are spread over the ring.
TEST_F(ClusterTest, WritesGoToTheReplicaOfTheirPartition) {
  cassandra::SessionConfig config;
  config.contact_points = {"127.0.0.1"};
  config.port = static_cast<uint16_t>(std::atoi(cql_port_.c_str()));
  config.credentials = {"cassandra", "cassandra"};
  auto session = cassandra::Session::connect(config);
  ASSERT_TRUE(session.ok()) << session.error().message;
  const std::string keyspace = unique("routing");
  cassandra::KeyspaceSpec spec;
  spec.name = keyspace;
  spec.replication_factor = 1;
  auto made = cassandra::create_keyspace(**session, spec);
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto table = cassandra::execute_script(**session, "CREATE TABLE " + keyspace + ".t (id uuid PRIMARY KEY, v text)");
  ASSERT_TRUE(table.ok()) << table.error().message;
  auto insert = (*session)->prepare("INSERT INTO " + keyspace + ".t (id, v) VALUES (?, ?)");
  ASSERT_TRUE(insert.ok()) << insert.error().message;
  std::vector<uint64_t> before;
  for (const auto& h : (*session)->hosts()) before.push_back(h.requests);

  constexpr int kWrites = 3'000;
  std::mt19937_64 random(42);
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < kWrites; ++i) {
    cql::Uuid id;
    for (auto& b : id.bytes) b = static_cast<uint8_t>(random());
    auto statement = (*insert)->bind({cql::Value(id), cql::Value("v")});
    ASSERT_TRUE(statement.ok());
    statement->idempotent = true;
    (*session)->execute(std::move(*statement), [&](cassandra::ExecuteResult r) {
      if (!r.response.ok()) failed.fetch_add(1);
      done.fetch_add(1);
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  while (done.load() < kWrites && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(done.load(), kWrites);
  EXPECT_EQ(failed.load(), 0);

  const auto hosts = (*session)->hosts();
  ASSERT_EQ(hosts.size(), 3u);
  uint64_t requests = 0;
  uint64_t to_replica = 0;
  for (const auto& h : hosts) {
    std::cout << "  " << h.address << ": " << h.requests << " requests, " << h.replica_requests << " to a replica\n";
    requests += h.requests;
    to_replica += h.replica_requests;
    EXPECT_GT(h.replica_requests, static_cast<uint64_t>(kWrites / 10)) << h.address << " got too small a share";
  }
  ASSERT_GE(requests, static_cast<uint64_t>(kWrites));
  EXPECT_GE(static_cast<double>(to_replica), 0.95 * static_cast<double>(kWrites))
      << to_replica << " of " << requests << " attempts went to a replica";
}

// A broker that advertises an address this host cannot reach (the seed's container set-up seen
// from outside: bootstrap on localhost, metadata naming "broker"): a real broker of its own, with
// --kafka-advertised-host, on ports of its own. doctor names the broker, the address and the fix.
TEST_F(ClusterTest, DoctorNamesABrokerAdvertisingAnAddressThisHostCannotReach) {
  test::TempDir state;
  const std::vector<std::string> flags = {"--only", "kafka", "--state-dir", (state.path() / "var").string(),
                                          "--kafka-port", "28392", "--kafka-controller-port", "28393"};
  std::vector<std::string> up = {"stack", "up", "--kafka-advertised-host", "kafka.invalid", "--kafka-heap-mb", "256"};
  up.insert(up.end(), flags.begin(), flags.end());
  auto started = rdstream(up);
  std::vector<std::string> down = {"stack", "down"};
  down.insert(down.end(), flags.begin(), flags.end());
  struct Down {  // whatever the assertions below do
    std::function<void()> fn;
    ~Down() { fn(); }
  } stop{[&] { EXPECT_EQ(rdstream(down).exit_code, 0); }};
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;

  auto doctor = rdstream({"doctor", "--bootstrap-servers", "127.0.0.1:28392", "--cassandra-port", cql_port_});
  EXPECT_EQ(doctor.exit_code, 1) << doctor.out;
  EXPECT_NE(doctor.out.find("PROBLEM  kafka broker 1: it advertises kafka.invalid:28392, which does not answer from "
                            "this host, although the bootstrap address 127.0.0.1:28392 did"),
            std::string::npos)
      << doctor.out;
  EXPECT_NE(doctor.out.find("set that broker's advertised.listeners"), std::string::npos) << doctor.out;
}

}  // namespace
}  // namespace rds
