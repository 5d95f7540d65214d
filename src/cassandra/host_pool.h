#pragma once
// One host's connection pool (the DataStax drivers' HostPool / ConnectionPool): keeps
// connections_per_host connections open, reconnects with SessionConfig::reconnect's exponential
// backoff while any is missing, and says whether the host is up for routing. It also holds what
// the cluster metadata says of the host (data centre, tokens) and counts the requests sent to it.
//
// "Up" means: the pool has a ready connection, no STATUS_CHANGE DOWN event arrived since it last
// got one, and the node has not left the ring. A host marked down keeps reconnecting.
//
// Thread: the session's loop thread only; the listener's callbacks run there.

#include <cstdint>
#include <functional>
#include <memory>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cassandra/connection.h"
#include "cassandra/event_loop.h"
#include "cassandra/murmur3.h"
#include "cassandra/session.h"
#include "core/backoff.h"

namespace rds::cassandra {

class HostPool {
 public:
  struct Listener {
    // Every connection attempt's outcome (the session's start-up waits for the first success).
    std::function<void(HostPool&, const Status&)> on_connect_result;
    // A ready connection closed (it may have been the control connection).
    std::function<void(HostPool&, Connection&)> on_connection_closed;
  };

  // `tls`: the session's TLS context, or null for plaintext.
  HostPool(EventLoop& loop, const SessionConfig& config, SessionProbe& probe, std::string address, uint16_t port,
           Listener listener, std::shared_ptr<const TlsContext> tls = nullptr);
  ~HostPool();
  HostPool(const HostPool&) = delete;
  HostPool& operator=(const HostPool&) = delete;

  // Opens the missing connections (none while a reconnection is scheduled or once closed).
  void open();
  // Closes every connection and stops reconnecting: the session closes, or the node left the ring.
  void close(const std::string& reason);
  // The node is back in the ring (NEW_NODE after REMOVED_NODE): reconnect at once.
  void reopen();

  // STATUS_CHANGE DOWN: stop routing here. UP: route again, and reconnect now rather than at the
  // end of the current backoff.
  void mark_down();
  void mark_up();

  // The ready connection with the fewest requests in flight and a free stream id, if any.
  std::shared_ptr<Connection> pick() const;
  bool up() const { return !closed_ && !marked_down_ && !ready_.empty(); }
  bool closed() const { return closed_; }
  // Known to be down: the cluster said so, or connecting failed and a reconnection is pending.
  // (Not merely "no connection yet": a peer just discovered is not down.)
  bool known_down() const { return closed_ || marked_down_ || (ready_.empty() && reconnect_timer_ != 0); }
  int ready_connections() const { return static_cast<int>(ready_.size()); }

  const std::string& address() const { return address_; }
  uint16_t port() const { return port_; }
  std::string endpoint() const;

  // From the cluster metadata.
  const std::string& data_center() const { return data_center_; }
  const std::vector<Token>& tokens() const { return tokens_; }
  void set_metadata(std::string data_center, std::vector<Token> tokens);

  // One attempt sent here; `to_replica` when this host was among the statement's replicas.
  void count_request(bool to_replica);
  HostInfo info() const;

 private:
  void on_connection_ready(Connection& c, Status status);
  void on_connection_closed(Connection& c, const Error& error);
  void schedule_reconnect();

  EventLoop& loop_;
  const SessionConfig& config_;
  SessionProbe& probe_;
  std::string address_;
  uint16_t port_;
  Listener listener_;
  std::shared_ptr<const TlsContext> tls_;
  std::string data_center_;
  std::vector<Token> tokens_;
  std::vector<std::shared_ptr<Connection>> ready_;
  std::vector<std::shared_ptr<Connection>> connecting_;
  Backoff backoff_;
  EventLoop::TimerId reconnect_timer_ = 0;
  bool closed_ = false;
  bool marked_down_ = false;
  // When a failed connect was last warned about, since the host was up: each of its connections
  // and each reconnect round fails alike, so one warning a minute says it; the rest go to debug.
  std::optional<std::chrono::steady_clock::time_point> connect_failure_warned_;
  uint64_t requests_ = 0;
  uint64_t replica_requests_ = 0;
};

}  // namespace rds::cassandra
