#include "cassandra/session.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <condition_variable>
#include <future>
#include <set>
#include <thread>
#include <unordered_set>

#include "cassandra/connection.h"
#include "cassandra/event_loop.h"
#include "cassandra/internal.h"
#include "cassandra/murmur3.h"
#include "cassandra/token_ring.h"
#include "core/log.h"

namespace rds::cassandra {
namespace {

using internal::frame_options;
using internal::kLog;
using std::chrono::milliseconds;

Error session_closed() { return Error(ErrorCode::kUnavailable, "the CQL session is closed", true); }

// Column lookup in a rows result by name (system tables differ between versions).
std::optional<size_t> column(const cql::RowsResult& rows, std::string_view name) {
  for (size_t c = 0; c < rows.metadata.columns.size(); ++c) {
    if (rows.metadata.columns[c].name == name) return c;
  }
  return std::nullopt;
}

std::optional<cql::Value> cell(const cql::RowsResult& rows, size_t row, std::string_view name) {
  auto c = column(rows, name);
  if (!c) return std::nullopt;
  auto v = rows.value(row, *c);
  if (!v.ok() || v->is_null()) return std::nullopt;
  return std::move(*v);
}

std::string text_of(const std::optional<cql::Value>& v) {
  if (!v) return {};
  if (const auto* s = v->get_if<std::string>()) return *s;
  if (const auto* i = v->get_if<cql::Inet>()) return i->to_string();
  if (const auto* u = v->get_if<cql::Uuid>()) return u->to_string();
  return {};
}

std::vector<Token> tokens_of(const std::optional<cql::Value>& v) {
  std::vector<Token> out;
  if (!v) return out;
  const std::vector<cql::Value>* items = nullptr;
  if (const auto* set = v->get_if<cql::Set>()) items = &set->items;
  if (const auto* list = v->get_if<cql::List>()) items = &list->items;
  if (!items) return out;
  for (const auto& item : *items) {
    const auto* s = item.get_if<std::string>();
    if (!s) continue;
    Token t = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), t);
    (void)ptr;
    if (ec == std::errc()) out.push_back(t);
  }
  return out;
}

std::map<std::string, std::string> text_map_of(const std::optional<cql::Value>& v) {
  std::map<std::string, std::string> out;
  if (!v) return out;
  if (const auto* m = v->get_if<cql::Map>()) {
    for (const auto& [key, value] : m->entries) {
      const auto* k = key.get_if<std::string>();
      const auto* val = value.get_if<std::string>();
      if (k && val) out[*k] = *val;
    }
  }
  return out;
}

// The replicas of a partition key under a keyspace's replication (SimpleStrategy RF 1 when the
// keyspace is unknown), primary first; empty while the ring is.
std::vector<HostIndex> replicas_of(const TokenRing& ring, const std::map<std::string, ReplicationStrategy>& keyspaces,
                                   const std::string& keyspace, const cql::Bytes& key) {
  static const ReplicationStrategy kUnknownKeyspace;
  if (ring.empty()) return {};
  auto it = keyspaces.find(keyspace);
  return ring.replicas(murmur3_token(key), it == keyspaces.end() ? kUnknownKeyspace : it->second);
}

const cql::RowsResult* rows_of(const ExecuteResult& r) {
  if (!r.response.ok()) return nullptr;
  return std::get_if<cql::RowsResult>(&r.response->message);
}

}  // namespace

// ---- config / prepared ---------------------------------------------------------------------------

Status SessionConfig::validate(std::string_view path) const {
  auto bad = [&](std::string_view field, std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: {}", path, field, what));
  };
  if (contact_points.empty()) return bad("contact_points", "must list at least one host");
  if (port == 0) return bad("port", "must be between 1 and 65535");
  if (connections_per_host < 1 || connections_per_host > 64) return bad("connections_per_host", "must be between 1 and 64");
  if (connect_timeout.count() <= 0) return bad("connect_timeout_ms", "must be > 0");
  if (request_timeout.count() <= 0) return bad("request_timeout_ms", "must be > 0");
  if (heartbeat_interval.count() < 0) return bad("heartbeat_interval_ms", "must be >= 0 (0 = off)");
  if (heartbeat_timeout.count() <= 0) return bad("heartbeat_timeout_ms", "must be > 0");
  RDS_TRY(reconnect.validate(fmt::format("{}.reconnect", path)));
  return retry.validate(fmt::format("{}.retry", path));
}

