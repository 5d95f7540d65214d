#include "cassandra/control_connection.h"

#include <fmt/format.h>

#include "cassandra/host_pool.h"
#include "cassandra/internal.h"
#include "core/log.h"

namespace rds::cassandra {
namespace {

using internal::frame_options;
using internal::kLog;

Error no_control(const std::string& why) {
  return Error(ErrorCode::kUnavailable, fmt::format("no control connection: {}", why), true);
}

}  // namespace

// The three reads of a full refresh, chained on the loop.
struct ControlConnection::Refresh {
  Done done;
  HostIndex host = 0;
  ClusterSnapshot snapshot;
};

ControlConnection::ControlConnection(EventLoop& loop, const SessionConfig& config, Cluster& cluster)
    : loop_(loop), config_(config), cluster_(cluster) {}

std::optional<HostIndex> ControlConnection::choose_host() const {
  // The current host while it is up; else the first up one, contact points first.
  if (host_ && *host_ < cluster_.host_count() && cluster_.host(*host_).up()) return host_;
  for (HostIndex h = 0; h < cluster_.host_count(); ++h) {
    if (cluster_.host(h).up() && cluster_.host(h).pick()) return h;
  }
  return std::nullopt;
}

void ControlConnection::ensure(Done then) {
  if (closed_) return then(no_control("the session is closed"));
  if (auto c = connection_.lock(); c && c->is_ready()) return then(ok_status());
  waiting_.push_back(std::move(then));
  if (registering_) return;
  auto fail_waiting = [this](const Error& e) {
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& w : waiting) w(e);
  };
  const auto h = choose_host();
  auto conn = h ? cluster_.host(*h).pick() : nullptr;
  if (!conn) return fail_waiting(no_control("no host is up"));
  auto frame = cql::encode_register(0, {"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"},
                                    frame_options(config_.compression));
  if (!frame.ok()) return fail_waiting(frame.error());
  conn->set_event_handler([this](const cql::EventMessage& event) { on_event(event); });
  std::weak_ptr<Connection> weak = conn;
  registering_ = conn->send(std::move(*frame), config_.request_timeout, [this, h = *h, weak](Reply reply) {
    registered(h, weak, std::move(reply.response));
  });
  if (!registering_) {
    conn->set_event_handler(nullptr);
    fail_waiting(no_control(fmt::format("{} has no free stream", cluster_.host(*h).endpoint())));
  }
}

void ControlConnection::registered(HostIndex h, const std::weak_ptr<Connection>& weak, Result<cql::Response> reply) {
  registering_ = false;
  auto waiting = std::move(waiting_);
  waiting_.clear();
  auto conn = weak.lock();
  Status status = ok_status();
  if (!reply.ok()) {
    status = reply.take_error().with_context("registering for events");
  } else if (!conn || !conn->is_ready() || closed_) {
    status = no_control("its connection closed while registering");
  }
  if (!status.ok()) {
    if (conn) conn->set_event_handler(nullptr);
    for (auto& w : waiting) w(status);
    return;
  }
  if (const auto* error = std::get_if<cql::ErrorMessage>(&reply->message)) {
    // Still good for reading the metadata; only the events are missed.
    log::warn(kLog, "{}: REGISTER refused ({}): topology and status changes are not followed",
              cluster_.host(h).endpoint(), error->message);
  }
  connection_ = conn;
  raw_ = conn.get();
  const bool was_lost = lost_;
  lost_ = false;
  if (host_ != h) log::info(kLog, "control connection on {}", cluster_.host(h).endpoint());
  host_ = h;
  for (auto& w : waiting) w(ok_status());
  // Events may have been missed while there was none.
  if (was_lost) schedule_refresh();
}

void ControlConnection::query(std::string cql, RowsCallback done) {
  request(std::move(cql), cql::Consistency::kOne, [this, done = std::move(done)](Result<cql::Response> response) {
    if (!response.ok()) return done(response.take_error());
    auto* rows = std::get_if<cql::RowsResult>(&response->message);
    if (!rows) {
      const std::string endpoint = host_ ? cluster_.host(*host_).endpoint() : std::string();
      return done(Error(ErrorCode::kProtocol,
                        fmt::format("{}: unexpected {}", endpoint, cql::message_name(response->message))));
    }
    done(std::move(*rows));
  });
}

void ControlConnection::request(std::string cql, cql::Consistency consistency, ResponseCallback done) {
  ensure([this, cql = std::move(cql), consistency, done = std::move(done)](Status status) mutable {
    if (!status.ok()) return done(status.error());
    auto conn = connection_.lock();
    cql::QueryRequest request{std::move(cql), {}};
    request.params.consistency = consistency;
    auto frame = cql::encode_query(0, request, frame_options(config_.compression));
    if (!frame.ok()) return done(frame.take_error());
    const std::string endpoint = host_ ? cluster_.host(*host_).endpoint() : std::string();
    auto on_reply = [done, endpoint](Reply reply) {
      if (!reply.response.ok()) return done(reply.response.take_error().with_context(endpoint));
      if (const auto* error = std::get_if<cql::ErrorMessage>(&reply.response->message)) {
        return done(error->to_error().with_context(endpoint));
      }
      done(std::move(*reply.response));
    };
    if (!conn || !conn->send(std::move(*frame), config_.request_timeout, on_reply)) {
      done(no_control(fmt::format("{} has no free stream", endpoint)));
    }
  });
}

