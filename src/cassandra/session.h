#pragma once
// Session: the asynchronous CQL client the data path uses. Owns an EventLoop thread, a pool of
// Connections per host (host_pool.h: reconnected with exponential backoff), the control connection
// and cluster metadata (control_connection.h: hosts from system.local / system.peers_v2, the
// Murmur3 token ring, keyspace replication, kept current by server events) and a prepared
// statement cache (prepared_cache.h). Each request (request_handler.h) is routed by the
// load-balancing policy (load_balancing.h): up replicas of its partition in the local data centre
// first when its routing key is known (token-aware), then the other local hosts round robin;
// failures go through RetryPolicy, and an UNPREPARED answer is re-PREPAREd on that host and
// retried transparently.
//
//   SessionConfig config;                       // 127.0.0.1:9042, no credentials
//   auto session = Session::connect(config);    // blocking: returns once one host is usable
//   auto prepared = (*session)->prepare("INSERT INTO ks.t (id, v) VALUES (?, ?)");
//   auto stmt = (*prepared)->bind({cql::Value(int32_t{1}), cql::Value("x")});
//   (*session)->execute(std::move(*stmt), [](ExecuteResult r) { ... });   // on the loop thread
//
// Thread: every public method may be called from any thread except the session's own loop
// thread for the *_sync ones (they would wait on themselves). Callbacks run on the loop thread:
// keep them short and never call a *_sync method from them.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cassandra/blocking_connection.h"  // Credentials
#include "cassandra/retry_policy.h"
#include "cassandra/session_probe.h"
#include "cassandra/tls.h"
#include "cassandra/token_ring.h"
#include "core/backoff.h"
#include "core/result.h"
#include "cql/codec.h"

namespace rds::cassandra {

struct SessionConfig {
  static constexpr int kDefaultConnectionsPerHost = 2;
  static constexpr std::chrono::milliseconds kDefaultRequestTimeout{12000};

  std::vector<std::string> contact_points{"127.0.0.1"};
  uint16_t port = kDefaultPort;
  Credentials credentials;  // used when the server asks for PasswordAuthenticator
  TlsConfig tls;            // CQL over TLS when tls.enabled (one OpenSSL context per session)
  cql::Compression compression = cql::Compression::kNone;
  int connections_per_host = kDefaultConnectionsPerHost;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout = kDefaultRequestTimeout;
  // An OPTIONS is sent on a connection idle for heartbeat_interval; no answer within
  // heartbeat_timeout closes it (and the pool reconnects). Catches half-open TCP connections.
  std::chrono::milliseconds heartbeat_interval{30000};  // 0 = off
  std::chrono::milliseconds heartbeat_timeout{10000};
  cql::Consistency default_consistency = cql::Consistency::kLocalQuorum;
  // Each statement carries a timestamp from this host's clock (timestamp_generator.h says why;
  // Statement::timestamp); off: the coordinator stamps the write when it applies it.
  bool client_timestamps = true;
  bool token_aware = true;
  // Other nodes are found in system.peers; off = only the contact points are used.
  bool discover_peers = true;
  // The data centre whose nodes coordinate the requests (load_balancing.h). Empty: the data
  // centre of the first node the control connection reads, as the DataStax Java driver infers it.
  std::string local_dc;
  // Nodes of each other data centre tried after the local ones; 0 (the drivers' default): none.
  size_t used_hosts_per_remote_dc = 0;
  BackoffConfig reconnect{std::chrono::milliseconds(200), std::chrono::milliseconds(10000), 2.0,
                          Jitter::kFull, 0, std::chrono::milliseconds(0)};
  RetryPolicyConfig retry;

  // Checks ranges; errors name the field ("cassandra.connections_per_host: must be 1..64").
  Status validate(std::string_view path = "cassandra") const;
};

struct PreparedStatement;

struct Statement {
  std::string query;                                    // simple statement (QUERY) ...
  std::shared_ptr<const PreparedStatement> prepared;    // ... or a bound prepared one (EXECUTE)
  std::vector<cql::BoundValue> values;
  std::optional<cql::Consistency> consistency;          // default: SessionConfig::default_consistency
  bool idempotent = false;                              // may it be retried after a timeout?
  std::optional<cql::Bytes> routing_key;                // serialized partition key, for routing
  std::string keyspace;                                 // with routing_key: whose replication applies
  std::optional<int32_t> page_size;
  std::chrono::milliseconds timeout{0};                 // 0 = SessionConfig::request_timeout
  // The write's timestamp, µs since the epoch (§4.1.4 flag 0x20). Empty: the session stamps it at
  // its first execute (SessionConfig::client_timestamps), and it is given back with the statement,
  // so a re-send carries the first send's: it cannot overwrite a newer write of the same row.
  std::optional<int64_t> timestamp;
  // A BATCH (§4.1.7) when non-empty: each member a simple or bound prepared statement (only its
  // query / prepared / values are used). consistency, idempotent, routing_key, keyspace and
  // timeout are the batch's own: route it by a member whose replicas all members share.
  std::vector<Statement> batch;
  cql::BatchType batch_type = cql::BatchType::kUnlogged;

