#pragma once
// What the console shows of the table: its columns, Cassandra's own count of the rows written to
// it (system_views.local_write_latency: one per row applied, whoever writes; the coordinator's
// count would be one per batch), its
// estimated row count (system.size_estimates), and an exact count on demand. `SELECT count(*)`
// over a million rows times out on a small machine, so the exact count splits the Murmur3 token
// range into slices and counts them a few at a time, as Spark's connector does.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cassandra/session.h"
#include "core/result.h"

namespace rds::console {

struct ColumnInfo {
  std::string name;
  std::string type;
  std::string kind;  // partition_key, clustering, regular, static
};

struct ExactCount {
  enum class State { kIdle, kRunning, kDone, kFailed };
  State state = State::kIdle;
  std::optional<int64_t> rows;  // when done
  int64_t rows_so_far = 0;
  int ranges_done = 0;
  int ranges_total = 0;
  std::optional<int64_t> started_ms;
  std::optional<int64_t> elapsed_ms;
  std::string error;  // when failed
};
std::string_view to_string(ExactCount::State state);

// [begin, end] token slices covering the Murmur3 ring, `n` of them, equal but for the last.
std::vector<std::pair<int64_t, int64_t>> token_slices(int n);

class CassandraView {
 public:
  CassandraView(std::shared_ptr<cassandra::Session> session, std::string keyspace, std::string table,
                int count_ranges, int count_parallelism);
  ~CassandraView();  // waits for a count in progress to stop
  CassandraView(const CassandraView&) = delete;
  CassandraView& operator=(const CassandraView&) = delete;

  const std::string& keyspace() const { return keyspace_; }
  const std::string& table() const { return table_; }
  Result<std::vector<ColumnInfo>> columns();
  // Rows the node applied to the table since it started. Virtual tables are per node: on a cluster
  // this is the answering node's share (times the replication factor), not the table's.
  Result<std::optional<int64_t>> write_count();
  // Cassandra's estimate (refreshed by the engine every few minutes; 0 for a fresh table).
  Result<std::optional<int64_t>> estimated_rows();
  // Starts an exact count in the background; kInvalidArgument while one runs.
  Status start_exact_count(int64_t now_ms);
  ExactCount exact_count() const;

 private:
  void count(std::string partition_key, std::vector<std::pair<int64_t, int64_t>> slices, int64_t started_ms);

  std::shared_ptr<cassandra::Session> session_;
  std::string keyspace_, table_;
  int count_ranges_, count_parallelism_;
  mutable std::mutex mutex_;
  ExactCount count_;
  std::atomic<bool> stopping_{false};
  std::thread counter_;
};

}  // namespace rds::console
