#pragma once
// CassandraSink: writes rows (ordered values bound to one prepared INSERT) with asynchronous
// EXECUTEs, at most max_in_flight at a time, and reports the outcome of every row, so that the
// pipeline acknowledges (commits Kafka offsets) only what Cassandra accepted.
//
//   CassandraSink sink(session, {.insert_cql = "INSERT INTO ks.users (id, name) VALUES (?, ?)"});
//   RDS_TRY(sink.start());                                   // prepares the INSERT
//   sink.write(std::move(rows), [](size_t i, const RowOutcome& o) { ... });
//   sink.drain(std::chrono::seconds(30));
//
// Rows that share their replicas are grouped into unlogged BATCHes (see batch_max_rows): each row
// still gets its own outcome.
//
// Failures: the session's RetryPolicy already retried what it could per request; on top of that
// the sink re-sends a row whose final error is retriable (e.g. Cassandra restarting: "no host
// available") with backoff until retry_budget is spent, and only then reports it failed, with the
// rds::Error (retriable flag) and the CQL error code.
//
// Thread: write() may be called from any thread except the session's loop thread (it blocks
// while the in-flight limit is reached, and the loop is what frees slots). Callbacks run on the
// session's loop thread, once per row, in any order: keep them short, do not call write() or
// drain() from them.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cassandra/session.h"
#include "core/backoff.h"
#include "core/result.h"
#include "cql/codec.h"
#include "sink/cassandra/cassandra_sink_probe.h"

namespace rds::sink {

struct CassandraSinkConfig {
  static constexpr int kDefaultMaxInFlight = 1024;
  static constexpr std::chrono::milliseconds kDefaultRetryBudget{120000};

  std::string insert_cql;  // one prepared statement with a bind marker per row value
  cql::Consistency consistency = cql::Consistency::kLocalQuorum;
  int max_in_flight = kDefaultMaxInFlight;  // rows with an EXECUTE outstanding, 1..32768
  // An INSERT of given values is idempotent (replaying it writes the same cells), which lets the
  // retry policy retry write timeouts. Set false for statements with counters, list appends, now().
  bool idempotent = true;
  std::chrono::milliseconds request_timeout{0};  // 0 = the session's
  // Sink-level re-sends of rows whose final error is retriable; 0 = report at once.
  std::chrono::milliseconds retry_budget = kDefaultRetryBudget;
  BackoffConfig retry_backoff{std::chrono::milliseconds(200), std::chrono::milliseconds(5000), 2.0,
                              Jitter::kFull, 0, std::chrono::milliseconds(0)};
  // Rows of one write() call that share their replicas go as one unlogged BATCH of at most
  // batch_max_rows rows and batch_max_bytes of bound values: one request instead of many costs
  // Cassandra (and us) far less per row. Nothing waits for a batch to fill. A batch Cassandra
  // rejects as invalid is re-sent row by row, so each row gets its own outcome. Cassandra warns
  // above 10 partitions per unlogged batch (unlogged_batch_across_partitions_warn_threshold) and
  // above 5 KiB of mutation (batch_size_warn_threshold; values plus per-cell overhead), hence
  // the defaults. 1 = every row its own EXECUTE.
  static constexpr int kDefaultBatchMaxRows = 10;
  static constexpr int kDefaultBatchMaxBytes = 3072;
  int batch_max_rows = kDefaultBatchMaxRows;    // 1..1000
  int batch_max_bytes = kDefaultBatchMaxBytes;  // >= 1; a row larger than this goes alone

  // Errors name the field: "sink.cassandra.max_in_flight: must be between 1 and 32768".
  Status validate(std::string_view path = "sink.cassandra") const;
};

using Row = std::vector<cql::Value>;

struct RowOutcome {
  Status status;                               // ok: Cassandra acknowledged the write
  std::optional<cql::CqlErrorCode> cql_code;   // the server's error code, if it sent one
  int attempts = 0;                            // EXECUTEs sent for this row, retries included
};
using RowCallback = std::function<void(size_t index, const RowOutcome& outcome)>;

struct BatchOutcome {
  size_t written = 0;
  std::vector<std::pair<size_t, RowOutcome>> failures;  // by row index in the batch
};

class CassandraSink {
 public:
  // Counts into `metrics` (stage "process") when given, which must outlive the sink.
  CassandraSink(cassandra::Session& session, CassandraSinkConfig config, metrics::Metrics* metrics = nullptr);
  ~CassandraSink();  // close()
  CassandraSink(const CassandraSink&) = delete;
  CassandraSink& operator=(const CassandraSink&) = delete;

  // Validates the config and prepares the INSERT (blocking).
  Status start();

  // Sends every row; blocks while max_in_flight rows are outstanding. `done` runs once per row
  // on the session's loop thread (see the header comment), except for rows that never reach the
  // session: rows that cannot be bound (wrong number or types of values: kInvalidArgument) and
  // rows written after close() (kUnavailable) are reported at once on the calling thread.
  // `done` should not throw: if it does, the sink logs the exception, counts it
  // (Snapshot::callback_errors) and still frees the row's slot.
  void write(std::vector<Row> rows, RowCallback done);
  // The same with one future for the whole batch.
  std::future<BatchOutcome> write(std::vector<Row> rows);

  // Waits until no row is in flight. kTimeout if some still are after `timeout`.
  Status drain(std::chrono::milliseconds timeout);
  // Stops accepting rows (later writes fail with kUnavailable) and drains. Idempotent.
  void close(std::chrono::milliseconds drain_timeout = std::chrono::seconds(30));

  const CassandraSinkProbe& probe() const { return *probe_; }
  const CassandraSinkConfig& config() const { return config_; }

  struct State;  // shared with in-flight callbacks

 private:
  cassandra::Session& session_;
  CassandraSinkConfig config_;
  std::shared_ptr<CassandraSinkProbe> probe_;
  std::shared_ptr<State> state_;
  std::shared_ptr<const cassandra::PreparedStatement> prepared_;
};

}  // namespace rds::sink
