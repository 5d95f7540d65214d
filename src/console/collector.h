#pragma once
// The console's collector: once per tick (console.refresh_ms) it reads Kafka (the topic, the
// dead-letter topic, the group), Cassandra (the table's writes and size) and the running instances,
// derives rates from the previous tick, appends the history, evaluates the alerts, and keeps the
// latest snapshot as the JSON that GET /api/state serves (README.md). An engine that is down is a
// reading ("up": false, with why), never a reason to stop.
//
// Threads: run() on a thread of its own; the accessors from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cassandra/session.h"
#include "console/alerts.h"
#include "console/cassandra_view.h"
#include "console/history.h"
#include "console/instances.h"
#include "core/result.h"
#include "kafka/inspector.h"
#include "metrics/metrics.h"

namespace rds::console {

struct CollectorConfig {
  std::string bootstrap_servers;
  std::string topic;
  std::string group;
  std::string dlq_topic;
  std::string keyspace;
  std::string table;
  std::vector<std::string> instances;  // console.instances
  std::chrono::milliseconds refresh{1'000};
  std::size_t history_points = 900;
  AlertRules rules;
  int count_ranges = 256;
  int count_parallelism = 4;
  std::vector<std::filesystem::path> kafka_log_dirs;
};

class Collector {
 public:
  using SessionFactory = std::function<Result<std::shared_ptr<cassandra::Session>>()>;
  // `metrics` (the console's own) must outlive the collector.
  Collector(CollectorConfig config, kafka::Inspector& inspector, SessionFactory connect, metrics::Metrics& metrics);
  ~Collector();  // stop()

  void start();  // the ticking thread; the first tick runs before start() returns
  void stop();

  nlohmann::json state() const;
  nlohmann::json history() const;
  // POST /api/cassandra/count
  Status start_exact_count();

  // One tick (run() calls it; tests may too).
  void tick();

 private:
  struct Previous;
  nlohmann::json cassandra_part(int64_t now_ms, double dt, std::vector<AlertInputs::Engine>& engines,
                                std::map<std::string, std::optional<double>>& series);
  std::optional<int64_t> partition_bytes(const std::string& topic, int32_t partition) const;

  CollectorConfig config_;
  kafka::Inspector& inspector_;
  SessionFactory connect_;
  metrics::Metrics& metrics_;
  Instances instances_;
  Alerts alerts_;
  std::unique_ptr<Previous> previous_;

  std::shared_ptr<cassandra::Session> session_;  // the tick thread's
  std::unique_ptr<CassandraView> cassandra_;
  std::chrono::steady_clock::time_point next_connect_{};
  std::string connect_error_;

  mutable std::mutex mutex_;  // guards state_, history_ and cassandra_ against the HTTP threads
  nlohmann::json state_;
  History history_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rds::console
