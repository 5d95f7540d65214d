#include "sink/cassandra/cassandra_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "core/log.h"

namespace rds::sink {
namespace {

constexpr std::string_view kLog = "sink.cassandra";
using Clock = std::chrono::steady_clock;

}  // namespace

Status CassandraSinkConfig::validate(std::string_view path) const {
  auto bad = [&](std::string_view field, std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: {}", path, field, what));
  };
  if (insert_cql.empty()) return bad("insert_cql", "must be set (an INSERT with one ? per row value)");
  if (max_in_flight < 1 || max_in_flight > 32768) return bad("max_in_flight", "must be between 1 and 32768");
  if (request_timeout.count() < 0) return bad("request_timeout_ms", "must be >= 0 (0 = the session's)");
  if (retry_budget.count() < 0) return bad("retry_budget_ms", "must be >= 0 (0 = no sink-level retries)");
  if (batch_max_rows < 1 || batch_max_rows > 1000) return bad("batch_max_rows", "must be between 1 and 1000 (1 = no batches)");
  if (batch_max_bytes < 1) return bad("batch_max_bytes", "must be >= 1");
  return retry_backoff.validate(fmt::format("{}.retry_backoff", path));
}

// Shared by the sink and its in-flight rows; outlives neither the sink's close() nor them.
struct CassandraSink::State {
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;  // rows accepted and not yet reported
  int held = 0;       // of which rows held by write() calls for a batch, not sent yet
  bool closed = false;
};

namespace {

// What in-flight rows need after write() returned: shared, so a row's callback never touches the
// CassandraSink object itself.
struct Context {
  cassandra::Session& session;
  CassandraSinkConfig config;
  std::shared_ptr<CassandraSinkProbe> probe;
  std::shared_ptr<CassandraSink::State> state;
};

struct RowTask {
  cassandra::Statement statement;
  size_t index = 0;
  std::shared_ptr<RowCallback> done;
  Clock::time_point started;
  int attempts = 0;
  uint64_t bytes = 0;
  std::optional<Backoff> backoff;  // created at the first retriable failure
};

// Hands a row's outcome to the caller's callback. A callback that throws must not leave the row's
// slot taken (drain() and every later write() would wait for it forever), nor unwind through the
// session's loop thread or through write() with rows held for batches: it is logged and counted.
void report(CassandraSinkProbe& probe, const RowCallback& done, size_t index, const RowOutcome& outcome) {
  if (!outcome.status.ok()) probe.row_failed();
  try {
    done(index, outcome);
  } catch (const std::exception& e) {
    probe.callback_threw();
    log::error(kLog, "the callback for row {} threw ({}); the row's outcome ({}) may be lost to the caller", index,
               e.what(), outcome.status.ok() ? "written" : outcome.status.error().message);
  } catch (...) {
    probe.callback_threw();
    log::error(kLog, "the callback for row {} threw a non-standard exception; the row's outcome may be lost", index);
  }
}

// Reports a row's outcome, then frees its slot (so drain() returns only after every callback ran).
void finish_row(const Context& ctx, const RowTask& task, const RowOutcome& outcome) {
  report(*ctx.probe, *task.done, task.index, outcome);
  ctx.probe->in_flight_add(-1);
  std::lock_guard lock(ctx.state->mutex);
  --ctx.state->in_flight;
  ctx.state->cv.notify_all();
}

// How long to wait before the sink re-sends a write whose final error is retriable; nullopt when
// it must not (not retriable, budget spent, session closed).
std::optional<std::chrono::milliseconds> resend_delay(const Context& ctx, std::optional<Backoff>& backoff,
                                                      Clock::time_point started, const Error& error) {
  if (!error.retriable || ctx.config.retry_budget.count() <= 0 || ctx.session.closed()) return std::nullopt;
  if (!backoff) backoff.emplace(ctx.config.retry_backoff);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  const auto decision = backoff->on_failure(elapsed);
  if (!decision.retry || elapsed + decision.delay > ctx.config.retry_budget) return std::nullopt;
  return decision.delay;
}

void row_acknowledged(const Context& ctx, const RowTask& task) {
  ctx.probe->row_written(task.bytes, Clock::now() - task.started);
  finish_row(ctx, task, RowOutcome{ok_status(), std::nullopt, task.attempts});
}

// Any thread for the first send; the loop thread for re-sends.
void send_row(const std::shared_ptr<Context>& ctx, const std::shared_ptr<RowTask>& task) {
  ctx->probe->request_sent(false);
  ctx->session.execute(std::move(task->statement), [ctx, task](cassandra::ExecuteResult r) {
    task->statement = std::move(r.statement);  // lent for the request: a re-send needs it
    task->attempts += r.attempts;
    if (r.response.ok()) return row_acknowledged(*ctx, *task);
    const Error& error = r.response.error();
    ctx->probe->attempt_failed(error, r.cql_code);
    if (auto delay = resend_delay(*ctx, task->backoff, task->started, error)) {
      ctx->probe->row_retried();
      log::debug(kLog, "row {}: retrying in {} ms: {}", task->index, delay->count(), error.message);
      ctx->session.run_after(*delay, [ctx, task] { send_row(ctx, task); });
      return;
    }
    finish_row(*ctx, *task, RowOutcome{Status(error), r.cql_code, task->attempts});
  });
}

// Rows sent as one BATCH; each row's statement is moved into the batch while it is in flight.
struct BatchTask {
  cassandra::Statement statement;
  std::vector<std::shared_ptr<RowTask>> rows;
  Clock::time_point started;
  std::optional<Backoff> backoff;
};

void send_batch(const std::shared_ptr<Context>& ctx, const std::shared_ptr<BatchTask>& batch) {
  ctx->probe->request_sent(true);
  ctx->session.execute(std::move(batch->statement), [ctx, batch](cassandra::ExecuteResult r) {
    batch->statement = std::move(r.statement);
    for (auto& row : batch->rows) row->attempts += r.attempts;
    if (r.response.ok()) {
      for (const auto& row : batch->rows) row_acknowledged(*ctx, *row);
      return;
    }
    const Error& error = r.response.error();
    ctx->probe->attempt_failed(error, r.cql_code);
    if (auto delay = resend_delay(*ctx, batch->backoff, batch->started, error)) {
      for (size_t i = 0; i < batch->rows.size(); ++i) ctx->probe->row_retried();
      log::debug(kLog, "batch of {} rows: retrying in {} ms: {}", batch->rows.size(), delay->count(), error.message);
      ctx->session.run_after(*delay, [ctx, batch] { send_batch(ctx, batch); });
      return;
    }
    // Rejected as invalid as a whole (a bad value in one row, a batch over the server's size
    // limit, or one we could not encode): find out which rows are bad by sending each alone, so
    // the good ones are stored. Other final errors (unauthorized, a server error that may have
    // applied part of the batch) are every row's, as they would be row by row.
    const bool invalid = r.cql_code ? *r.cql_code == cql::CqlErrorCode::kInvalid : error.code == ErrorCode::kInvalidArgument;
    if (invalid && !ctx->session.closed()) {
      assert(batch->statement.batch.size() == batch->rows.size());
      ctx->probe->batch_split();
      log::debug(kLog, "batch of {} rows rejected ({}): sending them one by one", batch->rows.size(), error.message);
      for (size_t i = 0; i < batch->rows.size(); ++i) {
        batch->rows[i]->statement = std::move(batch->statement.batch[i]);
        batch->rows[i]->statement.timestamp = batch->statement.timestamp;  // still the first send's write
        send_row(ctx, batch->rows[i]);
      }
      return;
    }
    for (const auto& row : batch->rows) finish_row(*ctx, *row, RowOutcome{Status(error), r.cql_code, row->attempts});
  });
}

// Rows of one write() call waiting to go out together, by replica group.
struct PendingBatch {
  uint64_t group = 0;
  std::vector<std::shared_ptr<RowTask>> rows;
  uint64_t bytes = 0;
};

void send_pending(const std::shared_ptr<Context>& ctx, PendingBatch& pending) {
  if (pending.rows.size() == 1) {
    send_row(ctx, pending.rows.front());
  } else if (pending.rows.size() > 1) {
    auto batch = std::make_shared<BatchTask>();
    const cassandra::Statement& first = pending.rows.front()->statement;
    batch->statement.consistency = first.consistency;
    batch->statement.idempotent = first.idempotent;
    batch->statement.timeout = first.timeout;
    batch->statement.routing_key = first.routing_key;
    batch->statement.keyspace = first.keyspace;
    batch->statement.batch.reserve(pending.rows.size());
    for (auto& row : pending.rows) batch->statement.batch.push_back(std::move(row->statement));
    batch->rows = std::move(pending.rows);
    batch->started = Clock::now();
    send_batch(ctx, batch);
  }
  pending.rows.clear();
  pending.bytes = 0;
}

}  // namespace

CassandraSink::CassandraSink(cassandra::Session& session, CassandraSinkConfig config, metrics::Metrics* metrics)
    : session_(session),
      config_(std::move(config)),
      probe_(metrics != nullptr ? std::make_shared<CassandraSinkProbe>(*metrics) : std::make_shared<CassandraSinkProbe>()),
      state_(std::make_shared<State>()) {}

CassandraSink::~CassandraSink() { close(); }

Status CassandraSink::start() {
  RDS_TRY(config_.validate());
  auto prepared = session_.prepare(config_.insert_cql);
  if (!prepared.ok()) return prepared.take_error().with_context("starting the Cassandra sink");
  prepared_ = std::move(*prepared);
  log::info(kLog, "ready: \"{}\" ({} values per row, max {} in flight)", config_.insert_cql,
            prepared_->metadata.columns.size(), config_.max_in_flight);
  return ok_status();
}

void CassandraSink::write(std::vector<Row> rows, RowCallback done) {
  auto callback = std::make_shared<RowCallback>(std::move(done));
  auto ctx = std::make_shared<Context>(Context{session_, config_, probe_, state_});
  const auto max_rows = static_cast<size_t>(std::min(config_.batch_max_rows, config_.max_in_flight));
  const auto groups = max_rows > 1 ? session_.replica_groups() : cassandra::ReplicaGroups();
  // The session's current statement: after a schema change it may have been re-prepared with a
  // new id, and rows bound to the old one would each pay an UNPREPARED round trip.
  auto prepared = prepared_;
  if (prepared) {
    if (auto latest = session_.prepare(config_.insert_cql); latest.ok()) prepared = std::move(*latest);
  }
  std::vector<PendingBatch> pending;  // a handful of replica groups at most
  auto send = [&](PendingBatch& p) {
    if (p.rows.empty()) return;
    {
      std::lock_guard lock(state_->mutex);
      state_->held -= static_cast<int>(p.rows.size());
    }
    send_pending(ctx, p);
  };
  auto send_all_pending = [&] {
    for (auto& p : pending) send(p);
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    {
      std::unique_lock lock(state_->mutex);
      auto slot_free = [&] { return state_->closed || state_->in_flight < config_.max_in_flight; };
      // Wait for a slot while rows already sent can free one. Once only rows held for batches
      // (by this or another write() call) hold the slots, nothing would: send ours (partial
      // batches) and wait for those. Every call sends what it holds before it returns.
      state_->cv.wait(lock, [&] { return slot_free() || state_->in_flight <= state_->held; });
      if (!slot_free()) {
        lock.unlock();
        send_all_pending();
        lock.lock();
        state_->cv.wait(lock, slot_free);
      }
      if (state_->closed || !prepared) {
        lock.unlock();
        Error e(ErrorCode::kUnavailable,
                state_->closed ? "the Cassandra sink is closed" : "the Cassandra sink is not started (call start())");
        report(*probe_, *callback, i, RowOutcome{Status(e), std::nullopt, 0});
        continue;
      }
      ++state_->in_flight;
      if (max_rows > 1) ++state_->held;
    }
    probe_->in_flight_add(1);
    auto task = std::make_shared<RowTask>();
    task->index = i;
    task->done = callback;
    task->started = Clock::now();
    auto bound = prepared->bind(rows[i]);
    if (!bound.ok()) {
      Error e = bound.take_error().with_context(fmt::format("row {}", i));
      if (max_rows > 1) {
        std::lock_guard lock(state_->mutex);
        --state_->held;
      }
      ctx->probe->attempt_failed(e, std::nullopt);
      finish_row(*ctx, *task, RowOutcome{Status(std::move(e)), std::nullopt, 0});
      continue;
    }
    task->statement = std::move(*bound);
    task->statement.consistency = config_.consistency;
    task->statement.idempotent = config_.idempotent;
    task->statement.timeout = config_.request_timeout;
    for (const auto& v : task->statement.values) task->bytes += v.bytes.size();
    if (max_rows <= 1) {
      send_row(ctx, task);
      continue;
    }
    // A group's batch goes out before a row would take it over batch_max_bytes, so a row larger
    // than that goes alone (a one-row group is sent as a plain EXECUTE).
    const uint64_t group = task->statement.routing_key ? groups.key(task->statement.keyspace, *task->statement.routing_key) : 0;
    auto it = std::find_if(pending.begin(), pending.end(), [&](const PendingBatch& p) { return p.group == group; });
    if (it == pending.end()) it = pending.insert(pending.end(), PendingBatch{group, {}, 0});
    if (!it->rows.empty() && it->bytes + task->bytes > static_cast<uint64_t>(config_.batch_max_bytes)) send(*it);
    it->bytes += task->bytes;
    it->rows.push_back(std::move(task));
    if (it->rows.size() >= max_rows) send(*it);
  }
  send_all_pending();
}

std::future<BatchOutcome> CassandraSink::write(std::vector<Row> rows) {
  struct Collector {
    std::mutex mutex;
    BatchOutcome outcome;
    size_t remaining = 0;
    std::promise<BatchOutcome> promise;
  };
  auto collector = std::make_shared<Collector>();
  collector->remaining = rows.size();
  auto future = collector->promise.get_future();
  if (rows.empty()) {
    collector->promise.set_value({});
    return future;
  }
  write(std::move(rows), [collector](size_t index, const RowOutcome& outcome) {
    std::lock_guard lock(collector->mutex);
    if (outcome.status.ok()) {
      ++collector->outcome.written;
    } else {
      collector->outcome.failures.emplace_back(index, outcome);
    }
    if (--collector->remaining == 0) collector->promise.set_value(std::move(collector->outcome));
  });
  return future;
}

Status CassandraSink::drain(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  if (!state_->cv.wait_for(lock, timeout, [&] { return state_->in_flight == 0; })) {
    return Error(ErrorCode::kTimeout,
                 fmt::format("Cassandra sink: {} rows still in flight after {} ms", state_->in_flight, timeout.count()), true);
  }
  return ok_status();
}

void CassandraSink::close(std::chrono::milliseconds drain_timeout) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) return;
    state_->closed = true;
    state_->cv.notify_all();
  }
  if (auto status = drain(drain_timeout); !status.ok()) log::warn(kLog, "closing: {}", status.error().message);
}

}  // namespace rds::sink