Result<Statement> PreparedStatement::bind(const std::vector<cql::Value>& values) const {
  if (values.size() != metadata.columns.size()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("binding \"{}\": expected {} values, got {}", query,
                                                          metadata.columns.size(), values.size()));
  }
  Statement s;
  s.prepared = shared_from_this();
  s.keyspace = keyspace;
  s.values.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    auto bound = cql::encode_bound(values[i], metadata.columns[i].type);
    if (!bound.ok()) {
      return bound.take_error().with_context(fmt::format("binding value {} ({} {})", i, metadata.columns[i].name,
                                                         metadata.columns[i].type.to_cql()));
    }
    s.values.push_back(std::move(*bound));
  }
  if (!metadata.pk_indices.empty()) {
    std::vector<std::vector<uint8_t>> components;
    bool complete = true;
    for (uint16_t index : metadata.pk_indices) {
      if (index >= s.values.size() || s.values[index].kind != cql::BoundValue::Kind::kBytes) {
        complete = false;
        break;
      }
      components.push_back(s.values[index].bytes);
    }
    if (complete) s.routing_key = composite_routing_key(components);
  }
  return s;
}

// ---- Impl ----------------------------------------------------------------------------------------

class Session::Impl {
 public:
  explicit Impl(SessionConfig config) : config_(std::move(config)), retry_(config_.retry) {}

  struct Host {
    std::string address;
    uint16_t port = 0;
    std::string data_center;
    std::vector<Token> tokens;
    std::vector<std::shared_ptr<Connection>> ready;
    std::vector<std::shared_ptr<Connection>> connecting;
    Backoff backoff;
    EventLoop::TimerId reconnect_timer = 0;
    std::string endpoint() const { return fmt::format("{}:{}", address, port); }
    explicit Host(const BackoffConfig& b) : backoff(b) {}
  };

  struct Request {
    Statement statement;
    cql::Bytes frame;
    ExecuteCallback callback;
    std::optional<size_t> target;  // metadata queries go to one host
    std::vector<size_t> plan;
    size_t plan_pos = 0;
    int attempt = 0;
    std::string coordinator;
    bool done = false;
  };
  using RequestPtr = std::shared_ptr<Request>;

  // Startup rendezvous between connect() and the loop.
  struct Startup {
    std::mutex mutex;
    std::condition_variable cv;
    int pending = 0;
    bool any_ready = false;
    std::optional<Error> auth_error;
    std::optional<Error> last_error;
  };

  SessionConfig config_;
  EventLoop loop_;
  RetryPolicy retry_;
  SessionProbe probe_;
  std::atomic<bool> closed_{false};
  std::shared_ptr<Startup> startup_ = std::make_shared<Startup>();

  // Loop thread only.
  std::vector<std::unique_ptr<Host>> hosts_;
  TokenRing ring_;
  std::map<std::string, ReplicationStrategy> keyspaces_;
  size_t round_robin_ = 0;
  std::unordered_set<RequestPtr> active_;
  bool warned_once_ = false;
  std::chrono::steady_clock::time_point last_warning_log_;

  std::mutex prepared_mutex_;
  std::map<std::string, std::shared_ptr<const PreparedStatement>> prepared_;

  // run_after() tasks not run yet, by id: close() runs those whose time has not come.
  std::mutex after_mutex_;
  std::map<uint64_t, std::function<void()>> after_;
  uint64_t next_after_ = 0;

  // A copy of ring_ and keyspaces_ for other threads (ReplicaGroups), replaced on each refresh.
  mutable std::mutex routing_mutex_;
  std::shared_ptr<const ReplicaGroups::Routing> routing_;

