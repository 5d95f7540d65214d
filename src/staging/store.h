#pragma once
// The staging outbox in PostgreSQL (libpq): the schema made and migrated on open, pages of fetched
// users written one transaction each, pending rows read in order for the relay, rows marked
// delivered in batches, a run's rows read back for replay, and delivered rows deleted by age in
// bounded batches. The SQL is staging/sql.h.
//
// Errors: PostgreSQL unreachable or the connection lost is kUnavailable (retriable: the caller
// backs off and calls again; the store reconnects); a statement PostgreSQL refuses is kInternal
// with its message.
//
// Not thread-safe: one connection, one caller thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "staging/sql.h"

namespace rds::staging {

struct StoreConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 5432;
  std::string database = "rdstream";
  std::string user = "rdstream";
  std::string password;  // from the environment or a file, never a flag
  std::string schema = std::string(kDefaultSchema);
  std::chrono::milliseconds connect_timeout{10'000};

  Status validate(std::string_view path = "staging") const;
};

// A fetched user as staged.
struct StagedRow {
  std::string run_id;
  std::chrono::system_clock::time_point fetched_at;
  std::string user_id;      // a UUID: the record's id and Kafka key
  std::string record_json;  // the mapped record (mapping::to_json)
  std::optional<std::string> raw;  // the API's user JSON
};

// A staged row read back.
struct StoredRow {
  int64_t seq = 0;
  std::string user_id;
  std::string record_json;
};

class Store {
 public:
  // Connects and brings the schema to the latest migration (each applied once, in order, under an
  // advisory lock so that two ingests starting together do not race).
  static Result<std::unique_ptr<Store>> open(const StoreConfig& config);
  ~Store();

  // The outbox is one ingest's at a time: the relay reads every pending row, so two ingests on it
  // would each produce (and race to mark) the other's rows. A session lock on this connection,
  // held until it closes (PostgreSQL releases it if the process dies); false when another
  // session holds it. A lost connection loses the lock too: keep this store for the lock alone.
  Result<bool> try_lock_outbox();
  // One transaction for the page: every row or none. Their seqs, in the rows' order.
  Result<std::vector<int64_t>> stage(const std::vector<StagedRow>& rows);
  // Pending rows with seq > `after`, oldest first, at most `limit`.
  Result<std::vector<StoredRow>> pending(int64_t after, std::size_t limit);
  // Marks them delivered (pending ones; marking twice is harmless). Returns how many changed.
  Result<std::size_t> mark_delivered(const std::vector<int64_t>& seqs);
  // Sets a pending row aside (DeliveryState::kSetAside) with the reason; false if it was not pending.
  Result<bool> set_aside(int64_t seq, const std::string& reason);
  // Deletes up to `limit` rows delivered more than `older_than` ago; how many.
  Result<std::size_t> delete_delivered(std::chrono::seconds older_than, std::size_t limit);
  // Replay: a run's rows, or rows fetched since a time (ISO-8601), seq > `after`, at most `limit`.
  Result<std::vector<StoredRow>> run_rows(const std::string& run_id, int64_t after, std::size_t limit);
  Result<std::vector<StoredRow>> rows_since(const std::string& since, int64_t after, std::size_t limit);
  // Rows by delivery state.
  Result<std::map<DeliveryState, int64_t>> counts();
  int schema_version() const { return schema_version_; }
  const std::string& schema() const;

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int schema_version_ = 0;
};

// "2026-12-05T17:00:00.123456Z"
std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace rds::staging
