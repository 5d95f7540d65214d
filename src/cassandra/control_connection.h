#pragma once
// The control connection (the DataStax drivers' ControlConnection): one ready connection of one
// up host, borrowed from that host's pool, that has sent REGISTER for TOPOLOGY_CHANGE,
// STATUS_CHANGE and SCHEMA_CHANGE (native protocol v4 §4.1.8, §4.2.6) and on which the cluster
// metadata is read. Borrowed rather than a socket of its own so that a single-node session keeps
// exactly connections_per_host connections; events are frames on stream -1 and do not disturb the
// requests sharing it.
//
// Events: STATUS_CHANGE DOWN marks the host down at once (its pool keeps reconnecting); UP marks
// it up and reconnects now; UP and TOPOLOGY_CHANGE (NEW_NODE, REMOVED_NODE, MOVED_NODE) refresh
// the topology after kRefreshDebounce, so that a node restarting sends one refresh, not five; a
// SCHEMA_CHANGE of a keyspace re-reads that keyspace's replication. When the connection dies, the
// control connection moves to another up host (or to the first one that comes back) and
// refreshes, since events may have been missed meanwhile.
//
// Thread: the session's loop thread only.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cassandra/cluster_metadata.h"
#include "cassandra/connection.h"
#include "cassandra/event_loop.h"
#include "cassandra/session.h"

namespace rds::cassandra {

class HostPool;

class ControlConnection {
 public:
  static constexpr std::chrono::milliseconds kRefreshDebounce{1000};

  // What the control connection needs of its session (loop thread).
  class Cluster {
   public:
    virtual ~Cluster() = default;
    virtual size_t host_count() const = 0;
    virtual HostPool& host(HostIndex h) = 0;
    // A full refresh read `snapshot` on host `control`.
    virtual void apply_topology(HostIndex control, ClusterSnapshot snapshot) = 0;
    // A keyspace was created or altered (`replication`), or dropped (nullopt).
    virtual void apply_keyspace(const std::string& keyspace, std::optional<ReplicationStrategy> replication) = 0;
  };

  using Done = std::function<void(Status)>;
  using RowsCallback = std::function<void(Result<cql::RowsResult>)>;

  ControlConnection(EventLoop& loop, const SessionConfig& config, Cluster& cluster);

  // Reads the hosts, tokens and keyspaces and applies them (opening the connection first if needed).
  void refresh(Done done);
  // One system query (consistency ONE) on the control connection's host.
  void query(std::string cql, RowsCallback done);
  // Any statement on the control connection's host, its answer whatever it is (a server ERROR is
  // an error). For schema changes: that host then holds the new schema version itself, so the
  // agreement check that follows cannot pass on the old version everywhere.
  using ResponseCallback = std::function<void(Result<cql::Response>)>;
  void request(std::string cql, cql::Consistency consistency, ResponseCallback done);

  // From the pools: a ready connection closed, or a host got one.
  void connection_closed(const Connection& c);
  void host_ready();

  void close();
  std::optional<HostIndex> host() const { return host_; }

 private:
  struct Refresh;
  void ensure(Done then);
  void registered(HostIndex h, const std::weak_ptr<Connection>& conn, Result<cql::Response> reply);
  std::optional<HostIndex> choose_host() const;
  void on_event(const cql::EventMessage& event);
  std::optional<HostIndex> find_host(const cql::Endpoint& address) const;
  void schedule_refresh();
  void refresh_keyspace(const cql::SchemaChange& change);
  void reopen();

  EventLoop& loop_;
  const SessionConfig& config_;
  Cluster& cluster_;
  std::weak_ptr<Connection> connection_;
  const Connection* raw_ = nullptr;  // to recognise it in connection_closed
  std::optional<HostIndex> host_;
  bool registering_ = false;
  bool lost_ = false;  // it was open and died: reopen on the first host that comes back
  bool closed_ = false;
  std::vector<Done> waiting_;  // for the REGISTER in flight
  EventLoop::TimerId refresh_timer_ = 0;
};

}  // namespace rds::cassandra