  // Runs fn on the loop thread and waits for its result (not from the loop thread).
  template <typename F>
  auto on_loop(F fn) -> decltype(fn()) {
    assert(!loop_.in_loop_thread());
    std::promise<decltype(fn())> promise;
    auto future = promise.get_future();
    auto run = [&] {
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        promise.set_value();
      } else {
        promise.set_value(fn());
      }
    };
    // After the loop stopped nothing else touches the loop-thread state: run it here.
    if (!loop_.post(run)) run();
    return future.get();
  }

  // ---- pools (loop thread) ----

  size_t add_host(const std::string& address, uint16_t port) {
    for (size_t h = 0; h < hosts_.size(); ++h) {
      if (hosts_[h]->address == address && hosts_[h]->port == port) return h;
    }
    auto host = std::make_unique<Host>(config_.reconnect);
    host->address = address;
    host->port = port;
    hosts_.push_back(std::move(host));
    const size_t index = hosts_.size() - 1;
    log::info(kLog, "adding host {}", hosts_[index]->endpoint());
    open_connections(index);
    return index;
  }

  void open_connections(size_t h) {
    Host& host = *hosts_[h];
    // A fixed count, and stop at the first failure: a connect that fails synchronously (name
    // resolution) must not spin here; the reconnect timer will try again.
    const int missing = config_.connections_per_host - static_cast<int>(host.ready.size() + host.connecting.size());
    for (int i = 0; i < missing && !closed_ && host.reconnect_timer == 0; ++i) {
      ConnectionConfig cc;
      cc.host = host.address;
      cc.port = host.port;
      cc.credentials = config_.credentials;
      cc.compression = config_.compression;
      cc.connect_timeout = config_.connect_timeout;
      cc.heartbeat_interval = config_.heartbeat_interval;
      cc.heartbeat_timeout = config_.heartbeat_timeout;
      auto conn = Connection::create(
          loop_, cc, [this, h](Connection& c, Status s) { on_connection_ready(h, c, std::move(s)); },
          [this, h](Connection& c, const Error& e) { on_connection_closed(h, c, e); });
      host.connecting.push_back(conn);
      conn->connect();  // may call on_connection_ready at once (e.g. refused)
    }
  }

  static std::shared_ptr<Connection> take(std::vector<std::shared_ptr<Connection>>& list, Connection& c) {
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.get() == &c; });
    if (it == list.end()) return nullptr;
    auto out = *it;
    list.erase(it);
    return out;
  }

  void on_connection_ready(size_t h, Connection& c, Status status) {
    Host& host = *hosts_[h];
    auto conn = take(host.connecting, c);
    if (status.ok()) {
      probe_.connection_opened();
    } else if (!closed_) {
      probe_.connection_failed();
    }
    if (status.ok() && !closed_) {
      if (host.ready.empty()) log::info(kLog, "host {} is up", host.endpoint());
      host.ready.push_back(conn);
      host.backoff.reset();
    } else if (!status.ok() && !closed_) {
      log::warn(kLog, "connecting to {}: {}", host.endpoint(), status.error().message);
      schedule_reconnect(h);
    }
    std::lock_guard lock(startup_->mutex);
    if (startup_->pending > 0) --startup_->pending;
    if (status.ok()) {
      startup_->any_ready = true;
    } else if (status.error().code == ErrorCode::kAuth) {
      startup_->auth_error = status.error();
    } else {
      startup_->last_error = status.error();
    }
    startup_->cv.notify_all();
  }

  void on_connection_closed(size_t h, Connection& c, const Error& error) {
    Host& host = *hosts_[h];
    auto conn = take(host.ready, c);
    if (!closed_) probe_.connection_closed();
    if (host.ready.empty() && !closed_) log::warn(kLog, "host {} is down: {}", host.endpoint(), error.message);
    schedule_reconnect(h);
  }

  void schedule_reconnect(size_t h) {
    Host& host = *hosts_[h];
    if (closed_ || host.reconnect_timer != 0) return;
    const auto decision = host.backoff.on_failure(milliseconds(0));
    const auto delay = decision.retry ? decision.delay : config_.reconnect.max_delay;
    host.reconnect_timer = loop_.add_timer(delay, [this, h] {
      hosts_[h]->reconnect_timer = 0;
      open_connections(h);
    });
  }

  std::shared_ptr<Connection> pick_connection(Host& host) {
    std::shared_ptr<Connection> best;
    for (auto& c : host.ready) {
      if (!c->is_ready() || c->available_streams() == 0) continue;
      if (!best || c->in_flight() < best->in_flight()) best = c;
    }
    return best;
  }

  // ---- routing (loop thread) ----

  std::vector<size_t> replica_hosts(const std::string& keyspace, const cql::Bytes& key) const {
    return replicas_of(ring_, keyspaces_, keyspace, key);
  }

  std::vector<size_t> query_plan(const Request& r) {
    if (r.target) return {*r.target};
    std::vector<size_t> plan;
    const size_t n = hosts_.size();
    if (n == 0) return plan;
    const size_t start = round_robin_++;
    if (config_.token_aware && r.statement.routing_key) {
      auto replicas = replica_hosts(r.statement.keyspace, *r.statement.routing_key);
      // Spread load over the replicas; all of them come before non-replicas.
      if (!replicas.empty()) std::rotate(replicas.begin(), replicas.begin() + static_cast<std::ptrdiff_t>(start % replicas.size()), replicas.end());
      plan = std::move(replicas);
    }
    for (size_t i = 0; i < n; ++i) {
      const size_t h = (start + i) % n;
      if (std::find(plan.begin(), plan.end(), h) == plan.end()) plan.push_back(h);
    }
    return plan;
  }

  // ---- requests ----

  // The values are lent to the request while it is encoded and given back (a re-prepare encodes
  // again): copying them would cost an allocation per value of every row written.
  Result<cql::Bytes> encode(Statement& s) const {
    if (!s.batch.empty()) return encode_batch(s);
    cql::QueryParameters params;
    params.consistency = s.consistency.value_or(config_.default_consistency);
    params.values = std::move(s.values);
    params.page_size = s.page_size;
    const cql::FrameOptions options = frame_options(config_.compression);
    if (s.prepared) {
      cql::ExecuteRequest request{s.prepared->id, std::move(params)};
      auto frame = cql::encode_execute(0, request, options);
      s.values = std::move(request.params.values);
      return frame;
    }
    cql::QueryRequest request{s.query, std::move(params)};
    auto frame = cql::encode_query(0, request, options);
    s.values = std::move(request.params.values);
    return frame;
  }

  Result<cql::Bytes> encode_batch(Statement& s) const {
    cql::BatchRequest request;
    request.type = s.batch_type;
    request.consistency = s.consistency.value_or(config_.default_consistency);
    request.statements.reserve(s.batch.size());
    for (auto& member : s.batch) {
      if (member.prepared) {
        request.statements.push_back(cql::BatchStatement::of_prepared(member.prepared->id, std::move(member.values)));
      } else {
        request.statements.push_back(cql::BatchStatement::of_query(member.query, std::move(member.values)));
      }
    }
    auto frame = cql::encode_batch(0, request, frame_options(config_.compression));
    for (size_t i = 0; i < s.batch.size(); ++i) s.batch[i].values = std::move(request.statements[i].values);
    return frame;
  }

  // The prepared statement an UNPREPARED answer is about: the statement's own, or the batch
  // member's whose id the server named (the first prepared member if it named none we know).
  static std::shared_ptr<const PreparedStatement> unprepared_statement(const Statement& s, const cql::ErrorMessage& error) {
    if (s.batch.empty()) return s.prepared;
    const auto* details = std::get_if<cql::UnpreparedError>(&error.details);
    std::shared_ptr<const PreparedStatement> first;
    for (const auto& member : s.batch) {
      if (!member.prepared) continue;
      if (details && member.prepared->id == details->id) return member.prepared;
      if (!first) first = member.prepared;
    }
    return first;
  }

  // Any thread.
  void execute(Statement statement, ExecuteCallback callback, std::optional<size_t> target = std::nullopt) {
    if (closed_) {
      callback(ExecuteResult{Result<cql::Response>(session_closed()), std::nullopt, 0, {}, std::move(statement)});
      return;
    }
    auto request = std::make_shared<Request>();
    auto frame = encode(statement);
    request->statement = std::move(statement);
    request->callback = std::move(callback);
    request->target = target;
    if (!frame.ok()) {
      Error e = frame.take_error().with_context("encoding the request");
      if (!loop_.post([this, request, e] { finish(request, Result<cql::Response>(e), std::nullopt); })) {
        request->callback(ExecuteResult{Result<cql::Response>(e), std::nullopt, 0, {}, std::move(request->statement)});
      }
      return;
    }
    request->frame = std::move(*frame);
    start(request);
  }

  // Any thread. If the loop already stopped (close() raced with us), fail here and now.
  void start(const RequestPtr& request) {
    probe_.requests_started();
    const bool posted = loop_.post([this, request] {
      active_.insert(request);
      request->plan = query_plan(*request);
      attempt(request);
    });
    if (!posted) {
      auto callback = std::move(request->callback);
      callback(ExecuteResult{Result<cql::Response>(session_closed()), std::nullopt, 0, {}, std::move(request->statement)});
    }
  }

  void finish(const RequestPtr& r, Result<cql::Response> response, std::optional<cql::CqlErrorCode> code) {
    if (r->done) return;
    r->done = true;
    if (response.ok() && !response->warnings.empty()) server_warned(*r, response->warnings);
    active_.erase(r);
    auto callback = std::move(r->callback);
    callback(ExecuteResult{std::move(response), code, r->attempt, r->coordinator, std::move(r->statement)});
  }

  void attempt(const RequestPtr& r) {
    if (r->done) return;
    if (closed_) return finish(r, Result<cql::Response>(session_closed()), std::nullopt);
    ++r->attempt;
    const milliseconds timeout = r->statement.timeout.count() > 0 ? r->statement.timeout : config_.request_timeout;
    for (; r->plan_pos < r->plan.size(); ++r->plan_pos) {
      const size_t h = r->plan[r->plan_pos];
      Host& host = *hosts_[h];
      auto conn = pick_connection(host);
      if (!conn) continue;
      r->coordinator = host.endpoint();
      std::weak_ptr<Connection> weak = conn;
      if (conn->send(r->frame, timeout, [this, r, h, weak](Reply reply) { on_reply(r, h, weak, std::move(reply)); })) {
        return;
      }
    }
    std::string tried;
    for (size_t h : r->plan) tried += (tried.empty() ? "" : ", ") + hosts_[h]->endpoint();
    probe_.no_host();
    Error e(ErrorCode::kUnavailable, fmt::format("no Cassandra host available (tried: {})", tried.empty() ? "none known" : tried), true);
    on_failure(r, RequestFailure::no_host(), std::move(e), std::nullopt);
  }

  void on_reply(const RequestPtr& r, size_t h, const std::weak_ptr<Connection>& conn, Reply reply) {
    if (r->done) return;
    if (!reply.response.ok()) {
      if (reply.failure.kind == RequestFailure::Kind::kClientTimeout) probe_.client_timeout();
      if (reply.failure.kind == RequestFailure::Kind::kConnectionLost) probe_.connection_loss();
      return on_failure(r, reply.failure, reply.response.take_error(), std::nullopt);
    }
    if (const auto* error = std::get_if<cql::ErrorMessage>(&reply.response->message)) {
      Error e = error->to_error().with_context(r->coordinator);
      if (error->code == cql::CqlErrorCode::kUnprepared) {
        if (auto statement = unprepared_statement(r->statement, *error)) {
          const auto decision = retry_.decide(RequestFailure::server(error->code), r->attempt, r->statement.idempotent);
          if (decision.action == RetryAction::kFail) return finish(r, Result<cql::Response>(std::move(e)), error->code);
          return reprepare(r, h, conn, std::move(statement));
        }
      }
      return on_failure(r, RequestFailure::server(error->code), std::move(e), error->code);
    }
    finish(r, std::move(reply.response), std::nullopt);
  }

  void on_failure(const RequestPtr& r, const RequestFailure& failure, Error error, std::optional<cql::CqlErrorCode> code) {
    const auto decision = retry_.decide(failure, r->attempt, r->statement.idempotent);
    if (decision.action == RetryAction::kFail || closed_) {
      return finish(r, Result<cql::Response>(std::move(error)), code);
    }
    probe_.retry();
    log::debug(kLog, "retrying ({}, attempt {}): {}: {}", to_string(decision.action), r->attempt, decision.reason, error.message);
    if (decision.action == RetryAction::kRetryNextHost) {
      ++r->plan_pos;
      // Wrap around: with a single host, "next host" is the same one after the backoff.
      if (r->plan_pos >= r->plan.size()) {
        r->plan = query_plan(*r);
        r->plan_pos = 0;
      }
    }
    if (decision.delay.count() == 0) return attempt(r);
    loop_.add_timer(decision.delay, [this, r] { attempt(r); });
  }

  // Cassandra's warnings (a batch over batch_size_warn_threshold, a query near a tombstone
  // limit) would otherwise only reach its own log: logged here too, at most once a minute, and
  // counted.
  void server_warned(const Request& r, const std::vector<std::string>& warnings) {
    probe_.server_warning();
    const auto now = std::chrono::steady_clock::now();
    if (warned_once_ && now - last_warning_log_ < std::chrono::minutes(1)) return;
    warned_once_ = true;
    last_warning_log_ = now;
    log::warn(kLog, "{} warned: {} (the next warnings within a minute are only counted)", r.coordinator,
              fmt::join(warnings, "; "));
  }

  // UNPREPARED: the host forgot the statement (restart, table dropped and re-created): PREPARE it
  // again there, then send the EXECUTE (or BATCH) again, with the new id if it changed.
  void reprepare(const RequestPtr& r, size_t h, const std::weak_ptr<Connection>& weak,
                 std::shared_ptr<const PreparedStatement> stale) {
    auto conn = weak.lock();
    if (!conn || !conn->is_ready()) conn = pick_connection(*hosts_[h]);
    auto frame = cql::encode_prepare(0, stale->query, frame_options(config_.compression));
    if (!conn || !frame.ok()) {
      return on_failure(r, RequestFailure::connection_lost(false),
                        Error(ErrorCode::kUnavailable, fmt::format("{}: cannot re-prepare", hosts_[h]->endpoint()), true),
                        std::nullopt);
    }
    probe_.reprepare();
    log::info(kLog, "{}: re-preparing \"{}\"", hosts_[h]->endpoint(), stale->query);
    conn->send(std::move(*frame), config_.request_timeout, [this, r, stale](Reply reply) {
      if (r->done) return;
      if (!reply.response.ok()) return on_failure(r, reply.failure, reply.response.take_error(), std::nullopt);
      if (const auto* error = std::get_if<cql::ErrorMessage>(&reply.response->message)) {
        return finish(r, Result<cql::Response>(error->to_error().with_context("re-preparing")), error->code);
      }
      const auto* prepared = std::get_if<cql::PreparedResult>(&reply.response->message);
      if (!prepared) {
        return finish(r, Result<cql::Response>(Error(ErrorCode::kProtocol, "unexpected answer to PREPARE")), std::nullopt);
      }
      if (prepared->id != stale->id) {
        auto updated = std::make_shared<PreparedStatement>();
        updated->query = stale->query;
        updated->id = prepared->id;
        updated->metadata = prepared->metadata;
        updated->result_metadata = prepared->result_metadata;
        updated->keyspace = stale->keyspace;
        {
          std::lock_guard lock(prepared_mutex_);
          prepared_[updated->query] = updated;
        }
        if (r->statement.prepared && r->statement.prepared->query == stale->query) r->statement.prepared = updated;
        for (auto& member : r->statement.batch) {
          if (member.prepared && member.prepared->query == stale->query) member.prepared = updated;
        }
        auto frame2 = encode(r->statement);
        if (!frame2.ok()) return finish(r, Result<cql::Response>(frame2.take_error()), std::nullopt);
        r->frame = std::move(*frame2);
      }
      attempt(r);
    });
  }

  ExecuteResult execute_sync(Statement statement, std::optional<size_t> target = std::nullopt) {
    std::promise<ExecuteResult> promise;
    auto future = promise.get_future();
    execute(std::move(statement), [&promise](ExecuteResult r) { promise.set_value(std::move(r)); }, target);
    return future.get();
  }

  // ---- metadata ----

  std::optional<size_t> control_host() {
    return on_loop([this]() -> std::optional<size_t> {
      for (size_t h = 0; h < hosts_.size(); ++h) {
        if (pick_connection(*hosts_[h])) return h;
      }
      return std::nullopt;
    });
  }

  Status refresh_metadata() {
    auto h = control_host();
    if (!h) return Error(ErrorCode::kUnavailable, "refreshing metadata: no host available", true);
    auto system_query = [&](const char* cql) {
      auto s = Statement::of(cql, cql::Consistency::kOne);
      s.idempotent = true;
      return execute_sync(std::move(s), h);
    };
    auto local = system_query("SELECT data_center, tokens, schema_version FROM system.local WHERE key = 'local'");
    if (!local.response.ok()) return local.response.take_error().with_context("reading system.local");
    bool peers_v2 = true;
    auto peers = system_query("SELECT peer, native_address, native_port, data_center, tokens FROM system.peers_v2");
    if (!peers.response.ok()) {
      peers_v2 = false;  // before Cassandra 4.0
      peers = system_query("SELECT peer, rpc_address, data_center, tokens FROM system.peers");
      if (!peers.response.ok()) return peers.response.take_error().with_context("reading system.peers");
    }
    auto keyspaces = system_query("SELECT keyspace_name, replication FROM system_schema.keyspaces");
    if (!keyspaces.response.ok()) return keyspaces.response.take_error().with_context("reading system_schema.keyspaces");

    struct Node {
      std::string address;
      uint16_t port;
      std::string dc;
      std::vector<Token> tokens;
    };
    std::vector<Node> nodes;
    const auto* local_rows = rows_of(local);
    Node self{"", 0, "", {}};
    if (local_rows && !local_rows->rows.empty()) {
      self.dc = text_of(cell(*local_rows, 0, "data_center"));
      self.tokens = tokens_of(cell(*local_rows, 0, "tokens"));
    }
    if (const auto* rows = rows_of(peers)) {
      for (size_t i = 0; i < rows->rows.size(); ++i) {
        Node n;
        n.address = text_of(cell(*rows, i, peers_v2 ? "native_address" : "rpc_address"));
        if (n.address.empty() || n.address == "0.0.0.0" || n.address == "::") n.address = text_of(cell(*rows, i, "peer"));
        n.port = config_.port;
        if (peers_v2) {
          if (auto p = cell(*rows, i, "native_port"); p && p->get_if<int32_t>()) n.port = static_cast<uint16_t>(*p->get_if<int32_t>());
        }
        n.dc = text_of(cell(*rows, i, "data_center"));
        n.tokens = tokens_of(cell(*rows, i, "tokens"));
        if (!n.address.empty()) nodes.push_back(std::move(n));
      }
    }
    std::map<std::string, ReplicationStrategy> replication;
    if (const auto* rows = rows_of(keyspaces)) {
      for (size_t i = 0; i < rows->rows.size(); ++i) {
        replication[text_of(cell(*rows, i, "keyspace_name"))] =
            ReplicationStrategy::from_options(text_map_of(cell(*rows, i, "replication")));
      }
    }
    on_loop([&] {
      Host& control = *hosts_[*h];
      control.data_center = self.dc;
      control.tokens = self.tokens;
      for (const auto& n : nodes) {
        // Without discovery, peers still tell us the tokens of the contact points we know.
        std::optional<size_t> index;
        for (size_t k = 0; k < hosts_.size(); ++k) {
          if (hosts_[k]->address == n.address && hosts_[k]->port == n.port) index = k;
        }
        if (!index && config_.discover_peers) index = add_host(n.address, n.port);
        if (!index) continue;
        hosts_[*index]->data_center = n.dc;
        hosts_[*index]->tokens = n.tokens;
      }
      std::vector<std::vector<Token>> tokens;
      std::vector<std::string> dcs;
      for (const auto& host : hosts_) {
        tokens.push_back(host->tokens);
        dcs.push_back(host->data_center);
      }
      ring_ = TokenRing(tokens, dcs);
      keyspaces_ = std::move(replication);
      auto routing = std::make_shared<ReplicaGroups::Routing>(ReplicaGroups::Routing{ring_, keyspaces_});
      std::lock_guard lock(routing_mutex_);
      routing_ = std::move(routing);
    });
    return ok_status();
  }

  Status wait_for_schema_agreement(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    while (true) {
      auto h = control_host();
      if (h) {
        auto system_query = [&](const char* cql) {
          auto s = Statement::of(cql, cql::Consistency::kOne);
          s.idempotent = true;
          return execute_sync(std::move(s), h);
        };
        auto local = system_query("SELECT schema_version FROM system.local WHERE key = 'local'");
        auto peers = system_query("SELECT peer, schema_version FROM system.peers");
        std::set<std::string> versions;
        bool ok = local.response.ok() && peers.response.ok();
        for (const auto* rows : {rows_of(local), rows_of(peers)}) {
          if (!rows) continue;
          for (size_t i = 0; i < rows->rows.size(); ++i) {
            auto v = text_of(cell(*rows, i, "schema_version"));
            if (!v.empty()) versions.insert(v);
          }
        }
        if (ok && versions.size() <= 1) return ok_status();
        last = ok ? fmt::format("{} schema versions", versions.size())
                  : (local.response.ok() ? peers.response.error().message : local.response.error().message);
      } else {
        last = "no host available";
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return Error(ErrorCode::kTimeout, fmt::format("no schema agreement within {} ms ({})", timeout.count(), last), true);
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  Result<std::shared_ptr<const PreparedStatement>> prepare(const std::string& query) {
    {
      std::lock_guard lock(prepared_mutex_);
      if (auto it = prepared_.find(query); it != prepared_.end()) return it->second;
    }
    if (closed_) return session_closed();
    // PREPARE goes through the same routing and retry path as any request (it is idempotent).
    auto frame = cql::encode_prepare(0, query, frame_options(config_.compression));
    if (!frame.ok()) return frame.take_error();
    std::promise<ExecuteResult> promise;
    auto future = promise.get_future();
    auto request = std::make_shared<Request>();
    request->statement.idempotent = true;
    request->frame = std::move(*frame);
    request->callback = [&promise](ExecuteResult r) { promise.set_value(std::move(r)); };
    start(request);
    auto result = future.get();
    if (!result.response.ok()) return result.response.take_error().with_context(fmt::format("preparing \"{}\"", query));
    const auto* prepared = std::get_if<cql::PreparedResult>(&result.response->message);
    if (!prepared) {
      return Error(ErrorCode::kProtocol, fmt::format("preparing \"{}\": unexpected {}", query,
                                                     cql::message_name(result.response->message)));
    }
    auto statement = std::make_shared<PreparedStatement>();
    statement->query = query;
    statement->id = prepared->id;
    statement->metadata = prepared->metadata;
    statement->result_metadata = prepared->result_metadata;
    if (!prepared->metadata.columns.empty()) statement->keyspace = prepared->metadata.columns.front().keyspace;
    {
      std::lock_guard lock(prepared_mutex_);
      prepared_[query] = statement;
    }
    prepare_on_other_hosts(query, result.coordinator);
    return std::shared_ptr<const PreparedStatement>(statement);
  }

  // Fire and forget: saves each other host an UNPREPARED round trip on first use. A failure here
  // costs nothing: the EXECUTE path re-prepares on demand.
  void prepare_on_other_hosts(const std::string& query, const std::string& done_on) {
    auto frame = cql::encode_prepare(0, query, frame_options(config_.compression));
    if (!frame.ok()) return;
    loop_.post([this, frame = std::move(*frame), done_on] {
      for (auto& host : hosts_) {
        if (host->endpoint() == done_on) continue;
        if (auto conn = pick_connection(*host)) conn->send(frame, config_.request_timeout, [](Reply) {});
      }
    });
  }

  void close() {
    if (closed_.exchange(true)) return;
    loop_.post([this] {
      for (auto& host : hosts_) {
        if (host->reconnect_timer != 0) loop_.cancel_timer(host->reconnect_timer);
        host->reconnect_timer = 0;
        auto ready = host->ready;
        auto connecting = host->connecting;
        for (auto& c : ready) c->close("session closed");
        for (auto& c : connecting) c->close("session closed");
      }
      // Requests waiting for a retry timer: fail them now, the timers will never fire.
      auto left = active_;
      for (const auto& r : left) finish(r, Result<cql::Response>(session_closed()), std::nullopt);
    });
    loop_.stop();
    // Callers' tasks still waiting for their time (a sink's re-send after a backoff) will never
    // run on the loop either: run them here, where they find the session closed and fail their
    // work instead of leaving it unreported.
    std::map<uint64_t, std::function<void()>> waiting;
    {
      std::lock_guard lock(after_mutex_);
      waiting.swap(after_);
    }
    for (auto& [id, task] : waiting) task();
  }

  // Any thread: runs a run_after() task once, if close() has not taken it.
  void run_after_task(uint64_t id) {
    std::function<void()> task;
    {
      std::lock_guard lock(after_mutex_);
      auto it = after_.find(id);
      if (it == after_.end()) return;
      task = std::move(it->second);
      after_.erase(it);
    }
    task();
  }
};

// ---- Session -------------------------------------------------------------------------------------

Result<std::unique_ptr<Session>> Session::connect(SessionConfig config) {
  RDS_TRY(config.validate());
  auto impl = std::make_shared<Impl>(std::move(config));
  RDS_TRY(impl->loop_.start());
  std::unique_ptr<Session> session(new Session(impl));
  const auto& cfg = impl->config_;
  {
    std::lock_guard lock(impl->startup_->mutex);
    impl->startup_->pending = static_cast<int>(cfg.contact_points.size()) * cfg.connections_per_host;
  }
  impl->loop_.post([impl = impl.get()] {
    for (const auto& host : impl->config_.contact_points) impl->add_host(host, impl->config_.port);
  });
  {
    std::unique_lock lock(impl->startup_->mutex);
    impl->startup_->cv.wait_for(lock, cfg.connect_timeout + std::chrono::seconds(1),
                                [&] { return impl->startup_->any_ready || impl->startup_->pending == 0; });
    if (!impl->startup_->any_ready) {
      Error error = impl->startup_->auth_error
                        ? *impl->startup_->auth_error
                        : impl->startup_->last_error.value_or(
                              Error(ErrorCode::kTimeout, "no Cassandra host answered in time", true));
      lock.unlock();
      session->close();
      return error.with_context(fmt::format("connecting to Cassandra ({}:{})", fmt::join(cfg.contact_points, ", "), cfg.port));
    }
  }
  if (auto status = impl->refresh_metadata(); !status.ok()) {
    // Routing falls back to round robin over the contact points; not fatal.
    log::warn(kLog, "reading cluster metadata: {}", status.error().message);
  }
  return session;
}

Session::~Session() { close(); }

void Session::execute(Statement statement, ExecuteCallback callback) {
  impl_->execute(std::move(statement), std::move(callback));
}

ExecuteResult Session::execute_sync(Statement statement) { return impl_->execute_sync(std::move(statement)); }

Result<cql::Response> Session::query(const std::string& cql, cql::Consistency consistency) {
  return impl_->execute_sync(Statement::of(cql, consistency)).response;
}

Result<std::shared_ptr<const PreparedStatement>> Session::prepare(const std::string& query) {
  return impl_->prepare(query);
}

Status Session::wait_for_schema_agreement(std::chrono::milliseconds timeout) {
  return impl_->wait_for_schema_agreement(timeout);
}

Status Session::refresh_metadata() { return impl_->refresh_metadata(); }

void Session::run_after(std::chrono::milliseconds delay, std::function<void()> task) {
  // Once the loop has stopped, run it here: the task will find the session closed and finish its
  // work instead of waiting forever. A task still waiting when the loop stops is run by close().
  uint64_t id = 0;
  {
    std::lock_guard lock(impl_->after_mutex_);
    id = impl_->next_after_++;
    impl_->after_.emplace(id, std::move(task));
  }
  auto impl = impl_;
  if (!impl_->loop_.run_after(delay, [impl, id] { impl->run_after_task(id); })) impl_->run_after_task(id);
}

std::vector<HostInfo> Session::hosts() const {
  if (impl_->closed_) return {};
  return impl_->on_loop([this] {
    std::vector<HostInfo> out;
    for (const auto& h : impl_->hosts_) {
      out.push_back(HostInfo{h->address, h->port, h->data_center, h->tokens.size(), static_cast<int>(h->ready.size()),
                             !h->ready.empty()});
    }
    return out;
  });
}

std::vector<std::string> Session::replicas(const std::string& keyspace, const cql::Bytes& routing_key) const {
  if (impl_->closed_) return {};
  return impl_->on_loop([&] {
    std::vector<std::string> out;
    for (size_t h : impl_->replica_hosts(keyspace, routing_key)) out.push_back(impl_->hosts_[h]->endpoint());
    return out;
  });
}

ReplicaGroups Session::replica_groups() const {
  std::lock_guard lock(impl_->routing_mutex_);
  return ReplicaGroups(impl_->routing_);
}

uint64_t ReplicaGroups::key(const std::string& keyspace, const cql::Bytes& routing_key) const {
  if (!routing_ || routing_->ring.host_count() <= 1) return 0;
  // FNV-1a over the sorted replica indexes: a batch is sent to any of its replicas (query_plan
  // rotates among them), so only the set matters; with RF 3 on 3 nodes every key shares it.
  auto replicas = replicas_of(routing_->ring, routing_->keyspaces, keyspace, routing_key);
  std::sort(replicas.begin(), replicas.end());
  uint64_t hash = 1469598103934665603ULL;
  for (HostIndex h : replicas) {
    hash = (hash ^ (static_cast<uint64_t>(h) + 1)) * 1099511628211ULL;
  }
  return hash;
}

void Session::close() {
  if (impl_) impl_->close();
}

bool Session::closed() const { return impl_->closed_; }

const SessionConfig& Session::config() const { return impl_->config_; }

const SessionProbe& Session::probe() const { return impl_->probe_; }

}  // namespace rds::cassandra
