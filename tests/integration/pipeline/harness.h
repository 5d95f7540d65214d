#pragma once
// Helpers for the end-to-end pipeline suite: child processes tracked by pid (started, signalled,
// reaped; killed by the destructor whatever happened to the test), Kafka inspection with plain
// librdkafka (consumer-group lag, raw producing, reading a topic back with headers) and Cassandra
// inspection with our blocking CQL connection (paged scans).
//
// Environment (tests/integration/CMakeLists.txt, RDS_TEST_STACK_ENV): RDSTREAM_TEST_KAFKA,
// RDSTREAM_TEST_CASSANDRA_HOST/PORT, RDSTREAM_BIN, RDSTREAM_TEST_STACK_FLAGS.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cassandra/blocking_connection.h"
#include "cql/requests.h"
#include "cql/responses.h"
#include "cql/wire.h"
#include "support/temp_dir.h"
#include "support/topic_reader.h"

namespace rds::e2e {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The default table's columns (docs/compat.md "The table"), in the order the scans select them.
inline const std::vector<std::string> kSeedTableColumns = {"id",       "first_name", "last_name",       "gender",
                                                           "address",  "post_code",  "email",           "username",
                                                           "registered_date", "phone", "picture"};

inline std::string env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A number from a summary line: "stored 20000" -> 20000 for label "stored"; -1 when absent.
inline int64_t summary_number(const std::string& text, const std::string& label) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(label + " ([0-9]+)"))) return std::stoll(m[1]);
  return -1;
}

inline std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Polls `done` every `step` until it is true or `timeout` passed; returns its last answer.
inline bool wait_until(const std::function<bool()>& done, milliseconds timeout, milliseconds step = milliseconds(200)) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

// ---- child processes -------------------------------------------------------------------------------

// One child process, by pid: stdout and stderr go to <dir>/<name>.out/.err. The destructor kills
// (SIGKILL) and reaps it if the test did not, so no test leaves a process behind.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& dir, const std::string& name)
      : out_path_(dir / (name + ".out")), err_path_(dir / (name + ".err")), argv_(argv) {
    started_ = Clock::now();
    pid_ = ::fork();
    if (pid_ == 0) {
      int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out < 0 || err < 0) ::_exit(127);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      std::vector<char*> args;
      for (const auto& a : argv_) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Child() { kill_and_reap(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }

  // True while the process has not exited (reaps it when it has).
  bool running() {
    if (pid_ <= 0 || status_) return false;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = st;
      took_ = std::chrono::duration_cast<milliseconds>(Clock::now() - started_);
      return false;
    }
    return r == 0;
  }

  // Waits up to `timeout` for it to exit: its exit code, -SIGNAL when a signal ended it, nullopt
  // when it is still running.
  std::optional<int> wait(milliseconds timeout) {
    wait_until([this] { return !running(); }, timeout, milliseconds(20));
    return exit_code();
  }
  std::optional<int> exit_code() const {
    if (!status_) return std::nullopt;
    if (WIFEXITED(*status_)) return WEXITSTATUS(*status_);
    if (WIFSIGNALED(*status_)) return -WTERMSIG(*status_);
    return std::nullopt;
  }

  void signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }
  void kill_and_reap() {
    if (pid_ <= 0 || status_) return;
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    status_ = st;
    took_ = std::chrono::duration_cast<milliseconds>(Clock::now() - started_);
  }

  std::string out() const { return slurp(out_path_); }
  std::string err() const { return slurp(err_path_); }
  bool err_contains(const std::string& text) const { return err().find(text) != std::string::npos; }
  // How many times `text` occurs in stderr so far.
  size_t err_count(const std::string& text) const {
    const std::string e = err();
    size_t n = 0;
    for (size_t at = e.find(text); at != std::string::npos; at = e.find(text, at + text.size())) ++n;
    return n;
  }
  milliseconds took() const { return took_; }
  // The last lines of stderr, for failure messages.
  std::string err_tail(size_t lines = 15) const {
    const std::string e = err();
    size_t at = e.size();
    for (size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n) at = e.rfind('\n', at - 1);
    return at == std::string::npos ? e : e.substr(at + 1);
  }

 private:
  std::filesystem::path out_path_, err_path_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  std::optional<int> status_;
  Clock::time_point started_;
  milliseconds took_{0};
};

