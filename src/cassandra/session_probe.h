#pragma once
// Metrics of a Session (style.md: one small *Probe per component). Plain atomic counters, bumped
// on the session's loop thread (requests_started on the caller's) and read from any thread.

#include <atomic>
#include <cstdint>

namespace rds::cassandra {

class SessionProbe {
 public:
  struct Snapshot {
    uint64_t requests_started = 0;
    uint64_t retries = 0;              // attempts re-sent by the RetryPolicy (same or next host)
    uint64_t reprepares = 0;           // UNPREPARED answers followed by a PREPARE
    uint64_t client_timeouts = 0;      // attempts without an answer within the request timeout
    uint64_t connection_losses = 0;    // attempts failed because their connection died
    uint64_t no_host = 0;              // attempts that found no usable connection on any host
    uint64_t connections_opened = 0;
    uint64_t connection_failures = 0;  // TCP connect, STARTUP or login failed
    uint64_t connections_closed = 0;   // ready connections that closed (server, heartbeat, error)
    uint64_t server_warnings = 0;      // answers that carried warnings (e.g. a batch over a threshold)
  };

  void requests_started() { add(requests_started_); }
  void retry() { add(retries_); }
  void reprepare() { add(reprepares_); }
  void client_timeout() { add(client_timeouts_); }
  void connection_loss() { add(connection_losses_); }
  void no_host() { add(no_host_); }
  void connection_opened() { add(connections_opened_); }
  void connection_failed() { add(connection_failures_); }
  void connection_closed() { add(connections_closed_); }
  void server_warning() { add(server_warnings_); }

  Snapshot snapshot() const {
    Snapshot s;
    s.requests_started = get(requests_started_);
    s.retries = get(retries_);
    s.reprepares = get(reprepares_);
    s.client_timeouts = get(client_timeouts_);
    s.connection_losses = get(connection_losses_);
    s.no_host = get(no_host_);
    s.connections_opened = get(connections_opened_);
    s.connection_failures = get(connection_failures_);
    s.connections_closed = get(connections_closed_);
    s.server_warnings = get(server_warnings_);
    return s;
  }

 private:
  static void add(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }
  static uint64_t get(const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); }

  std::atomic<uint64_t> requests_started_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> reprepares_{0};
  std::atomic<uint64_t> client_timeouts_{0};
  std::atomic<uint64_t> connection_losses_{0};
  std::atomic<uint64_t> no_host_{0};
  std::atomic<uint64_t> connections_opened_{0};
  std::atomic<uint64_t> connection_failures_{0};
  std::atomic<uint64_t> connections_closed_{0};
  std::atomic<uint64_t> server_warnings_{0};
};

}  // namespace rds::cassandra
