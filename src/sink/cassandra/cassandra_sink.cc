#include "sink/cassandra/cassandra_sink.h"

#include <fmt/format.h>

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
  return retry_backoff.validate(fmt::format("{}.retry_backoff", path));
}

// Shared by the sink and its in-flight rows; outlives neither the sink's close() nor them.
struct CassandraSink::State {
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;  // rows accepted and not yet reported
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

// Reports a row's outcome, then frees its slot (so drain() returns only after every callback ran).
void finish_row(const Context& ctx, const RowTask& task, const RowOutcome& outcome) {
  if (!outcome.status.ok()) ctx.probe->row_failed();
  (*task.done)(task.index, outcome);
  ctx.probe->in_flight_add(-1);
  std::lock_guard lock(ctx.state->mutex);
  --ctx.state->in_flight;
  ctx.state->cv.notify_all();
}

// Any thread for the first send; the loop thread for re-sends.
void send_row(const std::shared_ptr<Context>& ctx, const std::shared_ptr<RowTask>& task) {
  ctx->session.execute(task->statement, [ctx, task](cassandra::ExecuteResult r) {
    task->attempts += r.attempts;
    if (r.response.ok()) {
      ctx->probe->row_written(task->bytes, Clock::now() - task->started);
      return finish_row(*ctx, *task, RowOutcome{ok_status(), std::nullopt, task->attempts});
    }
    const Error& error = r.response.error();
    ctx->probe->attempt_failed(error, r.cql_code);
    if (error.retriable && ctx->config.retry_budget.count() > 0 && !ctx->session.closed()) {
      if (!task->backoff) task->backoff.emplace(ctx->config.retry_backoff);
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - task->started);
      const auto decision = task->backoff->on_failure(elapsed);
      if (decision.retry && elapsed + decision.delay <= ctx->config.retry_budget) {
        ctx->probe->row_retried();
        log::debug(kLog, "row {}: retrying in {} ms: {}", task->index, decision.delay.count(), error.message);
        ctx->session.run_after(decision.delay, [ctx, task] { send_row(ctx, task); });
        return;
      }
    }
    finish_row(*ctx, *task, RowOutcome{Status(error), r.cql_code, task->attempts});
  });
}

}  // namespace

CassandraSink::CassandraSink(cassandra::Session& session, CassandraSinkConfig config)
    : session_(session),
      config_(std::move(config)),
      probe_(std::make_shared<CassandraSinkProbe>()),
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
  for (size_t i = 0; i < rows.size(); ++i) {
    {
      std::unique_lock lock(state_->mutex);
      state_->cv.wait(lock, [&] { return state_->closed || state_->in_flight < config_.max_in_flight; });
      if (state_->closed || !prepared_) {
        lock.unlock();
        Error e(ErrorCode::kUnavailable,
                state_->closed ? "the Cassandra sink is closed" : "the Cassandra sink is not started (call start())");
        probe_->row_failed();
        (*callback)(i, RowOutcome{Status(e), std::nullopt, 0});
        continue;
      }
      ++state_->in_flight;
    }
    probe_->in_flight_add(1);
    auto task = std::make_shared<RowTask>();
    task->index = i;
    task->done = callback;
    task->started = Clock::now();
    auto bound = prepared_->bind(rows[i]);
    if (!bound.ok()) {
      Error e = bound.take_error().with_context(fmt::format("row {}", i));
      ctx->probe->attempt_failed(e, std::nullopt);
      finish_row(*ctx, *task, RowOutcome{Status(std::move(e)), std::nullopt, 0});
      continue;
    }
    task->statement = std::move(*bound);
    task->statement.consistency = config_.consistency;
    task->statement.idempotent = config_.idempotent;
    task->statement.timeout = config_.request_timeout;
    for (const auto& v : task->statement.values) task->bytes += v.bytes.size();
    send_row(ctx, task);
  }
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