// ---- Kafka -------------------------------------------------------------------------------------------

struct PartitionLag {
  int64_t committed = -1;  // -1: nothing committed (RD_KAFKA_OFFSET_INVALID)
  int64_t high = -1;
};

// The group's committed offset and the high watermark of each of `partitions` partitions of
// `topic`: what `kafka-consumer-groups --describe` shows. Empty map on errors.
inline std::map<int32_t, PartitionLag> group_offsets(const std::string& bootstrap, const std::string& group,
                                                     const std::string& topic, int partitions) {
  std::map<int32_t, PartitionLag> out;
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk == nullptr) return out;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  bool ok = rd_kafka_committed(rk, list, 15'000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; ok && i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ok = false;
      break;
    }
    PartitionLag lag;
    lag.committed = e.offset >= 0 ? e.offset : -1;
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), e.partition, &low, &high, 15'000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      ok = false;
      break;
    }
    lag.high = high;
    out[e.partition] = lag;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  if (!ok) out.clear();
  return out;
}

// Sum over partitions of high watermark - committed offset (an uncommitted partition counts in
// full); -1 when the offsets could not be read.
inline int64_t group_lag(const std::map<int32_t, PartitionLag>& offsets) {
  if (offsets.empty()) return -1;
  int64_t lag = 0;
  for (const auto& [p, o] : offsets) lag += o.high - std::max<int64_t>(0, o.committed);
  return lag;
}

// What a topic holds, read back from the beginning (tests/support/topic_reader.h).
using TopicMessage = rds::testing::ConsumedMessage;
inline std::vector<TopicMessage> read_topic(const std::string& bootstrap, const std::string& topic, int partitions,
                                            size_t want, milliseconds timeout, milliseconds linger = milliseconds(1500)) {
  return rds::testing::consume_all(bootstrap, topic, partitions, want, timeout, linger);
}

struct Produced {
  int32_t partition = -1;
  int64_t offset = -1;
  bool ok = false;
};

struct RawRecord {
  int32_t partition = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: a tombstone
};

// Produces `records` as they are (no serialisation, explicit partitions) with an idempotent
// acks=all producer; returns where each one landed, in order.
inline std::vector<Produced> produce_raw(const std::string& bootstrap, const std::string& topic,
                                         const std::vector<RawRecord>& records) {
  std::vector<Produced> out(records.size());
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.idempotence", "true", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "acks", "all", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "message.max.bytes", "2000000", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_conf_set_opaque(conf, &out);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    auto* p = static_cast<Produced*>(m->_private);
    p->ok = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    p->partition = m->partition;
    p->offset = m->offset;
  });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) return out;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const char* key = r.key ? r.key->data() : nullptr;
    const size_t key_size = r.key ? r.key->size() : 0;
    char* value = r.value ? const_cast<char*>(r.value->data()) : nullptr;
    const size_t value_size = r.value ? r.value->size() : 0;
    const char* topic_name = topic.c_str();
    const int32_t partition = r.partition;
    void* opaque = &out[i];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    while (true) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic_name), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_OPAQUE(opaque),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 50);
        continue;
      }
      break;
    }
#pragma GCC diagnostic pop
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 60'000);
  rd_kafka_destroy(rk);
  return out;
}

// ---- Cassandra ---------------------------------------------------------------------------------------

inline cassandra::Credentials stack_credentials() { return {"cassandra", "cassandra"}; }

// Runs one statement (DDL, DROP...) on a fresh connection; the error message, or "" when it worked.
inline std::string cql_execute(const std::string& host, uint16_t port, const std::string& statement) {
  auto conn = cassandra::BlockingConnection::open(host, port, stack_credentials(), seconds(10));
  if (!conn.ok()) return conn.error().message;
  auto r = conn->query(statement, cql::Consistency::kOne, seconds(60));
  return r.ok() ? "" : r.error().message;
}