  static Statement of(std::string query, cql::Consistency consistency = cql::Consistency::kLocalQuorum) {
    Statement s;
    s.query = std::move(query);
    s.consistency = consistency;
    return s;
  }
};

// A statement prepared once per session (and on each host as needed). Immutable.
struct PreparedStatement : std::enable_shared_from_this<PreparedStatement> {
  std::string query;
  cql::Bytes id;
  cql::PreparedMetadata metadata;   // bind markers, partition key indexes
  cql::RowsMetadata result_metadata;
  std::string keyspace;             // of the bound columns, for routing

  // Encodes values with the bind markers' types. The routing key comes from pk_indices.
  Result<Statement> bind(const std::vector<cql::Value>& values) const;
};

struct ExecuteResult {
  Result<cql::Response> response;              // never an ErrorMessage: server errors are errors
  std::optional<cql::CqlErrorCode> cql_code;   // the server's code when it answered ERROR
  int attempts = 0;
  std::string coordinator;                     // host:port of the last attempt
  // The statement, given back: a caller that may send it again moves it into execute() and
  // takes it back here instead of copying every bound value for each request.
  Statement statement;
};
using ExecuteCallback = std::function<void(ExecuteResult)>;

struct HostInfo {
  std::string address;  // as connected to: "10.0.0.1"
  uint16_t port = 0;
  std::string data_center;
  size_t token_count = 0;
  int ready_connections = 0;
  bool up = false;
  // Attempts sent to this host since the session started, and those of them for which it was a
  // replica of the statement's partition (token-aware routing working: nearly all of them).
  uint64_t requests = 0;
  uint64_t replica_requests = 0;
};

// Which rows share their replicas, for grouping them into batches: a snapshot of the token ring
// and the keyspaces' replication, taken at Session::replica_groups() (any thread) and cheap to ask.
class ReplicaGroups {
 public:
  struct Routing {
    TokenRing ring;
    std::map<std::string, ReplicationStrategy> keyspaces;
  };
  ReplicaGroups() = default;
  explicit ReplicaGroups(std::shared_ptr<const Routing> routing) : routing_(std::move(routing)) {}

  // Equal for routing keys with the same replica set under `keyspace` (in any order). 0 for
  // every key while at most one host is known: all rows then share the single replica.
  uint64_t key(const std::string& keyspace, const cql::Bytes& routing_key) const;

 private:
  std::shared_ptr<const Routing> routing_;
};

class Session {
 public:
  // Connects to the contact points (blocking, up to connect_timeout each), logs in, discovers the
  // other nodes and the token ring. Succeeds as soon as one host is usable. A login failure is a
  // kAuth error (not retriable); no reachable host is kUnavailable.
  static Result<std::unique_ptr<Session>> connect(SessionConfig config);

  ~Session();  // close()
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Asynchronous: `callback` runs once, on the loop thread, with the statement given back.
  void execute(Statement statement, ExecuteCallback callback);
  // Blocking variants (not on the loop thread).
  ExecuteResult execute_sync(Statement statement);
  Result<cql::Response> query(const std::string& cql, cql::Consistency consistency = cql::Consistency::kLocalQuorum);

  // A schema change (CREATE, ALTER, DROP), blocking: sent to the control connection's host, then
  // waits for every node to hold the same schema version. On any other coordinator, the check
  // could pass before the change reached the control host's gossip (every node still on the old
  // version), and a PREPARE right after would fail on a node without the new table.
  Result<cql::Response> schema_change(const std::string& cql,
                                      std::chrono::milliseconds agreement_timeout = std::chrono::seconds(30));

  // Prepares (or returns the cached statement). Blocking.
  Result<std::shared_ptr<const PreparedStatement>> prepare(const std::string& query);

  // Waits until system.local and system.peers agree on one schema_version (kTimeout if not).
  Status wait_for_schema_agreement(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Reloads hosts, tokens and keyspace replication (after schema changes or topology changes).
  Status refresh_metadata();

  // Runs `task` on the loop thread after `delay` (for callers that retry with backoff), once. If
  // the session closes first, close() runs it on its own thread: the task finds closed() true.
  void run_after(std::chrono::milliseconds delay, std::function<void()> task);

  std::vector<HostInfo> hosts() const;
  // The replicas (host:port) of a routing key under `keyspace`, primary first; empty if unknown.
  std::vector<std::string> replicas(const std::string& keyspace, const cql::Bytes& routing_key) const;
  // The routing as of the last metadata refresh, for grouping statements by replicas. Any thread.
  ReplicaGroups replica_groups() const;

  // Fails requests still in flight, closes the connections and stops the loop. Idempotent.
  void close();
  bool closed() const;

  const SessionConfig& config() const;
  const SessionProbe& probe() const;

  class Impl;

 private:
  explicit Session(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace rds::cassandra