void ControlConnection::refresh(Done done) {
  auto r = std::make_shared<Refresh>();
  r->done = std::move(done);
  query(kLocalQuery, [this, r](Result<cql::RowsResult> local) {
    if (!local.ok()) return r->done(local.take_error().with_context("reading system.local"));
    r->host = host_.value_or(0);
    r->snapshot.local = local_node(*local);
    query(kPeersV2Query, [this, r](Result<cql::RowsResult> peers) {
      auto keyspaces = [this, r] {
        query(kKeyspacesQuery, [this, r](Result<cql::RowsResult> ks) {
          if (!ks.ok()) return r->done(ks.take_error().with_context("reading system_schema.keyspaces"));
          r->snapshot.keyspaces = keyspace_replication(*ks);
          if (!closed_) cluster_.apply_topology(r->host, std::move(r->snapshot));
          r->done(ok_status());
        });
      };
      if (peers.ok()) {
        r->snapshot.peers = peer_nodes(*peers, true, config_.port);
        return keyspaces();
      }
      // Before Cassandra 4.0 there is no system.peers_v2.
      query(kPeersQuery, [this, r, keyspaces](Result<cql::RowsResult> old_peers) {
        if (!old_peers.ok()) return r->done(old_peers.take_error().with_context("reading system.peers"));
        r->snapshot.peers = peer_nodes(*old_peers, false, config_.port);
        keyspaces();
      });
    });
  });
}

std::optional<HostIndex> ControlConnection::find_host(const cql::Endpoint& endpoint) const {
  // Events name the node by its broadcast RPC address and native port.
  const std::string address = endpoint.address.to_string();
  std::optional<HostIndex> same_address;
  int with_address = 0;
  for (HostIndex h = 0; h < cluster_.host_count(); ++h) {
    const HostPool& host = cluster_.host(h);
    if (host.address() != address) continue;
    if (host.port() == endpoint.port) return h;
    same_address = h;
    ++with_address;
  }
  return with_address == 1 ? same_address : std::nullopt;
}

void ControlConnection::on_event(const cql::EventMessage& event) {
  if (closed_) return;
  if (const auto* status = std::get_if<cql::StatusChangeEvent>(&event.event)) {
    log::info(kLog, "event: {} is {}", status->address.to_string(), status->change);
    const auto h = find_host(status->address);
    if (status->change == "DOWN") {
      if (h) cluster_.host(*h).mark_down();
      return;
    }
    if (h) cluster_.host(*h).mark_up();
    return schedule_refresh();  // an unknown node coming up, or a known one's tokens
  }
  if (const auto* topology = std::get_if<cql::TopologyChangeEvent>(&event.event)) {
    log::info(kLog, "event: {} {}", topology->change, topology->address.to_string());
    return schedule_refresh();
  }
  if (const auto* schema = std::get_if<cql::SchemaChange>(&event.event)) {
    // Only a keyspace's replication matters for routing; tables and types do not.
    if (schema->target == "KEYSPACE") refresh_keyspace(*schema);
  }
}

void ControlConnection::schedule_refresh() {
  if (closed_ || refresh_timer_ != 0) return;
  refresh_timer_ = loop_.add_timer(kRefreshDebounce, [this] {
    refresh_timer_ = 0;
    refresh([](Status status) {
      if (!status.ok()) log::warn(kLog, "refreshing the cluster metadata: {}", status.error().message);
    });
  });
}

void ControlConnection::refresh_keyspace(const cql::SchemaChange& change) {
  if (change.change_type == "DROPPED") return cluster_.apply_keyspace(change.keyspace, std::nullopt);
  query(keyspace_query(change.keyspace), [this, keyspace = change.keyspace](Result<cql::RowsResult> rows) {
    if (!rows.ok()) {
      log::warn(kLog, "reading the replication of keyspace {}: {}", keyspace, rows.error().message);
      return;
    }
    auto replication = keyspace_replication(*rows);
    auto it = replication.find(keyspace);
    if (it != replication.end() && !closed_) cluster_.apply_keyspace(keyspace, it->second);
  });
}

void ControlConnection::connection_closed(const Connection& c) {
  if (&c != raw_) return;
  connection_.reset();
  raw_ = nullptr;
  if (closed_) return;
  lost_ = true;
  log::info(kLog, "the control connection closed; moving it to another host");
  // Not from within the closing connection's callback.
  loop_.post([this] { reopen(); });
}

void ControlConnection::host_ready() {
  if (lost_ && !registering_ && !closed_ && connection_.expired()) reopen();
}

void ControlConnection::reopen() {
  ensure([](Status status) {
    // No host is up: host_ready() tries again when one comes back.
    if (!status.ok()) log::debug(kLog, "reopening the control connection: {}", status.error().message);
  });
}

void ControlConnection::close() {
  closed_ = true;
  if (refresh_timer_ != 0) loop_.cancel_timer(refresh_timer_);
  refresh_timer_ = 0;
  if (auto c = connection_.lock()) c->set_event_handler(nullptr);
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& w : waiting) w(no_control("the session is closed"));
}

}  // namespace rds::cassandra
