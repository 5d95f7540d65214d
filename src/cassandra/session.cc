#include "cassandra/session.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <future>
#include <set>
#include <thread>
#include <unordered_set>

#include "cassandra/control_connection.h"
#include "cassandra/event_loop.h"
#include "cassandra/host_pool.h"
#include "cassandra/internal.h"
#include "cassandra/load_balancing.h"
#include "cassandra/murmur3.h"
#include "cassandra/prepared_cache.h"
#include "cassandra/request_handler.h"
#include "cassandra/timestamp_generator.h"
#include "cassandra/token_ring.h"
#include "core/log.h"

namespace rds::cassandra {
namespace {

using internal::frame_options;
using internal::kLog;
using internal::session_closed;
using std::chrono::milliseconds;

// The replicas of a partition key under a keyspace's replication (SimpleStrategy RF 1 when the
// keyspace is unknown), primary first; empty while the ring is.
std::vector<HostIndex> replicas_of(const TokenRing& ring, const std::map<std::string, ReplicationStrategy>& keyspaces,
                                   const std::string& keyspace, const cql::Bytes& key) {
  static const ReplicationStrategy kUnknownKeyspace;
  if (ring.empty()) return {};
  auto it = keyspaces.find(keyspace);
  return ring.replicas(murmur3_token(key), it == keyspaces.end() ? kUnknownKeyspace : it->second);
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
// Wires the parts together and owns the loop-thread state they share: the host list (a host's
// index never changes: a node that leaves keeps its closed pool, so indexes in the ring, in plans
// and in callbacks stay valid), the token ring and keyspaces, and the requests in flight.

class Session::Impl : public RequestContext, public ControlConnection::Cluster {
 public:
  explicit Impl(SessionConfig config) : config_(std::move(config)), retry_(config_.retry), control_(loop_, config_, *this) {
    balancing_.local_dc = config_.local_dc;
    balancing_.used_hosts_per_remote_dc = config_.used_hosts_per_remote_dc;
  }

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
  TimestampGenerator timestamps_;
  std::shared_ptr<const TlsContext> tls_;  // made once in connect() when config_.tls.enabled
  EventLoop loop_;
  RetryPolicy retry_;
  SessionProbe probe_;
  PreparedCache prepared_;
  std::atomic<bool> closed_{false};
  std::shared_ptr<Startup> startup_ = std::make_shared<Startup>();

  // Loop thread only.
  std::vector<std::unique_ptr<HostPool>> hosts_;
  size_t contact_point_count_ = 0;  // hosts_[0, n) are the contact points: never dropped
  std::vector<PlanHost> plan_hosts_;  // hosts_ as the load-balancing policy sees them
  LoadBalancingConfig balancing_;
  TokenRing ring_;
  std::map<std::string, ReplicationStrategy> keyspaces_;
  uint64_t round_robin_ = 0;
  std::unordered_set<std::shared_ptr<RequestHandler>> active_;
  ControlConnection control_;
  bool warned_once_ = false;
  std::chrono::steady_clock::time_point last_warning_log_;

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

  // Runs an asynchronous loop-thread operation and waits for the Status it reports.
  Status wait_on_loop(const std::function<void(ControlConnection::Done)>& operation) {
    std::promise<Status> promise;
    auto future = promise.get_future();
    auto done = [&promise](Status s) { promise.set_value(std::move(s)); };
    if (!loop_.post([&] { operation(done); })) return session_closed();
    return future.get();
  }

  // ---- RequestContext / ControlConnection::Cluster (loop thread) ----

  EventLoop& loop() override { return loop_; }
  const SessionConfig& config() const override { return config_; }
  const RetryPolicy& retry_policy() const override { return retry_; }
  SessionProbe& probe() override { return probe_; }
  PreparedCache& prepared_cache() override { return prepared_; }
  bool closed() const override { return closed_; }
  size_t host_count() const override { return hosts_.size(); }
  HostPool& host(HostIndex h) override { return *hosts_[h]; }

  QueryPlan query_plan(const Statement& s, std::optional<HostIndex> target) override {
    if (target) return QueryPlan{{*target}, {}};
    QueryPlan plan;
    if (config_.token_aware && s.routing_key) plan.replicas = replicas_of(ring_, keyspaces_, s.keyspace, *s.routing_key);
    for (size_t h = 0; h < hosts_.size(); ++h) plan_hosts_[h].up = hosts_[h]->up();
    plan.hosts = cassandra::query_plan(plan_hosts_, plan.replicas, balancing_, round_robin_++);
    return plan;
  }

  void request_finished(const std::shared_ptr<RequestHandler>& request, const std::string& coordinator,
                        const std::vector<std::string>& warnings) override {
    active_.erase(request);
    if (!warnings.empty()) server_warned(coordinator, warnings);
  }

  void apply_topology(HostIndex control, ClusterSnapshot snapshot) override {
    hosts_[control]->set_metadata(snapshot.local.data_center, std::move(snapshot.local.tokens));
    if (balancing_.local_dc.empty() && !snapshot.local.data_center.empty()) {
      balancing_.local_dc = snapshot.local.data_center;
      log::info(kLog, "local data centre: {} (that of {}; set cassandra.local_dc to choose another)",
                balancing_.local_dc, hosts_[control]->endpoint());
    }
    std::set<HostIndex> in_ring{control};
    for (auto& n : snapshot.peers) {
      // Without discovery, peers still tell us the tokens of the contact points we know.
      std::optional<HostIndex> index = find_host(n.address, n.port);
      if (!index && config_.discover_peers) index = add_host(n.address, n.port);
      if (!index) continue;
      hosts_[*index]->set_metadata(std::move(n.data_center), std::move(n.tokens));
      hosts_[*index]->reopen();  // if it had left the ring
      in_ring.insert(*index);
    }
    for (HostIndex h = contact_point_count_; h < hosts_.size(); ++h) {
      if (in_ring.count(h) != 0 || hosts_[h]->closed()) continue;
      log::info(kLog, "host {} left the ring", hosts_[h]->endpoint());
      hosts_[h]->close("the node left the ring");
      hosts_[h]->set_metadata(hosts_[h]->data_center(), {});
    }
    keyspaces_ = std::move(snapshot.keyspaces);
    rebuild_routing();
  }

  void apply_keyspace(const std::string& keyspace, std::optional<ReplicationStrategy> replication) override {
    if (replication) {
      keyspaces_[keyspace] = *replication;
    } else {
      keyspaces_.erase(keyspace);
    }
    rebuild_routing();
  }

  // The ring from the hosts' tokens; and its copy for other threads.
  void rebuild_routing() {
    std::vector<std::vector<Token>> tokens;
    std::vector<std::string> dcs;
    for (size_t h = 0; h < hosts_.size(); ++h) {
      tokens.push_back(hosts_[h]->tokens());
      dcs.push_back(hosts_[h]->data_center());
      plan_hosts_[h].data_center = hosts_[h]->data_center();
    }
    ring_ = TokenRing(tokens, dcs);
    auto routing = std::make_shared<ReplicaGroups::Routing>(ReplicaGroups::Routing{ring_, keyspaces_});
    std::lock_guard lock(routing_mutex_);
    routing_ = std::move(routing);
  }

  // ---- hosts (loop thread) ----

  std::optional<HostIndex> find_host(const std::string& address, uint16_t port) const {
    for (HostIndex h = 0; h < hosts_.size(); ++h) {
      if (hosts_[h]->address() == address && hosts_[h]->port() == port) return h;
    }
    return std::nullopt;
  }

  HostIndex add_host(const std::string& address, uint16_t port) {
    if (auto h = find_host(address, port)) return *h;
    HostPool::Listener listener;
    listener.on_connect_result = [this](HostPool&, const Status& s) { on_connect_result(s); };
    listener.on_connection_closed = [this](HostPool&, Connection& c) { control_.connection_closed(c); };
    hosts_.push_back(std::make_unique<HostPool>(loop_, config_, probe_, address, port, std::move(listener), tls_));
    plan_hosts_.push_back(PlanHost{});
    log::info(kLog, "adding host {}", hosts_.back()->endpoint());
    hosts_.back()->open();
    return hosts_.size() - 1;
  }

  void on_connect_result(const Status& status) {
    if (status.ok() && !closed_) control_.host_ready();
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

  // ---- requests ----

  // Any thread.
  void execute(Statement statement, ExecuteCallback callback, std::optional<HostIndex> target = std::nullopt) {
    if (closed_) {
      callback(ExecuteResult{Result<cql::Response>(session_closed()), std::nullopt, 0, {}, std::move(statement)});
      return;
    }
    if (config_.client_timestamps && !statement.timestamp) statement.timestamp = timestamps_.next();
    auto frame = encode_statement(statement, config_);
    if (!frame.ok()) {
      Error e = frame.take_error().with_context("encoding the request");
      auto request = std::make_shared<RequestHandler>(*this, std::move(statement), cql::Bytes{}, std::move(callback));
      if (!loop_.post([request, e] { request->fail(e); })) request->fail_off_loop(e);
      return;
    }
    start(std::make_shared<RequestHandler>(*this, std::move(statement), std::move(*frame), std::move(callback), target));
  }

  // Any thread. If the loop already stopped (close() raced with us), fail here and now.
  void start(const std::shared_ptr<RequestHandler>& request) {
    probe_.requests_started();
    const bool posted = loop_.post([this, request] {
      active_.insert(request);
      request->start();
    });
    if (!posted) request->fail_off_loop(session_closed());
  }

  // Cassandra's warnings (a batch over batch_size_warn_threshold, a query near a tombstone
  // limit) would otherwise only reach its own log: logged here too, at most once a minute, and
  // counted.
  void server_warned(const std::string& coordinator, const std::vector<std::string>& warnings) {
    probe_.server_warning();
    const auto now = std::chrono::steady_clock::now();
    if (warned_once_ && now - last_warning_log_ < std::chrono::minutes(1)) return;
    warned_once_ = true;
    last_warning_log_ = now;
    log::warn(kLog, "{} warned: {} (the next warnings within a minute are only counted)", coordinator,
              fmt::join(warnings, "; "));
  }

  ExecuteResult execute_sync(Statement statement) {
    std::promise<ExecuteResult> promise;
    auto future = promise.get_future();
    execute(std::move(statement), [&promise](ExecuteResult r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  // ---- metadata ----

  Status refresh_metadata() {
    if (closed_) return session_closed();
    auto status = wait_on_loop([this](ControlConnection::Done done) { control_.refresh(std::move(done)); });
    if (!status.ok()) return status.error().with_context("refreshing metadata");
    return status;
  }

  Result<cql::RowsResult> control_query(const char* cql) {
    std::promise<Result<cql::RowsResult>> promise;
    auto future = promise.get_future();
    auto done = [&promise](Result<cql::RowsResult> r) { promise.set_value(std::move(r)); };
    if (!loop_.post([&] { control_.query(cql, done); })) return session_closed();
    return future.get();
  }

  Result<cql::Response> control_request(const std::string& cql) {
    if (closed_) return session_closed();
    std::promise<Result<cql::Response>> promise;
    auto future = promise.get_future();
    auto done = [&promise](Result<cql::Response> r) { promise.set_value(std::move(r)); };
    if (!loop_.post([&] { control_.request(cql, config_.default_consistency, done); })) return session_closed();
    return future.get();
  }

  std::set<std::string> down_addresses() {
    return on_loop([this] {
      std::set<std::string> down;
      for (const auto& h : hosts_) {
        if (h->known_down()) down.insert(h->address());
      }
      return down;
    });
  }

  Status wait_for_schema_agreement(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    while (!closed_) {
      auto local = control_query("SELECT schema_version FROM system.local WHERE key = 'local'");
      auto peers = local.ok() ? control_query("SELECT peer, rpc_address, schema_version FROM system.peers") : local;
      if (local.ok() && peers.ok()) {
        // As the DataStax drivers do, a node known to be down is not waited for: it takes the
        // schema from the others when it comes back. (A DDL on a ring with a node down would
        // otherwise fail after the timeout, as it did when a node died before a run's CREATE.)
        auto versions = schema_versions(*local);
        versions.merge(schema_versions(*peers, down_addresses()));
        if (versions.size() <= 1) return ok_status();
        last = fmt::format("{} schema versions", versions.size());
      } else {
        last = peers.error().message;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return Error(ErrorCode::kTimeout, fmt::format("no schema agreement within {} ms ({})", timeout.count(), last), true);
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
    return session_closed();
  }

  Result<std::shared_ptr<const PreparedStatement>> prepare(const std::string& query) {
    if (auto cached = prepared_.find(query)) return cached;
    if (closed_) return session_closed();
    // PREPARE goes through the same routing and retry path as any request (it is idempotent).
    auto frame = cql::encode_prepare(0, query, frame_options(config_.compression));
    if (!frame.ok()) return frame.take_error();
    std::promise<ExecuteResult> promise;
    auto future = promise.get_future();
    Statement statement;
    statement.idempotent = true;
    start(std::make_shared<RequestHandler>(*this, std::move(statement), std::move(*frame),
                                           [&promise](ExecuteResult r) { promise.set_value(std::move(r)); }));
    auto result = future.get();
    if (!result.response.ok()) return result.response.take_error().with_context(fmt::format("preparing \"{}\"", query));
    const auto* prepared = std::get_if<cql::PreparedResult>(&result.response->message);
    if (!prepared) {
      return Error(ErrorCode::kProtocol, fmt::format("preparing \"{}\": unexpected {}", query,
                                                     cql::message_name(result.response->message)));
    }
    auto statement_ptr = prepared_.add(query, *prepared);
    prepare_on_other_hosts(query, result.coordinator);
    return statement_ptr;
  }

  // Fire and forget: saves each other host an UNPREPARED round trip on first use. A failure here
  // costs nothing: the EXECUTE path re-prepares on demand.
  void prepare_on_other_hosts(const std::string& query, const std::string& done_on) {
    auto frame = cql::encode_prepare(0, query, frame_options(config_.compression));
    if (!frame.ok()) return;
    loop_.post([this, frame = std::move(*frame), done_on] {
      for (auto& host : hosts_) {
        if (host->endpoint() == done_on) continue;
        if (auto conn = host->pick()) conn->send(frame, config_.request_timeout, [](Reply) {});
      }
    });
  }

  void close() {
    if (closed_.exchange(true)) return;
    loop_.post([this] {
      control_.close();
      for (auto& host : hosts_) host->close("session closed");
      // Requests waiting for a retry timer: fail them now, the timers will never fire.
      auto left = active_;
      for (const auto& r : left) r->fail(session_closed());
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
  std::shared_ptr<const TlsContext> tls;
  if (config.tls.enabled) {
    auto context = TlsContext::create(config.tls);
    if (!context.ok()) return context.take_error().with_context("connecting to Cassandra over TLS");
    tls = std::move(*context);
  }
  auto impl = std::make_shared<Impl>(std::move(config));
  impl->tls_ = std::move(tls);
  RDS_TRY(impl->loop_.start());
  std::unique_ptr<Session> session(new Session(impl));
  const auto& cfg = impl->config_;
  {
    std::lock_guard lock(impl->startup_->mutex);
    impl->startup_->pending = static_cast<int>(cfg.contact_points.size()) * cfg.connections_per_host;
  }
  impl->loop_.post([impl = impl.get()] {
    for (const auto& host : impl->config_.contact_points) impl->add_host(host, impl->config_.port);
    impl->contact_point_count_ = impl->hosts_.size();
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

Result<cql::Response> Session::schema_change(const std::string& cql, std::chrono::milliseconds agreement_timeout) {
  auto response = impl_->control_request(cql);
  if (!response.ok()) return response;
  if (std::holds_alternative<cql::SchemaChangeResult>(response->message)) {
    RDS_TRY(impl_->wait_for_schema_agreement(agreement_timeout));
  }
  return response;
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
    for (const auto& h : impl_->hosts_) out.push_back(h->info());
    return out;
  });
}

std::vector<std::string> Session::replicas(const std::string& keyspace, const cql::Bytes& routing_key) const {
  if (impl_->closed_) return {};
  return impl_->on_loop([&] {
    std::vector<std::string> out;
    for (HostIndex h : replicas_of(impl_->ring_, impl_->keyspaces_, keyspace, routing_key)) {
      out.push_back(impl_->hosts_[h]->endpoint());
    }
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