// Every row of `select` (paged, 5000 a page), each as its cells; error message in `error`.
inline std::vector<cql::Row> cql_scan(const std::string& host, uint16_t port, const std::string& select,
                                      std::string* error) {
  std::vector<cql::Row> rows;
  auto conn = cassandra::BlockingConnection::open(host, port, stack_credentials(), seconds(10));
  if (!conn.ok()) {
    *error = conn.error().message;
    return rows;
  }
  cql::QueryRequest request;
  request.query = select;
  request.params.consistency = cql::Consistency::kOne;
  request.params.page_size = 5000;
  while (true) {
    auto r = conn->query(request, seconds(60));
    if (!r.ok()) {
      *error = r.error().message;
      return rows;
    }
    auto* result = std::get_if<cql::RowsResult>(&r->message);
    if (result == nullptr) {
      *error = "not a rows result: " + cql::message_name(r->message);
      return rows;
    }
    for (auto& row : result->rows) rows.push_back(std::move(row));
    if (!result->metadata.has_more_pages() || !result->metadata.paging_state) break;
    request.params.paging_state = result->metadata.paging_state;
  }
  return rows;
}

inline std::string uuid_text(const cql::Cell& cell) {
  if (!cell || cell->size() != 16) return "<not a uuid>";
  cql::Uuid u;
  std::copy(cell->begin(), cell->end(), u.bytes.begin());
  return u.to_string();
}

inline std::optional<std::string> cell_text(const cql::Cell& cell) {
  if (!cell) return std::nullopt;
  return std::string(cell->begin(), cell->end());
}

// ---- a suite on the shared test stack -----------------------------------------------------------

// The base of the suites that run `rdstream` against the shared test stack: the stack's addresses
// from the environment (skipped without them), and a name of its own for each test (topic, group
// and keyspace "<prefix>_<test>_<pid>_<ms>", a config file naming the keyspace), child processes
// that are killed and reaped at TearDown, and the keyspace dropped.
class StackSuite : public ::testing::Test {
 public:
  explicit StackSuite(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    kafka_ = env("RDSTREAM_TEST_KAFKA");
    bin_ = env("RDSTREAM_BIN");
    host_ = env("RDSTREAM_TEST_CASSANDRA_HOST", "127.0.0.1");
    port_ = static_cast<uint16_t>(std::stoi(env("RDSTREAM_TEST_CASSANDRA_PORT", "29042")));
    if (kafka_.empty() || bin_.empty()) {
      GTEST_SKIP() << "RDSTREAM_TEST_KAFKA and RDSTREAM_BIN are set by CTest (ctest -L integration)";
    }
    ASSERT_FALSE(dir_.path().empty());
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::transform(test.begin(), test.end(), test.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    name_ = prefix_ + "_" + test.substr(0, 16) + "_" + std::to_string(::getpid()) + "_" +
            std::to_string(std::chrono::duration_cast<milliseconds>(now).count() % 100'000'000);
    topic_ = name_;
    group_ = name_ + "_group";
    keyspace_ = name_;
    config_ = dir_.path() / "config.yaml";
    std::ofstream(config_) << "cassandra:\n  keyspace: " << keyspace_ << "\n  table: created_users\n";
  }

  void TearDown() override {
    children_.clear();  // kills and reaps whatever is still running
    if (!keyspace_.empty() && !bin_.empty()) cql_execute(host_, port_, "DROP KEYSPACE IF EXISTS " + keyspace_);
  }

  // Starts `rdstream <args...>` as a child process, owned by the test (killed at TearDown).
  Child& start(const std::string& label, std::vector<std::string> args) {
    args.insert(args.begin(), bin_);
    return start_program(label, std::move(args));
  }
  // Any program, likewise.
  Child& start_program(const std::string& label, const std::vector<std::string>& argv) {
    children_.push_back(std::make_unique<Child>(argv, dir_.path(), label + "-" + std::to_string(children_.size())));
    return *children_.back();
  }

  std::string prefix_;
  std::string kafka_, bin_, host_;
  uint16_t port_ = 0;
  test::TempDir dir_;
  std::string name_, topic_, group_, keyspace_;
  std::filesystem::path config_;
  std::vector<std::unique_ptr<Child>> children_;
};

}  // namespace rds::e2e
